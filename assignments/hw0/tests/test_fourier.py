"""Public tests for fourier.py: centred spectra, amplitude and phase, masks, the convolution theorem.

Run them with ``pytest tests/test_fourier.py``. Odd sizes matter in this file: fftshift and
ifftshift differ only when a side is odd, and the centre of a mask is (H//2, W//2).
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_raises, assert_scalar_close, check_array, context, unpack


def _cosine(shape, fy, fx, phase=0.0):
    """cos(2 pi (fy y / H + fx x / W) + phase): a wave with fy, fx cycles per image."""
    H, W = shape
    y, x = np.mgrid[0:H, 0:W]
    return np.cos(2 * np.pi * (fy * y / H + fx * x / W) + phase)


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(6, 8), (5, 7)], ids=["even", "odd"])
def test_centered_fft2_puts_dc_in_the_middle(hw, shape):
    """centered_fft2: the zero frequency (sum of all pixels) sits at (H//2, W//2)"""
    image = np.ones(shape)
    spectrum = check_array(hw.fourier.centered_fft2(image), shape=shape, dtype=np.complex128)
    expected = np.zeros(shape, dtype=np.complex128)
    expected[shape[0] // 2, shape[1] // 2] = image.size
    assert_close(spectrum, expected, atol=1e-9, dtype=np.complex128)


@pytest.mark.points(1)
def test_round_trip_odd_size(hw):
    """centered_ifft2(centered_fft2(x)) gives x back, real, for a 5x7 image"""
    image = np.random.default_rng(1).random((5, 7))
    back = hw.fourier.centered_ifft2(hw.fourier.centered_fft2(image))
    assert_close(back, image, atol=1e-12)
    # Only a zero frequency (at the centre (2, 3)) equal to the number of pixels: all ones.
    dc = np.zeros((5, 7), dtype=np.complex128)
    dc[2, 3] = 35.0
    with context("centered_ifft2 of a spectrum that holds only the zero frequency, 35 at (2, 3)"):
        assert_close(hw.fourier.centered_ifft2(dc), np.ones((5, 7)), atol=1e-12)


@pytest.mark.points(1)
def test_amplitude_phase_of_a_cosine(hw):
    """amplitude_phase: a cosine with 2 cycles along x has two peaks at (H//2, W//2 +- 2)"""
    image = _cosine((8, 8), 0, 2, phase=np.pi / 3)
    amplitude, phase = unpack(hw.fourier.amplitude_phase(image), ["amplitude", "phase"])
    expected = np.zeros((8, 8))
    expected[4, 2] = expected[4, 6] = 32.0      # H * W / 2 each
    assert_close(amplitude, expected, atol=1e-9)
    assert_scalar_close(phase[4, 6], np.pi / 3, atol=1e-9, what="the phase at the +2 cycles peak (4, 6)")
    assert_scalar_close(phase[4, 2], -np.pi / 3, atol=1e-9, what="the phase at the -2 cycles peak (4, 2)")


@pytest.mark.points(1)
def test_from_amplitude_phase_round_trip(hw):
    """from_amplitude_phase(*amplitude_phase(x)) gives x back (odd and even sides)"""
    image = np.random.default_rng(2).normal(size=(6, 9))
    amplitude, phase = unpack(hw.fourier.amplitude_phase(image), ["amplitude", "phase"])
    assert_close(hw.fourier.from_amplitude_phase(amplitude, phase), image, atol=1e-12)


@pytest.mark.points(1)
def test_swap_phase_moves_the_structure(hw):
    """swap_phase: (amplitude of a + phase of b, amplitude of b + phase of a), in that order"""
    a = _cosine((8, 8), 0, 1)          # same amplitude spectrum, phases differ:
    b = _cosine((8, 8), 0, 1, np.pi)   # b = -a, so swapping the phases swaps the images
    ab, ba = unpack(hw.fourier.swap_phase(a, b), ["a_amplitude_b_phase", "b_amplitude_a_phase"])
    assert_close(ab, b, atol=1e-12, what="the first result (amplitude of a, phase of b)")
    assert_close(ba, a, atol=1e-12, what="the second result (amplitude of b, phase of a)")


@pytest.mark.points(1)
def test_box_low_pass_mask(hw):
    """low_pass_mask box: 1 where |u - H//2| <= cutoff and |v - W//2| <= cutoff (borders included)"""
    expected = np.zeros((5, 6))
    expected[1:4, 2:5] = 1.0                    # centre (2, 3), cutoff 1
    assert_close(hw.fourier.low_pass_mask((5, 6), 1), expected)
    assert_close(hw.fourier.high_pass_mask((5, 6), 1), 1.0 - expected)


@pytest.mark.points(1)
def test_gaussian_low_pass_mask(hw):
    """low_pass_mask gaussian: exp(-d^2 / (2 cutoff^2)), d the distance to (H//2, W//2)"""
    mask = check_array(hw.fourier.low_pass_mask((5, 4), 2.0, kind="gaussian"), shape=(5, 4), dtype=np.float64)
    du, dv = np.mgrid[0:5, 0:4]
    assert_close(mask, np.exp(-((du - 2) ** 2 + (dv - 2) ** 2) / 8.0))


@pytest.mark.points(1)
def test_frequency_filter_keeps_what_the_mask_keeps(hw):
    """frequency_filter: an all-ones mask changes nothing; a DC-only mask leaves the mean"""
    image = np.random.default_rng(3).random((7, 6))
    assert_close(hw.fourier.frequency_filter(image, np.ones((7, 6))), image, atol=1e-12)
    dc_only = np.zeros((7, 6))
    dc_only[3, 3] = 1.0
    with context("mask with a single 1 at the centre (the zero frequency)"):
        assert_close(hw.fourier.frequency_filter(image, dc_only), np.full((7, 6), image.mean()), atol=1e-12)
    # A low-pass removes a fast wave and keeps a slow one.
    slow, fast = _cosine((16, 16), 1, 0), _cosine((16, 16), 0, 6)
    with context("box low-pass with cutoff 3 on a slow + fast wave"):
        assert_close(hw.fourier.frequency_filter(slow + fast, hw.fourier.low_pass_mask((16, 16), 3)), slow,
                     atol=1e-12)


@pytest.mark.points(1)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_fft_convolve2d_is_linear_convolution(hw, mode):
    """fft_convolve2d: equals direct (zero-boundary) convolution: zero padding stops the wrap-around"""
    rng = np.random.default_rng(4)
    image, kernel = rng.random((6, 7)), rng.random((3, 4))
    # Direct 'full' convolution, by adding a scaled copy of the kernel at every pixel.
    full = np.zeros((8, 10))
    for y in range(6):
        for x in range(7):
            full[y:y + 3, x:x + 4] += image[y, x] * kernel
    expected = {"full": full, "same": full[1:7, 1:8], "valid": full[2:6, 3:7]}[mode]
    assert_close(hw.fourier.fft_convolve2d(image, kernel, mode=mode), expected, atol=1e-10)


@pytest.mark.points(1)
def test_hybrid_image(hw):
    """hybrid_image: blur(far, sigma_low) + (near - blur(near, sigma_high))"""
    # A flat far image stays flat when blurred; a bright pixel in the middle of a 9x9 near
    # image loses its blur (sigma 1: the 7x7 Gaussian kernel, inside the image).
    far, near = np.full((9, 9), 3.0), np.zeros((9, 9))
    near[4, 4] = 1.0
    x = np.arange(-3.0, 4.0)
    g = np.exp(-x**2 / 2)
    expected = far + near
    expected[1:8, 1:8] -= np.outer(g, g) / g.sum() ** 2
    with context("far = 3 everywhere, near = a single bright pixel at (4, 4), sigma_low 2, sigma_high 1"):
        assert_close(hw.fourier.hybrid_image(far, near, 2.0, 1.0), expected, atol=1e-12)
    rng = np.random.default_rng(5)
    far, near = rng.random((9, 8)), rng.random((9, 8))
    expected = hw.filters.gaussian_blur(far, 2.0) + near - hw.filters.gaussian_blur(near, 1.0)
    assert_close(hw.fourier.hybrid_image(far, near, 2.0, 1.0), expected, atol=1e-12)


@pytest.mark.points(1)
def test_bad_arguments_raise_value_error(hw):
    """fourier: bad arguments raise ValueError naming the argument"""
    with context("the same calls with good arguments work"):
        assert_close(hw.fourier.low_pass_mask((3, 3), 0), [[0, 0, 0], [0, 1, 0], [0, 0, 0]])
        assert_close(hw.fourier.fft_convolve2d(np.ones((2, 2)), np.ones((1, 2)), mode="full"),
                     [[1, 2, 1], [1, 2, 1]], atol=1e-12)
    assert_raises(ValueError, hw.fourier.low_pass_mask, (4, 4), 1, kind="triangle", mentions=["kind"])
    assert_raises(ValueError, hw.fourier.low_pass_mask, (4, 4), -1, mentions=["cutoff"])
    assert_raises(ValueError, hw.fourier.fft_convolve2d, np.ones((4, 4)), np.ones((2, 2)), mode="circular",
                  mentions=["mode"])
    assert_raises(ValueError, hw.fourier.frequency_filter, np.ones((4, 4)), np.ones((4, 5)), mentions=["mask"])
