"""Hidden tests for stereo.py: the student's functions against the reference on seeded inputs.

What decides: disparity maps of every sign and dtype; block matching with both costs and
several windows on integer-valued images (all window sums are exact integers in float64, so
ties are exact ties whatever the summation order); stereograms at several disparities; exact
ties broken towards the smallest d; the left border (no candidate outside the right image);
photometric stereo with 3 and more lights, varying albedo, black pixels; the error contract.
Block-matching comparisons exclude pixels whose candidates' windows cross the image border,
where the spec leaves the padding open.

Real data: the Middlebury motorcycle pair (skimage.data, via shared.real_data, at a quarter
of its size: 125x185, disparities up to 15), SSD, window 7, max_disparity 16, scored
Middlebury style by the bad-pixel rate: the share of pixels with known ground truth (and
whose windows and candidates stay inside both images) where |d - d_true| > 1 pixel. Full
points at <= 0.22, none at >= 0.50 (a constant map is ~1.0). Measured: the reference and the
alternative 0.162, SAD 0.182 (window 7) / 0.167 (window 9), a textbook zero-mean NCC
(edge-padded, argmax over d) 0.124; windows 5 to 11 with SSD 0.160-0.188.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_raises, check_array, context, unpack
from shared.real_data import motorcycle_stereo
from shared.scenes3d import lambertian_sphere, random_dot_stereogram

MOTORCYCLE_FULL_MARKS, MOTORCYCLE_NOTHING = 0.22, 0.50


def _interior(disparity, max_disparity, window):
    """Pixels whose candidate windows all lie inside both images."""
    r = window // 2
    return disparity[r:disparity.shape[0] - r, max_disparity + r:disparity.shape[1] - r]


@pytest.mark.points(1)
def test_disparity_to_depth_against_reference(hw, ref, rng):
    """disparity_to_depth: random disparities with zeros and negatives, float and integer maps"""
    disparity = rng.normal(2.0, 2.0, size=(7, 9))
    disparity[0, :3] = 0.0
    assert_close(hw.stereo.disparity_to_depth(disparity, 320.5, 0.12), ref.stereo.disparity_to_depth(
        disparity, 320.5, 0.12))
    ints = rng.integers(-2, 30, size=(5, 6))
    with context("int64 disparities"):
        assert_close(hw.stereo.disparity_to_depth(ints, 700.0, 0.5), ref.stereo.disparity_to_depth(ints, 700.0, 0.5))
    with context("a 1-D array of tiny positive disparities"):
        tiny = np.array([1e-300, 1e-12, 1.0])
        assert_close(hw.stereo.disparity_to_depth(tiny, 2.0, 3.0), ref.stereo.disparity_to_depth(tiny, 2.0, 3.0))


@pytest.mark.points(2)
@pytest.mark.parametrize("cost", ["ssd", "sad"])
def test_block_matching_against_reference(hw, ref, rng, cost):
    """block_matching: random integer images with a shifted copy, windows 1, 3, 5 and 7"""
    for window, max_d in [(1, 3), (3, 5), (5, 4), (7, 6)]:
        left = rng.integers(0, 8, size=(20, 30)).astype(np.float64)
        shift = np.clip(np.arange(30) // 8, 0, max_d)                 # disparity growing to the right
        right = left.copy()
        for x in range(30):
            if x - shift[x] >= 0:
                right[:, x - shift[x]] = left[:, x]
        right += rng.integers(0, 2, size=right.shape)                 # a little integer noise
        got = hw.stereo.block_matching(left, right, max_d, window=window, cost=cost)
        expected = ref.stereo.block_matching(left, right, max_d, window=window, cost=cost)
        with context(f"window={window}, max_disparity={max_d}"):
            assert_equal(_interior(got, max_d, window), _interior(expected, max_d, window), dtype="integer")


@pytest.mark.points(1)
@pytest.mark.parametrize("disparity", [1, 5])
def test_block_matching_stereograms(hw, disparity):
    """block_matching: random-dot stereograms at several disparities, square and background"""
    for seed in range(2):
        left, right, truth = random_dot_stereogram(40, 56, disparity=disparity, square=(10, 30, 20, 44), seed=seed)
        got = hw.stereo.block_matching(left, right, 7, window=5)
        with context(f"seed {seed}"):
            assert_equal(got[12:28, 22:42], truth[12:28, 22:42], what="the square's interior")
            assert_equal(got[2:8, 9:54], truth[2:8, 9:54], what="the background above the square")


@pytest.mark.points(1)
def test_block_matching_exact_ties(hw):
    """block_matching: a pattern of period 3 matches at d and d + 3 equally; the smallest d wins"""
    row = np.array([0.0, 2.0, 5.0] * 8)
    left = np.tile(row, (6, 1))
    for true_d in (0, 1, 2):
        right = np.roll(left, -true_d, axis=1)
        got = hw.stereo.block_matching(left, right, 7, window=3, cost="sad")
        with context(f"shift {true_d}"):
            assert_equal(got[1:-1, 8:-1], np.full((4, 15), true_d))


@pytest.mark.points(1)
def test_block_matching_left_border(hw, rng):
    """block_matching: near the left border the best in-image candidate wins, never one outside"""
    left = rng.random((9, 16))                         # continuous values: no accidental ties
    right = np.zeros_like(left)
    right[:, :-6] = left[:, 6:]                        # disparity 6 everywhere it exists
    got = hw.stereo.block_matching(left, right, 8, window=1)
    assert_equal(got <= np.arange(16)[None, :], np.ones((9, 16), dtype=bool), what="disparity <= column")
    assert_equal(got[:, 6:], np.full((9, 10), 6), what="columns 6 and beyond (window 1: no padding involved)")


@pytest.mark.points(2)
def test_block_matching_motorcycle(hw, partial):
    """block_matching: the real Middlebury motorcycle pair (quarter size), bad-pixel rate against the ground truth"""
    left, right, truth = motorcycle_stereo(4)
    max_d, window = 16, 7
    call = f"stereo.block_matching(Middlebury motorcycle left, right {left.shape}, {max_d}, window={window})"
    got = hw.stereo.block_matching(left, right, max_d, window=window, cost="ssd")
    got = check_array(got, shape=left.shape, dtype="integer", what="the disparity map", call=call)
    r = window // 2
    scored = np.isfinite(truth)
    scored[:r], scored[-r:], scored[:, :max_d + r], scored[:, -r:] = False, False, False, False
    bad = float(np.mean(np.abs(got[scored] - truth[scored]) > 1.0))
    partial.leaderboard("motorcycle bad-pixel rate", bad, order="asc")
    earned = (MOTORCYCLE_NOTHING - bad) / (MOTORCYCLE_NOTHING - MOTORCYCLE_FULL_MARKS)
    partial.award(earned, 1.0, "bad-pixel rate",
                  f"{call}: {bad:.1%} of {int(scored.sum())} pixels with known disparity are off by more than 1 "
                  f"pixel; full points at <= {MOTORCYCLE_FULL_MARKS:.0%}, none at {MOTORCYCLE_NOTHING:.0%}")


@pytest.mark.points(1)
def test_block_matching_error_contract(hw):
    """block_matching: ValueError naming cost, window or max_disparity"""
    image = np.ones((6, 6))
    left = np.tile([0.0, 3.0, 1.0, 7.0, 2.0, 9.0], (6, 1))
    right = np.roll(left, -1, axis=1)                                  # right[x - 1] = left[x]
    got = hw.stereo.block_matching(left, right, 2, window=1, cost="sad")
    assert_equal(got[:, 1:], np.ones((6, 5), dtype=np.int64), dtype="integer",
                 what="block_matching(left, right shifted by 1, 2, window=1, cost='sad'), columns 1..5")
    assert_raises(ValueError, hw.stereo.block_matching, image, image, 2, cost="ncc", mentions=["cost"])
    assert_raises(ValueError, hw.stereo.block_matching, image, image, 2, cost="SSD", mentions=["cost"])
    assert_raises(ValueError, hw.stereo.block_matching, image, image, 2, window=4, mentions=["window"])
    assert_raises(ValueError, hw.stereo.block_matching, image, image, 2, window=0, mentions=["window"])
    assert_raises(ValueError, hw.stereo.block_matching, image, image, -1, mentions=["max_disparity"])


@pytest.mark.points(1)
@pytest.mark.parametrize("n_lights", [3, 7])
def test_photometric_stereo_against_reference(hw, ref, rng, n_lights):
    """photometric_stereo: random normals, albedos and lights, with noise (least squares)"""
    lights = rng.normal(size=(n_lights, 3))
    lights[:, 2] = np.abs(lights[:, 2]) + 0.5
    lights /= np.linalg.norm(lights, axis=1, keepdims=True)
    normals = rng.normal(size=(9, 11, 3))
    normals[..., 2] = np.abs(normals[..., 2])
    normals /= np.linalg.norm(normals, axis=-1, keepdims=True)
    albedo = rng.uniform(0.1, 2.0, size=(9, 11))
    images = np.einsum("hwc,kc->khw", albedo[..., None] * normals, lights) + rng.normal(0, 0.01, (n_lights, 9, 11))
    got_n, got_a = unpack(hw.stereo.photometric_stereo(images, lights), ["normals", "albedo"])
    exp_n, exp_a = ref.stereo.photometric_stereo(images, lights)
    # lstsq, normal equations or a pseudo-inverse agree to ~1e-13 on these well-conditioned lights
    assert_close(got_n, exp_n, atol=1e-9, what="normals")
    assert_close(got_a, exp_a, atol=1e-9, what="albedo")


@pytest.mark.points(1)
def test_photometric_stereo_rendered_sphere(hw):
    """photometric_stereo: a sphere with varying albedo under 5 lights, exact where every light reaches"""
    lights = np.array([[0.1, 0.2, 1.0], [0.6, -0.1, 0.8], [-0.5, 0.3, 0.8], [0.2, -0.6, 0.8], [-0.3, -0.4, 0.9]])
    lights /= np.linalg.norm(lights, axis=1, keepdims=True)
    images, normals, albedo, mask = lambertian_sphere(lights, size=40, seed=3)
    lit = mask & np.all(images > 0, axis=0)
    got_n, got_a = unpack(hw.stereo.photometric_stereo(images, lights), ["normals", "albedo"])
    assert_close(got_n[lit], normals[lit], atol=1e-9, what="normals on the lit sphere")
    assert_close(got_a[lit], albedo[lit], atol=1e-9, what="albedo on the lit sphere")
    assert_close(got_n[~mask], np.broadcast_to([0.0, 0.0, 1.0], (int((~mask).sum()), 3)),
                 what="normals off the sphere (black in every image)")
    assert_close(got_a[~mask], np.zeros(int((~mask).sum())), what="albedo off the sphere")


@pytest.mark.points(1)
def test_photometric_stereo_tiny_and_shape(hw, ref):
    """photometric_stereo: |g| just below and above 1e-8; a non-square image"""
    lights = np.eye(3)
    images = np.zeros((3, 2, 3))
    images[:, 0, 0] = [0.0, 0.0, 5e-9]      # below the threshold: treated as black
    images[:, 0, 1] = [0.0, 2e-8, 0.0]      # above it: a real (dark) normal (0, 1, 0)
    images[:, 1, 2] = [3.0, 0.0, 4.0]
    got_n, got_a = unpack(hw.stereo.photometric_stereo(images, lights), ["normals", "albedo"])
    exp_n, exp_a = ref.stereo.photometric_stereo(images, lights)
    assert_close(got_n, exp_n, atol=1e-12, what="normals")
    assert_close(got_a, exp_a, atol=1e-15, what="albedo")
