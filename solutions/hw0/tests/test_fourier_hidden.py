"""Hidden tests for fourier.py: the student's functions against the reference on seeded inputs.

Odd and even sides everywhere (fftshift vs ifftshift, mask centres), spectra that are not
Hermitian (so dropping the imaginary part, or taking abs, shows), integer and non-integer
cutoffs, every convolution mode with odd and even kernels and colour images, photographs
(skimage.data, downsampled: phase swaps and hybrid images), and the error contract (which
first checks that the good calls work). Tolerances: spectra of O(1) images up to 16x16 have entries up to ~256, and a
correct DFT computed another way (a DFT matrix, a different FFT) agrees to ~1e-12 there;
the spec allows fft_convolve2d 1e-8.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_raises, check_array, context, unpack
from shared.real_data import hw0_photo

SHAPES = [(8, 8), (7, 9), (6, 5), (9, 12)]     # even/even, odd/odd, even/odd, odd/even
TOL = {"atol": 1e-9, "rtol": 1e-9}


@pytest.mark.points(2)
def test_centered_fft2(hw, ref, rng):
    """centered_fft2: against the reference, odd and even sides, integer input"""
    for shape in SHAPES:
        image = rng.normal(size=shape)
        with context(f"image {shape}"):
            assert_close(hw.fourier.centered_fft2(image), ref.fourier.centered_fft2(image), dtype=np.complex128, **TOL)
    image = rng.integers(0, 256, size=(5, 6)).astype(np.uint8)
    with context("uint8 image (5, 6)"):
        assert_close(hw.fourier.centered_fft2(image), ref.fourier.centered_fft2(image), dtype=np.complex128,
                     atol=1e-7, rtol=1e-9)


@pytest.mark.points(1)
def test_centered_ifft2(hw, ref, rng):
    """centered_ifft2: any centred spectrum (not only a real image's), odd and even sides"""
    for shape in SHAPES:
        spectrum = rng.normal(size=shape) + 1j * rng.normal(size=shape)
        with context(f"spectrum {shape}"):
            assert_close(hw.fourier.centered_ifft2(spectrum), ref.fourier.centered_ifft2(spectrum), **TOL)


@pytest.mark.points(2)
def test_amplitude_phase(hw, ref, rng):
    """amplitude_phase: amplitude and phase of the centred spectrum, odd and even sides"""
    for shape in SHAPES:
        image = rng.normal(size=shape)
        amplitude, phase = unpack(hw.fourier.amplitude_phase(image), ["amplitude", "phase"])
        expected_amplitude, expected_phase = ref.fourier.amplitude_phase(image)
        with context(f"amplitude, image {shape}"):
            assert_close(amplitude, expected_amplitude, **TOL)
        with context(f"phase, image {shape}"):
            check_array(phase, shape=shape, dtype=np.float64)
            # Phases are compared on the circle: pi and -pi are the same angle (a real entry
            # with a -0.0 imaginary part may give either), and where the amplitude is ~0 the
            # phase means nothing.
            wrapped = np.angle(np.exp(1j * (phase - expected_phase)))
            meaningful = expected_amplitude > 1e-6
            assert_close(np.where(meaningful, wrapped, 0.0), np.zeros(shape), atol=1e-9,
                         what="the phase difference to the expected phase, wrapped to [-pi, pi]")
            assert_close(np.clip(np.abs(phase), 0, np.pi + 1e-12), np.abs(phase), atol=0,
                         what="|phase| (must lie in [0, pi])")


@pytest.mark.points(2)
def test_from_amplitude_phase(hw, ref, rng):
    """from_amplitude_phase: arbitrary amplitude and phase arrays, odd and even sides"""
    for shape in SHAPES:
        amplitude, phase = rng.random(shape) * 10, rng.uniform(-np.pi, np.pi, size=shape)
        with context(f"arrays {shape}"):
            assert_close(hw.fourier.from_amplitude_phase(amplitude, phase),
                         ref.fourier.from_amplitude_phase(amplitude, phase), **TOL)


@pytest.mark.points(1)
def test_swap_phase(hw, ref, rng):
    """swap_phase: two random images, odd and even sides, results in order"""
    for shape in SHAPES:
        a, b = rng.normal(size=shape), rng.random(shape)
        ab, ba = unpack(hw.fourier.swap_phase(a, b), ["a_amplitude_b_phase", "b_amplitude_a_phase"])
        expected_ab, expected_ba = ref.fourier.swap_phase(a, b)
        with context(f"first result, images {shape}"):
            assert_close(ab, expected_ab, **TOL)
        with context(f"second result, images {shape}"):
            assert_close(ba, expected_ba, **TOL)


@pytest.mark.points(1)
def test_swap_phase_on_photographs(hw, ref):
    """swap_phase: the cameraman and the coins (37x48), the astronaut and the cat (37x56)"""
    pairs = (("camera", "coins", (37, 48)), ("astronaut", "chelsea", (37, 56)))
    for name_a, name_b, (H, W) in pairs:
        a, b = hw0_photo(name_a)[:H, :W], hw0_photo(name_b)[:H, :W]
        ab, ba = unpack(hw.fourier.swap_phase(a, b), ["a_amplitude_b_phase", "b_amplitude_a_phase"])
        expected_ab, expected_ba = ref.fourier.swap_phase(a, b)
        with context(f"amplitude of {name_a} with the phase of {name_b} ({H}x{W})"):
            assert_close(ab, expected_ab, **TOL)
        with context(f"amplitude of {name_b} with the phase of {name_a} ({H}x{W})"):
            assert_close(ba, expected_ba, **TOL)


# cutoff 0 (the Gaussian's limit) has its own test; the box mask handles it like any cutoff.
MASK_CASES = [((8, 8), 2), ((7, 9), 2), ((6, 5), 1.5), ((9, 12), 3), ((5, 6), 10), ((10, 7), 0.4)]
BOX_CASES = MASK_CASES + [((7, 7), 0), ((6, 9), 0)]


@pytest.mark.points(1)
@pytest.mark.parametrize("kind", ["box", "gaussian"])
def test_low_pass_mask(hw, ref, kind):
    """low_pass_mask: integer and fractional cutoffs, huge cutoffs, odd and even sides"""
    for shape, cutoff in BOX_CASES if kind == "box" else MASK_CASES:
        with context(f"shape={shape}, cutoff={cutoff}"):
            assert_close(hw.fourier.low_pass_mask(shape, cutoff, kind=kind),
                         ref.fourier.low_pass_mask(shape, cutoff, kind=kind), atol=1e-14)


@pytest.mark.points(1)
def test_high_pass_mask(hw, ref):
    """high_pass_mask: both kinds, odd and even sides"""
    for kind in ("box", "gaussian"):
        for shape, cutoff in BOX_CASES if kind == "box" else MASK_CASES:
            with context(f"kind={kind!r}, shape={shape}, cutoff={cutoff}"):
                assert_close(hw.fourier.high_pass_mask(shape, cutoff, kind=kind),
                             ref.fourier.high_pass_mask(shape, cutoff, kind=kind), atol=1e-14)


@pytest.mark.points(1)
def test_gaussian_mask_cutoff_zero(hw):
    """low_pass_mask/high_pass_mask gaussian: cutoff 0 keeps only the centre (H//2, W//2)"""
    for shape in ((7, 7), (6, 9)):
        centre = np.zeros(shape)
        centre[shape[0] // 2, shape[1] // 2] = 1.0
        with context(f"low_pass_mask({shape}, 0, kind='gaussian')"):
            assert_close(hw.fourier.low_pass_mask(shape, 0, kind="gaussian"), centre, atol=1e-14)
        with context(f"high_pass_mask({shape}, 0, kind='gaussian')"):
            assert_close(hw.fourier.high_pass_mask(shape, 0, kind="gaussian"), 1.0 - centre, atol=1e-14)


@pytest.mark.points(2)
def test_frequency_filter(hw, ref, rng):
    """frequency_filter: low-, high-pass and arbitrary masks, odd and even sides"""
    for shape in SHAPES:
        image = rng.normal(size=shape)
        masks = {"box low-pass": ref.fourier.low_pass_mask(shape, 2),
                 "gaussian high-pass": ref.fourier.high_pass_mask(shape, 1.5, kind="gaussian"),
                 "random mask": rng.random(shape)}
        for label, mask in masks.items():
            with context(f"{label}, image {shape}"):
                assert_close(hw.fourier.frequency_filter(image, mask), ref.fourier.frequency_filter(image, mask), **TOL)


@pytest.mark.points(1)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_fft_convolve2d(hw, ref, rng, mode):
    """fft_convolve2d: odd, even and rectangular kernels, odd and even images"""
    for image_shape, kernel_shape in (((9, 8), (3, 3)), ((8, 10), (4, 2)), ((7, 7), (2, 5)), ((6, 9), (6, 1))):
        image, kernel = rng.normal(size=image_shape), rng.normal(size=kernel_shape)
        with context(f"image {image_shape}, kernel {kernel_shape}"):
            assert_close(hw.fourier.fft_convolve2d(image, kernel, mode=mode),
                         ref.fourier.fft_convolve2d(image, kernel, mode=mode), atol=1e-8, rtol=1e-8)


@pytest.mark.points(1)
def test_fft_convolve2d_color(hw, ref, rng):
    """fft_convolve2d: an (H, W, 3) image, per channel, every mode"""
    image, kernel = rng.normal(size=(8, 7, 3)), rng.normal(size=(3, 4))
    for mode in ("full", "same", "valid"):
        with context(f"mode={mode!r}"):
            assert_close(hw.fourier.fft_convolve2d(image, kernel, mode=mode),
                         ref.fourier.fft_convolve2d(image, kernel, mode=mode), atol=1e-8, rtol=1e-8)


@pytest.mark.points(1)
def test_hybrid_image(hw, ref, rng):
    """hybrid_image: 2-D and colour images, different sigmas"""
    for shape, sigma_low, sigma_high in (((12, 11), 2.0, 0.7), ((10, 10, 3), 1.5, 3.0), ((9, 8), 0.5, 1.0)):
        far, near = rng.normal(size=shape), rng.normal(size=shape)
        with context(f"images {shape}, sigma_low={sigma_low}, sigma_high={sigma_high}"):
            assert_close(hw.fourier.hybrid_image(far, near, sigma_low, sigma_high),
                         ref.fourier.hybrid_image(far, near, sigma_low, sigma_high), atol=1e-10, rtol=1e-10)


@pytest.mark.points(1)
def test_hybrid_image_on_photographs(hw, ref):
    """hybrid_image: the cameraman far away, the astronaut close up (64x64); the cat and coffee in colour"""
    cases = (("camera", "astronaut", (64, 64), False, 3.0, 1.5),
             ("chelsea", "coffee", (37, 56), True, 2.0, 1.0))
    for far_name, near_name, (H, W), color, sigma_low, sigma_high in cases:
        far = hw0_photo(far_name, color=color)[:H, :W]
        near = hw0_photo(near_name, color=color)[:H, :W]
        with context(f"far = {far_name}, near = {near_name}, {far.shape}, sigma_low={sigma_low}, "
                     f"sigma_high={sigma_high}"):
            assert_close(hw.fourier.hybrid_image(far, near, sigma_low, sigma_high),
                         ref.fourier.hybrid_image(far, near, sigma_low, sigma_high), atol=1e-10, rtol=1e-10)


@pytest.mark.points(1)
def test_fourier_error_contract(hw, ref, rng):
    """fourier: ValueError naming the argument for bad shapes, kinds, cutoffs and modes"""
    f = hw.fourier
    a, b = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    with context("the good calls work: hybrid_image, low_pass_mask, fft_convolve2d"):
        assert_close(f.hybrid_image(a, b, 1.0, 1.0), ref.fourier.hybrid_image(a, b, 1.0, 1.0), atol=1e-10)
        assert_close(f.low_pass_mask((4, 4), 1, kind="box"), ref.fourier.low_pass_mask((4, 4), 1, kind="box"))
        kernel = b[:2, :3]
        assert_close(f.fft_convolve2d(a, kernel, mode="valid"), ref.fourier.fft_convolve2d(a, kernel, mode="valid"),
                     atol=1e-8)
    assert_raises(ValueError, f.from_amplitude_phase, np.ones((4, 4)), np.ones((4, 5)), mentions=["phase"])
    assert_raises(ValueError, f.swap_phase, np.ones((4, 4)), np.ones((5, 4)), mentions=["image_b"])
    assert_raises(ValueError, f.hybrid_image, np.ones((4, 4)), np.ones((4, 3)), 1.0, 1.0, mentions=["near"])
    assert_raises(ValueError, f.hybrid_image, np.ones((4, 4)), np.ones((4, 4)), -1.0, 1.0, mentions=["sigma_low"])
    assert_raises(ValueError, f.hybrid_image, np.ones((4, 4)), np.ones((4, 4)), 1.0, -1.0, mentions=["sigma_high"])
    for fn in (f.low_pass_mask, f.high_pass_mask):
        assert_raises(ValueError, fn, (4, 4), 2, kind="Box", mentions=["kind"])
        assert_raises(ValueError, fn, (4, 4), -0.5, mentions=["cutoff"])
        assert_raises(ValueError, fn, (0, 4), 2, mentions=["shape"])
        assert_raises(ValueError, fn, (4, -3), 2, mentions=["shape"])
    assert_raises(ValueError, f.frequency_filter, np.ones((4, 4)), np.ones((5, 4)), mentions=["mask"])
    assert_raises(ValueError, f.fft_convolve2d, np.ones((4, 4)), np.ones((3, 3)), mode="Same", mentions=["mode"])
    assert_raises(ValueError, f.fft_convolve2d, np.ones((4, 4)), np.ones(3), mentions=["kernel"])
    assert_raises(ValueError, f.fft_convolve2d, np.ones((4, 4)), np.ones((5, 2)), mode="valid", mentions=["mode"])
