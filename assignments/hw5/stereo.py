"""HW5, part 1: depth from two views and from shading, with numpy (lecture "3D Vision").

Fill in every function marked TODO. Use numpy only (no scipy, no OpenCV).

Conventions for every function in this file:

* Images are ``(H, W)`` arrays of any real dtype: convert to float64 first
  (``np.asarray(image, dtype=np.float64)``). Axis 0 is y (rows, down), axis 1 is x (columns,
  right).
* Rectified stereo: a left pixel (y, x) with disparity d shows the same scene point as the
  right pixel (y, x - d). Closer points have larger disparities.
* Bad arguments raise ``ValueError`` whose message names the argument, e.g.
  ``raise ValueError(f"cost must be 'ssd' or 'sad', got {cost!r}")``.

You may add your own private helper functions (names starting with ``_``).
"""
import numpy as np  # noqa: F401 - you will need it


def disparity_to_depth(disparity, focal_length, baseline):
    """Depth from disparity for a rectified stereo pair.

    Lecture idea: similar triangles. A point at depth Z appears shifted by d = f B / Z pixels
    between two cameras a baseline B apart (focal length f in pixels), so Z = f B / d: depth
    is inversely proportional to disparity.

    Inputs:
    - disparity: array of any shape, any real dtype (pixels).
    - focal_length: f > 0, in pixels.
    - baseline: B > 0 (the depth comes out in the unit of B).

    Returns: float64 array of disparity's shape, ``focal_length * baseline / disparity``, and
    ``np.inf`` where disparity <= 0 (no finite depth). Avoid dividing by zero: compute only
    where disparity > 0 (a boolean mask, or np.divide with ``where=``).
    """
    # TODO
    raise NotImplementedError("disparity_to_depth: not implemented yet")


def block_matching(left, right, max_disparity, window=5, cost="ssd"):
    """Dense integer disparity map by block matching along the scanlines.

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
    - Ties go to the smallest d (np.argmin returns the first minimum).
    - Patches that reach past the image border: pad both images with zeros (np.pad) by
      window // 2. (The tests do not depend on this choice.)

    Inputs:
    - left, right: (H, W) images of the same shape (otherwise ValueError naming `right`).
    - max_disparity: integer >= 0 (otherwise ValueError naming `max_disparity`).
    - window: odd integer >= 1 (otherwise ValueError naming `window`).
    - cost: "ssd" or "sad" (otherwise ValueError naming `cost`).

    Returns: integer array (H, W) (int64) of disparities.

    Also graded on real data: the Middlebury motorcycle pair (shared/real_data.py,
    motorcycle_stereo(4): 125x185 grey views) with cost "ssd", window 7, max_disparity 16,
    scored by the bad-pixel rate, the share of pixels with known ground truth whose disparity
    is off by more than 1 (full points at <= 22 %, none at 50 %; plain SSD gets about 16 %).

    Hints:
    - Loop over d (there are few), never over pixels. For one d, build the right image
      shifted by d (shifted[:, x] = right[:, x - d]), take the per-pixel cost against left,
      and sum it over every window at once: np.lib.stride_tricks.sliding_window_view on the
      zero-padded per-pixel cost, or a 2-D cumulative sum (integral image).
    - Stack the D + 1 cost images into (D + 1, H, W), set the excluded candidates to np.inf,
      and take np.argmin over axis 0.
    """
    # TODO
    raise NotImplementedError("block_matching: not implemented yet")


def photometric_stereo(images, light_dirs):
    """Surface normals and albedo from K >= 3 images under known distant lights.

    Lecture idea: a Lambertian surface looks equally bright from every direction; its
    brightness under a distant light l is I = albedo * (n . l). Three or more lights give,
    per pixel, a linear system L g = I in g = albedo * n: solve it, then albedo = |g| and
    n = g / |g|.

    Inputs:
    - images: (K, H, W) intensities; image k is lit by light k (otherwise ValueError naming
      `images`).
    - light_dirs: (K, 3) unit light directions, in the frame the normals should have
      (otherwise ValueError naming `light_dirs`).

    Returns (normals, albedo):
    - normals: (H, W, 3) float64 unit vectors.
    - albedo: (H, W) float64.
    Pixels with |g| < 1e-8 (black in every image) get normal (0, 0, 1) and albedo 0.

    Hints:
    - All pixels share L: reshape images to (K, H*W) and call np.linalg.lstsq(L, I) once;
      it returns g for every pixel as a (3, H*W) array.
    - Normalise with a mask for the dark pixels (do not divide by zero).
    """
    # TODO
    raise NotImplementedError("photometric_stereo: not implemented yet")
