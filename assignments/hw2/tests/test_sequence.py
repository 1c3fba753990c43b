"""Public tests for sequence.py: recurrent cells against torch, hyperbolic geometry by hand.

Run them with ``pytest tests/test_sequence.py``. The cells are compared with torch.nn.RNNCell,
LSTMCell and GRUCell after copying the same weights into them (in float64): a wrong gate
order or a misplaced reset gate shows at once. The hidden tests add random shapes, saturated
gates, points a millionth from the boundary of the Poincare ball and the error contract.
"""
import numpy as np
import pytest
import torch

from shared.asserts import assert_close, assert_equal, assert_scalar_close, context, unpack

# Float64 torch against float64 numpy: the same formulas up to rounding (~1e-16 per op).
TOL = {"atol": 1e-10, "rtol": 1e-10}


def _weights(rng, gates, D, H):
    return (rng.normal(size=(gates * H, D)), rng.normal(size=(gates * H, H)) * 0.5,
            rng.normal(size=gates * H), rng.normal(size=gates * H))


def _torch_cell(cell, weights):
    w_ih, w_hh, b_ih, b_hh = (torch.from_numpy(w) for w in weights)
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (w_ih, w_hh, b_ih, b_hh),
                               strict=True):
            getattr(cell, name).copy_(value)
    return cell


@pytest.mark.points(1)
def test_rnn_step_matches_torch(hw):
    """rnn_step: equals torch.nn.RNNCell (tanh) with the same weights"""
    rng = np.random.default_rng(0)
    N, D, H = 3, 4, 5
    x, h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    weights = _weights(rng, 1, D, H)
    cell = _torch_cell(torch.nn.RNNCell(D, H).double(), weights)
    expected = cell(torch.from_numpy(x), torch.from_numpy(h)).detach().numpy()
    assert_close(hw.sequence.rnn_step(x, h, *weights), expected, **TOL)


@pytest.mark.points(1)
def test_lstm_step_matches_torch(hw):
    """lstm_step: equals torch.nn.LSTMCell; the gates are stacked in the order i, f, g, o"""
    rng = np.random.default_rng(1)
    N, D, H = 3, 4, 5
    x, h, c = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    weights = _weights(rng, 4, D, H)
    cell = _torch_cell(torch.nn.LSTMCell(D, H).double(), weights)
    h_t, c_t = cell(torch.from_numpy(x), (torch.from_numpy(h), torch.from_numpy(c)))
    h_next, c_next = unpack(hw.sequence.lstm_step(x, h, c, *weights), ("h_next", "c_next"))
    assert_close(h_next, h_t.detach().numpy(), what="h_next", **TOL)
    assert_close(c_next, c_t.detach().numpy(), what="c_next", **TOL)


@pytest.mark.points(1)
def test_gru_step_matches_torch(hw):
    """gru_step: equals torch.nn.GRUCell; gates r, z, n and the reset gate inside n"""
    rng = np.random.default_rng(2)
    N, D, H = 3, 4, 5
    x, h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    weights = _weights(rng, 3, D, H)
    cell = _torch_cell(torch.nn.GRUCell(D, H).double(), weights)
    expected = cell(torch.from_numpy(x), torch.from_numpy(h)).detach().numpy()
    assert_close(hw.sequence.gru_step(x, h, *weights), expected, **TOL)


@pytest.mark.points(1)
def test_poincare_distance_by_hand(hw):
    """poincare_distance: d(0, v) = log((1 + |v|) / (1 - |v|)), d(u, u) = 0, symmetric, batched"""
    v = np.array([[0.5, 0.0], [0.0, -0.8], [0.6, 0.0]])
    origin = np.zeros((3, 2))
    expected = np.log((1 + np.array([0.5, 0.8, 0.6])) / (1 - np.array([0.5, 0.8, 0.6])))
    assert_close(hw.sequence.poincare_distance(origin, v), expected, **TOL)
    with context("d(u, u) = 0"):
        assert_close(hw.sequence.poincare_distance(v, v), np.zeros(3), **TOL)
    with context("d(u, v) = d(v, u)"):
        assert_close(hw.sequence.poincare_distance(v, v[::-1]), hw.sequence.poincare_distance(v[::-1], v), **TOL)
    # Two points at +-0.5 on a diameter: through the origin, log(3) + log(3).
    assert_scalar_close(hw.sequence.poincare_distance(np.array([0.5, 0.0]), np.array([-0.5, 0.0])),
                        2 * np.log(3.0), **TOL)


@pytest.mark.points(1)
def test_expmap0_by_hand(hw):
    """expmap0: keeps the direction, maps the length t to tanh(t), and 0 to 0"""
    v = np.array([[3.0, 4.0], [0.0, 0.0], [0.0, -0.5]])
    expected = np.array([[0.6 * np.tanh(5.0), 0.8 * np.tanh(5.0)], [0.0, 0.0], [0.0, -np.tanh(0.5)]])
    assert_close(hw.sequence.expmap0(v), expected, **TOL)


