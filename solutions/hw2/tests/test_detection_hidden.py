"""Hidden tests for detection.py: the student's functions against the reference on seeded inputs.

What decides: random boxes with degenerate (zero-width, inverted) members, empty sets, score
ties, IoU exactly at the threshold (integer boxes make IoUs exact rationals, so equality is
reproducible), windows larger than the image, AP with duplicates, ties and no ground truth.
Tolerances: IoU and AP are a handful of float64 operations on O(10) numbers, so 1e-12.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_scalar_close, check_array, context, unpack
from shared.vision_data import detection_scene, noisy_detections


def _random_boxes(rng, n, integer=False, degenerate=0.2):
    """n boxes on a 20x20 canvas; a fraction has zero or negative width/height."""
    xy = rng.uniform(0, 20, size=(n, 2))
    wh = rng.uniform(0.5, 10, size=(n, 2))
    bad = rng.random(n) < degenerate
    wh[bad, rng.integers(0, 2, size=bad.sum())] *= rng.choice([0.0, -1.0], size=bad.sum())
    boxes = np.concatenate([xy, xy + wh], axis=1)
    return np.round(boxes) if integer else boxes


def _clustered_boxes(rng, n, integer=False):
    """n boxes jittered around 3 centres, so that many overlap."""
    centres = rng.uniform(5, 25, size=(3, 2))[rng.integers(0, 3, n)]
    half = rng.uniform(2, 6, size=(n, 2))
    boxes = np.concatenate([centres - half, centres + half], axis=1) + rng.normal(0, 1.0, size=(n, 4))
    return np.round(boxes) if integer else boxes


@pytest.mark.points(2)
def test_box_iou_against_reference(hw, ref, rng):
    """box_iou: random boxes, some degenerate, float and integer coordinates, several set sizes"""
    for n, m in [(1, 1), (5, 7), (12, 3), (8, 8)]:
        for integer in (False, True):
            a, b = _random_boxes(rng, n, integer), _random_boxes(rng, m, integer)
            if integer:
                a, b = a.astype(np.int64), b.astype(np.int64)
            with context(f"{n} x {m} boxes, {'integer' if integer else 'float'} coordinates"):
                assert_close(hw.detection.box_iou(a, b), ref.detection.box_iou(a, b), atol=1e-12, rtol=1e-12)


@pytest.mark.points(1)
def test_box_iou_empty_sets_and_symmetry(hw, ref, rng):
    """box_iou: an empty set gives an (N, 0) or (0, M) array; IoU(a, b) = IoU(b, a)"""
    boxes = _random_boxes(rng, 4)
    empty = np.zeros((0, 4))
    check_array(hw.detection.box_iou(empty, boxes), shape=(0, 4), what="IoU of 0 and 4 boxes")
    check_array(hw.detection.box_iou(boxes, empty), shape=(4, 0), what="IoU of 4 and 0 boxes")
    other = _random_boxes(rng, 6)
    assert_close(hw.detection.box_iou(other, boxes), ref.detection.box_iou(boxes, other).T, atol=1e-12, rtol=1e-12)


@pytest.mark.points(3)
def test_nms_against_reference(hw, ref, rng):
    """nms: clustered random boxes, thresholds 0.3, 0.5 and 0.7"""
    for threshold in (0.3, 0.5, 0.7):
        for n in (6, 20, 40):
            boxes = _clustered_boxes(rng, n)
            scores = rng.random(n)
            with context(f"{n} boxes, iou_threshold={threshold}"):
                keep = check_array(hw.detection.nms(boxes, scores, threshold), what="the kept indices",
                                   dtype="integer")
                assert_equal(keep, ref.detection.nms(boxes, scores, threshold), what="the kept indices")


@pytest.mark.points(2)
def test_nms_score_ties(hw, ref, rng):
    """nms: many equal scores; ties keep the lower index first, in the returned order too"""
    for n in (8, 25):
        for threshold in (0.2, 0.5):
            boxes = _clustered_boxes(rng, n, integer=True)
            scores = rng.integers(0, 3, n) / 2.0            # only three distinct scores
            with context(f"{n} boxes, scores with ties, iou_threshold={threshold}"):
                assert_equal(hw.detection.nms(boxes, scores, threshold), ref.detection.nms(boxes, scores, threshold),
                             what="the kept indices")


@pytest.mark.points(1)
def test_nms_iou_equal_to_threshold(hw, ref):
    """nms: a box whose IoU equals the threshold exactly is kept; just above, it is suppressed"""
    cases = [(np.array([[0, 0, 4, 4], [0, 0, 4, 2]], dtype=np.float64), 0.5),    # IoU 8/16
             (np.array([[0, 0, 3, 3], [1, 0, 4, 3]], dtype=np.float64), 0.5),    # IoU 6/12
             (np.array([[0, 0, 5, 1], [1, 0, 6, 1]], dtype=np.float64), 4 / 6)]  # IoU 4/6
    for boxes, iou in cases:
        for threshold in (iou, iou - 1e-9):
            with context(f"two boxes with IoU {iou:.4g}, iou_threshold={threshold!r}"):
                assert_equal(hw.detection.nms(boxes, np.array([0.3, 0.6]), threshold),
                             ref.detection.nms(boxes, np.array([0.3, 0.6]), threshold), what="the kept indices")


@pytest.mark.points(1)
def test_nms_edge_cases(hw):
    """nms: no boxes, one box, identical boxes, degenerate boxes and threshold 1"""
    keep = check_array(hw.detection.nms(np.zeros((0, 4)), np.zeros(0), 0.5), shape=(0,), what="nms of no boxes")
    with context("one box"):
        assert_equal(hw.detection.nms(np.array([[0, 0, 1, 1.0]]), np.array([0.1]), 0.5), [0])
    same = np.tile([[1.0, 2.0, 5.0, 7.0]], (4, 1))
    with context("four identical boxes: only the best survives"):
        assert_equal(hw.detection.nms(same, np.array([0.1, 0.7, 0.4, 0.2]), 0.5), [1])
    with context("identical boxes, iou_threshold=1.0: nothing is suppressed (IoU 1 is not > 1)"):
        assert_equal(hw.detection.nms(same, np.array([0.1, 0.7, 0.4, 0.2]), 1.0), [1, 2, 3, 0])
    with context("degenerate boxes overlap nothing"):
        flat = np.array([[0, 0, 0, 5], [0, 0, 0, 5], [3, 3, 1, 1.0]])
        assert_equal(hw.detection.nms(flat, np.array([0.2, 0.9, 0.5]), 0.0), [1, 2, 0])
    del keep


@pytest.mark.points(2)
def test_sliding_windows_against_reference(hw, ref):
    """sliding_windows: several image sizes (also (H, W, C)), windows and strides, in row-major order"""
    for image_shape, window, stride in [((10, 12), (3, 4), 1), ((10, 12), (3, 4), 3), ((17, 9), (5, 5), 4),
                                        ((32, 24, 3), (8, 6), 5), ((6, 20), (6, 2), 7)]:
        with context(f"image_shape={image_shape}, window={window}, stride={stride}"):
            assert_close(hw.detection.sliding_windows(image_shape, window, stride),
                         ref.detection.sliding_windows(image_shape, window, stride), dtype=None)


@pytest.mark.points(1)
def test_sliding_windows_window_size_of_the_image(hw):
    """sliding_windows: a window as large as the image fits once; a larger one not at all"""
    assert_close(hw.detection.sliding_windows((7, 9), (7, 9), 2), [[0.0, 0.0, 9.0, 7.0]], dtype=None)
    check_array(hw.detection.sliding_windows((7, 9), (8, 3), 1), shape=(0, 4), what="windows taller than the image")
    check_array(hw.detection.sliding_windows((7, 9), (2, 10), 1), shape=(0, 4), what="windows wider than the image")


@pytest.mark.points(3)
def test_average_precision_against_reference(hw, ref):
    """average_precision: synthetic scenes with jittered detections, duplicates and false alarms"""
    for seed in range(6):
        _, gt = detection_scene(seed=seed, n_objects=2 + seed % 3)
        boxes, scores = noisy_detections(gt, seed=seed, per_object=3 + seed % 2, false_alarms=3)
        for threshold in (0.5, 0.7):
            with context(f"scene {seed}: {len(gt)} objects, {len(boxes)} detections, iou_threshold={threshold}"):
                assert_scalar_close(hw.detection.average_precision(boxes, scores, gt, iou_threshold=threshold),
                                    ref.detection.average_precision(boxes, scores, gt, iou_threshold=threshold),
                                    atol=1e-12, rtol=1e-12)


@pytest.mark.points(2)
def test_average_precision_edge_cases(hw, ref):
    """average_precision: no ground truth, no detections, only false alarms, perfect detections, tied scores"""
    gt = np.array([[0, 0, 10, 10], [20, 20, 30, 30]], dtype=np.float64)
    miss = np.array([[50, 50, 60, 60], [70, 0, 80, 9]], dtype=np.float64)
    cases = [("no ground truth", gt, np.array([0.9, 0.3]), np.zeros((0, 4))),
             ("no detections", np.zeros((0, 4)), np.zeros(0), gt),
             ("only false alarms", miss, np.array([0.9, 0.3]), gt),
             ("perfect detections", gt[::-1].copy(), np.array([0.2, 0.6]), gt),
             ("tied scores, false alarm first", np.concatenate([miss[:1], gt[:1]]), np.array([0.5, 0.5]), gt[:1]),
             ("tied scores, true positive first", np.concatenate([gt[:1], miss[:1]]), np.array([0.5, 0.5]), gt[:1])]
    for label, boxes, scores, truth in cases:
        with context(label):
            assert_scalar_close(hw.detection.average_precision(boxes, scores, truth),
                                ref.detection.average_precision(boxes, scores, truth), atol=1e-12, rtol=1e-12)


@pytest.mark.points(2)
def test_exemplar_svm_separates(hw, rng):
    """train_exemplar_svm: the exemplar scores above every training negative (several dimensions, arguments)"""
    for dim, n, kwargs in [(8, 100, {}), (16, 300, {}), (32, 200, {"C": 2.0, "epochs": 300, "lr": 0.02}),
                           (4, 50, {"C": 1.0, "epochs": 400, "lr": 0.005})]:
        direction = rng.normal(size=dim)
        positive = 4.0 * direction / np.linalg.norm(direction) + 0.1 * rng.normal(size=dim)
        negatives = rng.normal(size=(n, dim))
        negatives -= np.maximum(negatives @ direction / np.linalg.norm(direction) - 1.5, 0)[:, None] * \
            direction / np.linalg.norm(direction)      # no negative further than 1.5 along the direction
        with context(f"D={dim}, {n} negatives, {kwargs or 'default arguments'}"):
            w, b = unpack(hw.detection.train_exemplar_svm(positive, negatives, **kwargs), ("w", "b"))
            w = check_array(w, shape=(dim,), dtype="floating", what="w")
            assert np.ndim(b) == 0 and np.isfinite(float(b)), f"b must be a finite real number, got {type(b).__name__}"
            margin = float(positive @ w + b) - float(np.max(negatives @ w + b))
            assert margin > 0, "the exemplar does not score above every training negative"
