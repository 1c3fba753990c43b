"""Synthetic data for HW3 (self-supervision and synthesis): seeded, numpy only, fast.

Every function takes a ``seed`` (or needs none) and returns the same arrays on every
machine. Nothing is downloaded.

* ``binary_shapes(n, seed, size=8)``: (n, size*size) float64 images in {0, 1}: one or two
  filled axis-aligned rectangles, or a horizontal/vertical bar, per image. The VAE's data.
* ``textured_images(n, seed, size=16)``: (n, size, size) grey images in [0, 1] with an
  orientation (gradient + stripes + a corner blob) that a rotation pretext task can see.
* ``color_image(size=64)``: an (size, size, 3) sRGB image in [0, 1]: hue wheel, grey ramp
  and saturated patches, for the Lab channels.
* ``eight_gaussians(n, seed, radius=2.0, std=0.05)``: (n, 2) points from eight Gaussians
  on a circle, and ``eight_gaussian_centers(radius)``: their (8, 2) centres.
* ``clustered_views(n_classes, per_class, dim, seed, noise=0.3)``: two noisy "views"
  (n, dim) of class prototypes and their labels, for contrastive-learning demos.
"""
from __future__ import annotations

import numpy as np


def binary_shapes(n: int, seed: int, size: int = 8) -> np.ndarray:
    """``n`` binary images of rectangles and bars, flattened: float64 array (n, size * size).

    Each image holds one filled rectangle (sides 2..size-2), two rectangles, or one bar
    (a full row band or column band of width 1 or 2), chosen with equal probability.
    """
    rng = np.random.default_rng(seed)
    images = np.zeros((n, size, size))
    yy, xx = np.mgrid[0:size, 0:size]

    def rectangle():
        h, w = rng.integers(2, size - 1, size=2)
        y0, x0 = rng.integers(0, size - h + 1), rng.integers(0, size - w + 1)
        return (yy >= y0) & (yy < y0 + h) & (xx >= x0) & (xx < x0 + w)

    kinds = rng.integers(0, 3, size=n)
    for i, kind in enumerate(kinds):
        if kind == 0:
            mask = rectangle()
        elif kind == 1:
            mask = rectangle() | rectangle()
        else:
            width = int(rng.integers(1, 3))
            start = int(rng.integers(0, size - width + 1))
            mask = (yy >= start) & (yy < start + width) if rng.random() < 0.5 else (xx >= start) & (xx < start + width)
        images[i][mask] = 1.0
    return images.reshape(n, size * size)


def textured_images(n: int, seed: int, size: int = 16) -> np.ndarray:
    """``n`` grey images (n, size, size) in [0, 1] whose "up" is visible.

    A vertical brightness gradient (dark at the top), random stripes and a bright blob in
    the lower-left quadrant: rotating such an image changes it in a way a network can learn.
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    out = np.empty((n, size, size))
    for i in range(n):
        angle, freq, phase = rng.uniform(0, np.pi), rng.uniform(2, 5), rng.uniform(0, 2 * np.pi)
        stripes = 0.5 + 0.5 * np.cos(2 * np.pi * freq * (np.cos(angle) * xx + np.sin(angle) * yy) + phase)
        cy, cx = rng.uniform(0.6, 0.9), rng.uniform(0.1, 0.4)
        blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 0.02)
        image = 0.45 * yy + 0.25 * stripes + 0.5 * blob + 0.03 * rng.standard_normal((size, size))
        out[i] = np.clip(image, 0.0, 1.0)
    return out


def color_image(size: int = 64) -> np.ndarray:
    """A deterministic sRGB test image (size, size, 3) in [0, 1].

    Top half: a hue wheel (hue along x, saturation decreasing downwards); bottom half left:
    a grey ramp; bottom half right: pure red, green, blue and yellow patches.
    """
    half = size // 2
    image = np.zeros((size, size, 3))
    hue = np.linspace(0.0, 1.0, size, endpoint=False)[None, :].repeat(half, axis=0)
    saturation = np.linspace(1.0, 0.2, half)[:, None].repeat(size, axis=1)
    k = (np.arange(3)[None, None, :] * (1.0 / 3.0) + hue[..., None]) % 1.0   # per channel phase
    wave = np.clip(np.abs(6.0 * k - 3.0) - 1.0, 0.0, 1.0)                    # HSV-like hue ramp
    image[:half] = 1.0 - saturation[..., None] * (1.0 - wave)
    image[half:, :half] = np.linspace(0.0, 1.0, half)[None, :, None]
    patches = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0)]
    q = (size - half) // 2
    for j, colour in enumerate(patches):
        y0, x0 = half + (j // 2) * q, half + (j % 2) * ((size - half) // 2)
        image[y0:y0 + q, x0:x0 + (size - half) // 2] = colour
    return image


def eight_gaussian_centers(radius: float = 2.0) -> np.ndarray:
    """(8, 2) centres at angles 0, 45, ..., 315 degrees on a circle of ``radius``."""
    angles = np.arange(8) * (np.pi / 4)
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def eight_gaussians(n: int, seed: int, radius: float = 2.0, std: float = 0.05) -> np.ndarray:
    """``n`` points (n, 2): a uniformly chosen centre plus isotropic Gaussian noise ``std``."""
    rng = np.random.default_rng(seed)
    centers = eight_gaussian_centers(radius)
    return centers[rng.integers(0, 8, size=n)] + std * rng.standard_normal((n, 2))


def clustered_views(n_classes: int, per_class: int, dim: int, seed: int,
                    noise: float = 0.3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two augmented "views" of ``n_classes * per_class`` samples around random class prototypes.

    Returns ``(view1, view2, labels)``: two float64 arrays (n, dim) and int64 labels (n,).
    Each sample is its prototype plus a per-sample offset (shared by its two views) plus
    independent view noise of scale ``noise``.
    """
    rng = np.random.default_rng(seed)
    prototypes = rng.standard_normal((n_classes, dim))
    labels = np.repeat(np.arange(n_classes), per_class)
    base = prototypes[labels] + 0.5 * rng.standard_normal((labels.size, dim))
    view1 = base + noise * rng.standard_normal(base.shape)
    view2 = base + noise * rng.standard_normal(base.shape)
    return view1, view2, labels.astype(np.int64)
