"""HW3 reference solution: VAE and GAN losses, the cycle loss, mode coverage, a small VAE (torch).

Lecture "Synthesis": a VAE maximises the evidence lower bound
    ELBO(x) = E_q(z|x)[log p(x|z)] - KL(q(z|x) || p(z)),
made differentiable by the reparameterisation z = mu + sigma * eps. A GAN plays a
two-player game between a discriminator D (logits here; D = sigmoid(logit)) and a
generator G; the non-saturating generator loss gives strong gradients when D wins.
CycleGAN adds ||F(G(x)) - x||_1 + ||G(F(y)) - y||_1. Mode collapse shows as a generator
that covers few of the data's modes.

Every log(sigmoid(.)) is written with softplus: log sigmoid(l) = -softplus(-l) and
log(1 - sigmoid(l)) = -softplus(l), finite for logits of +-100 (and far beyond).
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def reparameterize(mu, logvar, eps):
    """The reparameterisation trick: z = mu + exp(0.5 * logvar) * eps.

    A sample of N(mu, sigma^2): eps ~ N(0, I) is given (so the result is deterministic and
    testable); exp(0.5 logvar) is the standard deviation sigma (NOT the variance). z is
    differentiable in mu and logvar.

    Inputs: mu, logvar, eps: tensors of the same shape.
    Returns: tensor of that shape.
    """
    return mu + torch.exp(0.5 * logvar) * eps


def gaussian_kl(mu, logvar):
    """KL( N(mu, diag(exp(logvar))) || N(0, I) ), summed over the last axis.

        KL = -1/2 * sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j))

    Inputs: mu, logvar: tensors (..., L).
    Returns: tensor (...) (the last axis summed). It is 0 exactly when mu = 0 and logvar = 0.
    """
    return -0.5 * torch.sum(1.0 + logvar - mu ** 2 - torch.exp(logvar), dim=-1)


def vae_loss(x, recon_logits, mu, logvar):
    """Negative ELBO with a Bernoulli decoder, averaged over the batch.

    Per example: the binary cross-entropy between x and sigmoid(recon_logits), SUMMED over
    every pixel (all axes but the first), plus gaussian_kl(mu, logvar). Then the mean over
    the batch. The cross-entropy is computed from the logits, softplus(l) - x * l (sigmoid
    then log gives inf at +-100).

    Inputs: x, recon_logits: (B, ...) with x in [0, 1]; mu, logvar: (B, L).
    Returns: 0-d tensor.
    """
    bce = F.binary_cross_entropy_with_logits(recon_logits, x, reduction="none")
    reconstruction = bce.reshape(bce.shape[0], -1).sum(dim=1)
    return (reconstruction + gaussian_kl(mu, logvar)).mean()


def discriminator_loss(real_logits, fake_logits):
    """The discriminator's loss: -mean(log D(x)) - mean(log(1 - D(G(z)))).

    D wants real samples -> 1 and generated ones -> 0. From logits (see the module
    docstring): mean(softplus(-real_logits)) + mean(softplus(fake_logits)).

    Inputs: real_logits, fake_logits: tensors of any shapes (means over all entries).
    Returns: 0-d tensor; 2 log 2 when every logit is 0.
    """
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


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
    if kind == "nonsaturating":
        return F.softplus(-fake_logits).mean()
    if kind == "minimax":
        return -F.softplus(fake_logits).mean()
    raise ValueError(f"kind must be 'nonsaturating' or 'minimax', got {kind!r}")


def cycle_consistency_loss(x, x_cycled, y, y_cycled):
    """CycleGAN's cycle-consistency loss: mean|F(G(x)) - x| + mean|G(F(y)) - y|.

    Translating to the other domain and back should return the input (an L1 loss; each
    mean over all the entries of its pair). x_cycled = F(G(x)), y_cycled = G(F(y)).

    Inputs: tensors; x and x_cycled of one shape, y and y_cycled of another.
    Returns: 0-d tensor.
    """
    return (x_cycled - x).abs().mean() + (y_cycled - y).abs().mean()


def mode_coverage(samples, centers, radius):
    """How many modes a generator covers: the centres with a sample within distance <= radius.

    The number of centres with at least one sample within Euclidean distance <= radius (a
    distance exactly equal to radius counts). A collapsed GAN on eight Gaussians covers 1 or 2
    of the 8.

    Inputs: samples (S, d) and centers (M, d): numpy arrays or tensors; radius >= 0.
    Returns: int in 0..M.
    """
    samples = np.asarray(torch.as_tensor(samples).detach().cpu(), dtype=np.float64).reshape(len(samples), -1)
    centers = np.asarray(torch.as_tensor(centers).detach().cpu(), dtype=np.float64)
    centers = centers.reshape(len(centers), -1)
    if samples.shape[0] == 0:
        return 0
    d2 = np.sum((samples[:, None, :] - centers[None, :, :]) ** 2, axis=-1)
    return int(np.sum(np.any(d2 <= radius ** 2, axis=0)))


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
        # The architecture the docstring suggests.
        hidden = 256
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(nn.Linear(input_dim, hidden), nn.ReLU(), nn.Linear(hidden, 2 * latent_dim))
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, input_dim))

    def _encode(self, x):
        mu, logvar = self.encoder(x).chunk(2, dim=-1)
        return mu, logvar

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        mu, logvar = self._encode(x)
        z = reparameterize(mu, logvar, torch.randn_like(mu)) if self.training else mu
        return self.decode(z), mu, logvar


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
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    data = torch.as_tensor(np.asarray(data), dtype=torch.float32)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    losses = []
    model.train()
    for _ in range(30):
        order = torch.randperm(len(data), generator=generator)
        total = 0.0
        for start in range(0, len(data), 64):
            batch = data[order[start:start + 64]]
            recon_logits, mu, logvar = model(batch)
            loss = vae_loss(batch, recon_logits, mu, logvar)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(batch)
        losses.append(total / len(data))
    model.eval()
    return losses
