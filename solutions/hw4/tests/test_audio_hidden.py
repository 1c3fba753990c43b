"""Hidden tests for audio.py: the student's functions against torch.stft and the reference.

What decides: random signals of odd and even lengths, odd and even n_fft, hops larger and
smaller than the frame, both centrings, short signals at the edge of what centring allows,
integer dtypes, exact zeros in dB conversion, filter banks with and without f_min/f_max,
HTK edges and peaks built independently of the reference, DC-dominated signals, and the error
contract. Tolerances: float64 framing/windows/mel are direct formulas (~1e-15 relative);
the STFT is checked to the spec's 1e-6 relative (a float64 FFT agrees to ~1e-15, so this
only admits float32 work); dB values are O(100) and compared to 1e-10 relative.
"""
import numpy as np
import pytest
import torch

from shared.asserts import assert_close, assert_raises, assert_scalar_close, context
from shared.audio_data import chirp, clicks, noise, tone


@pytest.mark.points(1)
def test_frame_signal_against_reference(hw, ref, rng):
    """frame_signal: random signals, frame == length, hop 1, hop larger than the frame"""
    for n, frame_length, hop_length in [(37, 8, 3), (64, 64, 5), (50, 1, 1), (101, 10, 13), (99, 98, 1)]:
        x = rng.normal(size=n)
        with context(f"len(x)={n}, frame_length={frame_length}, hop_length={hop_length}"):
            assert_close(hw.audio.frame_signal(x, frame_length, hop_length),
                         ref.audio.frame_signal(x, frame_length, hop_length))
    x = rng.integers(-100, 100, size=30).astype(np.int16)
    with context("int16 signal"):
        assert_close(hw.audio.frame_signal(x, 6, 4), ref.audio.frame_signal(x, 6, 4))


@pytest.mark.points(1)
def test_hann_window_equals_torch(hw):
    """hann_window: equals torch.hann_window for n = 0..9, 255, 256, periodic and symmetric"""
    for n in list(range(10)) + [255, 256]:
        for periodic in (True, False):
            with context(f"n={n}, periodic={periodic}"):
                expected = torch.hann_window(n, periodic=periodic, dtype=torch.float64).numpy()
                assert_close(hw.audio.hann_window(n, periodic=periodic), expected, atol=1e-15)


def _torch_stft(x, n_fft, hop_length, center):
    window = torch.hann_window(n_fft, dtype=torch.float64)
    return torch.stft(torch.from_numpy(np.asarray(x, dtype=np.float64)), n_fft, hop_length, window=window,
                      center=center, pad_mode="reflect", return_complex=True).numpy()


def _assert_stft(got, expected):
    # The spec's 1e-6 relative, relative to the largest coefficient (tiny bins are noise).
    assert_close(got, expected, atol=1e-6 * np.abs(expected).max(), rtol=1e-6, dtype=np.complex128)


@pytest.mark.points(1)
@pytest.mark.parametrize("n, n_fft, hop_length, center", [
    (1000, 512, 128, True), (1001, 256, 100, False), (777, 255, 64, True),
    (640, 100, 130, True), (513, 64, 1, False), (900, 33, 17, True)])
def test_stft_equals_torch_stft(hw, rng, n, n_fft, hop_length, center):
    """stft: equals torch.stft (periodic Hann, reflect padding) on random signals"""
    x = rng.normal(size=n)
    _assert_stft(hw.audio.stft(x, n_fft=n_fft, hop_length=hop_length, center=center),
                 _torch_stft(x, n_fft, hop_length, center))


@pytest.mark.points(1)
def test_stft_default_arguments(hw, rng):
    """stft: the defaults n_fft=512, hop_length=128, center=True, on a chirp plus noise"""
    x = chirp(100, 3000, 0.5, 8000) + noise(0.5, 8000, seed=3)
    _assert_stft(hw.audio.stft(x), _torch_stft(x, 512, 128, True))


