"""Synthetic sounds and a synthetic "video" of sound sources for HW4: seeded, numpy only, fast.

Everything is generated on the fly (no downloads, no audio files); the same arguments always
give the same arrays on every machine. Signals are float64 arrays of samples in about [-1, 1].

Sounds
    ``tone``        a sinusoid (the "pure tone" of the lecture: one line in the spectrogram)
    ``chirp``       a sinusoid whose frequency sweeps linearly (a diagonal line)
    ``clicks``      short decaying clicks at given times (vertical lines: broadband, brief)
    ``noise``       white or brown noise (energy everywhere / mostly at low frequencies)
    ``mix``         a weighted sum of sources, padded to the longest
    ``sdr``         signal-to-distortion ratio (dB) of an estimate of a reference signal

Audio-visual data
    ``moving_sources_video``   a small greyscale video of blobs that move and make sound
                               while they move, with the soundtrack (optionally delayed)
    ``visual_feature_map``     a (D, H, W) "CNN feature map" of one frame of that video
    ``sound_classes``          short clips of K sound classes for a teacher-student run
"""
from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------------------
# Sounds
# ----------------------------------------------------------------------------------------

def _time(duration: float, sr: int) -> np.ndarray:
    return np.arange(int(round(duration * sr))) / float(sr)


def tone(freq: float, duration: float = 1.0, sr: int = 16000, amplitude: float = 1.0,
         phase: float = 0.0) -> np.ndarray:
    """``amplitude * sin(2 pi freq t + phase)`` for ``duration`` seconds at ``sr`` Hz."""
    return amplitude * np.sin(2.0 * np.pi * freq * _time(duration, sr) + phase)


def chirp(f0: float, f1: float, duration: float = 1.0, sr: int = 16000, amplitude: float = 1.0) -> np.ndarray:
    """A linear sweep from ``f0`` to ``f1`` Hz: instantaneous frequency f0 + (f1 - f0) t / duration."""
    t = _time(duration, sr)
    return amplitude * np.sin(2.0 * np.pi * (f0 * t + 0.5 * (f1 - f0) * t ** 2 / duration))


def clicks(times, duration: float = 1.0, sr: int = 16000, decay_ms: float = 3.0,
           freq: float = 3000.0) -> np.ndarray:
    """Clicks at ``times`` (seconds): a short burst of ``freq`` Hz decaying with ``decay_ms``."""
    out = np.zeros(int(round(duration * sr)))
    length = int(sr * decay_ms * 8 / 1000)
    t = np.arange(length) / sr
    burst = np.exp(-t / (decay_ms / 1000)) * np.sin(2 * np.pi * freq * t)
    for start in (int(round(s * sr)) for s in np.atleast_1d(times)):
        if 0 <= start < out.size:
            stop = min(out.size, start + length)
            out[start:stop] += burst[:stop - start]
    return out


def noise(duration: float = 1.0, sr: int = 16000, seed: int = 0, color: str = "white",
          amplitude: float = 0.3) -> np.ndarray:
    """White (flat spectrum) or brown (1/f^2, a random walk) noise, peak-normalised to ``amplitude``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(int(round(duration * sr)))
    if color == "brown":
        x = np.cumsum(x)
        x -= np.linspace(x[0], x[-1], x.size)      # no drift: start and end at 0
    elif color != "white":
        raise ValueError(f"color must be 'white' or 'brown', got {color!r}")
    return amplitude * x / max(np.abs(x).max(), 1e-12)


def mix(*sources: np.ndarray, gains=None) -> np.ndarray:
    """The sum of ``sources`` (each scaled by its gain), zero-padded to the longest."""
    gains = np.ones(len(sources)) if gains is None else np.asarray(gains, dtype=float)
    out = np.zeros(max(len(s) for s in sources))
    for s, g in zip(sources, gains, strict=True):
        out[:len(s)] += g * np.asarray(s, dtype=float)
    return out


def sdr(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Signal-to-distortion ratio in dB: 10 log10(|reference|^2 / |reference - estimate|^2)."""
    reference, estimate = np.asarray(reference, float), np.asarray(estimate, float)
    n = min(reference.size, estimate.size)
    error = np.sum((reference[:n] - estimate[:n]) ** 2)
    return float(10 * np.log10(np.sum(reference[:n] ** 2) / max(error, 1e-300)))


# ----------------------------------------------------------------------------------------
# A video of moving sound sources
# ----------------------------------------------------------------------------------------

def _activity(n_frames: int, rng: np.random.Generator) -> np.ndarray:
    """A source's per-frame activity in [0, 1]: random bursts of motion (and sound)."""
    on = (rng.random(n_frames) < 0.35).astype(float)
    kernel = np.array([0.25, 0.5, 1.0, 0.5, 0.25])
    smooth = np.convolve(on, kernel, mode="same")
    return np.clip(smooth / kernel.sum() * 2.0, 0.0, 1.0)


