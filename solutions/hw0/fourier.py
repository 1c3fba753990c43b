"""HW0 reference solution: the 2-D discrete Fourier transform with numpy (lecture "Fourier Transform").

Conventions:

* Images are real ``(H, W)`` arrays of any real dtype, converted to float64. Only
  ``fft_convolve2d`` and ``hybrid_image`` also accept ``(H, W, C)`` images (per channel).
* Spectra are *centred*: the zero frequency (the DC term, sum of all pixels) sits at
  index ``(H//2, W//2)``, as ``np.fft.fftshift`` puts it, with frequency (u - H//2,
  v - W//2) cycles per image at index (u, v). Spectra are complex128; everything else
  returned is float64.
* Bad arguments raise ``ValueError`` with a message that names the argument.
"""
import numpy as np
from filters import gaussian_blur

MODES = ("full", "same", "valid")
MASK_KINDS = ("box", "gaussian")


# ----------------------------------------------------------------------------------------
# Argument checking (plumbing)
# ----------------------------------------------------------------------------------------

def _as_real(array, name, ndims=(2,)):
    """``array`` as float64 with ``ndim`` in ``ndims`` and at least one element; else ValueError."""
    array = np.asarray(array)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real-valued array, got dtype {array.dtype}")
    if array.ndim not in ndims or array.size == 0:
        wanted = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{name} must be a non-empty {wanted} array, got shape {array.shape}")
    return array.astype(np.float64)


def _check_same_shape(name_a, a, name_b, b):
    if a.shape != b.shape:
        raise ValueError(f"{name_b} must have the shape of {name_a} {a.shape}, got {b.shape}")


def _check_nonnegative(name, value):
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


# ----------------------------------------------------------------------------------------
# Centred transforms, amplitude and phase
# ----------------------------------------------------------------------------------------

def centered_fft2(image):
    """Centred 2-D DFT: fftshift(fft2(image)).

    Inputs: image (H, W), any real dtype.

    Returns: complex128 (H, W) spectrum with the zero frequency at (H//2, W//2). The tests
    check the dtype: np.fft.fft2 of a float64 image already gives complex128 (complex64,
    or a real array, fails).

    Raises: ValueError naming `image`: not 2-D, empty, or not real-valued.
    """
    image = _as_real(image, "image")
    return np.fft.fftshift(np.fft.fft2(image))


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
    spectrum = np.asarray(spectrum)
    if spectrum.dtype.kind not in "biufc" or spectrum.ndim != 2 or spectrum.size == 0:
        raise ValueError(f"spectrum must be a non-empty 2-D numeric array, got {spectrum.dtype} {spectrum.shape}")
    # ifftshift (not fftshift) undoes fftshift: the two differ by one pixel along every axis of
    # odd length.
    return np.real(np.fft.ifft2(np.fft.ifftshift(spectrum))).astype(np.float64)


def amplitude_phase(image):
    """(amplitude, phase) = (np.abs, np.angle) of centered_fft2(image).

    Inputs: image (H, W), any real dtype.

    Returns: two float64 (H, W) arrays; phase in radians, in [-pi, pi].

    Raises: ValueError naming `image`, as centered_fft2.
    """
    spectrum = centered_fft2(image)
    return np.abs(spectrum), np.angle(spectrum)


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
    amplitude = _as_real(amplitude, "amplitude")
    phase = _as_real(phase, "phase")
    _check_same_shape("amplitude", amplitude, "phase", phase)
    return centered_ifft2(amplitude * np.exp(1j * phase))


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
    amp_a, phase_a = amplitude_phase(image_a)
    amp_b, phase_b = amplitude_phase(image_b)
    _check_same_shape("image_a", amp_a, "image_b", amp_b)
    return from_amplitude_phase(amp_a, phase_b), from_amplitude_phase(amp_b, phase_a)


# ----------------------------------------------------------------------------------------
# Frequency-domain filtering
# ----------------------------------------------------------------------------------------

def _check_shape(shape):
    try:
        H, W = (int(n) for n in shape)
    except (TypeError, ValueError):
        raise ValueError(f"shape must be a pair of positive integers (H, W), got {shape!r}") from None
    if H < 1 or W < 1 or (H, W) != tuple(shape):
        raise ValueError(f"shape must be a pair of positive integers (H, W), got {shape!r}")
    return H, W


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
    H, W = _check_shape(shape)
    _check_nonnegative("cutoff", cutoff)
    if kind not in MASK_KINDS:
        raise ValueError(f"kind must be one of {MASK_KINDS}, got {kind!r}")
    du = np.arange(H)[:, None] - H // 2    # (H, 1): broadcasting builds the (H, W) grid
    dv = np.arange(W)[None, :] - W // 2    # (1, W)
    if kind == "box":
        return ((np.abs(du) <= cutoff) & (np.abs(dv) <= cutoff)).astype(np.float64)
    dist2 = (du**2 + dv**2).astype(np.float64)
    if cutoff == 0:
        return (dist2 == 0).astype(np.float64)
    return np.exp(-dist2 / (2.0 * cutoff**2))


def high_pass_mask(shape, cutoff, kind="box"):
    """1 - low_pass_mask(shape, cutoff, kind): keeps exactly what the low-pass removes.

    Inputs: shape, cutoff and kind as in low_pass_mask.

    Returns: float64 (H, W) mask.

    Raises: ValueError naming `shape`, `cutoff` or `kind`, as low_pass_mask.
    """
    return 1.0 - low_pass_mask(shape, cutoff, kind)


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
    image = _as_real(image, "image")
    mask = _as_real(mask, "mask")
    _check_same_shape("image", image, "mask", mask)
    return centered_ifft2(centered_fft2(image) * mask)


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
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    image = _as_real(image, "image", ndims=(2, 3))
    kernel = _as_real(kernel, "kernel")
    (H, W), (kh, kw) = image.shape[:2], kernel.shape
    if mode == "valid" and (kh > H or kw > W):
        raise ValueError(f"mode='valid' needs a kernel no larger than the image in both axes, "
                         f"got image {H}x{W} and kernel {kh}x{kw}")

    full_shape = (H + kh - 1, W + kw - 1)
    # s=full_shape zero-pads both arrays at the end before transforming.
    image_f = np.fft.fft2(image, s=full_shape, axes=(0, 1))
    kernel_f = np.fft.fft2(kernel, s=full_shape)
    if image.ndim == 3:
        kernel_f = kernel_f[:, :, None]         # the same kernel for every channel
    full = np.real(np.fft.ifft2(image_f * kernel_f, axes=(0, 1)))

    if mode == "full":
        return full
    if mode == "same":
        top, left = (kh - 1) // 2, (kw - 1) // 2
        return full[top:top + H, left:left + W]
    return full[kh - 1:H, kw - 1:W]


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
    far = _as_real(far, "far", ndims=(2, 3))
    near = _as_real(near, "near", ndims=(2, 3))
    _check_same_shape("far", far, "near", near)
    _check_nonnegative("sigma_low", sigma_low)
    _check_nonnegative("sigma_high", sigma_high)
    return gaussian_blur(far, sigma_low) + (near - gaussian_blur(near, sigma_high))