@pytest.mark.points(1)
def test_hyperbolic_prediction_loss_by_hand(hw):
    """hyperbolic_prediction_loss: two predictions at the origin, targets at 0 and (0.5, 0)"""
    z_true = np.array([[0.0, 0.0], [0.5, 0.0]])
    z_pred = np.zeros((2, 2))
    d2 = np.log(3.0) ** 2                     # d(0, (0.5, 0))^2
    # Row 0: 0 + log(e^0 + e^-d2); row 1: d2 + log(e^0 + e^-d2).
    expected = (d2 + 2 * np.log(1 + np.exp(-d2))) / 2
    assert_scalar_close(hw.sequence.hyperbolic_prediction_loss(z_pred, z_true), expected, **TOL)


@pytest.mark.points(1)
def test_multiple_hypotheses_by_hand(hw):
    """assign_hypotheses and multiple_hypothesis_loss: the nearest hypothesis wins"""
    predictions = np.array([[[0.0, 0.0], [1.0, 1.0], [3.0, 0.0]],
                            [[1.0, 0.0], [0.0, 2.0], [-1.0, 0.0]]])
    target = np.array([[2.5, 0.0], [0.0, 1.5]])
    # Squared distances: row 0 -> 6.25, 3.25, 0.25 (k = 2); row 1 -> 3.25, 0.25, 3.25 (k = 1).
    assert_equal(hw.sequence.assign_hypotheses(predictions, target), [[0, 0, 1], [0, 1, 0]])
    assert_scalar_close(hw.sequence.multiple_hypothesis_loss(predictions, target), 0.25, **TOL)


def _torch_bptt(xs, h0, weights, dhs):
    """Gradients of sum_t sum(dhs[t] * h_{t+1}) through torch.nn.RNNCell applied T times (float64)."""
    cell = _torch_cell(torch.nn.RNNCell(xs.shape[2], h0.shape[1]).double(), weights)
    x_t, h_t = torch.from_numpy(xs).requires_grad_(True), torch.from_numpy(h0).requires_grad_(True)
    h, loss = h_t, 0.0
    for t in range(len(xs)):
        h = cell(x_t[t], h)
        loss = loss + (h * torch.from_numpy(dhs[t])).sum()
    loss.backward()
    return [g.numpy() for g in (x_t.grad, h_t.grad, cell.weight_ih.grad, cell.weight_hh.grad, cell.bias_ih.grad,
                                cell.bias_hh.grad)]


BPTT_NAMES = ("dxs", "dh0", "dw_ih", "dw_hh", "db_ih", "db_hh")


@pytest.mark.points(1)
def test_rnn_backward_matches_torch(hw):
    """rnn_backward: the six gradients of a 3-step RNN equal torch autograd through RNNCell"""
    rng = np.random.default_rng(5)
    T, N, D, H = 3, 2, 3, 4
    xs, h0, dhs = rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), rng.normal(size=(T, N, H))
    weights = _weights(rng, 1, D, H)
    got = unpack(hw.sequence.rnn_backward(xs, h0, *weights, dhs), BPTT_NAMES)
    for name, g, e in zip(BPTT_NAMES, got, _torch_bptt(xs, h0, weights, dhs), strict=True):
        assert_close(g, e, what=name, **TOL)


@pytest.mark.points(1)
def test_conv3d_matches_torch(hw):
    """conv3d: a (2, 3, 5, 6, 7) clip, a (4, 3, 3, 3, 2) kernel, stride (1, 2, 2), padding 1, against torch's conv3d"""
    rng = np.random.default_rng(6)
    x, weight, bias = rng.normal(size=(2, 3, 5, 6, 7)), rng.normal(size=(4, 3, 3, 3, 2)), rng.normal(size=4)
    expected = torch.nn.functional.conv3d(torch.from_numpy(x), torch.from_numpy(weight), torch.from_numpy(bias),
                                          stride=(1, 2, 2), padding=1).numpy()
    # Output sizes: T (5 + 2 - 3) // 1 + 1 = 5, H (6 + 2 - 3) // 2 + 1 = 3, W (7 + 2 - 2) // 2 + 1 = 4.
    assert_close(hw.sequence.conv3d(x, weight, bias=bias, stride=(1, 2, 2), padding=1), expected, **TOL)
    with context("a 1x1x1 kernel mixes channels only"):
        one = rng.normal(size=(4, 3, 1, 1, 1))
        assert_close(hw.sequence.conv3d(x, one), np.einsum("nctyx,oc->notyx", x, one[..., 0, 0, 0]), **TOL)
