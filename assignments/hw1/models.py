"""HW1, part 3: a residual block, a small CNN and its training loop, in torch.

Lecture idea (residual networks): a block learns a correction F(x) to its input and adds
it back, ``relu(F(x) + shortcut(x))``. Gradients reach early layers through the shortcut,
so deep stacks of blocks train well.

Fill in every part marked TODO. torch is allowed here (torchvision is not). Data: images
are float32 tensors (N, C, H, W) and labels int64 tensors (N,); ``train_classifier`` and
``accuracy`` should also accept numpy arrays (``torch.as_tensor``).

The graded training run builds ``SmallCNN(num_classes=10)`` and gives ``train_classifier``
1,297 real handwritten digits (``shared.real_data.digits``: the 8x8 digits of scikit-learn's
``load_digits``, each pixel repeated into a 4x4 block, so 32x32, one channel, values in
[0, 1]) on a CPU with ONE thread and a time limit of 60 s for training and prediction
together; points scale linearly with the accuracy on the other 500 digits, from 10 %
(chance) to full points at 93 % or more (the reference reaches 98-99 % in ~5 s; a plain
three-layer CNN with Adam for 10 epochs, 95-98 %). Time your defaults: aim for well under 30 s.
"""
import torch  # noqa: F401  (you will need it)
from torch import nn


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
        # TODO
        raise NotImplementedError("ResidualBlock: not implemented yet")

    def forward(self, x):
        # TODO
        raise NotImplementedError("ResidualBlock.forward: not implemented yet")


class SmallCNN(nn.Module):
    """A small classifier for 32x32 images; its architecture is free.

    Input (N, in_channels, 32, 32) float32; ``forward`` returns logits (N, num_classes)
    (no softmax: ``torch.nn.functional.cross_entropy`` takes logits). At most 200,000
    parameters: a larger model scores 0 in the graded training run (see train_classifier),
    which builds ``SmallCNN(num_classes=10)``.
    """

    def __init__(self, in_channels=1, num_classes=4):
        super().__init__()
        # TODO
        # Hint: a few conv-BN-ReLU layers with pooling (or your ResidualBlock), then global average
        #   pooling and a linear layer, are plenty for the digits.
        raise NotImplementedError("SmallCNN: not implemented yet")

    def forward(self, x):
        # TODO
        raise NotImplementedError("SmallCNN.forward: not implemented yet")


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
    # TODO
    # Hint: torch.manual_seed(seed), and a torch.Generator seeded with `seed` for the shuffling.
    raise NotImplementedError("train_classifier: not implemented yet")


def accuracy(model, x, y):
    """Fraction of the examples whose largest logit is at the label, as a Python float in [0, 1].

    Inputs: model, an nn.Module mapping x to logits (N, num_classes); x, a float32 tensor
    (N, ...); y, an int64 tensor (N,); numpy arrays are accepted too.

    Evaluated in eval mode (``model.eval()``: dropout off, batch norm uses its running
    statistics), in which the model is left, and without building a graph (gradients
    disabled, ``torch.no_grad()``).
    """
    # TODO
    raise NotImplementedError("accuracy: not implemented yet")

