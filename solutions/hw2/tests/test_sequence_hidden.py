"""Hidden tests for sequence.py: the student's functions against the reference on seeded inputs.

What decides: random shapes (N = 1 included) for the three cells, saturated gates (inputs of
size 50), batched Poincare distances, points at norm 0.999999 and 0.9999999 (1 - |u|^2 of
2e-6 and 2e-7), the ValueError for points on or outside the unit sphere, expmap0 at 0,
the contrastive loss with all distances large (log-sum-exp of underflowing terms), and ties.
rnn_backward against torch autograd through RNNCell (T = 1 included, a loss on the last step
only, which must reach the first input and h0 through time, a long sequence of 12 steps) and
conv3d against torch's conv3d (odd/even sizes, per-axis strides and paddings, no bias).
Tolerances: 1e-10 for the direct float64 formulas (rounding differences are ~1e-15);
1e-7 relative near the boundary, where 1 - |u|^2 ~ 2e-7 computed from |u|^2 carries a
relative error of ~1e-9 in any formulation.
"""
import numpy as np
import pytest
import torch

from shared.asserts import assert_close, assert_equal, assert_raises, assert_scalar_close, check_array, context, unpack

TOL = {"atol": 1e-10, "rtol": 1e-10}


def _weights(rng, gates, D, H, scale=1.0):
    return (rng.normal(size=(gates * H, D)) * scale, rng.normal(size=(gates * H, H)) * 0.5 * scale,
            rng.normal(size=gates * H) * scale, rng.normal(size=gates * H) * scale)


def _ball(rng, shape, max_norm=0.95):
    """Random points with norms uniform in [0, max_norm)."""
    points = rng.normal(size=shape)
    points /= np.linalg.norm(points, axis=-1, keepdims=True)
    return points * rng.uniform(0, max_norm, size=shape[:-1] + (1,))


SHAPES = [(1, 3, 2), (4, 6, 5), (7, 2, 8)]    # (N, D, H)


@pytest.mark.points(1)
def test_rnn_step_against_reference(hw, ref, rng):
    """rnn_step: random sizes, N = 1 included"""
    for N, D, H in SHAPES:
        x, h, weights = rng.normal(size=(N, D)), rng.normal(size=(N, H)), _weights(rng, 1, D, H)
        with context(f"N={N}, D={D}, H={H}"):
            assert_close(hw.sequence.rnn_step(x, h, *weights), ref.sequence.rnn_step(x, h, *weights), **TOL)


@pytest.mark.points(1)
def test_lstm_step_against_reference(hw, ref, rng):
    """lstm_step: random sizes and cell states, both outputs"""
    for N, D, H in SHAPES:
        x, h, c = rng.normal(size=(N, D)), rng.normal(size=(N, H)), 2 * rng.normal(size=(N, H))
        weights = _weights(rng, 4, D, H)
        h_exp, c_exp = ref.sequence.lstm_step(x, h, c, *weights)
        with context(f"N={N}, D={D}, H={H}"):
            h_next, c_next = unpack(hw.sequence.lstm_step(x, h, c, *weights), ("h_next", "c_next"))
            assert_close(h_next, h_exp, what="h_next", **TOL)
            assert_close(c_next, c_exp, what="c_next", **TOL)


@pytest.mark.points(1)
def test_gru_step_against_reference(hw, ref, rng):
    """gru_step: random sizes"""
    for N, D, H in SHAPES:
        x, h, weights = rng.normal(size=(N, D)), rng.normal(size=(N, H)), _weights(rng, 3, D, H)
        with context(f"N={N}, D={D}, H={H}"):
            assert_close(hw.sequence.gru_step(x, h, *weights), ref.sequence.gru_step(x, h, *weights), **TOL)


