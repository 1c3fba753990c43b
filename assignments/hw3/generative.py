"""HW3, part 4: VAE and GAN losses, the cycle loss, mode coverage, and a small VAE (torch).

Lecture idea ("Synthesis"): a VAE maximises the evidence lower bound
    ELBO(x) = E_q(z|x)[log p(x|z)] - KL(q(z|x) || p(z))
and is trained through the reparameterisation z = mu + sigma * eps. A GAN trains a
discriminator D against a generator G; D outputs logits here and D = sigmoid(logit).
CycleGAN adds a cycle-consistency loss; mode collapse is a generator that covers few modes.

Fill in every function marked TODO. Losses take torch tensors and return tensors that
autograd can differentiate; work in the inputs' dtype (the tests use float64).

Numerical stability: never compute log(sigmoid(l)) as written. With softplus(u) =
log(1 + e^u) (F.softplus, stable for any u):
    log sigmoid(l) = -softplus(-l),        log(1 - sigmoid(l)) = -softplus(l).
The tests use logits of +-100 and more, where sigmoid rounds to exactly 0 or 1.
"""
import numpy as np  # noqa: F401
import torch  # noqa: F401
import torch.nn.functional as F  # noqa: F401
from torch import nn


def reparameterize(mu, logvar, eps):
    """The reparameterisation trick: z = mu + exp(0.5 * logvar) * eps.

    A sample of N(mu, sigma^2): eps ~ N(0, I) is given (so the result is deterministic and
    testable); exp(0.5 logvar) is the standard deviation sigma (NOT the variance). z is
    differentiable in mu and logvar.

    Inputs: mu, logvar, eps: tensors of the same shape.
    Returns: tensor of that shape.
    """
    # TODO
    raise NotImplementedError("reparameterize: not implemented yet")


def gaussian_kl(mu, logvar):
    """KL( N(mu, diag(exp(logvar))) || N(0, I) ), summed over the last axis.

        KL = -1/2 * sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j))

    Inputs: mu, logvar: tensors (..., L).
    Returns: tensor (...) (the last axis summed). It is 0 exactly when mu = 0 and logvar = 0.
    """
    # TODO
    raise NotImplementedError("gaussian_kl: not implemented yet")


def vae_loss(x, recon_logits, mu, logvar):
    """Negative ELBO with a Bernoulli decoder, averaged over the batch.

    Per example: the binary cross-entropy between x and sigmoid(recon_logits), SUMMED over
    every pixel (all axes but the first), plus gaussian_kl(mu, logvar). Then the mean over
    the batch. The cross-entropy is computed from the logits, softplus(l) - x * l (sigmoid
    then log gives inf at +-100).

    Inputs: x, recon_logits: (B, ...) with x in [0, 1]; mu, logvar: (B, L).
    Returns: 0-d tensor.
    """
    # TODO
    # Hint: F.binary_cross_entropy_with_logits(..., reduction="none"), or softplus(l) - x * l.
    raise NotImplementedError("vae_loss: not implemented yet")


def discriminator_loss(real_logits, fake_logits):
    """The discriminator's loss: -mean(log D(x)) - mean(log(1 - D(G(z)))).

    D wants real samples -> 1 and generated ones -> 0. From logits (see the module
    docstring): mean(softplus(-real_logits)) + mean(softplus(fake_logits)).

    Inputs: real_logits, fake_logits: tensors of any shapes (means over all entries).
    Returns: 0-d tensor; 2 log 2 when every logit is 0.
    """
    # TODO
    raise NotImplementedError("discriminator_loss: not implemented yet")


def generator_loss(fake_logits, kind="nonsaturating"):
    """The generator's loss from D's logits on generated samples, in one of the lecture's two forms.

    - kind="minimax": the original game, G minimises mean(log(1 - D(G(z))))
      = -mean(softplus(fake_logits)). When D easily rejects the fakes (logits very negative)
      this saturates: its gradient vanishes.
    - kind="nonsaturating" (the default): G minimises -mean(log D(G(z)))
      = mean(softplus(-fake_logits)) instead: the same fixed point, strong gradients early in
      training.

    Inputs: fake_logits: tensor of any shape; kind: "nonsaturating" or "minimax".
    Returns: 0-d tensor.
    Raises: ValueError naming `kind` for any other kind.
    """
    # TODO
    raise NotImplementedError("generator_loss: not implemented yet")


