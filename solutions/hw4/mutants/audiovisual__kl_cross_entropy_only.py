"""Mutant: distillation_kl drops the teacher's entropy term (returns the cross-entropy H(p, q)).
Revealed by: the loss must be 0 when the student agrees with the teacher (the gradient is unchanged).

Otherwise an exact copy of solutions/hw4/audiovisual.py, the reference solution, part 2: learning from sound and sight together, with torch.

The lecture's audio-visual ideas, each as a small differentiable piece:

* SoundNet: a vision network (the teacher) labels video frames; a sound network (the
  student) learns to predict those labels from the soundtrack alone, by minimising
  KL(teacher || student). No human labels needed.
* Audio-visual correspondence: embeddings of a clip's audio and its frames should match each
  other and not the other clips of the batch (symmetric InfoNCE, as in CLIP).
* Sound localisation: the cosine similarity between the audio embedding and the visual
  feature at every location is a heat map of "where the sound comes from".
* Mix-and-separate: add two sounds, ask for a mask per source; the ideal ratio mask of a
  source is its share of the mixture's magnitude.
* Synchronisation: the audio lags (or leads) the video by the lag that best aligns the audio
  envelope with the visual motion.

Conventions: inputs are torch tensors (float32 or float64; results keep that dtype), losses
are 0-d tensors differentiable with respect to their inputs. Bad arguments raise
``ValueError`` with a message that names the argument.
"""
import torch
import torch.nn.functional as F

# Norms below this count as zero in the cosine similarities (as torch.nn.functional.normalize).
EPS = 1e-8


def _unit(x, dim):
    """``x`` scaled to unit L2 norm along ``dim`` (an all-zero vector stays zero)."""
    return x / x.norm(dim=dim, keepdim=True).clamp_min(EPS)


def distillation_kl(student_logits, teacher_probs):
    """SoundNet's objective: mean over the batch of KL(teacher || softmax(student_logits)).

    KL(p || q) = sum_k p_k (log p_k - log q_k), with 0 log 0 = 0: classes the teacher rules
    out (p_k = 0) contribute nothing, whatever the student says.

    Inputs:
    - student_logits: (B, K) raw scores of the sound network.
    - teacher_probs: (B, K) probability rows of the vision network (>= 0, summing to 1;
      may contain exact zeros).
    Returns: 0-d tensor, finite for any finite logits, differentiable w.r.t. student_logits.
    """
    if student_logits.ndim != 2 or teacher_probs.shape != student_logits.shape:
        raise ValueError(f"teacher_probs {tuple(teacher_probs.shape)} and student_logits "
                         f"{tuple(student_logits.shape)} must both be (B, K)")
    log_q = F.log_softmax(student_logits, dim=1)             # stable: no log(0) for large logits
    per_class = - teacher_probs * log_q
    return per_class.sum(dim=1).mean()


