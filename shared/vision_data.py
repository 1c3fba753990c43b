"""Synthetic data for HW2 (recognition, video, tracking, interpretability): seeded, numpy only.

Everything here is generated on the fly from a seed (no downloads, no files), is the same on
every machine, and takes milliseconds. Torch is imported lazily and only by ``small_cnn``.

* ``textured_image`` / ``shifted_pair``: smooth random textures (sums of sinusoids) and the
  same texture moved by a known sub-pixel (u, v): ground truth for optical flow.
* ``detection_scene`` / ``noisy_detections``: rectangles on a noisy background with their
  ground-truth boxes, and a detector's output around them (jittered boxes, duplicates,
  false alarms, scores).
* ``poincare_tree``: a tree embedded in the Poincare disk (children further out than parents).
* ``long_range_sequences``: a toy task that needs memory (recall the first input at the end).
* ``synthetic_video``: coloured disks drifting over a few frames, with per-pixel labels.
* ``shape_images``: small RGB images of four classes (horizontal bar, vertical bar, square,
  cross) for a tiny CNN; ``small_cnn``: that CNN, built deterministically from a seed.
"""
from __future__ import annotations

import numpy as np

SHAPE_CLASSES = ("horizontal bar", "vertical bar", "square", "cross")


# ----------------------------------------------------------------------------------------
# Optical flow
# ----------------------------------------------------------------------------------------

def _texture_params(seed: int, n_waves: int = 6) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    wavelength = rng.uniform(12.0, 24.0, n_waves)
    angle = rng.uniform(0.0, np.pi, n_waves)
    freq = 2 * np.pi / wavelength
    kx, ky = freq * np.cos(angle), freq * np.sin(angle)
    phase = rng.uniform(0.0, 2 * np.pi, n_waves)
    amplitude = rng.uniform(0.5, 1.0, n_waves)
    return kx, ky, phase, amplitude / amplitude.sum()


