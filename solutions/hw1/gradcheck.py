"""HW1 reference solution: numerical gradients to check backward passes.

A backward pass is checked by comparing it with a finite-difference estimate of the same
gradient. Central differences,

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h),

have an error of order h^2 (forward differences: order h), so with h = 1e-5 in float64 a
correct backward pass agrees to a relative error of about 1e-8 or better.

Both estimators perturb one entry of ``x`` at a time, in place (``f`` closes over ``x`` in
typical use), and put the original value back exactly before moving on.
"""
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function.

    Inputs:
    - f: a function of one argument returning a real number (Python float, numpy scalar or
      0-d array); it is called as f(x) with x perturbed in place.
    - x: a float array of any shape (float64 for meaningful results).
    - h: the step.

    Returns: grad, a float64 array of x's shape, grad[i] ~ d f / d x[i]. On return x holds
    exactly the values it held on entry.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(*x.shape):
        old = x[index]
        x[index] = old + h
        plus = float(f(x))
        x[index] = old - h
        minus = float(f(x))
        x[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Central-difference gradient of ``sum(f(x) * dout)`` for an array-valued f.

    This is what a backward pass computes: the upstream gradient ``dout`` (shape of f(x))
    pulled back to x. Returns a float64 array of x's shape; x is left exactly as it was.
    """
    dout = np.asarray(dout, dtype=np.float64)
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(*x.shape):
        old = x[index]
        x[index] = old + h
        plus = np.array(f(x), dtype=np.float64)      # a copy: f may return a view of x
        x[index] = old - h
        minus = np.array(f(x), dtype=np.float64)
        x[index] = old
        grad[index] = np.sum((plus - minus) * dout) / (2 * h)
    return grad


def relative_error(a, b):
    """Largest elementwise relative error, ``max(|a - b| / max(1e-8, |a| + |b|))``.

    The floor of 1e-8 keeps entries where both values are (nearly) zero from dividing by
    zero. Returns a Python float (0.0 when a equals b, and 0.0 for two empty arrays, where
    numpy's max of nothing would raise).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.size == 0 and b.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
