"""Public tests for filters.py: small cases you can check by hand, and the lecture's properties.

Run them with ``pytest tests/test_filters.py`` (or ``-k convolve`` for one function). Every
failure names the call, the shapes involved and what was wrong. The hidden tests that decide
your grade compare with the reference on many random images, every mode and boundary, odd
and even sizes, colour images and the error contract: passing these is necessary, not enough.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_raises, check_array, context, unpack


def _full_convolution(image, kernel):
    """Textbook 'full' convolution: add a copy of the kernel, scaled by each pixel, at that pixel."""
    H, W = image.shape
    kh, kw = kernel.shape
    out = np.zeros((H + kh - 1, W + kw - 1))
    for y in range(H):
        for x in range(W):
            out[y:y + kh, x:x + kw] += image[y, x] * kernel
    return out


# A kernel with no symmetry at all: a missing flip, or a flip in one axis only, shows.
ASYMMETRIC = np.array([[1.0, 2.0, 0.0],
                       [0.0, 3.0, 0.0],
                       [0.0, 0.0, 4.0]])


@pytest.mark.points(2)
def test_convolve_delta_shows_flipped_kernel(hw):
    """convolve2d: the image of a single bright pixel is a copy of the kernel (full and same)"""
    delta = np.zeros((5, 5))
    delta[2, 2] = 1.0
    # Convolution "stamps" the kernel at every pixel, so a delta image reproduces the kernel
    # itself (unflipped!). Correlation would show the kernel upside down and mirrored.
    full = hw.filters.convolve2d(delta, ASYMMETRIC, mode="full")
    expected = np.zeros((7, 7))
    expected[2:5, 2:5] = ASYMMETRIC
    assert_close(full, expected)
    same = hw.filters.convolve2d(delta, ASYMMETRIC, mode="same")
    expected = np.zeros((5, 5))
    expected[1:4, 1:4] = ASYMMETRIC
    assert_close(same, expected)


@pytest.mark.points(1)
@pytest.mark.parametrize("mode, shape", [("full", (7, 8)), ("same", (5, 7)), ("valid", (3, 6))])
def test_output_shapes(hw, mode, shape):
    """convolve2d and correlate2d: output shape and values of a 5x7 image and a 3x2 kernel"""
    image = np.arange(35, dtype=np.float64).reshape(5, 7) % 6
    kernel = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]])
    # Every mode is a crop of 'full'. 'same' keeps the anchor ((kh-1)//2, (kw-1)//2) of the
    # kernel over each pixel: convolution crops 'full' from (1, 0), correlation from (1, 1).
    full_convolution = _full_convolution(image, kernel)
    full_correlation = _full_convolution(image, kernel[::-1, ::-1])
    start = {"full": ((0, 0), (0, 0)), "same": ((1, 0), (1, 1)), "valid": ((2, 1), (2, 1))}[mode]
    for name, full, (top, left) in (("convolve2d", full_convolution, start[0]),
                                    ("correlate2d", full_correlation, start[1])):
        out = check_array(getattr(hw.filters, name)(image, kernel, mode=mode), shape=shape, dtype=np.float64)
        with context(f"{name}: the values"):
            assert_close(out, full[top:top + shape[0], left:left + shape[1]])


@pytest.mark.points(1)
def test_convolve_full_against_textbook_definition(hw):
    """convolve2d: 'full' mode equals the textbook sum of shifted kernels (4x5 image, 2x3 kernel)"""
    image = np.array([[1, 2, 0, 1, 3], [0, 1, 4, 2, 2], [3, 0, 1, 1, 0], [2, 2, 0, 5, 1]], dtype=np.float64)
    kernel = np.array([[1.0, -1.0, 2.0], [0.5, 0.0, -2.0]])
    assert_close(hw.filters.convolve2d(image, kernel, mode="full"), _full_convolution(image, kernel))
    # 'valid' keeps only the positions where the whole kernel is inside the image.
    assert_close(hw.filters.convolve2d(image, kernel, mode="valid"), _full_convolution(image, kernel)[1:4, 2:5])


@pytest.mark.points(1)
def test_correlate_is_template_matching(hw):
    """correlate2d: no flip; with an odd kernel it equals convolve2d with the flipped kernel"""
    delta = np.zeros((5, 5))
    delta[2, 2] = 1.0
    expected = np.zeros((5, 5))
    expected[1:4, 1:4] = ASYMMETRIC[::-1, ::-1]
    assert_close(hw.filters.correlate2d(delta, ASYMMETRIC, mode="same"), expected)
    image = np.arange(30.0).reshape(5, 6) ** 1.5
    assert_close(hw.filters.correlate2d(image, ASYMMETRIC, mode="same", boundary="reflect"),
                 hw.filters.convolve2d(image, ASYMMETRIC[::-1, ::-1], mode="same", boundary="reflect"))


@pytest.mark.points(2)
def test_boundaries_by_hand(hw):
    """convolve2d: 'zero', 'reflect' (edge repeated) and 'wrap' on a 1x4 row with kernel [[1, 1, 1]]"""
    row = np.array([[1.0, 2.0, 3.0, 4.0]])
    kernel = np.ones((1, 3))
    with context("boundary='zero': 0 1 2 3 4 0"):
        assert_close(hw.filters.convolve2d(row, kernel, boundary="zero"), [[3.0, 6.0, 9.0, 7.0]])
    with context("boundary='reflect': 1 | 1 2 3 4 | 4"):
        assert_close(hw.filters.convolve2d(row, kernel, boundary="reflect"), [[4.0, 6.0, 9.0, 11.0]])
    with context("boundary='wrap': 4 | 1 2 3 4 | 1"):
        assert_close(hw.filters.convolve2d(row, kernel, boundary="wrap"), [[7.0, 6.0, 9.0, 8.0]])


@pytest.mark.points(1)
def test_even_kernel_anchor(hw):
    """convolve2d/correlate2d 'same' with an even kernel: scipy's anchor ((kh-1)//2, (kw-1)//2)"""
    row = np.array([[1.0, 2.0, 3.0, 4.0]])
    kernel = np.array([[1.0, 10.0]])
    # correlate: out[j] = 1 * x[j] + 10 * x[j+1]; convolve: out[j] = 10 * x[j-1] + 1 * x[j]
    assert_close(hw.filters.correlate2d(row, kernel), [[21.0, 32.0, 43.0, 4.0]])
    assert_close(hw.filters.convolve2d(row, kernel), [[1.0, 12.0, 23.0, 34.0]])


