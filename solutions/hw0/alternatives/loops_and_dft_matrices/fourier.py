"""A second correct HW0 fourier.py: DFT matrices instead of np.fft for the centred transforms,
rfft2 for the convolution theorem, meshgrid masks. `cvgrade check` demands full marks for it.
"""
import numpy as np
from filters import gaussian_blur


def _centred_dft(n, sign):
    """exp(sign 2 pi i (u - n//2) y / n): row u is the centred frequency u - n//2."""
    u = np.arange(n)[:, None] - n // 2
    y = np.arange(n)[None, :]
    return np.exp(sign * 2j * np.pi * u * y / n)


def centered_fft2(image):
    image = np.asarray(image, dtype=np.float64)
    H, W = image.shape
    return _centred_dft(H, -1) @ image @ _centred_dft(W, -1).T


def centered_ifft2(spectrum):
    spectrum = np.asarray(spectrum, dtype=np.complex128)
    H, W = spectrum.shape
    image = _centred_dft(H, -1).conj().T @ spectrum @ _centred_dft(W, -1).conj()
    return (image / (H * W)).real.copy()


def amplitude_phase(image):
    spectrum = centered_fft2(image)
    return np.abs(spectrum), np.arctan2(spectrum.imag, spectrum.real)


def from_amplitude_phase(amplitude, phase):
    amplitude, phase = np.asarray(amplitude, float), np.asarray(phase, float)
    if amplitude.shape != phase.shape:
        raise ValueError("phase and amplitude differ in shape")
    return centered_ifft2(amplitude * (np.cos(phase) + 1j * np.sin(phase)))


def swap_phase(image_a, image_b):
    if np.shape(image_a) != np.shape(image_b):
        raise ValueError("image_b must match image_a in shape")
    amp_a, ph_a = amplitude_phase(image_a)
    amp_b, ph_b = amplitude_phase(image_b)
    return from_amplitude_phase(amp_a, ph_b), from_amplitude_phase(amp_b, ph_a)


def low_pass_mask(shape, cutoff, kind="box"):
    if len(shape) != 2 or min(shape) < 1:
        raise ValueError(f"bad shape {shape}")
    if cutoff < 0:
        raise ValueError("cutoff must be >= 0")
    if kind not in ("box", "gaussian"):
        raise ValueError(f"unknown kind {kind!r}")
    H, W = shape
    v, u = np.meshgrid(np.arange(W) - W // 2, np.arange(H) - H // 2)
    if kind == "box":
        return np.where((np.abs(u) <= cutoff) & (np.abs(v) <= cutoff), 1.0, 0.0)
    if cutoff == 0:
        return np.where((u == 0) & (v == 0), 1.0, 0.0)
    return np.exp(-(u**2 + v**2) / (2 * cutoff**2))


def high_pass_mask(shape, cutoff, kind="box"):
    return 1 - low_pass_mask(shape, cutoff, kind)


def frequency_filter(image, mask):
    if np.shape(mask) != np.shape(image):
        raise ValueError("mask must have the image's shape")
    return centered_ifft2(centered_fft2(image) * np.asarray(mask, float))


def fft_convolve2d(image, kernel, mode="full"):
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"bad mode {mode!r}")
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    if kernel.ndim != 2:
        raise ValueError("kernel must be 2-D")
    H, W = image.shape[:2]
    kh, kw = kernel.shape
    if mode == "valid" and (kh > H or kw > W):
        raise ValueError("mode 'valid': kernel larger than image")
    s = (H + kh - 1, W + kw - 1)
    if image.ndim == 3:
        return np.stack([fft_convolve2d(image[..., c], kernel, mode) for c in range(image.shape[2])], axis=-1)
    full = np.fft.irfft2(np.fft.rfft2(image, s) * np.fft.rfft2(kernel, s), s)
    if mode == "full":
        return full
    if mode == "same":
        return full[(kh - 1) // 2:(kh - 1) // 2 + H, (kw - 1) // 2:(kw - 1) // 2 + W]
    return full[kh - 1:H, kw - 1:W]


def hybrid_image(far, near, sigma_low, sigma_high):
    if np.shape(far) != np.shape(near):
        raise ValueError("near must match far in shape")
    if sigma_low < 0 or sigma_high < 0:
        raise ValueError(f"sigma_low and sigma_high must be >= 0 (sigma_low={sigma_low}, sigma_high={sigma_high})")
    return gaussian_blur(far, sigma_low) - gaussian_blur(near, sigma_high) + near
