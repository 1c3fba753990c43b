"""HW5, part 3: neural 3D representations with torch (lecture "3D Vision").

PointNet (a classifier for unordered point sets) and its critical points; the building blocks
of NeRF: positional encoding, camera rays, sampling along rays and volume rendering.

Fill in every function marked TODO. Use torch (no torchvision, pytorch3d, ...).

Conventions for every function in this file:

* Functions take and return torch tensors; keep the input's dtype (float32 or float64) and
  stay differentiable (no .numpy(), .detach() or torch.no_grad() in volume_render). Accepting
  numpy arrays as well (``torch.as_tensor``) is a convenience, not a requirement.
* Bad arguments raise ``ValueError`` whose message names the argument.

You may add your own private helper functions (names starting with ``_``).
"""
import torch  # noqa: F401 - you will need it
from torch import nn


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
        # TODO: build the layers
        raise NotImplementedError("PointNet: not implemented yet")

    def point_features(self, points):
        """Per-point features before the pool: points (B, N, 3) -> (B, N, feat_dim).

        The shared per-point MLP applied to every point. Not called by the tests (they call the
        constructor, forward and critical_point_indices).
        """
        # TODO (optional): the shared per-point MLP; forward and critical_point_indices can both use it.
        raise NotImplementedError("PointNet.point_features: not implemented yet")

    def forward(self, points):
        """points (B, N, 3) float32 (the parameters' dtype) -> logits (B, num_classes), no softmax."""
        # TODO
        raise NotImplementedError("PointNet.forward: not implemented yet")


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
    # TODO
    # Hint: per-point features (N, feat_dim) under torch.no_grad(), argmax over the points for
    #   each channel, then torch.unique (which sorts).
    raise NotImplementedError("critical_point_indices: not implemented yet")


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
    # TODO
    # Hint: build a list of tensors and torch.cat(..., dim=-1).
    raise NotImplementedError("positional_encoding: not implemented yet")


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
    # TODO
    # Hint: torch.meshgrid(..., indexing="ij") gives i varying along rows; for (H, W, 3)
    #   directions d, ``d @ R.T`` applies R to each.
    raise NotImplementedError("get_rays: not implemented yet")


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
    # TODO
    raise NotImplementedError("sample_along_rays: not implemented yet")


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
    # TODO
    # Hint: torch.cumprod along the samples, then shift it right by one (prepend ones) to make
    #   it exclusive. The classic bugs: inclusive T, a missing last interval, forgetting relu.
    raise NotImplementedError("volume_render: not implemented yet")