@pytest.mark.points(1)
def test_stft_short_signals_and_dtypes(hw, rng):
    """stft: the shortest signals centring allows, len(x) == n_fft, integer and float32 input"""
    cases = [(rng.normal(size=33), 64, 16, True),          # pad 32 < 33 samples
             (rng.normal(size=64), 64, 16, False),         # exactly one frame
             (rng.normal(size=5), 8, 1, True),
             (rng.integers(-1000, 1000, size=300).astype(np.int32), 128, 32, True),
             (rng.normal(size=300).astype(np.float32), 128, 50, False)]
    for x, n_fft, hop_length, center in cases:
        with context(f"len(x)={x.size}, dtype {x.dtype}, n_fft={n_fft}, center={center}"):
            _assert_stft(hw.audio.stft(x, n_fft=n_fft, hop_length=hop_length, center=center),
                         _torch_stft(x, n_fft, hop_length, center))


@pytest.mark.points(1)
def test_framing_and_stft_error_contract(hw, ref):
    """frame_signal / stft / spectrogram: valid calls work; bad arguments raise ValueError naming them"""
    x = np.cos(0.3 * np.arange(100))
    # Raising everywhere earns nothing: the valid calls must work first.
    assert_close(hw.audio.frame_signal(x, 10, 30), ref.audio.frame_signal(x, 10, 30))
    _assert_stft(hw.audio.stft(x, n_fft=32, hop_length=8), ref.audio.stft(x, n_fft=32, hop_length=8))
    assert_raises(ValueError, hw.audio.frame_signal, x, 101, 1, mentions=["frame_length"])
    assert_raises(ValueError, hw.audio.frame_signal, x, 0, 1, mentions=["frame_length"])
    assert_raises(ValueError, hw.audio.frame_signal, x, 4, 0, mentions=["hop_length"])
    assert_raises(ValueError, hw.audio.stft, x, n_fft=128, center=False, mentions=["n_fft"])
    assert_raises(ValueError, hw.audio.stft, np.ones(32), n_fft=64, center=True, mentions=["x"])
    assert_raises(ValueError, hw.audio.stft, x, n_fft=32, hop_length=0, mentions=["hop_length"])
    assert_raises(ValueError, hw.audio.stft, np.ones((10, 10)), n_fft=4, mentions=["x"])
    assert_raises(ValueError, hw.audio.spectrogram, x, n_fft=32, power=0.0, mentions=["power"])


@pytest.mark.points(1)
def test_spectrogram_against_reference(hw, ref, rng):
    """spectrogram: powers 2, 1 and 0.5 of |stft| on random signals"""
    x = rng.normal(size=900)
    for power in (2.0, 1.0, 0.5):
        with context(f"power={power}"):
            expected = ref.audio.spectrogram(x, n_fft=128, hop_length=40, power=power)
            assert_close(hw.audio.spectrogram(x, n_fft=128, hop_length=40, power=power), expected,
                         atol=1e-9 * expected.max(), rtol=1e-9)


@pytest.mark.points(1)
def test_spectrogram_default_arguments(hw, ref):
    """spectrogram: the defaults n_fft=512, hop_length=128, power=2.0 (centred), on a chirp plus clicks"""
    x = chirp(200, 3500, 0.3, 8000) + clicks([0.05, 0.2], 0.3, 8000)
    expected = ref.audio.spectrogram(x)
    assert_close(hw.audio.spectrogram(x), expected, atol=1e-9 * expected.max(), rtol=1e-9)


_DB_KWARGS = ({}, {"ref": 0.01}, {"amin": 1e-5}, {"top_db": 40.0}, {"top_db": None}, {"top_db": 0.0},
              {"ref": 3.0, "amin": 1e-8, "top_db": 60.0},
              # ref != 1 without a floor: amin clips s before ref divides it (s = 0 -> amin / ref).
              {"ref": 0.01, "top_db": None}, {"ref": 1e3, "amin": 1e-6, "top_db": None})


