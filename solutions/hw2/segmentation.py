"""HW2 reference solution, part 5: semantic segmentation with numpy (lecture "Object Recognition": FCN,
encoder-decoder, skip connections).

Conventions used by every function in this module:

* Feature maps are ``(N, C, H, W)`` (torch's layout); a label map is ``(N, H, W)`` of
  integers, where ``ignore_index`` marks pixels without a label (borders, "void").
* Results are float64 (Python floats for scalars).

A fully convolutional network downsamples (strided convolutions, pooling), then upsamples
back to the input size with transposed convolutions, and is trained with a cross-entropy per
pixel and evaluated with the mean intersection over union of the classes.
"""
import numpy as np


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0):
    """Transposed convolution ("deconvolution", fractionally strided convolution), as
    torch.nn.functional.conv_transpose2d.

    Every input pixel scatters a copy of the kernel, scaled by its value, into the output;
    input pixel (i, j) lands at (i * stride, j * stride), and overlapping copies add up.
    Then ``padding`` rows/columns are cropped from each border. Output size:

        H_out = (H - 1) * stride - 2 * padding + kh,   W_out = (W - 1) * stride - 2 * padding + kw

    It is the adjoint of the strided convolution (cross-correlation) ``conv2d(y, w, stride,
    padding)`` with the same weight read as (C_out_of_conv=C_in, C_in_of_conv=C_out, kh, kw):
    <conv_transpose2d(x, w), y> = <x, conv2d(y, w)> for every x and y, which is why it is the
    backward pass of a convolution and upsamples by ``stride``.

    Inputs:
    - x: (N, C_in, H, W).
    - weight: (C_in, C_out, kh, kw) (torch's layout for transposed convolutions).
    - bias: (C_out,) or None.
    - stride, padding: non-negative integers, the same for both axes (stride >= 1), with
      H_out, W_out >= 1.

    Returns: float64 array (N, C_out, H_out, W_out).
    """
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    N, _, H, W = x.shape
    _, C_out, kh, kw = weight.shape
    full_h, full_w = (H - 1) * stride + kh, (W - 1) * stride + kw
    out = np.zeros((N, C_out, full_h, full_w))
    # One kernel tap at a time: every input pixel adds x * weight[:, :, i, j] at its landing
    # point shifted by (i, j); the landing points of all pixels form a strided slice.
    for i in range(kh):
        for j in range(kw):
            contribution = np.einsum("nchw,co->nohw", x, weight[:, :, i, j])
            out[:, :, i:i + (H - 1) * stride + 1:stride, j:j + (W - 1) * stride + 1:stride] += contribution
    out = out[:, :, padding:full_h - padding, padding:full_w - padding]
    if bias is not None:
        out = out + np.asarray(bias, dtype=np.float64)[None, :, None, None]
    return out


def pixel_cross_entropy(logits, target, ignore_index=255):
    """Mean cross-entropy over the labelled pixels, and its gradient with respect to the logits.

        loss = 1/|V| sum_{(n, y, x) in V} -log softmax(logits[n, :, y, x])[target[n, y, x]]

    where V is the set of pixels whose target is not ``ignore_index`` (as
    torch.nn.functional.cross_entropy(logits, target, ignore_index=ignore_index)). The
    softmax runs over the class axis 1 and is computed stably (shifted by its maximum), so
    logits of 1e4 give finite results.

    Inputs: logits (N, K, H, W) real; target (N, H, W) integers in [0, K) or ignore_index.
    Returns: (loss, dlogits): a Python float and a float64 array (N, K, H, W):
    dlogits = (softmax - onehot(target)) / |V| at labelled pixels, 0 at ignored ones.
    When every pixel is ignored, the loss is 0.0 and the gradient is 0.
    """
    logits = np.asarray(logits, dtype=np.float64)
    target = np.asarray(target)
    labelled = target != ignore_index                                 # (N, H, W)
    count = int(labelled.sum())
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    safe_target = np.where(labelled, target, 0).astype(np.int64)
    picked = np.take_along_axis(log_probs, safe_target[:, None], axis=1)[:, 0]
    if count == 0:
        return 0.0, np.zeros_like(logits)
    loss = float(-np.sum(np.where(labelled, picked, 0.0)) / count)
    onehot = np.arange(logits.shape[1])[None, :, None, None] == safe_target[:, None]
    grad = (np.exp(log_probs) - onehot) * labelled[:, None] / count
    return loss, grad


def mean_iou(pred, target, num_classes, ignore_index=255):
    """Mean intersection over union of the classes, the standard segmentation metric.

    For each class k, over the pixels whose target is not ``ignore_index`` (what the
    prediction says at ignored pixels does not count):

        IoU_k = |{pred == k} & {target == k}| / |{pred == k} | {target == k}|

    and the result is the mean of IoU_k over the classes that occur in the prediction or
    the target (a class absent from both has no IoU and is left out of the mean, so it
    neither helps nor hurts).

    Inputs: pred, target: integer arrays of the same shape (any shape, e.g. (N, H, W));
    pred in [0, num_classes), target in [0, num_classes) or ignore_index.
    Returns: a Python float in [0, 1]; 0.0 when every pixel is ignored.
    """
    pred = np.asarray(pred).reshape(-1)
    target = np.asarray(target).reshape(-1)
    labelled = target != ignore_index
    pred, target = pred[labelled].astype(np.int64), target[labelled].astype(np.int64)
    # Confusion matrix: row = true class, column = predicted class.
    confusion = np.bincount(target * num_classes + pred, minlength=num_classes * num_classes)
    confusion = confusion.reshape(num_classes, num_classes)
    intersection = np.diag(confusion)
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - intersection
    present = union > 0
    if not present.any():
        return 0.0
    return float(np.mean(intersection[present] / union[present]))
