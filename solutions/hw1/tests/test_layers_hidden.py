"""Hidden tests for layers.py: every layer against torch autograd in float64, forward and backward.

Inputs are seeded random arrays (the ``rng`` fixture); torch computes the expected values in
this process. Backward passes run through the ``forward_backward`` probe, so a cache never
has to leave the student's process. Tolerances: float64 round-off (rtol 1e-8, atol 1e-10 or
a little more where a backward pass cancels large terms).
"""
import numpy as np
import pytest
import torch
from torch.nn import functional as F

from shared.asserts import assert_close, assert_raises, assert_scalar_close, check_array, unpack
from shared.calls import describe_call

RTOL, ATOL = 1e-8, 1e-10


def _forward_backward(hw, layer, args, kwargs, dout):
    out, grads = hw.probe("forward_backward", layer, tuple(args), dict(kwargs), dout)
    forward = describe_call(f"layers.{layer}_forward", args, kwargs)
    return out, grads, forward, f"layers.{layer}_backward(dout, cache) after {forward}"


def _torch(fn, inputs, dout):
    """(out, [gradient of sum(fn(*inputs) * dout) w.r.t. each input]) with torch autograd, float64."""
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    out = fn(*tensors)
    out.backward(torch.as_tensor(dout, dtype=torch.float64))
    return out.detach().numpy(), [t.grad.numpy() for t in tensors]


def _check_all(got, expected, names, call, atol=ATOL, rtol=RTOL):
    for value, want, name in zip(got, expected, names, strict=True):
        assert_close(value, want, atol=atol, rtol=rtol, what=name, call=call)


# ----------------------------------------------------------------------------------------
# affine, relu
# ----------------------------------------------------------------------------------------

@pytest.mark.points(2)
def test_affine_against_torch(hw, rng):
    """affine: forward and backward against torch on a batch of (3, 4) examples"""
    x, w, b = rng.normal(size=(5, 3, 4)), rng.normal(size=(12, 6)), rng.normal(size=6)
    dout = rng.normal(size=(5, 6))
    out, grads, forward, call = _forward_backward(hw, "affine", (x, w, b), {}, dout)
    want_out, want_grads = _torch(lambda x, w, b: x.reshape(5, -1) @ w + b, (x, w, b), dout)
    assert_close(out, want_out, atol=ATOL, rtol=RTOL, what="out", call=forward)
    _check_all(unpack(grads, ("dx", "dw", "db"), call=call), want_grads, ("dx", "dw", "db"), call)


@pytest.mark.points(2)
def test_relu_against_torch_with_exact_zeros(hw, rng):
    """relu: forward and backward on random values, a quarter of them exactly 0"""
    x = rng.normal(size=(4, 3, 5))
    x[rng.random(x.shape) < 0.25] = 0.0
    dout = rng.normal(size=x.shape)
    out, dx, forward, call = _forward_backward(hw, "relu", (x,), {}, dout)
    assert_close(out, np.maximum(x, 0), what="out", call=forward)
    assert_close(dx, np.where(x > 0, dout, 0.0), what="dx (0 where x <= 0)", call=call)


# ----------------------------------------------------------------------------------------
# convolution
# ----------------------------------------------------------------------------------------

CONV_CASES = {
    "3x3 stride 1 pad 0": ((2, 3, 7, 6), (4, 3, 3, 3), 1, 0),
    "3x3 stride 2 pad 1": ((2, 2, 8, 8), (3, 2, 3, 3), 2, 1),
    "3x2 stride 3 pad 2": ((1, 3, 9, 7), (2, 3, 3, 2), 3, 2),
    "4x4 stride 2 pad 1, size not divisible": ((3, 1, 9, 10), (2, 1, 4, 4), 2, 1),
}


