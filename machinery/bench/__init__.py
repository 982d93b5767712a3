"""bench.py's measurements, one module each (steps, kernels, costs, page, scripts, pytorch), with the
programs they run in processes of their own, and what they share: windows that take turns (turns),
the table (table), a copy of the repository to run the scripts in as a reader does (repository).

The measurements take the network as an argument (cnn.NET, as bench.py gives it), so that imports
still run one way: the scripts, cnn.py, this package.
"""
