"""Public tests for generative.py: VAE and GAN losses by hand, and your VAE's outputs.

Losses run on float64 tensors through the probe ``torch_call`` (probes.py), which also
returns their gradients. The hidden tests compare values and gradients with the reference
on random batches, at logits of +-100, and train your VAE (``train_vae``) on the binary
shapes of ``shared/ssl_data.py``: points by held-out negative ELBO, estimated with
sampled z decoded by your ``decode`` (see train_vae's docstring).
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_scalar_close, check_array, context

TOL = 1e-10   # float64, direct formulas


def _value(hw, name, args, kwargs=None, grad=(), dout=None):
    return hw.probe("torch_call", "generative", name, args, kwargs, grad=grad, dout=dout)


@pytest.mark.points(1)
def test_reparameterize(hw):
    """reparameterize: mu + exp(logvar / 2) * eps, differentiable in mu and logvar"""
    mu, logvar, eps = np.array([[0.0, 1.0]]), np.array([[0.0, 2 * np.log(3.0)]]), np.array([[2.0, -1.0]])
    report = _value(hw, "reparameterize", [mu, logvar, eps], grad=(0, 1), dout=np.ones((1, 2)))
    call = "generative.reparameterize(mu, logvar, eps)"
    assert_close(report["value"], [[2.0, -2.0]], atol=TOL, call=call)
    assert report["grads"][0] is not None and report["grads"][1] is not None, \
        f"{call}: no gradient reached mu or logvar"
    assert_close(report["grads"][1], [[1.0, -1.5]], atol=TOL, what="d z / d logvar = eps * sigma / 2", call=call)


@pytest.mark.points(1)
def test_gaussian_kl(hw):
    """gaussian_kl: 0 for N(0, 1); (mu^2 + sigma^2 - 1 - log sigma^2) / 2 summed over the last axis"""
    mu = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    logvar = np.array([[0.0, 0.0], [0.0, 0.0], [np.log(2.0), np.log(2.0)]])
    report = _value(hw, "gaussian_kl", [mu, logvar])
    assert_close(report["value"], [0.0, 0.5, 1.0 - np.log(2.0)], atol=TOL, call="generative.gaussian_kl(mu, logvar)")


@pytest.mark.points(2)
def test_vae_loss_by_hand(hw):
    """vae_loss: BCE from logits summed over pixels, plus the KL, averaged over the batch"""
    x = np.array([[1.0, 0.0], [1.0, 1.0]])
    logits = np.array([[0.0, 0.0], [np.log(3.0), 0.0]])     # sigmoid: 1/2, 1/2; 3/4, 1/2
    mu, logvar = np.array([[1.0], [0.0]]), np.zeros((2, 1))  # KL 0.5 and 0
    expected = (2 * np.log(2.0) + 0.5 + (-np.log(0.75) + np.log(2.0))) / 2
    report = _value(hw, "vae_loss", [x, logits, mu, logvar])
    assert_scalar_close(report["value"], expected, atol=TOL, rtol=TOL, what="the loss",
                        call="generative.vae_loss(x, recon_logits, mu, logvar)")


@pytest.mark.points(2)
def test_gan_losses_at_zero_and_at_100(hw):
    """discriminator_loss and generator_loss: log 2 values at logit 0, finite and right at logits of +-100"""
    zero = np.zeros(3)
    with context("all logits 0 (D = 1/2)"):
        assert_scalar_close(_value(hw, "discriminator_loss", [zero, zero])["value"], 2 * np.log(2.0), atol=TOL)
        assert_scalar_close(_value(hw, "generator_loss", [zero])["value"], np.log(2.0), atol=TOL)
        assert_scalar_close(_value(hw, "generator_loss", [zero], {"kind": "minimax"})["value"], -np.log(2.0),
                            atol=TOL)
    confident = np.array([100.0])
    with context("D is sure and wrong: real logit -100, fake logit +100 (log D underflows if computed naively)"):
        assert_scalar_close(_value(hw, "discriminator_loss", [-confident, confident])["value"], 200.0, rtol=1e-12)
        assert_scalar_close(_value(hw, "generator_loss", [-confident])["value"], 100.0, rtol=1e-12)
        assert_scalar_close(_value(hw, "generator_loss", [confident], {"kind": "minimax"})["value"], -100.0,
                            rtol=1e-12)


@pytest.mark.points(1)
def test_cycle_consistency_by_hand(hw):
    """cycle_consistency_loss: mean absolute error of each cycle, added"""
    x, x_cycled = np.zeros((2, 2)), np.array([[1.0, -1.0], [0.0, 2.0]])   # mean |.| = 1
    y, y_cycled = np.ones(3), np.array([1.0, 1.0, 0.7])                    # mean |.| = 0.1
    report = _value(hw, "cycle_consistency_loss", [x, x_cycled, y, y_cycled])
    assert_scalar_close(report["value"], 1.1, atol=TOL, what="the loss",
                        call="generative.cycle_consistency_loss(x, x_cycled, y, y_cycled)")


@pytest.mark.points(1)
def test_mode_coverage_by_hand(hw):
    """mode_coverage: counts centres with a sample within the radius (distance exactly the radius counts)"""
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    samples = np.array([[3.0, 4.0], [20.0, 20.0], [10.0, 4.0], [5.0, 5.0]])  # (3, 4) is at distance 5
    got = hw.generative.mode_coverage(samples, centers, 5.0)
    assert got == 2 and isinstance(got, (int, np.integer)), f"mode_coverage(...): expected 2, got {got!r}"
    got = hw.generative.mode_coverage(samples, centers, 8.0)
    assert got == 4, f"mode_coverage(..., radius=8): expected 4 (every centre sees (5, 5)), got {got!r}"


@pytest.mark.points(1)
def test_vae_forward_shapes(hw):
    """VAE(64, 8): forward returns (recon_logits (B, 64), mu (B, 8), logvar (B, 8)); eval mode uses z = mu"""
    x = (np.random.default_rng(0).random((5, 64)) > 0.5).astype(np.float32)
    report = hw.probe("vae_forward", 64, 8, x)
    call = "generative.VAE(64, 8)(x of shape (5, 64))"
    for key in ("eval1", "train"):
        outputs = report[key]
        assert isinstance(outputs, tuple) and len(outputs) == 3, \
            f"{call}: expected a tuple (recon_logits, mu, logvar), got {type(outputs).__name__}"
        for value, shape, what in zip(outputs, [(5, 64), (5, 8), (5, 8)], ["recon_logits", "mu", "logvar"],
                                      strict=True):
            check_array(value, shape=shape, dtype="floating", what=f"{what} ({key})", call=call)
    for a, b, what in zip(report["eval1"], report["eval2"], ["recon_logits", "mu", "logvar"], strict=True):
        assert_close(b, a, atol=0, rtol=0, dtype=None, what=f"{what} of a second eval-mode call", call=call)