def _conv_case(rng, case):
    x_shape, w_shape, stride, pad = CONV_CASES[case]
    x, w, b = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])
    out_shape = F.conv2d(torch.zeros(x_shape), torch.zeros(w_shape), stride=stride, padding=pad).shape
    return x, w, b, stride, pad, rng.normal(size=tuple(out_shape))


@pytest.mark.points(1)
@pytest.mark.parametrize("case", list(CONV_CASES))
def test_conv_forward_against_torch(hw, rng, case):
    """conv_forward: equals torch.nn.functional.conv2d"""
    x, w, b, stride, pad, _ = _conv_case(rng, case)
    out, _ = unpack(hw.layers.conv_forward(x, w, b, stride=stride, pad=pad), ("out", "cache"))
    expected = F.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=stride, padding=pad).numpy()
    assert_close(out, expected, atol=ATOL, rtol=RTOL, what="out")


@pytest.mark.points(1)
@pytest.mark.parametrize("case", list(CONV_CASES))
def test_conv_backward_against_torch(hw, rng, case):
    """conv_backward: dx, dw, db equal torch autograd"""
    x, w, b, stride, pad, dout = _conv_case(rng, case)
    _, grads, _, call = _forward_backward(hw, "conv", (x, w, b), {"stride": stride, "pad": pad}, dout)
    _, want = _torch(lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=pad), (x, w, b), dout)
    _check_all(unpack(grads, ("dx", "dw", "db"), call=call), want, ("dx", "dw", "db"), call, atol=1e-9)


@pytest.mark.points(2)
def test_conv_larger_batch_against_torch(hw, rng):
    """conv: forward and backward on a 16x8x16x16 batch with 8 filters (fast enough means vectorised)"""
    x, w, b = rng.normal(size=(16, 8, 16, 16)), rng.normal(size=(8, 8, 3, 3)), rng.normal(size=8)
    dout = rng.normal(size=(16, 8, 16, 16))
    out, grads, forward, call = _forward_backward(hw, "conv", (x, w, b), {"stride": 1, "pad": 1}, dout)
    want_out, want = _torch(lambda x, w, b: F.conv2d(x, w, b, padding=1), (x, w, b), dout)
    assert_close(out, want_out, atol=1e-9, rtol=RTOL, what="out", call=forward)
    _check_all(unpack(grads, ("dx", "dw", "db"), call=call), want, ("dx", "dw", "db"), call, atol=1e-8)


# ----------------------------------------------------------------------------------------
# max pooling
# ----------------------------------------------------------------------------------------

POOL_CASES = {
    "2x2 stride 2": ((2, 3, 8, 6), 2, 2, 2),
    "3x3 stride 2 (overlapping)": ((2, 2, 9, 7), 3, 3, 2),
    "2x3 stride 1 (overlapping)": ((1, 3, 5, 6), 2, 3, 1),
    "3x3 stride 3, leftover rows": ((2, 2, 10, 11), 3, 3, 3),
}


@pytest.mark.points(1)
@pytest.mark.parametrize("case", list(POOL_CASES))
def test_maxpool_against_torch(hw, rng, case):
    """maxpool: forward and backward equal torch.nn.functional.max_pool2d"""
    shape, ph, pw, stride = POOL_CASES[case]
    x = rng.normal(size=shape)
    out_shape = F.max_pool2d(torch.zeros(shape), (ph, pw), stride).shape
    dout = rng.normal(size=tuple(out_shape))
    want_out, (want_dx,) = _torch(lambda x: F.max_pool2d(x, (ph, pw), stride), (x,), dout)
    kwargs = {"pool_height": ph, "pool_width": pw, "stride": stride}
    out, dx, forward, call = _forward_backward(hw, "maxpool", (x,), kwargs, dout)
    assert_close(out, want_out, what="out", call=forward)
    assert_close(dx, want_dx, atol=ATOL, rtol=RTOL, what="dx", call=call)


