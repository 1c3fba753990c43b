"""Public tests for layers.py: small cases you can check by hand, and the lecture's properties.

Run them with ``pytest tests/test_layers.py`` (or ``-k conv`` for one layer). A backward pass
is tested through the probe ``forward_backward`` (tests/probes.py): it calls your forward,
then your backward with the cache the forward returned. The hidden tests that decide your
grade compare every layer with torch autograd in float64 on random inputs (strides,
padding, overlapping pools, ties, running statistics, extreme logits): passing these is
necessary, not enough.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_raises, assert_scalar_close, check_array, context, unpack
from shared.calls import describe_call


def _forward_backward(hw, layer, args, kwargs, dout):
    """(out, grads, name of the forward call, name of the backward call) from the probe."""
    out, grads = hw.probe("forward_backward", layer, tuple(args), dict(kwargs), dout)
    forward = describe_call(f"layers.{layer}_forward", args, kwargs)
    return out, grads, forward, f"layers.{layer}_backward(dout, cache) after {forward}"


# ----------------------------------------------------------------------------------------
# affine, relu
# ----------------------------------------------------------------------------------------

@pytest.mark.points(1)
def test_affine_forward_flattens_each_example(hw):
    """affine_forward: each example (2, 2) is flattened to 4 values, then x @ w + b"""
    x = np.arange(8.0).reshape(2, 2, 2)           # examples [0 1 2 3] and [4 5 6 7]
    w = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0], [1.0, 0.0, 1.0]])
    b = np.array([0.5, -1.0, 0.0])
    out, _ = unpack(hw.layers.affine_forward(x, w, b), ("out", "cache"))
    assert_close(out, [[3.5, 0.0, 6.0], [11.5, 4.0, 22.0]])


@pytest.mark.points(2)
def test_affine_backward_by_hand(hw):
    """affine_backward: dx = dout @ w.T in x's shape, dw = x.T @ dout, db = sum of dout over the batch"""
    x = np.arange(8.0).reshape(2, 2, 2)
    w = np.arange(12.0).reshape(4, 3) / 10
    b = np.zeros(3)
    dout = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    _, grads, _, call = _forward_backward(hw, "affine", (x, w, b), {}, dout)
    dx, dw, db = unpack(grads, ("dx", "dw", "db"), call=call)
    assert_close(dx, (dout @ w.T).reshape(2, 2, 2), what="dx (must have the shape of x)", call=call)
    assert_close(dw, x.reshape(2, 4).T @ dout, what="dw", call=call)
    assert_close(db, [3.0, 1.0, -1.0], what="db", call=call)


@pytest.mark.points(2)
def test_relu_forward_and_backward_at_zero(hw):
    """relu: max(x, 0); the gradient is 0 where x <= 0, including x == 0 exactly"""
    x = np.array([[-2.0, 0.0, 3.0], [0.5, -0.0, -1e-12]])
    out, _ = unpack(hw.layers.relu_forward(x), ("out", "cache"))
    assert_close(out, [[0.0, 0.0, 3.0], [0.5, 0.0, 0.0]])
    dout = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    _, dx, _, call = _forward_backward(hw, "relu", (x,), {}, dout)
    assert_close(dx, [[0.0, 0.0, 3.0], [4.0, 0.0, 0.0]], what="dx", call=call)


# ----------------------------------------------------------------------------------------
# convolution
# ----------------------------------------------------------------------------------------

def _conv_loops(x, w, b, stride, pad, dout):
    """Textbook convolution layer with loops: (out, dx, dw, db). Slow but obviously right."""
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Ho, Wo = 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride
    out = np.zeros((N, F, Ho, Wo))
    dxp, dw, db = np.zeros_like(xp), np.zeros_like(w), dout.sum(axis=(0, 2, 3))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    patch = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(patch * w[f]) + b[f]
                    dw[f] += dout[n, f, i, j] * patch
                    dxp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += dout[n, f, i, j] * w[f]
    return out, dxp[:, :, pad:pad + H, pad:pad + W], dw, db


