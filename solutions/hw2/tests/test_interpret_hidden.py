"""Hidden tests for interpret.py: probes on small seeded CNNs, the student's results against the reference's.

What decides: occlusion maps for several patch/stride/fill settings, gradient saliency and
guided backprop for several images, labels and CNN seeds, that every function leaves the
model as it was (no hooks left, same parameters, same mode), and the class visualisation's
ascent (its logit compared with the reference's, which does not depend on the random start
by more than ~10 %: the threshold is 70 %), repeatability and its keyword arguments.
Tolerances: float32 models; values are compared to 1e-5 of the largest reference value
(batched and one-by-one forward passes round differently at ~1e-7 relative).
"""
import numpy as np
import pytest

from shared.asserts import assert_close, check_array, context

IMAGE = (3, 16, 16)


def _image(rng):
    return rng.random(IMAGE).astype(np.float32)


def _close32(got, expected, what):
    scale = float(np.max(np.abs(expected))) or 1.0
    assert_close(got, expected, atol=1e-5 * scale, rtol=1e-4, dtype=None, what=what)


def _assert_unchanged(report, label):
    broken = [check for check, ok in report.items() if not ok]
    assert not broken, f"{label}: the model was changed: " + ", ".join(broken)


@pytest.mark.points(3)
def test_occlusion_saliency_against_reference(hw, ref, rng):
    """occlusion_saliency: patch/stride/fill settings, labels and CNN seeds"""
    for seed, label, kwargs in [(0, 0, {}), (0, 3, {"patch": 4, "stride": 4, "fill": 0.5}),
                                (1, 1, {"patch": 6, "stride": 3}), (1, 4, {"patch": 16, "stride": 8, "fill": -1.0}),
                                (0, 2, {"patch": 5, "stride": 2, "fill": 1.0})]:
        image = _image(rng)
        got = hw.probe("interpret_call", "occlusion_saliency", image, label, kwargs=kwargs, seed=seed)
        expected = ref.probe("interpret_call", "occlusion_saliency", image, label, kwargs=kwargs, seed=seed)
        with context(f"CNN seed {seed}, label {label}, {kwargs or 'default arguments'}"):
            _close32(check_array(got["result"], shape=expected["result"].shape, what="the occlusion map"),
                     expected["result"], "the occlusion map")


@pytest.mark.points(2)
def test_gradient_saliency_against_reference(hw, ref, rng):
    """gradient_saliency: several images, labels and CNN seeds"""
    for seed, label in [(0, 0), (0, 4), (1, 2)]:
        image = _image(rng)
        got = hw.probe("interpret_call", "gradient_saliency", image, label, seed=seed)
        expected = ref.probe("interpret_call", "gradient_saliency", image, label, seed=seed)
        with context(f"CNN seed {seed}, label {label}"):
            _close32(got["result"], expected["result"], "the saliency map")


@pytest.mark.points(3)
def test_guided_backprop_against_reference(hw, ref, rng):
    """guided_backprop: several images, labels and CNN seeds"""
    for seed, label in [(0, 1), (0, 3), (1, 0), (1, 4)]:
        image = _image(rng)
        got = hw.probe("interpret_call", "guided_backprop", image, label, seed=seed)
        expected = ref.probe("interpret_call", "guided_backprop", image, label, seed=seed)
        with context(f"CNN seed {seed}, label {label}"):
            _close32(got["result"], expected["result"], "the guided gradient")


@pytest.mark.points(2)
def test_model_left_unchanged(hw, rng):
    """occlusion_saliency, gradient_saliency, guided_backprop: same parameters and mode, no hooks left"""
    image = _image(rng)
    for name in ("occlusion_saliency", "gradient_saliency", "guided_backprop"):
        for seed in (0, 1):
            report = hw.probe("interpret_call", name, image, 1, seed=seed)["unchanged"]
            _assert_unchanged(report, f"{name} (CNN seed {seed})")


@pytest.mark.points(3)
def test_class_visualization_against_reference(hw, ref):
    """class_visualization: every class's logit rises as far as the reference's; repeatable; model unchanged"""
    for label, kwargs in [(0, {}), (3, {}), (4, {"seed": 5}), (1, {"steps": 40, "lr": 2.0, "l2": 0.01})]:
        got = hw.probe("class_visualization", label, IMAGE, kwargs=kwargs)
        expected = ref.probe("class_visualization", label, IMAGE, kwargs=kwargs)
        where = f"label {label}, {kwargs or 'default arguments'}"
        check_array(got["image"], shape=IMAGE, what=f"the visualisation ({where})")
        reached, target = float(got["logits"][label]), float(expected["logits"][label])
        assert reached >= 0.7 * target, (f"{where}: the class logit reached {reached:.3f}, "
                                         "well below what gradient ascent with these arguments reaches")
        assert got["repeatable"], f"{where}: two calls with the same seed returned different images"
        _assert_unchanged(got["unchanged"], where)
