"""HW4 reference solution, part 1: sound as a signal, with numpy (lecture "Vision and Sound").

The ear is a Fourier analyser: the cochlea splits sound into frequency bands and we hear
how the energy in each band changes over time. The spectrogram is the computer's version:
cut the waveform into short overlapping frames, taper each with a window, take its DFT,
and stack the spectra as the columns of a time-frequency image. A dB scale and a mel-spaced
filter bank then make that image look more like what we hear (and what CNNs get as input).

Conventions used by every function in this module:

* A signal ``x`` is a 1-D real array of samples; any real dtype is accepted and converted
  to float64. Results are float64 (``stft`` is complex128).
* Spectrogram-like arrays are ``(n_freqs, n_frames)``: frequency on axis 0 (bin ``k`` is
  ``k * sr / n_fft`` Hz), time on axis 1, as in torch and librosa.
* Bad arguments raise ``ValueError`` with a message that names the argument.
"""
import numpy as np

# ----------------------------------------------------------------------------------------
# Argument checking (plumbing)
# ----------------------------------------------------------------------------------------


def _as_signal(x, name="x"):
    """``x`` as a non-empty 1-D float64 array; else ValueError naming it."""
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real-valued array, got dtype {x.dtype}")
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {x.shape}")
    return x.astype(np.float64)


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_positive(name, value):
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


# ----------------------------------------------------------------------------------------
# Framing, windows, STFT
# ----------------------------------------------------------------------------------------


def frame_signal(x, frame_length, hop_length):
    """Cut ``x`` into overlapping frames, one per row; no padding.

    Inputs:
    - x: (N,) real signal.
    - frame_length: samples per frame, 1 <= frame_length <= N.
    - hop_length: samples between the starts of consecutive frames, >= 1.

    Returns: float64 array (n_frames, frame_length) with
    n_frames = 1 + (N - frame_length) // hop_length and frames[i] = x[i*hop : i*hop + frame_length].
    """
    x = _as_signal(x)
    frame_length = _check_int("frame_length", frame_length, 1)
    hop_length = _check_int("hop_length", hop_length, 1)
    if frame_length > x.size:
        raise ValueError(f"frame_length ({frame_length}) must not exceed the signal length ({x.size})")
    n_frames = 1 + (x.size - frame_length) // hop_length
    # An index matrix: row i holds i*hop + [0, 1, ..., frame_length-1]. Fancy indexing copies.
    index = hop_length * np.arange(n_frames)[:, None] + np.arange(frame_length)[None, :]
    return x[index]


def hann_window(n, periodic=True):
    """The Hann window w[k] = 0.5 - 0.5 cos(2 pi k / M), k = 0..n-1.

    M = n for the periodic window (the one used for spectral analysis: it tiles perfectly
    when shifted by n/2), M = n - 1 for the symmetric one (w[0] = w[n-1] = 0). n = 1 gives
    [1.0], n = 0 an empty array, exactly as torch.hann_window.
    """
    n = _check_int("n", n, 0)
    if n == 1:
        return np.ones(1)
    M = n if periodic else n - 1
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / M)


def stft(x, n_fft=512, hop_length=128, center=True):
    """Short-time Fourier transform with a periodic Hann window.

    Inputs:
    - x: (N,) real signal.
    - n_fft: frame (and DFT) length, >= 1.
    - hop_length: samples between frames, >= 1.
    - center: if True, reflect-pad n_fft // 2 samples on both sides first (numpy's
      "reflect": the edge sample is not repeated), so frame t is centred on sample t*hop.
      Needs N > n_fft // 2; without centring N >= n_fft.

    Returns: complex128 array (n_fft // 2 + 1, n_frames),
    S[k, t] = sum_n w[n] x_pad[t*hop + n] exp(-2 pi i k n / n_fft); equals torch.stft(x, n_fft,
    hop_length, window=torch.hann_window(n_fft), center=center, pad_mode="reflect",
    return_complex=True).
    """
    x = _as_signal(x)
    n_fft = _check_int("n_fft", n_fft, 1)
    hop_length = _check_int("hop_length", hop_length, 1)
    if center:
        pad = n_fft // 2
        if pad >= x.size:
            raise ValueError(f"x is too short for center=True: reflect padding of {pad} needs more than "
                             f"{pad} samples, got {x.size}")
        x = np.pad(x, pad, mode="reflect")
    if x.size < n_fft:
        raise ValueError(f"x ({x.size} samples) is shorter than n_fft ({n_fft})")
    frames = frame_signal(x, n_fft, hop_length) * hann_window(n_fft, periodic=True)
    return np.fft.rfft(frames, axis=1).T


def spectrogram(x, n_fft=512, hop_length=128, power=2.0):
    """|stft(x, n_fft, hop_length, center=True)| ** power: 2.0 a power, 1.0 a magnitude spectrogram.

    Returns: float64 (n_fft // 2 + 1, n_frames). ``power`` must be > 0.
    """
    power = _check_positive("power", power)
    return np.abs(stft(x, n_fft, hop_length, center=True)) ** power


def _decibels(s, ref, amin, top_db, factor):
    """factor * log10(max(s, amin) / ref), floored at its maximum - top_db (shared by both dB scales)."""
    s = np.asarray(s)
    if s.dtype.kind not in "biuf":
        raise ValueError(f"s must be a real-valued array, got dtype {s.dtype}")
    ref = _check_positive("ref", ref)
    amin = _check_positive("amin", amin)
    if top_db is not None and (not np.isfinite(top_db) or top_db < 0):
        raise ValueError(f"top_db must be a finite number >= 0 or None, got {top_db!r}")
    # amin clips the input before ref divides it: a silent bin is amin / ref, not amin.
    db = factor * np.log10(np.maximum(s.astype(np.float64), amin) / ref)
    if top_db is not None and db.size:
        db = np.maximum(db, db.max() - top_db)
    return db


