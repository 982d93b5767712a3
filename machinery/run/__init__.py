"""A training run's settings and what it keeps besides the article's loop: oneDNN's kernels (onednn,
imported before TensorFlow), the CPU's session settings, the scripts' flags, model/'s checkpoints, the
TensorBoard log and the page that follows the run."""
