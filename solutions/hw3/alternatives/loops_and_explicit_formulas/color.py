"""HW3 colour module, written another way: per-pixel loops over Python floats.

Same constants as the spec (skimage's 0.008856 and 7.787; 4/29 = 16/116), but ``** (1/3)``
instead of np.cbrt, the matrix applied by explicit sums, and the inverse built by hand.
"""
import math

import numpy as np

M = [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]]
M_INV = np.linalg.inv(np.array(M)).tolist()
WHITE = (0.95047, 1.0, 1.08883)
EPS = 0.008856
SLOPE = 7.787


def _f(t):
    return t ** (1 / 3) if t > EPS else SLOPE * t + 4 / 29


def _f_inv(f):
    return f ** 3 if f ** 3 > EPS else (f - 4 / 29) / SLOPE


def _pixels(array, channels, name):
    array = np.asarray(array, dtype=float)
    if array.ndim == 0 or array.shape[-1] != channels:
        raise ValueError(f"{name}: last axis must have {channels} entries")
    return array.reshape(-1, channels), array.shape


def rgb_to_lab(rgb):
    pixels, shape = _pixels(rgb, 3, "rgb")
    out = np.empty_like(pixels)
    for i, pixel in enumerate(pixels):
        lin = [((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92 for c in pixel]
        x, y, z = (sum(M[r][c] * lin[c] for c in range(3)) / WHITE[r] for r in range(3))
        fx, fy, fz = _f(x), _f(y), _f(z)
        out[i] = (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    return out.reshape(shape)


def lab_to_rgb(lab):
    pixels, shape = _pixels(lab, 3, "lab")
    out = np.empty_like(pixels)
    for i, (L, a, b) in enumerate(pixels):
        fy = (L + 16) / 116
        xyz = [_f_inv(fy + a / 500) * WHITE[0], _f_inv(fy) * WHITE[1], _f_inv(fy - b / 200) * WHITE[2]]
        for r in range(3):
            c = sum(M_INV[r][j] * xyz[j] for j in range(3))
            c = 1.055 * c ** (1 / 2.4) - 0.055 if c > 0.0031308 else 12.92 * c
            out[i, r] = min(1.0, max(0.0, c))
    return out.reshape(shape)


def ab_bin_centers(grid=10, limit=110):
    if grid <= 0 or limit <= 0:
        raise ValueError("grid and limit must be positive")
    count = 2 * limit / grid
    if count != int(count):
        raise ValueError("grid must split [-limit, limit) into whole bins")
    centres = [-limit + grid * (i + 0.5) for i in range(int(count))]
    return np.array([[a, b] for a in centres for b in centres], dtype=float)


def soft_encode_ab(ab, centers, k=5, sigma=5.0):
    pixels, shape = _pixels(ab, 2, "ab")
    centers = np.asarray(centers, dtype=float)
    if not (isinstance(k, (int, np.integer)) and 1 <= k <= len(centers)):
        raise ValueError("k must be between 1 and the number of centres")
    if sigma <= 0:
        raise ValueError("sigma must be positive")
    out = np.zeros((len(pixels), len(centers)))
    for i, (a, b) in enumerate(pixels):
        d2 = [(a - ca) ** 2 + (b - cb) ** 2 for ca, cb in centers]
        order = sorted(range(len(centers)), key=lambda q: d2[q])[:k]
        nearest = d2[order[0]]
        weights = [math.exp(-(d2[q] - nearest) / (2 * sigma * sigma)) for q in order]
        total = sum(weights)
        for q, w in zip(order, weights, strict=True):
            out[i, q] = w / total
    return out.reshape(shape[:-1] + (len(centers),))


def annealed_mean(probs, centers, temperature=0.38):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    probs = np.asarray(probs, dtype=float)
    centers = np.asarray(centers, dtype=float)
    flat = probs.reshape(-1, probs.shape[-1])
    out = np.zeros((len(flat), 2))
    for i, row in enumerate(flat):
        logs = [math.log(p) if p > 0 else -math.inf for p in row]
        top = max(logs)
        weights = [math.exp((v - top) / temperature) if v > -math.inf else 0.0 for v in logs]
        total = sum(weights)
        out[i] = [sum(w * c[j] for w, c in zip(weights, centers, strict=True)) / total for j in range(2)]
    return out.reshape(probs.shape[:-1] + (2,))
