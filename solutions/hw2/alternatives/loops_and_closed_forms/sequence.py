"""HW2 alternative solution, part 2 (style: closed forms written differently).

Gates are sliced by index instead of np.split, the sigmoid is 1 / (1 + exp(-x)) with the
exponent clipped, the Poincare distance uses the arccosh form with 1 - |u|^2 computed as
(1 - |u|)(1 + |u|), and the log-sum-exp is np.logaddexp.reduce.
"""
import numpy as np


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))


def rnn_step(x, h, w_ih, w_hh, b_ih, b_hh):
    x, h = np.asarray(x, float), np.asarray(h, float)
    pre = np.einsum("nd,hd->nh", x, np.asarray(w_ih, float)) + np.einsum("nk,hk->nh", h, np.asarray(w_hh, float))
    return np.tanh(pre + np.asarray(b_ih, float) + np.asarray(b_hh, float))


def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
    x, h, c = np.asarray(x, float), np.asarray(h, float), np.asarray(c, float)
    H = h.shape[-1]
    gates = x @ np.asarray(w_ih, float).T + h @ np.asarray(w_hh, float).T + np.asarray(b_ih, float) \
        + np.asarray(b_hh, float)
    i = _sigmoid(gates[:, 0:H])
    f = _sigmoid(gates[:, H:2 * H])
    g = np.tanh(gates[:, 2 * H:3 * H])
    o = _sigmoid(gates[:, 3 * H:4 * H])
    c_next = f * c + i * g
    return o * np.tanh(c_next), c_next


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    x, h = np.asarray(x, float), np.asarray(h, float)
    w_ih, w_hh, b_ih, b_hh = (np.asarray(a, float) for a in (w_ih, w_hh, b_ih, b_hh))
    H = h.shape[-1]
    rows = [slice(k * H, (k + 1) * H) for k in range(3)]
    r = _sigmoid(x @ w_ih[rows[0]].T + b_ih[rows[0]] + h @ w_hh[rows[0]].T + b_hh[rows[0]])
    z = _sigmoid(x @ w_ih[rows[1]].T + b_ih[rows[1]] + h @ w_hh[rows[1]].T + b_hh[rows[1]])
    n = np.tanh(x @ w_ih[rows[2]].T + b_ih[rows[2]] + r * (h @ w_hh[rows[2]].T + b_hh[rows[2]]))
    return n + z * (h - n)


def poincare_distance(u, v):
    u, v = np.asarray(u, float), np.asarray(v, float)
    nu, nv = np.sqrt(np.sum(u * u, axis=-1)), np.sqrt(np.sum(v * v, axis=-1))
    for name, norm in (("u", nu), ("v", nv)):
        if not np.all(norm < 1):
            raise ValueError(f"{name}: every point must have norm < 1")
    sq = np.sum((u - v) ** 2, axis=-1)
    t = sq / ((1 - nu) * (1 + nu) * (1 - nv) * (1 + nv))
    # arccosh(1 + 2t) = log(1 + 2t + sqrt((1 + 2t)^2 - 1)) = log1p(2t + 2 sqrt(t (1 + t)))
    return np.log1p(2 * t + 2 * np.sqrt(t * (1 + t)))


def expmap0(v):
    v = np.asarray(v, float)
    out = np.zeros_like(v)
    flat_v, flat_out = v.reshape(-1, v.shape[-1]), out.reshape(-1, v.shape[-1])
    for k, row in enumerate(flat_v):
        norm = np.sqrt(row @ row)
        if norm > 0:
            flat_out[k] = np.tanh(norm) / norm * row
    return out


def hyperbolic_prediction_loss(z_pred, z_true):
    z_pred, z_true = np.asarray(z_pred, float), np.asarray(z_true, float)
    total = 0.0
    for i in range(len(z_pred)):
        d2 = poincare_distance(np.broadcast_to(z_pred[i], z_true.shape), z_true) ** 2
        total += d2[i] + np.logaddexp.reduce(-d2)
    return float(total / len(z_pred))


def assign_hypotheses(predictions, target):
    predictions, target = np.asarray(predictions, float), np.asarray(target, float)
    N, K, _ = predictions.shape
    out = np.zeros((N, K))
    for n in range(N):
        dists = [float(np.sum((predictions[n, k] - target[n]) ** 2)) for k in range(K)]
        out[n, dists.index(min(dists))] = 1.0
    return out


def multiple_hypothesis_loss(predictions, target):
    predictions, target = np.asarray(predictions, float), np.asarray(target, float)
    d2 = np.einsum("nkd,nkd->nk", predictions - target[:, None], predictions - target[:, None])
    return float(np.min(d2, axis=1).mean())


def rnn_backward(xs, h0, w_ih, w_hh, b_ih, b_hh, dhs):
    """BPTT one sample at a time, with the Jacobian of each step written out as a matrix."""
    xs, h0, w_ih, w_hh, b_ih, b_hh, dhs = (np.asarray(a, float) for a in (xs, h0, w_ih, w_hh, b_ih, b_hh, dhs))
    T, N, _ = xs.shape
    grads = [np.zeros_like(xs), np.zeros_like(h0), np.zeros_like(w_ih), np.zeros_like(w_hh), np.zeros_like(b_ih)]
    dxs, dh0, dw_ih, dw_hh, db = grads
    for n in range(N):
        states = [h0[n]]
        for t in range(T):
            states.append(np.tanh(w_ih @ xs[t, n] + b_ih + w_hh @ states[-1] + b_hh))
        upstream = np.zeros(h0.shape[1])
        for t in reversed(range(T)):
            local = np.diag(1.0 - states[t + 1] ** 2)              # d h_t / d pre-activation
            delta = local @ (dhs[t, n] + upstream)
            dxs[t, n] = w_ih.T @ delta
            dw_ih += np.outer(delta, xs[t, n])
            dw_hh += np.outer(delta, states[t])
            db += delta
            upstream = w_hh.T @ delta
        dh0[n] = upstream
    return dxs, dh0, dw_ih, dw_hh, db, db.copy()


def conv3d(x, weight, bias=None, stride=1, padding=0):
    """Gather per output position: every (kt, kh, kw) block of the padded clip against all filters."""
    x, weight = np.asarray(x, float), np.asarray(weight, float)
    s = [int(v) for v in np.broadcast_to(stride, (3,))]
    p = [int(v) for v in np.broadcast_to(padding, (3,))]
    xp = np.pad(x, [(0, 0), (0, 0)] + [(q, q) for q in p])
    kernel = weight.shape[2:]
    sizes = [(xp.shape[2 + a] - kernel[a]) // s[a] + 1 for a in range(3)]
    out = np.zeros((x.shape[0], weight.shape[0], *sizes))
    flat = weight.reshape(weight.shape[0], -1)
    for t in range(sizes[0]):
        for y in range(sizes[1]):
            for z in range(sizes[2]):
                block = xp[:, :, t * s[0]:t * s[0] + kernel[0], y * s[1]:y * s[1] + kernel[1],
                           z * s[2]:z * s[2] + kernel[2]]
                out[:, :, t, y, z] = block.reshape(x.shape[0], -1) @ flat.T
    if bias is not None:
        out += np.asarray(bias, float)[None, :, None, None, None]
    return out
