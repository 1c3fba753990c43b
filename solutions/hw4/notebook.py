# The source of assignments/hw4/hw4.ipynb, in jupytext's percent format. Edit it here, then
# run `cvgrade notebooks hw4`. The directives (cvgrade=..., your_turn=..., how-to-work) are
# explained in autograder/release/notebooks.py.

# %% [markdown]
# # HW4: Audio-visual learning
#
# This notebook walks through the lecture *Vision and Sound* and draws every idea with **your**
# code: the cells call the functions you write in `audio.py` (numpy: frames, windows, the
# STFT, decibels, the mel scale) and `audiovisual.py` (torch: SoundNet's distillation loss,
# audio-visual contrastive learning, sound localisation, mix-and-separate, synchronisation),
# then the lecture *Vision and Language* with `vislang.py` (torch: CLIP's contrastive loss,
# zero-shot classification, attention over image regions for a question).
# The notebook is not graded; the tests are.
#
# <!-- cvgrade how-to-work: pytest tests/test_audio.py -k stft -->
#
# All sounds are synthesised by `shared/audio_data.py` (tones, chirps,
# clicks, noise and a small video of moving sound sources), seeded so that every run is the same.
# Sample rate 8 kHz: frequencies up to 4 kHz (the Nyquist frequency) can be represented.

# %% [markdown]
# ## Setup
#
# Imports, a reload of your modules (so edits take effect without restarting the kernel) and
# two drawing helpers. `shared/` (the course's helpers) sits next to this notebook in the
# release; in the course repository it is two folders up, so we look for it.

# %%
import importlib
import sys
from pathlib import Path

import audio  # your modules, next to this notebook
import audiovisual
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch
import vislang

for folder in (Path.cwd(), *Path.cwd().parents):   # make the course's `shared` package importable
    if (folder / "shared" / "audio_data.py").is_file():
        sys.path.insert(0, str(folder))
        break
ad = importlib.import_module("shared.audio_data")  # synthetic sounds and video
vl = importlib.import_module("shared.vislang_data")  # synthetic images, captions and scenes
check = importlib.import_module("shared.notebook_checks").check  # public tests of named functions

IN_JUPYTER = "ipykernel" in sys.modules
if not IN_JUPYTER:  # plain `python` (no notebook server): draw off-screen
    matplotlib.use("Agg")

importlib.reload(audio)  # pick up your latest edits
importlib.reload(audiovisual)
importlib.reload(vislang)
torch.manual_seed(0)
SR = 8000  # samples per second


def finish(fig):
    """Display a finished figure (in Jupyter) and free it."""
    fig.tight_layout()
    if IN_JUPYTER:
        plt.show()
    plt.close(fig)


def show_spec(ax, image, hop, sr=SR, title="", ylabel="frequency (Hz)", top=None, cmap="magma"):
    """Draw a (n_freqs, n_frames) image with time (s) across and frequency (Hz) up."""
    n_freqs, n_frames = image.shape
    extent = [0, n_frames * hop / sr, 0, sr / 2 if top is None else top]
    ax.imshow(image, origin="lower", aspect="auto", extent=extent, cmap=cmap)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)


# %% [markdown]
# ## 1. Sound is a wave
#
# A microphone records air pressure over time: a *waveform*, here 8000 numbers per second.
# A *pure tone* is a sinusoid, a *chirp* a sinusoid whose frequency sweeps, a *click* a brief
# burst and *noise* a random signal. The ear is a Fourier analyser: the cochlea resonates at
# different places for different frequencies, so what we hear is closer to the waveform's
# spectrum than to the waveform itself. `dominant_frequency` finds the strongest line of the
# spectrum (ignoring the constant offset, DC): the pitch of a tone.

# %%
duration = 1.0
sounds = {
    "tone 440 Hz": ad.tone(440, duration, SR, amplitude=0.8),
    "chirp 200 -> 3000 Hz": ad.chirp(200, 3000, duration, SR, amplitude=0.8),
    "clicks": ad.clicks([0.1, 0.35, 0.6, 0.85], duration, SR),
    "white noise": ad.noise(duration, SR, seed=1),
    "tone + clicks + noise": ad.mix(ad.tone(440, duration, SR, 0.5), ad.clicks([0.3, 0.7], duration, SR),
                                    ad.noise(duration, SR, seed=2, amplitude=0.1)),
}
t = np.arange(int(duration * SR)) / SR
fig, axes = plt.subplots(len(sounds), 2, figsize=(11, 1.6 * len(sounds)), squeeze=False)
for (name, x), (ax_all, ax_zoom) in zip(sounds.items(), axes, strict=True):
    ax_all.plot(t, x, lw=0.5)
    ax_all.set_title(f"{name}: whole second", fontsize=9)
    ax_zoom.plot(t[:400], x[:400], lw=0.8)
    ax_zoom.set_title(f"{name}: first 50 ms", fontsize=9)
