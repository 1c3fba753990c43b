"""Hidden tests for tracking.py: flow accuracy on known shifts, warps and propagation against the reference.

What decides: Lucas-Kanade on several textures and sub-pixel shifts (each shift scored on its
own), other window sizes, the window's extent (the image changed just beyond window // 2 + 1
of a pixel must not change its flow), the aperture problem and the absolute eigenvalue
threshold (flow exactly 0), random warps reaching outside the image, colour images, dot
products of 1e4, temperatures, and ties in label propagation.
Lucas-Kanade is not compared with the reference value by value: derivative stencils (central
differences or Sobel, of frame0 or of the mean frame) differ; its accuracy against the true
shift decides. The accuracy bounds come from the textbook method (gradient of frame0), whose
error is first order in the shift: over 25 textures x shifts of up to 0.35 px its median
flow is within 0.034 px and its 90th-percentile pixel within 0.12 px (the mean-frame
derivatives: 0.013 and 0.018). The bounds, 0.05 px and 0.15 px, keep a 1.3-1.5x margin and
fail a zero flow (every shift has a component of at least 0.15 px).
Tolerances: 1e-10 for warp and propagation (a few float64 operations on O(1) values).
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, check_array, context
from shared.vision_data import shifted_pair, textured_image

TOL = {"atol": 1e-10, "rtol": 1e-10}
SHIFTS = [(0.3, -0.2), (-0.25, 0.3), (0.1, 0.35), (-0.3, -0.3), (0.0, 0.15)]


def _check_flow(flow, shift, margin, label):
    """The median flow inside the image within 0.05 px of ``shift``, 90 % of its pixels within 0.15 px."""
    inner = np.asarray(flow, dtype=np.float64)[margin:-margin, margin:-margin].reshape(-1, 2)
    median_error = float(np.max(np.abs(np.median(inner, axis=0) - np.asarray(shift))))
    pixel_error = np.max(np.abs(inner - np.asarray(shift)), axis=1)
    good = float(np.mean(pixel_error <= 0.15))
    assert median_error < 0.05, (f"{label}: the median flow inside the image is off by {median_error:.3f} px "
                                 "(allowed 0.05)")
    assert good >= 0.9, (f"{label}: only {good:.0%} of the pixels inside the image are within 0.15 px of the "
                         "true shift (required: 90 %)")


@pytest.mark.points(3)
def test_lucas_kanade_subpixel_shifts(hw, partial):
    """lucas_kanade: five textures, five sub-pixel shifts each (each case 1/25 of the points)"""
    for seed in range(1, 6):
        for k, shift in enumerate(SHIFTS):
            label = f"texture {seed}, sub-pixel shift {k + 1} of {len(SHIFTS)}"
            with partial.part(1 / 25, label):
                frame0, frame1 = shifted_pair((32, 32), shift, seed=seed)
                flow = check_array(hw.tracking.lucas_kanade(frame0, frame1), shape=(32, 32, 2), dtype="floating",
                                   what=f"the flow ({label})")
                _check_flow(flow, shift, 5, label)


@pytest.mark.points(1)
def test_lucas_kanade_other_windows_and_sizes(hw, partial):
    """lucas_kanade: windows 3, 7 and 9, a non-square 40x28 image (each case scored on its own)"""
    cases = [(window, k, shift) for window in (3, 7, 9) for k, shift in enumerate(SHIFTS[:3])]
    for window, k, shift in cases:
        label = f"window {window}, sub-pixel shift {k + 1}"
        with partial.part(1 / len(cases), label):
            frame0, frame1 = shifted_pair((40, 28), shift, seed=10 + window)
            flow = check_array(hw.tracking.lucas_kanade(frame0, frame1, window=window), shape=(40, 28, 2),
                               what=f"the flow ({label})")
            _check_flow(flow, shift, window, label)


@pytest.mark.points(2)
def test_lucas_kanade_window_extent(hw):
    """lucas_kanade: the image changed beyond window // 2 + 1 of a pixel leaves its flow unchanged"""
    shift = (0.3, -0.2)
    frame0, frame1 = shifted_pair((32, 32), shift, seed=7)
    other0, other1 = shifted_pair((32, 32), (-0.2, 0.25), seed=8)
    yy, xx = np.mgrid[0:32, 0:32]
    for window in (3, 5, 7):
        r = window // 2
        for py, px in [(15, 16), (12, 19)]:
            # Pixels at Chebyshev distance >= r + 2 from (py, px) come from another texture: the
            # window reaches r, its derivatives r + 1.
            far = np.maximum(np.abs(yy - py), np.abs(xx - px)) >= r + 2
            changed0, changed1 = np.where(far, other0, frame0), np.where(far, other1, frame1)
            where = f"window {window}, pixel (x={px}, y={py})"
            flow = check_array(hw.tracking.lucas_kanade(frame0, frame1, window=window), shape=(32, 32, 2),
                               what=f"the flow ({where})")
            error = float(np.max(np.abs(flow[py, px] - np.asarray(shift))))
            assert error < 0.15, f"{where}: the flow is off the true shift by {error:.3f} px"
            moved = check_array(hw.tracking.lucas_kanade(changed0, changed1, window=window), shape=(32, 32, 2),
                                what=f"the flow ({where}, image changed far away)")
            change = float(np.max(np.abs(moved[py, px] - flow[py, px])))
            assert change < 1e-8, (f"{where}: changing only pixels {r + 2} or more rows/columns away changed the "
                                   f"flow by {change:.3g} px: the window reaches further than window // 2")


