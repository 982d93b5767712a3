"""PyTorch's side of `python bench.py pytorch`, run by the Python that has PyTorch: the article's
network, loss and optimizer, tuned as PyTorch's CPU performance guide says (channels_last, Adam's
fused kernel, intra-op threads = cores; in bfloat16, autocast with float32 weights and Adam), trained
on bench.py's batches (an .npz): a window of them for each "go" line on stdin, its seconds on a line
of their own, after "ready TORCH_VERSION".

    PYTHON machinery/bench/pytorch_worker.py BATCHES.npz [--bf16]
"""

import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

WARM_UP = 20
bf16 = "--bf16" in sys.argv[2:]
torch.manual_seed(0)
torch.set_num_threads(os.cpu_count())
batches = np.load(sys.argv[1])
images, labels = batches["images"], batches["labels"].argmax(axis=-1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.fc1 = nn.Linear(7 * 7 * 64, 1024)
        self.fc2 = nn.Linear(1024, 10)
        for layer in (self.conv1, self.conv2, self.fc1, self.fc2):  # the article's initial values
            nn.init.trunc_normal_(layer.weight, std=0.1, a=-0.2, b=0.2)
            nn.init.constant_(layer.bias, 0.1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.dropout(F.relu(self.fc1(x.flatten(1))), 0.5, self.training)
        return self.fc2(x)


net = Net().to(memory_format=torch.channels_last).train()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-4, fused=True)


def step(image, label):
    x = torch.from_numpy(image).reshape(-1, 1, 28, 28).contiguous(memory_format=torch.channels_last)
    optimizer.zero_grad(set_to_none=True)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        loss = F.cross_entropy(net(x), torch.from_numpy(label), reduction="sum")
    loss.backward()
    optimizer.step()


for i in range(WARM_UP):
    step(images[i], labels[i])
print("ready", torch.__version__, flush=True)
for line in sys.stdin:
    start = time.perf_counter()
    for image, label in zip(images, labels):
        step(image, label)
    print(time.perf_counter() - start, flush=True)
