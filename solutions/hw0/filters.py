"""HW0 reference solution: spatial filtering with numpy (lecture "Convolution").

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
    """2-D cross-correlation: slide the kernel over the image WITHOUT flipping it. 2-D and 3-D.

    Lecture idea: each output pixel is the dot product of the kernel with the image patch
    under it, a "template match". In "same" mode
        out[i, j] = sum_{m, n} kernel[m, n] * image[i + m - ay, j + n - ax]
    where (ay, ax) = ((kh-1)//2, (kw-1)//2) is the kernel's anchor, the element that sits over
    output pixel (i, j): its centre for odd sizes, the upper-left of the middle 2x2 for even
    sizes (this is scipy's choice).

    Inputs:
    - image: (H, W) or (H, W, C), any real dtype; a 3-D image is filtered per channel with
      the same 2-D kernel.
    - kernel: (kh, kw), any real dtype, odd or even sizes.
    - mode: the output size. "full": (H+kh-1, W+kw-1), every position where kernel and image
      overlap at all; "same": (H, W); "valid": (H-kh+1, W-kw+1), only the positions where the
      whole kernel lies inside the image.
    - boundary: how the image is extended beyond its border: "zero" (zeros), "reflect"
      (mirror WITH the edge sample repeated: a b c | c b a, np.pad's "symmetric") or "wrap"
      (periodic).

    Returns: float64 array of shape (out_h, out_w) or (out_h, out_w, C); equal to
    scipy.signal.correlate2d(image, kernel, mode, boundary={"fill", "symm", "wrap"}) to 1e-10,
    for odd and even kernel sizes.

    Raises:
    - ValueError naming `mode`: any other mode, and "valid" with a kernel larger than the
      image in either axis (no output pixel has the whole kernel inside the image).
    - ValueError naming `boundary`: any other boundary.
    - ValueError naming `image`: not 2-D or 3-D, empty, or not real-valued.
    - ValueError naming `kernel`: not 2-D, empty, or not real-valued.
    """
    image, kernel = _check_filter_args(image, kernel, mode, boundary)
    kh, kw = kernel.shape
    return _slide(image, kernel, ((kh - 1) // 2, (kw - 1) // 2), mode, boundary)


def convolve2d(image, kernel, mode="same", boundary="zero"):
    """2-D convolution: correlation with the kernel flipped in BOTH axes. 2-D and 3-D.

    Lecture idea: convolution is the linear shift-invariant operation; flipping the kernel
    makes it commutative and associative (blur then differentiate = convolve the kernels).
    In "same" mode
        out[i, j] = sum_{m, n} kernel[m, n] * image[i - m + ay, j - n + ax]
    with the anchor (ay, ax) = ((kh-1)//2, (kw-1)//2) of the UNflipped kernel, as in scipy
    (after the flip it sits at (kh//2, kw//2) of the flipped kernel).

    Inputs: image, kernel, mode and boundary exactly as in correlate2d.

    Returns: float64 array of shape (out_h, out_w) or (out_h, out_w, C), the sizes of
    correlate2d's modes; equal to
    scipy.signal.convolve2d(image, kernel, mode, boundary={"fill", "symm", "wrap"}) to 1e-10,
    for odd AND even kernel sizes.

    Raises: ValueError naming `mode`, `boundary`, `image` or `kernel`, exactly as correlate2d
    (including "valid" with a kernel larger than the image: naming `mode`).
    """
    # Convolution = correlation with the flipped kernel, whose anchor (the unflipped kernel's
    # ((kh-1)//2, (kw-1)//2)) sits at (kh//2, kw//2). For even kernels this is why
    # correlate2d(x, k) is NOT the same as convolve2d(x, k[::-1, ::-1]) in "same" mode (they
    # differ by a one-pixel shift).
    image, kernel = _check_filter_args(image, kernel, mode, boundary)
    kh, kw = kernel.shape
    return _slide(image, kernel[::-1, ::-1], (kh // 2, kw // 2), mode, boundary)


def shift_kernel(dy, dx):
    """The smallest odd-sized square kernel that translates an image by (dy, dx) pixels.

    convolve2d(img, shift_kernel(dy, dx), mode="same") moves the image content DOWN by dy and
    RIGHT by dx pixels, out[i, j] = img[i - dy, j - dx] (negative values move up / left);
    zeros come in at the border (convolve2d's default boundary "zero").

    Inputs:
    - dy, dx: integers of any sign (Python or numpy integers).

    Returns: float64 array of shape (2r+1, 2r+1), r = max(|dy|, |dx|), all zeros except a
    single 1.

    Raises: ValueError naming `dy` or `dx` when it is not an integer (a float such as 1.5 or
    2.0, or a bool).
    """
    dy = _check_int("dy", dy)
    dx = _check_int("dx", dx)
    r = max(abs(dy), abs(dx))
    kernel = np.zeros((2 * r + 1, 2 * r + 1))
    # The single 1 sits at row r+dy, column r+dx: convolution places a copy of the kernel around
    # every pixel, so an impulse at offset (dy, dx) from the centre moves every pixel by (dy, dx).
    kernel[r + dy, r + dx] = 1.0
    return kernel


def box_kernel(size):
    """The mean (box) filter: all entries equal to 1 / size**2, so that it sums to 1.

    Inputs:
    - size: integer >= 1.

    Returns: float64 array of shape (size, size).

    Raises: ValueError naming `size` when it is not an integer >= 1.
    """
    size = _check_int("size", size, 1)
    return np.full((size, size), 1.0 / size**2)


# ----------------------------------------------------------------------------------------
# Gaussian smoothing
# ----------------------------------------------------------------------------------------

def gaussian_kernel_1d(sigma, radius=None):
    """A sampled, normalised 1-D Gaussian.

    Lecture idea: the Gaussian is the smoothing kernel without ringing: its Fourier
    transform is again a Gaussian (no side lobes, unlike the box filter's sinc).

    Inputs:
    - sigma: the standard deviation in pixels (NOT the variance), a finite number >= 0.
      sigma = 0 gives the identity kernel (a 1 at x = 0, zeros elsewhere), the limit of the
      Gaussian.
    - radius: integer >= 0, or None for ceil(3 * sigma) (math.ceil: round UP, 3 sigma = 4.5
      gives radius 5).

    Returns: float64 array of shape (2*radius+1,): exp(-x^2 / (2 sigma^2)) sampled at the
    integers x = -radius..radius, then divided by its sum so that it sums to 1.

    Raises:
    - ValueError naming `sigma`: negative or not finite (inf, nan).
    - ValueError naming `radius`: not an integer >= 0.
    """
    _check_sigma(sigma)
    radius = math.ceil(3 * sigma) if radius is None else _check_int("radius", radius, 0)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    if sigma == 0:
        return (x == 0).astype(np.float64)
    kernel = np.exp(-x**2 / (2.0 * sigma**2))
    return kernel / kernel.sum()


def gaussian_kernel(sigma, radius=None):
    """The 2-D Gaussian: the outer product of gaussian_kernel_1d(sigma, radius) with itself.

    Inputs: sigma and radius as in gaussian_kernel_1d.

    Returns: float64 array of shape (2*radius+1, 2*radius+1), summing to 1.

    Raises: ValueError naming `sigma` or `radius`, as gaussian_kernel_1d.
    """
    g = gaussian_kernel_1d(sigma, radius)
    return np.outer(g, g)


def gaussian_blur(image, sigma, radius=None, boundary="reflect"):
    """Gaussian blur with two 1-D passes (the 2-D Gaussian is separable). 2-D and 3-D.

    Lecture idea: a separable L x L kernel costs 2L instead of L^2 multiply-adds per pixel:
    convolve with the 1-D kernel as a column (L, 1), then as a row (1, L).

    Inputs:
    - image: (H, W) or (H, W, C), any real dtype.
    - sigma, radius: as in gaussian_kernel_1d (sigma in pixels, >= 0).
    - boundary: as in convolve2d (default "reflect"), used by both passes.

    Returns: float64 array of the image's shape; equal to
    convolve2d(image, gaussian_kernel(sigma, radius), mode="same", boundary=boundary) to 1e-10.

    Raises: ValueError naming the bad argument (`image`, `sigma`, `radius` or `boundary`), as
    convolve2d and gaussian_kernel_1d.
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
    """Image derivatives (gx, gy), computed like np.gradient. 2-D and 3-D.

    Central differences inside, one-sided differences at the borders:
        gx[y, x] = (I[y, x+1] - I[y, x-1]) / 2     for 0 < x < W-1,
        gx[:, 0] = I[:, 1] - I[:, 0],   gx[:, W-1] = I[:, W-1] - I[:, W-2];
    gy is the same along the rows (axis 0).

    Inputs:
    - image: (H, W) or (H, W, C) with H >= 2 and W >= 2, any real dtype, converted to float64
      before any difference is taken (uint8 differences would wrap around: 3 - 5 = 254).

    Returns: (gx, gy), in THIS order, two float64 arrays of the image's shape: gx is d/dx,
    along the columns (axis 1); gy is d/dy, along the rows (axis 0).

    Raises: ValueError naming `image`: H < 2 or W < 2, not 2-D or 3-D, empty, or not
    real-valued.
    """
    image = _as_image(image)
    if min(image.shape[:2]) < 2:
        raise ValueError(f"image must be at least 2x2 to take differences, got shape {image.shape}")
    return _derivative(image, axis=1), _derivative(image, axis=0)


def gradient_magnitude_orientation(image):
    """(magnitude, orientation) of the gradient from image_gradients. 2-D and 3-D.

    magnitude = sqrt(gx^2 + gy^2); orientation = arctan2(gy, gx) in radians, in [-pi, pi],
    measured from the +x axis (right) towards +y (down, since rows grow downwards).

    Inputs: image (H, W) or (H, W, C), as in image_gradients.

    Returns: (magnitude, orientation), two float64 arrays of the image's shape.

    Raises: ValueError naming `image`, as image_gradients.
    """
    gx, gy = image_gradients(image)
    return np.hypot(gx, gy), np.arctan2(gy, gx)


def laplacian(image, boundary="reflect"):
    """Discrete Laplacian d2I/dx2 + d2I/dy2: convolution with LAPLACIAN_KERNEL. 2-D and 3-D.

    LAPLACIAN_KERNEL is [[0, 1, 0], [1, -4, 1], [0, 1, 0]].

    Inputs:
    - image: (H, W) or (H, W, C), any real dtype.
    - boundary: as in convolve2d (default "reflect"); it decides the border pixels.

    Returns: float64 array of the image's shape (mode "same").

    Raises: ValueError naming `image` or `boundary`, as convolve2d.
    """
    return convolve2d(image, LAPLACIAN_KERNEL, mode="same", boundary=boundary)


def laplacian_of_gaussian(image, sigma):
    """LoG = laplacian(gaussian_blur(image, sigma)), both with their default boundaries. 2-D and 3-D.

    Lecture idea: blur first so that the second derivative responds to structure at scale
    sigma rather than to pixel noise.

    Inputs: image (H, W) or (H, W, C); sigma >= 0 in pixels, as in gaussian_kernel_1d.

    Returns: float64 array of the image's shape.

    Raises: ValueError naming `image` or `sigma`, as gaussian_blur.
    """
    return laplacian(gaussian_blur(image, sigma))


def zero_crossing_edges(image, sigma, threshold):
    """Marr-Hildreth edges: zero crossings of the LoG with enough contrast. 2-D and 3-D.

    With log = laplacian_of_gaussian(image, sigma), pixel (y, x) is an edge if, for its RIGHT
    neighbour (y, x+1) OR its LOWER neighbour (y+1, x), the two LoG values have strictly
    opposite signs (0 has no sign: 0 next to 5 is not a crossing) and their absolute
    difference is > threshold (strictly). The last column has no right neighbour and the last
    row no lower neighbour (those comparisons are False).

    Inputs:
    - image: (H, W) or (H, W, C), any real dtype.
    - sigma: >= 0 in pixels, as in gaussian_kernel_1d.
    - threshold: a finite number >= 0.

    Returns: bool array of the image's shape.

    Raises:
    - ValueError naming `threshold`: negative or not finite.
    - ValueError naming `image` or `sigma`, as laplacian_of_gaussian.
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

    Lecture idea: image - blur(image) keeps the high frequencies (the detail); adding alpha
    times it back boosts them.

    Inputs:
    - image: (H, W) or (H, W, C), any real dtype.
    - sigma: the blur, >= 0 in pixels (gaussian_blur with its default radius and boundary).
    - alpha: any real number, negative values included.

    Returns: float64 array of the image's shape.

    Raises: ValueError naming `image` or `sigma`, as gaussian_blur.
    """
    image = _as_image(image)
    return image + alpha * (image - gaussian_blur(image, sigma))