@pytest.mark.points(2)
def test_maxpool_ties_against_torch(hw, rng):
    """maxpool: integer inputs full of ties, overlapping 3x3 windows; the first maximum gets the gradient"""
    x = rng.integers(0, 3, size=(2, 3, 9, 9)).astype(np.float64)
    dout = rng.normal(size=(2, 3, 4, 4))
    want_out, (want_dx,) = _torch(lambda x: F.max_pool2d(x, 3, 2), (x,), dout)
    kwargs = {"pool_height": 3, "pool_width": 3, "stride": 2}
    out, dx, forward, call = _forward_backward(hw, "maxpool", (x,), kwargs, dout)
    assert_close(out, want_out, what="out", call=forward)
    assert_close(dx, want_dx, atol=ATOL, rtol=RTOL, what="dx", call=call)


# ----------------------------------------------------------------------------------------
# batch normalisation
# ----------------------------------------------------------------------------------------

def _bn_torch(x, gamma, beta, dout, *, train, momentum=0.1, eps=1e-5, running=None):
    """torch BatchNorm{1,2}d in float64: (out, [dx, dgamma, dbeta], running_mean, running_var)."""
    layer = (torch.nn.BatchNorm1d if x.ndim == 2 else torch.nn.BatchNorm2d)(
        x.shape[1], eps=eps, momentum=momentum).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(gamma))
        layer.bias.copy_(torch.tensor(beta))
        if running is not None:
            layer.running_mean.copy_(torch.tensor(running[0]))
            layer.running_var.copy_(torch.tensor(running[1]))
    layer.train(train)
    inputs = torch.tensor(x, requires_grad=True)
    out = layer(inputs)
    out.backward(torch.tensor(dout))
    grads = [inputs.grad.numpy(), layer.weight.grad.numpy(), layer.bias.grad.numpy()]
    return out.detach().numpy(), grads, layer.running_mean.numpy(), layer.running_var.numpy()


@pytest.mark.points(2)
def test_batchnorm_train_against_torch(hw, rng):
    """batchnorm (train): forward and backward equal torch.nn.BatchNorm1d, eps 1e-3"""
    x = rng.normal(3.0, 2.0, size=(10, 6))
    gamma, beta, dout = rng.normal(size=6), rng.normal(size=6), rng.normal(size=(10, 6))
    bn_param = {"mode": "train", "eps": 1e-3}
    out, grads, forward, call = _forward_backward(hw, "batchnorm", (x, gamma, beta, bn_param), {}, dout)
    want_out, want, _, _ = _bn_torch(x, gamma, beta, dout, train=True, eps=1e-3)
    assert_close(out, want_out, atol=ATOL, rtol=RTOL, what="out", call=forward)
    _check_all(unpack(grads, ("dx", "dgamma", "dbeta"), call=call), want, ("dx", "dgamma", "dbeta"), call,
               atol=1e-9)


@pytest.mark.points(2)
def test_batchnorm_test_mode_against_torch(hw, rng):
    """batchnorm (test): uses the given running statistics; forward and backward equal BatchNorm1d in eval"""
    x = rng.normal(1.0, 3.0, size=(7, 5))
    gamma, beta, dout = rng.normal(size=5), rng.normal(size=5), rng.normal(size=(7, 5))
    running = (rng.normal(size=5), rng.uniform(0.5, 4.0, size=5))
    bn_param = {"mode": "test", "running_mean": running[0], "running_var": running[1], "eps": 1e-4}
    out, grads, forward, call = _forward_backward(hw, "batchnorm", (x, gamma, beta, bn_param), {}, dout)
    want_out, want, _, _ = _bn_torch(x, gamma, beta, dout, train=False, eps=1e-4, running=running)
    assert_close(out, want_out, atol=ATOL, rtol=RTOL, what="out", call=forward)
    _check_all(unpack(grads, ("dx", "dgamma", "dbeta"), call=call), want, ("dx", "dgamma", "dbeta"), call,
               atol=1e-9)


