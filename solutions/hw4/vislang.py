"""HW4 reference solution, part 3: vision and language, with torch (lecture "Vision and Language").

The same recipe as audio-visual correspondence, with captions instead of soundtracks:

* CLIP: an image encoder and a text encoder are trained so that an image and its caption
  have a high cosine similarity and mismatched pairs of the batch a low one (symmetric
  InfoNCE), with a learnable "logit scale" (the inverse temperature) clamped at 100.
* Zero-shot classification: with no training on the labels, write a prompt per class ("a
  photo of a dog"), embed it with the text encoder, and give each image the class whose
  text embedding is the most similar. Several prompts per class are averaged ("prompt
  ensembling") after normalising each one.
* Visual question answering: the question's embedding attends over the image's region
  features (scaled dot-product softmax attention); the attention-weighted sum of the
  regions is what the answer is read from. Masks remove padding regions.

Conventions: inputs are torch tensors (float32 or float64; results keep that dtype), losses
are 0-d tensors differentiable with respect to their inputs. Bad arguments raise
``ValueError`` with a message that names the argument.
"""
import math

import torch
import torch.nn.functional as F

# Norms below this count as zero (as torch.nn.functional.normalize): a zero vector stays zero.
EPS = 1e-8
# CLIP clamps its logit scale so that exp(logit_scale) <= 100 (training is unstable above).
MAX_SCALE = 100.0


def _unit(x, dim=-1):
    """``x`` scaled to unit L2 norm along ``dim`` (an all-zero vector stays zero)."""
    return x / x.norm(dim=dim, keepdim=True).clamp_min(EPS)


def clip_contrastive_loss(image_emb, text_emb, logit_scale):
    """CLIP's symmetric contrastive loss between B images and their B captions.

    Lecture idea: the caption that came with an image is its positive; the other B - 1
    captions of the batch are negatives, and the same holds the other way round.

        s = min(exp(logit_scale), 100)          (CLIP learns log(1 / temperature), clamped)
        logits[i, j] = s * cos(image_i, text_j)
        loss = (CE(rows of logits, targets i) + CE(columns of logits, targets j)) / 2

    where CE is the mean cross-entropy (torch's F.cross_entropy): a row asks "which caption
    goes with this image?", a column "which image goes with this caption?". The scale is
    learned as a log (so it stays positive) and clamped as in CLIP: above log(100) the loss
    does not depend on logit_scale (its gradient is 0 there).

    Inputs:
    - image_emb, text_emb: (B, D) tensors of the same shape. Their lengths do not matter
      (cosine similarity).
    - logit_scale: a 0-d tensor, usually learnable (1 / temperature = exp(logit_scale)).

    Returns: a 0-d tensor, differentiable w.r.t. image_emb, text_emb and logit_scale.
    Graded on its value and all three gradients against autograd of the formula above.

    Raises:
    - ValueError naming `text_emb` if image_emb is not 2-D or text_emb does not have its
      shape.
    - ValueError naming `logit_scale` if it is not 0-d.
    """
    if image_emb.ndim != 2 or text_emb.shape != image_emb.shape:
        raise ValueError(f"image_emb {tuple(image_emb.shape)} and text_emb {tuple(text_emb.shape)} "
                         f"must both be (B, D)")
    if logit_scale.ndim != 0:
        raise ValueError(f"logit_scale must be a 0-d tensor, got shape {tuple(logit_scale.shape)}")
    scale = logit_scale.exp().clamp(max=MAX_SCALE)
    logits = scale * (_unit(image_emb) @ _unit(text_emb).T)
    targets = torch.arange(logits.shape[0], device=logits.device)
    return 0.5 * (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets))


