"""HW1 reference solution: a residual block, a small CNN and its training loop, in torch.

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

    Attributes (these names are part of the specification):
    - conv1: nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
    - bn1: nn.BatchNorm2d(out_channels)
    - conv2: nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
    - bn2: nn.BatchNorm2d(out_channels)
    - shortcut: the identity (``nn.Identity()``) when the shape is kept, i.e. stride == 1
      and in_channels == out_channels; otherwise a 1x1 nn.Conv2d(in_channels, out_channels)
      with ``stride`` and no bias, followed by nn.BatchNorm2d(out_channels) (an
      ``nn.Sequential``).

    The convolutions have no bias because the batch norm after each one has its own shift.
    Input (N, in_channels, H, W) -> output (N, out_channels, Ho, Wo),
    Ho = 1 + (H - 1) // stride (and Wo alike).

    Graded against the reference: the structure above and the parameter count, then, with
    every weight set to the same values on both sides, the output in train and in eval mode
    and the gradient with respect to x.
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
    """A small classifier for 32x32 images; its architecture is free.

    Input (N, in_channels, 32, 32) float32; ``forward`` returns logits (N, num_classes)
    (no softmax: ``torch.nn.functional.cross_entropy`` takes logits). At most 200,000
    parameters: a larger model scores 0 in the graded training run (see train_classifier),
    which builds ``SmallCNN(num_classes=10)``.
    """

    def __init__(self, in_channels=1, num_classes=4):
        super().__init__()
        # The reference (about 18k parameters): conv3x3(8)-BN-ReLU-maxpool -> residual block(16,
        # stride 2) -> residual block(32, stride 2) -> global average pool -> linear.
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
    """Train ``model`` in place with the cross-entropy loss; return the list of mean epoch losses.

    Inputs:
    - model: an nn.Module mapping x to logits (N, num_classes).
    - x: float32 tensor (N, C, H, W); y: int64 tensor (N,); numpy arrays are accepted too.
    - seed: seeds everything random in training (shuffling, dropout, ...): the same seed,
      initial model state and data must give the same losses, whatever happened to the
      global random state before the call.

    The optimiser, the number of epochs, the batch size and the learning rate are free (for
    example keyword arguments with defaults after ``seed``, such as
    ``epochs=10, batch_size=64, lr=3e-3``); the grader calls only
    ``train_classifier(model, x, y, seed=...)``.

    Returns: a non-empty list of Python floats, one per epoch: the mean training loss of that
    epoch.

    Graded: (1) two runs on 80 synthetic shapes (``shared.data.make_shapes``) from the same
    initial SmallCNN and seed, with the global random state changed in between, must return
    identical losses (both runs within 30 s). (2) SmallCNN(num_classes=10) is trained with
    seed=0 on 1,297 real handwritten digits (``shared.real_data.digits``: scikit-learn's 8x8
    ``load_digits``, each pixel repeated into a 4x4 block, so 32x32, one channel, values in
    [0, 1]) on a CPU with ONE thread, with 60 s for training and prediction together. A tenth
    of its points need a list of finite losses whose last is below the first (when there are
    several) and at most 200,000 parameters; the rest scale linearly with the accuracy on the
    other 500 digits, from 10 % (chance) to full points at 93 % or more.
    """
    # The reference: Adam with a one-cycle learning-rate schedule; its settings are the module
    # constants EPOCHS, BATCH_SIZE, LEARNING_RATE and WEIGHT_DECAY (no extra keyword arguments).
    epochs, batch_size, lr = EPOCHS, BATCH_SIZE, LEARNING_RATE
    x, y = _tensors(x, y)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
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
    """Fraction of the examples whose largest logit is at the label, as a Python float in [0, 1].

    Inputs: model, an nn.Module mapping x to logits (N, num_classes); x, a float32 tensor
    (N, ...); y, an int64 tensor (N,); numpy arrays are accepted too.

    Evaluated in eval mode (``model.eval()``: dropout off, batch norm uses its running
    statistics), in which the model is left, and without building a graph (gradients
    disabled, ``torch.no_grad()``).
    """
    x, y = _tensors(x, y)
    model.eval()
    with torch.no_grad():
        predictions = model(x).argmax(dim=1)
    return float((predictions == y).float().mean())
