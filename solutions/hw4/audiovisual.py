"""HW4 reference solution, part 2: learning from sound and sight together, with torch.

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
    """SoundNet's teacher-student objective: mean over the batch of KL(teacher || student).

        KL(p || q) = sum_k p_k (log p_k - log q_k),   q = softmax(student_logits)

    The direction matters: the teacher's distribution p comes first (the student must cover
    every class the teacher finds plausible). By convention 0 log 0 = 0: classes the teacher
    rules out (p_k = 0) contribute nothing, whatever the student says. Beware: 0 * log(0) is
    0 * (-inf) = NaN in floating point.

    Inputs:
    - student_logits: (B, K) tensor, raw scores of the sound network.
    - teacher_probs: (B, K) tensor, each row a probability distribution (>= 0, summing to 1)
      from the vision network. It may contain EXACT ZEROS.

    Returns: 0-d tensor (the KL summed over classes, averaged over the batch), finite for any
    finite logits (even of size 1000), differentiable w.r.t. student_logits.

    Raises:
    - ValueError naming `student_logits` and `teacher_probs` if student_logits is not 2-D or
      teacher_probs does not have its shape.
    """
    if student_logits.ndim != 2 or teacher_probs.shape != student_logits.shape:
        raise ValueError(f"teacher_probs {tuple(teacher_probs.shape)} and student_logits "
                         f"{tuple(student_logits.shape)} must both be (B, K)")
    log_q = F.log_softmax(student_logits, dim=1)             # stable: no log(0) for large logits
    per_class = torch.xlogy(teacher_probs, teacher_probs) - teacher_probs * log_q
    return per_class.sum(dim=1).mean()


def av_contrastive_loss(audio_emb, visual_emb, temperature=0.07):
    """Symmetric InfoNCE: audio i and visual i are a positive pair, all other pairs negatives.

        logits[i, j] = cos(audio_emb[i], visual_emb[j]) / temperature
        loss = (CE(logits, targets) + CE(logits.T, targets)) / 2,   targets = [0, 1, ..., B-1]

    where CE is the mean cross-entropy over the rows: rows of logits ask "which frame goes
    with this sound?" (audio -> visual), rows of logits.T "which sound goes with this frame?"
    (visual -> audio).

    Inputs:
    - audio_emb, visual_emb: (B, D) tensors of the same shape.
    - temperature: a number > 0; the cosines are divided by it.

    Returns: 0-d tensor, differentiable w.r.t. both embeddings.

    Raises:
    - ValueError naming `temperature` if it is not > 0.
    - ValueError naming `visual_emb` if audio_emb is not 2-D or visual_emb does not have its
      shape (e.g. f"audio_emb {shape} and visual_emb {shape} must both be (B, D)").
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
    """Where is the sound? The cosine similarity of the audio embedding with every location.

        heat[h, w] = <v[:, h, w], a> / (|v[:, h, w]| |a|)

    Inputs:
    - visual_features: (D, H, W) tensor, a D-dimensional feature at every location of the
      frame.
    - audio_embedding: (D,) tensor.

    Returns: (H, W) tensor with values in [-1, 1]. Where a feature vector is all zeros the
    similarity is 0 (normalise as F.normalize does: divide by max(norm, 1e-8)).

    Raises:
    - ValueError naming `visual_features` if it is not 3-D.
    - ValueError naming `audio_embedding` if its shape is not (D,).
    """
    if visual_features.ndim != 3:
        raise ValueError(f"visual_features must be (D, H, W), got shape {tuple(visual_features.shape)}")
    if audio_embedding.shape != visual_features.shape[:1]:
        raise ValueError(f"audio_embedding must be ({visual_features.shape[0]},), "
                         f"got shape {tuple(audio_embedding.shape)}")
    return torch.einsum("dhw,d->hw", _unit(visual_features, 0), _unit(audio_embedding, 0))


def mix_and_separate_targets(spec_a, spec_b):
    """The training targets of mix-and-separate, from two magnitude spectrograms.

    Lecture idea: mixing two recordings gives a free supervised task: the network sees the
    mixture (and the video of one source) and must predict that source's share of each bin.

    Inputs:
    - spec_a, spec_b: tensors of the same shape, magnitudes >= 0.

    Returns: a tuple (mixture, mask_a, mask_b) of tensors of the input shape:
    - mixture = spec_a + spec_b;
    - mask_a = spec_a / mixture and mask_b = spec_b / mixture: ratio masks in [0, 1] that
      sum to 1;
    - where the mixture is 0 (both silent) both masks are 0.5 (split evenly: no NaN from
      0 / 0, and no epsilon in the denominator: elsewhere the masks are the exact ratios).

    Raises:
    - ValueError naming `spec_a` and `spec_b` if their shapes differ.
    - ValueError naming `spec_a` or `spec_b`, whichever has it, if it holds a negative value.
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
    """Separate a source: the elementwise product mixture * mask.

    Inputs:
    - mixture: a magnitude spectrogram OR a complex STFT. A complex mixture keeps its phase:
      do not take its magnitude (the masked STFT is inverted back to a waveform).
    - mask: a real tensor of the mixture's shape.

    Returns: a tensor of the mixture's shape and dtype.

    Raises:
    - ValueError naming `mask` if its shape is not the mixture's.
    """
    if mixture.shape != mask.shape:
        raise ValueError(f"mask {tuple(mask.shape)} must have the shape of mixture {tuple(mixture.shape)}")
    return mixture * mask


def estimate_av_offset(audio_envelope, visual_motion, max_lag):
    """The audio-visual offset: the lag that best aligns the audio envelope with the motion.

    For each integer lag L in [-max_lag, max_lag] (both ends included), pair audio sample t
    with visual sample t - L over the T - |L| samples where both exist:
        L >= 0:  audio_envelope[L:]        with  visual_motion[:T - L]
        L <  0:  audio_envelope[:T + L]    with  visual_motion[-L:]
    and score the pairing by the Pearson correlation of the two segments (subtract each
    segment's mean, divide by the product of their norms; a score of 0 if either segment is
    constant). Return the lag with the highest score; in a tie the smallest lag, the first
    in the order -max_lag, ..., max_lag. Positive lags mean the audio lags the video (the
    sound is heard L frames after the motion that made it).

    Why normalise: a raw dot product prefers lags with more overlap and is dominated by
    constant offsets (a loud background hum, a bright frame).

    Inputs:
    - audio_envelope, visual_motion: (T,) tensors of the same shape.
    - max_lag: an integer with 0 <= max_lag <= T - 2 (at least two samples overlap).

    Returns: a Python int.

    Raises:
    - ValueError naming `visual_motion` if audio_envelope is not 1-D or visual_motion does
      not have its shape.
    - ValueError naming `max_lag` if it is not an integer with 0 <= max_lag <= T - 2.
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
