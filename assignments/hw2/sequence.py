"""HW2, part 2: recurrent cells and hyperbolic prediction (lecture "Video Recognition").

Fill in every function marked TODO. Use numpy only (no torch here: the tests compare your
cells with torch.nn.RNNCell, LSTMCell and GRUCell to 1e-10, so follow torch's layout).

Conventions for every function in this file:

* Batches come first: ``x`` is ``(N, D)``, hidden states ``h`` and cell states ``c`` are
  ``(N, H)``.
* Weights follow torch.nn's layout: ``w_ih`` is ``(G*H, D)``, ``w_hh`` is ``(G*H, H)``,
  biases ``b_ih`` and ``b_hh`` are ``(G*H,)``; G = 1 (RNN), 4 (LSTM) or 3 (GRU) blocks of
  H rows stacked along axis 0 in the gate order given below. ``x @ w_ih.T`` is (N, G*H).
* Points of the Poincare ball are vectors with norm < 1 in the LAST axis; the hyperbolic
  functions are batched over any leading axes.
* Return float64 arrays (Python floats for the losses).

You may add your own private helper functions (names starting with ``_``).
"""
import numpy as np  # noqa: F401  (you will need it)


def rnn_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """One step of the vanilla (Elman) RNN.

    Lecture idea: the hidden state summarises the past; the same weights are applied at
    every time step:  h' = tanh(x w_ih^T + b_ih + h w_hh^T + b_hh).

    Inputs: x (N, D), h (N, H), w_ih (H, D), w_hh (H, H), b_ih (H,), b_hh (H,).
    Returns: h' (N, H), float64. Must equal torch.nn.RNNCell with the same weights.
    """
    # TODO
    raise NotImplementedError("rnn_step: not implemented yet")


