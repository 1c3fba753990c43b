"""Hidden tests for tracking.py: flow accuracy on known shifts, warps and propagation against the reference.

What decides: Lucas-Kanade on several textures and sub-pixel shifts (the spec's 0.1 px inside
the image, i.e. at least ``window`` pixels from the border), other window sizes, the aperture
problem (a pattern varying in one direction only: singular structure tensor, flow 0), random
warps reaching outside the image, colour images, dot products of 1e4 and temperatures.
Lucas-Kanade is not compared with the reference value by value: derivative stencils and
thresholds may differ; its accuracy against the true shift decides.
Tolerances: 1e-10 for warp and propagation (a few float64 operations on O(1) values).
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, check_array, context
from shared.vision_data import shifted_pair, textured_image

TOL = {"atol": 1e-10, "rtol": 1e-10}
SHIFTS = [(0.3, -0.2), (-0.25, 0.3), (0.1, 0.35), (-0.3, -0.3), (0.0, 0.15)]


def _check_flow(flow, shift, margin, label):
    inner = flow[margin:-margin, margin:-margin]
    error = float(np.max(np.abs(inner - np.asarray(shift))))
    assert error < 0.1, f"{label}: the flow inside the image is off by up to {error:.3f} px (allowed 0.1)"


@pytest.mark.points(3)
def test_lucas_kanade_subpixel_shifts(hw):
    """lucas_kanade: five textures, five sub-pixel shifts each: within 0.1 px inside the image"""
    for seed in range(1, 6):
        for k, shift in enumerate(SHIFTS):
            frame0, frame1 = shifted_pair((32, 32), shift, seed=seed)
            flow = check_array(hw.tracking.lucas_kanade(frame0, frame1), shape=(32, 32, 2), dtype="floating",
                               what="the flow")
            _check_flow(flow, shift, 5, f"texture {seed}, sub-pixel shift {k + 1} of {len(SHIFTS)}")


@pytest.mark.points(1)
def test_lucas_kanade_other_windows_and_sizes(hw):
    """lucas_kanade: windows 7 and 9, a non-square 40x28 image"""
    for window in (7, 9):
        for k, shift in enumerate(SHIFTS[:3]):
            frame0, frame1 = shifted_pair((40, 28), shift, seed=10 + window)
            flow = check_array(hw.tracking.lucas_kanade(frame0, frame1, window=window), shape=(40, 28, 2),
                               what="the flow")
            _check_flow(flow, shift, window, f"window {window}, sub-pixel shift {k + 1}")


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
            assert_close(hw.tracking.lucas_kanade(frame0, frame1), np.zeros((20, 24, 2)), what="the flow",
                         atol=1e-12)


@pytest.mark.points(2)
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


@pytest.mark.points(2)
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
