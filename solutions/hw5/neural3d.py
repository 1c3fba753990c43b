"""HW5 reference solution, part 3: neural 3D representations with torch (lecture "3D Vision").

PointNet (a shared per-point MLP and a symmetric max pool: a classifier on unordered point
sets) and its critical points; the pieces of NeRF: positional encoding, camera rays, sampling
along rays and differentiable volume rendering.

Conventions: functions take and return torch tensors (numpy arrays are accepted and
converted); results keep the input's floating dtype; everything is differentiable where it
makes sense. Bad arguments raise ``ValueError`` naming the argument.
"""
import math

import numpy as np
import torch
from torch import nn


def _tensor(x):
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))


# ----------------------------------------------------------------------------------------
# PointNet
# ----------------------------------------------------------------------------------------

class PointNet(nn.Module):
    """PointNet classifier (vanilla: without the input and feature transform networks).

    Lecture idea: a point cloud is a SET: its logits must not depend on the order of the
    points. PointNet applies the same MLP to every point, then a symmetric function, the max
    over the points, then a classifier on that global feature.

    Inputs (the constructor):
    - num_classes: the number of logits per cloud.
    - feat_dim: the width of the per-point features and of the global feature.

    Architecture (the reference's, suggested; the tests check behaviour, not layer sizes):
    - shared per-point MLP: 3 -> 64 -> 128 -> feat_dim, ReLU after each layer (nn.Linear acts
      on the last axis, so it applies to (B, N, 3) point by point);
    - global feature: max over the N points -> (B, feat_dim);
    - classifier: feat_dim -> 128 -> num_classes (ReLU in between), no softmax.

    Do not use BatchNorm or dropout on the per-point features in a way that mixes points (the
    tests call the model in eval mode). The method ``point_features(points) -> (B, N,
    feat_dim)`` (the features before the pool) is handy for critical_point_indices.

    How it is graded: the grader builds ``PointNet(4, feat_dim=128)`` after
    torch.manual_seed(0) and trains it with its own loop (you write no training code): Adam
    (lr 2e-3), cross-entropy on your logits, batches of 32, 25 epochs over 400 synthetic
    clouds of 64 points (spheres, cubes, cylinders, cones from shared/scenes3d.py), float32
    inputs (B, 64, 3), model.train() while training and model.eval() for the held-out 200
    clouds. Points scale linearly from 40 % held-out accuracy (nothing; chance is 25 %) to
    80 % (full marks); the reference reaches 93-97 % in about 2 s of one CPU core, and the
    probe must finish within 60 s. Other tests check that the logits ignore the order of the
    points and repeated points, and that batch elements do not interact.
    """

    def __init__(self, num_classes, feat_dim=256):
        super().__init__()
        self.num_classes = int(num_classes)
        self.feat_dim = int(feat_dim)
        self.point_mlp = nn.Sequential(
            nn.Linear(3, 64), nn.ReLU(),
            nn.Linear(64, 128), nn.ReLU(),
            nn.Linear(128, self.feat_dim), nn.ReLU(),
        )
        self.classifier = nn.Sequential(
            nn.Linear(self.feat_dim, 128), nn.ReLU(),
            nn.Linear(128, self.num_classes),
        )

    def point_features(self, points):
        """Per-point features before the pool: points (B, N, 3) -> (B, N, feat_dim).

        The shared per-point MLP applied to every point. Not called by the tests (they call the
        constructor, forward and critical_point_indices).
        """
        return self.point_mlp(points)

    def forward(self, points):
        """points (B, N, 3) float32 (the parameters' dtype) -> logits (B, num_classes), no softmax."""
        global_feature = self.point_features(points).max(dim=1).values      # (B, feat_dim)
        return self.classifier(global_feature)


