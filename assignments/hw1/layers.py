"""HW1, part 1: the layers of a convolutional network in numpy, forward and backward.

Lecture idea (backprop): a network is a computation graph. Each layer's forward pass
computes its output and remembers what its backward pass will need (the ``cache``); the
backward pass receives ``dout = dL/dout`` and returns ``dL/dinput`` by the chain rule, for
every input, each with the shape of that input.

Fill in every function marked TODO. Use numpy only (no torch, no scipy in this file): the
hidden tests compare your layers with torch autograd in float64 to about 1e-8 relative.

Conventions for every function in this file:

* Each ``*_forward`` returns a tuple ``(out, cache)``; the matching ``*_backward(dout,
  cache)`` returns the gradients named in its docstring.
* Convert inputs with ``np.asarray(x, dtype=np.float64)``; return float64 arrays.
* Images are batches ``(N, C, H, W)``; convolution weights ``(F, C, HH, WW)``.
* Keep the cache simple: numpy arrays, numbers, strings, and tuples/lists/dicts of these.
* Bad arguments (``mode`` not "train"/"test", ``p`` outside [0, 1]) raise ``ValueError``
  whose message names the argument, e.g. ``raise ValueError(f"mode must be 'train' or
  'test', got {mode!r}")``.
* Vectorise: loops over a kernel's offsets (a few) are fine; loops over pixels are too slow.
  ``numpy.lib.stride_tricks.sliding_window_view`` gives all windows of an array without
  copying; ``np.tensordot``/``np.einsum`` contract them with the weights; ``np.add.at``
  adds into repeated indices.

Check every backward pass with ``gradcheck.numerical_gradient_array`` (see the notebook).
You may add your own private helper functions (names starting with ``_``).
"""
import numpy as np  # noqa: F401  (you will need it)


def affine_forward(x, w, b):
    """Fully connected layer: ``out = x.reshape(N, D) @ w + b``.

    Inputs:
    - x: (N, d1, ..., dk) array; each of the N examples is flattened to D = d1 * ... * dk values.
    - w: (D, M) weights.
    - b: (M,) biases.

    Returns (out, cache): out (N, M) float64; cache whatever affine_backward needs.
    """
    # TODO
    raise NotImplementedError("affine_forward: not implemented yet")


def affine_backward(dout, cache):
    """Backward pass of ``affine_forward``.

    Inputs: dout (N, M), the upstream gradient; cache from ``affine_forward``.

    Returns (dx, dw, db): dx with the ORIGINAL shape of x (N, d1, ..., dk), dw (D, M), db (M,).
    """
    # TODO
    # Hint: every gradient is a matrix product or a sum; check the shapes.
    raise NotImplementedError("affine_backward: not implemented yet")


def relu_forward(x):
    """Rectified linear unit, elementwise: ``out = max(x, 0)``.

    Input: x, an array of any shape.

    Returns (out, cache): out float64 of x's shape; cache whatever relu_backward needs.
    """
    # TODO
    raise NotImplementedError("relu_forward: not implemented yet")


def relu_backward(dout, cache):
    """Backward pass of ``relu_forward``: dout passes where x > 0; the gradient is 0 where x <= 0.

    At x == 0 exactly relu is not differentiable; like torch, the gradient there is 0.

    Inputs: dout of x's shape, the upstream gradient; cache from ``relu_forward``.

    Returns dx of x's shape.
    """
    # TODO
    raise NotImplementedError("relu_backward: not implemented yet")


def conv_forward(x, w, b, stride=1, pad=0):
    """Convolutional layer with zero padding: a cross-correlation, as in deep-learning frameworks.

        out[n, f, i, j] = b[f] + sum_{c, p, q} w[f, c, p, q] * xpad[n, c, i*stride + p, j*stride + q]

    where xpad is x with ``pad`` rows/columns of zeros added on EVERY side (top, bottom, left,
    right). The kernel is not flipped (unlike HW0's convolve2d): this equals
    ``torch.nn.functional.conv2d(x, w, b, stride, pad)``.

    Inputs:
    - x: (N, C, H, W) input.
    - w: (F, C, HH, WW) filters, one per output channel, with x's C channels.
    - b: (F,) biases.
    - stride: integer >= 1, the step between neighbouring windows in both directions.
    - pad: integer >= 0, the number of zero rows/columns added on every side.

    Returns (out, cache): out (N, F, Ho, Wo) float64 with
        Ho = 1 + (H + 2 * pad - HH) // stride,   Wo = 1 + (W + 2 * pad - WW) // stride
    (windows that would stick out at the bottom/right are dropped); cache whatever
    conv_backward needs.

    Raises: ValueError naming the argument when x is not 4-D, w is not 4-D or has a channel
    count other than x's, b is not of shape (F,), stride is not an integer >= 1, pad is not an
    integer >= 0, or the padded input (H + 2 * pad, W + 2 * pad) is smaller than the kernel
    (naming `pad`).
    """
    # TODO
    raise NotImplementedError("conv_forward: not implemented yet")


