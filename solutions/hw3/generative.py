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
    """z = mu + exp(0.5 * logvar) * eps: a sample of N(mu, sigma^2) that is differentiable in mu, logvar."""
    return mu + torch.exp(0.5 * logvar) * eps


def gaussian_kl(mu, logvar):
    """KL(N(mu, diag(exp(logvar))) || N(0, I)) = -1/2 sum(1 + logvar - mu^2 - exp(logvar)) over the last axis."""
    return -0.5 * torch.sum(1.0 + logvar - mu ** 2 - torch.exp(logvar), dim=-1)


def vae_loss(x, recon_logits, mu, logvar):
    """Negative ELBO with a Bernoulli decoder, averaged over the batch.

    Per example: sum over every pixel of BCE(x, sigmoid(recon_logits)) (computed from the
    logits: softplus(l) - x * l) plus gaussian_kl(mu, logvar).
    Inputs: x, recon_logits (B, ...) with x in [0, 1]; mu, logvar (B, latent).
    Returns: 0-d tensor.
    """
    bce = F.binary_cross_entropy_with_logits(recon_logits, x, reduction="none")
    reconstruction = bce.reshape(bce.shape[0], -1).sum(dim=1)
    return (reconstruction + gaussian_kl(mu, logvar)).mean()


def discriminator_loss(real_logits, fake_logits):
    """-mean(log D(x)) - mean(log(1 - D(G(z)))) = mean(softplus(-real)) + mean(softplus(fake))."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss(fake_logits, kind="nonsaturating"):
    """The generator's loss from the discriminator's logits on generated samples.

    kind="nonsaturating": -mean(log D(G(z))) = mean(softplus(-fake));
    kind="minimax":        mean(log(1 - D(G(z)))) = -mean(softplus(fake)).
    Any other kind: ValueError naming `kind`.
    """
    if kind == "nonsaturating":
        return F.softplus(-fake_logits).mean()
    if kind == "minimax":
        return -F.softplus(fake_logits).mean()
    raise ValueError(f"kind must be 'nonsaturating' or 'minimax', got {kind!r}")


def cycle_consistency_loss(x, x_cycled, y, y_cycled):
    """CycleGAN's cycle loss: mean|F(G(x)) - x| + mean|G(F(y)) - y| (each mean over all its entries)."""
    return (x_cycled - x).abs().mean() + (y_cycled - y).abs().mean()


def mode_coverage(samples, centers, radius):
    """The number of centres with at least one sample within Euclidean distance <= radius.

    Inputs: samples (S, d), centers (M, d) (arrays or tensors); radius >= 0.
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

    encoder: Linear(input_dim, 256) - ReLU - Linear(256, 2 * latent_dim) -> (mu, logvar);
    decoder: Linear(latent_dim, 256) - ReLU - Linear(256, input_dim) -> logits.
    forward(x): in training mode z = reparameterize(mu, logvar, randn), in eval mode z = mu;
    returns (recon_logits, mu, logvar).
    """

    def __init__(self, input_dim, latent_dim):
        super().__init__()
        hidden = 256
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(nn.Linear(input_dim, hidden), nn.ReLU(), nn.Linear(hidden, 2 * latent_dim))
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, input_dim))

    def encode(self, x):
        mu, logvar = self.encoder(x).chunk(2, dim=-1)
        return mu, logvar

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = reparameterize(mu, logvar, torch.randn_like(mu)) if self.training else mu
        return self.decode(z), mu, logvar


def train_vae(model, data, seed=0):
    """Train ``model`` (a VAE) on ``data`` (N, input_dim) in {0, 1}; returns the mean loss of every epoch.

    Adam (lr 2e-3), batches of 64, 30 epochs, vae_loss. Seeded from ``seed`` (shuffling and
    the reparameterisation noise), so the same seed and initial model give the same result.
    The model is left in eval mode.

    Graded by the held-out negative ELBO of VAE(64, 8) after training on 2000 binary 8x8
    shapes (full points at 17.5 nats per image; this reaches about 15): in eval mode the
    grader takes mu and logvar from forward, draws 8 codes per image z = mu + exp(logvar / 2)
    * eps with its own fixed noise, decodes them with ``decode`` and scores the mean BCE
    (summed over pixels) over those samples plus gaussian_kl. Training must therefore
    sample z (training mode): a decoder that only ever saw z = mu scores far worse.
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
