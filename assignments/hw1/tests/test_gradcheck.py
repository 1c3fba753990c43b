"""Public tests for gradcheck.py: finite differences on functions whose gradient you know.

``numerical_gradient`` takes a Python function, so the tests run it through probes
(tests/probes.py) on fixed functions such as ``sum(x ** 2)``. The hidden tests use harder
functions (where forward differences are visibly less accurate than central ones), other
shapes and steps, and check again that ``x`` comes back bit for bit unchanged.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_scalar_close


@pytest.mark.points(2)
def test_central_differences_are_exact_for_a_quadratic(hw):
    """numerical_gradient: for f = sum(x**2), central differences give exactly 2x, whatever h"""
    x = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -0.25]])
    call = "gradcheck.numerical_gradient(f = sum(x ** 2), float64[2, 3], h=0.1)"
    grad, _, _ = hw.probe("numerical_gradient", "sum_of_squares", x, h=0.1)
    # (f(x + h) - f(x - h)) / 2h = ((x + h)^2 - (x - h)^2) / 2h = 2x exactly; a forward
    # difference (f(x + h) - f(x)) / h = 2x + h would be off by h = 0.1.
    assert_close(grad, 2 * x, atol=1e-9, rtol=1e-9, what="the gradient", call=call)


@pytest.mark.points(1)
def test_numerical_gradient_leaves_x_unchanged(hw):
    """numerical_gradient: x holds exactly its original values afterwards"""
    x = np.array([0.1, 0.7, -1.3, 2.9])
    grad, after, _ = hw.probe("numerical_gradient", "cubic", x)
    call = "gradcheck.numerical_gradient(f = sum(x ** 3) / 3, float64[4])"
    assert_equal(after, x, what="x after the call (restore each entry after perturbing it)", call=call)
    # Central differences of x^3 / 3 give x^2 + h^2 / 3: within 1e-9 of x^2 for h = 1e-5.
    assert_close(grad, x**2, atol=1e-8, rtol=1e-8, what="the gradient (x ** 2)", call=call)


@pytest.mark.points(1)
def test_numerical_gradient_array_of_a_square(hw):
    """numerical_gradient_array: f(x) = x**2 elementwise, so grad of sum(f(x) * dout) is 2 x dout"""
    x = np.array([[1.0, 2.0], [-3.0, 0.5]])
    dout = np.array([[1.0, -1.0], [0.5, 2.0]])
    grad, after = hw.probe("numerical_gradient_array", "square", x, dout)
    call = "gradcheck.numerical_gradient_array(f = x ** 2, float64[2, 2], dout)"
    assert_close(grad, 2 * x * dout, atol=1e-8, rtol=1e-8, what="the gradient", call=call)
    assert_equal(after, x, what="x after the call", call=call)


@pytest.mark.points(1)
def test_relative_error_by_hand(hw):
    """relative_error: max |a-b| / max(1e-8, |a|+|b|), with the floor for values near zero"""
    assert_scalar_close(hw.gradcheck.relative_error(np.array([1.0, 2.0]), np.array([1.0, 3.0])), 0.2)
    assert_scalar_close(hw.gradcheck.relative_error(np.zeros(3), np.zeros(3)), 0.0,
                        what="two zero arrays (0, not NaN)")
    # |1e-10 - 0| / max(1e-8, 1e-10) = 0.01: tiny absolute differences do not count as 100 % errors.
    assert_scalar_close(hw.gradcheck.relative_error(np.array([1e-10]), np.array([0.0])), 0.01, rtol=1e-9)