@pytest.mark.points(2)
def test_power_to_db_against_reference(hw, ref, rng):
    """power_to_db: random powers over 12 decades with exact zeros, various ref, amin, top_db"""
    s = 10.0 ** rng.uniform(-12, 0, size=(20, 15))
    s[rng.random(s.shape) < 0.1] = 0.0
    for kwargs in _DB_KWARGS:
        with context(f"power_to_db(s, **{kwargs})"):
            assert_close(hw.audio.power_to_db(s, **kwargs), ref.audio.power_to_db(s, **kwargs))


@pytest.mark.points(1)
def test_power_to_db_extremes(hw, ref):
    """power_to_db: an all-zero input (every value at the amin floor), huge powers, a 3-D array, integers"""
    for s in (np.zeros((4, 5)), np.array([1e300, 1e-300, 0.0]), np.arange(24.0).reshape(2, 3, 4),
              np.array([[0, 3, 70000]], dtype=np.int32)):
        for kwargs in ({}, {"top_db": None}):
            with context(f"shape {s.shape}, dtype {s.dtype}, {kwargs}"):
                assert_close(hw.audio.power_to_db(s, **kwargs), ref.audio.power_to_db(s, **kwargs))


@pytest.mark.points(2)
def test_amplitude_to_db_against_reference(hw, ref, rng):
    """amplitude_to_db: 20 log10 of random amplitudes over 6 decades with exact zeros, various ref, amin, top_db"""
    s = 10.0 ** rng.uniform(-6, 0, size=(17, 12))
    s[rng.random(s.shape) < 0.1] = 0.0
    for kwargs in _DB_KWARGS:
        with context(f"amplitude_to_db(s, **{kwargs})"):
            assert_close(hw.audio.amplitude_to_db(s, **kwargs), ref.audio.amplitude_to_db(s, **kwargs))
    with context("amplitude_to_db(|S|) against 10 log10(|S|^2), independent of the reference"):
        a = rng.uniform(0.1, 10.0, size=(5, 4))
        assert_close(hw.audio.amplitude_to_db(a, ref=2.0, top_db=None), 10 * np.log10(a ** 2 / 4.0))
    for s in (np.zeros((3, 2)), np.array([1e300, 1e-300, 0.0]), np.arange(12).reshape(2, 3, 2)):
        with context(f"extremes: shape {s.shape}, dtype {s.dtype}"):
            assert_close(hw.audio.amplitude_to_db(s, top_db=None), ref.audio.amplitude_to_db(s, top_db=None))
            assert_close(hw.audio.amplitude_to_db(s), ref.audio.amplitude_to_db(s))


@pytest.mark.points(1)
def test_db_and_mel_error_contract(hw, ref):
    """power_to_db / amplitude_to_db / mel_filterbank: valid calls work; bad arguments raise ValueError naming them"""
    s = np.array([0.0, 1.0, 4.0])
    # Raising everywhere earns nothing: the valid calls must work first.
    assert_close(hw.audio.power_to_db(s, top_db=0.0), ref.audio.power_to_db(s, top_db=0.0))
    assert_close(hw.audio.amplitude_to_db(s, ref=2.0), ref.audio.amplitude_to_db(s, ref=2.0))
    assert_close(hw.audio.mel_filterbank(8000, 64, 4), ref.audio.mel_filterbank(8000, 64, 4), atol=1e-12)
    for fn in (hw.audio.power_to_db, hw.audio.amplitude_to_db):
        assert_raises(ValueError, fn, s, amin=0.0, mentions=["amin"])
        assert_raises(ValueError, fn, s, ref=-1.0, mentions=["ref"])
        assert_raises(ValueError, fn, s, top_db=-10.0, mentions=["top_db"])
    assert_raises(ValueError, hw.audio.mel_filterbank, 16000, 512, 0, mentions=["n_mels"])
    assert_raises(ValueError, hw.audio.mel_filterbank, 16000, 512, 10, f_max=9000.0, mentions=["f_max"])
    assert_raises(ValueError, hw.audio.mel_filterbank, 16000, 512, 10, f_min=500.0, f_max=400.0,
                  mentions=["f_max"])


