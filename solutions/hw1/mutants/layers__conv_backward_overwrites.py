"""Mutant: conv_backward assigns dx contributions instead of adding them (overlapping windows lost).

HW1 reference solution: the layers of a convolutional network in numpy, forward and backward.

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
    - x: (N, d1, ..., dk) array; each example is flattened to D = d1 * ... * dk values.
    - w: (D, M) weights.
    - b: (M,) biases.

    Returns (out, cache): out (N, M) float64; cache (x, w, b).
    """
    x, w, b = _float(x), _float(w), _float(b)
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    """Backward pass of ``affine_forward``.

    Inputs: dout (N, M) upstream gradient; cache from ``affine_forward``.
    Returns (dx, dw, db): dx in the original shape of x (N, d1, ..., dk), dw (D, M), db (M,).
    """
    x, w, _ = cache
    dout = _float(dout)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    """Rectified linear unit, elementwise: ``out = max(x, 0)``.

    Input: x, an array of any shape. Returns (out, cache): out of x's shape; cache x.
    """
    x = _float(x)
    return np.maximum(x, 0.0), x


def relu_backward(dout, cache):
    """Backward pass of ``relu_forward``: the gradient passes where x > 0 and is 0 where x <= 0.

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
    """Convolutional layer (cross-correlation, as in deep-learning frameworks), with zero padding.

        out[n, f, i, j] = b[f] + sum_{c, p, q} w[f, c, p, q] * xpad[n, c, i*stride + p, j*stride + q]

    Inputs:
    - x: (N, C, H, W) input.
    - w: (F, C, HH, WW) filters.
    - b: (F,) biases.
    - stride: step between neighbouring windows (integer >= 1), in both directions.
    - pad: number of zero rows/columns added on every side of the input (integer >= 0).

    Returns (out, cache): out (N, F, Ho, Wo) float64 with Ho = 1 + (H + 2 pad - HH) // stride
    (and Wo alike); equal to ``torch.nn.functional.conv2d(x, w, b, stride, pad)``.
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

    Inputs: dout (N, F, Ho, Wo); cache from ``conv_forward``.
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
            dxpad[:, :, p:p + stride * Ho:stride, q:q + stride * Wo:stride] = contribution.transpose(0, 3, 1, 2)
    dx = dxpad[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return np.ascontiguousarray(dx), dw, db


def maxpool_forward(x, pool_height=2, pool_width=2, stride=2):
    """Max pooling over (pool_height, pool_width) windows with the given stride; no padding.

    Input x (N, C, H, W). Returns (out, cache): out (N, C, Ho, Wo) float64 with
    Ho = 1 + (H - pool_height) // stride (and Wo alike); equal to
    ``torch.nn.functional.max_pool2d(x, (pool_height, pool_width), stride)``.
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
    """Backward pass of ``maxpool_forward``.

    Each window's upstream gradient goes to the first maximal element of that window (in
    row-major order); overlapping windows add up. Returns dx (N, C, H, W).
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
    """Batch normalisation of x (N, D), as ``torch.nn.BatchNorm1d``.

    Inputs:
    - x: (N, D) input; gamma, beta: (D,) scale and shift.
    - bn_param: dict with
      - "mode": "train" or "test" (required);
      - "eps": added to the variance (default 1e-5);
      - "momentum": weight of the new batch statistics in the running averages (default 0.1);
      - "running_mean", "running_var": (D,) arrays, created as zeros/ones when absent.

    In "train" mode, x is normalised with the batch mean and the *biased* batch variance, and
    bn_param is updated in place:
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var  = (1 - momentum) * running_var  + momentum * var * N / (N - 1)   (unbiased)
    In "test" mode, x is normalised with running_mean and running_var (no update).

    Returns (out, cache): out (N, D) float64, ``gamma * xhat + beta``.
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
    """Backward pass of ``batchnorm_forward`` (either mode).

    In "train" mode the mean and variance depend on every example, so each dx[n] depends on
    the whole batch; in "test" mode they are constants. Returns (dx, dgamma, dbeta):
    (N, D), (D,), (D,).
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
    """Batch normalisation of images x (N, C, H, W) per channel, as ``torch.nn.BatchNorm2d``.

    The statistics of channel c are taken over all N * H * W values of that channel; gamma,
    beta and the running statistics have shape (C,). bn_param as in ``batchnorm_forward``.
    Returns (out, cache): out (N, C, H, W) float64.
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
    - p: probability of DROPPING each unit (torch's convention), 0 <= p <= 1.
    - mode: "train" (drop, and scale the kept units by 1 / (1 - p)) or "test" (identity).
    - seed: if not None, the random mask is drawn from ``np.random.default_rng(seed)``, so the
      same seed gives the same mask.

    p = 0 is the identity and p = 1 outputs zeros. Returns (out, cache): out of x's shape,
    float64; cache holds the mask (already scaled) the backward pass reuses.
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
    return x * mask, mask


def dropout_backward(dout, cache):
    """Backward pass of ``dropout_forward``: the same mask (and scale) applied to dout."""
    return _float(dout) * cache


# ----------------------------------------------------------------------------------------
# Softmax and cross-entropy
# ----------------------------------------------------------------------------------------

def softmax(x, axis=-1):
    """Softmax along ``axis``: ``exp(x) / sum(exp(x))``, numerically stable.

    Subtracting the maximum along the axis first changes nothing mathematically but keeps
    every exponent <= 0, so logits of 1e4 do not overflow. Returns float64 of x's shape.
    """
    x = _float(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def cross_entropy_loss(scores, y):
    """Softmax cross-entropy loss averaged over the batch, and its gradient.

    Inputs:
    - scores: (N, C) logits.
    - y: (N,) integer labels, 0 <= y[i] < C.

    Returns (loss, dscores): loss a Python float, ``mean_i -log softmax(scores[i])[y[i]]``
    (finite even for logits of 1e4: uses log-sum-exp); dscores (N, C) float64,
    ``(softmax(scores) - onehot(y)) / N``.
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
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].mean()
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1.0
    return float(loss), dscores / N
