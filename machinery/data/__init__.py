"""The data a run trains on: MNIST, or the reader's own (--data)."""