@pytest.mark.points(1)
def test_cells_with_saturated_gates(hw, ref, rng):
    """rnn_step, lstm_step, gru_step: pre-activations of size ~50 saturate every gate without NaN"""
    N, D, H = 4, 3, 5
    x, h, c = 50 * rng.normal(size=(N, D)), rng.normal(size=(N, H)), 3 * rng.normal(size=(N, H))
    for name, gates, args in [("rnn_step", 1, (x, h)), ("lstm_step", 4, (x, h, c)), ("gru_step", 3, (x, h))]:
        weights = _weights(rng, gates, D, H, scale=10.0)
        with context(name):
            got, expected = getattr(hw.sequence, name)(*args, *weights), getattr(ref.sequence, name)(*args, *weights)
            if name == "lstm_step":
                got, expected = unpack(got, ("h_next", "c_next")), expected
                for what, g, e in zip(("h_next", "c_next"), got, expected, strict=True):
                    assert_close(g, e, what=what, **TOL)
            else:
                assert_close(got, expected, **TOL)


@pytest.mark.points(1)
def test_poincare_distance_against_reference(hw, ref, rng):
    """poincare_distance: random points, batched over one and two leading axes, single points"""
    for shape in [(5, 3), (4, 6, 2), (10, 8)]:
        u, v = _ball(rng, shape), _ball(rng, shape)
        with context(f"u and v of shape {shape}"):
            assert_close(hw.sequence.poincare_distance(u, v), ref.sequence.poincare_distance(u, v), **TOL)
    u, v = _ball(rng, (5, 1, 3)), _ball(rng, (1, 4, 3))
    with context("u (5, 1, 3) and v (1, 4, 3) broadcast to (5, 4)"):
        assert_close(hw.sequence.poincare_distance(u, v), ref.sequence.poincare_distance(u, v), **TOL)
    u, v = _ball(rng, (4,)), _ball(rng, (4,))
    with context("single points of shape (4,)"):
        assert_scalar_close(hw.sequence.poincare_distance(u, v), float(ref.sequence.poincare_distance(u, v)), **TOL)


@pytest.mark.points(1)
def test_poincare_distance_near_the_boundary(hw, ref, rng):
    """poincare_distance: points with norm 0.999999 and 0.9999999 (a millionth from the boundary)"""
    for norm in (0.999999, 0.9999999):
        u = rng.normal(size=(6, 3))
        v = rng.normal(size=(6, 3))
        u *= norm / np.linalg.norm(u, axis=1, keepdims=True)
        v *= norm / np.linalg.norm(v, axis=1, keepdims=True)
        inner = _ball(rng, (6, 3), 0.5)
        for label, a, b in [("both near the boundary", u, v), ("one near the boundary", u, inner)]:
            with context(f"norm {norm}, {label}"):
                assert_close(hw.sequence.poincare_distance(a, b), ref.sequence.poincare_distance(a, b),
                             atol=1e-7, rtol=1e-7)


@pytest.mark.points(1)
def test_poincare_distance_rejects_points_outside(hw, ref):
    """poincare_distance: ValueError for a point with norm 1 or more (or NaN), in either argument; valid points work"""
    inside = np.array([[0.1, 0.2], [0.3, -0.4]])
    near = np.array([[0.0, 0.999], [-0.7, 0.7]])
    assert_close(hw.sequence.poincare_distance(inside, near), ref.sequence.poincare_distance(inside, near),
                 what="the distance between valid points", **TOL)
    for bad in ([[1.0, 0.0], [0.1, 0.1]], [[0.1, 0.1], [0.8, 0.8]], [[0.0, -2.0], [0.0, 0.0]],
                [[0.1, np.nan], [0.0, 0.0]]):
        bad = np.array(bad)
        assert_raises(ValueError, hw.sequence.poincare_distance, bad, inside)
        assert_raises(ValueError, hw.sequence.poincare_distance, inside, bad)


