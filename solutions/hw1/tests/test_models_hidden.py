"""Hidden tests for models.py: ResidualBlock against the reference, and the training probe.

The probes build the student's modules inside the sandbox and report plain data. For the
residual block every weight is set to the same seeded values on both sides (by layer, not
by creation order), so outputs and gradients can be compared with the reference's. The
training probe trains SmallCNN with train_classifier on the shapes data set and returns
predictions for held-out images whose labels never leave this process.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_scalar_close, check_array
from shared.data import make_shapes

FULL_MARKS_ACCURACY = 0.90
CHANCE = 0.25


def _compare_blocks(hw, ref, rng, in_channels, out_channels, stride, size):
    x = rng.normal(size=(3, in_channels, size, size))
    out_size = 1 + (size - 1) // stride
    dout = rng.normal(size=(3, out_channels, out_size, out_size))
    got = hw.probe("residual_block", in_channels, out_channels, stride, x, dout, seed=3)
    want = ref.probe("residual_block", in_channels, out_channels, stride, x, dout, seed=3)
    call = f"models.ResidualBlock({in_channels}, {out_channels}, stride={stride}) on x of shape {x.shape}"
    for key in ("conv1", "bn1", "conv2", "bn2", "shortcut", "parameters"):
        assert got[key] == want[key], (f"{call}: {key} is {got[key]}, which does not match the specification "
                                       f"(3x3 convs without bias, BatchNorm2d, identity or 1x1-conv + BN shortcut)")
    for key, what in (("out_train", "the output in train mode"), ("dx_train", "the gradient with respect to x"),
                      ("out_eval", "the output in eval mode")):
        assert_close(got[key], want[key], atol=1e-9, rtol=1e-8, what=what, call=call)


@pytest.mark.points(2)
def test_residual_block_identity_shortcut_against_reference(hw, ref, rng):
    """ResidualBlock(6, 6): structure, outputs (train and eval) and input gradient as the reference"""
    _compare_blocks(hw, ref, rng, 6, 6, 1, 7)


@pytest.mark.points(2)
def test_residual_block_projection_against_reference(hw, ref, rng):
    """ResidualBlock(3, 5, stride=2): structure, outputs (train and eval) and input gradient as the reference"""
    _compare_blocks(hw, ref, rng, 3, 5, 2, 9)


@pytest.mark.points(1)
def test_accuracy_against_reference(hw, ref, rng):
    """accuracy: a random linear model with dropout, 40 examples; the fraction correct in eval mode"""
    x = rng.normal(size=(40, 6)).astype(np.float32)
    y = rng.integers(0, 4, size=40)
    weight = rng.normal(size=(4, 6))
    got, _ = hw.probe("accuracy", x, y, weight)
    want, _ = ref.probe("accuracy", x, y, weight)
    assert_scalar_close(got, float(want), atol=1e-6, what="the accuracy", call="models.accuracy(model, x, y)")


@pytest.mark.points(1)
@pytest.mark.timeout(30)          # two short runs with the student's own number of epochs
def test_train_classifier_is_deterministic(hw):
    """train_classifier: the same seed and initial model give the same losses, whatever the global RNG state"""
    x, y = make_shapes(80, seed=11)
    first, second = hw.probe("train_twice", x, y, 5)
    call = "models.train_classifier(SmallCNN(), x of shape (80, 1, 32, 32), y, seed=5), twice"
    assert isinstance(first, list) and first and all(isinstance(v, float) for v in first), \
        f"{call}: expected a non-empty list of floats (mean epoch losses), got {first!r:.200}"
    assert_close(np.array(second), np.array(first), atol=0, rtol=0, what="the losses of the second run", call=call)


@pytest.mark.points(12)
@pytest.mark.training
@pytest.mark.timeout(60)
def test_small_cnn_learns_the_shapes(hw, partial):
    """SmallCNN + train_classifier: held-out accuracy on the shapes data set (full points at 90 %)"""
    x_train, y_train = make_shapes(3000, seed=2027)
    x_test, y_test = make_shapes(1000, seed=4732)
    report = hw.probe("train_shapes", x_train, y_train, x_test, seed=0)
    call = "train_classifier(SmallCNN(), 3000 shapes images, seed=0)"
    with partial.part(0.1, "losses and size"):
        losses = report["losses"]
        assert isinstance(losses, list) and losses and all(isinstance(v, float) and np.isfinite(v) for v in losses), \
            f"{call}: expected a non-empty list of finite floats (mean epoch losses), got {losses!r:.200}"
        assert report["parameters"] <= 200_000, f"SmallCNN() has {report['parameters']} parameters; at most 200000"
    predictions = check_array(report["predictions"], what="the predicted classes", shape=y_test.shape,
                              dtype="integer", call=call)
    accuracy = float(np.mean(predictions == y_test))
    partial.leaderboard("accuracy", accuracy)
    fraction = (accuracy - CHANCE) / (FULL_MARKS_ACCURACY - CHANCE)
    if report["parameters"] > 200_000:
        fraction = 0.0
    partial.award(0.9 * fraction, 0.9, "held-out accuracy",
                  f"held-out accuracy {accuracy:.1%} after {report['seconds']:.1f} s of training; points scale "
                  f"linearly from {CHANCE:.0%} (chance) to full points at {FULL_MARKS_ACCURACY:.0%}")
