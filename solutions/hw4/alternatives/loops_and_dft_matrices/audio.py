"""HW4 audio.py written another way: loops over frames, an explicit DFT matrix, manual padding.

A second correct solution: the tests must reward behaviour, not the reference's
implementation (index arrays, np.fft.rfft, np.pad, broadcasting).
"""
import math

import numpy as np


def _signal(x):
    x = np.array(x, dtype=np.float64)
    if x.ndim != 1 or len(x) == 0:
        raise ValueError(f"x must be a non-empty 1-D signal, got shape {x.shape}")
    return x


def _positive_int(name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def frame_signal(x, frame_length, hop_length):
    x = _signal(x)
    frame_length = _positive_int("frame_length", frame_length)
    hop_length = _positive_int("hop_length", hop_length)
    if frame_length > len(x):
        raise ValueError(f"frame_length={frame_length} is longer than the signal ({len(x)} samples)")
    rows = []
    start = 0
    while start + frame_length <= len(x):
        rows.append(x[start:start + frame_length])
        start += hop_length
    return np.array(rows, dtype=np.float64)


def hann_window(n, periodic=True):
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n == 1:
        return np.array([1.0])
    denominator = n if periodic else n - 1
    return np.array([math.sin(math.pi * k / denominator) ** 2 for k in range(n)])   # sin^2 = (1 - cos) / 2


def _reflect(x, pad):
    """a b c d | -> c b | a b c d | c b (the edge sample is not repeated)."""
    return np.concatenate([x[pad:0:-1], x, x[-2:-pad - 2:-1]])


def stft(x, n_fft=512, hop_length=128, center=True):
    x = _signal(x)
    n_fft = _positive_int("n_fft", n_fft)
    hop_length = _positive_int("hop_length", hop_length)
    if center and n_fft // 2 > 0:
        if len(x) <= n_fft // 2:
            raise ValueError(f"x has {len(x)} samples: too short to reflect-pad by n_fft // 2 = {n_fft // 2}")
        x = _reflect(x, n_fft // 2)
    if len(x) < n_fft:
        raise ValueError(f"n_fft={n_fft} is longer than the signal ({len(x)} samples)")
    n = np.arange(n_fft)
    k = np.arange(n_fft // 2 + 1)
    dft = np.exp(-2j * np.pi * np.outer(k, n) / n_fft) * hann_window(n_fft)[None, :]
    frames = frame_signal(x, n_fft, hop_length)
    columns = [dft @ frame for frame in frames]
    return np.stack(columns, axis=1).astype(np.complex128)


def spectrogram(x, n_fft=512, hop_length=128, power=2.0):
    if not power > 0:
        raise ValueError(f"power must be positive, got {power}")
    S = stft(x, n_fft=n_fft, hop_length=hop_length)
    return np.sqrt(S.real ** 2 + S.imag ** 2) ** power


def power_to_db(s, ref=1.0, amin=1e-10, top_db=80.0):
    if amin <= 0:
        raise ValueError(f"amin must be positive, got {amin}")
    if ref <= 0:
        raise ValueError(f"ref must be positive, got {ref}")
    if top_db is not None and top_db < 0:
        raise ValueError(f"top_db must be non-negative, got {top_db}")
    s = np.array(s, dtype=np.float64)
    db = 10.0 * np.log10(np.where(s > amin, s, amin)) - 10.0 * np.log10(ref)
    if top_db is not None and db.size > 0:
        floor = np.max(db) - top_db
        db = np.where(db < floor, floor, db)
    return db


def amplitude_to_db(s, ref=1.0, amin=1e-5, top_db=80.0):
    # In dB of amplitude directly: log10 of (max(s, amin) / ref), doubled, one value at a time.
    if amin <= 0 or ref <= 0:
        raise ValueError(f"amin and ref must be positive, got amin={amin}, ref={ref}")
    if top_db is not None and top_db < 0:
        raise ValueError(f"top_db must be non-negative, got {top_db}")
    s = np.array(s, dtype=np.float64)
    flat = [20.0 * (math.log10(max(v, amin)) - math.log10(ref)) for v in s.ravel()]
    db = np.array(flat, dtype=np.float64).reshape(s.shape)
    if top_db is not None and db.size > 0:
        db = np.maximum(db, max(flat) - top_db)
    return db


def hz_to_mel(f):
    if np.ndim(f) == 0:
        return 2595.0 * math.log10(1.0 + float(f) / 700.0)
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m):
    if np.ndim(m) == 0:
        return 700.0 * (10.0 ** (float(m) / 2595.0) - 1.0)
    return 700.0 * (np.power(10.0, np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(sr, n_fft, n_mels, f_min=0.0, f_max=None):
    n_mels = _positive_int("n_mels", n_mels)
    n_fft = _positive_int("n_fft", n_fft)
    if f_max is None:
        f_max = sr / 2
    if f_max > sr / 2 or f_max <= f_min:
        raise ValueError(f"need f_min < f_max <= sr/2, got f_min={f_min}, f_max={f_max}")
    if f_min < 0:
        raise ValueError(f"f_min must be >= 0, got {f_min}")
    m_lo, m_hi = hz_to_mel(f_min), hz_to_mel(f_max)
    edges = [mel_to_hz(m_lo + (m_hi - m_lo) * i / (n_mels + 1)) for i in range(n_mels + 2)]
    n_freqs = n_fft // 2 + 1
    fb = np.zeros((n_mels, n_freqs))
    for m in range(n_mels):
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        for k in range(n_freqs):
            f = k * sr / n_fft if n_fft % 2 == 0 else k * (sr / 2) / (n_freqs - 1)
            if lo < f <= mid:
                fb[m, k] = (f - lo) / (mid - lo)
            elif mid < f < hi:
                fb[m, k] = (hi - f) / (hi - mid)
    return fb


def dominant_frequency(x, sr):
    x = _signal(x)
    if len(x) < 2:
        raise ValueError("x needs at least two samples")
    spectrum = np.abs(np.fft.fft(x))[:len(x) // 2 + 1]
    best = 1
    for k in range(2, len(spectrum)):
        if spectrum[k] > spectrum[best]:
            best = k
    return float(best * sr / len(x))
