"""Hidden tests for segmentation.py: torch (values and autograd) and a direct count on seeded random inputs.

What decides: conv_transpose2d against torch.nn.functional.conv_transpose2d for odd and even
sizes, non-square kernels, C_in != C_out, strides 1-3 and paddings 0-2, with and without a
bias, and its adjoint relation with torch's conv2d; pixel_cross_entropy against torch's
cross_entropy and its autograd gradient (ignore_index 255 and -1, logits of 1e4, every pixel
ignored); mean_iou against a per-class count written here (absent classes, classes only
predicted, predictions at ignored pixels, (H, W) and (N, H, W) maps).
Tolerances: float64 sums of at most a few hundred O(1) products: 1e-10.
"""
import numpy as np
import pytest
import torch
from torch.nn import functional as F

from shared.asserts import assert_close, assert_scalar_close, check_array, context, unpack

TOL = {"atol": 1e-10, "rtol": 1e-10}

CONV_CASES = [  # (N, C_in, H, W, C_out, kh, kw, stride, padding)
    (1, 1, 3, 3, 1, 3, 3, 1, 0), (2, 3, 4, 5, 2, 3, 2, 2, 0), (1, 2, 5, 4, 3, 4, 4, 2, 1),
    (2, 1, 3, 6, 2, 3, 3, 3, 1), (1, 3, 6, 6, 1, 5, 3, 2, 2), (3, 2, 1, 2, 2, 2, 1, 1, 0)]


@pytest.mark.points(2)
def test_conv_transpose2d_against_torch(hw, rng):
    """conv_transpose2d: random odd/even sizes, non-square kernels, strides 1-3, paddings 0-2, bias or none"""
    for k, (N, C_in, H, W, C_out, kh, kw, stride, padding) in enumerate(CONV_CASES):
        x, weight = rng.normal(size=(N, C_in, H, W)), rng.normal(size=(C_in, C_out, kh, kw))
        bias = rng.normal(size=C_out) if k % 2 else None
        expected = F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(weight),
                                      None if bias is None else torch.from_numpy(bias),
                                      stride=stride, padding=padding).numpy()
        where = (f"x {x.shape}, weight {weight.shape}, stride={stride}, padding={padding}, "
                 f"{'no bias' if bias is None else 'bias'}")
        with context(where):
            got = hw.segmentation.conv_transpose2d(x, weight, bias=bias, stride=stride, padding=padding)
            assert_close(check_array(got, shape=expected.shape, dtype="floating", what="the output"), expected, **TOL)


@pytest.mark.points(1)
def test_conv_transpose2d_is_the_adjoint_of_conv2d(hw, rng):
    """conv_transpose2d: <conv_transpose2d(x, w), y> = <x, conv2d(y, w)> (the backward pass of a strided convolution)"""
    for N, C_in, H, W, C_out, kh, kw, stride, padding in CONV_CASES[1:5]:
        x, weight = rng.normal(size=(N, C_in, H, W)), rng.normal(size=(C_in, C_out, kh, kw))
        H_out, W_out = (H - 1) * stride - 2 * padding + kh, (W - 1) * stride - 2 * padding + kw
        y = rng.normal(size=(N, C_out, H_out, W_out))
        # conv2d reads the same weight as (out_channels=C_in, in_channels=C_out, kh, kw).
        back = F.conv2d(torch.from_numpy(y), torch.from_numpy(weight), stride=stride, padding=padding).numpy()
        with context(f"x {x.shape}, weight {weight.shape}, stride={stride}, padding={padding}"):
            out = check_array(hw.segmentation.conv_transpose2d(x, weight, stride=stride, padding=padding),
                              shape=(N, C_out, H_out, W_out), what="the output (size rule)")
            lhs = float(np.sum(out * y))
            assert_scalar_close(lhs, float(np.sum(x * back)), what="<conv_transpose2d(x, w), y>", atol=1e-9,
                                rtol=1e-10)


def _torch_cross_entropy(logits, target, ignore_index):
    tensor = torch.from_numpy(logits).requires_grad_(True)
    loss = F.cross_entropy(tensor, torch.from_numpy(target.astype(np.int64)), ignore_index=ignore_index)
    loss.backward()
    return float(loss.detach()), tensor.grad.numpy()