def critical_point_indices(model, points):
    """The critical points of a cloud: the points that win the max pool in some feature channel.

    Lecture idea: the global feature is a max over points, so only the points that attain the
    maximum in at least one channel matter: the critical point set is a sparse "skeleton" of
    the shape, and the logits of the critical points alone equal those of the whole cloud.

    For every feature channel, the point with the largest feature value; the union over the
    channels, sorted and without repeats.

    Inputs:
    - model: a PointNet (yours).
    - points: (N, 3) tensor (accepting an array too is a convenience, not a requirement).

    Returns: int64 tensor (M,) of sorted indices into points without repeats (M <= feat_dim).
    """
    points = _tensor(points)
    param = next(model.parameters())
    with torch.no_grad():
        features = model.point_features(points.to(param.dtype)[None])[0]       # (N, feat_dim)
    return torch.unique(features.argmax(dim=0))                                 # sorted


# ----------------------------------------------------------------------------------------
# NeRF
# ----------------------------------------------------------------------------------------

def positional_encoding(x, num_freqs, include_input=True):
    """NeRF's positional encoding of coordinates: (..., d) -> (..., d + 2 d num_freqs).

    Lecture idea: MLPs are biased towards smooth functions; feeding them sin and cos of the
    input at growing frequencies lets a NeRF represent fine detail.

    Inputs:
    - x: (..., d) tensor.
    - num_freqs: L, an integer >= 0.
    - include_input: whether x itself comes first.

    Returns: (..., d + 2 d L) (or (..., 2 d L) without x), in this order:
        [x, sin(2^0 pi x), cos(2^0 pi x), sin(2^1 pi x), cos(2^1 pi x), ...,
         sin(2^(L-1) pi x), cos(2^(L-1) pi x)]
    where each sin/cos block holds all d coordinates. Example, d = 2, L = 1:
    [x0, x1, sin(pi x0), sin(pi x1), cos(pi x0), cos(pi x1)].

    Raises:
    - ValueError naming `num_freqs` if it is not an integer >= 0.
    """
    if isinstance(num_freqs, bool) or not isinstance(num_freqs, (int, np.integer)) or num_freqs < 0:
        raise ValueError(f"num_freqs must be an integer >= 0, got {num_freqs!r}")
    x = _tensor(x)
    parts = [x] if include_input else []
    for k in range(int(num_freqs)):
        arg = (2.0 ** k * math.pi) * x
        parts += [torch.sin(arg), torch.cos(arg)]
    if not parts:
        return x[..., :0]
    return torch.cat(parts, dim=-1)


def get_rays(height, width, focal, c2w):
    """One ray per pixel of a pinhole camera (NeRF's convention).

    The camera looks down its -z axis, with y up and x right. Pixel (i, j) (row i, column j;
    no +0.5 offset) has the camera-frame direction
        ((j - W/2) / focal,  -(i - H/2) / focal,  -1)
    (the minus on y: rows go down, y goes up). Rotate it to the world with c2w[:3, :3]
    (d_world = R @ d_cam); every ray starts at the camera centre c2w[:3, 3]. Directions are
    NOT normalised.

    Inputs:
    - height, width: H and W, ints.
    - focal: the focal length in pixels.
    - c2w: (3, 4) or (4, 4) camera-to-world tensor.

    Returns (rays_o, rays_d): two (H, W, 3) tensors of c2w's dtype.

    Raises:
    - ValueError naming `c2w` if its shape is not (3, 4) or (4, 4).
    """
    c2w = _tensor(c2w)
    if not torch.is_floating_point(c2w):
        c2w = c2w.to(torch.get_default_dtype())
    if c2w.shape not in ((3, 4), (4, 4)):
        raise ValueError(f"c2w must be (3, 4) or (4, 4), got {tuple(c2w.shape)}")
    i, j = torch.meshgrid(torch.arange(height, dtype=c2w.dtype), torch.arange(width, dtype=c2w.dtype),
                          indexing="ij")
    dirs = torch.stack([(j - width / 2) / focal, -(i - height / 2) / focal, -torch.ones_like(i)], dim=-1)
    rays_d = dirs @ c2w[:3, :3].T
    rays_o = c2w[:3, 3].expand(rays_d.shape)
    return rays_o, rays_d