@pytest.mark.points(1)
def test_mel_conversions_against_reference(hw, ref, rng):
    """hz_to_mel / mel_to_hz: arrays of any shape, scalars, and round trips"""
    f = rng.uniform(0, 24000, size=(3, 7))
    assert_close(hw.audio.hz_to_mel(f), ref.audio.hz_to_mel(f))
    m = rng.uniform(0, 4000, size=11)
    assert_close(hw.audio.mel_to_hz(m), ref.audio.mel_to_hz(m))
    for value in (0.0, 440.0, 16000.0):
        with context(f"scalar {value}"):
            for name in ("hz_to_mel", "mel_to_hz"):
                got = getattr(hw.audio, name)(value)
                # "A float for a number": a numpy float64 is a float; a 0-d array is not.
                if not isinstance(got, float):
                    raise AssertionError(f"{name}({value}) must return a float for a number, "
                                         f"got {type(got).__name__}")
                assert_scalar_close(got, getattr(ref.audio, name)(value), what=f"{name}({value})")
    assert_close(hw.audio.mel_to_hz(hw.audio.hz_to_mel(f)), f, rtol=1e-12, atol=1e-9, what="round trip")


@pytest.mark.points(1)
@pytest.mark.parametrize("sr, n_fft, n_mels, f_min, f_max", [
    (16000, 512, 40, 0.0, None), (22050 - 50, 1024, 64, 30.0, 8000.0), (8000, 256, 23, 300.0, 4000.0),
    (44100 + 100, 2048, 128, 0.0, 11025.0)])
def test_mel_filterbank_against_reference(hw, ref, sr, n_fft, n_mels, f_min, f_max):
    """mel_filterbank: HTK triangles for several sample rates, sizes and frequency ranges"""
    assert_close(hw.audio.mel_filterbank(sr, n_fft, n_mels, f_min=f_min, f_max=f_max),
                 ref.audio.mel_filterbank(sr, n_fft, n_mels, f_min=f_min, f_max=f_max), atol=1e-12)


@pytest.mark.points(2)
def test_mel_filterbank_edges_and_peaks(hw):
    """mel_filterbank: a peak of exactly 1 at the centre frequency, 0 at and beyond the edges"""
    sr, n_fft = 16000, 400
    for centre_bin in (7, 25, 40):          # f_max stays below sr / 2
        centre = centre_bin * sr / n_fft
        # One filter (n_mels=1) from f_min = 0 to the f_max whose mel midpoint is `centre`.
        f_max = 700 * (10 ** (2 * np.log10(1 + centre / 700)) - 1)
        fb = hw.audio.mel_filterbank(sr, n_fft, 1, f_min=0.0, f_max=f_max)
        freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
        with context(f"one filter peaking at {centre:g} Hz (bin {centre_bin})"):
            expected = np.clip(np.minimum(freqs / centre, (f_max - freqs) / (f_max - centre)), 0, None)
            assert_close(fb, expected[None, :], atol=1e-12)
            assert_scalar_close(fb[0, centre_bin], 1.0, atol=1e-12, what="the peak")
    # The first filter of a bank starts at f_min: zero at DC and up to f_min.
    fb = hw.audio.mel_filterbank(sr, n_fft, 8, f_min=1000.0, f_max=6000.0)
    assert_close(fb[:, :26], np.zeros((8, 26)), atol=1e-12, what="all filters below f_min = 1000 Hz (bins 0..25)")
    assert_close(fb[:, 150:], np.zeros((8, 51)), atol=1e-12, what="all filters at or above f_max = 6000 Hz")