@pytest.mark.points(2)
def test_conv_forward_is_cross_correlation(hw):
    """conv_forward: the kernel is NOT flipped (as in torch); out = sum of kernel * window + bias"""
    x = np.arange(9.0).reshape(1, 1, 3, 3)        # [[0 1 2] [3 4 5] [6 7 8]]
    w = np.array([[[[1.0, 2.0], [0.0, -1.0]]]])   # out[i, j] = x[i,j] + 2 x[i,j+1] - x[i+1,j+1] + b
    b = np.array([10.0])
    out, _ = unpack(hw.layers.conv_forward(x, w, b), ("out", "cache"))
    assert_close(out, [[[[8.0, 10.0], [14.0, 16.0]]]])


@pytest.mark.points(1)
def test_conv_forward_padding_and_stride(hw):
    """conv_forward: zero padding on every side, stride 2; a 3x3 box filter counts the pixels it sees"""
    x = np.ones((1, 1, 4, 4))
    w = np.ones((1, 1, 3, 3))
    # Padded to 6x6; windows start at rows/columns 0 and 2: 1 + (4 + 2 - 3) // 2 = 2 outputs per side.
    out, _ = unpack(hw.layers.conv_forward(x, w, np.zeros(1), stride=2, pad=1), ("out", "cache"))
    assert_close(out, [[[[4.0, 6.0], [6.0, 9.0]]]])
    with context("stride 3, pad 2, 2 filters, 2 channels, 7x5 input, 3x2 kernel"):
        out, _ = unpack(hw.layers.conv_forward(np.ones((3, 2, 7, 5)), np.ones((2, 2, 3, 2)), np.zeros(2),
                                               stride=3, pad=2), ("out", "cache"))
        check_array(out, shape=(3, 2, 3, 3), dtype=np.float64)


@pytest.mark.points(2)
def test_conv_backward_against_loops(hw):
    """conv_backward: dx, dw, db equal the textbook loops (2 images, 2 channels, 3 filters, stride 2, pad 1)"""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 2, 5, 5))
    w = rng.normal(size=(3, 2, 3, 3))
    b = rng.normal(size=3)
    dout = rng.normal(size=(2, 3, 3, 3))
    out, grads, forward, call = _forward_backward(hw, "conv", (x, w, b), {"stride": 2, "pad": 1}, dout)
    expected = _conv_loops(x, w, b, 2, 1, dout)
    assert_close(out, expected[0], atol=1e-10, rtol=1e-8, what="out", call=forward)
    for got, want, name in zip(unpack(grads, ("dx", "dw", "db"), call=call), expected[1:], ("dx", "dw", "db"),
                               strict=True):
        assert_close(got, want, atol=1e-10, rtol=1e-8, what=name, call=call)


# ----------------------------------------------------------------------------------------
# max pooling
# ----------------------------------------------------------------------------------------

@pytest.mark.points(2)
def test_maxpool_routes_the_gradient_to_the_maximum(hw):
    """maxpool: 2x2 windows, stride 2; each window's gradient goes to its largest element"""
    x = np.array([[[[1.0, 2.0, 5.0, 0.0],
                    [3.0, 4.0, 1.0, 1.0],
                    [0.0, 0.0, 2.0, 9.0],
                    [8.0, 1.0, 3.0, 3.0]]]])
    out, _ = unpack(hw.layers.maxpool_forward(x), ("out", "cache"))
    assert_close(out, [[[[4.0, 5.0], [8.0, 9.0]]]])
    dout = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    _, dx, _, call = _forward_backward(hw, "maxpool", (x,), {}, dout)
    expected = np.zeros((1, 1, 4, 4))
    expected[0, 0, 1, 1], expected[0, 0, 0, 2], expected[0, 0, 3, 0], expected[0, 0, 2, 3] = 1, 2, 3, 4
    assert_close(dx, expected, what="dx", call=call)