@pytest.mark.points(1)
def test_color_image_filtered_per_channel(hw):
    """convolve2d: an (H, W, 3) image is filtered channel by channel"""
    rng = np.random.default_rng(0)
    image = rng.random((6, 5, 3))
    full = check_array(hw.filters.convolve2d(image, ASYMMETRIC, mode="full"), shape=(8, 7, 3), dtype=np.float64)
    for c in range(3):
        with context(f"mode='full', channel {c} (the textbook convolution of that channel)"):
            assert_close(full[..., c], _full_convolution(image[..., c], ASYMMETRIC))
    out = check_array(hw.filters.convolve2d(image, ASYMMETRIC, mode="same", boundary="wrap"), shape=(6, 5, 3),
                      dtype=np.float64)
    for c in range(3):
        with context(f"mode='same', boundary='wrap', channel {c}"):
            assert_close(out[..., c], hw.filters.convolve2d(image[..., c], ASYMMETRIC, mode="same", boundary="wrap"))


@pytest.mark.points(1)
def test_shift_kernel_moves_content(hw):
    """shift_kernel: convolving with shift_kernel(1, -2) moves content down 1 and left 2"""
    kernel = check_array(hw.filters.shift_kernel(1, -2), shape=(5, 5), dtype=np.float64)
    image = np.arange(1.0, 31.0).reshape(5, 6)
    moved = hw.filters.convolve2d(image, kernel, mode="same")
    expected = np.zeros_like(image)
    expected[1:, :-2] = image[:-1, 2:]
    assert_close(moved, expected)


@pytest.mark.points(1)
def test_box_kernel(hw):
    """box_kernel: all entries equal, sum 1"""
    assert_close(hw.filters.box_kernel(3), np.full((3, 3), 1 / 9))
    assert_close(hw.filters.box_kernel(1), [[1.0]])
    assert_close(hw.filters.box_kernel(4), np.full((4, 4), 1 / 16))


@pytest.mark.points(1)
def test_gaussian_kernel_1d(hw):
    """gaussian_kernel_1d: radius ceil(3 sigma), normalised samples of exp(-x^2 / (2 sigma^2))"""
    e = np.exp(-0.5)
    assert_close(hw.filters.gaussian_kernel_1d(1.0, radius=1), np.array([e, 1.0, e]) / (1 + 2 * e))
    g = check_array(hw.filters.gaussian_kernel_1d(0.5), shape=(5,), dtype=np.float64)   # radius ceil(1.5) = 2
    x = np.arange(-2.0, 3.0)
    assert_close(g, np.exp(-x**2 / 0.5) / np.exp(-x**2 / 0.5).sum())


@pytest.mark.points(1)
def test_gaussian_blur_is_separable(hw):
    """gaussian_blur: two 1-D passes equal one 2-D convolution with gaussian_kernel"""
    kernel = hw.filters.gaussian_kernel(1.2)
    x = np.arange(-4.0, 5.0)                      # radius ceil(3 * 1.2) = 4
    g = np.exp(-x**2 / (2 * 1.2**2))
    g /= g.sum()
    assert_close(kernel, np.outer(g, g), what="gaussian_kernel(1.2), the outer product of the 1-D kernel")
    image = np.add.outer(np.arange(9.0) ** 2, np.sin(np.arange(11.0)))
    assert_close(hw.filters.gaussian_blur(image, 1.2),
                 hw.filters.convolve2d(image, kernel, mode="same", boundary="reflect"))