@pytest.mark.points(2)
def test_batchnorm_running_statistics_against_torch(hw, rng):
    """batchnorm: running mean/var over three train steps (momentum 0.3), then test mode, as BatchNorm1d"""
    batches = [rng.normal(2.0, 3.0, size=(n, 4)) for n in (8, 5, 12)]
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    x_test, dout = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    report = hw.probe("batchnorm_steps", batches, gamma, beta, {"momentum": 0.3}, x_test, dout)
    call = "layers.batchnorm_forward(x, gamma, beta, bn_param) with momentum 0.3: three 'train' steps, then 'test'"
    running = None
    for step, x in enumerate(batches, start=1):
        _, _, mean, var = _bn_torch(x, gamma, beta, np.zeros_like(x), train=True, momentum=0.3, running=running)
        running = (mean.copy(), var.copy())
        got_mean = check_array(report["running_mean"][step - 1], what=f"bn_param['running_mean'] after step {step}",
                               call=call)
        assert_close(got_mean, mean, what=f"bn_param['running_mean'] after step {step}", call=call)
        assert_close(report["running_var"][step - 1], var, what=f"bn_param['running_var'] after step {step}",
                     call=call)
    want_out, want, _, _ = _bn_torch(x_test, gamma, beta, dout, train=False, running=running)
    assert_close(report["out_test"], want_out, atol=ATOL, rtol=RTOL, what="the output in 'test' mode", call=call)
    _check_all(unpack(report["grads_test"], ("dx", "dgamma", "dbeta"), call=call), want,
               ("dx in 'test' mode", "dgamma in 'test' mode", "dbeta in 'test' mode"), call, atol=1e-9)
    for key, value in zip(("running_mean", "running_var"), running, strict=True):
        assert_close(report[f"{key}_after_test"], value, what=f"bn_param[{key!r}] after the 'test' step (unchanged)",
                     call=call)


@pytest.mark.points(2)
def test_spatial_batchnorm_train_against_torch(hw, rng):
    """spatial_batchnorm (train): forward and backward equal torch.nn.BatchNorm2d"""
    x = rng.normal(-1.0, 2.0, size=(4, 3, 5, 6))
    gamma, beta, dout = rng.normal(size=3), rng.normal(size=3), rng.normal(size=x.shape)
    bn_param = {"mode": "train"}
    out, grads, forward, call = _forward_backward(hw, "spatial_batchnorm", (x, gamma, beta, bn_param), {}, dout)
    want_out, want, _, _ = _bn_torch(x, gamma, beta, dout, train=True)
    assert_close(out, want_out, atol=ATOL, rtol=RTOL, what="out", call=forward)
    _check_all(unpack(grads, ("dx", "dgamma", "dbeta"), call=call), want, ("dx", "dgamma", "dbeta"), call,
               atol=1e-9)


@pytest.mark.points(1)
def test_spatial_batchnorm_running_statistics_against_torch(hw, rng):
    """spatial_batchnorm: running statistics over two train steps, then test mode, as BatchNorm2d"""
    batches = [rng.normal(1.0, 2.0, size=(2, 3, 4, 4)), rng.normal(0.0, 1.0, size=(3, 3, 2, 5))]
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    x_test = rng.normal(size=(2, 3, 3, 3))
    report = hw.probe("batchnorm_steps", batches, gamma, beta, {}, x_test, None, spatial=True)
    call = "layers.spatial_batchnorm_forward(x, gamma, beta, bn_param): two 'train' steps, then 'test'"
    running = None
    for x in batches:
        _, _, mean, var = _bn_torch(x, gamma, beta, np.zeros_like(x), train=True, running=running)
        running = (mean.copy(), var.copy())
    assert_close(report["running_mean"][-1], running[0], what="bn_param['running_mean']", call=call)
    assert_close(report["running_var"][-1], running[1], what="bn_param['running_var']", call=call)
    want_out, _, _, _ = _bn_torch(x_test, gamma, beta, np.zeros_like(x_test), train=False, running=running)
    assert_close(report["out_test"], want_out, atol=ATOL, rtol=RTOL, what="the output in 'test' mode", call=call)


