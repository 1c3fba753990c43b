"""A third correct HW5 stereo.py: the textbook formulas, written out.

Block matching sums the squared (or absolute) differences over the window offset by offset,
for every candidate disparity, and keeps a running best with a strict "<" (so the smallest d
wins a tie); photometric stereo solves the 3x3 normal equations of every pixel with
np.linalg.solve. This is the plain SSD matcher the real-data test (the Middlebury
motorcycle pair) must reward: `cvgrade check` demands full marks for it.
"""
import numpy as np


def disparity_to_depth(disparity, focal_length, baseline):
    if not focal_length > 0:
        raise ValueError(f"focal_length must be positive, got {focal_length}")
    if not baseline > 0:
        raise ValueError(f"baseline must be positive, got {baseline}")
    disparity = np.array(disparity, dtype=np.float64)
    depth = np.full(disparity.shape, np.inf)
    valid = disparity > 0
    depth[valid] = focal_length * baseline / disparity[valid]
    return depth


def block_matching(left, right, max_disparity, window=5, cost="ssd"):
    if cost != "ssd" and cost != "sad":
        raise ValueError(f"cost must be 'ssd' or 'sad', not {cost!r}")
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1 or window % 2 != 1:
        raise ValueError(f"window must be an odd integer >= 1, not {window!r}")
    if isinstance(max_disparity, bool) or not isinstance(max_disparity, (int, np.integer)) or max_disparity < 0:
        raise ValueError(f"max_disparity must be an integer >= 0, not {max_disparity!r}")
    left = np.asarray(left, dtype=np.float64)
    right = np.asarray(right, dtype=np.float64)
    if left.ndim != 2:
        raise ValueError(f"left must be 2-D, got {left.ndim} dimensions")
    if right.shape != left.shape:
        raise ValueError(f"right has shape {right.shape}, left {left.shape}")
    H, W = left.shape
    r = window // 2
    # zero padding by r around, and by max_disparity more on the left of the right image,
    # so right[y, x - d] is a plain slice for every candidate
    L = np.pad(left, r)
    R = np.pad(right, ((r, r), (r + max_disparity, r)))
    best_cost = np.full((H, W), np.inf)
    best_d = np.zeros((H, W), dtype=np.int64)
    columns = np.arange(W)[None, :]
    for d in range(max_disparity + 1):
        total = np.zeros((H, W))
        for dy in range(window):
            for dx in range(window):
                a = L[dy:dy + H, dx:dx + W]
                b = R[dy:dy + H, max_disparity - d + dx:max_disparity - d + dx + W]
                total += (a - b) ** 2 if cost == "ssd" else np.abs(a - b)
        total = np.where(columns >= d, total, np.inf)
        better = total < best_cost
        best_cost[better] = total[better]
        best_d[better] = d
    return best_d


def photometric_stereo(images, light_dirs):
    images = np.asarray(images, dtype=np.float64)
    lights = np.asarray(light_dirs, dtype=np.float64)
    if images.ndim != 3:
        raise ValueError(f"images must be (K, H, W), got {images.shape}")
    K, H, W = images.shape
    if lights.shape != (K, 3) or K < 3:
        raise ValueError(f"light_dirs must be ({K}, 3) with at least 3 lights, got {lights.shape}")
    # normal equations (L^T L) g = L^T I, one right-hand side per pixel
    g = np.linalg.solve(lights.T @ lights, lights.T @ images.reshape(K, H * W)).T.reshape(H, W, 3)
    albedo = np.sqrt(np.sum(g * g, axis=-1))
    normals = np.zeros((H, W, 3))
    normals[..., 2] = 1.0
    lit = albedo >= 1e-8
    normals[lit] = g[lit] / albedo[lit][:, None]
    albedo[~lit] = 0.0
    return normals, albedo
