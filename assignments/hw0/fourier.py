"""HW0, part 2: the 2-D discrete Fourier transform with numpy (lecture "Fourier Transform").

Fill in every function marked TODO, using numpy (np.fft) only.

Conventions for every function in this file:

* Images are real ``(H, W)`` arrays of any real dtype: convert to float64. Only
  ``fft_convolve2d`` and ``hybrid_image`` must also accept colour images ``(H, W, C)``
  (per channel); the other functions may reject them with a ValueError.
* Spectra are CENTRED: the zero frequency (the DC term, the sum of all pixels) sits at
  index ``(H//2, W//2)``, which is where ``np.fft.fftshift`` puts it. Index (u, v) then
  holds frequency (u - H//2, v - W//2). Spectra are complex128; everything else you
  return is float64.
* Bad arguments raise ``ValueError`` whose message names the argument.

You may add your own private helper functions (names starting with ``_``).
"""
import numpy as np  # noqa: F401  (you will need it)
from filters import gaussian_blur  # noqa: F401  (for hybrid_image)


def centered_fft2(image):
    """Centred 2-D DFT: fftshift(fft2(image)).

    Inputs: image (H, W), any real dtype.

    Returns: complex128 (H, W) spectrum with the zero frequency at (H//2, W//2). The tests
    check the dtype: np.fft.fft2 of a float64 image already gives complex128 (complex64,
    or a real array, fails).

    Raises: ValueError naming `image`: not 2-D, empty, or not real-valued.
    """
    # TODO
    raise NotImplementedError("centered_fft2: not implemented yet")


def centered_ifft2(spectrum):
    """Inverse of centered_fft2: the real part of ifft2(ifftshift(spectrum)).

    Inputs: spectrum (H, W), complex or real, centred as centered_fft2 returns it; any centred
    spectrum, not only the (Hermitian) spectrum of a real image.

    Returns: float64 (H, W) image: the REAL part (np.real), not the absolute value, which
    would turn every negative pixel positive. The imaginary part is dropped: it is ~1e-16 for
    the spectrum of a real image, and dropping it is the right projection when a filter broke
    the symmetry.

    Raises: ValueError naming `spectrum`: not 2-D, empty, or not numeric.
    """
    # TODO
    # Hint: ifftshift undoes fftshift; fftshift does not undo itself when a side is odd (try
    #   np.fft.fftshift(np.arange(5)) twice). Test your round trip on odd sizes.
    raise NotImplementedError("centered_ifft2: not implemented yet")


def amplitude_phase(image):
    """(amplitude, phase) = (np.abs, np.angle) of centered_fft2(image).

    Inputs: image (H, W), any real dtype.

    Returns: two float64 (H, W) arrays; phase in radians, in [-pi, pi].

    Raises: ValueError naming `image`, as centered_fft2.
    """
    # TODO
    raise NotImplementedError("amplitude_phase: not implemented yet")


def from_amplitude_phase(amplitude, phase):
    """The real image whose centred spectrum has this amplitude and phase.

    Lecture idea: a complex number is amplitude * exp(i * phase); rebuild the spectrum, then
    invert it with centered_ifft2.

    Inputs:
    - amplitude: real (H, W) array.
    - phase: real (H, W) array of the SAME shape, in radians.

    Returns: float64 (H, W): centered_ifft2(amplitude * exp(1j * phase)).

    Raises:
    - ValueError naming `phase`: a shape other than amplitude's.
    - ValueError naming `amplitude` or `phase`: not 2-D, empty, or not real-valued.
    """
    # TODO
    raise NotImplementedError("from_amplitude_phase: not implemented yet")


def swap_phase(image_a, image_b):
    """Swap the phases of two same-shaped images (the lecture's phase/amplitude demo).

    Each result looks like the image whose PHASE it has: the phase carries the structure.

    Inputs: image_a, image_b: real (H, W) images of the same shape, any real dtype.

    Returns: (amplitude of a with phase of b, amplitude of b with phase of a), in THIS order,
    two float64 (H, W) images.

    Raises:
    - ValueError naming `image_b`: a shape other than image_a's.
    - ValueError (from centered_fft2, naming `image`): an image that is not 2-D, is empty, or
      is not real-valued.
    """
    # TODO
    raise NotImplementedError("swap_phase: not implemented yet")