def cycle_consistency_loss(x, x_cycled, y, y_cycled):
    """CycleGAN's cycle-consistency loss: mean|F(G(x)) - x| + mean|G(F(y)) - y|.

    Translating to the other domain and back should return the input (an L1 loss; each
    mean over all the entries of its pair). x_cycled = F(G(x)), y_cycled = G(F(y)).

    Inputs: tensors; x and x_cycled of one shape, y and y_cycled of another.
    Returns: 0-d tensor.
    """
    # TODO
    raise NotImplementedError("cycle_consistency_loss: not implemented yet")


def mode_coverage(samples, centers, radius):
    """How many modes a generator covers: the centres with a sample within distance <= radius.

    The number of centres with at least one sample within Euclidean distance <= radius (a
    distance exactly equal to radius counts). A collapsed GAN on eight Gaussians covers 1 or 2
    of the 8.

    Inputs: samples (S, d) and centers (M, d): numpy arrays or tensors; radius >= 0.
    Returns: int in 0..M.
    """
    # TODO
    raise NotImplementedError("mode_coverage: not implemented yet")


class VAE(nn.Module):
    """A small MLP VAE for flattened binary images.

    Architecture: any MLP with at most 500 000 parameters. Suggested: encoder
    Linear(input_dim, 256) - ReLU - Linear(256, 2 * latent_dim), split into (mu, logvar);
    decoder Linear(latent_dim, 256) - ReLU - Linear(256, input_dim) -> logits.

    forward(x), x (B, input_dim) float32: returns (recon_logits (B, input_dim), mu
    (B, latent_dim), logvar (B, latent_dim)). In training mode (model.train()) z =
    reparameterize(mu, logvar, torch.randn_like(mu)); in eval mode (model.eval()) z = mu, so
    evaluation is deterministic.
    decode(z): latent (B, latent_dim) -> logits (B, input_dim); the notebook samples and
    interpolates with it, and the grader decodes sampled z with it (see train_vae).
    """

    def __init__(self, input_dim, latent_dim):
        super().__init__()
        # TODO: build the encoder and the decoder.
        raise NotImplementedError("VAE: not implemented yet")

    def decode(self, z):
        # TODO
        raise NotImplementedError("VAE.decode: not implemented yet")

    def forward(self, x):
        # TODO
        # Hint: self.training tells the training mode from the eval mode.
        raise NotImplementedError("VAE.forward: not implemented yet")


def train_vae(model, data, seed=0):
    """Train ``model`` (a VAE) on ``data`` and return the mean vae_loss of every epoch.

    Inputs: model: a VAE; data: (N, input_dim) array or tensor of 0s and 1s; seed: int.
    Returns: a list of Python floats (one per epoch). The model is left in eval mode.

    Determinism: everything random (the shuffling, the reparameterisation noise) is seeded
    from ``seed``, so the same seed and initial model give the same losses whatever the
    global random state.

    Graded by a training probe: VAE(64, 8) trained on 2000 binary 8x8 shapes from
    shared/ssl_data.py must reach a held-out negative ELBO of at most 17.5 nats per image
    (points scale linearly from the ~35 nats of independent pixels), within 60 s on a slow
    CPU (the reference takes ~2 s: Adam, lr 2e-3, batches of 64, 30 epochs, and reaches
    about 15). How the ELBO is measured: after training, in eval mode, the model's forward
    gives mu and logvar of 500 held-out images; the grader draws 8 codes per image, z = mu +
    exp(logvar / 2) * eps with its own fixed noise, decodes them with ``decode`` and scores
    the mean over those samples of the BCE summed over pixels, plus gaussian_kl. So the
    decoder must work on sampled z, not only on z = mu: train in training mode (a decoder
    that only ever saw z = mu scores far worse).
    """
    # TODO
    # Hint: convert data to a float32 tensor.
    # Hint: torch.manual_seed(seed), and a torch.Generator seeded with seed for the shuffling.
    raise NotImplementedError("train_vae: not implemented yet")
