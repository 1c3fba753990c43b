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
    """Cut a signal into overlapping frames, one frame per row; no padding.

    Lecture idea: sound changes over time, so we analyse it a few milliseconds at a time.
    Frame i is x[i * hop_length : i * hop_length + frame_length]; frames overlap when
    hop_length < frame_length. Samples after the last whole frame are dropped.

    Inputs:
    - x: (N,) real signal, any real dtype.
    - frame_length: samples per frame, an integer with 1 <= frame_length <= N.
    - hop_length: samples between the starts of consecutive frames, an integer >= 1.

    Returns: float64 array (n_frames, frame_length) with
        n_frames = 1 + (N - frame_length) // hop_length.

    Raises:
    - ValueError naming `x` if x is not a non-empty 1-D real array.
    - ValueError naming `frame_length` if it is not an integer with 1 <= frame_length <= N.
    - ValueError naming `hop_length` if it is not an integer >= 1.
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
    """The Hann window w[k] = 0.5 - 0.5 cos(2 pi k / M), k = 0, ..., n - 1.

    Lecture idea: cutting a frame out of a signal multiplies it by a rectangle, whose
    spectrum has large side lobes that smear every tone over many bins ("leakage"). Tapering
    the frame smoothly to zero at its ends keeps a tone's energy in a few bins.

    Inputs:
    - n: the window length, an integer >= 0.
    - periodic: True: M = n (the window for spectral analysis: one period of a cosine, so
      copies shifted by n/2 add up to a constant); False: M = n - 1 (symmetric: the first
      and the last samples are both 0).

    Returns: float64 array (n,), equal to torch.hann_window(n, periodic=periodic). Special
    cases, as in torch: n = 0 gives an empty array, n = 1 gives [1.0] (for both kinds).

    Raises:
    - ValueError naming `n` if it is not an integer >= 0.
    """
    n = _check_int("n", n, 0)
    if n == 1:
        return np.ones(1)
    M = n if periodic else n - 1
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / M)


def stft(x, n_fft=512, hop_length=128, center=True):
    """Short-time Fourier transform with a periodic Hann window.

    Lecture idea: the spectrogram is a sequence of spectra of short, windowed frames:
        S[k, t] = sum_{n=0}^{n_fft-1} w[n] x_pad[t * hop_length + n] exp(-2 pi i k n / n_fft)
    for k = 0 .. n_fft // 2 (the other half of the DFT of a real signal is redundant), with
    w = hann_window(n_fft, periodic=True).

    Inputs:
    - x: (N,) real signal, any real dtype.
    - n_fft: frame length and DFT size, an integer >= 1 (any size, not only powers of two).
    - hop_length: samples between the starts of consecutive frames, an integer >= 1.
    - center: if True, first pad x with n_fft // 2 samples on BOTH sides by reflection
      without repeating the edge sample (np.pad mode "reflect": x[2] x[1] | x[0] x[1] ...),
      so frame t is centred on sample t * hop_length; reflection needs N > n_fft // 2. If
      False, x is not padded. Either way the (padded) signal must have at least n_fft samples.

    Returns: complex128 array (n_fft // 2 + 1, n_frames), frequency on axis 0, n_frames as
    in frame_signal on the (padded) signal. Must equal torch.stft(torch.tensor(x), n_fft,
    hop_length, window=torch.hann_window(n_fft), center=center, pad_mode="reflect",
    return_complex=True) to 1e-6 relative.

    Raises:
    - ValueError naming `x` if x is not a non-empty 1-D real array, or if center is True
      and N <= n_fft // 2 (too short to reflect).
    - ValueError naming `n_fft` if it is not an integer >= 1, or if the (padded) signal has
      fewer than n_fft samples.
    - ValueError naming `hop_length` if it is not an integer >= 1.
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
    """|stft(x, n_fft, hop_length, center=True)| ** power.

    power=2.0 gives a power spectrogram (energy per bin), power=1.0 a magnitude one.

    Inputs:
    - x, n_fft, hop_length: as in stft (always centred).
    - power: the exponent, a finite number > 0.

    Returns: float64 array (n_fft // 2 + 1, n_frames), all >= 0.

    Raises:
    - ValueError naming `power` if it is not a finite number > 0.
    - The ValueErrors of stft for x, n_fft and hop_length.
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
    """Convert a POWER spectrogram (|stft|^2) to decibels, as librosa.power_to_db.

    Lecture idea: loudness is perceived logarithmically; a dB image shows the quiet
    harmonics that a linear image hides. Power is energy, so a factor 10 in power is 10 dB:
        db = 10 log10(max(s, amin) / ref),   then   db = max(db, db.max() - top_db)
    Powers 1, 10, 100 are 0, 10, 20 dB.

    Inputs:
    - s: array of powers (>= 0), any shape, any real dtype.
    - ref: the power that maps to 0 dB, a finite number > 0.
    - amin: the smallest power used, a finite number > 0, so that s = 0 does not give -inf.
      Clip first, then divide by ref: s = 0 gives 10 log10(amin / ref).
    - top_db: keep only this many dB below the loudest value, a finite number >= 0 (0 makes
      every value the maximum); None: no floor. The floor is the maximum of the dB values
      (after dividing by ref) minus top_db.

    Returns: float64 array of the shape of s.

    Raises:
    - ValueError naming `s` if it is not a real-valued array.
    - ValueError naming `ref`, `amin` or `top_db` if it is outside the range above.
    """
    return _decibels(s, ref, amin, top_db, 10.0)


def amplitude_to_db(s, ref=1.0, amin=1e-5, top_db=80.0):
    """Convert an AMPLITUDE (magnitude, |stft|) spectrogram to decibels, as librosa.amplitude_to_db.

    Power is amplitude squared, so the same loudness in dB needs 20 log10 for amplitudes:
        db = 20 log10(max(s, amin) / ref),   then   db = max(db, db.max() - top_db)
    Amplitudes 1, 10, 100 are 0, 20, 40 dB (as torchaudio's AmplitudeToDB(stype="magnitude")),
    and amplitude_to_db(|S|, ref, amin, top_db) equals power_to_db(|S|**2, ref**2, amin**2,
    top_db) without its overflow: amplitudes above ~1e154 square to inf, but must give their
    finite dB value here.

    Inputs:
    - s: array of amplitudes (>= 0), any shape, any real dtype.
    - ref: the amplitude that maps to 0 dB, a finite number > 0.
    - amin: the smallest amplitude used, a finite number > 0. The default 1e-5 is -100 dB,
      the same floor as power_to_db's 1e-10. Clip first, then divide by ref.
    - top_db: dynamic range in dB kept below the loudest value, a finite number >= 0;
      None: no floor.

    Returns: float64 array of the shape of s.

    Raises: as power_to_db (ValueError naming `s`, `ref`, `amin` or `top_db`).
    """
    return _decibels(s, ref, amin, top_db, 20.0)


# ----------------------------------------------------------------------------------------
# The mel scale
# ----------------------------------------------------------------------------------------


def hz_to_mel(f):
    """The HTK mel scale: m = 2595 log10(1 + f / 700) (log10, not the natural log).

    Lecture idea: we hear pitch differences on a roughly logarithmic scale above ~1 kHz
    (and roughly linearly below); equal steps in mel sound equally far apart.

    Inputs:
    - f: frequency in Hz, a number or an array of any shape.

    Returns: a float for a number, otherwise a float64 array of the same shape.
    """
    m = 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)
    return float(m) if m.ndim == 0 else m


def mel_to_hz(m):
    """The inverse of hz_to_mel: f = 700 (10 ** (m / 2595) - 1).

    Inputs:
    - m: mels, a number or an array of any shape.

    Returns: Hz, a float for a number, otherwise a float64 array of the same shape.
    """
    f = 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)
    return float(f) if f.ndim == 0 else f


def mel_filterbank(sr, n_fft, n_mels, f_min=0.0, f_max=None):
    """Triangular filters equally spaced on the HTK mel scale, unnormalised (each peaks at 1).

    Lecture idea: like the cochlea's bands, the filters are narrow at low frequencies and
    wide at high ones. fb @ power_spectrogram is the mel spectrogram (n_mels, n_frames).

    Construction:
    1. n_mels + 2 points equally spaced in mel from hz_to_mel(f_min) to hz_to_mel(f_max),
       mapped back to Hz: f_0 < f_1 < ... < f_{n_mels + 1}.
    2. The frequencies freqs = np.linspace(0, sr / 2, n_fft // 2 + 1), as torchaudio. For
       even n_fft these are the rfft bins k * sr / n_fft; for ODD n_fft they are not (the
       last one is sr / 2, not (n_fft - 1) / 2 * sr / n_fft): the contract is torchaudio's
       linspace for every n_fft (odd sizes are tested).
    3. Filter m (m = 0 .. n_mels - 1) rises linearly from 0 at f_m to 1 at f_{m+1} and falls
       back to 0 at f_{m+2}:
       fb[m, k] = max(0, min((freqs[k] - f_m) / (f_{m+1} - f_m),
                             (f_{m+2} - freqs[k]) / (f_{m+2} - f_{m+1})))

    Inputs:
    - sr: sample rate in Hz, a finite number > 0.
    - n_fft: an integer >= 1; the filters cover the n_fft // 2 + 1 bins of stft.
    - n_mels: the number of filters, an integer >= 1.
    - f_min, f_max: the frequency range in Hz, 0 <= f_min < f_max <= sr / 2 (f_max None
      means sr / 2).

    Returns: float64 array (n_mels, n_fft // 2 + 1); equals torchaudio's
    melscale_fbanks(n_fft // 2 + 1, f_min, f_max, n_mels, sr, norm=None, mel_scale="htk").T
    (no Slaney area normalisation).

    Raises:
    - ValueError naming `sr`, `n_fft` or `n_mels` if it is outside the range above.
    - ValueError naming `f_min` if it is negative (or not finite).
    - ValueError naming `f_max` if it is above sr / 2 or not above f_min.
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

    Lecture idea: a pure tone is a single line in the spectrum; its position is its pitch.

    Inputs:
    - x: (N,) real signal, any real dtype, with N >= 2.
    - sr: sample rate in Hz, a finite number > 0.

    Returns: a float, k * sr / N for the bin k >= 1 with the largest |rfft(x)[k]| (the
    lowest such k in a tie). The DC bin is skipped: a constant offset is not a frequency.

    Raises:
    - ValueError naming `x` if it is not a 1-D real array of at least 2 samples.
    - ValueError naming `sr` if it is not a finite number > 0.
    """
    x = _as_signal(x)
    sr = _check_positive("sr", sr)
    if x.size < 2:
        raise ValueError(f"x must have at least 2 samples, got {x.size}")
    magnitude = np.abs(np.fft.rfft(x))
    k = 1 + int(np.argmax(magnitude[1:]))
    return k * sr / x.size
