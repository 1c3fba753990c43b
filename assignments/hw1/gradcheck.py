"""HW1, part 2: numerical gradients, to check your backward passes.

Lecture idea: the derivative is a limit of difference quotients. With a small step h,

    central:  df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h)     error O(h^2)
    forward:  df/dx_i ~ (f(x + h e_i) - f(x)) / h                  error O(h)

so central differences with h = 1e-5 in float64 agree with a correct backward pass to a
relative error of about 1e-8 or better. Use central differences here.

Fill in every function marked TODO (numpy only). Loop over the entries of x with
``np.ndindex(*x.shape)`` (gradient checks run on small arrays, so a loop is fine). Perturb
x in place (f usually closes over x), and put each original value back EXACTLY afterwards
(save it in a variable and assign it back: adding h and subtracting it again can leave
round-off): the caller's x must be unchanged when you return.
"""
import numpy as np  # noqa: F401  (you will need it)


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
    # TODO
    raise NotImplementedError("numerical_gradient: not implemented yet")


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
    # TODO
    # Hint: f may return an array that shares memory with x; copy f(x) before you perturb x
    #   again.
    raise NotImplementedError("numerical_gradient_array: not implemented yet")


def relative_error(a, b):
    """Largest elementwise relative error: ``max(|a - b| / max(1e-8, |a| + |b|))``.

    The floor 1e-8 keeps entries where both values are (nearly) zero from dividing by zero
    or counting as huge errors.

    Inputs: a, b: real arrays of the same shape.

    Returns: a Python float; 0.0 when a equals b, and 0.0 for two empty arrays (where numpy's
    max of nothing would raise).
    """
    # TODO
    raise NotImplementedError("relative_error: not implemented yet")
