"""Alternative correct student implementation: loops, different caches and RNG."""
import numpy as np


def affine_forward(x, w, b):
    x = np.asarray(x, dtype=float)
    N = x.shape[0]
    out = np.zeros((N, w.shape[1]))
    flat = x.reshape(N, -1)
    for n in range(N):
        out[n] = flat[n] @ w + b
    return out, {"x": x, "w": np.asarray(w, float)}


def affine_backward(dout, cache):
    x, w = cache["x"], cache["w"]
    N = x.shape[0]
    dx = np.dot(dout, w.T).reshape(*x.shape)
    dw = np.einsum("nd,nm->dm", x.reshape(N, -1), dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    x = np.asarray(x, dtype=float)
    out = x.copy()
    out[out < 0] = 0
    return out, (x > 0)


def relu_backward(dout, cache):
    return dout * cache


def conv_forward(x, w, b, stride=1, pad=0):
    x = np.asarray(x, float)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    Ho = 1 + (H + 2 * pad - HH) // stride
    Wo = 1 + (W + 2 * pad - WW) // stride
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            patch = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, w) + b
    return out, [x, w, b, {"stride": stride, "pad": pad}]


def conv_backward(dout, cache):
    x, w, b, conv = cache
    stride, pad = conv["stride"], conv["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w, dtype=float)
    for i in range(Ho):
        for j in range(Wo):
            patch = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            dw += np.einsum("nf,nchw->fchw", dout[:, :, i, j], patch)
            dxp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += np.einsum(
                "nf,fchw->nchw", dout[:, :, i, j], w)
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, dout.sum(axis=(0, 2, 3))


def maxpool_forward(x, pool_height=2, pool_width=2, stride=2):
    x = np.asarray(x, float)
    N, C, H, W = x.shape
    Ho = 1 + (H - pool_height) // stride
    Wo = 1 + (W - pool_width) // stride
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + pool_height, j * stride:j * stride + pool_width].max(
                axis=(2, 3))
    return out, (x, pool_height, pool_width, stride)


def maxpool_backward(dout, cache):
    x, ph, pw, s = cache
    N, C, H, W = x.shape
    _, _, Ho, Wo = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * s:i * s + ph, j * s:j * s + pw]
                    a, bb = np.unravel_index(np.argmax(win), win.shape)
                    dx[n, c, i * s + a, j * s + bb] += dout[n, c, i, j]
    return dx


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    if mode not in ("train", "test"):
        raise ValueError("bad mode " + str(mode))
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.1)
    N, D = x.shape
    if "running_mean" not in bn_param:
        bn_param["running_mean"] = np.zeros(D)
        bn_param["running_var"] = np.ones(D)
    if mode == "train":
        mu = np.mean(x, axis=0)
        xc = x - mu
        var = np.mean(xc ** 2, axis=0)
        std = np.sqrt(var + eps)
        xn = xc / std
        out = gamma * xn + beta
        rm = bn_param["running_mean"]
        rv = bn_param["running_var"]
        rm *= 1 - momentum
        rm += momentum * mu
        rv *= 1 - momentum
        rv += momentum * np.var(x, axis=0, ddof=1)
        cache = ("train", x, xc, std, xn, gamma)
    else:
        std = np.sqrt(bn_param["running_var"] + eps)
        xn = (x - bn_param["running_mean"]) / std
        out = gamma * xn + beta
        cache = ("test", x, x, std, xn, gamma)
    return out, cache


def batchnorm_backward(dout, cache):
    mode, x, xc, std, xn, gamma = cache
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xn, axis=0)
    dxn = dout * gamma
    if mode == "test":
        return dxn / std, dgamma, dbeta
    dxc = dxn / std
    dstd = -np.sum((dxn * xc) / (std * std), axis=0)
    dvar = 0.5 * dstd / std
    dxc += (2 / N) * xc * dvar
    dmu = np.sum(dxc, axis=0)
    dx = dxc - dmu / N
    return dx, dgamma, dbeta


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out, cache = batchnorm_forward(np.moveaxis(x, 1, -1).reshape(-1, C), gamma, beta, bn_param)
    return np.moveaxis(out.reshape(N, H, W, C), -1, 1), cache


def spatial_batchnorm_backward(dout, cache):
    N, C, H, W = dout.shape
    dx, dg, db = batchnorm_backward(np.moveaxis(dout, 1, -1).reshape(-1, C), cache)
    return np.moveaxis(dx.reshape(N, H, W, C), -1, 1), dg, db


def dropout_forward(x, p, mode, seed=None):
    if mode not in ("train", "test"):
        raise ValueError(f"unknown mode {mode}")
    if p < 0 or p > 1:
        raise ValueError(f"p={p} out of range")
    if seed is not None:
        np.random.seed(seed)
    if mode == "test":
        return x.copy(), (None, mode)
    if p == 1:
        mask = np.zeros(x.shape, dtype=bool)
        return np.zeros_like(x, dtype=float), (mask.astype(float), mode)
    mask = (np.random.rand(*x.shape) > p) / (1 - p)
    return x * mask, (mask, mode)


def dropout_backward(dout, cache):
    mask, mode = cache
    if mode == "test":
        return dout
    return dout * mask


def softmax(x, axis=-1):
    z = x - np.max(x, axis=axis, keepdims=True)
    ez = np.exp(z)
    return ez / np.sum(ez, axis=axis, keepdims=True)


def cross_entropy_loss(scores, y):
    N = scores.shape[0]
    z = scores - scores.max(axis=1, keepdims=True)
    logsum = np.log(np.exp(z).sum(axis=1))
    loss = np.sum(logsum - z[np.arange(N), y]) / N
    d = softmax(scores)
    d[range(N), y] -= 1
    return loss, d / N
