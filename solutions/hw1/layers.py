"""HW1 reference solution: the layers of a convolutional network in numpy, forward and backward.

Conventions used by every function in this module (lecture "Machine Learning": backprop on a
computation graph):

* Each ``*_forward`` returns ``(out, cache)``; the matching ``*_backward(dout, cache)`` gets
  the upstream gradient ``dout`` (same shape as ``out``) and returns the gradients of the
  loss with respect to the forward's inputs, each of the same shape as that input.
* Inputs are float arrays; results are float64 (inputs are converted with ``np.asarray(...,
  dtype=np.float64)``).
* Images are batches ``(N, C, H, W)``; convolution weights are ``(F, C, HH, WW)``.
* A ``cache`` holds only numpy arrays, numbers, strings and tuples/dicts of these.
* Bad arguments raise ``ValueError`` whose message names the argument.

Everything is vectorised: convolution and pooling build a view of all sliding windows with
``numpy.lib.stride_tricks.sliding_window_view`` (no copy) and contract it with the weights;
the backward passes loop over the kernel's offsets (a handful), never over pixels.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MODES = ("train", "test")


def _float(array):
    return np.asarray(array, dtype=np.float64)


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(f"mode must be 'train' or 'test', got {mode!r}")


# ----------------------------------------------------------------------------------------
# Affine and ReLU
# ----------------------------------------------------------------------------------------

def affine_forward(x, w, b):
    """Fully connected layer: ``out = x.reshape(N, D) @ w + b``.

    Inputs:
    - x: (N, d1, ..., dk) array; each of the N examples is flattened to D = d1 * ... * dk values.
    - w: (D, M) weights.
    - b: (M,) biases.

    Returns (out, cache): out (N, M) float64; cache whatever affine_backward needs.
    """
    x, w, b = _float(x), _float(w), _float(b)
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)                     # cache: (x, w, b)


def affine_backward(dout, cache):
    """Backward pass of ``affine_forward``.

    Inputs: dout (N, M), the upstream gradient; cache from ``affine_forward``.

    Returns (dx, dw, db): dx with the ORIGINAL shape of x (N, d1, ..., dk), dw (D, M), db (M,).
    """
    x, w, _ = cache
    dout = _float(dout)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    """Rectified linear unit, elementwise: ``out = max(x, 0)``.

    Input: x, an array of any shape.

    Returns (out, cache): out float64 of x's shape; cache whatever relu_backward needs.
    """
    x = _float(x)
    return np.maximum(x, 0.0), x              # cache: x


def relu_backward(dout, cache):
    """Backward pass of ``relu_forward``: dout passes where x > 0; the gradient is 0 where x <= 0.

    At x == 0 exactly relu is not differentiable; like torch, the gradient there is 0.

    Inputs: dout of x's shape, the upstream gradient; cache from ``relu_forward``.

    Returns dx of x's shape.
    """
    x = cache
    return np.where(x > 0, _float(dout), 0.0)


# ----------------------------------------------------------------------------------------
# Convolution and max pooling
# ----------------------------------------------------------------------------------------

def _windows(x, hh, ww, stride):
    """All (hh, ww) windows of x (N, C, H, W) at the given stride: (N, C, Ho, Wo, hh, ww), a view."""
    return sliding_window_view(x, (hh, ww), axis=(2, 3))[:, :, ::stride, ::stride]


def _check_conv_args(x, w, b, stride, pad):
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got shape {x.shape}")
    if w.ndim != 4 or w.shape[1] != x.shape[1]:
        raise ValueError(f"w must have shape (F, C, HH, WW) with C = {x.shape[1]} channels of x, "
                         f"got shape {w.shape}")
    if b.shape != (w.shape[0],):
        raise ValueError(f"b must have shape ({w.shape[0]},), got shape {b.shape}")
    if isinstance(stride, bool) or int(stride) != stride or stride < 1:
        raise ValueError(f"stride must be an integer >= 1, got {stride!r}")
    if isinstance(pad, bool) or int(pad) != pad or pad < 0:
        raise ValueError(f"pad must be an integer >= 0, got {pad!r}")
    if x.shape[2] + 2 * pad < w.shape[2] or x.shape[3] + 2 * pad < w.shape[3]:
        raise ValueError(f"the (padded) input {x.shape[2:]} with pad={pad} is smaller than the kernel "
                         f"{w.shape[2:]}")


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
    x, w, b = _float(x), _float(w), _float(b)
    _check_conv_args(x, w, b, stride, pad)
    stride, pad = int(stride), int(pad)
    xpad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = _windows(xpad, w.shape[2], w.shape[3], stride)            # (N, C, Ho, Wo, HH, WW)
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3]))         # (N, Ho, Wo, F)
    out = out.transpose(0, 3, 1, 2) + b[None, :, None, None]
    return np.ascontiguousarray(out), (x, w, stride, pad)


def conv_backward(dout, cache):
    """Backward pass of ``conv_forward``.

    Inputs: dout (N, F, Ho, Wo), the upstream gradient; cache from ``conv_forward``.

    Returns (dx, dw, db) of shapes (N, C, H, W), (F, C, HH, WW), (F,).
    """
    x, w, stride, pad = cache
    dout = _float(dout)
    _, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = _windows(xpad, HH, WW, stride)[:, :, :Ho, :Wo]
    db = dout.sum(axis=(0, 2, 3))
    dw = np.tensordot(dout, windows, axes=([0, 2, 3], [0, 2, 3]))        # (F, C, HH, WW)
    # Every input pixel receives w[f, c, p, q] * dout[n, f, i, j] from each window (i, j)
    # that covered it with kernel offset (p, q): one strided slice per offset.
    dxpad = np.zeros_like(xpad)
    for p in range(HH):
        for q in range(WW):
            contribution = np.tensordot(dout, w[:, :, p, q], axes=([1], [0]))   # (N, Ho, Wo, C)
            dxpad[:, :, p:p + stride * Ho:stride, q:q + stride * Wo:stride] += contribution.transpose(0, 3, 1, 2)
    dx = dxpad[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return np.ascontiguousarray(dx), dw, db


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
    x = _float(x)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got shape {x.shape}")
    for name, value in (("pool_height", pool_height), ("pool_width", pool_width), ("stride", stride)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    if pool_height > x.shape[2] or pool_width > x.shape[3]:
        raise ValueError(f"the pool ({pool_height}, {pool_width}) is larger than the input {x.shape[2:]}")
    windows = _windows(x, int(pool_height), int(pool_width), int(stride))
    flat = windows.reshape(*windows.shape[:4], -1)
    # argmax returns the FIRST maximum in row-major order: the element that gets the gradient.
    argmax = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    return out, (x.shape, argmax, int(pool_width), int(stride))


def maxpool_backward(dout, cache):
    """Backward pass of ``maxpool_forward``: returns dx (N, C, H, W).

    Each window's upstream gradient goes to ONE element: its maximum. When several elements
    tie for the maximum, the FIRST in row-major order gets it (as torch does). Where windows
    overlap, gradients add up.

    Inputs: dout (N, C, Ho, Wo), the upstream gradient; cache from ``maxpool_forward``.
    """
    x_shape, argmax, pool_width, stride = cache
    dout = _float(dout)
    N, C, Ho, Wo = argmax.shape
    rows = np.arange(Ho)[:, None] * stride + argmax // pool_width
    cols = np.arange(Wo)[None, :] * stride + argmax % pool_width
    n = np.arange(N)[:, None, None, None]
    c = np.arange(C)[None, :, None, None]
    dx = np.zeros(x_shape)
    np.add.at(dx, (n, c, rows, cols), dout)
    return dx


# ----------------------------------------------------------------------------------------
# Batch normalisation
# ----------------------------------------------------------------------------------------

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
    x, gamma, beta = _float(x), _float(gamma), _float(beta)
    mode = bn_param.get("mode")
    _check_mode(mode)
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.1)
    D = x.shape[1]
    running_mean = bn_param.setdefault("running_mean", np.zeros(D))
    running_var = bn_param.setdefault("running_var", np.ones(D))

    if mode == "train":
        N = x.shape[0]
        mean = x.mean(axis=0)
        var = x.var(axis=0)                                   # biased: divides by N
        bn_param["running_mean"] = (1 - momentum) * running_mean + momentum * mean
        bn_param["running_var"] = (1 - momentum) * running_var + momentum * var * N / max(N - 1, 1)
    else:
        mean, var = _float(running_mean), _float(running_var)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean) * inv_std
    out = gamma * xhat + beta
    return out, (mode, xhat, gamma, inv_std)


def batchnorm_backward(dout, cache):
    """Backward pass of ``batchnorm_forward``, in either mode.

    In "train" mode the batch mean and variance depend on every x[n], so each dx[n] depends
    on the whole batch; in "test" mode the mean and variance are constants.

    Inputs: dout (N, D), the upstream gradient; cache from ``batchnorm_forward``.

    Returns (dx, dgamma, dbeta): (N, D), (D,), (D,).
    """
    mode, xhat, gamma, inv_std = cache
    dout = _float(dout)
    dgamma = (dout * xhat).sum(axis=0)
    dbeta = dout.sum(axis=0)
    dxhat = dout * gamma
    if mode == "test":
        return dxhat * inv_std, dgamma, dbeta
    N = dout.shape[0]
    dx = inv_std / N * (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dx, dgamma, dbeta


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalisation of images x (N, C, H, W), channel by channel, as ``torch.nn.BatchNorm2d``.

    The statistics of channel c are taken over all N * H * W values of that channel (so the
    unbiased variance divides by N * H * W - 1); gamma, beta and the running statistics have
    shape (C,). bn_param, the two modes and the running-statistics update as in
    ``batchnorm_forward``.

    Returns (out, cache): out (N, C, H, W) float64.

    Raises: ValueError naming `mode`, as ``batchnorm_forward``.
    """
    x = _float(x)
    N, C, H, W = x.shape
    flat = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out, cache = batchnorm_forward(flat, gamma, beta, bn_param)
    return out.reshape(N, H, W, C).transpose(0, 3, 1, 2).copy(), cache


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of ``spatial_batchnorm_forward``: (dx, dgamma, dbeta), (N, C, H, W), (C,), (C,)."""
    dout = _float(dout)
    N, C, H, W = dout.shape
    dx, dgamma, dbeta = batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)
    return dx.reshape(N, H, W, C).transpose(0, 3, 1, 2).copy(), dgamma, dbeta


# ----------------------------------------------------------------------------------------
# Dropout
# ----------------------------------------------------------------------------------------

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
    x = _float(x)
    _check_mode(mode)
    if not (0.0 <= p <= 1.0):
        raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
    if mode == "test":
        mask = np.ones_like(x)
    elif p == 1:
        mask = np.zeros_like(x)
    else:
        keep = np.random.default_rng(seed).random(x.shape) >= p
        mask = keep / (1.0 - p)
    # cache: the mask, already scaled by 1 / (1 - p)
    return x * mask, mask


def dropout_backward(dout, cache):
    """Backward pass of ``dropout_forward``: the SAME mask and scale as the forward pass, applied to dout.

    Inputs: dout of x's shape, the upstream gradient; cache from ``dropout_forward``.

    Returns dx of dout's shape. (Drawing a new mask here would be a different function.)
    """
    return _float(dout) * cache


# ----------------------------------------------------------------------------------------
# Softmax and cross-entropy
# ----------------------------------------------------------------------------------------

def softmax(x, axis=-1):
    """Softmax along ``axis``: ``exp(x) / sum(exp(x))``, numerically stable.

    Inputs: x, an array of any shape; axis, the axis to normalise along (default -1, the last).

    Returns float64 of x's shape, finite even for logits of 1e4 (a naive exp(1e4) overflows to
    inf, and inf / inf is NaN).
    """
    x = _float(x)
    # Subtracting the maximum along the axis changes nothing mathematically but keeps every
    # exponent <= 0, so logits of 1e4 do not overflow.
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


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
    scores = _float(scores)
    y = np.asarray(y)
    if scores.ndim != 2:
        raise ValueError(f"scores must have shape (N, C), got shape {scores.shape}")
    if y.shape != (scores.shape[0],) or y.dtype.kind not in "iu":
        raise ValueError(f"y must be an integer array of shape ({scores.shape[0]},), got {y.dtype} {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= scores.shape[1]):
        raise ValueError(f"y must hold labels in 0..{scores.shape[1] - 1}")
    N = scores.shape[0]
    # log-softmax by log-sum-exp: finite for logits of 1e4, where log(softmax(...)) gives log(0).
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].mean()
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1.0
    return float(loss), dscores / N
