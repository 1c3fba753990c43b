"""HW2, part 5: semantic segmentation with numpy (lecture "Object Recognition": FCN, encoder-decoder,
skip connections).

Fill in every function marked TODO. Use numpy only (no scipy, OpenCV, torch, scikit-image).

Conventions for every function in this file:

* Feature maps are ``(N, C, H, W)`` (torch's layout); a label map is ``(N, H, W)`` of
  integers, where ``ignore_index`` marks pixels without a label (borders, "void").
* Results are float64 (Python floats for scalars).

A fully convolutional network downsamples (strided convolutions, pooling), then upsamples
back to the input size with transposed convolutions, and is trained with a cross-entropy per
pixel and evaluated with the mean intersection over union of the classes.

You may add your own private helper functions (names starting with ``_``).
"""
import numpy as np  # noqa: F401  (you will need it)


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
    # TODO
    # Hint: think "scatter": for each kernel tap (i, j), every input pixel adds
    # x[n, c] * weight[c, :, i, j] at output (i + stride * y, j + stride * x) of an
    # uncropped (H - 1) * stride + kh by (W - 1) * stride + kw map (a strided slice, and
    # np.einsum over c). Crop ``padding`` from each border at the end.
    # Hint: check the output size rule on paper first: a 1x1 input gives the kernel itself.
    raise NotImplementedError("conv_transpose2d: not implemented yet")


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
    # TODO
    # Hint: log softmax = z - max(z) - log sum exp(z - max(z)) over axis 1.
    # Hint: np.take_along_axis picks the target class's log-probability; replace ignored targets
    # by 0 before indexing, then mask them out of the sum and of the gradient.
    raise NotImplementedError("pixel_cross_entropy: not implemented yet")


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
    # TODO
    # Hint: drop the ignored pixels first, then a confusion matrix (np.bincount of
    # target * num_classes + pred) gives every intersection (its diagonal) and union
    # (row sum + column sum - diagonal) at once.
    raise NotImplementedError("mean_iou: not implemented yet")
