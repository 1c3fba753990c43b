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
    """
    image = _as_real(image, "image")
    return np.fft.fftshift(np.fft.fft2(image))


def centered_ifft2(spectrum):
    """Inverse of centered_fft2: real(ifft2(ifftshift(spectrum))).

    ifftshift (not fftshift) undoes fftshift: the two differ by one pixel along every
    axis of odd length. The imaginary part is dropped: it is ~1e-16 for the spectrum of a
    real image, and dropping it is the right projection when a filter broke the symmetry.

    Inputs: spectrum (H, W), complex or real, centred as centered_fft2 returns it.
    Returns: float64 (H, W).
    """
    spectrum = np.asarray(spectrum)
    if spectrum.dtype.kind not in "biufc" or spectrum.ndim != 2 or spectrum.size == 0:
        raise ValueError(f"spectrum must be a non-empty 2-D numeric array, got {spectrum.dtype} {spectrum.shape}")
    return np.real(np.fft.ifft2(np.fft.ifftshift(spectrum))).astype(np.float64)


def amplitude_phase(image):
    """(amplitude, phase) = (abs, angle) of centered_fft2(image).

    Inputs: image (H, W). Returns: two float64 (H, W) arrays; phase in radians, [-pi, pi].
    """
    spectrum = centered_fft2(image)
    return np.abs(spectrum), np.angle(spectrum)


def from_amplitude_phase(amplitude, phase):
    """The real image whose centred spectrum is amplitude * exp(i * phase).

    Inputs: amplitude, phase: real (H, W) arrays of the same shape (phase in radians).
    Returns: float64 (H, W): centered_ifft2(amplitude * exp(1j * phase)).
    """
    amplitude = _as_real(amplitude, "amplitude")
    phase = _as_real(phase, "phase")
    _check_same_shape("amplitude", amplitude, "phase", phase)
    return centered_ifft2(amplitude * np.exp(1j * phase))


def swap_phase(image_a, image_b):
    """Swap the phases of two images of the same shape (phase carries the structure).

    Returns: (amplitude of a with phase of b, amplitude of b with phase of a), two
    float64 (H, W) images.
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
    """Centred low-pass mask, to multiply a centred spectrum with.

    With du = u - H//2 and dv = v - W//2 (frequency offsets from the centre):
    - "box":      1.0 where |du| <= cutoff and |dv| <= cutoff, else 0.0 (a square).
    - "gaussian": exp(-(du^2 + dv^2) / (2 cutoff^2)) (cutoff = 0 keeps only the centre).

    Inputs: shape (H, W) of positive ints; cutoff >= 0, in frequency samples; kind.
    Returns: float64 (H, W) array with values in [0, 1], equal to 1 at (H//2, W//2).
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
    """1 - low_pass_mask(shape, cutoff, kind): keeps what the low-pass removes."""
    return 1.0 - low_pass_mask(shape, cutoff, kind)


def frequency_filter(image, mask):
    """Filter in the frequency domain: centered_ifft2(centered_fft2(image) * mask).

    Inputs: image (H, W); mask: real (H, W) centred mask (e.g. from low_pass_mask).
    Returns: float64 (H, W) filtered image.
    """
    image = _as_real(image, "image")
    mask = _as_real(mask, "mask")
    _check_same_shape("image", image, "mask", mask)
    return centered_ifft2(centered_fft2(image) * mask)


def fft_convolve2d(image, kernel, mode="full"):
    """Convolution via the convolution theorem: ifft2(fft2(image) * fft2(kernel)).

    The DFT product is a *circular* convolution. Zero-padding both arrays to the full
    output size (H+kh-1, W+kw-1) makes it the linear one, because nothing wraps around
    any more. "same" and "valid" are then cropped from the full result exactly as
    convolve2d(..., boundary="zero") crops them: "same" starts at ((kh-1)//2, (kw-1)//2),
    "valid" at (kh-1, kw-1). "valid" with a kernel larger than the image raises ValueError.

    Inputs: image (H, W) or (H, W, C) (per channel); kernel (kh, kw); mode as convolve2d.
    Returns: float64, shaped as convolve2d's result; equal to it to ~1e-12.
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
    """Hybrid image (Oliva, Torralba & Schyns): low frequencies of `far` + high of `near`.

    gaussian_blur(far, sigma_low) + (near - gaussian_blur(near, sigma_high)); from far
    away you see `far`, from close up `near`.

    Inputs: far, near: images of the same shape, (H, W) or (H, W, C); sigma_low,
    sigma_high >= 0 in pixels (blur boundary: gaussian_blur's default, "reflect").
    Returns: float64 array of that shape.
    """
    far = _as_real(far, "far", ndims=(2, 3))
    near = _as_real(near, "near", ndims=(2, 3))
    _check_same_shape("far", far, "near", near)
    _check_nonnegative("sigma_low", sigma_low)
    _check_nonnegative("sigma_high", sigma_high)
    return gaussian_blur(far, sigma_low) + (near - gaussian_blur(near, sigma_high))
