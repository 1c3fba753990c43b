"""Public tests for tracking.py: optical flow on textures moved by a known amount, warps by hand.

Run them with ``pytest tests/test_tracking.py``. The textures come from
``shared.vision_data.shifted_pair``: a smooth random pattern and the same pattern moved by a
known sub-pixel (u, v), computed exactly (no interpolation). The hidden tests add more shifts,
seeds and windows, the aperture problem, random warps and dot products of 1e4.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, check_array, context
from shared.vision_data import shifted_pair

TOL = {"atol": 1e-10, "rtol": 1e-10}


def _check_flow(flow, shift, margin, label):
    """The graded accuracy: median flow within 0.05 px of the shift, 90 % of pixels within 0.15 px."""
    inner = np.asarray(flow, dtype=np.float64)[margin:-margin, margin:-margin].reshape(-1, 2)
    median = np.median(inner, axis=0)
    median_error = float(np.max(np.abs(median - np.asarray(shift))))
    good = float(np.mean(np.max(np.abs(inner - np.asarray(shift)), axis=1) <= 0.15))
    assert median_error < 0.05, (f"{label}: the median flow inside the image is ({median[0]:.3f}, {median[1]:.3f}), "
                                 f"true ({shift[0]}, {shift[1]}): off by {median_error:.3f} px (allowed 0.05)")
    assert good >= 0.9, (f"{label}: only {good:.0%} of the pixels inside the image are within 0.15 px of the "
                         "true shift (required: 90 %)")


@pytest.mark.points(1)
def test_lucas_kanade_flat_region_has_no_flow(hw):
    """lucas_kanade: a texture moving next to a flat region: flow 0 where the window sees only flat pixels"""
    frame0, frame1 = shifted_pair((24, 32), (0.25, 0.0), seed=0)
    frame0[:, 16:] = frame1[:, 16:] = 0.5       # columns 16.. are flat in both frames
    flow = check_array(hw.tracking.lucas_kanade(frame0, frame1, window=5), shape=(24, 32, 2), dtype="floating",
                       what="the flow")
    # Derivatives reach one pixel, the 5x5 window two more: from column 16 + 1 + 2 on, nothing moves.
    assert_close(flow[:, 19:], np.zeros((24, 13, 2)), what="the flow in the flat columns 19..31", atol=1e-12)
    _check_flow(flow[:, :16], (0.25, 0.0), 5, "the textured columns 0..15")


@pytest.mark.points(1)
def test_lucas_kanade_recovers_a_shift(hw):
    """lucas_kanade: a texture moved 0.25 px right, then 0.2 px up: median flow within 0.05 px inside"""
    for shift in [(0.25, 0.0), (0.0, -0.2)]:
        frame0, frame1 = shifted_pair((32, 32), shift, seed=0)
        flow = check_array(hw.tracking.lucas_kanade(frame0, frame1, window=5), shape=(32, 32, 2),
                           dtype="floating", what="the flow")
        _check_flow(flow, shift, 5, f"shift {shift}")


@pytest.mark.points(1)
def test_warp_integer_shift(hw):
    """warp: flow (1, 0) reads one pixel to the right; flow (0, -1) one pixel up; zeros outside"""
    image = np.arange(1.0, 21.0).reshape(4, 5)
    right = np.zeros((4, 5, 2))
    right[..., 0] = 1.0
    expected = np.zeros((4, 5))
    expected[:, :-1] = image[:, 1:]              # out[y, x] = image[y, x + 1]; the last column reads outside
    assert_close(hw.tracking.warp(image, right), expected, **TOL)
    up = np.zeros((4, 5, 2))
    up[..., 1] = -1.0
    expected = np.zeros((4, 5))
    expected[1:] = image[:-1]                    # out[y, x] = image[y - 1, x]
    with context("flow (0, -1)"):
        assert_close(hw.tracking.warp(image, up), expected, **TOL)


@pytest.mark.points(1)
def test_warp_half_pixel(hw):
    """warp: flow (0.5, 0) averages horizontal neighbours (bilinear), the border mixes in a zero"""
    image = np.array([[0.0, 2.0, 4.0], [1.0, 1.0, 7.0]])
    flow = np.zeros((2, 3, 2))
    flow[..., 0] = 0.5
    expected = np.array([[1.0, 3.0, 2.0], [1.0, 4.0, 3.5]])
    assert_close(hw.tracking.warp(image, flow), expected, **TOL)


@pytest.mark.points(1)
def test_color_propagation_softmax_over_reference(hw):
    """color_propagation: each target pixel averages the reference colours with softmax weights over the reference"""
    ref_embed = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    tgt_embed = np.array([[np.log(3.0), 0.0], [0.0, np.log(2.0)]])
    ref_colors = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    # Target 0: dot products (log 3, 0, 0) -> weights (3, 1, 1) / 5; target 1: (1, 2, 1) / 4.
    expected = np.array([[0.6, 0.2], [0.25, 0.5]])
    assert_close(hw.tracking.color_propagation(ref_embed, tgt_embed, ref_colors), expected, **TOL)
    with context("temperature 0.5 doubles the logits: weights (9, 1, 1) / 11 for target 0"):
        got = hw.tracking.color_propagation(ref_embed, tgt_embed[:1], ref_colors, temperature=0.5)
        assert_close(got, [[9 / 11, 1 / 11]], **TOL)


@pytest.mark.points(1)
def test_propagate_labels_by_hand(hw):
    """propagate_labels: each target takes the label of the reference with the largest dot product"""
    ref_embed = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    tgt_embed = np.array([[0.9, 0.1], [-0.2, -0.3], [0.1, 2.0], [0.3, 0.2]])
    labels = np.array([4, 7, 9])
    # Dot products of target 1: (-0.2, -0.3, 0.5) -> reference 2 (label 9).
    assert_equal(hw.tracking.propagate_labels(ref_embed, tgt_embed, labels), [4, 9, 7, 4])
