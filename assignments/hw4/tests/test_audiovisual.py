"""Public tests for audiovisual.py: hand-checkable cases and the lecture's properties.

Your functions take torch tensors. The tests call them through the probe ``torch_call``
(tests/probes.py): it turns numpy arrays into tensors of the same dtype, calls your function,
back-propagates when a gradient is wanted, and returns numpy arrays. Inputs here are float64,
so results are compared to about 1e-10. The hidden tests compare with the reference on random
inputs, extreme logits, teachers with many zeros, silent bins and the error contract.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_scalar_close, check_array, context, unpack


def _call(hw, name, *args, grad=(), **kwargs):
    return hw.probe("torch_call", name, list(args), kwargs, tuple(grad))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.points(2)
def test_distillation_kl_by_hand(hw):
    """distillation_kl: 0 when the student agrees with the teacher; -log q_y for a one-hot teacher"""
    logits = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    loss, _ = _call(hw, "distillation_kl", logits, _softmax(logits))
    with context("teacher = softmax(student logits)"):
        assert_scalar_close(loss, 0.0, atol=1e-12)
    # A one-hot teacher: KL(p || q) = sum_k p_k log(p_k / q_k) = -log q_y (0 log 0 = 0 elsewhere).
    teacher = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    q = _softmax(logits)
    loss, _ = _call(hw, "distillation_kl", logits, teacher)
    with context("one-hot teacher (exact zeros)"):
        assert_scalar_close(loss, -(np.log(q[0, 1]) + np.log(q[1, 0])) / 2)


@pytest.mark.points(1)
def test_distillation_kl_gradient(hw):
    """distillation_kl: the gradient w.r.t. the logits is (softmax(logits) - teacher) / B, even with zeros"""
    logits = np.array([[0.2, -1.0, 2.0, 0.0], [1.0, 1.0, 1.0, 1.0], [3.0, 0.0, -2.0, 0.5]])
    teacher = np.array([[0.5, 0.0, 0.5, 0.0], [0.0, 0.0, 0.0, 1.0], [0.1, 0.2, 0.3, 0.4]])
    loss, (grad,) = _call(hw, "distillation_kl", logits, teacher, grad=[0])
    check_array(loss, shape=(), dtype=np.float64, what="the loss")
    assert_close(grad, (_softmax(logits) - teacher) / 3, what="d loss / d student_logits")


@pytest.mark.points(2)
def test_av_contrastive_loss_aligned_pairs(hw):
    """av_contrastive_loss: B orthogonal matching pairs give -log(e^(1/T) / (e^(1/T) + B - 1))"""
    B, T = 4, 0.5
    audio = 3.0 * np.eye(B, 6)                   # lengths do not matter: cosine similarity
    visual = np.eye(B, 6)
    loss, _ = _call(hw, "av_contrastive_loss", audio, visual, temperature=T)
    # Row i of the logits: 1/T on the diagonal (the positive), 0 for the B - 1 negatives.
    expected = -np.log(np.exp(1 / T) / (np.exp(1 / T) + B - 1))
    assert_scalar_close(loss, expected)


@pytest.mark.points(1)
def test_av_contrastive_loss_is_symmetric(hw):
    """av_contrastive_loss: the mean of both directions' cross-entropies; swapping audio and visual keeps it"""
    rng = np.random.default_rng(4)
    audio, visual = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    forward, _ = _call(hw, "av_contrastive_loss", audio, visual, temperature=0.3)
    backward, _ = _call(hw, "av_contrastive_loss", visual, audio, temperature=0.3)
    # The value itself, written out: cosine logits / T, cross-entropy of rows and of columns.
    unit = lambda e: e / np.linalg.norm(e, axis=1, keepdims=True)  # noqa: E731
    logits = unit(audio) @ unit(visual).T / 0.3
    rows = np.mean(np.log(np.exp(logits).sum(axis=1)) - np.diag(logits))
    cols = np.mean(np.log(np.exp(logits).sum(axis=0)) - np.diag(logits))
    assert_scalar_close(forward, 0.5 * (rows + cols), what="loss(audio, visual)")
    assert_scalar_close(backward, float(forward), what="loss(visual, audio) vs loss(audio, visual)")


