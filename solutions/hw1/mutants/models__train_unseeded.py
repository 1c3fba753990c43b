"""Mutant: train_classifier ignores its seed (shuffles with the global random state).

HW1 reference solution: a residual block, a small CNN and its training loop, in torch.

Lecture "Object Recognition": a residual block learns a correction F(x) to its input and
adds it back, ``relu(F(x) + shortcut(x))``, so that gradients reach early layers through
the identity path and a deep network is at worst as good as a shallower one.

Data conventions: images are float32 tensors (N, C, H, W), labels int64 tensors (N,).
``train_classifier`` and ``accuracy`` also accept numpy arrays (converted with
``torch.as_tensor``).
"""
import torch
from torch import nn
from torch.nn import functional as F


def _tensors(x, y):
    x = torch.as_tensor(x, dtype=torch.float32)
    y = torch.as_tensor(y, dtype=torch.int64)
    return x, y


class ResidualBlock(nn.Module):
    """The basic block of ResNet-18/34.

    forward(x) = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))

    - conv1: 3x3, ``stride``, padding 1, no bias (the batch norm after it has a shift);
      in_channels -> out_channels.
    - conv2: 3x3, stride 1, padding 1, no bias; out_channels -> out_channels.
    - bn1, bn2: BatchNorm2d(out_channels).
    - shortcut: the identity when the shape is kept (stride 1 and in == out channels); else a
      1x1 convolution with ``stride`` and no bias, followed by BatchNorm2d(out_channels).

    Input (N, in_channels, H, W) -> output (N, out_channels, Ho, Wo), Ho = 1 + (H - 1) // stride.
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride == 1 and in_channels == out_channels:
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class SmallCNN(nn.Module):
    """A small classifier for 32x32 images (about 18k parameters).

    conv3x3(8)-BN-ReLU-maxpool -> residual block(16, stride 2) -> residual block(32, stride 2)
    -> global average pool -> linear. Input (N, in_channels, 32, 32); output logits
    (N, num_classes).
    """

    def __init__(self, in_channels=1, num_classes=4):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1, bias=False),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.MaxPool2d(2),                       # 16x16
        )
        self.features = nn.Sequential(
            ResidualBlock(8, 16, stride=2),        # 8x8
            ResidualBlock(16, 32, stride=2),       # 4x4
        )
        self.head = nn.Linear(32, num_classes)

    def forward(self, x):
        x = self.features(self.stem(x))
        return self.head(x.mean(dim=(2, 3)))


# Training settings: 10 epochs of 3000 images take about 7 s on one CPU thread.
EPOCHS = 10
BATCH_SIZE = 64
LEARNING_RATE = 3e-3
WEIGHT_DECAY = 1e-4


def train_classifier(model, x, y, seed=0):
    """Train ``model`` in place with cross-entropy, Adam and a one-cycle learning-rate schedule.

    Inputs:
    - model: an nn.Module mapping x (N, C, H, W) to logits (N, num_classes).
    - x: float32 tensor (N, C, H, W); y: int64 tensor (N,) (numpy arrays are accepted).
    - seed: seeds everything random (shuffling, dropout): the same seed, model state and
      data give the same losses.

    The settings are the module constants EPOCHS, BATCH_SIZE, LEARNING_RATE, WEIGHT_DECAY.
    Returns: the list of the EPOCHS mean training losses, one per epoch (Python floats).
    """
    epochs, batch_size, lr = EPOCHS, BATCH_SIZE, LEARNING_RATE
    x, y = _tensors(x, y)
    generator = None
    optimiser = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=WEIGHT_DECAY)
    steps = epochs * ((len(x) + batch_size - 1) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=steps)
    losses = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            loss = F.cross_entropy(model(x[batch]), y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
        losses.append(total / len(x))
    return losses


def accuracy(model, x, y):
    """Fraction of the examples whose largest logit is the label, in eval mode, without gradients.

    Returns a Python float in [0, 1]. The model is left in eval mode.
    """
    x, y = _tensors(x, y)
    model.eval()
    with torch.no_grad():
        predictions = model(x).argmax(dim=1)
    return float((predictions == y).float().mean())
