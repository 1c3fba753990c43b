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
    where (ay, ax) = ((kh-1)//2, (kw-1)//2) is the kernel's anchor: its centre for odd
    sizes, the upper-left of the middle 2x2 for even sizes (this is scipy's choice).

    Inputs:
    - image: (H, W) or (H, W, C), any real dtype; a 3-D image is filtered per channel.
    - kernel: (kh, kw) array, odd or even sizes. Anything that is not 2-D: ValueError
      naming `kernel`. An image that is not 2-D or 3-D: ValueError naming `image`.
    - mode: output size. "full": (H+kh-1, W+kw-1), every position where kernel and image
      overlap at all; "same": (H, W); "valid": (H-kh+1, W-kw+1), only positions where the
      whole kernel lies inside the image. Anything else: ValueError naming `mode`.
      "valid" with a kernel larger than the image in either axis has no output: raise a
      ValueError naming `mode`.
    - boundary: how the image is extended beyond its border: "zero" (zeros), "reflect"
      (mirror WITH the edge sample repeated: a b c | c b a) or "wrap" (periodic).
      Anything else: ValueError naming `boundary`.

    Returns: float64 array of shape (out_h, out_w) or (out_h, out_w, C); must equal
    scipy.signal.correlate2d(image, kernel, mode, boundary={"fill", "symm", "wrap"}).

    Hints:
    - np.pad does the boundary for you: mode "constant" is zero, "symmetric" is our
      "reflect" (numpy's own "reflect" mode does NOT repeat the edge sample), "wrap" is wrap.
      Pad only axes 0 and 1 of a 3-D image: pad_width ((top, bottom), (left, right), (0, 0)).
    - How much to pad: "full" k-1 on both sides; "same" the anchor before, the rest after;
      "valid" nothing.
    - Then out = sum over kernel offsets (m, n) of kernel[m, n] * (a shifted slice of the
      padded image of the output's size). That slice trick also handles 3-D for free.
    """
    # TODO
    raise NotImplementedError("correlate2d: not implemented yet")


def convolve2d(image, kernel, mode="same", boundary="zero"):
    """2-D convolution: correlation with the kernel flipped in BOTH axes. 2-D and 3-D.

    Lecture idea: convolution is the linear shift-invariant operation; flipping the kernel
    makes it commutative and associative (blur then differentiate = convolve the kernels).
        out[i, j] = sum_{m, n} kernel[m, n] * image[i - m + ay, j - n + ax]     ("same")
    with the anchor (ay, ax) = ((kh-1)//2, (kw-1)//2) of the UNflipped kernel, as in scipy.

    Inputs, modes, boundaries and errors: exactly as in correlate2d.
    Returns: float64 array; must equal
    scipy.signal.convolve2d(image, kernel, mode, boundary={"fill", "symm", "wrap"}) to 1e-10,
    for odd AND even kernel sizes.

    Hints:
    - kernel[::-1, ::-1] flips both axes (flipping only one axis is a classic bug).
    - Careful with even kernels in "same" mode: after the flip the anchor element sits at
      (kh//2, kw//2) of the flipped kernel, so convolve2d(x, k) is NOT simply
      correlate2d(x, k[::-1, ::-1]) when a kernel side is even. Test against scipy!
    """
    # TODO
    raise NotImplementedError("convolve2d: not implemented yet")


def shift_kernel(dy, dx):
    """The smallest odd-sized square kernel that translates an image by (dy, dx) pixels.

    convolve2d(img, shift_kernel(dy, dx), mode="same") must move the image content DOWN by
    dy and RIGHT by dx pixels (negative values move up / left; zeros come in at the border).

    Inputs: dy, dx: integers (non-integers: ValueError naming the argument).
    Returns: float64 array of shape (2r+1, 2r+1), r = max(|dy|, |dx|), all zeros except a
    single 1.

    Hint: which position of the 1 gives out[i, j] = img[i - dy, j - dx]? Write down the
    convolution sum for one pixel (and remember the flip).
    """
    # TODO
    raise NotImplementedError("shift_kernel: not implemented yet")


def box_kernel(size):
    """The mean (box) filter: a (size, size) float64 array, all entries equal, summing to 1.

    Inputs: size: integer >= 1 (otherwise ValueError naming `size`).
    """
    # TODO
    raise NotImplementedError("box_kernel: not implemented yet")


def gaussian_kernel_1d(sigma, radius=None):
    """A sampled, normalised 1-D Gaussian.

    Lecture idea: the Gaussian is the smoothing kernel without ringing: its Fourier
    transform is again a Gaussian (no side lobes, unlike the box filter's sinc).

    Inputs:
    - sigma: standard deviation in pixels (NOT the variance). Negative: ValueError naming
      `sigma`. sigma = 0 gives the identity kernel (a 1 at x = 0, zeros elsewhere).
    - radius: integer >= 0 (otherwise ValueError naming `radius`), or None for
      ceil(3 * sigma) (math.ceil: round UP, 3 sigma = 4.5 gives radius 5).
    Returns: float64 array of shape (2*radius+1,): exp(-x^2 / (2 sigma^2)) sampled at the
    integers x = -radius..radius, then divided by its sum so that it sums to exactly 1.
    """
    # TODO
    raise NotImplementedError("gaussian_kernel_1d: not implemented yet")


def gaussian_kernel(sigma, radius=None):
    """The 2-D Gaussian: the outer product of gaussian_kernel_1d(sigma, radius) with itself.

    Returns: float64 array of shape (2*radius+1, 2*radius+1), summing to 1 (np.outer).
    """
    # TODO
    raise NotImplementedError("gaussian_kernel: not implemented yet")


def gaussian_blur(image, sigma, radius=None, boundary="reflect"):
    """Gaussian blur with two 1-D passes (the 2-D Gaussian is separable). 2-D and 3-D.

    Lecture idea: a separable L x L kernel costs 2L instead of L^2 operations per pixel:
    convolve with the 1-D kernel as a column (L, 1) and then as a row (1, L).

    Inputs: image (H, W) or (H, W, C); sigma, radius as in gaussian_kernel_1d; boundary as
    in convolve2d (default "reflect"). Bad values: ValueError naming the argument.
    Returns: float64 array of the image's shape; must equal
    convolve2d(image, gaussian_kernel(sigma, radius), mode="same", boundary=boundary) to 1e-10.

    Hint: reuse your convolve2d with kernels g[:, None] and g[None, :]. Both passes!
    """
    # TODO
    raise NotImplementedError("gaussian_blur: not implemented yet")


def image_gradients(image):
    """Image derivatives (gx, gy), computed like np.gradient. 2-D and 3-D.

    gx[y, x] = (I[y, x+1] - I[y, x-1]) / 2 inside (central differences); at the borders
    one-sided differences: gx[:, 0] = I[:, 1] - I[:, 0] and gx[:, -1] = I[:, -1] - I[:, -2].
    gy is the same along the rows (axis 0).

    Inputs: image (H, W) or (H, W, C), H >= 2 and W >= 2 (otherwise ValueError naming
    `image`).
    Returns: (gx, gy): two float64 arrays of the image's shape. gx is d/dx, along the
    columns (axis 1); gy is d/dy, along the rows (axis 0). Mind the order!

    Hints: use slicing (image[:, 2:] - image[:, :-2]), not np.gradient and not np.roll
    (which wraps around at the border). Convert to float BEFORE subtracting: uint8
    differences wrap around (3 - 5 = 254).
    """
    # TODO
    raise NotImplementedError("image_gradients: not implemented yet")


def gradient_magnitude_orientation(image):
    """(magnitude, orientation) of the gradient from image_gradients. 2-D and 3-D.

    magnitude = sqrt(gx^2 + gy^2); orientation = arctan2(gy, gx) in radians, in [-pi, pi]
    (np.arctan2 takes y first; plain arctan(gy / gx) loses the quadrant and divides by 0).
    Returns: two float64 arrays of the image's shape.
    """
    # TODO
    raise NotImplementedError("gradient_magnitude_orientation: not implemented yet")


def laplacian(image, boundary="reflect"):
    """Discrete Laplacian d2I/dx2 + d2I/dy2: convolution with LAPLACIAN_KERNEL. 2-D and 3-D.

    Inputs: image (H, W) or (H, W, C); boundary as in convolve2d (default "reflect"; pass
    it on, do not ignore it).
    Returns: float64 array of the image's shape (mode "same").
    """
    # TODO
    raise NotImplementedError("laplacian: not implemented yet")


def laplacian_of_gaussian(image, sigma):
    """LoG = laplacian(gaussian_blur(image, sigma)), both with their default boundaries. 2-D and 3-D.

    Lecture idea: blur first so that the second derivative responds to structure at
    scale sigma rather than to pixel noise.
    Returns: float64 array of the image's shape.
    """
    # TODO
    raise NotImplementedError("laplacian_of_gaussian: not implemented yet")


def zero_crossing_edges(image, sigma, threshold):
    """Marr-Hildreth edges: zero crossings of the LoG with enough contrast. 2-D and 3-D.

    Pixel (y, x) is an edge if, for its RIGHT neighbour (y, x+1) OR its LOWER neighbour
    (y+1, x), the two LoG values have strictly opposite signs (0 has no sign: 0 next to 5
    is not a crossing) and their absolute difference is > threshold (strictly). The last
    column has no right neighbour, the last row no lower neighbour.

    Inputs: image (H, W) or (H, W, C); sigma >= 0; threshold >= 0 (negative: ValueError
    naming `threshold`).
    Returns: bool array of the image's shape.

    Hint: compare log[:, :-1] with log[:, 1:] and log[:-1, :] with log[1:, :]; test signs
    with np.sign(a) * np.sign(b) < 0 (a * b < 0 can underflow to 0 for tiny values).
    """
    # TODO
    raise NotImplementedError("zero_crossing_edges: not implemented yet")


def sharpen(image, sigma, alpha):
    """Unsharp masking: image + alpha * (image - gaussian_blur(image, sigma)). 2-D and 3-D.

    Lecture idea: image - blur(image) keeps the high frequencies (the detail); adding
    alpha times it back boosts them.
    Returns: float64 array of the image's shape.
    """
    # TODO
    raise NotImplementedError("sharpen: not implemented yet")
