"""Hidden tests for audiovisual.py: the student's functions against the reference, via the probe.

What decides: losses AND their gradients on seeded random inputs (float64, so direct formulas
agree to ~1e-12; 1e-10 relative leaves room for another summation order); teacher
distributions with exact zeros and logits of size 1000 (no NaN, no inf); embeddings of very
different lengths; float32 inputs (compared to 1e-5: float32 epsilon is 1.2e-7 and the losses
sum tens of terms); feature maps with all-zero locations; silent and one-sided bins of the
separation masks; the synthetic video's audio-visual offsets including +-max_lag; signals whose
offset and scale would fool an unnormalised correlation; and the error contract.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_raises, assert_scalar_close, context, unpack
from shared.audio_data import moving_sources_video


def _call(who, name, *args, grad=(), **kwargs):
    return who.probe("torch_call", name, list(args), kwargs, tuple(grad))


def _compare(hw, ref, name, *args, grad=(), rtol=1e-10, atol=1e-12, dtype=np.float64, **kwargs):
    """The student's output and gradients against the reference's, same inputs."""
    got, got_grads = _call(hw, name, *args, grad=grad, **kwargs)
    expected, expected_grads = _call(ref, name, *args, grad=grad, **kwargs)
    assert_close(got, expected, rtol=rtol, atol=atol, dtype=dtype, what="the result")
    for i, g, e in zip(grad, got_grads, expected_grads, strict=True):
        if g is None:
            raise AssertionError(f"{name}: no gradient reached argument {i}: is the result computed from it in torch?")
        assert_close(g, e, rtol=rtol, atol=atol, dtype=dtype, what=f"the gradient w.r.t. argument {i}")


def _teacher(rng, B, K, zero_fraction=0.0):
    p = rng.random((B, K)) ** 3
    p[rng.random((B, K)) < zero_fraction] = 0.0
    p[np.arange(B), rng.integers(0, K, size=B)] += 0.1        # no all-zero row
    return p / p.sum(axis=1, keepdims=True)


@pytest.mark.points(2)
def test_distillation_kl_against_reference(hw, ref, rng):
    """distillation_kl: random logits and teachers, value and gradient"""
    for B, K in [(1, 2), (8, 10), (5, 37)]:
        with context(f"B={B}, K={K}"):
            _compare(hw, ref, "distillation_kl", rng.normal(size=(B, K)) * 2, _teacher(rng, B, K), grad=[0])


@pytest.mark.points(1)
def test_distillation_kl_teacher_with_zeros(hw, ref, rng):
    """distillation_kl: teachers with exact zeros (one-hot rows, half the classes ruled out): no NaN"""
    teacher = _teacher(rng, 6, 12, zero_fraction=0.5)
    teacher[0] = np.eye(12)[3]
    teacher[1] = np.eye(12)[11]
    _compare(hw, ref, "distillation_kl", rng.normal(size=(6, 12)) * 3, teacher, grad=[0])


@pytest.mark.points(1)
def test_distillation_kl_extreme_logits(hw, ref, rng):
    """distillation_kl: logits of size 1000 (softmax underflows to 0) stay finite, with and without zeros"""
    logits = rng.normal(size=(4, 6)) * 1000.0
    for zeros in (0.0, 0.5):
        with context(f"teacher with {zeros:.0%} zeros"):
            _compare(hw, ref, "distillation_kl", logits, _teacher(rng, 4, 6, zeros), grad=[0])


@pytest.mark.points(1)
def test_distillation_kl_float32(hw, ref, rng):
    """distillation_kl: float32 tensors give a float32 loss and gradient"""
    logits = rng.normal(size=(16, 10)).astype(np.float32)
    teacher = _teacher(rng, 16, 10, 0.3).astype(np.float32)
    _compare(hw, ref, "distillation_kl", logits, teacher, grad=[0], rtol=1e-5, atol=1e-6, dtype=np.float32)


@pytest.mark.points(1)
def test_audiovisual_float32(hw, ref, rng):
    """av_contrastive_loss / sound_localization_map / mix_and_separate_targets: float32 in, float32 out"""
    f32 = dict(rtol=1e-5, atol=1e-6, dtype=np.float32)
    a, v = rng.normal(size=(6, 5)).astype(np.float32), rng.normal(size=(6, 5)).astype(np.float32)
    with context("av_contrastive_loss"):
        _compare(hw, ref, "av_contrastive_loss", a, v, grad=[0, 1], temperature=0.2, **f32)
    with context("sound_localization_map"):
        _compare(hw, ref, "sound_localization_map", rng.normal(size=(4, 3, 5)).astype(np.float32),
                 rng.normal(size=4).astype(np.float32), **f32)
    spec_a, spec_b = np.abs(rng.normal(size=(2, 5, 4))).astype(np.float32)
    spec_a[0], spec_b[0] = 0.0, 0.0
    got, _ = _call(hw, "mix_and_separate_targets", spec_a, spec_b)
    expected, _ = _call(ref, "mix_and_separate_targets", spec_a, spec_b)
    for name, g, e in zip(["mixture", "mask_a", "mask_b"], unpack(got, ["mixture", "mask_a", "mask_b"]), expected,
                          strict=True):
        assert_close(g, e, what=f"mix_and_separate_targets: {name}", **f32)


@pytest.mark.points(2)
def test_av_contrastive_loss_against_reference(hw, ref, rng):
    """av_contrastive_loss: random embeddings and temperatures, value and both gradients"""
    for B, D, temperature in [(2, 3, 0.07), (8, 16, 0.07), (5, 4, 1.0), (12, 32, 0.2)]:
        with context(f"B={B}, D={D}, temperature={temperature}"):
            _compare(hw, ref, "av_contrastive_loss", rng.normal(size=(B, D)), rng.normal(size=(B, D)),
                     grad=[0, 1], temperature=temperature)
    with context("default temperature"):
        _compare(hw, ref, "av_contrastive_loss", rng.normal(size=(6, 5)), rng.normal(size=(6, 5)), grad=[0, 1])


@pytest.mark.points(1)
def test_av_contrastive_loss_embedding_lengths(hw, ref, rng):
    """av_contrastive_loss: embeddings of lengths 1e-3 to 1e3 (cosine similarity ignores length)"""
    audio = rng.normal(size=(6, 8)) * 10.0 ** rng.uniform(-3, 3, size=(6, 1))
    visual = rng.normal(size=(6, 8)) * 10.0 ** rng.uniform(-3, 3, size=(6, 1))
    _compare(hw, ref, "av_contrastive_loss", audio, visual, grad=[0, 1], atol=1e-10)


@pytest.mark.points(1)
def test_sound_localization_map_against_reference(hw, ref, rng):
    """sound_localization_map: random feature maps (H != W), some all-zero locations"""
    for D, H, W in [(1, 3, 4), (16, 7, 5), (64, 8, 12)]:
        features = rng.normal(size=(D, H, W)) * 10.0 ** rng.uniform(-2, 2, size=(1, H, W))
        features[:, 0, -1] = 0.0                                   # a location with no feature
        with context(f"D={D}, H={H}, W={W}"):
            _compare(hw, ref, "sound_localization_map", features, rng.normal(size=D) * 5)


@pytest.mark.points(1)
def test_mix_and_separate_targets_against_reference(hw, ref, rng):
    """mix_and_separate_targets: random magnitudes with bins silent in one source or in both"""
    a = np.abs(rng.normal(size=(33, 20)))
    b = np.abs(rng.normal(size=(33, 20))) * 0.01
    a[rng.random(a.shape) < 0.2] = 0.0
    b[rng.random(b.shape) < 0.2] = 0.0
    a[:3], b[:3] = 0.0, 0.0                                        # three silent rows
    b[5] = 1e-300                                                  # a source barely there
    got, _ = _call(hw, "mix_and_separate_targets", a, b)
    expected, _ = _call(ref, "mix_and_separate_targets", a, b)
    got = unpack(got, ["mixture", "mask_a", "mask_b"])
    for name, g, e in zip(["mixture", "mask_a", "mask_b"], got, expected, strict=True):
        assert_close(g, e, what=name)


@pytest.mark.points(1)
def test_apply_mask_against_reference(hw, ref, rng):
    """apply_mask: real magnitudes and complex STFTs with random masks"""
    mask = rng.random((9, 7))
    _compare(hw, ref, "apply_mask", np.abs(rng.normal(size=(9, 7))), mask)
    stft = rng.normal(size=(9, 7)) + 1j * rng.normal(size=(9, 7))
    _compare(hw, ref, "apply_mask", stft, mask, dtype=np.complex128)


@pytest.mark.points(1)
@pytest.mark.parametrize("offset", [-5, 2, 4])
def test_estimate_av_offset_on_video(hw, offset):
    """estimate_av_offset: audio envelope vs motion of the synthetic video, soundtrack shifted by the offset"""
    video = moving_sources_video(n_frames=80, offset_frames=offset, seed=abs(offset) + 7)
    lag, _ = _call(hw, "estimate_av_offset", video["envelope"], video["motion"], 8)
    assert_scalar_close(lag, offset, atol=0, what="the estimated lag")


@pytest.mark.points(2)
def test_estimate_av_offset_at_max_lag(hw, rng):
    """estimate_av_offset: a true offset of exactly +max_lag or -max_lag is found (range inclusive)"""
    base = rng.normal(size=60)
    for lag in (5, -5):
        audio = np.roll(base, lag)
        with context(f"true lag {lag}, max_lag 5"):
            got, _ = _call(hw, "estimate_av_offset", audio, base, 5)
            assert_scalar_close(got, lag, atol=0, what="the estimated lag")


@pytest.mark.points(2)
def test_estimate_av_offset_is_normalised(hw, ref, rng):
    """estimate_av_offset: a large constant offset and a trend do not pull the lag towards 0"""
    motion = np.zeros(50)
    motion[rng.choice(50, size=8, replace=False)] = rng.uniform(0.5, 1.0, size=8)
    audio = 100.0 + 3.0 * np.roll(motion, 6) + 0.01 * np.arange(50)
    got, _ = _call(hw, "estimate_av_offset", audio, motion, 10)
    expected, _ = _call(ref, "estimate_av_offset", audio, motion, 10)
    assert_scalar_close(got, expected, atol=0, what="the estimated lag")


@pytest.mark.points(2)
def test_estimate_av_offset_ties_and_constant_segments(hw, ref):
    """estimate_av_offset: a constant segment scores exactly 0; ties go to the smallest lag"""
    T, max_lag = 30, 4
    motion = np.arange(T, dtype=np.float64)
    # Integer-valued constants: every implementation centres them to exact zeros.
    with context("constant audio: every lag scores 0, a tie of all lags -> -max_lag"):
        got, _ = _call(hw, "estimate_av_offset", np.full(T, 2.0), motion, max_lag)
        assert_scalar_close(got, -max_lag, atol=0, what="the estimated lag")
        if isinstance(got, (bool, np.ndarray)) or not isinstance(got, (int, np.integer)):
            raise AssertionError(f"estimate_av_offset must return a Python int, got {type(got).__name__}")
    # One loud sample then silence: for L >= 1 the audio segment a[L:] is constant (score 0);
    # for L <= 0 the spike meets the ramp's smallest value (negative scores). The best score
    # is the 0 shared by lags 1..max_lag: the smallest of them.
    spike = np.ones(T)
    spike[0] = 5.0
    with context("audio constant after its first sample, rising motion: lags 1..4 tie at 0 -> 1"):
        got, _ = _call(hw, "estimate_av_offset", spike, motion, max_lag)
        assert_scalar_close(got, 1, atol=0, what="the estimated lag")
    # Falling motion: now lags <= 0 score positive and beat the constant ones (0, not NaN).
    expected, _ = _call(ref, "estimate_av_offset", spike, -motion, max_lag)
    with context("audio constant after its first sample, falling motion"):
        got, _ = _call(hw, "estimate_av_offset", spike, -motion, max_lag)
        assert_scalar_close(got, expected, atol=0, what="the estimated lag")


@pytest.mark.points(1)
def test_audiovisual_error_contract(hw, ref, rng):
    """av_contrastive_loss / sound_localization_map / mix_and_separate_targets / estimate_av_offset: error contract

    Valid calls must work first; then each bad argument raises ValueError naming it.
    """
    a = rng.normal(size=(3, 4))
    # Raising everywhere earns nothing: the valid calls must work first.
    _compare(hw, ref, "av_contrastive_loss", a, rng.normal(size=(3, 4)), temperature=0.5)
    _compare(hw, ref, "sound_localization_map", rng.normal(size=(4, 3, 3)), rng.normal(size=4))
    x = rng.normal(size=10)
    got, _ = _call(hw, "estimate_av_offset", np.roll(x, 2), x, 3)
    assert_scalar_close(got, 2, atol=0, what="estimate_av_offset on a valid call")
    call = hw.probe
    for temperature in (0.0, -0.1):
        assert_raises(ValueError, call, "torch_call", "av_contrastive_loss", [a, a], {"temperature": temperature},
                      (), mentions=["temperature"])
    assert_raises(ValueError, call, "torch_call", "av_contrastive_loss", [a, np.ones((3, 5))], {}, (),
                  mentions=["visual_emb"])
    assert_raises(ValueError, call, "torch_call", "sound_localization_map", [np.ones((4, 3, 3)), np.ones(3)], {},
                  (), mentions=["audio_embedding"])
    ok, bad = np.ones((2, 3)), -np.ones((2, 3))
    assert_raises(ValueError, call, "torch_call", "mix_and_separate_targets", [bad, ok], {}, (), mentions=["spec_a"])
    assert_raises(ValueError, call, "torch_call", "mix_and_separate_targets", [ok, bad], {}, (), mentions=["spec_b"])
    for max_lag in (-1, 9, 20):
        assert_raises(ValueError, call, "torch_call", "estimate_av_offset", [x, x, max_lag], {}, (),
                      mentions=["max_lag"])
