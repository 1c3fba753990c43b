"""HW2 reference solution, part 2: recurrent cells, backprop through time, 3-D convolution and hyperbolic
prediction (lecture "Video Recognition").

Conventions used by every function in this module:

* Batches come first: ``x`` is ``(N, D)``, hidden states ``h`` and cell states ``c`` are
  ``(N, H)``. Weights follow torch.nn's layout: ``w_ih`` is ``(G*H, D)``, ``w_hh`` is
  ``(G*H, H)``, biases are ``(G*H,)``, with G = 1 (RNN), 4 (LSTM: gates i, f, g, o) or
  3 (GRU: gates r, z, n) stacked along the first axis in that order.
* Sequences put time first: ``xs`` is ``(T, N, D)``; video clips for ``conv3d`` are
  ``(N, C, T, H, W)`` (torch's layout).
* Points of the Poincare ball are vectors with norm < 1 in the last axis; functions are
  batched over any leading axes.
* Results are float64.
"""
import numpy as np


def _sigmoid(x):
    """The logistic function, without overflow warnings for large |x|."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def rnn_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """One step of the vanilla (Elman) RNN: h' = tanh(x w_ih^T + b_ih + h w_hh^T + b_hh).

    Shapes: x (N, D), h (N, H), w_ih (H, D), w_hh (H, H), b_ih (H,), b_hh (H,).
    Returns: h' (N, H), float64. Equals torch.nn.RNNCell with the same weights.
    """
    x, h, w_ih, w_hh, b_ih, b_hh = _f64(x, h, w_ih, w_hh, b_ih, b_hh)
    return np.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)


def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One LSTM step, gate order (i, f, g, o) as in torch.nn.LSTMCell.

        [i, f, g, o] = x w_ih^T + b_ih + h w_hh^T + b_hh           (each (N, H))
        c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
        h' = sigmoid(o) * tanh(c')

    Shapes: x (N, D), h and c (N, H), w_ih (4H, D), w_hh (4H, H), b_ih and b_hh (4H,).
    Returns: (h', c'), each (N, H) float64.
    """
    x, h, c, w_ih, w_hh, b_ih, b_hh = _f64(x, h, c, w_ih, w_hh, b_ih, b_hh)
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, g, o = np.split(gates, 4, axis=-1)
    c_next = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h_next = _sigmoid(o) * np.tanh(c_next)
    return h_next, c_next


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """One GRU step, gate order (r, z, n) as in torch.nn.GRUCell.

        r = sigmoid(x w_ir^T + b_ir + h w_hr^T + b_hr)
        z = sigmoid(x w_iz^T + b_iz + h w_hz^T + b_hz)
        n = tanh(x w_in^T + b_in + r * (h w_hn^T + b_hn))
        h' = (1 - z) * n + z * h

    Shapes: x (N, D), h (N, H), w_ih (3H, D), w_hh (3H, H), b_ih and b_hh (3H,).
    Returns: h' (N, H) float64.
    """
    x, h, w_ih, w_hh, b_ih, b_hh = _f64(x, h, w_ih, w_hh, b_ih, b_hh)
    x_r, x_z, x_n = np.split(x @ w_ih.T + b_ih, 3, axis=-1)
    h_r, h_z, h_n = np.split(h @ w_hh.T + b_hh, 3, axis=-1)
    r = _sigmoid(x_r + h_r)
    z = _sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    return (1.0 - z) * n + z * h


def _ball_points(p, name):
    p = np.asarray(p, dtype=np.float64)
    norm = np.linalg.norm(p, axis=-1)
    if np.any(~(norm < 1.0)):
        raise ValueError(f"{name} must lie inside the unit ball (norm < 1), got a point with norm "
                         f"{float(np.max(np.where(np.isnan(norm), np.inf, norm))):.6g}")
    return p, norm