@pytest.mark.points(1)
def test_lucas_kanade_aperture_problem(hw):
    """lucas_kanade: stripes that vary along one axis only give a singular structure tensor: flow 0"""
    x = np.arange(24.0)
    stripes = 0.5 + 0.4 * np.sin(2 * np.pi * x / 9.0)
    for label, frame0, frame1 in [
            ("vertical stripes moved right", np.tile(stripes, (20, 1)), np.tile(np.roll(stripes, 1), (20, 1))),
            ("horizontal stripes moved down", np.tile(stripes[:20, None], (1, 24)),
             np.tile(np.roll(stripes[:20], 1)[:, None], (1, 24)))]:
        with context(label):
            assert_close(hw.tracking.lucas_kanade(frame0, frame1),
                         np.zeros((20, 24, 2)), what="the flow", atol=1e-12)
    frame0, frame1 = shifted_pair((20, 24), SHIFTS[0], seed=9)
    _check_flow(hw.tracking.lucas_kanade(frame0, frame1), SHIFTS[0], 5, "a texture of the same size")


@pytest.mark.points(1)
def test_lucas_kanade_eigenvalue_threshold(hw):
    """lucas_kanade: MIN_EIGENVALUE is absolute: contrast 0.001 counts as flat (flow 0), contrast 0.3 moves"""
    shift = SHIFTS[3]
    frame0, frame1 = shifted_pair((32, 32), shift, seed=4)
    # Eigenvalues scale with the contrast squared: ~5e-4..4e-2 at contrast 1, so below 4e-8 at
    # 0.001 and above 4e-5 at 0.3 (for any 3x3 stencil), far from 1e-6 on either side.
    faint0, faint1 = 0.5 + 1e-3 * (frame0 - 0.5), 0.5 + 1e-3 * (frame1 - 0.5)
    assert_close(hw.tracking.lucas_kanade(faint0, faint1), np.zeros((32, 32, 2)), what="the flow at contrast 0.001",
                 atol=1e-12)
    low0, low1 = 0.5 + 0.3 * (frame0 - 0.5), 0.5 + 0.3 * (frame1 - 0.5)
    _check_flow(hw.tracking.lucas_kanade(low0, low1), shift, 5, "contrast 0.3")


@pytest.mark.points(1)
def test_warp_against_reference(hw, ref, rng):
    """warp: random images and smooth random flows of up to 3 px, samples leaving the image"""
    for shape in [(9, 11), (16, 16), (5, 20)]:
        image = rng.normal(size=shape)
        flow = rng.uniform(-3, 3, size=shape + (2,))
        with context(f"image {shape}"):
            assert_close(hw.tracking.warp(image, flow), ref.tracking.warp(image, flow), **TOL)


@pytest.mark.points(1)
def test_warp_color_and_far_outside(hw, ref, rng):
    """warp: an (H, W, 3) image is warped channel by channel; flows far outside give 0"""
    image = rng.random((8, 10, 3))
    flow = rng.uniform(-2, 2, size=(8, 10, 2))
    assert_close(hw.tracking.warp(image, flow), ref.tracking.warp(image, flow), **TOL)
    far = np.full((8, 10, 2), 100.0)
    far[::2] *= -1
    with context("every sample 100 px outside the image"):
        assert_close(hw.tracking.warp(image[..., 0], far), np.zeros((8, 10)), **TOL)


