"""Mutant: laplacian does not pass its boundary argument on, so convolve2d's default zero padding is always used.
Revealed by: laplacian with boundary 'reflect' (the default) or 'wrap', at border pixels of an image that is nonzero there; also LoG and zero_crossing_edges near borders.

Otherwise an exact copy of solutions/hw0/filters.py, the HW0 reference solution: spatial filtering with numpy (lecture "Convolution").

Conventions used by every function in this module:

* Images are ``(H, W)`` arrays; functions whose docstring says so also accept a
  ``(H, W, C)`` image and filter each channel independently with the same 2-D kernel.
* Inputs may have any real dtype (bool, uint8, int, float32, ...). They are converted to
  float64 first, and every result is float64 (except the boolean mask returned by
  ``zero_crossing_edges``).
* Axis 0 is y (rows, pointing down), axis 1 is x (columns, pointing right).
* Bad arguments raise ``ValueError`` with a message that names the argument.

The two workhorses are ``correlate2d`` and ``convolve2d``. Both pad the image according
to ``boundary`` and then add up ``kernel.size`` shifted slices of the padded image, one per
kernel offset: a handful of whole-array operations instead of a Python loop over pixels.
"""
import math

import numpy as np

MODES = ("full", "same", "valid")

# Our boundary names -> the matching ``np.pad`` mode. "reflect" repeats the edge sample
# (a b c | c b a), which numpy calls "symmetric" and scipy calls "symm". numpy's own
# "reflect" mode (a b c | b a) does NOT repeat the edge sample.
BOUNDARY_PAD_MODES = {"zero": "constant", "reflect": "symmetric", "wrap": "wrap"}

LAPLACIAN_KERNEL = np.array([[0.0, 1.0, 0.0],
                             [1.0, -4.0, 1.0],
                             [0.0, 1.0, 0.0]])


# ----------------------------------------------------------------------------------------
# Argument checking (plumbing)
# ----------------------------------------------------------------------------------------

def _as_float_array(array, name, ndims):
    """Return ``array`` as a float64 ndarray with ``ndim`` in ``ndims``; else ValueError."""
    array = np.asarray(array)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real-valued array, got dtype {array.dtype}")
    if array.ndim not in ndims:
        wanted = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{name} must be {wanted}, got an array of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got an array of shape {array.shape}")
    return array.astype(np.float64)


def _as_image(image, allow_color=True):
    """``image`` as float64, shape (H, W) or, if ``allow_color``, (H, W, C)."""
    return _as_float_array(image, "image", (2, 3) if allow_color else (2,))


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")


def _check_sigma(sigma, name="sigma"):
    if not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {sigma!r}")


def _check_int(name, value, minimum=None):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


# ----------------------------------------------------------------------------------------
# Convolution and correlation
# ----------------------------------------------------------------------------------------

def _slide(image, kernel, anchor, mode, boundary):
    """Cross-correlate ``image`` (2-D or 3-D float64) with a 2-D ``kernel``.

    ``anchor = (ay, ax)`` is the kernel element that sits on top of output pixel (i, j) in
    ``same`` mode:  out[i, j] = sum_{m, n} kernel[m, n] * ext[i + m - ay, j + n - ax],
    where ``ext`` is the image extended beyond its borders as ``boundary`` says.

    Implementation: pad, then add one shifted slice of the padded image per kernel
    element. ``full`` pads by k-1 on every side; ``same`` pads by the anchor before and
    the rest after; ``valid`` does not pad at all (the kernel never leaves the image).
    """
    (H, W), (kh, kw) = image.shape[:2], kernel.shape
    if mode == "valid" and (kh > H or kw > W):
        raise ValueError(f"mode='valid' needs a kernel no larger than the image in both axes, "
                         f"got image {H}x{W} and kernel {kh}x{kw}")
    if mode == "full":
        pad = [(kh - 1, kh - 1), (kw - 1, kw - 1)]
    elif mode == "same":
        pad = [(anchor[0], kh - 1 - anchor[0]), (anchor[1], kw - 1 - anchor[1])]
    else:  # valid
        pad = [(0, 0), (0, 0)]
    pad += [(0, 0)] * (image.ndim - 2)  # never pad the channel axis
    padded = np.pad(image, pad, mode=BOUNDARY_PAD_MODES[boundary])

    out_h, out_w = padded.shape[0] - kh + 1, padded.shape[1] - kw + 1
    out = np.zeros((out_h, out_w) + image.shape[2:])
    for m in range(kh):
        for n in range(kw):
            # A scalar times an (out_h, out_w[, C]) slice: every pixel (and channel) at once.
            out += kernel[m, n] * padded[m:m + out_h, n:n + out_w]
    return out


