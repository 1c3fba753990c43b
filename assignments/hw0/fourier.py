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
    """
    # TODO
    raise NotImplementedError("centered_fft2: not implemented yet")


def centered_ifft2(spectrum):
    """Inverse of centered_fft2: the real part of ifft2(ifftshift(spectrum)).

    Inputs: spectrum (H, W), complex, centred.
    Returns: float64 (H, W) image: the REAL part (np.real), not the absolute value, which
    would turn every negative pixel positive.

    Hint: ifftshift undoes fftshift; fftshift does not undo itself when a side is odd
    (try np.fft.fftshift(np.arange(5)) twice). Test your round trip on odd sizes.
    """
    # TODO
    raise NotImplementedError("centered_ifft2: not implemented yet")


def amplitude_phase(image):
    """(amplitude, phase) = (np.abs, np.angle) of centered_fft2(image).

    Returns: two float64 (H, W) arrays; phase in radians.
    """
    # TODO
    raise NotImplementedError("amplitude_phase: not implemented yet")


def from_amplitude_phase(amplitude, phase):
    """The real image whose centred spectrum has this amplitude and phase.

    Lecture idea: a complex number is amplitude * exp(i * phase); rebuild the spectrum,
    then invert it with centered_ifft2.
    Inputs: amplitude, phase: real (H, W) arrays of the SAME shape (otherwise ValueError
    naming `phase`).
    Returns: float64 (H, W).
    """
    # TODO
    raise NotImplementedError("from_amplitude_phase: not implemented yet")


def swap_phase(image_a, image_b):
    """Swap the phases of two same-shaped images (the lecture's phase/amplitude demo).

    Returns: (amplitude of a with phase of b, amplitude of b with phase of a), in THIS
    order, two float64 (H, W) images. Different shapes: ValueError naming `image_b`.
    You will see that each result looks like the image whose PHASE it has.
    """
    # TODO
    raise NotImplementedError("swap_phase: not implemented yet")


def low_pass_mask(shape, cutoff, kind="box"):
    """A centred low-pass mask to multiply a centred spectrum with.

    With du = u - H//2, dv = v - W//2 (row and column offsets from the centre):
    - kind "box": 1.0 where |du| <= cutoff AND |dv| <= cutoff (a square, borders
      included), else 0.0.
    - kind "gaussian": exp(-(du^2 + dv^2) / (2 cutoff^2)); for cutoff = 0 return 1 at the
      centre and 0 elsewhere (the limit).

    Inputs: shape: (H, W), positive integers (ValueError naming `shape`); cutoff >= 0 in
    frequency samples (ValueError naming `cutoff`); kind "box" or "gaussian" (ValueError
    naming `kind`).
    Returns: float64 (H, W) mask, 1.0 at (H//2, W//2).

    Hint: np.arange(H)[:, None] and np.arange(W)[None, :] broadcast to an (H, W) grid.
    Use integer centres H//2 and W//2, not H/2.
    """
    # TODO
    raise NotImplementedError("low_pass_mask: not implemented yet")


def high_pass_mask(shape, cutoff, kind="box"):
    """1 - low_pass_mask(shape, cutoff, kind): keeps exactly what the low-pass removes.

    Returns: float64 (H, W). Errors as in low_pass_mask.
    """
    # TODO
    raise NotImplementedError("high_pass_mask: not implemented yet")


def frequency_filter(image, mask):
    """Filter an image in the frequency domain with a CENTRED mask.

    Multiply the centred spectrum (centered_fft2) by the mask and transform back
    (centered_ifft2). The mask is centred, so it must meet a centred spectrum.
    Inputs: image (H, W); mask: real (H, W) (other shape: ValueError naming `mask`).
    Returns: float64 (H, W).
    """
    # TODO
    raise NotImplementedError("frequency_filter: not implemented yet")


def fft_convolve2d(image, kernel, mode="full"):
    """Convolution via the convolution theorem: multiply the DFTs, transform back.

    Lecture idea: the DFT turns CIRCULAR convolution into a product. Zero-pad both image
    and kernel to the full output size (H+kh-1, W+kw-1) first, so nothing wraps around
    and the circular convolution equals the linear one.

    Inputs: image (H, W) or (H, W, C) (per channel); kernel (kh, kw) (not 2-D: ValueError
    naming `kernel`); mode "full", "same" or "valid" (else ValueError naming `mode`;
    "valid" with a kernel larger than the image: ValueError naming `mode`, as convolve2d).
    Returns: float64, equal to convolve2d(image, kernel, mode, boundary="zero") to 1e-8:
    "full" is the whole padded result; "same" and "valid" are cropped from it exactly where
    convolve2d's outputs lie ("same" starts at row (kh-1)//2, column (kw-1)//2).

    Hints: np.fft.fft2(a, s=shape) zero-pads a to `shape`. For a 3-D image transform only
    axes (0, 1) (axes=(0, 1)); fft2's default is the LAST two axes. Keep np.real of the
    inverse.
    """
    # TODO
    raise NotImplementedError("fft_convolve2d: not implemented yet")


def hybrid_image(far, near, sigma_low, sigma_high):
    """Hybrid image: the low frequencies of `far` plus the high frequencies of `near`.

    gaussian_blur(far, sigma_low) + (near - gaussian_blur(near, sigma_high))
    (gaussian_blur with its default boundary). Seen from far away it looks like `far`,
    from up close like `near`.

    Inputs: far, near: same shape, (H, W) or (H, W, C) (different shapes: ValueError naming
    `near`); sigma_low, sigma_high >= 0 (ValueError naming the argument).
    Returns: float64 array of that shape.
    """
    # TODO
    raise NotImplementedError("hybrid_image: not implemented yet")