@pytest.mark.points(2)
def test_mel_filterbank_odd_n_fft(hw, ref):
    """mel_filterbank: odd n_fft uses torchaudio's grid linspace(0, sr/2, n_fft//2 + 1), not k * sr / n_fft"""
    for sr, n_fft, n_mels, f_min, f_max in [(16000, 511, 20, 0.0, None), (8000, 255, 12, 100.0, 3900.0),
                                            (22050, 1023, 40, 30.0, 11025.0), (1000, 9, 2, 0.0, None)]:
        fb = hw.audio.mel_filterbank(sr, n_fft, n_mels, f_min=f_min, f_max=f_max)
        with context(f"sr={sr}, n_fft={n_fft}, n_mels={n_mels}, f_min={f_min}, f_max={f_max}"):
            assert_close(fb, ref.audio.mel_filterbank(sr, n_fft, n_mels, f_min=f_min, f_max=f_max), atol=1e-12)
    # Independently of the reference: one filter over [0, sr/2] peaks at its mel midpoint, and the
    # grid's last point is sr/2 itself, where the filter is exactly 0.
    sr, n_fft = 16000, 401
    freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    centre = 700 * (10 ** (0.5 * np.log10(1 + (sr / 2) / 700)) - 1)
    expected = np.clip(np.minimum(freqs / centre, (sr / 2 - freqs) / (sr / 2 - centre)), 0, None)
    with context(f"one filter, sr={sr}, n_fft={n_fft} (odd)"):
        assert_close(hw.audio.mel_filterbank(sr, n_fft, 1), expected[None, :], atol=1e-12)


@pytest.mark.points(1)
def test_dominant_frequency_against_reference(hw, ref, rng):
    """dominant_frequency: tones between bins, chirps, clicks, odd lengths, several sample rates"""
    signals = [(tone(1234.5, 0.3, 8000) + noise(0.3, 8000, seed=1), 8000),
               (chirp(200, 900, 0.25, 16000), 16000),
               (clicks([0.01, 0.05], 0.1, 16000), 16000),
               (rng.normal(size=1001), 44100),
               (tone(3999.0, 0.5, 8000) + 0.1, 8000)]
    for i, (x, sr) in enumerate(signals):
        with context(f"signal {i} ({x.size} samples at {sr} Hz)"):
            assert_scalar_close(hw.audio.dominant_frequency(x, sr), ref.audio.dominant_frequency(x, sr))


@pytest.mark.points(1)
def test_dominant_frequency_extremes(hw):
    """dominant_frequency: a huge DC offset is ignored; the Nyquist bin; two samples"""
    t = np.arange(1000) / 1000.0
    assert_scalar_close(hw.audio.dominant_frequency(1e6 + np.sin(2 * np.pi * 3 * t), 1000), 3.0, rtol=1e-12)
    assert_scalar_close(hw.audio.dominant_frequency(np.cos(np.pi * np.arange(64)), 100), 50.0, rtol=1e-12)
    assert_scalar_close(hw.audio.dominant_frequency(np.array([1.0, -1.0]), 10), 5.0, rtol=1e-12)


@pytest.mark.points(2)
def test_dominant_frequency_ties(hw):
    """dominant_frequency: a tie goes to the lowest bin >= 1 (an impulse: every bin has |X_k| = 1 exactly)"""
    # A unit impulse at sample 0 has X_k = 1 for every k, computed exactly by any DFT: a tie of
    # all bins, DC included; the lowest non-DC bin is bin 1.
    for n, sr in ((64, 8000), (99, 1000), (2, 10)):
        x = np.zeros(n)
        x[0] = 1.0
        with context(f"an impulse of {n} samples at {sr} Hz"):
            assert_scalar_close(hw.audio.dominant_frequency(x, sr), sr / n, rtol=1e-12)