# ----------------------------------------------------------------------------------------
# dropout
# ----------------------------------------------------------------------------------------

@pytest.mark.points(1)
def test_dropout_keeps_the_right_fraction(hw, rng):
    """dropout (train, p = 0.6): about 40 % of 20000 units kept, each scaled by 1 / 0.4"""
    x = rng.uniform(1.0, 2.0, size=(200, 100))
    out, _ = unpack(hw.layers.dropout_forward(x, 0.6, "train", seed=7), ("out", "cache"))
    out = check_array(out, shape=x.shape, dtype=np.float64)
    kept = out != 0
    assert abs(kept.mean() - 0.4) < 0.02, (f"kept {kept.mean():.1%} of the units with p = 0.6 (the probability "
                                           f"of dropping); expected about 40 %")
    assert_close(out[kept], x[kept] / 0.4, what="the kept values (x / (1 - p))")


@pytest.mark.points(2)
def test_dropout_backward_reuses_the_mask(hw, rng):
    """dropout: the backward pass multiplies dout by the forward's mask and scale (p = 0.3)"""
    x = rng.uniform(0.5, 1.5, size=(30, 20)) * rng.choice([-1.0, 1.0], size=(30, 20))
    dout = rng.normal(size=x.shape)
    for seed in (3, None):
        out1, out2, dx = hw.probe("dropout_pair", x, 0.3, seed, dout)
        call = f"layers.dropout_backward(dout, cache) after layers.dropout_forward(x, 0.3, 'train', seed={seed})"
        out1 = check_array(out1, shape=x.shape, dtype=np.float64, call=call)
        # 600 units kept with probability 0.7: the kept fraction is 0.7 +- 0.019 (one sd).
        kept = out1 != 0
        assert 0.6 <= kept.mean() <= 0.8, f"{call}: kept {kept.mean():.1%} of the units; expected about 70 %"
        assert_close(out1[kept], x[kept] / 0.7, what="the kept values of out (x / (1 - p))", call=call)
        assert_close(dx, dout * out1 / x, atol=1e-12, rtol=1e-10, what="dx", call=call)
        if seed is not None:
            assert_close(out2, out1, what="the output of a second call with the same seed", call=call)


@pytest.mark.points(1)
def test_dropout_p_zero_and_one_in_train_mode(hw, rng):
    """dropout (train): p = 0 passes x and dout through; p = 1 gives zeros forward and backward"""
    x, dout = rng.normal(size=(6, 7)), rng.normal(size=(6, 7))
    for p, want_out, want_dx in ((0.0, x, dout), (1.0, np.zeros_like(x), np.zeros_like(x))):
        out1, _, dx = hw.probe("dropout_pair", x, p, 5, dout)
        call = f"layers.dropout_forward(x, {p}, 'train', seed=5) and dropout_backward"
        assert_close(out1, want_out, what=f"out with p = {p}", call=call)
        assert_close(dx, want_dx, what=f"dx with p = {p}", call=call)


@pytest.mark.points(1)
def test_dropout_test_mode_is_the_identity(hw, rng):
    """dropout (test, p = 0.7): out = x and dx = dout"""
    x, dout = rng.normal(size=(5, 3, 4)), rng.normal(size=(5, 3, 4))
    out, dx, forward, call = _forward_backward(hw, "dropout", (x, 0.7, "test"), {}, dout)
    assert_close(out, x, what="out", call=forward)
    assert_close(dx, dout, what="dx", call=call)


# ----------------------------------------------------------------------------------------
# softmax and cross-entropy
# ----------------------------------------------------------------------------------------

