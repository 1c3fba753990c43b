"""Public tests for segmentation.py: transposed convolution, per-pixel cross-entropy and mean IoU by hand.

Run them with ``pytest tests/test_segmentation.py``. The hidden tests compare
conv_transpose2d and pixel_cross_entropy with torch (values and autograd gradients) on random
odd and even sizes, strides and paddings, check the adjoint relation with convolution, and
mean_iou on random label maps with absent classes and ignored pixels.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_scalar_close, check_array, context, unpack

TOL = {"atol": 1e-12, "rtol": 1e-12}


@pytest.mark.points(1)
def test_conv_transpose2d_by_hand(hw):
    """conv_transpose2d: a 1x1 input stamps the kernel; stride 2 and a 2x2 kernel of ones copy pixels to 2x2 blocks"""
    kernel = np.arange(6.0).reshape(1, 1, 2, 3)
    out = hw.segmentation.conv_transpose2d(np.full((1, 1, 1, 1), 2.0), kernel, bias=np.array([0.5]))
    # H_out = (1 - 1) * 1 - 0 + 2 = 2, W_out = 3: the kernel times 2, plus the bias.
    assert_close(check_array(out, shape=(1, 1, 2, 3), what="the output"), 2.0 * kernel + 0.5, **TOL)
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    with context("stride 2, kernel of ones (2x2): nearest-neighbour upsampling, output (4, 4)"):
        expected = np.kron(x, np.ones((1, 1, 2, 2)))
        assert_close(hw.segmentation.conv_transpose2d(x, np.ones((1, 1, 2, 2)), stride=2), expected, **TOL)
    with context("stride 1, kernel of ones (2x2): overlapping copies add up, output (3, 3)"):
        expected = np.array([[[[1.0, 3.0, 2.0], [4.0, 10.0, 6.0], [3.0, 7.0, 4.0]]]])
        assert_close(hw.segmentation.conv_transpose2d(x, np.ones((1, 1, 2, 2))), expected, **TOL)
    with context("the same with padding=1: one row/column cropped from each border, output (1, 1)"):
        assert_close(hw.segmentation.conv_transpose2d(x, np.ones((1, 1, 2, 2)), padding=1), [[[[10.0]]]], **TOL)


@pytest.mark.points(1)
def test_pixel_cross_entropy_by_hand(hw):
    """pixel_cross_entropy: equal logits give log K per pixel; ignored pixels count in neither mean nor gradient"""
    K = 4
    logits = np.zeros((1, K, 2, 3))
    target = np.array([[[0, 1, 2], [3, 255, 255]]])            # 4 labelled pixels
    loss, grad = unpack(hw.segmentation.pixel_cross_entropy(logits, target), ("loss", "dlogits"))
    assert_scalar_close(loss, np.log(K), what="the loss")
    # d loss / d logits = (softmax - onehot) / 4 at labelled pixels: 1/16 - 1/4 at the target, 1/16 elsewhere.
    expected = np.full((1, K, 2, 3), 1 / 16)
    for (y, x), k in zip([(0, 0), (0, 1), (0, 2), (1, 0)], [0, 1, 2, 3], strict=True):
        expected[0, k, y, x] -= 1 / 4
    expected[0, :, 1, 1:] = 0.0
    assert_close(check_array(grad, shape=(1, K, 2, 3), what="dlogits"), expected, what="dlogits", **TOL)
    with context("one pixel, logits (log 3, 0), target 0: softmax (3/4, 1/4)"):
        loss, grad = unpack(hw.segmentation.pixel_cross_entropy(np.array([[[[np.log(3.0)]], [[0.0]]]]),
                                                                np.array([[[0]]])), ("loss", "dlogits"))
        assert_scalar_close(loss, -np.log(0.75), what="the loss")
        assert_close(grad, [[[[-0.25]], [[0.25]]]], what="dlogits", **TOL)


@pytest.mark.points(1)
def test_mean_iou_by_hand(hw):
    """mean_iou: per-class IoU averaged over the classes present; absent classes and ignored pixels do not count"""
    pred = np.array([[0, 1, 1, 2, 4]])
    target = np.array([[0, 1, 2, 2, 255]])
    # Class 0: 1/1; class 1: 1/2 ({1, 2} vs {1}); class 2: 1/2; classes 3 and 4 do not occur at
    # labelled pixels (the 4 is predicted at an ignored pixel): left out. Mean (1 + 1/2 + 1/2) / 3.
    assert_scalar_close(hw.segmentation.mean_iou(pred, target, num_classes=5), 2 / 3)
    with context("a class only predicted (never true) has IoU 0 and counts"):
        assert_scalar_close(hw.segmentation.mean_iou(np.array([0, 0, 3]), np.array([0, 0, 0]), num_classes=5),
                            (2 / 3 + 0.0) / 2)
