"""HW0, part 1: spatial filtering with numpy (lecture "Convolution").

Fill in every function marked TODO. Use numpy only (no scipy, no OpenCV): the tests compare
your results with scipy.signal to 1e-10, so think carefully about flips, borders and centres.

Conventions for every function in this file:

* Images are ``(H, W)`` arrays. Functions whose docstring says "2-D and 3-D" must also
  accept a colour image ``(H, W, C)`` and filter each channel with the same 2-D kernel.
* Inputs may have any real dtype (bool, uint8, int, float32, ...). Convert to float64
  first (``np.asarray(image, dtype=np.float64)``) and return float64 arrays (the only
  exception is the boolean mask of ``zero_crossing_edges``).
* Axis 0 is y (rows, pointing down), axis 1 is x (columns, pointing right).
* Bad arguments raise ``ValueError`` whose message names the argument, e.g.
  ``raise ValueError(f"mode must be 'full', 'same' or 'valid', got {mode!r}")``.
* Vectorise: a Python loop over the kernel's offsets is fine (kernels are small); a Python
  loop over the image's pixels is too slow for the time limits.

You may add your own private helper functions (names starting with ``_``).
"""
import numpy as np

# The kernel used by `laplacian` (given: it is part of the specification).
LAPLACIAN_KERNEL = np.array([[0.0, 1.0, 0.0],
                             [1.0, -4.0, 1.0],
                             [0.0, 1.0, 0.0]])


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
    # TODO
    # Hint: np.pad does the boundary for you: mode "constant" is zero, "symmetric" is our
    #   "reflect" (numpy's own "reflect" mode does NOT repeat the edge sample), "wrap" is wrap.
    #   Pad only axes 0 and 1 of a 3-D image: pad_width ((top, bottom), (left, right), (0, 0)).
    # Hint: how much to pad: "full" k-1 on both sides; "same" the anchor before, the rest after;
    #   "valid" nothing.
    # Hint: then out = sum over kernel offsets (m, n) of kernel[m, n] * (a shifted slice of the
    #   padded image of the output's size). That slice trick also handles 3-D for free.
    raise NotImplementedError("correlate2d: not implemented yet")


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
    # TODO
    # Hint: kernel[::-1, ::-1] flips both axes (flipping only one axis is a classic bug).
    # Hint: careful with even kernels in "same" mode: after the flip the anchor element sits at
    #   (kh//2, kw//2) of the flipped kernel, so convolve2d(x, k) is NOT simply
    #   correlate2d(x, k[::-1, ::-1]) when a kernel side is even. Test against scipy!
    raise NotImplementedError("convolve2d: not implemented yet")


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
    # TODO
    # Hint: which position of the 1 gives out[i, j] = img[i - dy, j - dx]? Write down the
    #   convolution sum for one pixel (and remember the flip).
    raise NotImplementedError("shift_kernel: not implemented yet")


def box_kernel(size):
    """The mean (box) filter: all entries equal to 1 / size**2, so that it sums to 1.

    Inputs:
    - size: integer >= 1.

    Returns: float64 array of shape (size, size).

    Raises: ValueError naming `size` when it is not an integer >= 1.
    """
    # TODO
    raise NotImplementedError("box_kernel: not implemented yet")


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
    # TODO
    raise NotImplementedError("gaussian_kernel_1d: not implemented yet")


def gaussian_kernel(sigma, radius=None):
    """The 2-D Gaussian: the outer product of gaussian_kernel_1d(sigma, radius) with itself.

    Inputs: sigma and radius as in gaussian_kernel_1d.

    Returns: float64 array of shape (2*radius+1, 2*radius+1), summing to 1.

    Raises: ValueError naming `sigma` or `radius`, as gaussian_kernel_1d.
    """
    # TODO
    # Hint: np.outer.
    raise NotImplementedError("gaussian_kernel: not implemented yet")


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
    # TODO
    # Hint: reuse your convolve2d with the kernels g[:, None] and g[None, :]. Both passes!
    raise NotImplementedError("gaussian_blur: not implemented yet")


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
    # TODO
    # Hint: use slicing (image[:, 2:] - image[:, :-2]), not np.gradient and not np.roll (which
    #   wraps around at the border). Convert to float BEFORE subtracting.
    raise NotImplementedError("image_gradients: not implemented yet")


def gradient_magnitude_orientation(image):
    """(magnitude, orientation) of the gradient from image_gradients. 2-D and 3-D.

    magnitude = sqrt(gx^2 + gy^2); orientation = arctan2(gy, gx) in radians, in [-pi, pi],
    measured from the +x axis (right) towards +y (down, since rows grow downwards).

    Inputs: image (H, W) or (H, W, C), as in image_gradients.

    Returns: (magnitude, orientation), two float64 arrays of the image's shape.

    Raises: ValueError naming `image`, as image_gradients.
    """
    # TODO
    # Hint: np.arctan2 takes y first; plain arctan(gy / gx) loses the quadrant and divides by 0.
    raise NotImplementedError("gradient_magnitude_orientation: not implemented yet")


def laplacian(image, boundary="reflect"):
    """Discrete Laplacian d2I/dx2 + d2I/dy2: convolution with LAPLACIAN_KERNEL. 2-D and 3-D.

    LAPLACIAN_KERNEL is [[0, 1, 0], [1, -4, 1], [0, 1, 0]].

    Inputs:
    - image: (H, W) or (H, W, C), any real dtype.
    - boundary: as in convolve2d (default "reflect"); it decides the border pixels.

    Returns: float64 array of the image's shape (mode "same").

    Raises: ValueError naming `image` or `boundary`, as convolve2d.
    """
    # TODO
    # Hint: pass `boundary` on to convolve2d, do not ignore it.
    raise NotImplementedError("laplacian: not implemented yet")


def laplacian_of_gaussian(image, sigma):
    """LoG = laplacian(gaussian_blur(image, sigma)), both with their default boundaries. 2-D and 3-D.

    Lecture idea: blur first so that the second derivative responds to structure at scale
    sigma rather than to pixel noise.

    Inputs: image (H, W) or (H, W, C); sigma >= 0 in pixels, as in gaussian_kernel_1d.

    Returns: float64 array of the image's shape.

    Raises: ValueError naming `image` or `sigma`, as gaussian_blur.
    """
    # TODO
    raise NotImplementedError("laplacian_of_gaussian: not implemented yet")


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
    # TODO
    # Hint: compare log[:, :-1] with log[:, 1:] and log[:-1, :] with log[1:, :]; test signs with
    #   np.sign(a) * np.sign(b) < 0 (a * b < 0 can underflow to 0 for tiny values).
    raise NotImplementedError("zero_crossing_edges: not implemented yet")


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
    # TODO
    raise NotImplementedError("sharpen: not implemented yet")
