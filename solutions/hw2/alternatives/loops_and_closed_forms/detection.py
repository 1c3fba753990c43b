"""HW2 alternative solution, part 1 (style: explicit Python loops, no broadcasting tricks).

A second correct implementation of detection.py, written the way a student who thinks in
loops would: one pair of boxes at a time, a sorted Python list for NMS, a VOC-devkit style
AP loop. The tests must give it full marks too (they test behaviour, not implementation).
"""
import numpy as np


def _area(box):
    x1, y1, x2, y2 = box
    return max(0.0, x2 - x1) * max(0.0, y2 - y1)


def _iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(0.0, iw) * max(0.0, ih)
    union = _area(a) + _area(b) - inter
    return inter / union if union > 0 else 0.0


def _boxes(boxes):
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return [tuple(float(v) for v in row) for row in boxes]


def box_iou(boxes_a, boxes_b):
    """(N, M) IoU matrix, one pair at a time."""
    a, b = _boxes(boxes_a), _boxes(boxes_b)
    out = np.zeros((len(a), len(b)))
    for i, box_a in enumerate(a):
        for j, box_b in enumerate(b):
            out[i, j] = _iou(box_a, box_b)
    return out


def _by_score(scores):
    scores = [float(s) for s in np.asarray(scores, dtype=np.float64).reshape(-1)]
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


def nms(boxes, scores, iou_threshold):
    """Greedy NMS over a Python list of remaining candidates."""
    boxes = _boxes(boxes)
    remaining = _by_score(scores)
    keep = []
    while remaining:
        best = remaining.pop(0)
        keep.append(best)
        remaining = [i for i in remaining if not _iou(boxes[best], boxes[i]) > iou_threshold]
    return np.array(keep, dtype=np.int64)


def sliding_windows(image_shape, window, stride):
    """Two nested loops, rows outside."""
    H, W = image_shape[0], image_shape[1]
    h, w = window
    boxes = []
    y = 0
    while y + h <= H:
        x = 0
        while x + w <= W:
            boxes.append([x, y, x + w, y + h])
            x += stride
        y += stride
    return np.array(boxes, dtype=np.float64).reshape(-1, 4)


def average_precision(pred_boxes, pred_scores, gt_boxes, iou_threshold=0.5):
    """VOC devkit style: tp/fp lists, then the envelope by a backward loop."""
    preds, gts = _boxes(pred_boxes), _boxes(gt_boxes)
    if not preds or not gts:
        return 0.0
    used = [False] * len(gts)
    tp = []
    for k in _by_score(pred_scores):
        overlaps = [_iou(preds[k], g) for g in gts]
        best = max(range(len(gts)), key=lambda j: (overlaps[j], -j))
        hit = overlaps[best] >= iou_threshold and not used[best]
        if hit:
            used[best] = True
        tp.append(1.0 if hit else 0.0)
    rec, prec, found = [0.0], [0.0], 0.0
    for k, t in enumerate(tp):
        found += t
        rec.append(found / len(gts))
        prec.append(found / (k + 1))
    rec.append(1.0)
    prec.append(0.0)
    for i in range(len(prec) - 2, -1, -1):
        prec[i] = max(prec[i], prec[i + 1])
    return float(sum((rec[i + 1] - rec[i]) * prec[i + 1] for i in range(len(rec) - 1) if rec[i + 1] != rec[i]))


def train_exemplar_svm(positive, negatives, C=1.0, epochs=200, lr=0.01):
    """Gradient descent with the data stacked as labelled examples and per-example weights."""
    x_pos = np.asarray(positive, dtype=np.float64).reshape(-1)
    x_neg = np.asarray(negatives, dtype=np.float64)
    X = np.vstack([x_pos[None, :], x_neg])
    y = np.concatenate([[1.0], -np.ones(len(x_neg))])
    weight = np.concatenate([[1.0], np.full(len(x_neg), 1.0 / len(x_neg))])
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(epochs):
        margins = y * (X @ w + b)
        active = weight * (margins < 1.0)
        w = w - lr * (w - C * (active * y) @ X)
        b = b - lr * (-C * np.sum(active * y))
    return w, float(b)