def av_contrastive_loss(audio_emb, visual_emb, temperature=0.07):
    """Symmetric InfoNCE between B audio and B visual embeddings; pair i is (audio i, visual i).

    logits[i, j] = cos(audio_i, visual_j) / temperature; the loss is the average of the
    cross-entropy of each row (audio -> visual: which frame goes with this sound?) and of
    each column (visual -> audio) with target class i.

    Inputs: audio_emb, visual_emb (B, D) of the same shape; temperature > 0.
    Returns: 0-d tensor, differentiable w.r.t. both embeddings.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    if audio_emb.ndim != 2 or visual_emb.shape != audio_emb.shape:
        raise ValueError(f"audio_emb {tuple(audio_emb.shape)} and visual_emb {tuple(visual_emb.shape)} "
                         f"must both be (B, D)")
    logits = _unit(audio_emb, 1) @ _unit(visual_emb, 1).T / temperature
    targets = torch.arange(logits.shape[0], device=logits.device)
    return 0.5 * (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets))


def sound_localization_map(visual_features, audio_embedding):
    """Cosine similarity between the audio embedding and the visual feature at each location.

    Inputs: visual_features (D, H, W); audio_embedding (D,).
    Returns: (H, W) tensor in [-1, 1]; 0 where the feature vector is all zeros.
    """
    if visual_features.ndim != 3:
        raise ValueError(f"visual_features must be (D, H, W), got shape {tuple(visual_features.shape)}")
    if audio_embedding.shape != visual_features.shape[:1]:
        raise ValueError(f"audio_embedding must be ({visual_features.shape[0]},), "
                         f"got shape {tuple(audio_embedding.shape)}")
    return torch.einsum("dhw,d->hw", _unit(visual_features, 0), _unit(audio_embedding, 0))


def mix_and_separate_targets(spec_a, spec_b):
    """The mix-and-separate training targets from two magnitude spectrograms.

    Returns (mixture, mask_a, mask_b): mixture = spec_a + spec_b; the ratio masks
    mask_a = spec_a / mixture and mask_b = spec_b / mixture (in [0, 1], summing to 1), and
    0.5 each where the mixture is 0 (nobody speaks: split evenly).
    Inputs: spec_a, spec_b of the same shape, >= 0.
    """
    if spec_a.shape != spec_b.shape:
        raise ValueError(f"spec_a {tuple(spec_a.shape)} and spec_b {tuple(spec_b.shape)} must have the same shape")
    for name, spec in (("spec_a", spec_a), ("spec_b", spec_b)):
        if bool((spec < 0).any()):
            raise ValueError(f"{name} must be a magnitude (>= 0), got a negative value")
    mixture = spec_a + spec_b
    silent = mixture == 0
    safe = torch.where(silent, torch.ones_like(mixture), mixture)
    half = torch.full_like(mixture, 0.5)
    mask_a = torch.where(silent, half, spec_a / safe)
    mask_b = torch.where(silent, half, spec_b / safe)
    return mixture, mask_a, mask_b


def apply_mask(mixture, mask):
    """Elementwise mixture * mask (a complex STFT keeps its phase); shapes must match."""
    if mixture.shape != mask.shape:
        raise ValueError(f"mask {tuple(mask.shape)} must have the shape of mixture {tuple(mixture.shape)}")
    return mixture * mask


def estimate_av_offset(audio_envelope, visual_motion, max_lag):
    """The lag L in [-max_lag, max_lag] maximising the normalised cross-correlation.

    For a lag L the audio sample t is paired with the visual sample t - L (over the T - |L|
    samples where both exist); the score is the Pearson correlation of the paired samples
    (0 if either side is constant). Positive L: the audio lags the video (a sound heard
    L frames after the motion that made it). Ties: the smallest lag in -max_lag..max_lag.

    Inputs: audio_envelope, visual_motion (T,); integer 0 <= max_lag <= T - 2.
    Returns: a Python int.
    """
    if audio_envelope.ndim != 1 or visual_motion.shape != audio_envelope.shape:
        raise ValueError(f"visual_motion {tuple(visual_motion.shape)} must be 1-D of the shape of "
                         f"audio_envelope {tuple(audio_envelope.shape)}")
    T = audio_envelope.shape[0]
    if isinstance(max_lag, bool) or not isinstance(max_lag, int) or not 0 <= max_lag <= T - 2:
        raise ValueError(f"max_lag must be an integer in [0, T - 2] = [0, {T - 2}], got {max_lag!r}")
    a_all, v_all = audio_envelope.double(), visual_motion.double()
    best_lag, best_score = 0, -float("inf")
    for lag in range(-max_lag, max_lag + 1):
        a = a_all[lag:] if lag >= 0 else a_all[:T + lag]
        v = v_all[:T - lag] if lag >= 0 else v_all[-lag:]
        a, v = a - a.mean(), v - v.mean()
        norm = a.norm() * v.norm()
        score = float((a @ v) / norm) if norm > 0 else 0.0
        if score > best_score:
            best_lag, best_score = lag, score
    return best_lag
