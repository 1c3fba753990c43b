"""Public tests for models.py: the residual block's structure, SmallCNN's output, accuracy.

Torch objects cannot leave the process that runs your code, so these tests use probes
(tests/probes.py) that build your modules and report shapes, structure and outputs as
plain data. The hidden tests compare your ResidualBlock's outputs and gradients with the
reference (with the same weights), check that train_classifier is deterministic, and train
your SmallCNN(num_classes=10) on real handwritten digits (sklearn's load_digits, 8x8 images
upsampled to 32x32): points scale with its held-out accuracy (full points at 93 % or more),
within the time limit.
"""
import numpy as np
import pytest

from shared.asserts import assert_scalar_close, check_array


def _block(hw, in_channels, out_channels, stride, size=8):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, in_channels, size, size))
    out_size = 1 + (size - 1) // stride
    dout = rng.normal(size=(2, out_channels, out_size, out_size))
    report = hw.probe("residual_block", in_channels, out_channels, stride, x, dout)
    return report, f"models.ResidualBlock({in_channels}, {out_channels}, stride={stride})", out_size


@pytest.mark.points(1)
def test_residual_block_keeping_the_shape(hw):
    """ResidualBlock(8, 8): two 3x3 convs without bias, the identity shortcut, a non-negative output"""
    report, call, _ = _block(hw, 8, 8, 1)
    conv = {"weight": (8, 8, 3, 3), "stride": (1, 1), "padding": (1, 1), "bias": False}
    for name in ("conv1", "conv2"):
        assert report[name] == conv, f"{call}: {name} should be {conv}, got {report[name]}"
    assert report["shortcut"] == "identity", (f"{call}: the shortcut should be the identity (no parameters) "
                                              f"when the shape is kept, got {report['shortcut']}")
    out = check_array(report["out_train"], what="the output", shape=(2, 8, 8, 8), dtype=np.float64, call=call)
    assert out.min() >= 0, f"{call}: the output has negative values: is the last ReLU (after the sum) missing?"


@pytest.mark.points(1)
def test_residual_block_projection_shortcut(hw):
    """ResidualBlock(4, 8, stride=2): conv1 has stride 2; shortcut = 1x1 conv (stride 2, no bias) + BatchNorm2d"""
    report, call, out_size = _block(hw, 4, 8, 2)
    assert report["conv1"] == {"weight": (8, 4, 3, 3), "stride": (2, 2), "padding": (1, 1), "bias": False}, \
        f"{call}: conv1 should be a 3x3 conv 4 -> 8 with stride 2, padding 1, no bias; got {report['conv1']}"
    expected = [{"weight": (8, 4, 1, 1), "stride": (2, 2), "padding": (0, 0), "bias": False}, {"batchnorm": 8}]
    assert report["shortcut"] == expected, f"{call}: the shortcut should be {expected}, got {report['shortcut']}"
    check_array(report["out_train"], what="the output", shape=(2, 8, out_size, out_size), dtype=np.float64, call=call)
    check_array(report["dx_train"], what="the gradient with respect to x", shape=(2, 4, 8, 8), call=call)


@pytest.mark.points(1)
def test_small_cnn_logits_and_size(hw):
    """SmallCNN(): logits of shape (N, num_classes) for 32x32 grayscale images, at most 200k parameters"""
    x = np.random.default_rng(0).random((5, 1, 32, 32)).astype(np.float32)
    report = hw.probe("small_cnn", x)
    check_array(report["logits"], what="the logits", shape=(5, 4), dtype="floating", call="SmallCNN()(x)")
    assert report["parameters"] <= 200_000, f"SmallCNN() has {report['parameters']} parameters; at most 200000"
    # The graded training run classifies the ten digits.
    report = hw.probe("small_cnn", x, num_classes=10)
    check_array(report["logits"], what="the logits", shape=(5, 10), dtype="floating",
                call="SmallCNN(num_classes=10)(x)")
    assert report["parameters"] <= 200_000, \
        f"SmallCNN(num_classes=10) has {report['parameters']} parameters; at most 200000"


@pytest.mark.points(1)
def test_accuracy_uses_eval_mode(hw):
    """accuracy: the fraction of argmax(logits) == y, with dropout switched off (eval mode)"""
    # The probe's model: logits = x @ weight.T, then Dropout(0.9), handed over in train mode.
    # With x = 10 * identity and weight = identity, the predictions are 0, 1, 2, 3 and
    # 3 of the 4 labels match. With dropout still active most logits would be zeroed.
    x = np.eye(4, dtype=np.float32) * 10
    value, kind = hw.probe("accuracy", x, np.array([0, 1, 2, 0]), np.eye(4))
    assert_scalar_close(value, 0.75, atol=1e-6, what="the accuracy", call="models.accuracy(model, x, y)")
