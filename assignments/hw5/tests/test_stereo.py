"""Public tests for stereo.py: hand-checkable cases and the lecture's demonstrations.

Run them with ``pytest tests/test_stereo.py`` (or ``-k block`` for one function). The hidden
tests compare with the reference on seeded random images and stereograms, both costs, several
windows, ties, the image border and the error contract, and run block_matching on the real
Middlebury motorcycle pair (shared/real_data.py, motorcycle_stereo(4)), scored by the share of
pixels off by more than 1 (see block_matching's docstring): passing these is necessary, not
enough.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, check_array, context, unpack
from shared.scenes3d import lambertian_sphere, random_dot_stereogram


@pytest.mark.points(2)
def test_disparity_to_depth_by_hand(hw):
    """disparity_to_depth: Z = f B / d, and infinity where d <= 0"""
    disparity = np.array([[1.0, 2.0, 4.0], [0.0, -3.0, 0.5]])
    depth = hw.stereo.disparity_to_depth(disparity, 100.0, 0.2)   # f B = 20
    assert_close(depth, [[20.0, 10.0, 5.0], [np.inf, np.inf, 40.0]])
    with context("an integer disparity map"):
        assert_close(hw.stereo.disparity_to_depth(np.array([5, 10]), 50.0, 1.0), [10.0, 5.0])


@pytest.mark.points(3)
def test_block_matching_recovers_random_dot_square(hw):
    """block_matching: the floating square of a random-dot stereogram is recovered exactly"""
    # Julesz's demonstration: neither image alone shows a square, yet matching finds it.
    left, right, truth = random_dot_stereogram(48, 48, disparity=3, seed=1)
    disparity = check_array(hw.stereo.block_matching(left, right, 6, window=5), shape=(48, 48), dtype="integer")
    r = 2   # windows that cross the square's edge mix two depths: compare away from the edges
    with context("inside the square (eroded by the window radius)"):
        assert_equal(disparity[12 + r:36 - r, 12 + r:36 - r], np.full((20, 20), 3))
    with context("background rows above the square, away from the left border"):
        assert_equal(disparity[2:10, 8:46], np.zeros((8, 38), dtype=np.int64))


@pytest.mark.points(1)
def test_block_matching_ties_and_costs(hw):
    """block_matching: a flat image ties everywhere (smallest d wins); ssd and sad find a shift"""
    flat = np.ones((8, 10))
    assert_equal(hw.stereo.block_matching(flat, flat, 4, window=3), np.zeros((8, 10), dtype=np.int64))
    rng = np.random.default_rng(0)
    left = rng.integers(0, 10, size=(12, 20)).astype(np.float64)
    right = np.roll(left, -2, axis=1)              # right[y, x - 2] = left[y, x]: disparity 2
    for cost in ("ssd", "sad"):
        with context(f"cost={cost!r}"):
            d = hw.stereo.block_matching(left, right, 4, window=3, cost=cost)
            assert_equal(d[1:-1, 4:-3], np.full((10, 13), 2))


@pytest.mark.points(1)
def test_block_matching_never_looks_outside(hw):
    """block_matching: at column x only disparities d <= x are candidates (x - d must be in the image)"""
    rng = np.random.default_rng(1)
    left = rng.random((6, 12))
    right = rng.random((6, 12))
    disparity = hw.stereo.block_matching(left, right, 8, window=3)
    columns = np.arange(12)[None, :].repeat(6, axis=0)
    assert_equal(disparity <= columns, np.ones((6, 12), dtype=bool), what="disparity <= column index")
    right[:, :-2] = left[:, 2:]                      # now a true disparity of 2 (right[x - 2] = left[x])
    disparity = hw.stereo.block_matching(left, right, 8, window=3)
    assert_equal(disparity[1:-1, 3:-1], np.full((4, 8), 2),
                 what="block_matching(left, right shifted by 2, 8, window=3) away from the borders")


@pytest.mark.points(2)
def test_photometric_stereo_on_a_sphere(hw):
    """photometric_stereo: normals and albedo of a Lambertian sphere under 4 lights"""
    lights = np.array([[0.0, 0.0, 1.0], [0.4, 0.0, 0.9], [0.0, 0.4, 0.9], [-0.3, -0.3, 0.9]])
    lights /= np.linalg.norm(lights, axis=1, keepdims=True)
    images, normals, albedo, mask = lambertian_sphere(lights, size=24, albedo=0.8)
    lit = mask & np.all(images > 0, axis=0)       # attached shadows break the linear model
    got_n, got_a = unpack(hw.stereo.photometric_stereo(images, lights), ["normals", "albedo"])
    check_array(got_n, shape=(24, 24, 3), dtype=np.float64)
    check_array(got_a, shape=(24, 24), dtype=np.float64)
    # Three or more lights determine g = albedo * n exactly: only rounding errors remain.
    assert_close(got_n[lit], normals[lit], atol=1e-9, what="normals on the lit sphere")
    assert_close(got_a[lit], albedo[lit], atol=1e-9, what="albedo on the lit sphere")


@pytest.mark.points(1)
def test_photometric_stereo_black_pixels(hw):
    """photometric_stereo: a pixel that is black in every image gets normal (0, 0, 1) and albedo 0"""
    lights = np.eye(3)
    images = np.zeros((3, 2, 2))
    images[:, 0, 0] = [0.0, 0.0, 0.5]              # g = (0, 0, 0.5): facing the camera, albedo 0.5
    normals, albedo = unpack(hw.stereo.photometric_stereo(images, lights), ["normals", "albedo"])
    assert_close(albedo, [[0.5, 0.0], [0.0, 0.0]])
    assert_close(normals, np.broadcast_to([0.0, 0.0, 1.0], (2, 2, 3)))
