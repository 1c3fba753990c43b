"""Public tests for contrastive.py: the losses against a plain loop-based formulation.

Your losses get float64 torch tensors (through the probe ``torch_call`` in probes.py, which
also backpropagates and returns the gradients). Here they are compared with the formulas
written as loops over anchors in numpy, and their gradients with finite differences of
those formulas. The hidden tests compare values and gradients with the reference on many
random batches and temperatures, and try the edge cases (N = 1, classes of one sample); a
training run (probe ``simclr_digits``) uses your nt_xent_loss to learn features of real digits
(see nt_xent_loss's docstring).
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_raises, assert_scalar_close

# float64 throughout: loss values agree to ~1e-14; finite differences (h = 1e-6) to ~1e-8.
TOL = 1e-9


def nt_xent_loops(z1, z2, t):
    """NT-Xent anchor by anchor: positive = the other view, denominator = every k != i."""
    z = np.concatenate([z1, z2])
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    n2 = len(z)
    total = 0.0
    for i in range(n2):
        p = (i + n2 // 2) % n2
        denominator = sum(np.exp(z[i] @ z[k] / t) for k in range(n2) if k != i)
        total += -np.log(np.exp(z[i] @ z[p] / t) / denominator)
    return total / n2


def supcon_loops(f, labels, t):
    f = f / np.linalg.norm(f, axis=1, keepdims=True)
    losses = []
    for a in range(len(f)):
        positives = [p for p in range(len(f)) if p != a and labels[p] == labels[a]]
        if not positives:
            continue
        denominator = sum(np.exp(f[a] @ f[k] / t) for k in range(len(f)) if k != a)
        losses.append(-np.mean([np.log(np.exp(f[a] @ f[p] / t) / denominator) for p in positives]))
    return np.mean(losses)


def finite_difference(fn, x, h=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (fn(up) - fn(down)) / (2 * h)
    return grad


@pytest.mark.points(1)
def test_nt_xent_aligned_orthogonal_views(hw):
    """nt_xent_loss: two identical views of orthogonal vectors, by hand"""
    z = np.eye(2, 3)
    report = hw.probe("torch_call", "contrastive", "nt_xent_loss", [z, 2.0 * z], {"temperature": 0.5})
    # Each anchor: similarity 1 with its positive, 0 with the other two: -log(e^2 / (e^2 + 2)).
    assert_scalar_close(report["value"], -np.log(np.e ** 2 / (np.e ** 2 + 2)), atol=TOL, rtol=TOL,
                        what="the loss", call="contrastive.nt_xent_loss(z, 2 z, temperature=0.5)")


@pytest.mark.points(1)
@pytest.mark.parametrize("temperature", [0.5, 0.1])
def test_nt_xent_matches_loops(hw, temperature):
    """nt_xent_loss: a batch of 4 pairs equals the anchor-by-anchor formula"""
    rng = np.random.default_rng(1)
    z1, z2 = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    report = hw.probe("torch_call", "contrastive", "nt_xent_loss", [z1, z2], {"temperature": temperature})
    assert_scalar_close(report["value"], nt_xent_loops(z1, z2, temperature), atol=TOL, rtol=TOL, what="the loss",
                        call=f"contrastive.nt_xent_loss(z1, z2, temperature={temperature})")


@pytest.mark.points(2)
def test_nt_xent_gradients(hw):
    """nt_xent_loss: autograd gradients equal finite differences of the formula"""
    rng = np.random.default_rng(2)
    z1, z2 = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    report = hw.probe("torch_call", "contrastive", "nt_xent_loss", [z1, z2], {"temperature": 0.5}, grad=(0, 1))
    call = "contrastive.nt_xent_loss(z1, z2, temperature=0.5).backward()"
    g1, g2 = report["grads"]
    assert g1 is not None and g2 is not None, f"{call}: no gradient reached z1 or z2 (is the loss detached?)"
    assert_close(g1, finite_difference(lambda z: nt_xent_loops(z, z2, 0.5), z1), atol=1e-7, rtol=1e-6,
                 what="d loss / d z1", call=call)
    assert_close(g2, finite_difference(lambda z: nt_xent_loops(z1, z, 0.5), z2), atol=1e-7, rtol=1e-6,
                 what="d loss / d z2", call=call)


@pytest.mark.points(2)
def test_supcon_matches_loops(hw):
    """supcon_loss: 6 samples in classes 0, 0, 1, 1, 1, 2 (the lone 2 is no anchor) equals the loops"""
    rng = np.random.default_rng(3)
    features = rng.normal(size=(6, 4))
    labels = np.array([0, 0, 1, 1, 1, 2])
    report = hw.probe("torch_call", "contrastive", "supcon_loss", [features, labels], {"temperature": 0.1})
    assert_scalar_close(report["value"], supcon_loops(features, labels, 0.1), atol=TOL, rtol=TOL, what="the loss",
                        call="contrastive.supcon_loss(features, labels=[0, 0, 1, 1, 1, 2], temperature=0.1)")


@pytest.mark.points(1)
def test_supcon_without_positives_is_zero(hw):
    """supcon_loss: when every label is different no anchor has a positive: the loss is 0"""
    features = np.random.default_rng(4).normal(size=(4, 3))
    report = hw.probe("torch_call", "contrastive", "supcon_loss", [features, np.arange(4)])
    assert_scalar_close(report["value"], 0.0, atol=1e-12, what="the loss",
                        call="contrastive.supcon_loss(features, labels=[0, 1, 2, 3])")
    # one more sample of class 0: anchors 0 and 1 have a positive (s = 1) and one negative
    # (s = 0), so l = log(1 + e^(-1/t)); the lone class-1 sample is no anchor
    features = np.array([[2.0, 0.0], [0.5, 0.0], [0.0, 3.0]])
    report = hw.probe("torch_call", "contrastive", "supcon_loss", [features, np.array([0, 0, 1])],
                      {"temperature": 1.0})
    assert_scalar_close(report["value"], np.log1p(np.exp(-1.0)), atol=TOL, rtol=TOL, what="the loss",
                        call="contrastive.supcon_loss(features (3, 2), labels=[0, 0, 1], temperature=1.0)")


@pytest.mark.points(1)
def test_knn_accuracy_by_hand(hw):
    """knn_accuracy: cosine neighbours (length does not matter) and a tie going to the smallest label"""
    train = np.array([[1.0, 0.0], [10.0, 1.0], [0.0, 1.0], [0.1, 5.0]])
    labels = np.array([0, 0, 1, 1])
    test = np.array([[3.0, 0.2], [0.0, 2.0], [1.0, 1.0]])
    # k=1: [3, 0.2] is closest in angle to [10, 1] (label 0); [0, 2] to [0, 1] (label 1).
    assert_scalar_close(hw.contrastive.knn_accuracy(train, labels, test[:2], np.array([0, 1]), k=1), 1.0)
    # k=4: every test point sees two 0s and two 1s: the tie goes to label 0.
    assert_scalar_close(hw.contrastive.knn_accuracy(train, labels, test, np.array([0, 0, 1]), k=4), 2 / 3)
    assert_raises(ValueError, hw.contrastive.knn_accuracy, train, labels, test, np.array([0, 0, 1]), k=0,
                  mentions=["k"])
