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


@pytest.mark.points(2)
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


@pytest.mark.points(1)
def test_gradient_saliency_against_reference(hw, ref, rng):
    """gradient_saliency: several images, labels and CNN seeds"""
    for seed, label in [(0, 0), (0, 4), (1, 2)]:
        image = _image(rng)
        got = hw.probe("interpret_call", "gradient_saliency", image, label, seed=seed)
        expected = ref.probe("interpret_call", "gradient_saliency", image, label, seed=seed)
        with context(f"CNN seed {seed}, label {label}"):
            _close32(got["result"], expected["result"], "the saliency map")


@pytest.mark.points(2)
def test_guided_backprop_against_reference(hw, ref, rng):
    """guided_backprop: several images, labels and CNN seeds"""
    for seed, label in [(0, 1), (0, 3), (1, 0), (1, 4)]:
        image = _image(rng)
        got = hw.probe("interpret_call", "guided_backprop", image, label, seed=seed)
        expected = ref.probe("interpret_call", "guided_backprop", image, label, seed=seed)
        with context(f"CNN seed {seed}, label {label}"):
            _close32(got["result"], expected["result"], "the guided gradient")


@pytest.mark.points(1)
def test_model_left_unchanged(hw, ref, rng):
    """occlusion_saliency, gradient_saliency, guided_backprop: same model afterwards, right result"""
    image = _image(rng)
    for name in ("occlusion_saliency", "gradient_saliency", "guided_backprop"):
        for seed in (0, 1):
            got = hw.probe("interpret_call", name, image, 1, seed=seed)
            _assert_unchanged(got["unchanged"], f"{name} (CNN seed {seed})")
            # Leaving the model alone is only worth points together with a correct result.
            expected = ref.probe("interpret_call", name, image, 1, seed=seed)["result"]
            _close32(check_array(got["result"], shape=expected.shape, what=f"the result of {name}"), expected,
                     f"the result of {name} (CNN seed {seed})")


@pytest.mark.points(2)
def test_class_visualization_against_reference(hw, ref):
    """class_visualization: every class's logit rises as far as the reference's; repeatable; model unchanged"""
    for label, kwargs in [(3, {}), (4, {"seed": 5}), (1, {"steps": 40, "lr": 2.0, "l2": 0.01})]:
        got = hw.probe("class_visualization", label, IMAGE, kwargs=kwargs)
        expected = ref.probe("class_visualization", label, IMAGE, kwargs=kwargs, repeat=False)
        where = f"label {label}, {kwargs or 'default arguments'}"
        check_array(got["image"], shape=IMAGE, what=f"the visualisation ({where})")
        reached, target = float(got["logits"][label]), float(expected["logits"][label])
        assert reached >= 0.7 * target, (f"{where}: the class logit reached {reached:.3f}, "
                                         "well below what gradient ascent with these arguments reaches")
        assert got["repeatable"], f"{where}: two calls with the same seed returned different images"
        _assert_unchanged(got["unchanged"], where)


def _linear(rng, shape, classes=3):
    weight = rng.normal(size=(classes, int(np.prod(shape)))).astype(np.float32)
    return weight, rng.normal(size=classes).astype(np.float32)


@pytest.mark.points(2)
def test_class_visualization_objective_on_a_linear_model(hw, rng):
    """class_visualization: on logits = W x + b the steps have a closed form: each term of S with its sign and factor"""
    shape = (2, 4, 4)
    weight, bias = _linear(rng, shape)
    # dS/dx = W[label] - 2 l2 x, so x_t = a x_{t-1} + lr W[label] with a = 1 - 2 lr l2. With a = 0.5
    # and 40 steps the start's share is 0.5^40 * 0.01: x = lr W[label] (1 - a^40) / (1 - a) to float32
    # precision. With l2 = 0, x = x_0 + steps lr W[label] and the start is at most 0.1.
    for label, kwargs, atol in [(1, {"steps": 40, "lr": 0.5, "l2": 0.5}, 1e-5),
                                (2, {"steps": 30, "lr": 0.25, "l2": 1.0}, 1e-5),
                                (0, {"steps": 3, "lr": 0.5, "l2": 0.0}, 0.1)]:
        a = 1 - 2 * kwargs["lr"] * kwargs["l2"]
        steps = kwargs["steps"]
        growth = steps if a == 1 else (1 - a ** steps) / (1 - a)
        expected = (kwargs["lr"] * growth * weight[label].astype(np.float64)).reshape(shape)
        got = hw.probe("class_visualization", label, shape, kwargs=kwargs, weight=weight, bias=bias)
        image = check_array(got["image"], shape=shape, what=f"the visualisation (label {label}, {kwargs})")
        error = float(np.max(np.abs(image - expected)))
        assert error <= atol * max(1.0, float(np.max(np.abs(expected)))), (
            f"label {label}, {kwargs}: the image differs from the closed form of x <- x + lr dS/dx, "
            f"S = logit - l2 ||x||^2, by up to {error:.3g} (the sign or factor of a term, or the update rule)")


@pytest.mark.points(1)
def test_class_visualization_start(hw, rng):
    """class_visualization: steps=0 returns the small seeded start; the seed decides it"""
    shape = (2, 4, 4)
    weight, bias = _linear(rng, shape)
    starts = {}
    for seed in (0, 3):
        got = hw.probe("class_visualization", 0, shape, kwargs={"steps": 0, "seed": seed}, weight=weight, bias=bias)
        start = check_array(got["image"], shape=shape, what=f"the start (seed {seed})")
        assert got["repeatable"], f"seed {seed}: two calls returned different starts"
        spread = float(np.std(start))
        assert 1e-3 < spread < 0.05 and float(np.max(np.abs(start))) <= 0.1, (
            f"seed {seed}: the start should be small random values (about 0.01): std {spread:.3g}, "
            f"largest {float(np.max(np.abs(start))):.3g}")
        starts[seed] = start
    assert not np.array_equal(starts[0], starts[3]), "seeds 0 and 3 gave the same start: the seed is ignored"
