"""Hidden tests for pretext.py: every label and bad offset, context pairs on many seeds,
grey and colour images and every gap, rotations of integer and colour batches, the counting
loss with its hinge on and off (margin 0 included), and the error contract.
Tolerances: 1e-10 for float64 sums of a few O(1) terms.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_raises, assert_scalar_close, context, unpack

NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


@pytest.mark.points(1)
def test_relative_position_label_contract(hw, ref):
    """relative_position_label: all 8 labels; ValueError naming dy and dx for the centre and far offsets"""
    for dy, dx in NEIGHBOURS:
        got = hw.pretext.relative_position_label(dy, dx)
        assert got == ref.pretext.relative_position_label(dy, dx), f"relative_position_label({dy}, {dx}) is wrong"
    for dy, dx in [(0, 0), (-2, 1), (1, 2), (3, 3), (-1, -2)]:
        assert_raises(ValueError, hw.pretext.relative_position_label, dy, dx, mentions=["dy", "dx"])


def _locate(image, patch_values):
    """(y, x) of the top-left corner where ``patch_values`` sits in an image of unique values."""
    hits = np.argwhere(image[..., 0] == patch_values[0, 0, 0]) if image.ndim == 3 \
        else np.argwhere(image == patch_values[0, 0])
    return tuple(int(v) for v in hits[0]) if len(hits) == 1 else None


@pytest.mark.points(1)
@pytest.mark.parametrize("shape, patch, gap", [((20, 23), 4, 2), ((15, 12, 3), 3, 0), ((30, 30), 5, 3)])
def test_context_pairs_are_consistent(hw, rng, shape, patch, gap):
    """context_prediction_pair: patches copied from the image, at (dy, dx) * (patch + gap), inside, all labels"""
    image = rng.permutation(np.prod(shape)).reshape(shape).astype(np.float64)   # every value unique
    H, W = shape[:2]
    step = patch + gap
    labels, corners = set(), set()
    for seed in range(60):
        centre, neighbour, label = unpack(hw.pretext.context_prediction_pair(image, patch, gap, seed),
                                          ["centre", "neighbour", "label"])
        call = f"pretext.context_prediction_pair(image of shape {shape}, patch={patch}, gap={gap}, rng={seed})"
        assert isinstance(label, (int, np.integer)) and 0 <= label < 8, \
            f"{call}: the label must be an int in 0..7, got {label!r}"
        expected_shape = (patch, patch) + shape[2:]
        for what, value in (("the centre patch", centre), ("the neighbour patch", neighbour)):
            assert isinstance(value, np.ndarray) and value.shape == expected_shape, \
                f"{call}: {what} must be an array of shape {expected_shape}"
        y, x = _locate(image, centre) or (-1, -1)
        assert y >= 0, f"{call}: the centre patch is not a patch of the image"
        assert_close(centre, image[y:y + patch, x:x + patch], what="the centre patch", call=call)
        dy, dx = NEIGHBOURS[int(label)]
        ny, nx = y + dy * step, x + dx * step
        assert 0 <= y - step and y + patch + step <= H and 0 <= x - step and x + patch + step <= W, \
            f"{call}: the centre patch is too close to the border for all 8 neighbours to fit"
        assert_close(neighbour, image[ny:ny + patch, nx:nx + patch], what=f"the neighbour patch (label {label})",
                     call=call)
        labels.add(int(label))
        corners.add((y, x))
    assert labels == set(range(8)), f"60 seeds gave only labels {sorted(labels)}: the label must be random"
    assert len(corners) > 1, "60 seeds gave the same centre position: the centre must be random"


def _valid_pairs(image, patch, gap, centre, neighbour, label):
    """The centre corners (y, x) that explain (centre, neighbour, label) on ``image``."""
    step = patch + gap
    H, W = image.shape[:2]
    if not isinstance(label, (int, np.integer)) or not 0 <= label < 8:
        return []
    dy, dx = NEIGHBOURS[int(label)]
    return [(y, x) for y in range(step, H - patch - step + 1) for x in range(step, W - patch - step + 1)
            if np.array_equal(image[y:y + patch, x:x + patch], centre)
            and np.array_equal(image[y + dy * step:y + dy * step + patch, x + dx * step:x + dx * step + patch],
                               neighbour)]


@pytest.mark.points(1)
def test_context_pair_is_seeded(hw):
    """context_prediction_pair: the same seed gives the same example; uint8 images keep their dtype; every valid
    centre corner, the extremes included, can be drawn"""
    image = np.arange(20 * 20, dtype=np.uint16).reshape(20, 20).astype(np.uint8)
    first = hw.pretext.context_prediction_pair(image, 3, 1, 123)
    second = hw.pretext.context_prediction_pair(image, 3, 1, 123)
    for a, b, what in zip(first, second, ["centre", "neighbour", "label"], strict=True):
        assert_equal(np.asarray(b), np.asarray(a), what=f"the {what} of a second call with rng=123")
    assert_equal(first[0], first[0], dtype=np.uint8, what="the centre patch")
    assert _valid_pairs(image, 3, 1, *first), \
        "context_prediction_pair(uint8 image (20, 20), 3, 1, 123): not a centre patch and its labelled neighbour"
    # a 13 x 12 image with patch 3 and gap 1 has valid corners y in 4..6 and x in 4..5 (both ends inclusive)
    image = np.arange(13 * 12, dtype=np.float64).reshape(13, 12)
    corners = set()
    for seed in range(120):
        example = hw.pretext.context_prediction_pair(image, 3, 1, seed)
        found = _valid_pairs(image, 3, 1, *example)
        assert found, f"context_prediction_pair(image (13, 12), 3, 1, {seed}): not a centre patch and its neighbour"
        corners.update(found)
    expected = {(y, x) for y in (4, 5, 6) for x in (4, 5)}
    assert corners == expected, \
        (f"context_prediction_pair(image (13, 12), patch=3, gap=1), 120 seeds: centre corners drawn "
         f"{sorted(corners)}; every valid corner must be possible, y in 4..6 and x in 4..5 (both ends inclusive)")


@pytest.mark.points(1)
def test_context_pair_image_too_small(hw):
    """context_prediction_pair: an image smaller than 3*patch + 2*gap raises ValueError naming image"""
    image = np.arange(11 * 11, dtype=np.float64).reshape(11, 11)     # exactly 3*3 + 2*1: one centre position
    example = hw.pretext.context_prediction_pair(image, 3, 1, 0)
    assert _valid_pairs(image, 3, 1, *example) == [(4, 4)], \
        "context_prediction_pair(image (11, 11), 3, 1, 0): the smallest allowed image must work (centre at (4, 4))"
    assert_raises(ValueError, hw.pretext.context_prediction_pair, np.zeros((10, 10)), 3, 1, 0, mentions=["image"])
    assert_raises(ValueError, hw.pretext.context_prediction_pair, np.zeros((12, 10)), 3, 1, 0, mentions=["image"])


@pytest.mark.points(1)
def test_rotation_batch_against_reference(hw, ref, rng):
    """rotation_batch: grey float, colour and uint8 batches, image-major, labels 0..3"""
    batches = [rng.normal(size=(3, 5, 5)), rng.random((2, 4, 4, 3)), rng.integers(0, 255, (4, 3, 3)).astype(np.uint8),
               rng.normal(size=(1, 1, 1))]
    for images in batches:
        with context(f"images of shape {images.shape}, dtype {images.dtype}"):
            rotated, labels = unpack(hw.pretext.rotation_batch(images), ["rotated", "labels"])
            want_rotated, want_labels = ref.pretext.rotation_batch(images)
            assert_equal(rotated, want_rotated, dtype=want_rotated.dtype, what="the rotated images")
            assert_equal(labels, want_labels, dtype="integer", what="the labels")


@pytest.mark.points(1)
def test_rotation_batch_needs_square_images(hw):
    """rotation_batch: non-square images (H != W) raise ValueError naming images"""
    images = np.arange(2 * 3 * 3).reshape(2, 3, 3)
    rotated, labels = unpack(hw.pretext.rotation_batch(images), ["rotated", "labels"])
    assert_equal(rotated, np.stack([np.rot90(image, k) for image in images for k in range(4)]),
                 what="rotation_batch(square (2, 3, 3) batch): the rotated images")
    assert_raises(ValueError, hw.pretext.rotation_batch, np.zeros((2, 4, 5)), mentions=["images"])


@pytest.mark.points(1)
def test_counting_loss_against_reference(hw, ref, rng):
    """counting_loss: random features, the hinge active and inactive, several margins"""
    for d, scale, margin in [(5, 0.3, 10.0), (8, 2.0, 10.0), (3, 1.0, 4.0), (16, 0.1, 0.5)]:
        whole, tiles, other = rng.normal(size=d) * scale, rng.normal(size=(4, d)) * scale, rng.normal(size=d) * scale
        with context(f"D={d}, margin={margin}"):
            assert_scalar_close(hw.pretext.counting_loss(whole, tiles, other, margin=margin),
                                ref.pretext.counting_loss(whole, tiles, other, margin=margin))


@pytest.mark.points(1)
def test_counting_loss_edge_cases(hw):
    """counting_loss: margin 0 leaves the match term only; tiles summing to the whole with other far give 0"""
    tiles = np.array([[1.0, 2.0], [0.5, -1.0], [0.0, 0.0], [-0.5, 1.0]])   # sum (1, 2)
    assert_scalar_close(hw.pretext.counting_loss(np.array([1.0, 2.0]), tiles, np.array([1.0, 2.0]), margin=0.0), 0.0)
    assert_scalar_close(hw.pretext.counting_loss(np.array([1.0, 2.0]), tiles, np.array([1.0, 2.0])), 10.0)
    assert_scalar_close(hw.pretext.counting_loss(np.array([0.0, 0.0]), tiles, np.array([4.0, 6.0])), 5.0)
