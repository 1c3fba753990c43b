"""HW2 reference solution, part 1: object recognition with numpy (lecture "Object Recognition").

Conventions used by every function in this module:

* A box is ``[x1, y1, x2, y2]`` in continuous image coordinates (x to the right, y down);
  its area is ``(x2 - x1) * (y2 - y1)`` (no "+1" as in old pixel-index conventions), and a
  box with ``x2 <= x1`` or ``y2 <= y1`` is degenerate: area 0.
* Sets of boxes are ``(N, 4)`` arrays of any real dtype; results are float64 (or int64
  for indices).
* Orders are deterministic: whenever scores tie, the lower index comes first.

The pipeline of a sliding-window / R-CNN style detector: propose windows (``sliding_windows``),
score them with a classifier (``train_exemplar_svm``), remove duplicates (``nms``) and
evaluate the detections against ground truth (``box_iou``, ``average_precision``).
A hidden test also runs this pipeline, built from the student's functions, as a face
detector on real 25x25 crops (skimage.data.lfw_subset): five exemplar SVMs, windows at
stride 5, NMS at IoU 0.3, and the average precision of the result (no more than 0.02 below
the reference's).
"""
import numpy as np


def _as_boxes(boxes, name):
    """``boxes`` as a float64 ``(N, 4)`` array; a ValueError naming ``name`` otherwise."""
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got shape {boxes.shape}")
    return boxes


def _areas(boxes):
    """Areas of ``(N, 4)`` boxes; degenerate boxes (x2 <= x1 or y2 <= y1) have area 0."""
    widths = np.clip(boxes[:, 2] - boxes[:, 0], 0.0, None)
    heights = np.clip(boxes[:, 3] - boxes[:, 1], 0.0, None)
    return widths * heights


def box_iou(boxes_a, boxes_b):
    """Intersection over union of every pair of boxes.

    IoU(a, b) = area(a & b) / area(a | b), with area(a | b) = area(a) + area(b) - area(a & b).
    The intersection of two boxes is the box [max x1, max y1, min x2, min y2] (area 0 when empty).

    Inputs:
    - boxes_a: (N, 4) boxes [x1, y1, x2, y2].
    - boxes_b: (M, 4) boxes.

    Returns: float64 array (N, M); entry (i, j) is IoU(boxes_a[i], boxes_b[j]), 0 where the
    union has area 0 (two degenerate boxes). Equals torchvision.ops.box_iou on valid boxes.
    """
    a, b = _as_boxes(boxes_a, "boxes_a"), _as_boxes(boxes_b, "boxes_b")
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])          # (N, M, 2)
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])      # (N, M, 2)
    inter = np.prod(np.clip(bottom_right - top_left, 0.0, None), axis=-1)
    union = _areas(a)[:, None] + _areas(b)[None, :] - inter
    positive = union > 0
    return np.where(positive, inter / np.where(positive, union, 1.0), 0.0)


