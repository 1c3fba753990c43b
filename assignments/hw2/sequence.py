"""HW2, part 2: recurrent cells, backprop through time, 3-D convolution and hyperbolic prediction
(lecture "Video Recognition").

Fill in every function marked TODO. Use numpy only (no torch here: the tests compare your
cells with torch.nn.RNNCell, LSTMCell and GRUCell to 1e-10, so follow torch's layout).

Conventions for every function in this file:

* Batches come first: ``x`` is ``(N, D)``, hidden states ``h`` and cell states ``c`` are
  ``(N, H)``.
* Weights follow torch.nn's layout: ``w_ih`` is ``(G*H, D)``, ``w_hh`` is ``(G*H, H)``,
  biases ``b_ih`` and ``b_hh`` are ``(G*H,)``; G = 1 (RNN), 4 (LSTM) or 3 (GRU) blocks of
  H rows stacked along axis 0 in the gate order given below. ``x @ w_ih.T`` is (N, G*H).
* Sequences put time first: ``xs`` is ``(T, N, D)``; video clips for ``conv3d`` are
  ``(N, C, T, H, W)`` (torch's layout).
* Points of the Poincare ball are vectors with norm < 1 in the LAST axis; the hyperbolic
  functions are batched over any leading axes.
* Return float64 arrays (Python floats for the losses).

You may add your own private helper functions (names starting with ``_``).
"""
import numpy as np  # noqa: F401  (you will need it)


def rnn_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """One step of the vanilla (Elman) RNN: h' = tanh(x w_ih^T + b_ih + h w_hh^T + b_hh).

    Lecture idea: the hidden state summarises the past; the same weights are applied at
    every time step.

    Inputs: x (N, D), h (N, H), w_ih (H, D), w_hh (H, H), b_ih (H,), b_hh (H,).
    Returns: h' (N, H), float64. Equals torch.nn.RNNCell with the same weights.
    """
    # TODO
    raise NotImplementedError("rnn_step: not implemented yet")


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
    # TODO
    # Hint: np.split(gates, 4, axis=-1) gives the four blocks. The classic bug is the order
    # i, f, o, g (some papers) instead of torch's i, f, g, o.
    # Hint: sigmoid(x) = 1 / (1 + exp(-x)) overflows (with a warning) for x < -709;
    # 0.5 * (1 + tanh(x / 2)) is the same function without overflow.
    raise NotImplementedError("lstm_step: not implemented yet")


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
    # TODO
    # Hint: r multiplies (h w_hn^T + b_hn), bias included (torch's convention; the original
    # paper applies r to h before the matrix product: a different cell). Note h' weights the
    # OLD state by z, not by 1 - z.
    raise NotImplementedError("gru_step: not implemented yet")


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
    # TODO
    # Hint: do not clip the norms to "1 - eps" as some libraries do: that changes the distance.
    # Hint: arccosh(1 + 2 t) = 2 arcsinh(sqrt(t)) avoids the cancellation of arccosh near 1
    # (points close together); (1 - |u|)(1 + |u|) is a careful 1 - |u|^2.
    raise NotImplementedError("poincare_distance: not implemented yet")


def expmap0(v):
    """Exponential map at the origin: a tangent vector (any length) to a point of the Poincare ball.

        expmap0(v) = tanh(|v|) v / |v|,   and 0 for v = 0.

    Lecture idea: networks output Euclidean vectors; expmap0 moves them into the ball (the
    direction is kept, the length t becomes the Euclidean radius tanh(t) < 1).

    Inputs: v: (..., D) tangent vectors.
    Returns: float64 array (..., D), points of the ball; no NaN for zero vectors.
    """
    # TODO
    # Hint: divide by np.where(norm > 0, norm, 1) and then put 0 where norm == 0.
    raise NotImplementedError("expmap0: not implemented yet")


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
    # TODO
    # Hint: all pairwise distances at once: poincare_distance(z_pred[:, None], z_true[None, :]).
    # Hint: compute the log-sum-exp stably, log sum_j exp(a_j) = m + log sum_j exp(a_j - m)
    # with m = max_j a_j.
    raise NotImplementedError("hyperbolic_prediction_loss: not implemented yet")


def assign_hypotheses(predictions, target):
    """E-step of multiple-hypothesis prediction: one-hot of the hypothesis nearest the target.

    Lecture idea: the future is uncertain; a network predicts K hypotheses and, as in EM,
    each training target is assigned to the nearest one, which alone is then trained.

    Inputs: predictions (N, K, D), target (N, D).
    Returns: float64 array (N, K) of zeros with a single 1 per row, at
    argmin_k |predictions[n, k] - target[n]|^2 (ties: the lowest k).
    """
    # TODO
    raise NotImplementedError("assign_hypotheses: not implemented yet")


def multiple_hypothesis_loss(predictions, target):
    """Winner-takes-all loss: mean over n of min over k of |predictions[n, k] - target[n]|^2.

    Only the best hypothesis of each example is penalised, so K hypotheses can spread over K
    possible futures instead of all collapsing onto their mean.

    Inputs: predictions (N, K, D), target (N, D).
    Returns: a Python float.
    """
    # TODO
    raise NotImplementedError("multiple_hypothesis_loss: not implemented yet")


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
    # TODO
    # Hint: keep every h_t of the forward pass (a list of T + 1 arrays, h_0 included).
    # Hint: go backwards with one carried array, dL/dh_t through h_{t+1}, that starts at 0; dh0 is
    # what is carried out of the first step.
    raise NotImplementedError("rnn_backward: not implemented yet")


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
    # TODO
    # Hint: no flip: like torch (and hw1's conv), this is a cross-correlation.
    # Hint: loop over the kt * kh * kw kernel taps only: for each tap, the input samples it meets
    # are one strided slice of xpad, and np.einsum("nctyx,oc->notyx", ...) sums over C_in.
    raise NotImplementedError("conv3d: not implemented yet")