@pytest.mark.points(1)
def test_maxpool_ties_and_overlapping_windows(hw):
    """maxpool: a tie sends the gradient to the FIRST maximum (row-major); overlapping windows add up"""
    _, dx, _, call = _forward_backward(hw, "maxpool", (np.ones((1, 1, 2, 2)),), {}, np.array([[[[5.0]]]]))
    assert_close(dx, [[[[5.0, 0.0], [0.0, 0.0]]]], what="dx (all four values tie)", call=call)
    # 3x3 input, 2x2 windows with stride 1: the centre is the maximum of all four windows.
    x = np.array([[[[1.0, 1.0, 1.0], [1.0, 9.0, 1.0], [1.0, 1.0, 1.0]]]])
    dout = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    kwargs = {"pool_height": 2, "pool_width": 2, "stride": 1}
    out, dx, forward, call = _forward_backward(hw, "maxpool", (x,), kwargs, dout)
    assert_close(out, np.full((1, 1, 2, 2), 9.0), what="out", call=forward)
    assert_close(dx, [[[[0.0, 0.0, 0.0], [0.0, 10.0, 0.0], [0.0, 0.0, 0.0]]]], what="dx", call=call)


# ----------------------------------------------------------------------------------------
# batch normalisation
# ----------------------------------------------------------------------------------------

X_BN = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 30.0], [7.0, 60.0]])


@pytest.mark.points(2)
def test_batchnorm_train_normalises_each_feature(hw):
    """batchnorm_forward (train): each column gets mean 0 and (biased) variance 1, then gamma * xhat + beta"""
    gamma, beta = np.array([1.0, 2.0]), np.array([0.0, -1.0])
    out, _ = unpack(hw.layers.batchnorm_forward(X_BN, gamma, beta, {"mode": "train"}), ("out", "cache"))
    mean, var = X_BN.mean(axis=0), X_BN.var(axis=0)          # np.var divides by N: the biased variance
    assert_close(out, gamma * (X_BN - mean) / np.sqrt(var + 1e-5) + beta, rtol=1e-9)


@pytest.mark.points(2)
def test_batchnorm_running_statistics_and_test_mode(hw):
    """batchnorm_forward: one train step updates the running averages (unbiased var); test mode uses them"""
    gamma, beta = np.ones(2), np.zeros(2)
    x_test = np.array([[0.0, 0.0], [1.0, 1.0]])
    report = hw.probe("batchnorm_steps", [X_BN], gamma, beta, {"momentum": 0.1}, x_test)
    call = "layers.batchnorm_forward(x, gamma, beta, bn_param) in 'train' mode, then in 'test' mode"
    # Created as zeros / ones, then running = 0.9 * running + 0.1 * batch statistic.
    mean, unbiased = X_BN.mean(axis=0), X_BN.var(axis=0, ddof=1)
    running_mean, running_var = 0.1 * mean, 0.9 + 0.1 * unbiased
    assert_close(report["running_mean"][0], running_mean, what="bn_param['running_mean'] after one step", call=call)
    assert_close(report["running_var"][0], running_var, what="bn_param['running_var'] after one step", call=call)
    assert_close(report["out_test"], (x_test - running_mean) / np.sqrt(running_var + 1e-5),
                 what="the output in 'test' mode", call=call)


