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

    logits[i, j] = s * cos(image_i, text_j) with s = min(exp(logit_scale), 100): the scale is
    learned as a log (it stays positive) and clamped as in CLIP, so above log(100) the loss
    no longer depends on logit_scale (its gradient is 0 there). The loss is the average of
    the cross-entropy of each row (image -> which caption?) and of each column (caption ->
    which image?), target class i for row/column i.

    Inputs: image_emb, text_emb (B, D) of the same shape; logit_scale a 0-d tensor
    (learnable: 1 / temperature = exp(logit_scale)).
    Returns: 0-d tensor, differentiable w.r.t. both embeddings and logit_scale.
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
    """Zero-shot classification: each image gets the class whose (ensembled) prompt embedding is the most similar.

    Each prompt embedding is normalised to unit length, the prompts of a class are averaged
    and the average normalised again (CLIP's prompt ensembling: every prompt counts the same,
    whatever its norm). scores[n, k] is the cosine similarity between image n and class k;
    labels[n] = argmax_k scores[n, k], ties going to the lowest class index.

    Inputs: image_emb (N, D); class_text_emb (K, P, D), P prompts per class, or (K, D) for one
    prompt per class.
    Returns: (labels, scores): labels an int64 tensor (N,), scores (N, K) in [-1, 1].
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

    scores[b, r] = <region_features[b, r], query[b]> / sqrt(D); weights = softmax over the
    regions r with mask[b, r] True (masked regions get weight exactly 0, and their features
    do not affect the result); pooled[b] = sum_r weights[b, r] region_features[b, r]. A row
    with no unmasked region gets weights 0 and pooled 0 (no NaN). Stable for large scores.

    Inputs: region_features (B, R, D); query (B, D); mask None (every region counts) or a
    bool tensor (B, R), True where a region is real.
    Returns: (pooled (B, D), weights (B, R)), differentiable w.r.t. region_features and query.
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
