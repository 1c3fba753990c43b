"""Synthetic data sets for the homeworks: generated on the fly, seeded, no downloads.

Only numpy is needed here (torch is optional everywhere in ``shared/``), so the grader, the
notebooks and a student's checkout can all import this module.

``make_shapes`` (HW1): 32x32 grayscale images of four shape classes

    0 circle    1 square    2 triangle    3 cross

each with a random size, position, rotation (square, triangle, cross), foreground and
background brightness and additive Gaussian noise. The same ``(n, seed, size, noise)``
always gives the same arrays, on every machine.
"""
from __future__ import annotations

import numpy as np

SHAPE_CLASSES = ("circle", "square", "triangle", "cross")


def _rotated(dx: np.ndarray, dy: np.ndarray, angle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (u, v) of the offsets (dx, dy) in a frame rotated by ``angle`` (radians)."""
    c, s = np.cos(angle), np.sin(angle)
    return c * dx + s * dy, -s * dx + c * dy


def _masks(dx: np.ndarray, dy: np.ndarray, r: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Boolean masks of all four shapes, shape (4, n, size, size), for offsets from each centre.

    ``r`` is the shape's "radius": the circle's radius, the square's half-diagonal scale,
    the triangle's circumradius, the cross's arm length.
    """
    u, v = _rotated(dx, dy, angle)
    circle = dx ** 2 + dy ** 2 <= r ** 2
    half = 0.8 * r
    square = (np.abs(u) <= half) & (np.abs(v) <= half)
    # An equilateral triangle of circumradius r: inside all three half-planes whose normals
    # point at 90, 210 and 330 degrees (in the rotated frame) at distance r / 2 (the inradius).
    triangle = np.ones_like(circle)
    for k in range(3):
        phi = np.pi / 2 + 2 * np.pi * k / 3
        triangle &= u * np.cos(phi) + v * np.sin(phi) <= r / 2
    width = 0.28 * r
    cross = ((np.abs(u) <= width) & (np.abs(v) <= r)) | ((np.abs(v) <= width) & (np.abs(u) <= r))
    return np.stack([circle, square, triangle, cross])


def make_shapes(n: int, seed: int, size: int = 32, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images of circles, squares, triangles and crosses, with their labels.

    Inputs:
    - n: number of images (>= 0).
    - seed: any integer; the same arguments always give the same data.
    - size: side of the square images in pixels (>= 8).
    - noise: standard deviation of the additive Gaussian pixel noise (>= 0).

    Returns ``(x, y)``:
    - x: float32 array of shape (n, 1, size, size), roughly in [0, 1] (noise may leave it);
    - y: int64 array of shape (n,), the class index into ``SHAPE_CLASSES``. The classes are
      balanced (each appears n // 4 or n // 4 + 1 times) in a random order.
    """
    if isinstance(n, bool) or int(n) != n or n < 0:
        raise ValueError(f"n must be an integer >= 0, got {n!r}")
    if isinstance(size, bool) or int(size) != size or size < 8:
        raise ValueError(f"size must be an integer >= 8, got {size!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    n, size = int(n), int(size)
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % len(SHAPE_CLASSES)).astype(np.int64)

    shape = (n, 1, 1)
    r = rng.uniform(0.17, 0.36, shape) * size
    # Keep the whole shape inside the image: the centre is at least r (+1 px) from each edge.
    cx = r + 1 + rng.uniform(0, 1, shape) * (size - 2 * r - 2)
    cy = r + 1 + rng.uniform(0, 1, shape) * (size - 2 * r - 2)
    angle = rng.uniform(0, 2 * np.pi, shape)
    foreground = rng.uniform(0.6, 1.0, shape)
    background = rng.uniform(0.0, 0.3, shape)

    grid = np.arange(size, dtype=np.float64) + 0.5          # pixel centres
    dx = grid[None, None, :] - cx
    dy = grid[None, :, None] - cy
    inside = np.take_along_axis(_masks(dx, dy, r, angle), y[None, :, None, None], axis=0)[0]

    images = np.where(inside, foreground, background)
    images = images + noise * rng.standard_normal(images.shape)
    return images[:, None].astype(np.float32), y


def make_xor(n: int, seed: int, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: points near the four corners of the square [-1, 1]^2.

    Returns ``(x, y)``: x float64 (n, 2); y int64 (n,), 1 when the signs of the two
    coordinates differ (corners (-1, 1) and (1, -1)), else 0. No line separates the classes.
    """
    if isinstance(n, bool) or int(n) != n or n < 0:
        raise ValueError(f"n must be an integer >= 0, got {n!r}")
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(int(n), 2)) * 2 - 1
    x = corners + noise * rng.standard_normal((int(n), 2))
    y = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return x.astype(np.float64), y