def conv_backward(dout, cache):
    """Backward pass of ``conv_forward``.

    Inputs: dout (N, F, Ho, Wo), the upstream gradient; cache from ``conv_forward``.

    Returns (dx, dw, db) of shapes (N, C, H, W), (F, C, HH, WW), (F,).
    """
    # TODO
    # Hint: db sums dout; dw correlates x's windows with dout; for dx, every window sends
    #   w * dout[n, f, i, j] back to the pixels it covered (compute it on the padded input, then
    #   cut the padding off). With stride > 1, windows skip pixels; with stride < kernel size,
    #   they overlap and the contributions add up.
    raise NotImplementedError("conv_backward: not implemented yet")


def maxpool_forward(x, pool_height=2, pool_width=2, stride=2):
    """Max pooling over (pool_height, pool_width) windows, ``stride`` apart, without padding.

    Inputs:
    - x: (N, C, H, W) input.
    - pool_height, pool_width: the window size, integers >= 1, at most H and W.
    - stride: integer >= 1, in both directions. Windows overlap when stride < pool size.

    Returns (out, cache): out (N, C, Ho, Wo) float64 with
    Ho = 1 + (H - pool_height) // stride and Wo = 1 + (W - pool_width) // stride; equal to
    ``torch.nn.functional.max_pool2d(x, (pool_height, pool_width), stride)``.

    Raises: ValueError naming `x` when it is not 4-D, naming `pool_height`, `pool_width` or
    `stride` when it is not an integer >= 1; ValueError when the window is larger than the
    input (pool_height > H or pool_width > W).
    """
    # TODO
    raise NotImplementedError("maxpool_forward: not implemented yet")