def zero_shot_classify(image_emb, class_text_emb):
    """Zero-shot classification with prompt ensembling: each image gets the most similar class.

    Lecture idea: a text encoder turns "a photo of a {class}" into a classifier weight, so
    new classes need no labelled images.

    1. Normalise every prompt embedding to unit length (a zero vector stays zero).
    2. Average the P prompts of each class and normalise the average again: every prompt
       counts the same, whatever its length.
    3. scores[n, k] = cos(image_emb[n], class k's averaged embedding), in [-1, 1].
    4. labels[n] = argmax_k scores[n, k]; in a tie, the LOWEST class index wins.

    Inputs:
    - image_emb: (N, D) tensor.
    - class_text_emb: (K, P, D) tensor with P prompts per class, or (K, D) for one prompt
      per class.

    Returns: (labels, scores): labels an int64 tensor (N,), scores a (N, K) tensor.

    Raises:
    - ValueError naming `class_text_emb` if it is not (K, P, D) or (K, D), or its last size
      is not the D of image_emb (or image_emb is not (N, D)).
    """
    if class_text_emb.ndim == 2:
        class_text_emb = class_text_emb[:, None, :]
    if image_emb.ndim != 2 or class_text_emb.ndim != 3 or class_text_emb.shape[-1] != image_emb.shape[1]:
        raise ValueError(f"class_text_emb {tuple(class_text_emb.shape)} must be (K, P, D) or (K, D) with the D "
                         f"of image_emb {tuple(image_emb.shape)}, which must be (N, D)")
    classes = _unit(_unit(class_text_emb).mean(dim=1))
    scores = _unit(image_emb) @ classes.T
    # torch.argmax returns the first maximal index: the lowest class in a tie.
    return scores.argmax(dim=1), scores


def attention_pool(region_features, query, mask=None):
    """Softmax attention of a question over image regions, and the attended feature.

    Lecture idea: to answer "what colour is the cat?" look at the regions that match the
    question; scaled dot-product attention does it softly and differentiably.

        scores[b, r] = <region_features[b, r], query[b]> / sqrt(D)
        weights[b]   = softmax of scores[b] over the regions r with mask[b, r] True
        pooled[b]    = sum_r weights[b, r] * region_features[b, r]

    Rules (each is tested):
    - Masked regions (mask False: padding) get weight exactly 0, and their features do not
      change the result.
    - A row with no unmasked region gets weights 0 and pooled 0, never NaN.
    - Stable for large scores: scores of size 1000 must not overflow.
    - mask=None: every region counts.

    Inputs:
    - region_features: (B, R, D) tensor.
    - query: (B, D) tensor.
    - mask: None, or a bool tensor (B, R), True where a region is real.

    Returns: (pooled (B, D), weights (B, R)), differentiable w.r.t. region_features and query.

    Raises:
    - ValueError naming `query` if region_features is not 3-D or query is not (B, D).
    - ValueError naming `mask` if it is not a bool tensor of shape (B, R).
    """
    if region_features.ndim != 3 or query.shape != (region_features.shape[0], region_features.shape[2]):
        raise ValueError(f"query {tuple(query.shape)} must be (B, D) for region_features "
                         f"{tuple(region_features.shape)} of shape (B, R, D)")
    if mask is None:
        mask = torch.ones(region_features.shape[:2], dtype=torch.bool, device=region_features.device)
    elif mask.dtype != torch.bool or mask.shape != region_features.shape[:2]:
        raise ValueError(f"mask must be a bool tensor of shape {tuple(region_features.shape[:2])}, "
                         f"got {mask.dtype} {tuple(mask.shape)}")
    scores = torch.einsum("brd,bd->br", region_features, query) / math.sqrt(region_features.shape[2])
    scores = scores.masked_fill(~mask, -torch.inf)
    # Subtract the row maximum over the real regions; an all-masked row uses 0 (its exps are 0).
    row_max = scores.amax(dim=1, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max)).detach()
    exps = torch.exp(scores - row_max)
    total = exps.sum(dim=1, keepdim=True)
    weights = exps / torch.where(total > 0, total, torch.ones_like(total))
    pooled = torch.einsum("br,brd->bd", weights, region_features)
    return pooled, weights
