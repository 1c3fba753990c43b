"""HW4 vislang.py written another way: explicit log-sum-exp, loops over classes and rows, F.normalize."""
import torch
import torch.nn.functional as F


def clip_contrastive_loss(image_emb, text_emb, logit_scale):
    if text_emb.shape != image_emb.shape or image_emb.dim() != 2:
        raise ValueError("text_emb must have the (B, D) shape of image_emb")
    if logit_scale.dim() != 0:
        raise ValueError("logit_scale must be a scalar tensor")
    scale = torch.minimum(torch.exp(logit_scale), torch.tensor(100.0, dtype=logit_scale.dtype))
    sim = F.normalize(image_emb, dim=1) @ F.normalize(text_emb, dim=1).t()
    logits = sim * scale
    diagonal = torch.diagonal(logits)
    image_to_text = torch.logsumexp(logits, dim=1) - diagonal
    text_to_image = torch.logsumexp(logits, dim=0) - diagonal
    return (image_to_text.sum() + text_to_image.sum()) / (2 * logits.shape[0])


def zero_shot_classify(image_emb, class_text_emb):
    if class_text_emb.shape[-1] != image_emb.shape[-1] or class_text_emb.dim() not in (2, 3):
        raise ValueError("class_text_emb must be (K, P, D) or (K, D) with image_emb's D")
    prompts = class_text_emb if class_text_emb.dim() == 3 else class_text_emb.unsqueeze(1)
    images = F.normalize(image_emb, dim=1)
    columns = []
    for k in range(prompts.shape[0]):
        centroid = F.normalize(prompts[k], dim=1).sum(dim=0)       # the sum: same direction as the mean
        columns.append(images @ F.normalize(centroid, dim=0))
    scores = torch.stack(columns, dim=1)
    labels = []
    for row in scores:
        best = 0
        for k in range(1, row.shape[0]):
            if row[k] > row[best]:
                best = k
        labels.append(best)
    return torch.tensor(labels, dtype=torch.int64), scores


def attention_pool(region_features, query, mask=None):
    B, R, D = region_features.shape
    if query.shape != (B, D):
        raise ValueError(f"query must be ({B}, {D}), got {tuple(query.shape)}")
    if mask is not None and (mask.dtype != torch.bool or mask.shape != (B, R)):
        raise ValueError(f"mask must be a ({B}, {R}) bool tensor")
    pooled, weights = [], []
    for b in range(B):
        keep = torch.ones(R, dtype=torch.bool) if mask is None else mask[b]
        w = torch.zeros(R, dtype=region_features.dtype)
        if keep.any():
            scores = (region_features[b][keep] * query[b]).sum(dim=1) / D ** 0.5
            w = w.masked_scatter(keep, torch.softmax(scores, dim=0))
        weights.append(w)
        pooled.append((w[:, None] * region_features[b]).sum(dim=0))
    return torch.stack(pooled), torch.stack(weights)
