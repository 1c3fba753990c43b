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

    Lecture idea: the hidden state summarises the past; the same weights are applied at
    every time step.

    Inputs: x (N, D), h (N, H), w_ih (H, D), w_hh (H, H), b_ih (H,), b_hh (H,).
    Returns: h' (N, H), float64. Equals torch.nn.RNNCell with the same weights.
    """
    x, h, w_ih, w_hh, b_ih, b_hh = _f64(x, h, w_ih, w_hh, b_ih, b_hh)
    return np.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)


def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One LSTM step, gate order (i, f, g, o) as in torch.nn.LSTMCell.

    Lecture idea: the cell state c is a conveyor belt changed only by gated additions, so
    gradients survive many steps (the RNN's vanish).

        [i, f, g, o] = x w_ih^T + b_ih + h w_hh^T + b_hh     (four (N, H) blocks, in THIS order)
        c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
        h' = sigmoid(o) * tanh(c')

    Inputs: x (N, D), h and c (N, H), w_ih (4H, D), w_hh (4H, H), b_ih and b_hh (4H,).
    Returns: a tuple (h', c'), each (N, H) float64.
    """
    x, h, c, w_ih, w_hh, b_ih, b_hh = _f64(x, h, c, w_ih, w_hh, b_ih, b_hh)
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, g, o = np.split(gates, 4, axis=-1)
    c_next = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h_next = _sigmoid(o) * np.tanh(c_next)
    return h_next, c_next


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """One GRU step, gate order (r, z, n) as in torch.nn.GRUCell.

    Lecture idea: a lighter LSTM: the update gate z interpolates between the old state and a
    candidate n; the reset gate r decides how much of the old state the candidate sees.

        r = sigmoid(x w_ir^T + b_ir + h w_hr^T + b_hr)
        z = sigmoid(x w_iz^T + b_iz + h w_hz^T + b_hz)
        n = tanh(x w_in^T + b_in + r * (h w_hn^T + b_hn))
        h' = (1 - z) * n + z * h

    Inputs: x (N, D), h (N, H), w_ih (3H, D), w_hh (3H, H), b_ih and b_hh (3H,).
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

    Lecture idea: hyperbolic space has exponentially more room far from the origin, so a
    tree (a hierarchy of actions, from "sport" to "tennis serve") embeds with low distortion:
    general concepts near the centre, specific ones near the boundary. Predicting an
    uncertain future as a point near the centre hedges between its possible children.

        d(u, v) = arccosh(1 + 2 |u - v|^2 / ((1 - |u|^2) (1 - |v|^2)))

    Inputs: u, v: (..., D) points with norm < 1, of the same shape or broadcastable.
    Returns: float64 array of shape (...) (a 0-d array or a float for two single points).
    Must be accurate near the boundary (points of norm 0.999999: 1 - |u|^2 is 2e-6).
    Raises: ValueError whose message names the argument (u or v) when any of its points has
    norm >= 1 (or NaN).
    """
    u, norm_u = _ball_points(u, "u")
    v, norm_v = _ball_points(v, "v")
    diff = np.linalg.norm(u - v, axis=-1)
    # 2 arcsinh(|u - v| / sqrt((1 - |u|^2)(1 - |v|^2))): the arccosh form's number without its
    # cancellation near 1; 1 - |u|^2 is computed as (1 - |u|)(1 + |u|).
    denom = np.sqrt((1.0 - norm_u) * (1.0 + norm_u) * (1.0 - norm_v) * (1.0 + norm_v))
    return 2.0 * np.arcsinh(diff / denom)


def expmap0(v):
    """Exponential map at the origin: a tangent vector (any length) to a point of the Poincare ball.

        expmap0(v) = tanh(|v|) v / |v|,   and 0 for v = 0.

    Lecture idea: networks output Euclidean vectors; expmap0 moves them into the ball (the
    direction is kept, the length t becomes the Euclidean radius tanh(t) < 1).

    Inputs: v: (..., D) tangent vectors.
    Returns: float64 array (..., D), points of the ball; no NaN for zero vectors.
    """
    v = np.asarray(v, dtype=np.float64)
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    safe = np.where(norm > 0, norm, 1.0)
    return np.where(norm > 0, np.tanh(norm) * v / safe, 0.0)