@pytest.mark.points(1)
def test_expmap0_against_reference(hw, ref, rng):
    """expmap0: batched tangent vectors, zero vectors (no NaN), tiny and long vectors"""
    v = rng.normal(size=(3, 4, 5)) * rng.uniform(0, 3, size=(3, 4, 1))
    v[0, 1] = 0.0
    v[2, 3] *= 1e-12
    assert_close(hw.sequence.expmap0(v), ref.sequence.expmap0(v), **TOL)
    assert_close(hw.sequence.expmap0(np.zeros(3)), np.zeros(3), what="expmap0 of a single zero vector")


@pytest.mark.points(1)
def test_hyperbolic_prediction_loss_against_reference(hw, ref, rng):
    """hyperbolic_prediction_loss: random predictions and targets, N = 1, 5, 12"""
    for N, D in [(1, 2), (5, 3), (12, 6)]:
        z_true = _ball(rng, (N, D), 0.9)
        z_pred = _ball(rng, (N, D), 0.9)
        with context(f"N={N}, D={D}"):
            assert_scalar_close(hw.sequence.hyperbolic_prediction_loss(z_pred, z_true),
                                ref.sequence.hyperbolic_prediction_loss(z_pred, z_true), **TOL)


@pytest.mark.points(1)
def test_hyperbolic_prediction_loss_large_distances(hw, ref, rng):
    """hyperbolic_prediction_loss: points near the boundary, every d^2 > 1000 (exp underflows; log-sum-exp must not)"""
    z_true = rng.normal(size=(6, 3))
    z_true *= 0.99999999 / np.linalg.norm(z_true, axis=1, keepdims=True)
    z_pred = -z_true                       # the opposite side of the ball: every distance is huge
    assert_scalar_close(hw.sequence.hyperbolic_prediction_loss(z_pred, z_true),
                        ref.sequence.hyperbolic_prediction_loss(z_pred, z_true), atol=1e-6, rtol=1e-7)


@pytest.mark.points(1)
def test_assign_hypotheses_against_reference(hw, ref, rng):
    """assign_hypotheses: random hypotheses, one-hot rows"""
    predictions, target = rng.normal(size=(20, 4, 3)), rng.normal(size=(20, 3))
    assert_equal(hw.sequence.assign_hypotheses(predictions, target),
                 ref.sequence.assign_hypotheses(predictions, target))


@pytest.mark.points(1)
def test_assign_hypotheses_ties(hw, ref, rng):
    """assign_hypotheses: duplicated nearest hypotheses (exact ties): the lowest k wins"""
    target = rng.normal(size=(6, 2))
    offset = rng.normal(size=(6, 1, 2))
    predictions = np.concatenate([target[:, None] + 3.0, target[:, None] + offset, target[:, None] + 2 * offset,
                                  target[:, None] + offset], axis=1)
    predictions[0] = predictions[0, :1]          # a row of identical hypotheses: k = 0
    assert_equal(hw.sequence.assign_hypotheses(predictions, target),
                 ref.sequence.assign_hypotheses(predictions, target))


@pytest.mark.points(1)
def test_multiple_hypothesis_loss_against_reference(hw, ref, rng):
    """multiple_hypothesis_loss: random sizes, K = 1 included"""
    for N, K, D in [(10, 3, 2), (5, 1, 4), (8, 6, 3)]:
        predictions, target = rng.normal(size=(N, K, D)), rng.normal(size=(N, D))
        with context(f"N={N}, K={K}, D={D}"):
            assert_scalar_close(hw.sequence.multiple_hypothesis_loss(predictions, target),
                                ref.sequence.multiple_hypothesis_loss(predictions, target), **TOL)


