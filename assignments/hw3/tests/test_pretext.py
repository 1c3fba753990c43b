"""Public tests for pretext.py: hand-checkable cases of the three pretext tasks.

Run them with ``pytest tests/test_pretext.py``. The hidden tests also try colour images,
integer dtypes, many random seeds, every gap, rectangular images and the error contract.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_raises, assert_scalar_close, context, unpack

NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


@pytest.mark.points(1)
def test_relative_position_labels(hw):
    """relative_position_label: the 8 neighbours are numbered 0..7 row-major, skipping the centre"""
    for label, (dy, dx) in enumerate(NEIGHBOURS):
        got = hw.pretext.relative_position_label(dy, dx)
        assert got == label and isinstance(got, (int, np.integer)), \
            f"relative_position_label({dy}, {dx}): expected {label}, got {got!r}"


@pytest.mark.points(1)
def test_relative_position_rejects_centre(hw):
    """relative_position_label: the centre (0, 0) and offsets outside {-1, 0, 1} raise ValueError"""
    for dy, dx, label in [(-1, -1, 0), (1, 1, 7)]:     # valid corners still work
        got = hw.pretext.relative_position_label(dy, dx)
        assert got == label, f"relative_position_label({dy}, {dx}): expected {label}, got {got!r}"
    for dy, dx in [(0, 0), (2, 0), (0, -2)]:
        assert_raises(ValueError, hw.pretext.relative_position_label, dy, dx, mentions=["dy", "dx"])


@pytest.mark.points(2)
def test_context_pair_on_the_smallest_image(hw):
    """context_prediction_pair: on a 3*patch + 2*gap image the centre is fixed; the neighbour sits at its label"""
    patch, gap = 2, 1
    size = 3 * patch + 2 * gap                      # 8: exactly one position for the 3x3 grid
    image = np.arange(size * size, dtype=np.float64).reshape(size, size)
    seen = set()
    for seed in range(40):
        centre, neighbour, label = unpack(hw.pretext.context_prediction_pair(image, patch, gap, seed),
                                          ["centre", "neighbour", "label"])
        with context(f"seed {seed}"):
            # The centre patch starts at patch + gap = 3 in both axes.
            assert_close(centre, image[3:5, 3:5], what="the centre patch")
            assert label in range(8), f"label must be in 0..7, got {label!r}"
            dy, dx = NEIGHBOURS[int(label)]
            y, x = 3 + dy * (patch + gap), 3 + dx * (patch + gap)
            assert_close(neighbour, image[y:y + patch, x:x + patch], what=f"the neighbour patch (label {label})")
        seen.add(int(label))
    assert seen == set(range(8)), f"40 seeds should give all 8 labels, got only {sorted(seen)}"


@pytest.mark.points(2)
def test_rotation_batch_by_hand(hw):
    """rotation_batch: a 2x2 image rotated counter-clockwise by 0, 90, 180, 270 degrees, image-major"""
    images = np.array([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    rotated, labels = unpack(hw.pretext.rotation_batch(images), ["rotated", "labels"])
    # np.rot90 turns counter-clockwise: [[1, 2], [3, 4]] -> [[2, 4], [1, 3]] -> [[4, 3], [2, 1]] -> [[3, 1], [4, 2]]
    expected = np.array([[[1, 2], [3, 4]], [[2, 4], [1, 3]], [[4, 3], [2, 1]], [[3, 1], [4, 2]],
                         [[5, 6], [7, 8]], [[6, 8], [5, 7]], [[8, 7], [6, 5]], [[7, 5], [8, 6]]])
    assert_equal(rotated, expected, what="the rotated images")
    assert_equal(labels, [0, 1, 2, 3, 0, 1, 2, 3], what="the labels", dtype="integer")


@pytest.mark.points(1)
def test_counting_loss_by_hand(hw):
    """counting_loss: both terms with D = 2 (hinge active), and the hinge switched off"""
    tiles = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])   # sum (2, 2)
    whole = np.array([2.0, 3.0])                                         # ||(0, -1)||^2 = 1
    other = np.array([3.0, 3.0])                                         # ||(-1, -1)||^2 = 2
    assert_scalar_close(hw.pretext.counting_loss(whole, tiles, other), 1.0 + (10.0 - 2.0))
    far = np.array([-2.0, 2.0])                                          # ||(4, 0)||^2 = 16 > margin
    assert_scalar_close(hw.pretext.counting_loss(whole, tiles, far), 1.0)
    assert_scalar_close(hw.pretext.counting_loss(whole, tiles, other, margin=1.0), 1.0)