def sample_along_rays(near, far, n_samples, stratified=False, generator=None):
    """Depths t at which to query the scene along every ray: (n_samples,) in [near, far].

    Deterministic: n_samples evenly spaced values from near to far, BOTH ends included
    (torch.linspace). Stratified (training): split [near, far] into n_samples equal bins and
    draw one uniform sample inside each bin, with ``torch.rand(..., generator=generator)``, so
    that over many iterations the network sees every depth, not a fixed set.

    Inputs:
    - near, far: the depth range, near < far.
    - n_samples: an integer >= 1.
    - stratified: False: deterministic; True: stratified.
    - generator: a torch.Generator, or None (then torch's global generator).

    Returns: (n_samples,) tensor (torch's default dtype), increasing.

    Raises:
    - ValueError naming `n_samples` if it is not an integer >= 1.
    - ValueError naming `far` if far <= near.
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    if not far > near:
        raise ValueError(f"far must be greater than near, got near={near!r}, far={far!r}")
    if not stratified:
        return torch.linspace(near, far, int(n_samples))
    edges = torch.linspace(near, far, int(n_samples) + 1)
    u = torch.rand(int(n_samples), generator=generator)
    return edges[:-1] + (edges[1:] - edges[:-1]) * u


def volume_render(sigmas, colors, t_vals, last_delta=1e10):
    """Differentiable volume rendering: NeRF's quadrature of the volume rendering integral.

    Lecture idea: a ray's colour is the sum of the samples' colours, each weighted by how much
    light it emits (alpha) times how much light gets past everything in front of it (T).

    For each of the R rays, with samples i = 0 .. S-1:
        delta_i = t_{i+1} - t_i,  and delta_{S-1} = last_delta (1e10: "to infinity", as in the
                  NeRF paper; a renderer with a constant step passes that step)
        alpha_i = 1 - exp(-relu(sigma_i) * delta_i)
        T_i     = prod_{j < i} (1 - alpha_j)       EXCLUSIVE: T_0 = 1 (nothing in front); the
                  light that reaches sample i
        w_i     = T_i * alpha_i
        rgb     = sum_i w_i c_i,   depth = sum_i w_i t_i

    Inputs:
    - sigmas: (R, S) or (R, S, 1) densities (negative values count as 0);
    - colors: (R, S, 3);
    - t_vals: (R, S), or (S,) shared by every ray;
    - last_delta: the interval of the last sample.

    Returns (rgb (R, 3), depth (R,), weights (R, S)), differentiable w.r.t. sigmas and colors.

    Raises:
    - ValueError naming `sigmas` if it is not (R, S) or (R, S, 1).
    - ValueError naming `colors` if it is not (R, S, 3).
    """
    sigmas, colors, t_vals = _tensor(sigmas), _tensor(colors), _tensor(t_vals)
    if sigmas.dim() == 3:
        sigmas = sigmas.squeeze(-1)
    if sigmas.dim() != 2:
        raise ValueError(f"sigmas must be (R, S) or (R, S, 1), got {tuple(sigmas.shape)}")
    if colors.shape != (*sigmas.shape, 3):
        raise ValueError(f"colors must be (R, S, 3) = {(*sigmas.shape, 3)}, got {tuple(colors.shape)}")
    t_vals = t_vals.to(sigmas.dtype).expand(sigmas.shape)
    last = torch.full_like(t_vals[..., :1], float(last_delta))
    deltas = torch.cat([t_vals[..., 1:] - t_vals[..., :-1], last], dim=-1)
    alpha = 1.0 - torch.exp(-torch.relu(sigmas) * deltas)
    survive = torch.cat([torch.ones_like(alpha[..., :1]), 1.0 - alpha[..., :-1]], dim=-1)
    transmittance = torch.cumprod(survive, dim=-1)
    weights = transmittance * alpha
    rgb = (weights[..., None] * colors).sum(dim=-2)
    depth = (weights * t_vals).sum(dim=-1)
    return rgb, depth, weights
