"""HW4, part 2: learning from sound and sight together, with torch.

Fill in every function marked TODO. torch is allowed here (not torchaudio or librosa). Each
function is one idea of the lecture:

* SoundNet: a vision network (the teacher) labels video frames; a sound network (the student)
  learns to predict those labels from the soundtrack alone, by minimising
  KL(teacher || student). Unlabelled video becomes supervision for sound.
* Audio-visual correspondence: the embedding of a clip's audio should match the embedding of
  its own frames, not those of the other clips in the batch (symmetric InfoNCE).
* Sound localisation: the cosine similarity between the audio embedding and the visual
  feature at every location is a heat map of where the sound comes from.
* Mix-and-separate: add two sounds and learn a mask per source; the ideal ratio mask of a
  source is its share of the mixture.
* Synchronisation: find the lag that best aligns the audio envelope with the visual motion.

Conventions for every function in this file:

* Inputs are torch tensors (float32 or float64; keep the input's dtype, do not convert to
  float32 or to numpy). Losses return 0-d tensors that autograd can differentiate with
  respect to their inputs: use torch operations only, never .item(), .numpy() or .detach()
  inside a loss.
* The tests call your functions through tests/probes.py, which converts their numpy arrays
  into tensors; run them with ``pytest tests/test_audiovisual.py``.
* Bad arguments raise ``ValueError`` whose message names the argument.

You may add your own private helper functions (names starting with ``_``).
"""
import torch  # noqa: F401 - you will need it
import torch.nn.functional as F  # noqa: F401 - you will want log_softmax and cross_entropy


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
    # TODO
    # Hint: log q = F.log_softmax(student_logits, dim=1) is stable; torch.log(torch.softmax(...))
    #   gives -inf when a probability underflows to 0.
    # Hint: torch.xlogy(p, p) computes p log p with 0 log 0 = 0.
    # Hint: gradient check: d loss / d logits = (softmax(logits) - teacher) / B.
    raise NotImplementedError("distillation_kl: not implemented yet")


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
    # TODO
    # Hint: cosine similarity = dot product of L2-normalised rows (F.normalize(x, dim=1));
    #   F.cross_entropy(logits, targets) averages over the batch.
    raise NotImplementedError("av_contrastive_loss: not implemented yet")


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
    # TODO
    # Hint: normalise along the feature axis (axis 0 of the features), then one einsum or a
    #   broadcast multiply and sum over axis 0.
    raise NotImplementedError("sound_localization_map: not implemented yet")


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
    # TODO
    # Hint: torch.where(condition, a, b) picks elementwise; divide by a "safe" mixture with the
    #   zeros replaced (by 1, say) so that no NaN appears even in the unused branch.
    raise NotImplementedError("mix_and_separate_targets: not implemented yet")


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
    # TODO
    raise NotImplementedError("apply_mask: not implemented yet")


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
    # TODO
    raise NotImplementedError("estimate_av_offset: not implemented yet")