@pytest.mark.points(2)
def test_softmax_against_torch(hw, rng):
    """softmax: random logits (last axis and axis 0 of a 3-D array) and logits of +-1e4, as torch.softmax"""
    x = rng.normal(scale=3.0, size=(6, 5))
    assert_close(hw.layers.softmax(x), torch.softmax(torch.tensor(x), dim=-1).numpy(), atol=1e-12, rtol=RTOL)
    x3 = rng.normal(size=(4, 3, 2))
    assert_close(hw.layers.softmax(x3, axis=0), torch.softmax(torch.tensor(x3), dim=0).numpy(), atol=1e-12,
                 rtol=RTOL)
    huge = rng.normal(size=(5, 4)) * 1e4
    assert_close(hw.layers.softmax(huge), torch.softmax(torch.tensor(huge), dim=-1).numpy(), atol=1e-12, rtol=RTOL)


@pytest.mark.points(2)
def test_cross_entropy_against_torch(hw, rng):
    """cross_entropy_loss: loss and dscores equal torch's cross_entropy (mean over the batch)"""
    scores, y = rng.normal(scale=2.0, size=(9, 5)), rng.integers(0, 5, size=9)
    loss, dscores = unpack(hw.layers.cross_entropy_loss(scores, y), ("loss", "dscores"))
    want_loss, (want_grad,) = _torch(lambda s: F.cross_entropy(s, torch.tensor(y)), (scores,), 1.0)
    assert_scalar_close(loss, float(want_loss), atol=1e-12, rtol=RTOL, what="loss")
    assert_close(dscores, want_grad, atol=1e-12, rtol=RTOL, what="dscores")


@pytest.mark.points(2)
def test_cross_entropy_logits_of_1e4(hw, rng):
    """cross_entropy_loss: logits of size 1e4 give a finite loss and gradient equal to torch's"""
    scores, y = rng.normal(size=(6, 4)) * 1e4, rng.integers(0, 4, size=6)
    loss, dscores = unpack(hw.layers.cross_entropy_loss(scores, y), ("loss", "dscores"))
    want_loss, (want_grad,) = _torch(lambda s: F.cross_entropy(s, torch.tensor(y)), (scores,), 1.0)
    assert_scalar_close(loss, float(want_loss), atol=1e-9, rtol=RTOL, what="loss")
    assert_close(dscores, want_grad, atol=1e-12, rtol=RTOL, what="dscores")


@pytest.mark.points(1)
def test_error_contract(hw):
    """dropout_forward, batchnorm_forward, spatial_batchnorm_forward: bad p or mode raises ValueError"""
    x = np.ones((4, 3))
    # The same calls with good arguments work (so raising everywhere earns nothing here).
    out, _ = unpack(hw.layers.dropout_forward(2 * x, 0.5, "test"), ("out", "cache"))
    assert_close(out, 2 * x, what="dropout_forward(x, 0.5, 'test'), the identity")
    out, _ = unpack(hw.layers.batchnorm_forward(np.arange(12.0).reshape(4, 3), np.ones(3), np.zeros(3),
                                                {"mode": "test"}), ("out", "cache"))
    assert_close(out, np.arange(12.0).reshape(4, 3) / np.sqrt(1 + 1e-5),
                 what="batchnorm_forward in 'test' mode with the default running statistics (0 and 1)")
    assert_raises(ValueError, hw.layers.dropout_forward, x, -0.1, "train", mentions=["p"])
    assert_raises(ValueError, hw.layers.dropout_forward, x, 0.2, "training", mentions=["mode"])
    assert_raises(ValueError, hw.layers.batchnorm_forward, x, np.ones(3), np.zeros(3), {"mode": "validation"},
                  mentions=["mode"])
    assert_raises(ValueError, hw.layers.spatial_batchnorm_forward, np.ones((2, 3, 2, 2)), np.ones(3), np.zeros(3),
                  {"mode": "eval"}, mentions=["mode"])