finish(fig)

for f in (440.0, 1000.0, 1234.5):
    x = 0.3 + ad.tone(f, 0.5, SR)          # a DC offset that dominant_frequency must ignore
    print(f"tone at {f:7.1f} Hz -> dominant_frequency = {audio.dominant_frequency(x, SR):7.1f} Hz")

# %% [markdown]
# The tone at 1234.5 Hz is reported at the nearest bin: with N samples the rfft's bins are
# `sr / N` = 2 Hz apart here.

# %% tags=["check"] your_turn="audio.py"
check("dominant_frequency")

# %% [markdown]
# ## 2. Frames and windows
#
# Sound changes over time, so we analyse it a few tens of milliseconds at a time:
# `frame_signal` cuts the waveform into overlapping frames (`frame_length` samples, a new
# frame every `hop_length` samples). Cutting a frame out multiplies the signal by a
# rectangle, and the rectangle's spectrum has big side lobes: a tone *leaks* into many bins.
# A *Hann window*, a raised cosine that goes smoothly to 0 at the frame's ends, trades a
# slightly wider main lobe for far lower side lobes. The *periodic* Hann window (one full
# cosine period over n samples) is the one for spectral analysis: shifted copies spaced
# n / 4 apart add up to a constant, so every sample counts the same.

# %%
x = ad.tone(1030.0, 0.1, SR)                # 1030 Hz falls between two 256-point bins
frames = audio.frame_signal(x, 256, 64)
print("frames:", frames.shape, "= 1 + (len(x) - 256) // 64 =", 1 + (len(x) - 256) // 64)

n = 256
periodic, symmetric = audio.hann_window(n), audio.hann_window(n, periodic=False)
fig, axes = plt.subplots(1, 3, figsize=(13, 3))
axes[0].plot(periodic, label="periodic (M = n)")
axes[0].plot(symmetric, "--", label="symmetric (M = n - 1)")
axes[0].set_title("Hann windows, n = 256", fontsize=9)
axes[0].legend(fontsize=8)
total = np.zeros(n + 3 * n // 4)
for start in range(0, 4 * (n // 4), n // 4):
    total[start:start + n] += periodic
axes[1].plot(total)
axes[1].set_title("periodic windows every n/4 samples add up to a constant", fontsize=9)
freqs = np.arange(n // 2 + 1) * SR / n
for name, w in (("rectangle (no window)", np.ones(n)), ("Hann", periodic)):
    spectrum = np.abs(np.fft.rfft(frames[0] * w))
    axes[2].plot(freqs, 20 * np.log10(spectrum / spectrum.max() + 1e-12), label=name)
axes[2].set_ylim(-100, 5)
axes[2].set_xlabel("frequency (Hz)")
axes[2].set_title("one frame of a 1030 Hz tone: leakage (dB)", fontsize=9)
axes[2].legend(fontsize=8)
finish(fig)

# %% tags=["check"] your_turn="audio.py"
check("frame_signal", "hann_window")

# %% [markdown]
# ## 3. The STFT and the spectrogram
#
# The short-time Fourier transform is the DFT of every windowed frame:
# $S[k, t] = \sum_n w[n]\, x[t \cdot hop + n]\, e^{-2\pi i k n / n_{fft}}$, one column per frame.
# With `center=True` the signal is first padded by reflection with `n_fft // 2` samples on
# each side so that frame t is centred on sample `t * hop`. The spectrogram `|S|^2` is an image
# of energy over time (across) and frequency (up): a tone is a horizontal line, a chirp a
# rising line, a click a vertical line, noise is everywhere.
#
# Energies span many orders of magnitude, and loudness is perceived logarithmically, so we look
# at *decibels*: `power_to_db` is `10 log10(power / ref)`, floored `top_db` below the maximum.
# Power is amplitude squared, so for a magnitude spectrogram `|S|` the same decibels are
# `20 log10(|S| / ref)`: that is `amplitude_to_db` (the names mean what they mean in librosa
# and torchaudio; mixing them up halves or doubles every dB value).
# `torch.stft` computes the same transform: the last line compares the two.

# %%
n_fft, hop = 256, 64
fig, axes = plt.subplots(2, len(sounds), figsize=(3.2 * len(sounds), 5.5), squeeze=False)
for i, (name, x) in enumerate(sounds.items()):
    power = audio.spectrogram(x, n_fft=n_fft, hop_length=hop)
    show_spec(axes[0, i], power, hop, title=f"{name}\nlinear power")
    show_spec(axes[1, i], audio.power_to_db(power, top_db=80.0), hop, title="dB (top_db = 80)")
finish(fig)

x = sounds["tone + clicks + noise"]
mine = audio.stft(x, n_fft=n_fft, hop_length=hop)
theirs = torch.stft(torch.from_numpy(x), n_fft, hop, window=torch.hann_window(n_fft, dtype=torch.float64),
                    center=True, pad_mode="reflect", return_complex=True).numpy()
print("stft shape", mine.shape, "| max |audio.stft - torch.stft| / max |S| =",
      np.abs(mine - theirs).max() / np.abs(theirs).max())
print("max |amplitude_to_db(|S|) - power_to_db(|S|^2)| =",
      np.abs(audio.amplitude_to_db(np.abs(mine)) - audio.power_to_db(np.abs(mine) ** 2)).max(), "dB")

# %% tags=["check"] your_turn="audio.py"
check("stft", "spectrogram", "power_to_db", "amplitude_to_db")

# %% [markdown]
# ## 4. The mel scale
#
# We hear pitch roughly linearly below 1 kHz and logarithmically above: the step from 100 to
# 200 Hz sounds as large as the step from 1 to 2 kHz. The HTK *mel* scale
# $m = 2595 \log_{10}(1 + f / 700)$ models this. A *mel filter bank* has triangular filters
# equally spaced in mel (narrow at low, wide at high frequencies, like the cochlea's bands);
# `fb @ power` turns a spectrogram into a *mel spectrogram*, the usual input of audio CNNs.

# %%
f = np.linspace(0, SR / 2, 200)
fb = audio.mel_filterbank(SR, n_fft, 24)
fig, axes = plt.subplots(1, 2, figsize=(12, 3))
axes[0].plot(f, audio.hz_to_mel(f))
axes[0].set_xlabel("Hz")
axes[0].set_ylabel("mel")
axes[0].set_title("the HTK mel scale", fontsize=9)
axes[1].plot(np.arange(n_fft // 2 + 1) * SR / n_fft, fb.T, lw=0.8)
axes[1].set_xlabel("Hz")
axes[1].set_title(f"mel_filterbank: {fb.shape[0]} triangles over {fb.shape[1]} bins", fontsize=9)
finish(fig)

x = sounds["chirp 200 -> 3000 Hz"]
power = audio.spectrogram(x, n_fft=n_fft, hop_length=hop)
fig, axes = plt.subplots(1, 2, figsize=(12, 3))
show_spec(axes[0], audio.power_to_db(power), hop, title="chirp: dB spectrogram (linear in Hz)")
show_spec(axes[1], audio.power_to_db(fb @ power), hop, top=fb.shape[0], ylabel="mel band",
          title="chirp: dB mel spectrogram (the sweep bends: linear in mel)")
finish(fig)

# %% tags=["check"] your_turn="audio.py"
check("hz_to_mel", "mel_to_hz", "mel_filterbank")

# %% [markdown]
# ## 5. A video that makes sound
#
# `ad.moving_sources_video` draws two blobs that move in bursts; each blob hums its own tone
# (440 Hz and 1250 Hz) while it moves, so what you see and what you hear share their timing.
# We use it for localisation, separation and synchronisation below. Its `motion` is the mean
# absolute difference of consecutive frames; its `envelope` the loudness (RMS) of the
# soundtrack in each frame.

# %%
video = ad.moving_sources_video(n_frames=60, fps=25, sr=SR, seed=0)
frames, spf = video["frames"], SR // video["fps"]
fig, axes = plt.subplots(1, 6, figsize=(13, 2))
for ax, t in zip(axes, range(0, 60, 10), strict=True):
    ax.imshow(frames[t], cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"frame {t}", fontsize=9)
    ax.axis("off")
finish(fig)

fig, axes = plt.subplots(1, 2, figsize=(13, 3))
show_spec(axes[0], audio.power_to_db(audio.spectrogram(video["audio"], n_fft=256, hop_length=spf)),
          spf, title="the soundtrack: two tones switching on and off")
time = np.arange(60) / video["fps"]
axes[1].plot(time, video["motion"] / video["motion"].max(), label="visual motion")
axes[1].plot(time, video["envelope"] / video["envelope"].max(), label="audio envelope")
axes[1].set_xlabel("time (s)")
axes[1].legend(fontsize=8)
axes[1].set_title("moving and sounding together", fontsize=9)
finish(fig)

# %% [markdown]
# ## 6. SoundNet: a vision teacher for a sound student
#
# SoundNet trained a sound network without a single sound label: a pretrained *vision*
# network looked at a video's frames and produced class probabilities $p$; the sound network
# saw only the soundtrack and learned to predict $q$ close to $p$ by minimising
# $\mathrm{KL}(p \,\|\, q) = \sum_k p_k (\log p_k - \log q_k)$, averaged over the batch.
# The teacher's distributions contain exact zeros (classes it rules out): $0 \log 0 = 0$.
#
# Here the "teacher" is simulated: for each clip it is confident about the true class but
# spreads some probability to a neighbour class and gives exactly 0 to the rest. The student
# is a linear classifier on the clip's mean log-mel spectrum, trained by gradient descent on
# `distillation_kl`. It never sees a label, only the teacher's soft outputs.

# %%
clips, labels = ad.sound_classes(n=240, n_classes=4, duration=0.25, sr=SR, seed=0)
K = 4
fb_small = audio.mel_filterbank(SR, 256, 32)


def features(clip):
    """The clip's average log-mel spectrum: 32 numbers."""
    return np.log(fb_small @ audio.spectrogram(clip, n_fft=256, hop_length=128) + 1e-6).mean(axis=1)


X = np.stack([features(c) for c in clips])
X = (X - X.mean(axis=0)) / X.std(axis=0)
teacher = np.zeros((len(labels), K))
teacher[np.arange(len(labels)), labels] = 0.8
teacher[np.arange(len(labels)), (labels + 1) % K] = 0.2          # the rest: exact zeros

X_t, P_t = torch.tensor(X[:180]), torch.tensor(teacher[:180])
student = torch.nn.Linear(X.shape[1], K).double()
optimiser = torch.optim.Adam(student.parameters(), lr=0.05)
losses = []
for _step in range(150):
    loss = audiovisual.distillation_kl(student(X_t), P_t)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    losses.append(loss.item())

with torch.no_grad():
    predicted = student(torch.tensor(X[180:])).argmax(dim=1).numpy()
accuracy = (predicted == labels[180:]).mean()
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(losses)
ax.set_xlabel("step")
ax.set_ylabel("KL(teacher || student)")
ax.set_title(f"distillation; held-out accuracy against the true labels: {accuracy:.0%}", fontsize=9)
finish(fig)


# %% [markdown]
# The loss cannot reach 0 unless the student reproduces the teacher's 0.8 / 0.2 split exactly;
# its argmax still recovers the classes. Try the KL in the other direction, KL(q || p): with
# the teacher's zeros it is infinite.

# %% tags=["check"] your_turn="audiovisual.py"
check("distillation_kl")

# %% [markdown]
# ## 7. Audio-visual correspondence
#
# Without any teacher, the pairing itself is the label: the sound of clip i belongs with
# the frames of clip i and not with the other clips of the batch. With cosine similarities
# $s_{ij} = \cos(a_i, v_j)$ the symmetric InfoNCE loss is the average of the cross-entropies
# of softmax($s_{i\cdot}/\tau$) and softmax($s_{\cdot j}/\tau$) with the matching index as the
# class. Below: the loss for embeddings that match their partners well, weakly, and not at all
# (shuffled), at a few temperatures $\tau$.

# %%
rng = np.random.default_rng(0)
B, D = 16, 32
visual_emb = rng.normal(size=(B, D))
for noise_level in (0.1, 1.0, 3.0):
    audio_emb = visual_emb + noise_level * rng.normal(size=(B, D))
    row = []
    for tau in (0.07, 0.2, 1.0):
        matched = audiovisual.av_contrastive_loss(torch.tensor(audio_emb), torch.tensor(visual_emb), tau)
        shuffled = audiovisual.av_contrastive_loss(torch.tensor(audio_emb[rng.permutation(B)]),
                                                   torch.tensor(visual_emb), tau)
        row.append(f"tau={tau}: {float(matched):6.3f} (shuffled {float(shuffled):6.3f})")
    print(f"noise {noise_level}: " + " | ".join(row))
print(f"chance level log(B) = {np.log(B):.3f}")

# %% tags=["check"] your_turn="audiovisual.py"
check("av_contrastive_loss")

# %% [markdown]
# ## 8. Where is the sound? A localisation heat map
#
# A network trained for correspondence gives a feature vector at every location of the frame
# and one embedding of the sound; where the two point the same way, that part of the image
# "sounds". The heat map is the cosine similarity at every location. Here the visual features
# are simulated (`ad.visual_feature_map`: each source carries its own random signature vector
# where its blob is), and the audio embedding is the signature of the louder source plus noise.
# The louder source lights up (red); the other one may even come out negative (blue), simply
# because its random signature happens to point away from the sound's embedding.

# %%
fig, axes = plt.subplots(2, 3, figsize=(12, 5))
for col, t in enumerate((10, 30, 50)):
    feats, signatures = ad.visual_feature_map(video, t, dim=16, seed=1)
    loud = int(np.argmax(video["activity"][:, t]))
    audio_embedding = signatures[loud] + 0.3 * np.random.default_rng(t).normal(size=16)
    heat = audiovisual.sound_localization_map(torch.tensor(feats), torch.tensor(audio_embedding)).numpy()
    axes[0, col].imshow(frames[t], cmap="gray", vmin=0, vmax=1)
    axes[0, col].set_title(f"frame {t}: source {loud} ({[440, 1250][loud]} Hz) is louder", fontsize=9)
    axes[1, col].imshow(frames[t], cmap="gray", vmin=0, vmax=1)
    axes[1, col].imshow(heat, cmap="jet", alpha=0.5, vmin=-1, vmax=1)
    axes[1, col].set_title("cosine similarity heat map", fontsize=9)
    for ax in axes[:, col]:
        ax.axis("off")
finish(fig)

# %% tags=["check"] your_turn="audiovisual.py"
check("sound_localization_map")

# %% [markdown]
# ## 9. Mix and separate
#
# Adding two recordings gives a free supervised task: from the mixture (and, in the lecture's
# model, the video of one source) predict each source. In the STFT domain a source is
# recovered by a *mask*: the ideal ratio mask of source a is its share of the mixture's
# magnitude, $|A| / (|A| + |B|)$ (0.5 each where both are silent). Multiplying the mixture's
# complex STFT by the mask keeps the mixture's phase; `torch.istft` turns it back into a
# waveform. The *signal-to-distortion ratio* $\mathrm{SDR} = 10 \log_{10}(\|s\|^2 / \|s - \hat s\|^2)$
# measures the result: higher is better, 0 dB means an error as loud as the signal.

# %%
source_a, source_b = video["sources"]               # the two blobs' sounds
mixture_wave = source_a + source_b
n_fft, hop = 256, 64
window = torch.hann_window(n_fft, dtype=torch.float64)
A, Bs, M = (audio.stft(s, n_fft=n_fft, hop_length=hop) for s in (source_a, source_b, mixture_wave))
mix_mag, mask_a, mask_b = audiovisual.mix_and_separate_targets(torch.tensor(np.abs(A)),
                                                               torch.tensor(np.abs(Bs)))

estimates = {}
for name, mask, reference in (("a (440 Hz)", mask_a, source_a), ("b (1250 Hz)", mask_b, source_b)):
    masked = audiovisual.apply_mask(torch.tensor(M), mask)
    estimate = torch.istft(masked, n_fft, hop, window=window, center=True, length=len(mixture_wave)).numpy()
    estimates[name] = estimate
    print(f"source {name}: SDR of the mixture {ad.sdr(reference, mixture_wave):6.2f} dB -> "
          f"after masking {ad.sdr(reference, estimate):6.2f} dB")

fig, axes = plt.subplots(1, 4, figsize=(15, 3))
show_spec(axes[0], audio.power_to_db(np.abs(M) ** 2), hop, title="mixture (dB)")
show_spec(axes[1], mask_a.numpy(), hop, title="ratio mask of a", cmap="viridis")
show_spec(axes[2], mask_b.numpy(), hop, title="ratio mask of b", cmap="viridis")
show_spec(axes[3], audio.power_to_db(np.abs(audio.stft(estimates["a (440 Hz)"], n_fft, hop)) ** 2), hop,
          title="separated a (dB)")
finish(fig)

# %% [markdown]
# These are the *ideal* masks, computed from the true sources: the targets a separation network
# learns to predict from the mixture and the video. Try a binary mask (`mask_a > 0.5`) instead,
# or a mixture of two sources at nearby frequencies: when does masking stop working?

# %% tags=["check"] your_turn="audiovisual.py"
check("mix_and_separate_targets", "apply_mask")

# %% [markdown]
# ## 10. Are sound and picture in sync?
#
# When the soundtrack is shifted (badly edited video, a dubbed film, a distant thunderstorm),
# the audio envelope no longer lines up with the motion. `estimate_av_offset` tries every
# lag in `[-max_lag, max_lag]` and keeps the one with the highest normalised (Pearson)
# correlation between the audio envelope and the motion; positive means the audio comes late.

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3))
for ax, offset in zip(axes, (-4, 0, 3), strict=True):
    shifted = ad.moving_sources_video(n_frames=80, sr=SR, offset_frames=offset, seed=2)
    envelope, motion = torch.tensor(shifted["envelope"]), torch.tensor(shifted["motion"])
    lag = audiovisual.estimate_av_offset(envelope, motion, 8)
    ax.plot(shifted["motion"] / shifted["motion"].max(), label="motion")
    ax.plot(shifted["envelope"] / shifted["envelope"].max(), label="audio envelope")
    ax.set_xlabel("frame")
    ax.set_title(f"true offset {offset:+d} frames, estimated {lag:+d}", fontsize=9)
    ax.legend(fontsize=8)
finish(fig)

# %% tags=["check"] your_turn="audiovisual.py"
check("estimate_av_offset")

# %% [markdown]
# ## 11. Vision and language: CLIP in miniature
#
# CLIP replaces the soundtrack of part 7 by a caption: an image encoder and a text encoder are
# trained so that an image and its own caption have a high cosine similarity and the other
# captions of the batch a low one. The logits are $s \cos(\text{image}_i, \text{text}_j)$ with a
# *learned* scale $s = \exp(\texttt{logit\_scale})$ (an inverse temperature), clamped at 100.
#
# Our "encoders" are two linear maps, and the data come from `shared/vislang_data.py`: six
# concepts (cat, dog, car, ...) each have a hidden vector; an image's "pixels" and a caption's
# "tokens" are two different random mixes of it plus noise. Contrastive training has to
# discover that the two mixes describe the same thing. Watch the loss and the learned scale.

# %%
world = vl.concept_world()
pixels, tokens, labels = vl.image_caption_pairs(world, n=512)
pixels_t, tokens_t = torch.tensor(pixels), torch.tensor(tokens)
torch.manual_seed(0)
image_encoder = torch.nn.Linear(pixels.shape[1], 16, bias=False).double()
text_encoder = torch.nn.Linear(tokens.shape[1], 16, bias=False).double()
logit_scale = torch.nn.Parameter(torch.tensor(np.log(1 / 0.07)))
optimiser = torch.optim.Adam([*image_encoder.parameters(), *text_encoder.parameters(), logit_scale], lr=0.01)
losses, scales = [], []
for _step in range(150):
    batch = torch.randperm(len(pixels_t))[:32]
    loss = vislang.clip_contrastive_loss(image_encoder(pixels_t[batch]), text_encoder(tokens_t[batch]),
                                         logit_scale)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    losses.append(loss.item())
    scales.append(min(logit_scale.detach().exp().item(), 100.0))
fig, axes = plt.subplots(1, 2, figsize=(11, 3))
axes[0].plot(losses)
axes[0].axhline(np.log(32), ls="--", c="gray", label="chance, log(batch)")
axes[0].set_title("clip_contrastive_loss while training", fontsize=9)
axes[0].legend(fontsize=8)
axes[1].plot(scales)
axes[1].set_title("the learned scale exp(logit_scale), clamped at 100", fontsize=9)
finish(fig)

# %% [markdown]
# Two captions of the same concept in one batch are "negatives" of each other although they
# match: that is why the loss does not reach 0 here (and one reason CLIP needs huge, diverse
# batches).

# %% tags=["check"] your_turn="vislang.py"
check("clip_contrastive_loss")

# %% [markdown]
# ## 12. Zero-shot classification
#
# The text encoder turns class names into classifiers: embed "a photo of a cat", "a photo of a
# dog", ..., and give each image the class whose prompt embedding is the most similar. No image
# label was used in training. *Prompt ensembling* embeds several templates per class ("a blurry
# photo of a ...", "a drawing of a ..."), normalises each and averages them: it usually helps,
# because one template's quirks average out.

# %%
test_pixels, _, test_labels = vl.image_caption_pairs(world, n=300, seed=7)
prompt_tokens, prompt_strings = vl.class_prompts(world)
with torch.no_grad():
    test_images = image_encoder(torch.tensor(test_pixels))
    prompts = text_encoder(torch.tensor(prompt_tokens))            # (K classes, P templates, D)
    for p in range(prompts.shape[1]):
        predicted, _ = vislang.zero_shot_classify(test_images, prompts[:, p])
        accuracy = (predicted.numpy() == test_labels).mean()
        print(f"one prompt, {prompt_strings[0][p].replace('cat', '{}')!r:28}: accuracy {accuracy:.0%}")
    predicted, scores = vislang.zero_shot_classify(test_images, prompts)
print(f"ensemble of {prompts.shape[1]} prompts: accuracy {(predicted.numpy() == test_labels).mean():.0%}"
      f" (chance {1 / len(world['names']):.0%})")
fig, ax = plt.subplots(figsize=(7, 3))
ax.imshow(scores[:40].numpy().T, aspect="auto", cmap="viridis")
ax.set_yticks(range(len(world["names"])), world["names"])
ax.set_xlabel("test image")
ax.set_title("cosine similarity of 40 test images to each class's prompts", fontsize=9)
finish(fig)

# %% tags=["check"] your_turn="vislang.py"
check("zero_shot_classify")

# %% [markdown]
# ## 13. Where should the answer come from? Attention over regions
#
# For visual question answering the question's embedding attends over the image's region
# features: weights $= \mathrm{softmax}_r(\langle \text{region}_r, q\rangle / \sqrt{D})$ and the
# attended feature is $\sum_r w_r\, \text{region}_r$, from which an answer would be read.
# Images have different numbers of regions, so batches are padded and a *mask* says which
# regions are real: padding must get weight exactly 0. Below, one scene of six regions (the
# last one marked as padding) and one question per concept, "where is the ...?".

# %%
scene = vl.region_scene(world, n_regions=6)
K, R = len(world["names"]), len(scene["labels"])
regions = torch.tensor(scene["regions"])[None].expand(K, R, -1)      # the same scene for every question
questions = torch.tensor(scene["questions"])
mask = torch.ones(K, R, dtype=torch.bool)
mask[:, -1] = False                                                # pretend the last region is padding
pooled, weights = vislang.attention_pool(regions, questions, mask)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.imshow(weights.numpy(), cmap="magma", vmin=0, vmax=1)
ax.set_xticks(range(R), [world["names"][c] + (" (pad)" if r == R - 1 else "") for r, c in
                         enumerate(scene["labels"])], rotation=30, fontsize=8)
ax.set_yticks(range(K), [f"where is the {name}?" for name in world["names"]], fontsize=8)
ax.set_title("attention weights: questions (rows) over regions (columns)", fontsize=9)
finish(fig)

# %% [markdown]
# Each question looks at the region that shows its concept; the question about the padded
# region's concept finds nothing real to look at and spreads its attention over the rest.

# %% tags=["check"] your_turn="vislang.py"
check("attention_pool")

# %% [markdown] cvgrade="submit"
# The hidden tests compare `stft` with `torch.stft` on many signals (odd and even sizes, both
# centrings), your mel filters with the HTK formulas at their edges and peaks, your losses and
# their gradients with the reference (teachers with exact zeros, logits of size 1000), and
# check that bad arguments raise a `ValueError` naming the argument; for `vislang.py` they
# check the CLIP loss's gradients (the logit scale too), ties and prompt ensembles, and
# attention masks.

# %% [markdown] cvgrade="written"
