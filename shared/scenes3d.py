"""Synthetic 3D data for HW5 (3D vision): numpy only, deterministic per seed, fast.

* ``random_dot_stereogram``: Julesz's random-dot pair with a square floating in front of the
  background, and its true disparity map (depth without recognition).
* ``lambertian_sphere``: a sphere rendered under distant point lights with Lambertian shading,
  with its true normals and albedo (photometric stereo).
* ``box_mesh``: the triangle mesh of an axis-aligned box (mesh area and sampling).
* ``shape_point_cloud`` / ``shape_dataset``: surface point clouds of spheres, cubes, cylinders
  and cones (PointNet classification).

Conventions: images are ``(H, W)``, axis 0 is y (rows, down), axis 1 is x (columns, right).
Normals and light directions are in the camera frame: +x right, +y up, +z towards the viewer.
"""
from __future__ import annotations

import numpy as np

SHAPE_CLASSES = ("sphere", "cube", "cylinder", "cone")


def random_dot_stereogram(height=64, width=64, disparity=4, square=None, density=0.5, seed=0):
    """A random-dot stereo pair: a square of dots at disparity ``disparity`` over a background at 0.

    The left image is random dots. The right image shows the background at the same place and
    the square shifted LEFT by ``disparity`` pixels (right pixel (y, x - d) sees left pixel
    (y, x)); the strip the square uncovers in the right image gets fresh random dots.

    Inputs:
    - height, width: image size.
    - disparity: integer >= 0, the square's shift.
    - square: (y0, y1, x0, x1), the square's extent in the LEFT image (half-open); default the
      centred square of half the image size.
    - density: the fraction of white dots.
    - seed: the random seed.

    Returns (left, right, true_disparity): two float64 (H, W) images with values in {0, 1} and
    an int64 (H, W) map, ``disparity`` inside the square, 0 on the background and -1 on the
    left pixels that the square hides in the right image (occluded: no correct answer).
    """
    rng = np.random.default_rng(seed)
    d = int(disparity)
    if square is None:
        square = (height // 4, height - height // 4, width // 4, width - width // 4)
    y0, y1, x0, x1 = square
    if x0 - d < 0:
        raise ValueError("square: shifted square leaves the image")
    left = (rng.random((height, width)) < density).astype(np.float64)
    right = left.copy()
    right[y0:y1, x0 - d:x1 - d] = left[y0:y1, x0:x1]
    if d > 0:
        right[y0:y1, x1 - d:x1] = (rng.random((y1 - y0, d)) < density).astype(np.float64)
    truth = np.zeros((height, width), dtype=np.int64)
    truth[y0:y1, x0 - d:x0] = -1
    truth[y0:y1, x0:x1] = d
    return left, right, truth


def lambertian_sphere(light_dirs, size=32, radius=0.9, albedo=None, seed=0):
    """Images of a Lambertian sphere (orthographic view) under distant point lights.

    The sphere of radius ``radius`` (in units of half the image size) is centred in a
    ``size x size`` image. Pixel (i, j) has image coordinates x = (j + 0.5) / (size / 2) - 1
    (right) and y = 1 - (i + 0.5) / (size / 2) (up); on the sphere its normal is
    (x, y, sqrt(r^2 - x^2 - y^2)) / r. Intensity: albedo * max(0, normal . light).

    Inputs:
    - light_dirs: (K, 3) light directions (normalised here).
    - size: image side.
    - radius: sphere radius, in (0, 1].
    - albedo: None (a smooth random albedo in [0.3, 1] from ``seed``), a number, or (size, size).
    - seed: seed for the random albedo.

    Returns (images (K, size, size), normals (size, size, 3), albedo (size, size), mask
    (size, size) bool): float64; off the sphere the normals are (0, 0, 1) and the albedo 0.
    """
    lights = np.asarray(light_dirs, dtype=np.float64)
    lights = lights / np.linalg.norm(lights, axis=1, keepdims=True)
    coords = (np.arange(size) + 0.5) / (size / 2) - 1.0
    x = coords[None, :].repeat(size, axis=0)
    y = -coords[:, None].repeat(size, axis=1)
    rho2 = x**2 + y**2
    mask = rho2 < radius**2
    z = np.sqrt(np.clip(radius**2 - rho2, 0.0, None))
    normals = np.stack([x, y, z], axis=-1) / radius
    normals[~mask] = (0.0, 0.0, 1.0)
    if albedo is None:
        rng = np.random.default_rng(seed)
        a, b, c = rng.uniform(1.0, 3.0, size=3)
        albedo = 0.65 + 0.35 * np.sin(a * x + b * y + c) * np.cos(b * x - a * y)
    albedo = np.broadcast_to(np.asarray(albedo, dtype=np.float64), (size, size)).copy()
    albedo[~mask] = 0.0
    shading = np.clip(np.einsum("hwc,kc->khw", normals, lights), 0.0, None)
    images = albedo[None] * shading
    return images, normals, albedo, mask


def box_mesh(half_extents=(1.0, 1.0, 1.0)):
    """Triangle mesh of the box [-hx, hx] x [-hy, hy] x [-hz, hz]: 8 vertices, 12 faces.

    Returns (vertices (8, 3) float64, faces (12, 3) int64), faces wound counter-clockwise seen
    from outside.
    """
    h = np.asarray(half_extents, dtype=np.float64)
    corners = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], dtype=np.float64)
    faces = np.array([[0, 1, 3], [0, 3, 2],      # x = -1
                      [4, 6, 7], [4, 7, 5],      # x = +1
                      [0, 4, 5], [0, 5, 1],      # y = -1
                      [2, 3, 7], [2, 7, 6],      # y = +1
                      [0, 2, 6], [0, 6, 4],      # z = -1
                      [1, 5, 7], [1, 7, 3]], dtype=np.int64)   # z = +1
    return corners * h, faces


