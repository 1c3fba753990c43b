"""Public tests for interpret.py: saliency on models whose gradients are known exactly.

Run them with ``pytest tests/test_interpret.py``. Your functions take a torch model, so the
tests run them through the probes in ``tests/probes.py``: a probe builds the model (a linear
model with given weights, or a small seeded CNN), calls your function and reports what came
back and whether the model was left unchanged (parameters, train/eval mode, no hooks left).
Models are float32: tolerances are ~1e-5 on values of order 1 (float32 rounds at ~6e-8).
"""
import numpy as np
import pytest

from shared.asserts import assert_close, check_array

FLOAT32 = {"atol": 1e-5, "rtol": 1e-5, "dtype": None}


def _linear_setup():
    rng = np.random.default_rng(0)
    C, H, W, K = 2, 8, 8, 3
    weight = rng.normal(size=(K, C * H * W)).astype(np.float32)
    bias = rng.normal(size=K).astype(np.float32)
    image = rng.random((C, H, W)).astype(np.float32)
    return weight, bias, image


def _softmax(z):
    z = z - z.max()
    return np.exp(z) / np.exp(z).sum()


def _assert_unchanged(report):
    broken = [check for check, ok in report.items() if not ok]
    assert not broken, "the model was changed by your function: " + ", ".join(broken)


@pytest.mark.points(1)
def test_gradient_saliency_of_a_linear_model(hw):
    """gradient_saliency: for logits = W x + b the gradient is W[label]: the map is max_c |W[label, c]|"""
    weight, bias, image = _linear_setup()
    out = hw.probe("interpret_call", "gradient_saliency", image, 1, weight=weight, bias=bias)
    expected = np.abs(weight[1].reshape(2, 8, 8)).max(axis=0)
    assert_close(check_array(out["result"], shape=(8, 8), what="the saliency map"), expected, **FLOAT32)
    _assert_unchanged(out["unchanged"])


@pytest.mark.points(1)
def test_occlusion_saliency_of_a_linear_model(hw):
    """occlusion_saliency: probability of the label minus that with each 4x4 window (stride 2) filled"""
    weight, bias, image = _linear_setup()
    label, patch, stride, fill = 2, 4, 2, 0.5
    out = hw.probe("interpret_call", "occlusion_saliency", image, label,
                   kwargs={"patch": patch, "stride": stride, "fill": fill}, weight=weight, bias=bias)
    w64, b64 = weight.astype(np.float64), bias.astype(np.float64)
    base = _softmax(w64 @ image.ravel() + b64)[label]
    expected = np.zeros((3, 3))                      # (8 - 4) // 2 + 1 = 3 window positions per axis
    for i in range(3):
        for j in range(3):
            occluded = image.astype(np.float64).copy()
            occluded[:, i * stride:i * stride + patch, j * stride:j * stride + patch] = fill
            expected[i, j] = base - _softmax(w64 @ occluded.ravel() + b64)[label]
    assert_close(check_array(out["result"], shape=(3, 3), what="the occlusion map"), expected, **FLOAT32)
    _assert_unchanged(out["unchanged"])


@pytest.mark.points(1)
def test_guided_backprop_basics(hw):
    """guided_backprop: (C, H, W); a model without ReLUs gives the plain gradient; the CNN is left unchanged"""
    weight, bias, image = _linear_setup()
    out = hw.probe("interpret_call", "guided_backprop", image, 0, weight=weight, bias=bias)
    assert_close(check_array(out["result"], shape=(2, 8, 8), what="the guided gradient"),
                 weight[0].reshape(2, 8, 8), **FLOAT32)
    image = np.random.default_rng(1).random((3, 16, 16)).astype(np.float32)
    out = hw.probe("interpret_call", "guided_backprop", image, 3)
    check_array(out["result"], shape=(3, 16, 16), what="the guided gradient of the CNN")
    _assert_unchanged(out["unchanged"])


@pytest.mark.points(1)
def test_class_visualization_raises_the_logit(hw):
    """class_visualization: gradient ascent makes class 2 the CNN's top class, model unchanged"""
    out = hw.probe("class_visualization", 2, (3, 16, 16))
    check_array(out["image"], shape=(3, 16, 16), what="the visualisation")
    logits = out["logits"]
    # The test CNN has no biases, so an all-zero image has logits 0: ascent must go above that.
    assert logits[2] > 1.0, f"the logit of class 2 is only {logits[2]:.3f} after gradient ascent"
    assert int(np.argmax(logits)) == 2, f"class {int(np.argmax(logits))} beats class 2 (logits {np.round(logits, 2)})"
    _assert_unchanged(out["unchanged"])
