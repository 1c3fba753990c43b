"""Hidden tests for gradcheck.py: finite differences against analytic gradients.

The functions (``exp_mix``, ``log_sum_exp``, ``exp_rows``, ``tanh``) are defined in the
probes module; their gradients are written out here. With h = 1e-5 central differences are
accurate to about 1e-9 relative; forward differences are off by about 1e-5, far outside the
tolerance.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_scalar_close


@pytest.mark.points(2)
def test_numerical_gradient_against_analytic(hw, rng):
    """numerical_gradient: central differences match the analytic gradient (2-D and 3-D x, two steps)"""
    x = rng.uniform(-1.0, 1.0, size=(3, 4))
    grad, _, _ = hw.probe("numerical_gradient", "exp_mix", x)
    call = "gradcheck.numerical_gradient(f, float64[3, 4])"
    assert_close(grad, 2 * np.exp(2 * x) + np.cos(x) * x + np.sin(x), atol=1e-8, rtol=1e-7,
                 what="the gradient", call=call)
    x3 = rng.normal(size=(2, 3, 2))
    grad, _, _ = hw.probe("numerical_gradient", "log_sum_exp", x3, h=1e-4)
    softmax = np.exp(x3) / np.exp(x3).sum()
    assert_close(grad, softmax, atol=1e-8, rtol=1e-6, what="the gradient",
                 call="gradcheck.numerical_gradient(f, float64[2, 3, 2], h=0.0001)")


@pytest.mark.points(1)
def test_numerical_gradient_restores_x_exactly(hw, rng):
    """numerical_gradient: x is bit-for-bit unchanged afterwards (random values, h = 1e-3)"""
    x = rng.normal(size=(4, 3)) * 10 ** rng.uniform(-3, 3, size=(4, 3))
    grad, after, _ = hw.probe("numerical_gradient", "cubic", x, h=1e-3)
    call = "gradcheck.numerical_gradient(f = sum(x ** 3) / 3, float64[4, 3], h=0.001)"
    assert_equal(after, x, what="x after the call", call=call)
    # Central differences give x^2 + h^2 / 3. f reaches ~1e10 here, so each difference of two
    # f values carries a round-off of ~1e-6, i.e. ~1e-3 after dividing by 2h: atol 1e-2.
    assert_close(grad, x**2 + 1e-6 / 3, atol=1e-2, rtol=1e-6, what="the gradient (x ** 2 + h ** 2 / 3)", call=call)


@pytest.mark.points(2)
def test_numerical_gradient_array_against_analytic(hw, rng):
    """numerical_gradient_array: gradient of sum(f(x) * dout) for two array-valued functions; x unchanged"""
    x = rng.uniform(-1.0, 1.0, size=(3, 5))
    dout = rng.normal(size=(3, 5))
    grad, after = hw.probe("numerical_gradient_array", "exp_rows", x, dout)
    call = "gradcheck.numerical_gradient_array(f, float64[3, 5], dout)"
    e = np.exp(1.5 * x)
    expected = dout * 1.5 * e * x.sum(axis=1, keepdims=True) + (dout * e).sum(axis=1, keepdims=True)
    assert_close(grad, expected, atol=1e-8, rtol=1e-7, what="the gradient", call=call)
    assert_equal(after, x, what="x after the call", call=call)
    x = rng.normal(size=(2, 2, 3))
    dout = rng.normal(size=(2, 2, 3))
    grad, _ = hw.probe("numerical_gradient_array", "tanh", x, dout, h=1e-4)
    assert_close(grad, dout * (1 - np.tanh(x) ** 2), atol=1e-8, rtol=1e-7, what="the gradient",
                 call="gradcheck.numerical_gradient_array(np.tanh, float64[2, 2, 3], dout, h=0.0001)")
    # f returns a view of x: without a copy of f(x), both evaluations would see the restored x.
    x, dout = rng.normal(size=(3, 4)), rng.normal(size=(4, 3))
    grad, _ = hw.probe("numerical_gradient_array", "transpose_view", x, dout)
    assert_close(grad, dout.T, atol=1e-8, rtol=1e-7, what="the gradient",
                 call="gradcheck.numerical_gradient_array(lambda x: x.T, float64[3, 4], dout)")


@pytest.mark.points(1)
def test_relative_error_random(hw, rng):
    """relative_error: the largest elementwise relative error of two random arrays; 0.0 for empty arrays"""
    # Same signs: entries of opposite signs would all give exactly 1, which a constant matches.
    a = rng.uniform(0.5, 2.0, size=(5, 4)) * rng.choice([-1.0, 1.0], size=(5, 4))
    b = a * rng.uniform(0.7, 1.3, size=(5, 4))
    expected = np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))
    assert_scalar_close(hw.gradcheck.relative_error(a, b), float(expected), rtol=1e-12)
    assert_scalar_close(hw.gradcheck.relative_error(np.zeros((0, 3)), np.zeros((0, 3))), 0.0,
                        what="relative_error of two empty arrays")


@pytest.mark.points(1)
def test_relative_error_floor_near_zero(hw, rng):
    """relative_error: entries near zero are divided by 1e-8, not by their own tiny size"""
    a = rng.normal(size=6) * 1e-12
    b = a + rng.normal(size=6) * 1e-13
    b[0] = 0.0
    expected = np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))
    assert_scalar_close(hw.gradcheck.relative_error(a, b), float(expected), atol=1e-15, rtol=1e-9)
