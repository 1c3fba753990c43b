"""Hidden tests for filters.py: the student's functions against the reference on seeded inputs.

What decides: every mode x boundary, odd and even (and rectangular) kernels, odd and even
image sizes, colour images, integer dtypes, the border pixels, sigma values that expose
radius and variance mistakes, exact zeros (orientation at gx = 0, zero crossings next to a
zero), photographs (skimage.data, downsampled), and the error contract (4 of the 100
points in all, the public tests included; each such test first checks that the good call
works, so raising everywhere earns nothing). Tolerances: the spec's 1e-10 for float64 filtering of O(1)
images (summation-order differences are ~1e-15), 1e-12 on exact constructions.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_raises, context, unpack
from shared.real_data import hw0_photo

MODES = ("full", "same", "valid")
BOUNDARIES = ("zero", "reflect", "wrap")
# (image shape, kernel shape): odd/even image sides, odd/even/rectangular kernels, a 1x1 kernel,
# a kernel as large as the image in one axis, a single-row image.
SHAPES = [((7, 9), (3, 3)), ((8, 6), (4, 4)), ((9, 10), (2, 5)), ((6, 7), (5, 2)),
          ((5, 5), (1, 1)), ((6, 8), (6, 3)), ((1, 9), (1, 4))]


def _compare_filter(hw, ref, rng, name, mode, boundary, shapes=SHAPES):
    for image_shape, kernel_shape in shapes:
        if mode == "valid" and (kernel_shape[0] > image_shape[0] or kernel_shape[1] > image_shape[1]):
            continue
        image = rng.normal(size=image_shape)
        kernel = rng.normal(size=kernel_shape)
        expected = getattr(ref.filters, name)(image, kernel, mode=mode, boundary=boundary)
        with context(f"image {image_shape}, kernel {kernel_shape}"):
            assert_close(getattr(hw.filters, name)(image, kernel, mode=mode, boundary=boundary), expected)


@pytest.mark.points(1)
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("mode", MODES)
def test_convolve2d_against_reference(hw, ref, rng, mode, boundary):
    """convolve2d: random images and kernels, odd/even/rectangular sizes"""
    _compare_filter(hw, ref, rng, "convolve2d", mode, boundary)


@pytest.mark.points(1)
@pytest.mark.parametrize("mode", MODES)
def test_correlate2d_against_reference(hw, ref, rng, mode):
    """correlate2d: random images and kernels, every boundary, odd/even/rectangular sizes"""
    for boundary in BOUNDARIES:
        with context(f"boundary={boundary!r}"):
            _compare_filter(hw, ref, rng, "correlate2d", mode, boundary)


@pytest.mark.points(2)
def test_filters_on_color_images(hw, ref, rng):
    """convolve2d and correlate2d: (H, W, C) images, channel by channel, every mode"""
    for mode in MODES:
        for boundary in BOUNDARIES:
            image, kernel = rng.normal(size=(7, 6, 3)), rng.normal(size=(3, 4))
            for name in ("convolve2d", "correlate2d"):
                with context(f"{name}, mode={mode!r}, boundary={boundary!r}"):
                    assert_close(getattr(hw.filters, name)(image, kernel, mode=mode, boundary=boundary),
                                 getattr(ref.filters, name)(image, kernel, mode=mode, boundary=boundary))


@pytest.mark.points(1)
def test_any_real_dtype_is_converted(hw, ref, rng):
    """convolve2d: uint8, int32, bool and float32 inputs give float64 results"""
    for dtype in ("uint8", "int32", "bool", "float32"):
        if dtype == "bool":
            image, kernel = rng.random((6, 7)) > 0.5, np.array([[1, 0, 1], [0, 1, 1]], dtype=bool)
        else:
            image = rng.integers(0, 256, size=(6, 7)).astype(dtype)   # uint8 differences would wrap
            kernel = np.array([[1, -2, 0], [3, 1, -1]], dtype="int16" if dtype == "uint8" else dtype)
        for mode in MODES:
            with context(f"{dtype} image, mode={mode!r}"):
                assert_close(hw.filters.convolve2d(image, kernel, mode=mode, boundary="reflect"),
                             ref.filters.convolve2d(image, kernel, mode=mode, boundary="reflect"))


@pytest.mark.points(1)
def test_filter_error_contract(hw, ref, rng):
    """filters: ValueError naming mode, boundary, kernel, image, sigma, radius, dy, dx, size or threshold"""
    image, kernel = rng.normal(size=(5, 5)), rng.normal(size=(3, 3))
    for name in ("convolve2d", "correlate2d"):
        fn = getattr(hw.filters, name)
        with context(f"{name} with good arguments"):
            assert_close(fn(image, kernel, mode="valid", boundary="wrap"),
                         getattr(ref.filters, name)(image, kernel, mode="valid", boundary="wrap"))
        for mode in ("Same", "bogus", "circular"):
            assert_raises(ValueError, fn, image, np.ones((3, 3)), mode=mode, mentions=["mode"])
        for boundary in ("symmetric", "fill", "Zero"):
            assert_raises(ValueError, fn, image, np.ones((3, 3)), boundary=boundary, mentions=["boundary"])
        assert_raises(ValueError, fn, image, np.ones(3), mentions=["kernel"])
        assert_raises(ValueError, fn, image, np.ones((3, 3, 1)), mentions=["kernel"])
        assert_raises(ValueError, fn, np.ones(5), np.ones((3, 3)), mentions=["image"])
        assert_raises(ValueError, fn, np.ones((5, 5, 3, 2)), np.ones((3, 3)), mentions=["image"])
        assert_raises(ValueError, fn, image, np.ones((6, 3)), mode="valid", mentions=["mode"])
        assert_raises(ValueError, fn, image, np.ones((2, 7)), mode="valid", mentions=["mode"])
    with context("gaussian_kernel_1d(0.8) (good arguments)"):
        assert_close(hw.filters.gaussian_kernel_1d(0.8), ref.filters.gaussian_kernel_1d(0.8), atol=1e-14)
    for fn in (hw.filters.gaussian_kernel_1d, hw.filters.gaussian_kernel):
        assert_raises(ValueError, fn, -1.0, mentions=["sigma"])
        assert_raises(ValueError, fn, -0.5, radius=2, mentions=["sigma"])
    assert_raises(ValueError, hw.filters.gaussian_blur, np.ones((5, 5)), -2.0, mentions=["sigma"])
    assert_raises(ValueError, hw.filters.gaussian_kernel_1d, 1.0, radius=-1, mentions=["radius"])
    assert_raises(ValueError, hw.filters.shift_kernel, 1.5, 0, mentions=["dy"])
    assert_raises(ValueError, hw.filters.shift_kernel, 0, 0.5, mentions=["dx"])
    assert_raises(ValueError, hw.filters.box_kernel, 0, mentions=["size"])
    assert_raises(ValueError, hw.filters.image_gradients, np.ones((1, 6)), mentions=["image"])
    assert_raises(ValueError, hw.filters.zero_crossing_edges, np.ones((5, 5)), 1.0, -0.1, mentions=["threshold"])


@pytest.mark.points(2)
def test_shift_kernel(hw, ref, rng):
    """shift_kernel: the smallest odd kernel that moves content by (dy, dx), every direction"""
    image = rng.normal(size=(8, 9))
    H, W = image.shape
    for dy, dx in [(0, 0), (2, 0), (0, -3), (-1, 2), (3, -3), (-2, -1)]:
        with context(f"dy={dy}, dx={dx}"):
            kernel = hw.filters.shift_kernel(dy, dx)
            assert_close(kernel, ref.filters.shift_kernel(dy, dx), what="the kernel")
            moved = np.zeros_like(image)
            moved[max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = \
                image[max(-dy, 0):H - max(dy, 0), max(-dx, 0):W - max(dx, 0)]
            assert_close(hw.filters.convolve2d(image, kernel, mode="same"), moved, atol=1e-12,
                         what="convolve2d(image, shift_kernel(dy, dx)), the moved image")


@pytest.mark.points(1)
def test_box_kernel(hw, ref):
    """box_kernel: sizes 1 to 6"""
    for size in range(1, 7):
        with context(f"size {size}"):
            assert_close(hw.filters.box_kernel(size), ref.filters.box_kernel(size), atol=1e-15)


@pytest.mark.points(2)
def test_gaussian_kernel_1d(hw, ref):
    """gaussian_kernel_1d: default radius ceil(3 sigma) and explicit radii, several sigmas"""
    for sigma in (0.5, 0.7, 1.0, 1.5, 2.0, 3.3):
        for radius in (None, 0, 1, 4):
            with context(f"sigma={sigma}, radius={radius}"):
                assert_close(hw.filters.gaussian_kernel_1d(sigma, radius=radius),
                             ref.filters.gaussian_kernel_1d(sigma, radius=radius), atol=1e-14)


@pytest.mark.points(1)
def test_gaussian_kernel_2d(hw, ref):
    """gaussian_kernel: outer product of the 1-D kernel, several sigmas and radii"""
    for sigma, radius in [(0.7, None), (1.5, None), (2.0, 2), (1.0, 5)]:
        with context(f"sigma={sigma}, radius={radius}"):
            assert_close(hw.filters.gaussian_kernel(sigma, radius=radius),
                         ref.filters.gaussian_kernel(sigma, radius=radius), atol=1e-14)


@pytest.mark.points(1)
def test_gaussian_sigma_zero(hw, ref, rng):
    """gaussian_kernel_1d/gaussian_blur/zero_crossing_edges: sigma 0 (the identity kernel), exact LoG values"""
    # The only test with sigma = 0 (the docstring allows it): everywhere else sigma > 0, so a
    # filter that mishandles this one limit loses one point, not many.
    assert_close(hw.filters.gaussian_kernel_1d(0.0), [1.0])
    assert_close(hw.filters.gaussian_kernel_1d(0.0, radius=2), [0.0, 0.0, 1.0, 0.0, 0.0])
    image = rng.normal(size=(6, 7))
    with context("gaussian_blur(image, 0.0) returns the image"):
        assert_close(hw.filters.gaussian_blur(image, 0.0), image)
    # With sigma 0 the LoG of a piecewise-constant integer image is an exact integer, so a
    # crossing whose difference EQUALS the threshold exists: "> threshold" leaves it out.
    pieces = np.zeros((10, 11))
    pieces[3:7, 2:9] = 1.0
    pieces[:, 9:] = 2.0
    with context("zero_crossing_edges(pieces, 0.0, 3.0): four crossings differ by exactly 3"):
        assert_equal(hw.filters.zero_crossing_edges(pieces, 0.0, 3.0),
                     ref.filters.zero_crossing_edges(pieces, 0.0, 3.0), dtype=bool)


@pytest.mark.points(1)
@pytest.mark.parametrize("case", ["odd", "even", "color", "wrap"])
def test_gaussian_blur(hw, ref, rng, case):
    """gaussian_blur: against the reference (default reflect boundary, odd/even sizes, colour)"""
    shape = {"odd": (11, 9), "even": (10, 12), "color": (9, 8, 3), "wrap": (8, 11)}[case]
    image = rng.normal(size=shape)
    kwargs = {"boundary": "wrap"} if case == "wrap" else {}
    for sigma in (0.7, 1.5, 2.0):
        with context(f"sigma={sigma}"):
            assert_close(hw.filters.gaussian_blur(image, sigma, **kwargs),
                         ref.filters.gaussian_blur(image, sigma, **kwargs))
    with context("sigma=1.0, radius=1"):
        assert_close(hw.filters.gaussian_blur(image, 1.0, radius=1, **kwargs),
                     ref.filters.gaussian_blur(image, 1.0, radius=1, **kwargs))


@pytest.mark.points(1)
@pytest.mark.parametrize("case", ["float_odd", "float_even", "color", "uint8"])
def test_image_gradients(hw, ref, rng, case):
    """image_gradients: against the reference, border pixels included"""
    if case == "uint8":
        image = rng.integers(0, 256, size=(7, 8)).astype(np.uint8)   # decreases often: uint8 would wrap
    else:
        shape = {"float_odd": (7, 9), "float_even": (6, 8), "color": (6, 7, 3)}[case]
        image = rng.normal(size=shape)
    gx, gy = unpack(hw.filters.image_gradients(image), ["gx", "gy"])
    expected_gx, expected_gy = ref.filters.image_gradients(image)
    with context("gx"):
        assert_close(gx, expected_gx, atol=1e-12)
    with context("gy"):
        assert_close(gy, expected_gy, atol=1e-12)


@pytest.mark.points(2)
def test_gradient_magnitude_orientation(hw, ref, rng):
    """gradient_magnitude_orientation: every direction, including gx = 0 and gx < 0"""
    image = rng.integers(-3, 4, size=(9, 10)).astype(np.float64)   # integer values: exact zeros occur
    magnitude, orientation = unpack(hw.filters.gradient_magnitude_orientation(image), ["magnitude", "orientation"])
    expected_magnitude, expected_orientation = ref.filters.gradient_magnitude_orientation(image)
    with context("magnitude"):
        assert_close(magnitude, expected_magnitude, atol=1e-12)
    with context("orientation"):
        assert_close(orientation, expected_orientation, atol=1e-12)


@pytest.mark.points(2)
def test_laplacian(hw, ref, rng):
    """laplacian: against the reference, default and explicit boundaries, 2-D and colour"""
    for boundary in (None, "zero", "reflect", "wrap"):
        kwargs = {} if boundary is None else {"boundary": boundary}
        for shape in ((7, 8), (6, 5, 2)):
            image = rng.normal(size=shape) + 3.0     # nonzero at the border: boundaries matter
            with context(f"image {shape}, boundary={boundary or 'default'}"):
                assert_close(hw.filters.laplacian(image, **kwargs), ref.filters.laplacian(image, **kwargs))


@pytest.mark.points(1)
def test_laplacian_of_gaussian(hw, ref, rng):
    """laplacian_of_gaussian: against the reference"""
    for shape, sigma in (((12, 11), 1.5), ((9, 10), 0.7), ((8, 8, 3), 2.0)):
        image = rng.normal(size=shape)
        with context(f"image {shape}, sigma={sigma}"):
            assert_close(hw.filters.laplacian_of_gaussian(image, sigma), ref.filters.laplacian_of_gaussian(image,
                                                                                                          sigma))


def _zero_crossing_image(case, rng):
    if case == "smooth":
        return rng.normal(size=(16, 15)), 1.5, 0.05
    if case == "pieces":
        # LoG is exactly 0 on flat areas, next to the Gaussian's small tails (~1e-5 at sigma
        # 0.3, far above rounding errors of ~1e-16): a zero is no sign, so no crossing there.
        image = np.zeros((12, 13))
        image[3:8, 2:9] = 1.0
        image[:, 11:] = 2.0
        return image, 0.3, 1e-6
    if case == "horizontal_step":
        image = np.zeros((12, 9))
        image[6:, :] = 1.0
        return image, 1.0, 0.01
    image = np.zeros((12, 12, 2))             # colour: a blob per channel
    image[4:7, 5:8, 0] = 1.0
    image[2:9, 1:4, 1] = -1.0
    return image, 1.0, 0.02


@pytest.mark.points(1)
@pytest.mark.parametrize("case", ["smooth", "pieces", "horizontal_step", "color"])
def test_zero_crossing_edges(hw, ref, rng, case):
    """zero_crossing_edges: sign changes to the right or below, with contrast above threshold"""
    image, sigma, threshold = _zero_crossing_image(case, rng)
    assert_equal(hw.filters.zero_crossing_edges(image, sigma, threshold),
                 ref.filters.zero_crossing_edges(image, sigma, threshold), dtype=bool)


@pytest.mark.points(1)
def test_sharpen(hw, ref, rng):
    """sharpen: against the reference, 2-D and colour, positive and negative alpha"""
    for shape, sigma, alpha in (((9, 8), 1.0, 1.5), ((8, 9, 3), 2.0, 0.5), ((7, 7), 0.7, -0.5)):
        image = rng.normal(size=shape)
        with context(f"image {shape}, sigma={sigma}, alpha={alpha}"):
            assert_close(hw.filters.sharpen(image, sigma, alpha), ref.filters.sharpen(image, sigma, alpha))


@pytest.mark.points(1)
def test_zero_crossing_edges_on_photographs(hw, ref):
    """zero_crossing_edges: Marr-Hildreth edges of real photographs (camera 64x64, coins 37x48, cat in colour)"""
    for name, sigma, threshold, color in (("camera", 1.5, 0.01, False), ("coins", 1.0, 0.02, False),
                                          ("chelsea", 1.0, 0.02, True)):
        image = hw0_photo(name, color=color)
        expected = ref.filters.zero_crossing_edges(image, sigma, threshold)
        with context(f"skimage.data.{name}() downsampled to {image.shape}, sigma={sigma}, "
                     f"threshold={threshold} ({int(expected.sum())} edge pixels expected)"):
            assert_equal(hw.filters.zero_crossing_edges(image, sigma, threshold), expected, dtype=bool)