def _score_order(scores):
    """Indices by decreasing score; ties keep the lower index first (a stable sort)."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")


def nms(boxes, scores, iou_threshold):
    """Greedy non-maximum suppression.

    Repeatedly keep the highest-scoring remaining box and drop every remaining box whose IoU
    with it is GREATER than ``iou_threshold`` (a box at exactly the threshold survives).

    Inputs:
    - boxes: (N, 4) boxes; scores: (N,) real scores; iou_threshold: a float.

    Returns: int64 array (K,) of the kept indices into ``boxes``, by decreasing score (ties:
    lower index first). Equals torchvision.ops.nms.
    """
    boxes = _as_boxes(boxes, "boxes")
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if scores.shape[0] != boxes.shape[0]:
        raise ValueError(f"scores must have one entry per box, got {scores.shape[0]} for {boxes.shape[0]} boxes")
    order = _score_order(scores)
    iou = box_iou(boxes, boxes)
    suppressed = np.zeros(len(boxes), dtype=bool)
    keep = []
    for i in order:
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= iou[i] > iou_threshold
    return np.array(keep, dtype=np.int64)


def sliding_windows(image_shape, window, stride):
    """Every ``window``-sized box that fits inside the image at the given stride.

    Inputs:
    - image_shape: (H, W) (extra trailing entries such as channels are ignored).
    - window: (h, w) window height and width.
    - stride: step in pixels between windows, the same in x and y.

    Returns: float64 array (K, 4) of boxes [x, y, x + w, y + h] for y = 0, stride, ... and
    x = 0, stride, ... with y + h <= H and x + w <= W, in row-major order (x varies fastest).
    K = 0 when the window is larger than the image.
    """
    H, W = int(image_shape[0]), int(image_shape[1])
    h, w = int(window[0]), int(window[1])
    ys = np.arange(0, H - h + 1, stride, dtype=np.float64)
    xs = np.arange(0, W - w + 1, stride, dtype=np.float64)
    y, x = np.meshgrid(ys, xs, indexing="ij")                      # row-major: y outer, x inner
    y, x = y.reshape(-1), x.reshape(-1)
    return np.stack([x, y, x + w, y + h], axis=1).reshape(-1, 4)


def average_precision(pred_boxes, pred_scores, gt_boxes, iou_threshold=0.5):
    """Average precision of the detections of one class in one image (PASCAL VOC 2010+).

    Matching: detections are visited by decreasing score (ties: lower index first). Each
    detection looks at the ground-truth box it overlaps most (highest IoU; ties: lower
    index). If that IoU is >= ``iou_threshold`` and that ground-truth box is not matched yet,
    the detection is a true positive and the box becomes matched; otherwise it is a false
    positive (a duplicate detection of a matched box is a false positive).

    AP: precision p_k and recall r_k after the first k detections give a precision-recall
    curve; AP is the area under its monotone envelope p*(r) = max_{r' >= r} p(r'), summed
    over the recall steps (all-point interpolation).

    Returns: a Python float in [0, 1]; 0.0 when there are no ground-truth boxes or no
    detections.
    """
    pred_boxes = _as_boxes(pred_boxes, "pred_boxes")
    gt_boxes = _as_boxes(gt_boxes, "gt_boxes")
    scores = np.asarray(pred_scores, dtype=np.float64).reshape(-1)
    if len(gt_boxes) == 0 or len(pred_boxes) == 0:
        return 0.0
    order = _score_order(scores)
    iou = box_iou(pred_boxes[order], gt_boxes)                     # (P, G), rows by score
    matched = np.zeros(len(gt_boxes), dtype=bool)
    true_positive = np.zeros(len(order), dtype=bool)
    for k in range(len(order)):
        best = int(np.argmax(iou[k]))
        if iou[k, best] >= iou_threshold and not matched[best]:
            matched[best] = True
            true_positive[k] = True
    tp = np.cumsum(true_positive)
    recall = tp / len(gt_boxes)
    precision = tp / np.arange(1, len(order) + 1)
    # Monotone envelope: precision at recall r is the best precision at any recall >= r.
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.diff(np.concatenate([[0.0], recall]))
    return float(np.sum(steps * envelope))


def train_exemplar_svm(positive, negatives, C=1.0, epochs=200, lr=0.01):
    """Train a linear exemplar SVM: one positive example against many negatives.

    Objective (minimised by full-batch gradient descent from w = 0, b = 0):

        L(w, b) = 1/2 ||w||^2 + C * ( hinge(+1, w.x_pos + b) + mean_j hinge(-1, w.x_j + b) )

    with hinge(y, s) = max(0, 1 - y s). The positive term is weighted like the whole set of
    negatives, so the single exemplar is not drowned by thousands of negatives.

    Inputs:
    - positive: (D,) feature vector of the exemplar.
    - negatives: (N, D) feature vectors of negative windows.
    - C, epochs, lr: loss weight, number of gradient steps, step size.

    Returns: (w, b): float64 array (D,) and a float. On separable data the exemplar scores
    above every training negative: w.x_pos + b > w.x_j + b.

    Each step is w <- w - lr * dL/dw, b <- b - lr * dL/db, with the hinge's
    subgradient 0 at its kink (1 - y s == 0 exactly, which no test input reaches). Tests
    compare (w, b) with those iterates (to 1e-9) after a few steps on random data, and
    on data where every hinge is inactive after the first step, so that only the
    1/2 ||w||^2 term acts: w shrinks by the factor (1 - lr) per step.
    """
    x_pos = np.asarray(positive, dtype=np.float64).reshape(-1)
    x_neg = np.asarray(negatives, dtype=np.float64)
    if x_neg.ndim != 2 or x_neg.shape[1] != x_pos.shape[0]:
        raise ValueError(f"negatives must have shape (N, {x_pos.shape[0]}), got shape {x_neg.shape}")
    w, b = np.zeros_like(x_pos), 0.0
    for _ in range(int(epochs)):
        pos_active = 1.0 - (x_pos @ w + b) > 0                     # the positive is inside the margin
        neg_active = (1.0 + (x_neg @ w + b) > 0).astype(np.float64)  # (N,) negatives inside the margin
        grad_w = w + C * (-float(pos_active) * x_pos + neg_active @ x_neg / len(x_neg))
        grad_b = C * (-float(pos_active) + neg_active.mean())
        w -= lr * grad_w
        b -= lr * grad_b
    return w, float(b)