def poincare_distance(u, v):
    """Geodesic distance in the Poincare ball, batched over leading axes.

        d(u, v) = arccosh(1 + 2 |u - v|^2 / ((1 - |u|^2) (1 - |v|^2)))

    computed as 2 arcsinh(|u - v| / sqrt((1 - |u|^2)(1 - |v|^2))), the same number without
    the cancellation of arccosh near 1; 1 - |u|^2 is computed as (1 - |u|)(1 + |u|).

    Inputs: u, v: (..., D) points with norm < 1 (broadcastable); a point with norm >= 1
    (or NaN) raises ValueError naming the argument.
    Returns: float64 array (...) (a 0-d array for single points).
    """
    u, norm_u = _ball_points(u, "u")
    v, norm_v = _ball_points(v, "v")
    diff = np.linalg.norm(u - v, axis=-1)
    denom = np.sqrt((1.0 - norm_u) * (1.0 + norm_u) * (1.0 - norm_v) * (1.0 + norm_v))
    return 2.0 * np.arcsinh(diff / denom)


def expmap0(v):
    """Exponential map at the origin of the Poincare ball: tanh(|v|) v / |v|, and 0 for v = 0.

    Inputs: v: (..., D) tangent vectors. Returns: float64 array (..., D), points of the ball.
    """
    v = np.asarray(v, dtype=np.float64)
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    safe = np.where(norm > 0, norm, 1.0)
    return np.where(norm > 0, np.tanh(norm) * v / safe, 0.0)


def hyperbolic_prediction_loss(z_pred, z_true):
    """Contrastive loss for predicting the future in hyperbolic space.

        loss = mean_i [ d(zp_i, z_i)^2 + log sum_j exp(-d(zp_i, z_j)^2) ]

    The first term pulls each prediction to its own target; the log-sum-exp over all targets
    j (the own one included) is the normaliser of a softmax over -d^2 (computed stably, by
    shifting with the largest exponent).

    Inputs: z_pred, z_true: (N, D) points in the ball. Returns: a Python float.
    """
    z_pred, z_true = _f64(z_pred, z_true)
    d2 = poincare_distance(z_pred[:, None, :], z_true[None, :, :]) ** 2     # (N, N)
    logits = -d2
    top = logits.max(axis=1, keepdims=True)
    logsumexp = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return float(np.mean(np.diag(d2) + logsumexp))


def assign_hypotheses(predictions, target):
    """E-step of multiple-hypothesis prediction: one-hot of the hypothesis nearest the target.

    Inputs: predictions (N, K, D), target (N, D).
    Returns: float64 array (N, K) of zeros with one 1 per row at argmin_k |pred_k - target|^2
    (ties: the lowest k).
    """
    predictions, target = _f64(predictions, target)
    d2 = np.sum((predictions - target[:, None, :]) ** 2, axis=-1)
    onehot = np.zeros_like(d2)
    onehot[np.arange(len(d2)), np.argmin(d2, axis=1)] = 1.0
    return onehot


def multiple_hypothesis_loss(predictions, target):
    """Winner-takes-all loss: mean over N of min over k of |predictions[n, k] - target[n]|^2.

    Only the best hypothesis is penalised, so K hypotheses can spread over K possible futures.
    Returns: a Python float.
    """
    predictions, target = _f64(predictions, target)
    d2 = np.sum((predictions - target[:, None, :]) ** 2, axis=-1)
    return float(np.mean(d2.min(axis=1)))


