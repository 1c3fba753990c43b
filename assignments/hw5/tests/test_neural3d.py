"""Public tests for neural3d.py: NeRF's building blocks by hand, and PointNet's symmetry.

Run them with ``pytest tests/test_neural3d.py``. Your functions take and return torch tensors,
so the tests call them through ``tests/probes.py`` (numpy in, tensors to your code, numpy
back). The hidden tests compare with the reference on random rays and scenes, check that
gradients flow through ``volume_render``, test numerical extremes (huge and negative
densities) and train your PointNet on synthetic spheres, cubes, cylinders and cones: points
by held-out accuracy.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, check_array, context

LN2 = np.log(2.0)


@pytest.mark.points(2)
def test_positional_encoding_by_hand(hw):
    """positional_encoding: [x, sin(pi x), cos(pi x), sin(2 pi x), cos(2 pi x)], each block over all coordinates"""
    x = np.array([[0.5, 0.25]])
    s = np.sqrt(0.5)
    expected = [[0.5, 0.25,          # x itself
                 1.0, s, 0.0, s,     # sin(pi x), cos(pi x)
                 0.0, 1.0, -1.0, 0.0]]  # sin(2 pi x), cos(2 pi x)
    assert_close(hw.probe("positional_encoding", x, 2), expected, atol=1e-12)
    with context("include_input=False"):
        assert_close(hw.probe("positional_encoding", x, 2, include_input=False), [expected[0][2:]], atol=1e-12)


@pytest.mark.points(2)
def test_get_rays_by_hand(hw):
    """get_rays: direction ((j - W/2)/f, -(i - H/2)/f, -1), rotated by c2w; origin c2w[:3, 3]"""
    c2w = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 2.0], [0.0, 0.0, 1.0, 3.0]])
    rays_o, rays_d = hw.probe("get_rays", 2, 3, 2.0, c2w)
    check_array(rays_o, shape=(2, 3, 3), dtype=np.float64)
    assert_close(rays_o, np.broadcast_to([1.0, 2.0, 3.0], (2, 3, 3)))
    x = np.array([-0.75, -0.25, 0.25])      # (j - 1.5) / 2 for columns j = 0, 1, 2
    y = np.array([0.5, 0.0])                # -(i - 1) / 2 for rows i = 0, 1: y points UP
    expected = np.stack(np.broadcast_arrays(x[None, :], y[:, None], -1.0), axis=-1)
    assert_close(rays_d, expected)
    with context("a camera turned 90 degrees about z: (x, y, z) -> (-y, x, z)"):
        rot = np.array([[0.0, -1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
        _, rays_d = hw.probe("get_rays", 2, 3, 2.0, rot)
        assert_close(rays_d, np.stack([-expected[..., 1], expected[..., 0], expected[..., 2]], axis=-1))


@pytest.mark.points(1)
def test_sample_along_rays(hw):
    """sample_along_rays: evenly spaced with both ends; stratified: one sample inside each bin"""
    # float32 (torch's default dtype) rounds 2 ... 6 well within 1e-6.
    assert_close(hw.probe("sample_along_rays", 2.0, 6.0, 5)[0], [2.0, 3.0, 4.0, 5.0, 6.0], atol=1e-6,
                 dtype="floating")
    samples = hw.probe("sample_along_rays", 2.0, 6.0, 5, stratified=True, seed=0, repeats=20)
    lower = 2.0 + 0.8 * np.arange(5)                 # 5 bins of width 0.8
    inside = (samples >= lower - 1e-6) & (samples <= lower + 0.8 + 1e-6)
    assert_equal(inside, np.ones((20, 5), dtype=bool), what="sample i inside bin i")
    assert_equal(np.ptp(samples, axis=0) > 0.05, np.ones(5, dtype=bool), what="the samples vary between calls")


@pytest.mark.points(2)
def test_volume_render_two_samples(hw):
    """volume_render: alpha = 1 - exp(-sigma delta), exclusive transmittance, last delta 1e10"""
    sigmas = np.array([[LN2, LN2]])
    colors = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    t_vals = np.array([[2.0, 3.0]])
    rgb, depth, weights = hw.probe("volume_render", sigmas, colors, t_vals)
    # Sample 0: delta 1, alpha = 1 - exp(-ln 2) = 1/2; nothing in front, so T_0 = 1 and w_0 = 1/2.
    # Sample 1: delta 1e10, alpha = 1; T_1 = 1 - 1/2, so w_1 = 1/2.
    assert_close(weights, [[0.5, 0.5]])
    assert_close(rgb, [[0.5, 0.5, 0.0]])
    assert_close(depth, [2.5])


@pytest.mark.points(1)
def test_volume_render_opaque_first_sample(hw):
    """volume_render: an opaque first sample hides everything behind it"""
    sigmas = np.array([[1e4, 3.0, 5.0]])            # (R, S) shared t_vals of shape (S,) below
    colors = np.array([[[0.2, 0.4, 0.6], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]])
    rgb, depth, weights = hw.probe("volume_render", sigmas[..., None], colors, np.array([1.0, 1.5, 2.0]))
    assert_close(weights, [[1.0, 0.0, 0.0]])
    assert_close(rgb, [[0.2, 0.4, 0.6]])
    assert_close(depth, [1.0])


@pytest.mark.points(2)
def test_pointnet_ignores_point_order(hw):
    """PointNet: logits (B, num_classes), the same for any order of the points"""
    rng = np.random.default_rng(0)
    points = rng.normal(size=(3, 50, 3)).astype(np.float32)
    out = hw.probe("pointnet_outputs", points, 5, 32, rng.permutation(50), [0, 1, 2])
    check_array(out["logits"], shape=(3, 5), dtype=np.float32)
    # max pooling is exactly symmetric; float32 matmuls may round differently in another order
    assert_close(out["permuted"], out["logits"], atol=1e-5, rtol=1e-5, dtype=np.float32, what="permuted logits")


@pytest.mark.points(1)
def test_critical_points_keep_the_global_feature(hw):
    """critical_point_indices: sorted unique indices; the critical points alone give the same logits"""
    rng = np.random.default_rng(1)
    points = rng.normal(size=(400, 3)).astype(np.float32)
    indices, full, subset = hw.probe("critical_points", points, 4, 32)
    check_array(indices, dtype="integer", what="the indices")
    assert_equal(np.unique(indices), indices, what="the indices (sorted, no repeats)")
    assert 0 < indices.size <= 32, f"expected between 1 and feat_dim = 32 critical points, got {indices.size}"
    assert_close(subset, full, atol=1e-5, rtol=1e-5, dtype=np.float32, what="logits of the critical points alone")
