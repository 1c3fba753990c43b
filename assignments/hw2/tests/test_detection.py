"""Public tests for detection.py: small boxes you can check on squared paper.

Run them with ``pytest tests/test_detection.py`` (or ``-k nms`` for one function). The hidden
tests compare with the reference on many random boxes (degenerate ones included), score
ties, IoU exactly at the threshold and empty inputs: passing these is necessary, not enough.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_scalar_close, check_array, context, unpack


@pytest.mark.points(1)
def test_box_iou_by_hand(hw):
    """box_iou: identical, half-shifted, nested and disjoint boxes"""
    boxes_a = np.array([[0, 0, 2, 2], [1, 1, 2, 2]], dtype=np.float64)
    boxes_b = np.array([[1, 0, 3, 2], [0, 0, 2, 2], [5, 5, 6, 6]], dtype=np.float64)
    # [0,0,2,2] vs [1,0,3,2]: intersection [1,0,2,2] has area 2, union 4 + 4 - 2 = 6 -> 1/3.
    # [1,1,2,2] inside [0,0,2,2]: intersection 1, union 4 -> 1/4. Disjoint boxes: 0.
    expected = np.array([[1 / 3, 1.0, 0.0],
                         [1 / 4, 1 / 4, 0.0]])
    assert_close(hw.detection.box_iou(boxes_a, boxes_b), expected)


@pytest.mark.points(1)
def test_box_iou_degenerate_boxes(hw):
    """box_iou: zero-width and inverted boxes have area 0, and two empty boxes give 0 (not NaN)"""
    boxes_a = np.array([[1, 1, 1, 3], [2, 2, 1, 1], [1, 1, 1, 1], [0, 0, 3, 3]], dtype=np.float64)
    boxes_b = np.array([[0, 0, 3, 3], [1, 1, 1, 1]], dtype=np.float64)
    # No overlap with a degenerate box has positive area, so its IoU is 0; [1,1,1,1] with itself
    # has union 0: defined as 0. The last row is a real box: IoU 1 with itself.
    expected = np.zeros((4, 2))
    expected[3, 0] = 1.0
    assert_close(hw.detection.box_iou(boxes_a, boxes_b), expected)


@pytest.mark.points(2)
def test_nms_by_hand(hw):
    """nms: keeps the best box of a cluster, returns indices by decreasing score, IoU == threshold survives"""
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], dtype=np.float64)
    scores = np.array([0.8, 0.9, 0.7])
    # Box 1 scores highest; box 0 overlaps it with IoU 81 / 119 = 0.68 > 0.5: suppressed.
    keep = check_array(hw.detection.nms(boxes, scores, 0.5), what="the kept indices", dtype="integer")
    assert_equal(keep, [1, 2], what="the kept indices")
    # IoU([0,0,2,2], [1,0,3,2]) = 2 / 6 = 1/3 exactly: suppression needs IoU GREATER than the threshold.
    pair = np.array([[0, 0, 2, 2], [1, 0, 3, 2]], dtype=np.float64)
    with context("IoU equal to the threshold: both kept"):
        assert_equal(hw.detection.nms(pair, np.array([0.9, 0.8]), 1 / 3), [0, 1], what="the kept indices")
    with context("IoU above the threshold: the lower score goes"):
        assert_equal(hw.detection.nms(pair, np.array([0.9, 0.8]), 0.3), [0], what="the kept indices")
    with context("equal scores: the lower index is kept"):
        assert_equal(hw.detection.nms(pair, np.array([0.5, 0.5]), 0.3), [0], what="the kept indices")


@pytest.mark.points(1)
def test_sliding_windows_by_hand(hw):
    """sliding_windows: every 2x3 window of a 4x5 image at stride 2, row by row"""
    boxes = hw.detection.sliding_windows((4, 5), (2, 3), 2)
    # y in {0, 2}, x in {0, 2}; boxes are [x, y, x + w, y + h] with w = 3, h = 2.
    expected = np.array([[0, 0, 3, 2], [2, 0, 5, 2], [0, 2, 3, 4], [2, 2, 5, 4]], dtype=np.float64)
    assert_close(boxes, expected, dtype=None)
    check_array(hw.detection.sliding_windows((4, 5), (2, 3), 1), shape=(9, 4), what="the boxes at stride 1")


@pytest.mark.points(1)
def test_average_precision_by_hand(hw):
    """average_precision: TP, FP, duplicate FP, TP gives precision 1, 1/2, 1/3, 1/2 and AP 0.75"""
    gt = np.array([[0, 0, 10, 10], [20, 0, 30, 10]], dtype=np.float64)
    # By decreasing score: [0,0,10,10] (0.9, finds gt 0), a false alarm (0.8), a duplicate of
    # gt 0 (0.7, a false positive: gt 0 is taken) and gt 1 (0.6). Recall 1/2, 1/2, 1/2, 1.
    # Envelope of the precision: 1, 1/2, 1/2, 1/2 -> AP = 1/2 * 1 + 1/2 * 1/2 = 0.75.
    preds = np.array([[20, 0, 30, 10], [50, 50, 60, 60], [0, 0, 10, 10], [0, 0, 10, 10]], dtype=np.float64)
    scores = np.array([0.6, 0.8, 0.9, 0.7])
    assert_scalar_close(hw.detection.average_precision(preds, scores, gt), 0.75)
    # IoU([0,0,2,2], [0,0,2,1]) = 2 / 4 = 0.5 exactly: a match needs IoU >= iou_threshold.
    with context("IoU equal to the threshold counts as a match"):
        assert_scalar_close(hw.detection.average_precision(np.array([[0, 0, 2, 1.0]]), np.array([0.5]),
                                                           np.array([[0, 0, 2, 2.0]]), iou_threshold=0.5), 1.0)


@pytest.mark.points(1)
def test_average_precision_voc_matching(hw):
    """average_precision: a detection whose best ground truth is taken is a false positive (VOC rule)"""
    gt = np.array([[0, 0, 10, 10], [5, 0, 15, 10]], dtype=np.float64)
    # The second detection overlaps gt 0 most (IoU 80/120) and gt 1 less (70/130 >= 0.5), but
    # gt 0 is already matched: VOC counts it as a false positive, it does not fall back to gt 1.
    preds = np.array([[0, 0, 10, 10], [2, 0, 12, 10]], dtype=np.float64)
    scores = np.array([0.9, 0.8])
    assert_scalar_close(hw.detection.average_precision(preds, scores, gt), 0.5)


@pytest.mark.points(1)
def test_exemplar_svm_separates_the_exemplar(hw):
    """train_exemplar_svm: on separable 2-D data the exemplar scores above every negative"""
    rng = np.random.default_rng(0)
    positive = np.array([2.0, 2.0])
    negatives = rng.normal(size=(30, 2)) * 0.5 - 1.0
    w, b = unpack(hw.detection.train_exemplar_svm(positive, negatives), ("w", "b"))
    w = check_array(w, shape=(2,), dtype="floating", what="w")
    assert np.ndim(b) == 0 and np.isfinite(float(b)), f"b must be a finite real number, got {b!r}"
    margin = float(positive @ w + b) - float(np.max(negatives @ w + b))
    assert margin > 0, f"the exemplar scores {margin:.3g} below the best negative; it should score above"


@pytest.mark.points(1)
def test_exemplar_svm_regulariser_by_hand(hw):
    """train_exemplar_svm: after one step every hinge is inactive, so only 1/2 ||w||^2 acts: w *= (1 - lr) per step"""
    positive = np.array([10.0, 0.0])
    negatives = np.array([[-10.0, 2.0], [-10.0, -2.0]])
    # Step 1 from w = 0, b = 0: every hinge is active, grad_w = -C (x_pos - mean_j x_j) = -C [20, 0],
    # grad_b = C (-1 + 1) = 0, so w = lr C [20, 0]. The exemplar then scores 20 lr C [10, 0] > 1 and
    # the negatives below -1: only the regulariser's gradient w is left, and w <- (1 - lr) w.
    for C, lr, epochs in [(1.0, 0.1, 1), (1.0, 0.1, 5), (0.5, 0.1, 5), (1.0, 0.05, 8)]:
        with context(f"C={C}, lr={lr}, epochs={epochs}"):
            w, b = unpack(hw.detection.train_exemplar_svm(positive, negatives, C=C, epochs=epochs, lr=lr), ("w", "b"))
            expected = lr * C * np.array([20.0, 0.0]) * (1 - lr) ** (epochs - 1)
            assert_close(check_array(w, shape=(2,), dtype="floating", what="w"), expected, what="w",
                         atol=1e-12, rtol=1e-12)
            assert_scalar_close(b, 0.0, what="b", atol=1e-12)
