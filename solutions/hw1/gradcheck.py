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

        grad[i] ~ (f(x + h e_i) - f(x - h e_i)) / (2 h)

    Inputs:
    - f: a function of one argument returning a real number (Python float, numpy scalar or
      0-d array); it is called as f(x) with x perturbed in place.
    - x: a float array of any shape (float64 for meaningful results), the point at which to
      evaluate the gradient.
    - h: the step.

    Returns: grad, a float64 array of x's shape, grad[i] ~ df/dx[i], using two calls of f per
    entry of x. On return, x holds exactly the values it held on entry.
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

    This is what a layer's backward pass computes (the upstream gradient dout pulled back to
    x), so ``numerical_gradient_array(lambda x: layer_forward(x, ...)[0], x, dout)`` checks
    ``layer_backward``'s dx.

    Inputs:
    - f: a function of one argument returning an array; it is called as f(x) with x perturbed
      in place, and it may return an array that shares memory with x (a view of it).
    - x: a float array of any shape (float64 for meaningful results).
    - dout: the upstream gradient, of the shape of f(x).
    - h: the step.

    Returns: float64 array of x's shape; on return, x holds exactly the values it held on entry.
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
    """Largest elementwise relative error: ``max(|a - b| / max(1e-8, |a| + |b|))``.

    The floor 1e-8 keeps entries where both values are (nearly) zero from dividing by zero
    or counting as huge errors.

    Inputs: a, b: real arrays of the same shape.

    Returns: a Python float; 0.0 when a equals b, and 0.0 for two empty arrays (where numpy's
    max of nothing would raise).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.size == 0 and b.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
