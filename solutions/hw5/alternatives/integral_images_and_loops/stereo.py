"""A second correct HW5 stereo.py, written the way a different student would.

Integral images (2-D cumulative sums) for the window sums, a running best instead of a
stacked cost volume, and the normal equations with a pseudo-inverse for photometric stereo.
`cvgrade check` grades it and demands full marks: the tests must reward behaviour.
"""
import numpy as np


def disparity_to_depth(disparity, focal_length, baseline):
    d = np.array(disparity, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        depth = np.divide(focal_length * baseline, d, out=np.full(d.shape, np.inf), where=d > 0)
    return depth


def _box_sum(a, r):
    """Sum over (2r+1)^2 windows of a zero-padded image, via an integral image."""
    H, W = a.shape
    p = np.pad(a, ((r + 1, r), (r + 1, r)))
    c = p.cumsum(0).cumsum(1)
    k = 2 * r + 1
    return c[k:k + H, k:k + W] - c[:H, k:k + W] - c[k:k + H, :W] + c[:H, :W]


def block_matching(left, right, max_disparity, window=5, cost="ssd"):
    if cost not in ("ssd", "sad"):
        raise ValueError(f"unknown cost {cost!r}")
    if int(window) != window or window < 1 or window % 2 == 0:
        raise ValueError(f"window must be a positive odd integer, got {window}")
    if int(max_disparity) != max_disparity or max_disparity < 0:
        raise ValueError(f"max_disparity must be >= 0, got {max_disparity}")
    left = np.asarray(left, dtype=np.float64)
    right = np.asarray(right, dtype=np.float64)
    if left.shape != right.shape or left.ndim != 2:
        raise ValueError("left and right must be 2-D images of the same shape")
    H, W = left.shape
    r = window // 2
    best = np.full((H, W), np.inf)
    best_d = np.zeros((H, W), dtype=np.int64)
    for d in range(int(max_disparity) + 1):
        if d >= W:
            break
        shifted = np.zeros_like(right)
        shifted[:, d:] = right[:, :W - d]
        diff = left - shifted
        c = _box_sum(diff**2 if cost == "ssd" else np.abs(diff), r)
        c[:, :d] = np.inf
        better = c < best            # strict: an equal cost keeps the smaller d
        best[better] = c[better]
        best_d[better] = d
    return best_d


def photometric_stereo(images, light_dirs):
    images = np.asarray(images, dtype=np.float64)
    L = np.asarray(light_dirs, dtype=np.float64)
    if images.ndim != 3:
        raise ValueError("images must be (K, H, W)")
    if L.ndim != 2 or L.shape != (images.shape[0], 3):
        raise ValueError("light_dirs must be (K, 3)")
    K, H, W = images.shape
    g = np.einsum("ck,khw->hwc", np.linalg.pinv(L), images)
    albedo = np.sqrt(np.sum(g * g, axis=-1))
    normals = np.zeros((H, W, 3))
    normals[..., 2] = 1.0
    ok = albedo >= 1e-8
    normals[ok] = g[ok] / albedo[ok][:, None]
    return normals, np.where(ok, albedo, 0.0)