def power_to_db(s, ref=1.0, amin=1e-10, top_db=80.0):
    """A POWER spectrogram (|stft|^2) in decibels: 10 log10(max(s, amin) / ref), floored at max - top_db.

    As librosa.power_to_db. Powers 1, 10, 100 are 0, 10, 20 dB.

    Inputs:
    - s: array of powers (>= 0), any shape, any real dtype.
    - ref: the power that maps to 0 dB, > 0.
    - amin: smallest power considered (avoids log10(0) = -inf), > 0; clipping happens before
      dividing by ref, so s = 0 gives 10 log10(amin / ref).
    - top_db: dynamic range kept below the loudest value, >= 0 (0 makes everything the
      maximum); None keeps everything. The floor is the maximum of the dB values (after
      dividing by ref) minus top_db.

    Returns: float64 array of the shape of ``s``.
    """
    return _decibels(s, ref, amin, top_db, 10.0)


def amplitude_to_db(s, ref=1.0, amin=1e-5, top_db=80.0):
    """An AMPLITUDE (magnitude, |stft|) spectrogram in decibels: 20 log10(max(s, amin) / ref), floored at max - top_db.

    As librosa.amplitude_to_db and torchaudio's AmplitudeToDB(stype="magnitude"): 20 log10
    because power is amplitude squared, so amplitude_to_db(|S|) equals power_to_db(|S|^2,
    ref^2, amin^2, top_db). Amplitudes 1, 10, 100 are 0, 20, 40 dB.

    Inputs:
    - s: array of amplitudes (>= 0), any shape, any real dtype.
    - ref: the amplitude that maps to 0 dB, > 0.
    - amin: smallest amplitude considered, > 0 (default 1e-5, i.e. -100 dB, the same floor
      as power_to_db's 1e-10); clipping happens before dividing by ref.
    - top_db: dynamic range in dB kept below the loudest value, >= 0; None keeps everything.

    Returns: float64 array of the shape of ``s``.
    """
    return _decibels(s, ref, amin, top_db, 20.0)


# ----------------------------------------------------------------------------------------
# The mel scale
# ----------------------------------------------------------------------------------------


def hz_to_mel(f):
    """HTK mel scale: m = 2595 log10(1 + f / 700). A float for a scalar, else a float64 array."""
    m = 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)
    return float(m) if m.ndim == 0 else m


def mel_to_hz(m):
    """Inverse of hz_to_mel: f = 700 (10 ** (m / 2595) - 1)."""
    f = 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)
    return float(f) if f.ndim == 0 else f


def mel_filterbank(sr, n_fft, n_mels, f_min=0.0, f_max=None):
    """Triangular filters equally spaced on the HTK mel scale, unnormalised (peaks of height 1).

    n_mels + 2 points equally spaced in mel from hz_to_mel(f_min) to hz_to_mel(f_max), mapped
    back to Hz: f_0 < f_1 < ... < f_{n_mels+1}. Filter m rises linearly from 0 at f_m to 1 at
    f_{m+1} and falls back to 0 at f_{m+2}, evaluated at the n_fft // 2 + 1 frequencies
    linspace(0, sr / 2, n_fft // 2 + 1), as torchaudio does. For even n_fft these are the bins
    k * sr / n_fft; for odd n_fft they are not (the last one is sr / 2, not
    (n_fft - 1) / 2 * sr / n_fft): the contract is torchaudio's, for every n_fft.
        fb[m, k] = max(0, min((f - f_m) / (f_{m+1} - f_m), (f_{m+2} - f) / (f_{m+2} - f_{m+1})))

    Inputs: sr > 0 (Hz); n_fft >= 1; n_mels >= 1; 0 <= f_min < f_max <= sr / 2 (f_max None: sr / 2).
    Returns: float64 (n_mels, n_fft // 2 + 1); equals torchaudio.functional.melscale_fbanks(
    n_fft // 2 + 1, f_min, f_max, n_mels, sr, norm=None, mel_scale="htk").T.
    """
    sr = _check_positive("sr", sr)
    n_fft = _check_int("n_fft", n_fft, 1)
    n_mels = _check_int("n_mels", n_mels, 1)
    f_max = sr / 2.0 if f_max is None else f_max
    if not np.isfinite(f_min) or f_min < 0:
        raise ValueError(f"f_min must be a finite number >= 0, got {f_min!r}")
    if not np.isfinite(f_max) or f_max <= f_min or f_max > sr / 2.0:
        raise ValueError(f"f_max must satisfy f_min < f_max <= sr / 2 = {sr / 2.0:g}, got {f_max!r}")
    # torchaudio's grid, not np.fft.rfftfreq: they differ only for odd n_fft (see the docstring).
    freqs = np.linspace(0.0, sr / 2.0, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs[None, :] - lower) / (centre - lower)
    falling = (upper - freqs[None, :]) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


def dominant_frequency(x, sr):
    """The frequency (Hz) of the largest-magnitude rfft bin of x, ignoring DC (bin 0).

    Bin k is k * sr / N for N = len(x) >= 2. Ties: the lowest such bin. Returns a float.
    """
    x = _as_signal(x)
    sr = _check_positive("sr", sr)
    if x.size < 2:
        raise ValueError(f"x must have at least 2 samples, got {x.size}")
    magnitude = np.abs(np.fft.rfft(x))
    k = 1 + int(np.argmax(magnitude[1:]))
    return k * sr / x.size