def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One step of the LSTM, gate order (i, f, g, o) as in torch.nn.LSTMCell.

    Lecture idea: the cell state c is a conveyor belt changed only by gated additions, so
    gradients survive many steps (the RNN's vanish).

        [i, f, g, o] = x w_ih^T + b_ih + h w_hh^T + b_hh     (four (N, H) blocks, in THIS order)
        c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
        h' = sigmoid(o) * tanh(c')

    Inputs: x (N, D), h and c (N, H), w_ih (4H, D), w_hh (4H, H), b_ih and b_hh (4H,).
    Returns: a tuple (h', c'), each (N, H) float64.

    Hints:
    - np.split(gates, 4, axis=-1) gives the four blocks. The classic bug is the order
      i, f, o, g (some papers) instead of torch's i, f, g, o.
    - sigmoid(x) = 1 / (1 + exp(-x)) overflows (with a warning) for x < -709;
      0.5 * (1 + tanh(x / 2)) is the same function without overflow.
    """
    # TODO
    raise NotImplementedError("lstm_step: not implemented yet")


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """One step of the GRU, gate order (r, z, n) as in torch.nn.GRUCell.

    Lecture idea: a lighter LSTM: the update gate z interpolates between the old state and a
    candidate n; the reset gate r decides how much of the old state the candidate sees.

        r = sigmoid(x w_ir^T + b_ir + h w_hr^T + b_hr)
        z = sigmoid(x w_iz^T + b_iz + h w_hz^T + b_hz)
        n = tanh(x w_in^T + b_in + r * (h w_hn^T + b_hn))
        h' = (1 - z) * n + z * h

    Inputs: x (N, D), h (N, H), w_ih (3H, D), w_hh (3H, H), b_ih and b_hh (3H,).
    Returns: h' (N, H) float64.

    Hint: r multiplies (h w_hn^T + b_hn), bias included (torch's convention; the original
    paper applies r to h before the matrix product: a different cell). Note h' weights the
    OLD state by z, not by 1 - z.
    """
    # TODO
    raise NotImplementedError("gru_step: not implemented yet")


def poincare_distance(u, v):
    """Geodesic distance in the Poincare ball, batched over leading axes.

    Lecture idea: hyperbolic space has exponentially more room far from the origin, so a
    tree (a hierarchy of actions, from "sport" to "tennis serve") embeds with low distortion:
    general concepts near the centre, specific ones near the boundary. Predicting an
    uncertain future as a point near the centre hedges between its possible children.

        d(u, v) = arccosh(1 + 2 |u - v|^2 / ((1 - |u|^2) (1 - |v|^2)))

    Inputs: u, v: (..., D) points with norm < 1, same shape (or broadcastable).
    - Any point with norm >= 1 (or NaN): raise ValueError whose message names the argument
      (u or v).
    Returns: float64 array of shape (...) (a 0-d array or float for two single points).

    Must be accurate near the boundary (points of norm 0.999999: 1 - |u|^2 is 2e-6). Hints:
    - Do not clip the norms to "1 - eps" as some libraries do: that changes the distance.
    - arccosh(1 + 2 t) = 2 arcsinh(sqrt(t)) avoids the cancellation of arccosh near 1
      (points close together); (1 - |u|)(1 + |u|) is a careful 1 - |u|^2.
    """
    # TODO
    raise NotImplementedError("poincare_distance: not implemented yet")


def expmap0(v):
    """Exponential map at the origin: a tangent vector (any length) to a point of the ball.

        expmap0(v) = tanh(|v|) v / |v|,   and 0 for v = 0.

    Lecture idea: networks output Euclidean vectors; expmap0 moves them into the ball (the
    direction is kept, the length t becomes the Euclidean radius tanh(t) < 1).

    Inputs: v: (..., D). Returns: float64 array (..., D), no NaN for zero vectors.
    Hint: divide by np.where(norm > 0, norm, 1) and then put 0 where norm == 0.
    """
    # TODO
    raise NotImplementedError("expmap0: not implemented yet")


def hyperbolic_prediction_loss(z_pred, z_true):
    """Contrastive loss for predicting future embeddings in the Poincare ball.

        loss = mean_i [ d(zp_i, z_i)^2 + log sum_j exp(-d(zp_i, z_j)^2) ]

    (the negative log of a softmax over -d^2: pull each prediction towards its own target,
    push it away from the other targets j; the sum over j includes j = i).

    Inputs: z_pred, z_true: (N, D) points in the ball. Returns: a Python float.

    Hints:
    - All pairwise distances at once: poincare_distance(z_pred[:, None], z_true[None, :]).
    - Distances of 30 give exp(-900) = 0 in float64 and log(0) = -inf: compute the
      log-sum-exp stably, log sum_j exp(a_j) = m + log sum_j exp(a_j - m) with m = max_j a_j.
    """
    # TODO
    raise NotImplementedError("hyperbolic_prediction_loss: not implemented yet")


def assign_hypotheses(predictions, target):
    """E-step of multiple-hypothesis prediction: which hypothesis explains the target best?

    Lecture idea: the future is uncertain; a network predicts K hypotheses and, as in EM,
    each training target is assigned to the nearest one, which alone is then trained.

    Inputs: predictions (N, K, D), target (N, D).
    Returns: one-hot array (N, K) (float64 zeros with a single 1 per row) at
    argmin_k |predictions[n, k] - target[n]|^2; ties pick the lowest k.
    """
    # TODO
    raise NotImplementedError("assign_hypotheses: not implemented yet")


def multiple_hypothesis_loss(predictions, target):
    """Winner-takes-all loss: mean over n of min over k of |predictions[n, k] - target[n]|^2.

    Inputs: predictions (N, K, D), target (N, D). Returns: a Python float.
    Only the best hypothesis of each example is penalised, so K hypotheses can spread over K
    possible futures instead of all collapsing onto their mean.
    """
    # TODO
    raise NotImplementedError("multiple_hypothesis_loss: not implemented yet")