@pytest.mark.points(1)
def test_spatial_batchnorm_per_channel(hw):
    """spatial_batchnorm_forward (train): channel c is normalised over all N*H*W values of that channel"""
    x = np.arange(2 * 3 * 2 * 2, dtype=np.float64).reshape(2, 3, 2, 2) ** 1.5
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 2.0])
    out, _ = unpack(hw.layers.spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"}), ("out", "cache"))
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    expected = gamma[None, :, None, None] * (x - mean) / np.sqrt(var + 1e-5) + beta[None, :, None, None]
    assert_close(out, expected, rtol=1e-9)


# ----------------------------------------------------------------------------------------
# dropout
# ----------------------------------------------------------------------------------------

@pytest.mark.points(2)
def test_dropout_inverted_scaling_and_mask(hw):
    """dropout: p is the DROP probability; kept units are scaled by 1/(1-p); backward reuses the mask"""
    x = np.full((50, 40), 2.0)
    p = 0.25
    out1, out2, dx = hw.probe("dropout_pair", x, p, 0, np.full((50, 40), 3.0))
    call = "layers.dropout_forward(float64[50, 40], 0.25, 'train', seed=0)"
    out1 = check_array(out1, shape=x.shape, dtype=np.float64, call=call)
    kept = out1 != 0
    assert_close(out1[kept], np.full(int(kept.sum()), 2.0 / 0.75), what="the kept values (x / (1 - p))", call=call)
    assert 0.70 <= kept.mean() <= 0.80, (f"{call}: kept {kept.mean():.1%} of the units; with p = 0.25 about 75 % "
                                         f"should be kept (p is the probability of dropping)")
    assert_close(out2, out1, what="a second call with the same seed (must give the same mask)", call=call)
    assert_close(dx, np.where(kept, 3.0 / 0.75, 0.0), what="dx of dropout_backward (the forward's mask, scaled)",
                 call=call.replace("dropout_forward", "dropout_backward(dout, cache) after layers.dropout_forward"))


@pytest.mark.points(1)
def test_dropout_special_cases(hw):
    """dropout: identity in test mode and for p = 0; zeros (not NaN) for p = 1"""
    x = np.arange(-5.0, 5.0).reshape(2, 5)
    out, _ = unpack(hw.layers.dropout_forward(x, 0.5, "test"), ("out", "cache"))
    assert_close(out, x, what="out in 'test' mode")
    out, _ = unpack(hw.layers.dropout_forward(x, 0.0, "train", seed=1), ("out", "cache"))
    assert_close(out, x, what="out with p = 0")
    out, _ = unpack(hw.layers.dropout_forward(x, 1.0, "train", seed=1), ("out", "cache"))
    assert_close(out, np.zeros_like(x), what="out with p = 1")


# ----------------------------------------------------------------------------------------
# softmax and cross-entropy
# ----------------------------------------------------------------------------------------

@pytest.mark.points(1)
def test_softmax_small_and_huge_logits(hw):
    """softmax: probabilities by hand; logits of 1e4 must not overflow (subtract the max first)"""
    assert_close(hw.layers.softmax(np.array([[0.0, np.log(3.0)], [5.0, 5.0]])), [[0.25, 0.75], [0.5, 0.5]])
    assert_close(hw.layers.softmax(np.array([[1e4, 0.0, -1e4]])), [[1.0, 0.0, 0.0]])
    assert_close(hw.layers.softmax(np.array([[0.0], [np.log(3.0)]]), axis=0), [[0.25], [0.75]])


@pytest.mark.points(2)
def test_cross_entropy_uniform_scores(hw):
    """cross_entropy_loss: equal scores give loss log(C) and dscores = (1/C - onehot) / N"""
    scores = np.zeros((2, 4))
    y = np.array([0, 3])
    loss, dscores = unpack(hw.layers.cross_entropy_loss(scores, y), ("loss", "dscores"))
    assert_scalar_close(loss, np.log(4.0), what="loss")
    assert_close(dscores, [[-0.375, 0.125, 0.125, 0.125], [0.125, 0.125, 0.125, -0.375]], what="dscores")
    with context("logits of 1e4"):
        loss, dscores = unpack(hw.layers.cross_entropy_loss(np.array([[1e4, 0.0]]), np.array([1])),
                               ("loss", "dscores"))
        assert_scalar_close(loss, 1e4, what="loss")
        assert_close(dscores, [[1.0, -1.0]], what="dscores")


@pytest.mark.points(1)
def test_bad_mode_and_p_raise_value_error(hw):
    """dropout_forward, batchnorm_forward: a bad mode or p raises ValueError naming it"""
    x = np.ones((3, 2))
    with context("the same calls with good arguments work"):
        out, _ = unpack(hw.layers.dropout_forward(3 * x, 0.5, "test"), ("out", "cache"))
        assert_close(out, 3 * x, what="dropout_forward(x, 0.5, 'test'), the identity")
    assert_raises(ValueError, hw.layers.dropout_forward, x, 0.5, "eval", mentions=["mode"])
    assert_raises(ValueError, hw.layers.dropout_forward, x, 1.5, "train", mentions=["p"])
    assert_raises(ValueError, hw.layers.batchnorm_forward, x, np.ones(2), np.zeros(2), {"mode": "eval"},
                  mentions=["mode"])