def moving_sources_video(n_frames: int = 60, height: int = 32, width: int = 48, fps: int = 25,
                         sr: int = 8000, freqs=(440.0, 1250.0), offset_frames: int = 0,
                         seed: int = 0) -> dict:
    """A greyscale video of Gaussian blobs that make a sound while (and only while) they move.

    Source s has a random per-frame activity a_s[t] in [0, 1]; it moves across the frame at
    a speed proportional to a_s[t] (bouncing off the sides) and emits a tone of ``freqs[s]``
    Hz with loudness a_s[t] (so the sound's envelope follows the motion). The soundtrack is
    delayed by ``offset_frames`` frames (negative: it leads the video), zero-filled.

    Returns a dict:
    - ``frames``: (n_frames, height, width) float64 in [0, 1];
    - ``audio``: (n_frames * sr // fps,) the soundtrack (the sum of the sources);
    - ``sources``: (n_sources, n_samples) the sources' sounds (delayed like the soundtrack);
    - ``positions``: (n_sources, n_frames, 2) blob centres (row, column) in pixels;
    - ``activity``: (n_sources, n_frames) the activities a_s[t];
    - ``motion``: (n_frames,) visual motion energy, mean |frame_t - frame_{t-1}| (motion[0] = motion[1]);
    - ``envelope``: (n_frames,) RMS of the soundtrack in each frame's samples;
    - ``fps``, ``sr``, ``offset_frames``.
    """
    rng = np.random.default_rng(seed)
    n_src = len(freqs)
    spf = sr // fps                                   # samples per frame
    activity = np.stack([_activity(n_frames, rng) for _ in range(n_src)])

    positions = np.zeros((n_src, n_frames, 2))
    rows = np.linspace(0.3, 0.7, n_src) * height if n_src > 1 else np.array([height / 2])
    for s in range(n_src):
        x, direction = rng.uniform(0.2, 0.8) * width, rng.choice([-1.0, 1.0])
        for t in range(n_frames):
            x += direction * 2.0 * activity[s, t]
            if not 3.0 <= x <= width - 4.0:          # bounce off the sides
                direction = -direction
                x = min(max(x, 3.0), width - 4.0)
            positions[s, t] = rows[s] + 1.5 * np.sin(0.4 * t + s), x

    yy, xx = np.mgrid[0:height, 0:width]
    frames = np.zeros((n_frames, height, width))
    for s in range(n_src):
        dy = yy[None] - positions[s, :, 0, None, None]
        dx = xx[None] - positions[s, :, 1, None, None]
        frames = np.maximum(frames, np.exp(-(dy ** 2 + dx ** 2) / (2 * 2.5 ** 2)))

    n_samples = n_frames * spf
    t = np.arange(n_samples) / sr
    frame_time = (np.arange(n_frames) + 0.5) * spf / sr
    sources = np.stack([np.interp(t, frame_time, activity[s]) * 0.5 * np.sin(2 * np.pi * freqs[s] * t)
                        for s in range(n_src)])
    shift = offset_frames * spf
    if shift > 0:
        sources = np.concatenate([np.zeros((n_src, shift)), sources[:, :n_samples - shift]], axis=1)
    elif shift < 0:
        sources = np.concatenate([sources[:, -shift:], np.zeros((n_src, -shift))], axis=1)
    audio = sources.sum(axis=0)

    motion = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2))
    motion = np.concatenate([motion[:1], motion])
    envelope = np.sqrt((audio.reshape(n_frames, spf) ** 2).mean(axis=1))
    return {"frames": frames, "audio": audio, "sources": sources, "positions": positions,
            "activity": activity, "motion": motion, "envelope": envelope, "fps": fps, "sr": sr,
            "offset_frames": offset_frames}


def visual_feature_map(video: dict, t: int, dim: int = 16, noise_level: float = 0.05,
                       seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A stand-in for a CNN's feature map of frame ``t``, and each source's feature signature.

    Each source s gets a random unit "signature" vector in R^dim; the feature at a pixel is the
    sum over sources of (blob s's intensity there) * signature_s, plus a little noise.
    Returns ``(features (dim, H, W), signatures (n_sources, dim))``. An audio embedding
    close to signature_s should light up source s in a localisation map.
    """
    rng = np.random.default_rng(seed)
    positions = video["positions"][:, t]
    height, width = video["frames"].shape[1:]
    signatures = rng.standard_normal((positions.shape[0], dim))
    signatures /= np.linalg.norm(signatures, axis=1, keepdims=True)
    yy, xx = np.mgrid[0:height, 0:width]
    features = noise_level * rng.standard_normal((dim, height, width))
    for s, (row, col) in enumerate(positions):
        blob = np.exp(-((yy - row) ** 2 + (xx - col) ** 2) / (2 * 3.0 ** 2))
        features += signatures[s][:, None, None] * blob[None]
    return features, signatures


def sound_classes(n: int = 200, n_classes: int = 4, duration: float = 0.25, sr: int = 8000,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` short clips of ``n_classes`` sound classes, and their labels.

    Class c is a tone near 300 * 1.8**c Hz (random detune, amplitude and phase) plus white
    noise; every other clip of a class also has a few clicks. Returns (clips (n, samples), labels (n,)).
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_classes, size=n)
    clips = np.zeros((n, int(round(duration * sr))))
    for i, c in enumerate(labels):
        freq = 300.0 * 1.8 ** c * rng.uniform(0.95, 1.05)
        clips[i] = tone(freq, duration, sr, amplitude=rng.uniform(0.3, 1.0), phase=rng.uniform(0, 2 * np.pi))
        clips[i] += noise(duration, sr, seed=int(rng.integers(1 << 30)), amplitude=0.2)
        if i % 2:
            clips[i] += clicks(rng.uniform(0, duration, size=3), duration, sr)
    return clips, labels
