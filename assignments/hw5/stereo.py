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
    # TODO
    # Hint: avoid dividing by zero: compute only where disparity > 0 (a boolean mask, or np.divide
    #   with ``where=``).
    raise NotImplementedError("disparity_to_depth: not implemented yet")


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
    # TODO
    # Hint: pad with np.pad(image, window // 2) (zeros).
    # Hint: loop over d (there are few), never over pixels. For one d, build the right image
    #   shifted by d (shifted[:, x] = right[:, x - d]), take the per-pixel cost against left, and
    #   sum it over every window at once: np.lib.stride_tricks.sliding_window_view on the
    #   zero-padded per-pixel cost, or a 2-D cumulative sum (integral image).
    # Hint: stack the D + 1 cost images into (D + 1, H, W), set the excluded candidates to np.inf,
    #   and take np.argmin over axis 0 (it returns the first minimum: the smallest d in a tie).
    raise NotImplementedError("block_matching: not implemented yet")


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
    # TODO
    # Hint: all pixels share L: reshape images to (K, H*W) and call np.linalg.lstsq(L, I) once;
    #   it returns g for every pixel as a (3, H*W) array.
    # Hint: normalise with a mask for the dark pixels (do not divide by zero).
    raise NotImplementedError("photometric_stereo: not implemented yet")