def textured_image(shape: tuple[int, int] = (32, 32), seed: int = 0,
                   shift: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """A smooth random texture in [0, 1], float64 ``(H, W)``, its content moved by ``shift = (u, v)``.

    ``textured_image(s, seed, (u, v))[y, x] == textured_image(s, seed)`` evaluated at
    ``(x - u, y - v)``: the exact continuous texture, so sub-pixel shifts need no interpolation.
    """
    H, W = shape
    kx, ky, phase, amplitude = _texture_params(seed)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    xs, ys = xx - shift[0], yy - shift[1]
    waves = np.cos(kx[:, None, None] * xs + ky[:, None, None] * ys + phase[:, None, None])
    return 0.5 + 0.5 * np.tensordot(amplitude, waves, axes=1)


def shifted_pair(shape: tuple[int, int] = (32, 32), shift: tuple[float, float] = (0.3, -0.2),
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(frame0, frame1): a texture and the same texture moved by ``shift = (u, v)`` pixels (x, y)."""
    return textured_image(shape, seed), textured_image(shape, seed, shift)


# ----------------------------------------------------------------------------------------
# Detection
# ----------------------------------------------------------------------------------------

def detection_scene(seed: int = 0, size: int = 96, n_objects: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(image (size, size), boxes (n_objects, 4)): bright rectangles on a noisy background.

    Boxes are [x1, y1, x2, y2] with integer corners; objects do not overlap.
    """
    rng = np.random.default_rng(seed)
    image = 0.2 + 0.05 * rng.standard_normal((size, size))
    boxes: list[list[float]] = []
    while len(boxes) < n_objects:
        w, h = rng.integers(size // 8, size // 3, 2)
        x1, y1 = rng.integers(0, size - w), rng.integers(0, size - h)
        box = [float(x1), float(y1), float(x1 + w), float(y1 + h)]
        if all(box[0] >= b[2] + 2 or b[0] >= box[2] + 2 or box[1] >= b[3] + 2 or b[1] >= box[3] + 2 for b in boxes):
            boxes.append(box)
            image[y1:y1 + h, x1:x1 + w] += rng.uniform(0.5, 0.8)
    return image, np.array(boxes)


def noisy_detections(gt_boxes: np.ndarray, seed: int = 0, per_object: int = 4, false_alarms: int = 4,
                     size: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """(boxes (K, 4), scores (K,)): jittered copies of each ground-truth box plus random false alarms.

    Copies closer to the truth tend to score higher; false alarms score lower on average.
    """
    rng = np.random.default_rng(seed)
    gt_boxes = np.asarray(gt_boxes, dtype=np.float64)
    boxes, scores = [], []
    for box in gt_boxes:
        w, h = box[2] - box[0], box[3] - box[1]
        for _ in range(per_object):
            jitter = rng.normal(0.0, 0.12, 4) * np.array([w, h, w, h])
            boxes.append(box + jitter)
            scores.append(0.95 - 1.5 * np.abs(jitter / np.array([w, h, w, h])).mean() + rng.normal(0, 0.05))
    for _ in range(false_alarms):
        w, h = rng.uniform(size / 10, size / 4, 2)
        x1, y1 = rng.uniform(0, size - w), rng.uniform(0, size - h)
        boxes.append(np.array([x1, y1, x1 + w, y1 + h]))
        scores.append(rng.uniform(0.2, 0.8))
    return np.array(boxes), np.clip(np.array(scores), 0.01, 0.99)


# ----------------------------------------------------------------------------------------
# Sequences and hyperbolic geometry
# ----------------------------------------------------------------------------------------

def poincare_tree(depth: int = 3, branching: int = 3, step: float = 1.6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A tree embedded in the Poincare disk: (points (n, 2), parent (n,), level (n,)).

    The root is at the origin; every node at level l sits at hyperbolic radius ``l * step``
    (Euclidean radius tanh(l * step / 2)), spread in angle inside its parent's sector, so the
    leaves crowd towards the boundary where the disk has exponentially more room.
    """
    points, parent, level = [np.zeros(2)], [-1], [0]
    sectors = [(0.0, 2 * np.pi)]
    frontier = [0]
    for lvl in range(1, depth + 1):
        new_frontier = []
        for node in frontier:
            lo, hi = sectors[node]
            width = (hi - lo) / branching
            for k in range(branching):
                a0 = lo + k * width
                angle = a0 + width / 2
                radius = np.tanh(lvl * step / 2)
                points.append(radius * np.array([np.cos(angle), np.sin(angle)]))
                parent.append(node)
                level.append(lvl)
                sectors.append((a0, a0 + width))
                new_frontier.append(len(points) - 1)
        frontier = new_frontier
    return np.array(points), np.array(parent), np.array(level)


def long_range_sequences(n: int = 256, length: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(x (n, length, 1), y (n,)): noise sequences whose label is the sign of the FIRST input.

    The first step holds +1 or -1, the rest is small noise; a model must carry that bit
    through ``length`` steps (a vanilla RNN's gradient vanishes, an LSTM's cell keeps it).
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = 0.2 * rng.standard_normal((n, length, 1))
    x[:, 0, 0] = 2.0 * y - 1.0
    return x, y


# ----------------------------------------------------------------------------------------
# Video for tracking by colourisation
# ----------------------------------------------------------------------------------------

def synthetic_video(n_frames: int = 4, size: int = 48, n_objects: int = 3,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(frames (T, size, size, 3) RGB in [0, 1], labels (T, size, size) int): disks drifting.

    Label 0 is the background, k = 1..n_objects the k-th disk (later disks drawn on top).
    Every disk has its own colour and a constant velocity of 1-2 pixels per frame.
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    centres = rng.uniform(size * 0.25, size * 0.75, (n_objects, 2))
    velocity = rng.uniform(-2.0, 2.0, (n_objects, 2))
    radii = rng.uniform(size / 10, size / 6, n_objects)
    colours = rng.uniform(0.2, 1.0, (n_objects, 3))
    background = np.array([0.1, 0.1, 0.15])
    frames = np.empty((n_frames, size, size, 3))
    labels = np.zeros((n_frames, size, size), dtype=np.int64)
    for t in range(n_frames):
        frames[t] = background
        for k in range(n_objects):
            cx, cy = centres[k] + t * velocity[k]
            inside = (xx - cx) ** 2 + (yy - cy) ** 2 <= radii[k] ** 2
            frames[t][inside] = colours[k]
            labels[t][inside] = k + 1
    frames += 0.02 * rng.standard_normal(frames.shape)
    return np.clip(frames, 0.0, 1.0), labels


# ----------------------------------------------------------------------------------------
# A tiny CNN and its data (interpretability)
# ----------------------------------------------------------------------------------------

def shape_images(n: int = 200, size: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(images (n, 3, size, size) float32 in [0, 1], labels (n,) int64) of SHAPE_CLASSES.

    A coloured shape at a random position on a dark noisy background.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(SHAPE_CLASSES), n)
    images = 0.1 + 0.05 * rng.standard_normal((n, 3, size, size))
    yy, xx = np.mgrid[0:size, 0:size]
    for idx, label in enumerate(labels):
        cy, cx = rng.integers(4, size - 4, 2)
        half = rng.integers(2, 4)
        dy, dx = np.abs(yy - cy), np.abs(xx - cx)
        if label == 0:
            mask = (dy <= 1) & (dx <= half + 2)
        elif label == 1:
            mask = (dx <= 1) & (dy <= half + 2)
        elif label == 2:
            mask = (dy <= half) & (dx <= half)
        else:
            mask = ((dy <= 0) & (dx <= half + 1)) | ((dx <= 0) & (dy <= half + 1))
        colour = rng.uniform(0.6, 1.0, 3)
        images[idx][:, mask] = colour[:, None]
    return np.clip(images, 0.0, 1.0).astype(np.float32), labels.astype(np.int64)


def small_cnn(num_classes: int = 4, in_channels: int = 3, seed: int = 0, width: int = 8):
    """A tiny CNN classifier (torch.nn.Sequential), weights drawn from ``torch.manual_seed(seed)``.

    conv3x3 -> ReLU -> maxpool2 -> conv3x3 -> ReLU -> global average pool -> linear, with
    ``torch.nn.ReLU`` modules (not in-place). Takes (B, in_channels, H, W) images with even
    H and W >= 4; returns logits (B, num_classes). Built in eval mode.
    """
    import torch
    from torch import nn

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2 * width, num_classes),
        )
    return model.eval()
