"""HW3 pretext tasks, written another way: explicit loops and arithmetic instead of lookups.

An alternative correct solution: ``cvgrade check`` grades it and it must score full marks,
so the tests reward behaviour, not the reference's implementation.
"""
import numpy as np


def relative_position_label(dy, dx):
    if dy not in (-1, 0, 1) or dx not in (-1, 0, 1) or (dy == 0 and dx == 0):
        raise ValueError(f"dy and dx must be a neighbour offset, got dy={dy}, dx={dx}")
    label = 3 * (dy + 1) + (dx + 1)          # 0..8 over the whole grid, centre = 4
    return int(label if label < 4 else label - 1)


def context_prediction_pair(image, patch, gap, rng):
    image = np.asarray(image)
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    height, width = image.shape[0], image.shape[1]
    stride = patch + gap
    if min(height, width) < 3 * patch + 2 * gap:
        raise ValueError("image is too small for a 3x3 grid of patches")
    # Choose the top-left corner of the whole 3x3 grid, then the neighbour.
    top = generator.integers(0, height - (3 * patch + 2 * gap) + 1)
    left = generator.integers(0, width - (3 * patch + 2 * gap) + 1)
    offsets = [(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1) if (a, b) != (0, 0)]
    label = int(generator.integers(8))
    cy, cx = top + stride, left + stride
    dy, dx = offsets[label]
    centre = np.array(image[cy:cy + patch, cx:cx + patch])
    neighbour = np.array(image[cy + dy * stride:cy + dy * stride + patch, cx + dx * stride:cx + dx * stride + patch])
    return centre, neighbour, label


def rotation_batch(images):
    images = np.asarray(images)
    if images.ndim < 3 or images.shape[1] != images.shape[2]:
        raise ValueError("images must be square")
    rotated, labels = [], []
    for image in images:
        current = image
        for k in range(4):
            rotated.append(current)
            labels.append(k)
            current = np.rot90(current)
    return np.array(rotated, dtype=images.dtype), np.array(labels, dtype=np.int64)


def counting_loss(whole, tiles, other, margin=10.0):
    total = [0.0] * len(whole)
    for tile in tiles:
        for j, value in enumerate(tile):
            total[j] += float(value)
    match = sum((t - float(w)) ** 2 for t, w in zip(total, whole, strict=True))
    push = sum((t - float(o)) ** 2 for t, o in zip(total, other, strict=True))
    return match + (margin - push if push < margin else 0.0)