def rnn_backward(xs, h0, w_ih, w_hh, b_ih, b_hh, dhs):
    """Backpropagation through time for the vanilla RNN of ``rnn_step`` run over a sequence.

    Forward (recomputed here): h_t = tanh(x_t w_ih^T + b_ih + h_{t-1} w_hh^T + b_hh) for
    t = 1..T, starting from h_0 = ``h0``. ``dhs[t - 1]`` is the gradient of a loss L with
    respect to h_t that arrives from outside (e.g. from a classifier on every frame); the
    gradient that reaches h_t through h_{t+1} is added to it, going backwards in time:

        g_t = dhs[t-1] + a_{t+1} w_hh,    a_t = g_t * (1 - h_t^2)   (the tanh derivative)
        dW_ih = sum_t a_t^T x_t,  dW_hh = sum_t a_t^T h_{t-1},  db_ih = db_hh = sum_t sum_n a_t

    Shapes: xs (T, N, D), h0 (N, H), w_ih (H, D), w_hh (H, H), b_ih and b_hh (H,),
    dhs (T, N, H).
    Returns: (dxs, dh0, dw_ih, dw_hh, db_ih, db_hh), float64 arrays shaped like xs, h0,
    w_ih, w_hh, b_ih, b_hh: the gradients of L = sum_t sum(dhs[t-1] * h_t). They equal torch
    autograd through torch.nn.RNNCell applied T times.
    """
    xs, h0, w_ih, w_hh, b_ih, b_hh, dhs = _f64(xs, h0, w_ih, w_hh, b_ih, b_hh, dhs)
    hs = [h0]
    for x in xs:
        hs.append(np.tanh(x @ w_ih.T + b_ih + hs[-1] @ w_hh.T + b_hh))
    dxs = np.zeros_like(xs)
    dw_ih, dw_hh, db = np.zeros_like(w_ih), np.zeros_like(w_hh), np.zeros_like(b_ih)
    carried = np.zeros_like(h0)                                        # dL/dh_t through h_{t+1}
    for t in range(len(xs) - 1, -1, -1):
        a = (dhs[t] + carried) * (1.0 - hs[t + 1] ** 2)               # dL/d(pre-activation) at step t+1
        dxs[t] = a @ w_ih
        dw_ih += a.T @ xs[t]
        dw_hh += a.T @ hs[t]
        db += a.sum(axis=0)
        carried = a @ w_hh
    return dxs, carried, dw_ih, dw_hh, db, db.copy()


def _triple(value):
    """An integer or three integers as a (time, height, width) tuple."""
    return tuple(int(v) for v in np.broadcast_to(np.asarray(value), (3,)))


def conv3d(x, weight, bias=None, stride=1, padding=0):
    """3-D convolution (cross-correlation, as torch.nn.functional.conv3d) of video clips.

    A 3-D convolution slides a (kt, kh, kw) kernel over time as well as space, so one filter
    responds to motion patterns (C3D, I3D). Output size per axis: (T + 2 p - kt) // s + 1.

        out[n, o, t, y, x] = bias[o] + sum_{c, i, j, k} weight[o, c, i, j, k]
                             * xpad[n, c, t s_t + i, y s_h + j, x s_w + k]

    with xpad the input padded by zeros (p_t, p_h, p_w on both sides of each axis).

    Inputs:
    - x: (N, C_in, T, H, W) clips.
    - weight: (C_out, C_in, kt, kh, kw); bias: (C_out,) or None.
    - stride, padding: an integer (the same on the three axes) or three integers
      (time, height, width); stride >= 1, padding >= 0.

    Returns: float64 array (N, C_out, T_out, H_out, W_out).
    """
    x, weight = _f64(x, weight)
    st, sh, sw = _triple(stride)
    pt, ph, pw = _triple(padding)
    xpad = np.pad(x, ((0, 0), (0, 0), (pt, pt), (ph, ph), (pw, pw)))
    _, _, kt, kh, kw = weight.shape
    T_out = (xpad.shape[2] - kt) // st + 1
    H_out = (xpad.shape[3] - kh) // sh + 1
    W_out = (xpad.shape[4] - kw) // sw + 1
    out = np.zeros((x.shape[0], weight.shape[0], T_out, H_out, W_out))
    # One kernel tap at a time: the input samples it meets form a strided slice of xpad.
    for i in range(kt):
        for j in range(kh):
            for k in range(kw):
                window = xpad[:, :, i:i + st * (T_out - 1) + 1:st, j:j + sh * (H_out - 1) + 1:sh,
                              k:k + sw * (W_out - 1) + 1:sw]
                out += np.einsum("nctyx,oc->notyx", window, weight[:, :, i, j, k])
    if bias is not None:
        out += np.asarray(bias, dtype=np.float64)[None, :, None, None, None]
    return out