@pytest.mark.points(1)
def test_warp_undoes_a_known_shift(hw):
    """warp: warping frame1 by the true flow gives back frame0 (up to bilinear error) inside the image"""
    shift = (0.6, -1.3)
    frame0 = textured_image((24, 24), seed=3)
    frame1 = textured_image((24, 24), seed=3, shift=shift)
    flow = np.broadcast_to(np.array(shift), (24, 24, 2)).copy()
    back = check_array(hw.tracking.warp(frame1, flow), shape=(24, 24), what="the warped frame")
    error = float(np.max(np.abs(back[3:-3, 3:-3] - frame0[3:-3, 3:-3])))
    # Bilinear interpolation of a texture with wavelengths >= 12 px errs by at most ~0.02.
    assert error < 0.03, f"warp(frame1, true flow) differs from frame0 by up to {error:.3f} inside the image"


@pytest.mark.points(1)
def test_color_propagation_against_reference(hw, ref, rng):
    """color_propagation: random embeddings and colours, several sizes"""
    for N, M, D, C in [(10, 7, 4, 3), (30, 30, 8, 2), (1, 5, 3, 3)]:
        ref_embed, tgt_embed, colors = rng.normal(size=(N, D)), rng.normal(size=(M, D)), rng.random((N, C))
        with context(f"N={N}, M={M}, D={D}, C={C}"):
            assert_close(hw.tracking.color_propagation(ref_embed, tgt_embed, colors),
                         ref.tracking.color_propagation(ref_embed, tgt_embed, colors), **TOL)


@pytest.mark.points(1)
def test_color_propagation_large_dot_products(hw, ref, rng):
    """color_propagation: dot products of about 1e4 stay finite (shift the softmax by its maximum)"""
    ref_embed, tgt_embed = 30 * rng.normal(size=(12, 16)), 30 * rng.normal(size=(9, 16))
    colors = rng.random((12, 3))
    assert_close(hw.tracking.color_propagation(ref_embed, tgt_embed, colors),
                 ref.tracking.color_propagation(ref_embed, tgt_embed, colors), **TOL)


@pytest.mark.points(1)
def test_color_propagation_temperature(hw, ref, rng):
    """color_propagation: temperatures 0.1 and 5 sharpen and flatten the affinity"""
    ref_embed, tgt_embed, colors = rng.normal(size=(15, 4)), rng.normal(size=(6, 4)), rng.random((15, 3))
    for temperature in (0.1, 5.0):
        with context(f"temperature={temperature}"):
            assert_close(hw.tracking.color_propagation(ref_embed, tgt_embed, colors, temperature=temperature),
                         ref.tracking.color_propagation(ref_embed, tgt_embed, colors, temperature=temperature),
                         **TOL)


@pytest.mark.points(1)
def test_propagate_labels_against_reference(hw, ref, rng):
    """propagate_labels: random embeddings, arbitrary integer labels"""
    ref_embed, tgt_embed = rng.normal(size=(20, 5)), rng.normal(size=(30, 5))
    labels = rng.choice([3, 11, 42, 7], size=20)
    assert_equal(hw.tracking.propagate_labels(ref_embed, tgt_embed, labels),
                 ref.tracking.propagate_labels(ref_embed, tgt_embed, labels))


@pytest.mark.points(1)
def test_propagate_labels_ties(hw, rng):
    """propagate_labels: equal largest dot products (duplicated references, symmetric ones): the lower index wins"""
    ref_embed = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    labels = np.array([5, 2, 8, 1, 9])
    tgt_embed = np.array([[2.0, 0.0],       # references 0 and 2 tie: label 5
                          [0.0, 3.0],       # references 1 and 3 tie: label 2
                          [1.0, 1.0],       # references 0, 1, 2, 3 tie: label 5
                          [-1.0, -2.0]])    # reference 4 alone: label 9
    assert_equal(hw.tracking.propagate_labels(ref_embed, tgt_embed, labels), [5, 2, 5, 9],
                 what="the labels (ties: the lower reference index)")
    order = rng.permutation(4)
    with context("the tied references in another order"):
        groups = ([0, 2], [1, 3], [0, 1, 2, 3])
        expected = [labels[order][min(np.flatnonzero(np.isin(order, group)))] for group in groups]
        assert_equal(hw.tracking.propagate_labels(np.concatenate([ref_embed[order], ref_embed[4:]]), tgt_embed[:3],
                                                  np.concatenate([labels[order], labels[4:]])), expected)