def _check_filter_args(image, kernel, mode, boundary):
    _check_choice("mode", mode, MODES)
    _check_choice("boundary", boundary, tuple(BOUNDARY_PAD_MODES))
    return _as_image(image), _as_float_array(kernel, "kernel", (2,))


def correlate2d(image, kernel, mode="same", boundary="zero"):
    """2-D cross-correlation (the kernel is NOT flipped). Accepts 2-D and 3-D images.

    out[i, j] = sum_{m, n} kernel[m, n] * image[i + m - ay, j + n - ax]   (same mode)

    Inputs:
    - image: (H, W) or (H, W, C), any real dtype; a 3-D image is filtered per channel.
    - kernel: (kh, kw), any real dtype, odd or even sizes.
    - mode: "full" (H+kh-1, W+kw-1), "same" (H, W) or "valid" (H-kh+1, W-kw+1).
    - boundary: how the image is extended: "zero", "reflect" (edge sample repeated,
      np.pad "symmetric") or "wrap" (periodic).

    Returns: float64 array, (out_h, out_w) or (out_h, out_w, C). Equals
    scipy.signal.correlate2d(image, kernel, mode, boundary={"fill","symm","wrap"}).
    The kernel's anchor (the element over the output pixel in "same" mode) is element
    ((kh-1)//2, (kw-1)//2): the centre for odd sizes, upper-left of the middle for even.
    "valid" with a kernel larger than the image raises ValueError (no output pixel has
    the whole kernel inside the image).
    """
    image, kernel = _check_filter_args(image, kernel, mode, boundary)
    kh, kw = kernel.shape
    return _slide(image, kernel, ((kh - 1) // 2, (kw - 1) // 2), mode, boundary)


def convolve2d(image, kernel, mode="same", boundary="zero"):
    """2-D convolution (kernel flipped in both axes). Accepts 2-D and 3-D images.

    out[i, j] = sum_{m, n} kernel[m, n] * image[i - m + ay, j - n + ax]   (same mode)

    Inputs:
    - image: (H, W) or (H, W, C), any real dtype; a 3-D image is filtered per channel.
    - kernel: (kh, kw), any real dtype, odd or even sizes.
    - mode: "full" (H+kh-1, W+kw-1), "same" (H, W) or "valid" (H-kh+1, W-kw+1).
    - boundary: "zero", "reflect" (edge sample repeated, np.pad "symmetric") or "wrap".

    Returns: float64 array, (out_h, out_w) or (out_h, out_w, C). Equals
    scipy.signal.convolve2d(image, kernel, mode, boundary={"fill","symm","wrap"}).

    Convolution = correlation with the flipped kernel. As in scipy, the anchor is element
    ((kh-1)//2, (kw-1)//2) of the *unflipped* kernel; after flipping it sits at
    (kh//2, kw//2). For even kernels this is why correlate2d(x, k) is NOT the same as
    convolve2d(x, k[::-1, ::-1]) in "same" mode (they differ by a one-pixel shift).
    "valid" with a kernel larger than the image raises ValueError.
    """
    image, kernel = _check_filter_args(image, kernel, mode, boundary)
    kh, kw = kernel.shape
    return _slide(image, kernel[::-1, ::-1], (kh // 2, kw // 2), mode, boundary)


def shift_kernel(dy, dx):
    """The smallest odd square kernel that translates an image by (dy, dx) pixels.

    convolve2d(img, shift_kernel(dy, dx), mode="same") moves the content down by dy and
    right by dx (negative values: up / left); pixels shifted in from outside are 0.

    Inputs: dy, dx: integers (any sign).
    Returns: float64 array of shape (2r+1, 2r+1) with r = max(|dy|, |dx|): a single 1 at
    row r+dy, column r+dx (convolution places a copy of the kernel around every pixel,
    so an impulse at offset (dy, dx) from the centre moves every pixel by (dy, dx)).
    """
    dy = _check_int("dy", dy)
    dx = _check_int("dx", dx)
    r = max(abs(dy), abs(dx))
    kernel = np.zeros((2 * r + 1, 2 * r + 1))
    kernel[r + dy, r + dx] = 1.0
    return kernel


def box_kernel(size):
    """A (size, size) mean filter: all entries 1/size**2 (sums to 1). size: int >= 1."""
    size = _check_int("size", size, 1)
    return np.full((size, size), 1.0 / size**2)


# ----------------------------------------------------------------------------------------
# Gaussian smoothing
# ----------------------------------------------------------------------------------------

def gaussian_kernel_1d(sigma, radius=None):
    """Sampled, normalised 1-D Gaussian.

    Inputs:
    - sigma: standard deviation in pixels, >= 0 (sigma = 0 gives the identity kernel [1]
      padded with zeros, the limit of the Gaussian).
    - radius: int >= 0, or None for ceil(3 * sigma).
    Returns: float64 array of shape (2*radius+1,): exp(-x^2 / (2 sigma^2)) at the integer
    positions x = -radius..radius, divided by its sum (so it sums to 1).
    """
    _check_sigma(sigma)
    radius = math.ceil(3 * sigma) if radius is None else _check_int("radius", radius, 0)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    if sigma == 0:
        return (x == 0).astype(np.float64)
    kernel = np.exp(-x**2 / (2.0 * sigma**2))
    return kernel / kernel.sum()


def gaussian_kernel(sigma, radius=None):
    """2-D Gaussian: the outer product of gaussian_kernel_1d(sigma, radius) with itself.

    Returns: float64 array of shape (2*radius+1, 2*radius+1), sums to 1.
    """
    g = gaussian_kernel_1d(sigma, radius)
    return np.outer(g, g)


def gaussian_blur(image, sigma, radius=None, boundary="reflect"):
    """Gaussian blur as two 1-D passes (the 2-D Gaussian is separable). 2-D and 3-D images.

    A column pass with the (L, 1) kernel then a row pass with the (1, L) kernel costs 2L
    multiply-adds per pixel instead of L^2, and equals
    convolve2d(image, gaussian_kernel(sigma, radius), "same", boundary) to 1e-10.

    Inputs: image (H, W) or (H, W, C); sigma >= 0 in pixels; radius as in
    gaussian_kernel_1d; boundary as in convolve2d (default "reflect").
    Returns: float64 array, same shape as image.
    """
    g = gaussian_kernel_1d(sigma, radius)
    blurred = convolve2d(image, g[:, None], mode="same", boundary=boundary)  # along y
    return convolve2d(blurred, g[None, :], mode="same", boundary=boundary)   # along x


# ----------------------------------------------------------------------------------------
# Derivatives and edges
# ----------------------------------------------------------------------------------------

def _derivative(image, axis):
    """d image / d axis like np.gradient: central differences inside, one-sided at the ends."""
    image = np.moveaxis(image, axis, 0)
    d = np.empty_like(image)
    d[1:-1] = (image[2:] - image[:-2]) / 2.0
    d[0] = image[1] - image[0]
    d[-1] = image[-1] - image[-2]
    return np.moveaxis(d, 0, axis)


def image_gradients(image):
    """Image derivatives (gx, gy) as np.gradient computes them. 2-D and 3-D images.

    gx[y, x] = (I[y, x+1] - I[y, x-1]) / 2 inside, I[y, 1] - I[y, 0] at the left border
    and I[y, W-1] - I[y, W-2] at the right one; gy likewise along the rows (axis 0).

    Inputs: image (H, W) or (H, W, C) with H, W >= 2, any real dtype (converted to float
    first: uint8 differences would wrap around).
    Returns: (gx, gy), float64 arrays of the image's shape; gx is d/dx (along columns,
    axis 1), gy is d/dy (along rows, axis 0).
    """
    image = _as_image(image)
    if min(image.shape[:2]) < 2:
        raise ValueError(f"image must be at least 2x2 to take differences, got shape {image.shape}")
    return _derivative(image, axis=1), _derivative(image, axis=0)


def gradient_magnitude_orientation(image):
    """(magnitude, orientation) of the image gradient. 2-D and 3-D images.

    magnitude = sqrt(gx^2 + gy^2); orientation = arctan2(gy, gx) in radians, in [-pi, pi],
    measured from the +x axis towards +y (downwards, since rows grow downwards).
    Returns: two float64 arrays of the image's shape.
    """
    gx, gy = image_gradients(image)
    return np.hypot(gx, gy), np.arctan2(gy, gx)


def laplacian(image, boundary="reflect"):
    """Discrete Laplacian: convolution with [[0,1,0],[1,-4,1],[0,1,0]]. 2-D and 3-D images.

    Inputs: image (H, W) or (H, W, C); boundary as in convolve2d (default "reflect").
    Returns: float64 array, same shape as image (mode "same").
    """
    return convolve2d(image, LAPLACIAN_KERNEL, mode="same")


def laplacian_of_gaussian(image, sigma):
    """LoG: laplacian(gaussian_blur(image, sigma)), both with their default boundaries.

    2-D and 3-D images. Returns: float64 array, same shape as image.
    """
    return laplacian(gaussian_blur(image, sigma))


def zero_crossing_edges(image, sigma, threshold):
    """Marr-Hildreth edges: zero crossings of the LoG with enough contrast. 2-D and 3-D.

    Pixel (y, x) is an edge when, for its right neighbour (y, x+1) or its lower neighbour
    (y+1, x), the two LoG values have strictly opposite signs (a zero is no sign) and
    their absolute difference is > threshold. The last column has no right neighbour and
    the last row no lower neighbour (those comparisons are simply False).

    Inputs: image (H, W) or (H, W, C); sigma >= 0; threshold >= 0.
    Returns: bool array, same shape as image.
    """
    if not np.isfinite(threshold) or threshold < 0:
        raise ValueError(f"threshold must be a finite number >= 0, got {threshold!r}")
    log = laplacian_of_gaussian(image, sigma)

    def crossing(a, b):
        # Compare signs rather than testing a * b < 0, which underflows for tiny values.
        return (np.sign(a) * np.sign(b) < 0) & (np.abs(a - b) > threshold)

    edges = np.zeros(log.shape, dtype=bool)
    edges[:, :-1] |= crossing(log[:, :-1], log[:, 1:])   # right neighbour
    edges[:-1, :] |= crossing(log[:-1, :], log[1:, :])   # lower neighbour
    return edges


def sharpen(image, sigma, alpha):
    """Unsharp masking: image + alpha * (image - gaussian_blur(image, sigma)). 2-D and 3-D.

    (image - blur) holds the high frequencies (detail); adding alpha times it back boosts
    them. Returns: float64 array, same shape as image.
    """
    image = _as_image(image)
    return image + alpha * (image - gaussian_blur(image, sigma))