def _torch_bptt(xs, h0, weights, dhs):
    """Gradients of sum_t sum(dhs[t] * h_{t+1}) through torch.nn.RNNCell applied T times (float64)."""
    cell = torch.nn.RNNCell(xs.shape[2], h0.shape[1]).double()
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), weights, strict=True):
            getattr(cell, name).copy_(torch.from_numpy(value))
    x_t, h_t = torch.from_numpy(xs).requires_grad_(True), torch.from_numpy(h0).requires_grad_(True)
    h, loss = h_t, 0.0
    for t in range(len(xs)):
        h = cell(x_t[t], h)
        loss = loss + (h * torch.from_numpy(dhs[t])).sum()
    loss.backward()
    return [g.numpy() for g in (x_t.grad, h_t.grad, cell.weight_ih.grad, cell.weight_hh.grad, cell.bias_ih.grad,
                                cell.bias_hh.grad)]


BPTT_NAMES = ("dxs", "dh0", "dw_ih", "dw_hh", "db_ih", "db_hh")


def _check_bptt(hw, xs, h0, weights, dhs):
    got = unpack(hw.sequence.rnn_backward(xs, h0, *weights, dhs), BPTT_NAMES)
    for name, g, e in zip(BPTT_NAMES, got, _torch_bptt(xs, h0, weights, dhs), strict=True):
        assert_close(g, e, what=name, **TOL)


@pytest.mark.points(2)
def test_rnn_backward_against_torch(hw, rng):
    """rnn_backward: random sequences (T = 1 and N = 1 included): all six gradients equal torch autograd"""
    for T, N, D, H in [(1, 2, 3, 4), (4, 1, 2, 3), (5, 3, 4, 2), (2, 4, 1, 5)]:
        xs, h0, dhs = rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), rng.normal(size=(T, N, H))
        with context(f"T={T}, N={N}, D={D}, H={H}"):
            _check_bptt(hw, xs, h0, _weights(rng, 1, D, H), dhs)


@pytest.mark.points(1)
def test_rnn_backward_through_time(hw, rng):
    """rnn_backward: a loss on the last step only reaches every input and h0 through w_hh; 12 steps"""
    T, N, D, H = 6, 2, 3, 4
    xs, h0 = rng.normal(size=(T, N, D)), rng.normal(size=(N, H))
    dhs = np.zeros((T, N, H))
    dhs[-1] = rng.normal(size=(N, H))
    with context("dhs zero except at the last step"):
        _check_bptt(hw, xs, h0, _weights(rng, 1, D, H), dhs)
    T = 12
    xs, dhs = rng.normal(size=(T, N, D)), rng.normal(size=(T, N, H))
    with context("T=12"):
        _check_bptt(hw, xs, h0, _weights(rng, 1, D, H, scale=0.7), dhs)


@pytest.mark.points(2)
def test_conv3d_against_torch(hw, rng):
    """conv3d: odd and even clip sizes, per-axis strides and paddings, bias or none, against torch's conv3d"""
    for k, (x_shape, w_shape, stride, padding) in enumerate([
            ((1, 1, 4, 5, 6), (2, 1, 2, 2, 2), 1, 0), ((2, 3, 5, 4, 7), (3, 3, 3, 1, 3), 2, 1),
            ((1, 2, 6, 7, 5), (2, 2, 1, 3, 3), (2, 1, 3), (0, 2, 1)), ((2, 2, 3, 3, 3), (1, 2, 3, 3, 3), 1, 0),
            ((1, 2, 7, 6, 6), (4, 2, 3, 2, 2), (3, 2, 2), (1, 0, 0))]):
        x, weight = rng.normal(size=x_shape), rng.normal(size=w_shape)
        bias = rng.normal(size=w_shape[0]) if k % 2 else None
        expected = torch.nn.functional.conv3d(torch.from_numpy(x), torch.from_numpy(weight),
                                              None if bias is None else torch.from_numpy(bias),
                                              stride=stride, padding=padding).numpy()
        with context(f"x {x_shape}, weight {w_shape}, stride={stride}, padding={padding}, "
                     f"{'no bias' if bias is None else 'bias'}"):
            got = hw.sequence.conv3d(x, weight, bias=bias, stride=stride, padding=padding)
            assert_close(check_array(got, shape=expected.shape, dtype="floating", what="the output"), expected, **TOL)
