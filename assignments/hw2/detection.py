"""HW2, part 1: object recognition with numpy (lecture "Object Recognition").

Fill in every function marked TODO. Use numpy only (no scipy, torch, OpenCV, scikit-learn).

The pipeline of a sliding-window / R-CNN style detector: propose windows
(``sliding_windows``), score each with a classifier (``train_exemplar_svm``), remove duplicate
detections (``nms``) and evaluate the detections against ground truth (``box_iou``,
``average_precision``).
A hidden test also runs that pipeline, built from your functions, as a face detector on
real 25x25 crops (skimage.data.lfw_subset): five exemplar SVMs, windows at stride 5, NMS at
IoU 0.3, and the average precision of the result (no more than 0.02 below the reference's).

Conventions for every function in this file:

* A box is ``[x1, y1, x2, y2]`` in continuous image coordinates (x to the right, y down).
  Its area is ``(x2 - x1) * (y2 - y1)``: NO "+1" (that was the old pixel-index convention
  of the VOC devkit; torchvision does not use it either). A box with ``x2 <= x1`` or
  ``y2 <= y1`` is degenerate and has area 0 (never a negative area!).
* Sets of boxes are ``(N, 4)`` arrays of any real dtype; convert to float64 first.
* Orders are deterministic: whenever scores tie, the LOWER index comes first
  (``np.argsort(-scores, kind="stable")`` does exactly that).

You may add your own private helper functions (names starting with ``_``).
"""
import numpy as np  # noqa: F401  (you will need it)


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
    # TODO
    # Hint: the width of the intersection of two boxes is min(x2) - max(x1) clipped at 0
    # (negative means "no overlap"); the same for the height.
    # Hint: broadcasting does all pairs at once: boxes_a[:, None, :] against boxes_b[None, :, :].
    # Hint: clip the widths/heights of the boxes themselves at 0 too (degenerate boxes).
    raise NotImplementedError("box_iou: not implemented yet")


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
    # TODO
    # Hint: compute the (N, N) IoU matrix once with your box_iou.
    # Hint: a Python loop over the boxes in score order is fine; keep a boolean "suppressed" mask.
    raise NotImplementedError("nms: not implemented yet")


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
    # TODO
    # Hint: np.arange for the ys and xs, np.meshgrid(ys, xs, indexing="ij") for all pairs.
    raise NotImplementedError("sliding_windows: not implemented yet")


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
    # TODO
    # Hint: np.argsort(-scores, kind="stable"); np.cumsum for TP_k;
    # np.maximum.accumulate on the reversed precision for the envelope.
    raise NotImplementedError("average_precision: not implemented yet")


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
    # TODO
    # Hint: the (sub)gradient of max(0, 1 - y s) with respect to s is -y where 1 - y s > 0, else 0.
    # Hint: d/dw of 1/2 ||w||^2 is w.
    raise NotImplementedError("train_exemplar_svm: not implemented yet")
