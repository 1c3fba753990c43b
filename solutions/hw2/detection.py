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

    Lecture idea: IoU = area(a & b) / area(a | b) measures how well a detection covers an
    object, independently of the object's size; 0.5 is the classic "correct detection" bar.

    area(a | b) = area(a) + area(b) - area(a & b), and the intersection a & b is the box
    [max x1, max y1, min x2, min y2] (area 0 when the boxes do not overlap).

    Inputs:
    - boxes_a: (N, 4) boxes [x1, y1, x2, y2].
    - boxes_b: (M, 4) boxes.

    Returns: float64 array (N, M); entry (i, j) is IoU(boxes_a[i], boxes_b[j]).
    - Where the union has area 0 (two degenerate boxes) the IoU is 0, not NaN.
    - N = 0 or M = 0 gives an empty array of shape (0, M) or (N, 0).
    - Equals torchvision.ops.box_iou on valid boxes.
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

    Lecture idea: a detector fires on many overlapping windows around each object; NMS keeps
    the best-scoring one and removes the windows that overlap it too much, then repeats.

    Algorithm: visit the boxes by decreasing score (ties: lower index first). A box that has
    not been suppressed is kept, and every remaining box whose IoU with it is GREATER than
    ``iou_threshold`` is suppressed. A box whose IoU equals the threshold survives.

    Inputs:
    - boxes: (N, 4) boxes; scores: (N,) real scores; iou_threshold: a float.

    Returns: int64 array (K,) of the indices into ``boxes`` of the kept boxes, in the order they
    were kept (decreasing score; ties: lower index first). No boxes: an empty int64 array of
    shape (0,). Equals torchvision.ops.nms.
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
    """Every ``window``-sized box that fits inside the image, at the given stride.

    Lecture idea: the simplest detector classifies every window of the image (at every
    position and, with an image pyramid, every scale); R-CNN replaced this exhaustive search
    with a few thousand region proposals.

    Inputs:
    - image_shape: (H, W); extra trailing entries (such as channels) are ignored.
    - window: (h, w), the window's height and width in pixels.
    - stride: integer step in pixels between neighbouring windows, the same in x and y.

    Returns: float64 array (K, 4) of boxes [x, y, x + w, y + h] for y = 0, stride, 2 stride, ...
    and x = 0, stride, ... with y + h <= H and x + w <= W, in row-major order (x varies
    fastest): all windows of the first row (y = 0) from left to right, then the next row, ...
    A window larger than the image gives an empty (0, 4) array.
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

    Lecture idea: ranking the detections by score traces a precision-recall curve; AP is the
    area under it, one number that rewards finding every object (recall) without false
    alarms (precision).

    Inputs:
    - pred_boxes: (P, 4) detected boxes; pred_scores: (P,) their scores.
    - gt_boxes: (G, 4) ground-truth boxes.
    - iou_threshold: the IoU a detection needs to count as correct.

    Matching (greedy, the VOC rule):
    - Visit the detections by decreasing score (ties: lower index first).
    - Each detection looks at the ground-truth box it overlaps most (highest IoU; ties: the
      lower index). If that IoU is >= iou_threshold AND that box is not matched yet, the
      detection is a true positive and the box becomes matched. Otherwise it is a false
      positive, in particular when its best box is already matched (a duplicate detection),
      even if another unmatched box overlaps it enough: do not fall back to the second best.

    AP (all-point interpolation: the area under the monotone envelope of the precision-recall
    curve, summed over the recall steps):
    - After the first k detections: precision_k = TP_k / k, recall_k = TP_k / G.
    - Make the precision monotone: p*_k = max_{k' >= k} precision_k'.
    - AP = sum_k (recall_k - recall_{k-1}) * p*_k, with recall_0 = 0.

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
    """Train a linear exemplar SVM: ONE positive example against many negatives.

    Lecture idea: instead of one classifier per category, train one linear SVM per training
    example (Malisiewicz et al., "Ensemble of Exemplar-SVMs"); each exemplar learns what makes
    it different from everything else.

    Minimise, by full-batch gradient descent from w = 0, b = 0 (``epochs`` steps of size lr):

        L(w, b) = 1/2 ||w||^2 + C * ( hinge(+1, w . x_pos + b) + mean_j hinge(-1, w . x_j + b) )

    where hinge(y, s) = max(0, 1 - y s). The positive term is weighted like the whole set of
    negatives, so the single exemplar is not drowned out by the many negatives. The bias b is
    not regularised.

    Inputs:
    - positive: (D,) feature vector of the exemplar.
    - negatives: (N, D) feature vectors of negative windows.
    - C, epochs, lr: hinge (loss) weight, number of gradient steps, step size.

    Returns: a tuple (w, b): float64 array (D,) and a float. On separable data the exemplar
    must score above every training negative: w . x_pos + b > w . x_j + b for all j.

    Graded: each step is w <- w - lr * dL/dw, b <- b - lr * dL/db, with the hinge's
    subgradient 0 at its kink (1 - y s == 0 exactly, which no test input reaches). (w, b) are
    compared with those iterates (to 1e-9) after a few steps on random data, and on data
    where every hinge is inactive after the first step, so that only the 1/2 ||w||^2 term
    acts: w shrinks by the factor (1 - lr) per step.
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