def hyperbolic_prediction_loss(z_pred, z_true):
    """Contrastive loss for predicting future embeddings in the Poincare ball.

        loss = mean_i [ d(zp_i, z_i)^2 + log sum_j exp(-d(zp_i, z_j)^2) ]

    with d the Poincare distance: the negative log of a softmax over -d^2. The first term
    pulls each prediction towards its own target; the log-sum-exp over all the targets j (the
    own one, j = i, included) pushes it away from the other targets.

    Inputs: z_pred, z_true: (N, D) points in the ball.
    Returns: a Python float. Must stay finite when every distance is large (distances of 30
    give exp(-900) = 0 in float64, and log(0) = -inf): the log-sum-exp is computed stably.
    """
    z_pred, z_true = _f64(z_pred, z_true)
    d2 = poincare_distance(z_pred[:, None, :], z_true[None, :, :]) ** 2     # (N, N)
    logits = -d2
    # A stable log-sum-exp: shifted by the largest exponent of each row.
    top = logits.max(axis=1, keepdims=True)
    logsumexp = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return float(np.mean(np.diag(d2) + logsumexp))


def assign_hypotheses(predictions, target):
    """E-step of multiple-hypothesis prediction: one-hot of the hypothesis nearest the target.

    Lecture idea: the future is uncertain; a network predicts K hypotheses and, as in EM,
    each training target is assigned to the nearest one, which alone is then trained.

    Inputs: predictions (N, K, D), target (N, D).
    Returns: float64 array (N, K) of zeros with a single 1 per row, at
    argmin_k |predictions[n, k] - target[n]|^2 (ties: the lowest k).
    """
    predictions, target = _f64(predictions, target)
    d2 = np.sum((predictions - target[:, None, :]) ** 2, axis=-1)
    onehot = np.zeros_like(d2)
    onehot[np.arange(len(d2)), np.argmin(d2, axis=1)] = 1.0
    return onehot


def multiple_hypothesis_loss(predictions, target):
    """Winner-takes-all loss: mean over n of min over k of |predictions[n, k] - target[n]|^2.

    Only the best hypothesis of each example is penalised, so K hypotheses can spread over K
    possible futures instead of all collapsing onto their mean.

    Inputs: predictions (N, K, D), target (N, D).
    Returns: a Python float.
    """
    predictions, target = _f64(predictions, target)
    d2 = np.sum((predictions - target[:, None, :]) ** 2, axis=-1)
    return float(np.mean(d2.min(axis=1)))


def rnn_backward(xs, h0, w_ih, w_hh, b_ih, b_hh, dhs):
    """Backpropagation through time for the vanilla RNN of ``rnn_step`` run over a sequence.

    Lecture idea: an RNN unrolled over T frames is a T-layer network that shares its weights,
    so the gradient of a weight is the sum of its gradients at every step, and the gradient
    of a hidden state collects what comes from outside at that step plus what flows back from
    the next step (through w_hh: repeated products with w_hh are why gradients vanish or
    explode over long sequences).

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
    autograd through torch.nn.RNNCell applied T times (the tests check all six to 1e-10).
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

    Lecture idea: a 3-D convolution slides a (kt, kh, kw) kernel over time as well as space,
    so one filter responds to motion patterns (C3D, I3D). Output size per axis:
    (T + 2 p - kt) // s + 1.

        out[n, o, t, y, x] = bias[o] + sum_{c, i, j, k} weight[o, c, i, j, k]
                             * xpad[n, c, t s_t + i, y s_h + j, x s_w + k]

    with xpad the input padded by zeros (p_t, p_h, p_w on both sides of each axis).

    Inputs:
    - x: (N, C_in, T, H, W) clips.
    - weight: (C_out, C_in, kt, kh, kw); bias: (C_out,) or None.
    - stride, padding: an integer (the same on the three axes) or three integers
      (time, height, width); stride >= 1, padding >= 0.

    Returns: float64 array (N, C_out, T_out, H_out, W_out). Compared with torch's conv3d to
    1e-10 on odd and even sizes, per-axis strides and paddings.
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
