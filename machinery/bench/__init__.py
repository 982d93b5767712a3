"""bench.py's measurements, and a copy of the repository to run the scripts in as a reader does (repository)."""
