"""A second correct HW0 filters.py, written the way a different student would.

Sliding windows and einsum instead of shifted slices, np.gradient for derivatives, explicit
neighbour sums for the Laplacian, a product test for zero crossings. `cvgrade check` grades
it and demands full marks: the tests must reward behaviour, not the reference's style.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

_PAD = {"zero": "constant", "reflect": "symmetric", "wrap": "wrap"}


def _prepare(image, kernel, mode, boundary):
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"unknown mode {mode!r}")
    if boundary not in _PAD:
        raise ValueError(f"unknown boundary {boundary!r}")
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 2:
        raise ValueError("kernel must be 2-D")
    if image.ndim not in (2, 3):
        raise ValueError("image must be 2-D or 3-D")
    if mode == "valid" and (kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]):
        raise ValueError("mode 'valid' needs the kernel to fit inside the image")
    return image, kernel


def _correlate(image, kernel, before, mode, boundary):
    kh, kw = kernel.shape
    if mode == "full":
        widths = ((kh - 1, kh - 1), (kw - 1, kw - 1))
    elif mode == "same":
        widths = ((before[0], kh - 1 - before[0]), (before[1], kw - 1 - before[1]))
    else:
        widths = ((0, 0), (0, 0))
    if image.ndim == 3:
        return np.stack([_correlate(image[..., c], kernel, before, mode, boundary)
                         for c in range(image.shape[2])], axis=-1)
    padded = np.pad(image, widths, mode=_PAD[boundary])
    windows = sliding_window_view(padded, (kh, kw))
    return np.einsum("ijmn,mn->ij", windows, kernel)


def correlate2d(image, kernel, mode="same", boundary="zero"):
    image, kernel = _prepare(image, kernel, mode, boundary)
    kh, kw = kernel.shape
    return _correlate(image, kernel, ((kh - 1) // 2, (kw - 1) // 2), mode, boundary)


def convolve2d(image, kernel, mode="same", boundary="zero"):
    image, kernel = _prepare(image, kernel, mode, boundary)
    kh, kw = kernel.shape
    return _correlate(image, np.flip(kernel), (kh // 2, kw // 2), mode, boundary)


def shift_kernel(dy, dx):
    for name, value in (("dy", dy), ("dx", dx)):
        if value != int(value):
            raise ValueError(f"{name} must be a whole number of pixels, got {value}")
    r = max(abs(int(dy)), abs(int(dx)))
    k = np.zeros((2 * r + 1, 2 * r + 1))
    k[r + int(dy), r + int(dx)] = 1
    return k


def box_kernel(size):
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    return np.ones((size, size)) / (size * size)


def gaussian_kernel_1d(sigma, radius=None):
    if sigma < 0:
        raise ValueError("sigma must be >= 0")
    if radius is None:
        radius = int(np.ceil(3 * sigma))
    elif radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    values = []
    for x in range(-radius, radius + 1):
        values.append(np.exp(-x * x / (2 * sigma * sigma)) if sigma > 0 else float(x == 0))
    values = np.array(values, dtype=np.float64)
    return values / values.sum()


def gaussian_kernel(sigma, radius=None):
    g = gaussian_kernel_1d(sigma, radius)
    return g[:, None] * g[None, :]


def gaussian_blur(image, sigma, radius=None, boundary="reflect"):
    g = gaussian_kernel_1d(sigma, radius)
    rows = convolve2d(image, g.reshape(1, -1), "same", boundary)
    return convolve2d(rows, g.reshape(-1, 1), "same", boundary)


def image_gradients(image):
    image = np.asarray(image, dtype=np.float64)
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise ValueError(f"image needs two rows and two columns for differences, got {image.shape}")
    return np.gradient(image, axis=1), np.gradient(image, axis=0)


def gradient_magnitude_orientation(image):
    gx, gy = image_gradients(image)
    return np.sqrt(gx**2 + gy**2), np.arctan2(gy, gx)


def laplacian(image, boundary="reflect"):
    image = np.asarray(image, dtype=np.float64)
    widths = ((1, 1), (1, 1)) + ((0, 0),) * (image.ndim - 2)
    p = np.pad(image, widths, mode=_PAD[boundary])
    return p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4 * p[1:-1, 1:-1]


def laplacian_of_gaussian(image, sigma):
    return laplacian(gaussian_blur(image, sigma))


def zero_crossing_edges(image, sigma, threshold):
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    log = laplacian_of_gaussian(image, sigma)
    right = np.zeros(log.shape, bool)
    below = np.zeros(log.shape, bool)
    right[:, :-1] = (log[:, :-1] * log[:, 1:] < 0) & (np.abs(log[:, :-1] - log[:, 1:]) > threshold)
    below[:-1] = (log[:-1] * log[1:] < 0) & (np.abs(log[:-1] - log[1:]) > threshold)
    return right | below


def sharpen(image, sigma, alpha):
    image = np.asarray(image, dtype=np.float64)
    return (1 + alpha) * image - alpha * gaussian_blur(image, sigma)