@pytest.mark.points(1)
def test_sound_localization_map_by_hand(hw):
    """sound_localization_map: 1 where the feature points like the audio, -1 opposite, 0 orthogonal"""
    audio = np.array([1.0, 1.0, 0.0])
    features = np.zeros((3, 2, 3))               # D=3, H=2, W=3
    features[:, 0, 0] = [2.0, 2.0, 0.0]           # same direction (longer): cos = 1
    features[:, 0, 1] = [-1.0, -1.0, 0.0]         # opposite: -1
    features[:, 0, 2] = [0.0, 0.0, 5.0]           # orthogonal: 0
    features[:, 1, 0] = [1.0, 0.0, 0.0]           # 45 degrees: 1 / sqrt(2)
    features[:, 1, 1] = [0.0, 3.0, 3.0]           # 60 degrees: 1 / 2
    features[:, 1, 2] = [1.0, 1.0, 1.0]           # sqrt(2/3)
    heat, _ = _call(hw, "sound_localization_map", features, audio)
    expected = np.array([[1.0, -1.0, 0.0], [1 / np.sqrt(2), 0.5, np.sqrt(2 / 3)]])
    assert_close(heat, expected, atol=1e-12)


@pytest.mark.points(1)
def test_mix_and_separate_targets_by_hand(hw):
    """mix_and_separate_targets: ratio masks a/(a+b), b/(a+b), and 0.5 each in silent bins"""
    a = np.array([[1.0, 0.0, 3.0], [0.0, 2.0, 0.5]])
    b = np.array([[1.0, 4.0, 1.0], [0.0, 0.0, 1.5]])
    out, _ = _call(hw, "mix_and_separate_targets", a, b)
    mixture, mask_a, mask_b = unpack(out, ["mixture", "mask_a", "mask_b"])
    assert_close(mixture, a + b, what="mixture")
    assert_close(mask_a, [[0.5, 0.0, 0.75], [0.5, 1.0, 0.25]], what="mask_a")
    assert_close(mask_b, [[0.5, 1.0, 0.25], [0.5, 0.0, 0.75]], what="mask_b")


@pytest.mark.points(1)
def test_apply_mask(hw):
    """apply_mask: the ideal mask recovers a source; a complex STFT keeps its phase"""
    a = np.array([[1.0, 2.0], [0.5, 0.0]])
    b = np.array([[3.0, 2.0], [0.5, 1.0]])
    (mixture, mask_a, _), _ = _call(hw, "mix_and_separate_targets", a, b)
    recovered, _ = _call(hw, "apply_mask", mixture, mask_a)
    assert_close(recovered, a, what="apply_mask(mixture, mask_a)")
    stft = np.array([[1 + 1j, -2j], [3.0 + 0j, -1 - 1j]])
    masked, _ = _call(hw, "apply_mask", stft, np.array([[0.5, 1.0], [0.0, 0.25]]))
    assert_close(masked, [[0.5 + 0.5j, -2j], [0j, -0.25 - 0.25j]], dtype=np.complex128, what="masked complex STFT")


@pytest.mark.points(2)
def test_estimate_av_offset_shifted_pulses(hw):
    """estimate_av_offset: audio that repeats the motion 3 frames later -> +3; 2 frames earlier -> -2"""
    motion = np.zeros(40)
    motion[[5, 11, 14, 22, 30, 33]] = 1.0          # the moments something hits something
    late = np.roll(motion, 3)                      # the sound arrives 3 frames after the hit
    early = np.roll(motion, -2)
    lag, _ = _call(hw, "estimate_av_offset", late, motion, 6)
    with context("audio 3 frames late"):
        assert_scalar_close(lag, 3, atol=0)
    lag, _ = _call(hw, "estimate_av_offset", early, motion, 6)
    with context("audio 2 frames early"):
        assert_scalar_close(lag, -2, atol=0)