@pytest.mark.points(2)
def test_image_gradients_match_np_gradient(hw):
    """image_gradients: central differences inside, one-sided at the border (like np.gradient)"""
    y, x = np.mgrid[0:5, 0:6].astype(np.float64)
    image = x**2 + 3 * y
    gx, gy = unpack(hw.filters.image_gradients(image), ["gx", "gy"])
    expected_gy, expected_gx = np.gradient(image)
    with context("gx, the derivative along x (columns, axis 1)"):
        assert_close(gx, expected_gx)
    with context("gy, the derivative along y (rows, axis 0)"):
        assert_close(gy, expected_gy)


@pytest.mark.points(1)
def test_gradient_orientation(hw):
    """gradient_magnitude_orientation: a ramp rising to the left points at +-pi"""
    image = -2.0 * np.arange(5.0)[None, :].repeat(4, axis=0)     # decreases along +x: gx = -2
    magnitude, orientation = unpack(hw.filters.gradient_magnitude_orientation(image), ["magnitude", "orientation"])
    assert_close(magnitude, np.full((4, 5), 2.0))
    assert_close(np.abs(orientation), np.full((4, 5), np.pi), what="|orientation|")


@pytest.mark.points(1)
def test_laplacian_of_quadratic(hw):
    """laplacian: x^2 + y^2 has Laplacian 4 inside the image"""
    y, x = np.mgrid[0:6, 0:7].astype(np.float64)
    out = check_array(hw.filters.laplacian(x**2 + y**2), shape=(6, 7), dtype=np.float64)
    assert_close(out[1:-1, 1:-1], np.full((4, 5), 4.0), what="the interior of the result")


@pytest.mark.points(1)
def test_zero_crossing_edges_of_a_step(hw):
    """zero_crossing_edges: a vertical and a horizontal step give edges where the LoG changes sign"""
    step = np.zeros((8, 8))
    step[:, 4:] = 1.0
    edges = hw.filters.zero_crossing_edges(step, 1.0, 0.01)
    expected = np.zeros((8, 8), dtype=bool)
    expected[:, 3] = True          # LoG > 0 at column 3, < 0 at column 4: the left pixel marks the edge
    assert_equal(edges, expected, dtype=bool)
    assert_equal(hw.filters.zero_crossing_edges(step.T, 1.0, 0.01), expected.T, dtype=bool)


@pytest.mark.points(1)
def test_sharpen(hw):
    """sharpen: a constant image is unchanged; detail is amplified by 1 + alpha"""
    flat = np.full((5, 6), 7.0)
    assert_close(hw.filters.sharpen(flat, 1.0, 2.0), flat)
    # A bright pixel in the middle of a 7x7 image: its blur (sigma 1, radius 3) is the 2-D
    # Gaussian kernel itself, which fits inside the image, so no boundary is involved.
    image = np.zeros((7, 7))
    image[3, 3] = 1.0
    x = np.arange(-3.0, 4.0)
    g = np.exp(-x**2 / 2)
    blurred = np.outer(g, g) / g.sum() ** 2
    assert_close(hw.filters.sharpen(image, 1.0, 0.5), image + 0.5 * (image - blurred))


@pytest.mark.points(1)
def test_bad_arguments_raise_value_error(hw):
    """filters: bad arguments raise ValueError naming the argument"""
    row = np.array([[1.0, 2.0, 3.0, 4.0]])
    with context("the same calls with good arguments work"):
        assert_close(hw.filters.convolve2d(row, np.ones((1, 3)), mode="same"), [[3.0, 6.0, 9.0, 7.0]])
        assert_close(hw.filters.correlate2d(row, np.ones((1, 3)), boundary="wrap"), [[7.0, 6.0, 9.0, 8.0]])
        e = np.exp(-0.5)
        assert_close(hw.filters.gaussian_kernel_1d(1.0, radius=1), np.array([e, 1.0, e]) / (1 + 2 * e))
    image = np.zeros((4, 4))
    assert_raises(ValueError, hw.filters.convolve2d, image, np.ones((3, 3)), mode="bogus", mentions=["mode"])
    assert_raises(ValueError, hw.filters.correlate2d, image, np.ones((3, 3)), boundary="mirror",
                  mentions=["boundary"])
    assert_raises(ValueError, hw.filters.convolve2d, image, np.ones(3), mentions=["kernel"])
    assert_raises(ValueError, hw.filters.gaussian_kernel_1d, -1.0, mentions=["sigma"])