def low_pass_mask(shape, cutoff, kind="box"):
    """A centred low-pass mask, to multiply a centred spectrum with.

    With du = u - H//2 and dv = v - W//2 (row and column frequency offsets from the centre):
    - kind "box": 1.0 where |du| <= cutoff AND |dv| <= cutoff (a square, borders included),
      else 0.0.
    - kind "gaussian": exp(-(du^2 + dv^2) / (2 cutoff^2)); cutoff = 0 gives 1.0 at the centre
      and 0.0 elsewhere (the limit).

    Inputs:
    - shape: (H, W), a pair of positive integers.
    - cutoff: a finite number >= 0 (integer or not), in frequency samples.
    - kind: "box" or "gaussian".

    Returns: float64 (H, W) mask with values in [0, 1], equal to 1.0 at (H//2, W//2).

    Raises:
    - ValueError naming `shape`: not a pair of positive integers.
    - ValueError naming `cutoff`: negative or not finite.
    - ValueError naming `kind`: any other kind.
    """
    # TODO
    # Hint: np.arange(H)[:, None] and np.arange(W)[None, :] broadcast to an (H, W) grid. Use the
    #   integer centres H//2 and W//2, not H/2.
    raise NotImplementedError("low_pass_mask: not implemented yet")


def high_pass_mask(shape, cutoff, kind="box"):
    """1 - low_pass_mask(shape, cutoff, kind): keeps exactly what the low-pass removes.

    Inputs: shape, cutoff and kind as in low_pass_mask.

    Returns: float64 (H, W) mask.

    Raises: ValueError naming `shape`, `cutoff` or `kind`, as low_pass_mask.
    """
    # TODO
    raise NotImplementedError("high_pass_mask: not implemented yet")


def frequency_filter(image, mask):
    """Filter an image in the frequency domain with a CENTRED mask.

    Multiply the centred spectrum (centered_fft2) by the mask and transform back
    (centered_ifft2): centered_ifft2(centered_fft2(image) * mask). The mask is centred (e.g.
    from low_pass_mask), so it must meet a centred spectrum.

    Inputs:
    - image: (H, W), any real dtype.
    - mask: real (H, W) array of the image's shape.

    Returns: float64 (H, W), the filtered image.

    Raises:
    - ValueError naming `mask`: a shape other than the image's; not 2-D, empty, or not
      real-valued.
    - ValueError naming `image`: not 2-D, empty, or not real-valued.
    """
    # TODO
    raise NotImplementedError("frequency_filter: not implemented yet")


def fft_convolve2d(image, kernel, mode="full"):
    """Convolution via the convolution theorem: multiply the DFTs, transform back.

    Lecture idea: the DFT turns CIRCULAR convolution into a product. Zero-padding both the
    image and the kernel to the full output size (H+kh-1, W+kw-1) first means nothing wraps
    around, so the circular convolution equals the linear one.

    Inputs:
    - image: (H, W) or (H, W, C), any real dtype; a 3-D image is convolved per channel with
      the same kernel.
    - kernel: (kh, kw), any real dtype, odd or even sizes.
    - mode: "full", "same" or "valid", as in convolve2d.

    Returns: float64 array of convolve2d's shape, equal to
    convolve2d(image, kernel, mode, boundary="zero") to 1e-8 (the graded tolerance; a correct
    FFT is good to ~1e-12). "full" is the whole zero-padded result; "same" and "valid" are
    cropped from it exactly where convolve2d's outputs lie: "same" starts at row (kh-1)//2,
    column (kw-1)//2; "valid" at row kh-1, column kw-1.

    Raises:
    - ValueError naming `mode`: any other mode, and "valid" with a kernel larger than the
      image in either axis (as convolve2d).
    - ValueError naming `kernel`: not 2-D, empty, or not real-valued.
    - ValueError naming `image`: not 2-D or 3-D, empty, or not real-valued.
    """
    # TODO
    # Hint: np.fft.fft2(a, s=shape) zero-pads a to `shape`. For a 3-D image transform only axes
    #   (0, 1) (axes=(0, 1)); fft2's default is the LAST two axes. Keep np.real of the inverse.
    raise NotImplementedError("fft_convolve2d: not implemented yet")


def hybrid_image(far, near, sigma_low, sigma_high):
    """Hybrid image: the low frequencies of `far` plus the high frequencies of `near`.

        gaussian_blur(far, sigma_low) + (near - gaussian_blur(near, sigma_high))

    with gaussian_blur's default radius and boundary ("reflect"). Seen from far away it looks
    like `far`, from up close like `near` (Oliva, Torralba & Schyns).

    Inputs:
    - far, near: images of the same shape, (H, W) or (H, W, C), any real dtype.
    - sigma_low, sigma_high: the two blurs, finite numbers >= 0, in pixels.

    Returns: float64 array of that shape.

    Raises:
    - ValueError naming `near`: a shape other than far's.
    - ValueError naming `sigma_low` or `sigma_high`: negative or not finite.
    - ValueError naming `far` or `near`: not 2-D or 3-D, empty, or not real-valued.
    """
    # TODO
    raise NotImplementedError("hybrid_image: not implemented yet")
