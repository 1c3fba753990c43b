"""Public tests for color.py: published Lab values, the grey axis, round trips and the ab bins.

The Lab values below are scikit-image's ``rgb2lab`` for the sRGB primaries (D65), rounded to
4 decimals: your conversion must match them to 1e-2 (the hidden tests compare with the
reference to 1e-4 on thousands of colours, dark ones below the linear thresholds included).
"""
import numpy as np
import pytest

from shared.asserts import assert_close, check_array, context

PUBLISHED = {   # sRGB -> (L, a, b), skimage.color.rgb2lab
    (1.0, 0.0, 0.0): (53.2408, 80.0925, 67.2032),
    (0.0, 1.0, 0.0): (87.7347, -86.1827, 83.1793),
    (0.0, 0.0, 1.0): (32.2970, 79.1875, -107.8602),
    (1.0, 1.0, 0.0): (97.1393, -21.5537, 94.4780),
}


@pytest.mark.points(2)
def test_lab_of_white_black_and_primaries(hw):
    """rgb_to_lab: white is L=100, a=b=0; black is 0; the primaries match published values"""
    colours = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], *PUBLISHED])
    lab = check_array(hw.color.rgb_to_lab(colours), shape=(6, 3), dtype=np.float64)
    with context("white (1, 1, 1)"):
        assert_close(lab[0], [100.0, 0.0, 0.0], atol=1e-2, rtol=0)
    with context("black (0, 0, 0)"):
        assert_close(lab[1], [0.0, 0.0, 0.0], atol=1e-9, rtol=0)
    for row, (rgb, expected) in enumerate(PUBLISHED.items(), start=2):
        with context(f"rgb {rgb}"):
            assert_close(lab[row], expected, atol=1e-2, rtol=0)


@pytest.mark.points(1)
def test_grey_ramp(hw):
    """rgb_to_lab: greys have a = b = 0 and L = 116 f(Y) - 16 of their linearised value"""
    g = np.array([0.0, 0.02, 0.04045, 0.2, 0.5, 0.8, 1.0])
    lab = check_array(hw.color.rgb_to_lab(np.repeat(g[:, None], 3, axis=1)), shape=(7, 3), dtype=np.float64)
    linear = np.where(g > 0.04045, ((g + 0.055) / 1.055) ** 2.4, g / 12.92)     # undo the gamma
    f = np.where(linear > 0.008856, np.cbrt(linear), 7.787 * linear + 16 / 116)  # Y of a grey is its value
    assert_close(lab[:, 0], 116 * f - 16, atol=1e-3, rtol=0, what="L")
    # The white point is not exactly the matrix's white, so a and b are ~1e-3, not 0.
    assert_close(lab[:, 1:], np.zeros((7, 2)), atol=1e-2, rtol=0, what="a and b")


@pytest.mark.points(1)
def test_round_trip(hw):
    """lab_to_rgb(rgb_to_lab(rgb)) gives rgb back on a 4x5 image"""
    rgb = np.random.default_rng(0).random((4, 5, 3))
    back = hw.color.lab_to_rgb(hw.color.rgb_to_lab(rgb))
    assert_close(back, rgb, atol=1e-6, rtol=0)
    too_bright = hw.color.lab_to_rgb(np.array([[100.0, 80.0, 0.0]]))   # outside the sRGB gamut
    assert_close(too_bright[:, 0], [1.0], atol=1e-12, what="red of Lab (100, 80, 0), clipped to 1")


@pytest.mark.points(1)
def test_ab_bin_centers(hw):
    """ab_bin_centers: bins of 10 on [-110, 110)^2 give 22 x 22 centres; bins of 110 give 4"""
    assert_close(hw.color.ab_bin_centers(110, 110), [[-55.0, -55.0], [-55.0, 55.0], [55.0, -55.0], [55.0, 55.0]])
    centers = check_array(hw.color.ab_bin_centers(), shape=(484, 2), dtype=np.float64)
    assert_close(centers[:3], [[-105.0, -105.0], [-105.0, -95.0], [-105.0, -85.0]], what="the first 3 centres")


@pytest.mark.points(1)
def test_soft_encode_at_a_centre(hw):
    """soft_encode_ab: at a centre, k=5: the centre and its 4 neighbours at distance 10"""
    centers = hw.color.ab_bin_centers()
    ab = np.array([5.0, 5.0])
    weights = check_array(hw.color.soft_encode_ab(ab, centers), shape=(484,), dtype=np.float64)
    w = np.array([1.0] + [np.exp(-100 / 50)] * 4)       # exp(-d^2 / (2 sigma^2)), sigma = 5
    expected = np.zeros(484)
    index = {tuple(c): i for i, c in enumerate(centers)}
    for value, c in zip(w / w.sum(), [(5, 5), (-5, 5), (15, 5), (5, -5), (5, 15)], strict=True):
        expected[index[c]] = value
    assert_close(weights, expected, atol=1e-12)


@pytest.mark.points(1)
def test_annealed_mean(hw):
    """annealed_mean: T = 1 is the expected ab; T -> 0 approaches the most likely bin"""
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 20.0]])
    probs = np.array([0.5, 0.3, 0.2])
    assert_close(hw.color.annealed_mean(probs, centers, temperature=1.0), [3.0, 4.0])
    sharp = (probs ** 2) / np.sum(probs ** 2)                   # T = 0.5: probs^2, renormalised
    assert_close(hw.color.annealed_mean(probs, centers, temperature=0.5), sharp @ centers)
    assert_close(hw.color.annealed_mean(probs, centers, temperature=0.01), [0.0, 0.0], atol=1e-6)
