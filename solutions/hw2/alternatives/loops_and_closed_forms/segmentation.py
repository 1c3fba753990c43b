"""HW2 alternative solution, part 5 (style: gather instead of scatter, pixel rows, per-class loops).

conv_transpose2d as the textbook "convolution of the dilated input": insert stride - 1 zeros
between input pixels, pad by k - 1 - padding, and correlate with the flipped kernel whose
channel axes are swapped (a gather per output pixel, by loops over output positions);
the cross-entropy on a (pixels, classes) table with np.logaddexp; mean IoU by a loop over
classes with boolean masks.
"""
import numpy as np


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0):
    x, weight = np.asarray(x, float), np.asarray(weight, float)
    N, C_in, H, W = x.shape
    _, C_out, kh, kw = weight.shape
    dilated = np.zeros((N, C_in, (H - 1) * stride + 1, (W - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = x
    # Full correlation needs k - 1 zeros on each side; the transposed padding removes some.
    ph, pw = kh - 1 - padding, kw - 1 - padding
    if ph >= 0 and pw >= 0:
        grid = np.pad(dilated, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    else:
        grid = np.pad(dilated, ((0, 0), (0, 0), (max(ph, 0),) * 2, (max(pw, 0),) * 2))
        grid = grid[:, :, max(-ph, 0):grid.shape[2] - max(-ph, 0), max(-pw, 0):grid.shape[3] - max(-pw, 0)]
    kernel = weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)          # (C_out, C_in, kh, kw)
    H_out, W_out = grid.shape[2] - kh + 1, grid.shape[3] - kw + 1
    out = np.zeros((N, C_out, H_out, W_out))
    for y in range(H_out):
        for x0 in range(W_out):
            patch = grid[:, :, y:y + kh, x0:x0 + kw]                  # (N, C_in, kh, kw)
            out[:, :, y, x0] = np.tensordot(patch, kernel, axes=([1, 2, 3], [1, 2, 3]))
    if bias is not None:
        out += np.asarray(bias, float).reshape(1, -1, 1, 1)
    return out


def pixel_cross_entropy(logits, target, ignore_index=255):
    logits = np.asarray(logits, float)
    N, K, H, W = logits.shape
    table = np.moveaxis(logits, 1, -1).reshape(-1, K)                 # one row per pixel
    labels = np.asarray(target).reshape(-1)
    rows = np.flatnonzero(labels != ignore_index)
    grad_table = np.zeros_like(table)
    if len(rows) == 0:
        return 0.0, np.zeros_like(logits)
    log_norm = np.logaddexp.reduce(table[rows], axis=1)
    loss = float(np.mean(log_norm - table[rows, labels[rows]]))
    grad_table[rows] = np.exp(table[rows] - log_norm[:, None])
    grad_table[rows, labels[rows]] -= 1.0
    grad_table /= len(rows)
    return loss, np.moveaxis(grad_table.reshape(N, H, W, K), -1, 1)


def mean_iou(pred, target, num_classes, ignore_index=255):
    pred, target = np.asarray(pred).ravel(), np.asarray(target).ravel()
    keep = target != ignore_index
    scores = []
    for k in range(num_classes):
        in_pred, in_target = (pred == k) & keep, (target == k) & keep
        union = np.count_nonzero(in_pred | in_target)
        if union > 0:
            scores.append(np.count_nonzero(in_pred & in_target) / union)
    return float(sum(scores) / len(scores)) if scores else 0.0
