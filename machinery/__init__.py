"""The machinery under the article's scripts, by job (the scripts, cnn.py and tools.py are the tutorial):

- pictures: the sheets, timelines and pages the scripts write (drawing, pages);
- analyses: what 4.py and 5.py compute, each with its paper (activation maximisation, receptive
  fields, saliency and HiResCAM, the preprocessing of a reader's own image);
- run: a training run's settings and what it keeps besides the article's loop (oneDNN, the CPU's
  settings, the flags, model/'s checkpoints, the TensorBoard log, the live page);
- bench: bench.py's measurements.
"""
