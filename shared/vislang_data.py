"""Synthetic images, captions and scenes for HW4's vision-and-language part: seeded, numpy only, fast.

No encoders are downloaded: a small "world" of K concepts (cat, dog, car, ...) each has a
hidden unit vector. What an image encoder would see is a fixed random linear mix of its
concept's vector plus noise ("pixels"), and what a text encoder would see is another fixed
mix plus noise ("tokens"). A model that learns the two un-mixings with a contrastive loss
recovers a shared space in which captions, prompts and images of a concept line up, which is
what CLIP does at scale. The same arguments always give the same arrays on every machine.

``concept_world``      the concepts' hidden vectors and the two mixing matrices
``image_caption_pairs``  (pixels, tokens, labels) for n images and their captions
``class_prompts``      tokens of P prompt templates per concept, for zero-shot classification
``region_scene``       a scene of R regions (features in the shared space) and questions about them
"""
from __future__ import annotations

import numpy as np

CONCEPTS = ("cat", "dog", "car", "tree", "boat", "guitar")
TEMPLATES = ("a photo of a {}", "a blurry photo of a {}", "a drawing of a {}", "a close-up of a {}")


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def concept_world(dim: int = 16, pixel_dim: int = 24, token_dim: int = 20, seed: int = 0) -> dict:
    """The hidden concept vectors (K, dim) and the image (pixel_dim, dim) and text (token_dim, dim) mixes."""
    rng = np.random.default_rng(seed)
    return {"names": CONCEPTS, "concepts": _unit_rows(rng.standard_normal((len(CONCEPTS), dim))),
            "image_mix": rng.standard_normal((pixel_dim, dim)), "text_mix": rng.standard_normal((token_dim, dim)),
            "template_shift": 0.3 * rng.standard_normal((len(TEMPLATES), dim))}


def image_caption_pairs(world: dict, n: int = 256, noise: float = 0.3, seed: int = 1) -> tuple:
    """``n`` images and their captions: (pixels (n, pixel_dim), tokens (n, token_dim), labels (n,))."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(world["names"]), size=n)
    latent = world["concepts"][labels]
    pixels = (latent + noise * rng.standard_normal(latent.shape)) @ world["image_mix"].T
    tokens = (latent + noise * rng.standard_normal(latent.shape)) @ world["text_mix"].T
    return pixels, tokens, labels


def class_prompts(world: dict) -> tuple:
    """Tokens of every template for every concept, (K, P, token_dim), and the prompt strings."""
    latent = world["concepts"][:, None, :] + world["template_shift"][None, :, :]
    strings = [[t.format(name) for t in TEMPLATES] for name in world["names"]]
    return latent @ world["text_mix"].T, strings


def region_scene(world: dict, n_regions: int = 6, noise: float = 0.2, seed: int = 2) -> dict:
    """A scene of ``n_regions`` regions, each showing one concept, as features in the concept space.

    Returns ``{"regions": (R, dim), "labels": (R,), "questions": (K, dim)}``: question k is
    "where is the {concept k}?", embedded as the concept's vector (scaled so that attention is
    sharp); the region showing concept k should get most of its attention.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(len(world["names"]))[:n_regions]
    regions = world["concepts"][labels] + noise * rng.standard_normal((n_regions, world["concepts"].shape[1]))
    return {"regions": regions, "labels": labels, "questions": 8.0 * world["concepts"]}