@pytest.mark.points(1)
def test_pixel_cross_entropy_against_torch(hw, rng):
    """pixel_cross_entropy: random logits and label maps with ignored pixels: loss and gradient equal torch's"""
    for N, K, H, W, ignore_index in [(1, 2, 3, 3, 255), (2, 5, 4, 3, 255), (3, 3, 2, 5, -1), (1, 6, 5, 5, 7)]:
        logits = 3 * rng.normal(size=(N, K, H, W))
        target = rng.integers(0, K, size=(N, H, W))
        target[rng.random((N, H, W)) < 0.3] = ignore_index
        target[0, 0, 0] = 0                                        # at least one labelled pixel
        loss_exp, grad_exp = _torch_cross_entropy(logits, target, ignore_index)
        with context(f"logits {logits.shape}, ignore_index={ignore_index}"):
            loss, grad = unpack(hw.segmentation.pixel_cross_entropy(logits, target, ignore_index=ignore_index),
                                ("loss", "dlogits"))
            assert_scalar_close(loss, loss_exp, what="the loss", **TOL)
            assert_close(check_array(grad, shape=logits.shape, what="dlogits"), grad_exp, what="dlogits", **TOL)


@pytest.mark.points(1)
def test_pixel_cross_entropy_large_logits_and_nothing_labelled(hw, rng):
    """pixel_cross_entropy: logits of 1e4 stay finite (shift by the maximum); every pixel ignored: loss 0, gradient 0"""
    logits = 1e4 * rng.normal(size=(2, 3, 3, 4))
    target = rng.integers(0, 3, size=(2, 3, 4))
    loss_exp, grad_exp = _torch_cross_entropy(logits, target, 255)
    loss, grad = unpack(hw.segmentation.pixel_cross_entropy(logits, target), ("loss", "dlogits"))
    # The loss is ~1e4: float64 keeps ~1e-12 of it.
    assert_scalar_close(loss, loss_exp, what="the loss with logits of 1e4", atol=1e-8, rtol=1e-12)
    assert_close(grad, grad_exp, what="dlogits with logits of 1e4", **TOL)
    with context("every pixel ignored"):
        loss, grad = unpack(hw.segmentation.pixel_cross_entropy(logits[:1], np.full((1, 3, 4), 255)),
                            ("loss", "dlogits"))
        assert_scalar_close(loss, 0.0, what="the loss", atol=0)
        assert_close(check_array(grad, shape=(1, 3, 3, 4), what="dlogits"), np.zeros((1, 3, 3, 4)), what="dlogits",
                     atol=0)


def _iou_by_count(pred, target, num_classes, ignore_index):
    pred, target = np.asarray(pred).ravel(), np.asarray(target).ravel()
    keep = target != ignore_index
    pred, target = pred[keep], target[keep]
    ious = []
    for k in range(num_classes):
        union = np.sum((pred == k) | (target == k))
        if union:
            ious.append(np.sum((pred == k) & (target == k)) / union)
    return float(np.mean(ious)) if ious else 0.0


@pytest.mark.points(1)
def test_mean_iou_against_a_direct_count(hw, rng):
    """mean_iou: random (N, H, W) and (H, W) label maps, ignored pixels, classes absent or only predicted"""
    for shape, num_classes, ignore_index in [((2, 7, 5), 4, 255), ((9, 8), 6, 255), ((3, 4, 4), 10, -1)]:
        target = rng.integers(0, min(num_classes, 4), size=shape)          # classes >= 4 never true
        pred = np.where(rng.random(shape) < 0.7, target, rng.integers(0, num_classes, size=shape))
        target[rng.random(shape) < 0.2] = ignore_index
        with context(f"maps {shape}, num_classes={num_classes}, ignore_index={ignore_index}"):
            assert_scalar_close(hw.segmentation.mean_iou(pred, target, num_classes, ignore_index=ignore_index),
                                _iou_by_count(pred, target, num_classes, ignore_index), **TOL)


@pytest.mark.points(1)
def test_mean_iou_absent_classes_and_ignored_pixels(hw):
    """mean_iou: absent classes are left out (not 0, not 1); predictions at ignored pixels do not count"""
    target = np.array([[0, 0, 1, 1], [255, 255, 1, 0]])
    pred = np.array([[0, 1, 1, 1], [3, 2, 1, 0]])
    # Labelled pixels: class 0 IoU 2/3, class 1 IoU 3/4; classes 2 and 3 appear only at ignored pixels.
    for num_classes in (2, 4, 50):
        with context(f"num_classes={num_classes}"):
            assert_scalar_close(hw.segmentation.mean_iou(pred, target, num_classes), (2 / 3 + 3 / 4) / 2, **TOL)
    with context("a perfect prediction with 50 classes of which 2 occur"):
        assert_scalar_close(hw.segmentation.mean_iou(target, target, 50), 1.0, **TOL)
    with context("every pixel ignored"):
        assert_scalar_close(hw.segmentation.mean_iou(pred, np.full_like(target, 255), 4), 0.0, **TOL)