def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def shape_point_cloud(kind, n_points=128, seed=0, noise=0.01):
    """``n_points`` points on the surface of a random instance of a shape class.

    Inputs:
    - kind: one of SHAPE_CLASSES ("sphere", "cube", "cylinder", "cone").
    - n_points: number of points.
    - seed: seed of the instance (size, proportions, rotation about the vertical axis,
      offset, noise).
    - noise: standard deviation of the Gaussian jitter added to every point.

    Returns (n_points, 3) float64, centred near the origin with extent about 1.
    """
    rng = np.random.default_rng(seed)
    n = int(n_points)
    if kind == "sphere":
        pts = _unit(rng.normal(size=(n, 3)))
    elif kind == "cube":
        pts = rng.uniform(-1.0, 1.0, size=(n, 3))
        axis = rng.integers(0, 3, size=n)
        pts[np.arange(n), axis] = rng.choice([-1.0, 1.0], size=n)
    elif kind == "cylinder":
        # side (area 2 pi * 2) and two caps (area pi each), area-weighted
        part = rng.choice(3, size=n, p=[2 / 3, 1 / 6, 1 / 6])
        phi = rng.uniform(0, 2 * np.pi, size=n)
        r = np.where(part == 0, 1.0, np.sqrt(rng.random(n)))
        z = np.where(part == 0, rng.uniform(-1, 1, size=n), np.where(part == 1, -1.0, 1.0))
        pts = np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)
    elif kind == "cone":
        # apex at z = +1, base disc of radius 1 at z = -1; side area pi*sqrt(5), base pi
        side = rng.random(n) < np.sqrt(5) / (1 + np.sqrt(5))
        phi = rng.uniform(0, 2 * np.pi, size=n)
        s = np.sqrt(rng.random(n))                  # uniform over the side / the disc
        z = np.where(side, 1.0 - 2.0 * s, -1.0)
        pts = np.stack([s * np.cos(phi), s * np.sin(phi), z], axis=1)
    else:
        raise ValueError(f"kind must be one of {SHAPE_CLASSES}, got {kind!r}")
    scale = rng.uniform(0.7, 1.0) * rng.uniform(0.85, 1.15, size=3)
    pts = pts * scale
    angle = rng.uniform(0, 2 * np.pi)                 # rotation about the vertical (y) axis
    c, s_ = np.cos(angle), np.sin(angle)
    rot = np.array([[c, 0.0, s_], [0.0, 1.0, 0.0], [-s_, 0.0, c]])
    pts = pts[:, [0, 2, 1]] @ rot.T                   # the shape's axis (z) becomes y (up)
    pts = pts + rng.normal(scale=0.05, size=3) + rng.normal(scale=noise, size=pts.shape)
    return pts


def shape_dataset(n_per_class=50, n_points=128, seed=0, noise=0.01):
    """A shuffled, class-balanced dataset of shape point clouds.

    Returns (points (M, n_points, 3) float32, labels (M,) int64), M = 4 * n_per_class, labels
    index SHAPE_CLASSES. Different seeds give disjoint instances.
    """
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**63 - 1, size=(len(SHAPE_CLASSES), n_per_class))
    clouds, labels = [], []
    for label, kind in enumerate(SHAPE_CLASSES):
        for s in seeds[label]:
            clouds.append(shape_point_cloud(kind, n_points, seed=int(s), noise=noise))
            labels.append(label)
    order = rng.permutation(len(labels))
    return np.stack(clouds)[order].astype(np.float32), np.asarray(labels, dtype=np.int64)[order]
