"""HW5 reference solution, part 1: depth from two views and from shading (lecture "3D Vision").

Conventions used by every function in this module:

* Images are ``(H, W)`` arrays of any real dtype, converted to float64. Axis 0 is y (rows,
  down), axis 1 is x (columns, right).
* A left pixel (y, x) with disparity d is seen at (y, x - d) in the right image.
* Bad arguments raise ``ValueError`` with a message that names the argument.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

COSTS = ("ssd", "sad")


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def disparity_to_depth(disparity, focal_length, baseline):
    """Depth from disparity for a rectified stereo pair: Z = f * B / d.

    Lecture idea: similar triangles. A point at depth Z appears shifted by d = f B / Z pixels
    between two cameras a baseline B apart (focal length f in pixels), so Z = f B / d: depth
    is inversely proportional to disparity.

    Inputs:
    - disparity: array of any shape, any real dtype (pixels).
    - focal_length: f > 0, in pixels.
    - baseline: B > 0, the distance between the camera centres (the depth comes out in the
      unit of B).

    Returns: float64 array of disparity's shape, ``focal_length * baseline / disparity``, and
    ``np.inf`` where disparity <= 0 (a point at infinity, or no valid match: no finite depth).

    Raises:
    - ValueError naming `focal_length` if it is not > 0.
    - ValueError naming `baseline` if it is not > 0.
    """
    if not focal_length > 0:
        raise ValueError(f"focal_length must be > 0, got {focal_length!r}")
    if not baseline > 0:
        raise ValueError(f"baseline must be > 0, got {baseline!r}")
    disparity = np.asarray(disparity, dtype=np.float64)
    positive = disparity > 0
    depth = np.full(disparity.shape, np.inf)
    depth[positive] = focal_length * baseline / disparity[positive]
    return depth


def block_matching(left, right, max_disparity, window=5, cost="ssd"):
    """Dense integer disparity map by block matching along the (rectified) scanlines.

    Lecture idea: Julesz's random-dot stereograms show that depth needs no recognition: each
    image alone is noise, but matching small patches between the two views reveals a floating
    square. For each left pixel we try every disparity and keep the best-matching patch.

    For every left pixel (y, x) and every candidate d in 0, 1, ..., max_disparity, compare the
    ``window x window`` patch of ``left`` centred at (y, x) with the patch of ``right`` centred
    at (y, x - d):
        "ssd": sum of squared differences,   "sad": sum of absolute differences.
    The disparity is the d with the smallest cost.
    - Candidates with x - d < 0 (outside the right image) are NOT considered (so at column x
      the result is at most x).
    - Ties go to the smallest d.
    - Patches that reach past the image border read zeros (both images zero-padded by
      window // 2). The tests do not grade pixels whose windows cross the border, so another
      padding loses nothing.

    Inputs:
    - left, right: (H, W) images of the same shape, any real dtype.
    - max_disparity: an integer >= 0.
    - window: an odd integer >= 1.
    - cost: "ssd" or "sad" (lowercase).

    Returns: int64 array (H, W) of disparities.

    Also graded on real data: the Middlebury motorcycle pair at a quarter of its size
    (shared/real_data.py, motorcycle_stereo(4): 125x185 grey views) with cost "ssd", window 7,
    max_disparity 16, scored by the bad-pixel rate, the share of pixels with known ground
    truth (away from the border) whose disparity is off by more than 1: full points at
    <= 22 %, none at 50 %; plain SSD (the reference) gets about 16 %.

    Raises:
    - ValueError naming `left` if it is not 2-D.
    - ValueError naming `right` if its shape is not left's.
    - ValueError naming `max_disparity` if it is not an integer >= 0.
    - ValueError naming `window` if it is not an odd integer >= 1.
    - ValueError naming `cost` if it is not "ssd" or "sad".
    """
    left = np.asarray(left, dtype=np.float64)
    right = np.asarray(right, dtype=np.float64)
    if left.ndim != 2:
        raise ValueError(f"left must be a 2-D image, got shape {left.shape}")
    if right.shape != left.shape:
        raise ValueError(f"right must have the shape of left {left.shape}, got {right.shape}")
    max_disparity = _check_int("max_disparity", max_disparity, 0)
    window = _check_int("window", window, 1)
    if window % 2 == 0:
        raise ValueError(f"window must be odd, got {window}")
    if cost not in COSTS:
        raise ValueError(f"cost must be 'ssd' or 'sad', got {cost!r}")

    # One (H, W) cost image per candidate (the per-pixel difference of the left image and the
    # shifted right image, summed over each window with a sliding-window view), stacked to
    # (D + 1, H, W); excluded candidates cost +inf; argmin takes the first minimum, which is the
    # smallest d.
    H, W = left.shape
    r = window // 2
    lp = np.pad(left, r)
    rp = np.pad(right, r)
    costs = np.full((max_disparity + 1, H, W), np.inf)
    for d in range(min(max_disparity, W - 1) + 1):
        shifted = np.zeros_like(rp)
        shifted[:, d:] = rp[:, :rp.shape[1] - d]          # shifted[y, x] = right[y, x - d]
        diff = lp - shifted
        per_pixel = diff * diff if cost == "ssd" else np.abs(diff)
        summed = sliding_window_view(per_pixel, (window, window)).sum(axis=(-2, -1))
        summed[:, :d] = np.inf                             # x - d < 0: outside the right image
        costs[d] = summed
    return np.argmin(costs, axis=0).astype(np.int64)


def photometric_stereo(images, light_dirs):
    """Surface normals and albedo from K >= 3 images under known distant lights.

    Lecture idea: a Lambertian surface looks equally bright from every direction; its
    brightness under a distant light l is I = albedo * (n . l) = l . g with g = albedo * n.
    Three or more lights give, per pixel, a linear system L g = I (K x 3, solved by least
    squares): then albedo = |g| and n = g / |g|.

    Inputs:
    - images: (K, H, W) intensities; image k is lit by light k.
    - light_dirs: (K, 3) unit light directions, in the frame the normals should have.

    Returns (normals, albedo):
    - normals: (H, W, 3) float64 unit vectors g / |g|.
    - albedo: (H, W) float64, |g|.
    Pixels with |g| < 1e-8 (black in every image) get normal (0, 0, 1) and albedo 0.

    Raises:
    - ValueError naming `images` if it is not (K, H, W).
    - ValueError naming `light_dirs` if its shape is not (K, 3), or if K < 3.
    """
    images = np.asarray(images, dtype=np.float64)
    lights = np.asarray(light_dirs, dtype=np.float64)
    if images.ndim != 3:
        raise ValueError(f"images must be (K, H, W), got shape {images.shape}")
    K, H, W = images.shape
    if lights.shape != (K, 3):
        raise ValueError(f"light_dirs must have shape ({K}, 3) to match images, got {lights.shape}")
    if K < 3:
        raise ValueError(f"light_dirs: need at least 3 lights, got {K}")
    # All pixels share L: one lstsq call with H*W right-hand sides solves every pixel's system.
    g, *_ = np.linalg.lstsq(lights, images.reshape(K, -1), rcond=None)     # (3, H*W)
    g = g.T.reshape(H, W, 3)
    albedo = np.linalg.norm(g, axis=-1)
    dark = albedo < 1e-8
    normals = g / np.where(dark, 1.0, albedo)[..., None]
    normals[dark] = (0.0, 0.0, 1.0)
    albedo[dark] = 0.0
    return normals, albedo
