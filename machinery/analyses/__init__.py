"""What 4.py and 5.py compute, each with its paper: activation maximisation, receptive fields,
saliency and HiResCAM, and the preprocessing that makes a reader's image a MNIST digit."""