def maxpool_backward(dout, cache):
    """Backward pass of ``maxpool_forward``: returns dx (N, C, H, W).

    Each window's upstream gradient goes to ONE element: its maximum. When several elements
    tie for the maximum, the FIRST in row-major order gets it (as torch does). Where windows
    overlap, gradients add up.

    Inputs: dout (N, C, Ho, Wo), the upstream gradient; cache from ``maxpool_forward``.
    """
    # TODO
    # Hint: np.argmax on the flattened window returns the first maximum in row-major order.
    raise NotImplementedError("maxpool_backward: not implemented yet")


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalisation of x (N, D), feature by feature, as ``torch.nn.BatchNorm1d``.

    Inputs:
    - x: (N, D); gamma, beta: (D,) learned scale and shift.
    - bn_param: a dict with
      - "mode": "train" or "test" (required);
      - "eps": added to the variance before the square root (default 1e-5);
      - "momentum": the weight of the new batch statistics in the running averages
        (default 0.1);
      - "running_mean", "running_var": (D,) arrays; when absent, they are created as zeros
        and ones and stored in bn_param.

    "train": normalise each column with the batch mean and the BIASED batch variance
    (divide by N), ``xhat = (x - mean) / sqrt(var + eps)``, ``out = gamma * xhat + beta``,
    and update bn_param in place (torch's convention):
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var  = (1 - momentum) * running_var  + momentum * var_unbiased
    where var_unbiased = var * N / (N - 1).
    "test": normalise with running_mean and running_var instead; bn_param is not updated.

    Returns (out, cache): out (N, D) float64; cache whatever batchnorm_backward needs.

    Raises: ValueError naming `mode` when bn_param["mode"] is absent or neither "train" nor
    "test".
    """
    # TODO
    raise NotImplementedError("batchnorm_forward: not implemented yet")


def batchnorm_backward(dout, cache):
    """Backward pass of ``batchnorm_forward``, in either mode.

    In "train" mode the batch mean and variance depend on every x[n], so each dx[n] depends
    on the whole batch; in "test" mode the mean and variance are constants.

    Inputs: dout (N, D), the upstream gradient; cache from ``batchnorm_forward``.

    Returns (dx, dgamma, dbeta): (N, D), (D,), (D,).
    """
    # TODO
    # Hint: work through the graph x -> (mean, var) -> xhat -> out, or simplify on paper to one
    #   line.
    raise NotImplementedError("batchnorm_backward: not implemented yet")


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalisation of images x (N, C, H, W), channel by channel, as ``torch.nn.BatchNorm2d``.

    The statistics of channel c are taken over all N * H * W values of that channel (so the
    unbiased variance divides by N * H * W - 1); gamma, beta and the running statistics have
    shape (C,). bn_param, the two modes and the running-statistics update as in
    ``batchnorm_forward``.

    Returns (out, cache): out (N, C, H, W) float64.

    Raises: ValueError naming `mode`, as ``batchnorm_forward``.
    """
    # TODO
    # Hint: transpose and reshape to (N * H * W, C) and reuse batchnorm_forward.
    raise NotImplementedError("spatial_batchnorm_forward: not implemented yet")


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of ``spatial_batchnorm_forward``: (dx, dgamma, dbeta), (N, C, H, W), (C,), (C,)."""
    # TODO
    raise NotImplementedError("spatial_batchnorm_backward: not implemented yet")


def dropout_forward(x, p, mode, seed=None):
    """Inverted dropout.

    Inputs:
    - x: array of any shape.
    - p: the probability of DROPPING each unit (torch's convention), 0 <= p <= 1.
    - mode: "train" or "test".
    - seed: if not None, the random mask is drawn from a generator seeded with it (for example
      ``np.random.default_rng(seed)``), so that the same seed gives the same mask.

    "train": zero each unit with probability p and scale the kept ones by 1 / (1 - p), so
    the expected output equals x and nothing needs to change at test time. p = 0 is the
    identity; p = 1 outputs zeros (no division by zero).
    "test": the identity.

    Returns (out, cache): out float64 of x's shape; the cache holds the mask (and its scale)
    that the backward pass reuses.

    Raises: ValueError naming `mode` when it is neither "train" nor "test"; ValueError naming
    `p` when it lies outside [0, 1] (in "test" mode too).
    """
    # TODO
    raise NotImplementedError("dropout_forward: not implemented yet")


def dropout_backward(dout, cache):
    """Backward pass of ``dropout_forward``: the SAME mask and scale as the forward pass, applied to dout.

    Inputs: dout of x's shape, the upstream gradient; cache from ``dropout_forward``.

    Returns dx of dout's shape. (Drawing a new mask here would be a different function.)
    """
    # TODO
    raise NotImplementedError("dropout_backward: not implemented yet")


def softmax(x, axis=-1):
    """Softmax along ``axis``: ``exp(x) / sum(exp(x))``, numerically stable.

    Inputs: x, an array of any shape; axis, the axis to normalise along (default -1, the last).

    Returns float64 of x's shape, finite even for logits of 1e4 (a naive exp(1e4) overflows to
    inf, and inf / inf is NaN).
    """
    # TODO
    # Hint: subtract the maximum along the axis first: softmax(x) = softmax(x - c) for any
    #   constant c.
    raise NotImplementedError("softmax: not implemented yet")


def cross_entropy_loss(scores, y):
    """Softmax cross-entropy loss, averaged over the batch, and its gradient.

    Inputs:
    - scores: (N, C) logits.
    - y: (N,) integer labels with 0 <= y[i] < C.

    Returns (loss, dscores):
    - loss: a Python float, ``mean over i of -log softmax(scores[i])[y[i]]``; finite even for
      logits of 1e4.
    - dscores: (N, C) float64, the gradient of the loss: (softmax(scores) - onehot(y)) / N.

    Raises:
    - ValueError naming `scores` when it is not 2-D.
    - ValueError naming `y` when it is not an integer array of shape (N,), or holds a label
      outside 0..C-1.
    """
    # TODO
    # Hint: compute log-softmax as shifted - log(sum(exp(shifted))) with shifted = scores - max,
    #   never log(softmax(...)) (log(0) = -inf).
    raise NotImplementedError("cross_entropy_loss: not implemented yet")
