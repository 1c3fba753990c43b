"""HW4 audiovisual.py written another way: hand-made log-sum-exp, masks by arithmetic,
F.cosine_similarity, and all lags of the offset search at once.
"""
import torch
import torch.nn.functional as F


def distillation_kl(student_logits, teacher_probs):
    if student_logits.shape != teacher_probs.shape or student_logits.dim() != 2:
        raise ValueError("student_logits and teacher_probs must both be (B, K)")
    shifted = student_logits - student_logits.max(dim=1, keepdim=True).values
    log_q = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
    positive = teacher_probs > 0
    safe_p = torch.where(positive, teacher_probs, torch.ones_like(teacher_probs))
    terms = torch.where(positive, teacher_probs * (torch.log(safe_p) - log_q), torch.zeros_like(log_q))
    return terms.sum() / student_logits.shape[0]


def av_contrastive_loss(audio_emb, visual_emb, temperature=0.07):
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    if audio_emb.shape != visual_emb.shape or audio_emb.dim() != 2:
        raise ValueError(f"visual_emb must have the shape of audio_emb, got {tuple(visual_emb.shape)} "
                         f"and {tuple(audio_emb.shape)}")
    a = F.normalize(audio_emb, dim=1, eps=1e-8)
    v = F.normalize(visual_emb, dim=1, eps=1e-8)
    sim = (a[:, None, :] * v[None, :, :]).sum(dim=-1) / temperature
    diag = torch.diagonal(sim)
    a2v = torch.logsumexp(sim, dim=1) - diag
    v2a = torch.logsumexp(sim, dim=0) - diag
    return (a2v.mean() + v2a.mean()) / 2


def sound_localization_map(visual_features, audio_embedding):
    if visual_features.dim() != 3:
        raise ValueError("visual_features must be (D, H, W)")
    D, H, W = visual_features.shape
    if tuple(audio_embedding.shape) != (D,):
        raise ValueError(f"audio_embedding must have shape ({D},)")
    flat = visual_features.reshape(D, H * W).T                       # (HW, D)
    a = F.normalize(audio_embedding, dim=0, eps=1e-8)
    v = F.normalize(flat, dim=1, eps=1e-8)
    return (v @ a).reshape(H, W)


def mix_and_separate_targets(spec_a, spec_b):
    if spec_a.shape != spec_b.shape:
        raise ValueError("spec_a and spec_b must have the same shape")
    if (spec_a < 0).any():
        raise ValueError("spec_a has negative entries")
    if (spec_b < 0).any():
        raise ValueError("spec_b has negative entries")
    mixture = spec_a + spec_b
    silent = (mixture == 0).to(mixture.dtype)
    denominator = mixture + silent                                   # 1 where silent
    mask_a = spec_a / denominator + 0.5 * silent
    mask_b = spec_b / denominator + 0.5 * silent
    return mixture, mask_a, mask_b


def apply_mask(mixture, mask):
    if tuple(mask.shape) != tuple(mixture.shape):
        raise ValueError("mask must match the shape of mixture")
    return torch.mul(mixture, mask)


def estimate_av_offset(audio_envelope, visual_motion, max_lag):
    T = len(audio_envelope)
    if visual_motion.shape != audio_envelope.shape or audio_envelope.dim() != 1:
        raise ValueError("visual_motion must be a 1-D tensor like audio_envelope")
    if not isinstance(max_lag, int) or max_lag < 0 or max_lag > T - 2:
        raise ValueError(f"max_lag must be in 0..{T - 2}, got {max_lag}")
    a, v = audio_envelope.to(torch.float64), visual_motion.to(torch.float64)
    scores = []
    for lag in range(-max_lag, max_lag + 1):
        x = a[max(lag, 0):T + min(lag, 0)]
        y = v[max(-lag, 0):T - max(lag, 0)]
        x = x - x.mean()
        y = y - y.mean()
        denominator = torch.sqrt((x * x).sum() * (y * y).sum())
        scores.append(torch.where(denominator > 0, (x * y).sum() / denominator, torch.zeros(())))
    return int(torch.argmax(torch.stack(scores))) - max_lag
