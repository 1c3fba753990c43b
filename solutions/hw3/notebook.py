# The source of assignments/hw3/hw3.ipynb, in jupytext's percent format. Edit it here, then
# run `cvgrade notebooks hw3`. The directives (cvgrade=..., your_turn=..., how-to-work) are
# explained in autograder/release/notebooks.py.

# %% [markdown]
# # HW3: Self-supervision and synthesis
#
# This notebook walks through the lectures behind HW3 (*Self-Supervised Learning*, colour
# spaces from *Object Tracking*, and *Synthesis*) and draws pictures with **your** code: every
# cell calls the functions you write in `pretext.py`, `contrastive.py`, `color.py` and
# `generative.py` (next to this notebook). The notebook is not graded; the tests are.
#
# <!-- cvgrade how-to-work: pytest tests/test_contrastive.py -k nt_xent -->
#
# All data is synthetic and seeded (`shared/ssl_data.py`): binary 8x8 shapes, grey images
# with a visible "up", a colour test chart, clusters of feature vectors and eight Gaussians.
# Every model here is tiny and trains in seconds on a CPU.

# %% [markdown]
# ## Setup
#
# Imports, a reload of your modules (so edits take effect without restarting the kernel), one
# CPU thread for torch (tiny models run faster that way) and two drawing helpers.

# %%
import importlib
import sys

import color  # your modules, next to this notebook
import contrastive
import generative
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pretext
import torch

from shared import ssl_data
from shared.notebook_checks import check  # runs the public tests of the functions you name

IN_JUPYTER = "ipykernel" in sys.modules
if not IN_JUPYTER:  # plain `python`: draw off-screen
    matplotlib.use("Agg")
for module in (pretext, contrastive, color, generative):
    importlib.reload(module)
torch.set_num_threads(1)


def finish(fig):
    """Display a finished figure (in Jupyter) and free it."""
    if IN_JUPYTER:
        plt.show()
    plt.close(fig)


def show(images, titles=None, cmap="gray", size=1.6, vmin=None, vmax=None, suptitle=None):
    """Draw images side by side (grey or RGB)."""
    titles = list(titles) if titles is not None else [""] * len(images)
    fig, axes = plt.subplots(1, len(images), figsize=(size * len(images), size + 0.4), squeeze=False)
    for ax, image, title in zip(axes[0], images, titles, strict=True):
        ax.imshow(np.asarray(image), cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(title, fontsize=8)
        ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle, fontsize=9)
    fig.tight_layout()
    finish(fig)


# %% [markdown]
# ## 1. Pretext task: rotation prediction
#
# Self-supervised learning invents labels from the data itself. RotNet (Gidaris et al. 2018)
# rotates every image by 0, 90, 180 and 270 degrees and trains a network to tell which: to
# succeed it has to know what "up" looks like for the objects in the image. `rotation_batch`
# turns a batch of N images into 4N rotated copies (image-major order) and their labels 0..3.
# The images below have a visible up (darker at the top, a blob at the lower left).

# %%
images = ssl_data.textured_images(3, seed=0)
rotated, labels = pretext.rotation_batch(images)
show(rotated, [f"image {i // 4}, label {k}" for i, k in enumerate(labels)], size=1.1)

# %% tags=["check"] your_turn="pretext.py"
check("rotation_batch")

# %% [markdown]
# ## 2. Pretext task: context prediction and counting
#
# Doersch et al. (2015) cut a 3x3 grid of patches and ask where a neighbour sits relative to
# the centre patch: 8 classes, numbered row-major (`relative_position_label`). A *gap* between
# the patches (and jitter) removes shortcuts such as lines that simply continue across the
# border of two patches: the network should solve the task by understanding parts, not by
# matching low-level edges. `context_prediction_pair` draws a random example.
#
# Counting (Noroozi et al. 2017) asks that the features of the four tiles of an image *add up*
# to the features of the whole (downsampled) image, plus a contrastive term that keeps them
# away from another image's features (otherwise all-zero features would be perfect).

# %%
picture = ssl_data.color_image(48)
patch, gap = 10, 3
rng = np.random.default_rng(7)
examples = [pretext.context_prediction_pair(picture, patch, gap, rng) for _ in range(4)]
names = ["top-left", "top", "top-right", "left", "right", "bottom-left", "bottom", "bottom-right"]
show([picture] + [e[0] for e in examples] + [e[1] for e in examples],
     ["image"] + ["centre"] * 4 + [f"neighbour: {names[e[2]]} ({e[2]})" for e in examples], size=1.3)

tiles = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
whole, other = tiles.sum(axis=0), np.array([0.0, 0.5, 1.0])
print("counting loss, tiles add up to the whole:", pretext.counting_loss(whole, tiles, other))
print("counting loss, all features zero (the trivial solution):",
      pretext.counting_loss(np.zeros(3), np.zeros((4, 3)), np.zeros(3)))

# %% tags=["check"] your_turn="pretext.py"
check("relative_position_label", "context_prediction_pair", "counting_loss")

# %% [markdown]
# ## 3. Contrastive learning: SimCLR, SupCon and k-NN evaluation
#
# SimCLR embeds two augmented *views* of every image, normalises the embeddings and, for every
# anchor, treats its other view as the positive and the other $2N - 2$ samples as negatives:
# $\ell_i = -\log \frac{\exp(s_{i,p(i)}/\tau)}{\sum_{k \ne i} \exp(s_{ik}/\tau)}$. The
# temperature $\tau$ sharpens the softmax: small $\tau$ concentrates on the hardest negatives.
# SupCon uses labels: every sample of the anchor's class is a positive.
#
# Below, the "images" are noisy 20-D vectors around 5 class prototypes, and the two views add
# independent noise. A linear encoder (20 -> 8) is trained with your `nt_xent_loss` (no labels)
# and, separately, with your `supcon_loss` (labels). The plots are 2-D PCA projections of the
# normalised features (PCA: the two directions of largest variance, from an SVD), coloured by
# the class, which the SimCLR encoder never saw. `knn_accuracy` measures how well the classes
# separate in feature space.

# %%
view1, view2, labels = ssl_data.clustered_views(5, 60, 20, seed=1, noise=0.6)
test1, _, test_labels = ssl_data.clustered_views(5, 30, 20, seed=1, noise=0.6)  # same prototypes


def pca_2d(features):
    features = features / np.linalg.norm(features, axis=1, keepdims=True)
    centred = features - features.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


def train_encoder(loss_name, steps=150, seed=0):
    torch.manual_seed(seed)
    encoder = torch.nn.Linear(20, 8, dtype=torch.float64)
    optimizer = torch.optim.Adam(encoder.parameters(), lr=2e-2)
    a, b = torch.tensor(view1), torch.tensor(view2)
    y = torch.tensor(labels)
    for _ in range(steps):
        if loss_name == "nt_xent":
            loss = contrastive.nt_xent_loss(encoder(a), encoder(b), temperature=0.5)
        else:
            loss = contrastive.supcon_loss(torch.cat([encoder(a), encoder(b)]), torch.cat([y, y]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return encoder


torch.manual_seed(0)
encoders = {"random encoder": torch.nn.Linear(20, 8, dtype=torch.float64),
            "SimCLR (nt_xent_loss)": train_encoder("nt_xent"), "SupCon (supcon_loss)": train_encoder("supcon")}
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
for ax, (name, encoder) in zip(axes, encoders.items(), strict=True):
    with torch.no_grad():
        train_features = encoder(torch.tensor(view1)).numpy()
        test_features = encoder(torch.tensor(test1)).numpy()
    accuracy = contrastive.knn_accuracy(train_features, labels, test_features, test_labels, k=5)
    points = pca_2d(train_features)
    ax.scatter(points[:, 0], points[:, 1], c=labels, cmap="tab10", s=8, vmin=0, vmax=9)
    ax.set_title(f"{name}\n5-NN accuracy {accuracy:.0%}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
finish(fig)


# %%
z1, z2 = torch.tensor(view1[:32]), torch.tensor(view2[:32])
for t in (0.05, 0.1, 0.5, 1.0):
    print(f"temperature {t:4}: NT-Xent of raw views = {float(contrastive.nt_xent_loss(z1, z2, t)):.3f}, "
          f"chance level log(2N - 1) = {np.log(63):.3f}")

# %% tags=["check"] your_turn="contrastive.py"
check("nt_xent_loss", "supcon_loss", "knn_accuracy")

# %% [markdown]
# ## 4. The Lab colour space
#
# sRGB values are gamma-encoded; undoing the gamma gives linear light, a 3x3 matrix gives XYZ,
# and a cube-root compression gives CIELAB: $L$ (lightness, 0..100), $a$ (green to red) and
# $b$ (blue to yellow). Distances in Lab roughly follow perceived colour differences, and $L$
# alone is a good grey image: that is why colorization predicts $ab$ from $L$. Below: the
# test chart, its three channels, and the round trip back to RGB.

# %%
chart = ssl_data.color_image(64)
chart_lab = color.rgb_to_lab(chart)
show([chart, chart_lab[..., 0], chart_lab[..., 1], chart_lab[..., 2], color.lab_to_rgb(chart_lab)],
     ["sRGB chart", "L (lightness)", "a (green-red)", "b (blue-yellow)", "lab_to_rgb(rgb_to_lab)"], size=2.0)
print("max round-trip error:", np.abs(color.lab_to_rgb(chart_lab) - chart).max())

only_l = chart_lab.copy()
only_l[..., 1:] = 0.0                       # drop the colour: what a colorization network sees
show([color.lab_to_rgb(only_l), chart], ["L only (a = b = 0)", "original"], size=2.0)

# %% tags=["check"] your_turn="color.py"
check("rgb_to_lab", "lab_to_rgb")

# %% [markdown]
# ## 5. Colorization as classification: soft encoding and the annealed mean
#
# Zhang et al. (2016) quantise the $ab$ plane into bins of 10 and predict a distribution over
# the bins for every pixel. The training target is *soft*: the 5 nearest bin centres get
# Gaussian weights ($\sigma = 5$). To turn a predicted distribution back into one colour, the
# mean (T = 1) of a two-peaked distribution (say red or blue) is a dull purple-grey, the mode
# (T -> 0) is vivid but flips between peaks from pixel to pixel; the *annealed mean*
# re-sharpens the distribution with $p^{1/T}$ and takes its mean (T = 0.38 in the paper).

# %%
centers = color.ab_bin_centers()
target = color.soft_encode_ab(np.array([23.0, -41.0]), centers)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
axes[0].scatter(centers[:, 1], centers[:, 0], s=4, c="lightgrey")
hot = target > 0
axes[0].scatter(centers[hot, 1], centers[hot, 0], s=200 * target[hot], c="crimson")
axes[0].plot([-41.0], [23.0], "k+", ms=10)
axes[0].set(xlabel="b", ylabel="a", title="soft_encode_ab((23, -41)): 5 nearest bins", xlim=(-80, 0),
            ylim=(-20, 60))

# A two-peaked prediction: most mass near "red" (a = 55), some near "blue" (b = -55).
logits = -np.sum((centers - [55.0, 25.0]) ** 2, axis=1) / 300
logits = np.logaddexp(logits, -np.sum((centers - [-5.0, -55.0]) ** 2, axis=1) / 300 - 0.4)
probs = np.exp(logits - logits.max())
probs /= probs.sum()
temperatures = [1.0, 0.6, 0.38, 0.2, 0.05]
decoded = np.array([color.annealed_mean(probs, centers, t) for t in temperatures])
swatches = np.concatenate([np.full((len(temperatures), 1), 60.0), decoded], axis=1)
axes[1].imshow(color.lab_to_rgb(swatches)[None], aspect="auto")
axes[1].set_xticks(range(len(temperatures)), [f"T={t}" for t in temperatures])
axes[1].set_yticks([])
axes[1].set_title("annealed mean of a two-peaked distribution (L = 60)")
fig.tight_layout()
finish(fig)

# %% tags=["check"] your_turn="color.py"
check("ab_bin_centers", "soft_encode_ab", "annealed_mean")

# %% [markdown]
# ## 6. A variational autoencoder
#
# The encoder maps an image to a Gaussian $q(z|x) = \mathcal{N}(\mu, \sigma^2)$, the decoder
# maps a latent $z$ to Bernoulli logits for every pixel. Training maximises the ELBO, i.e.
# minimises `vae_loss` = reconstruction cross-entropy + KL to the prior; sampling
# $z = \mu + \sigma \epsilon$ (`reparameterize`) lets gradients flow into $\mu$ and $\sigma$.
# Trained on 8x8 binary rectangles and bars, the decoder turns *random* latents into new
# shapes, and walking along a straight line between two latents morphs one shape into another.

# %%
shapes_train = ssl_data.binary_shapes(2000, seed=2027)
shapes_test = ssl_data.binary_shapes(8, seed=4732)
torch.manual_seed(0)
model = generative.VAE(64, 8)
losses = generative.train_vae(model, shapes_train, seed=0)

fig, ax = plt.subplots(figsize=(5, 2.5))
ax.plot(losses)
ax.set(xlabel="epoch", ylabel="negative ELBO (nats / image)", title="train_vae")
finish(fig)

model.eval()
with torch.no_grad():
    recon_logits, mu, logvar = model(torch.tensor(shapes_test, dtype=torch.float32))
    samples = torch.sigmoid(model.decode(torch.randn(8, 8, generator=torch.Generator().manual_seed(1))))
    weights = torch.linspace(0, 1, 8)[:, None]
    path = torch.sigmoid(model.decode((1 - weights) * mu[0] + weights * mu[1]))
show(list(shapes_test.reshape(-1, 8, 8)), ["input"] * 8, size=1.0, vmin=0, vmax=1)
show(list(torch.sigmoid(recon_logits).numpy().reshape(-1, 8, 8)), ["reconstruction"] * 8, size=1.0,
     vmin=0, vmax=1)
show(list(samples.numpy().reshape(-1, 8, 8)), ["sample z ~ N(0, I)"] * 8, size=1.0, vmin=0, vmax=1)
show(list(path.numpy().reshape(-1, 8, 8)), [f"{w:.2f}" for w in weights[:, 0].tolist()], size=1.0,
     vmin=0, vmax=1, suptitle="interpolating between the latents of inputs 0 and 1")

# %% tags=["check"] your_turn="generative.py"
check("reparameterize", "gaussian_kl", "vae_loss", "VAE", "train_vae")

# %% [markdown]
# ## 7. A toy GAN on eight Gaussians, and mode collapse
#
# The data: eight small Gaussians on a circle. A generator (noise -> 2-D point) and a
# discriminator (point -> logit) are trained in turn: D with `discriminator_loss`, G with the
# non-saturating `generator_loss`. GANs are prone to *mode collapse*: the generator finds a
# few points that fool the current discriminator and covers only some of the modes, often
# hopping between them. `mode_coverage` counts the centres that have a generated sample
# within a small radius: watch it during training (1000 steps, a few seconds).

# %%
torch.manual_seed(0)
centers = ssl_data.eight_gaussian_centers(2.0)
G = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
                        torch.nn.Linear(64, 2))
D = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
                        torch.nn.Linear(64, 1))
opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
snapshots, coverage = {}, []
for step in range(1, 1001):
    real = torch.tensor(ssl_data.eight_gaussians(128, seed=step), dtype=torch.float32)
    fake = G(torch.randn(128, 2))
    d_loss = generative.discriminator_loss(D(real), D(fake.detach()))
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = generative.generator_loss(D(fake), kind="nonsaturating")
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    if step % 50 == 0:
        with torch.no_grad():
            samples = G(torch.randn(500, 2)).numpy()
        coverage.append((step, generative.mode_coverage(samples, centers, 0.3)))
        if step in (100, 400, 1000):
            snapshots[step] = samples

fig, axes = plt.subplots(1, 4, figsize=(13, 3.2))
data = ssl_data.eight_gaussians(500, seed=0)
for ax, (title, points) in zip(axes, [("data", data)] + [(f"G after {s} steps", p) for s, p in
                                                           snapshots.items()], strict=True):
    ax.scatter(points[:, 0], points[:, 1], s=3, alpha=0.5)
    ax.scatter(centers[:, 0], centers[:, 1], marker="x", c="red")
    ax.set(title=title, xlim=(-3, 3), ylim=(-3, 3))
    ax.set_aspect("equal")
fig.tight_layout()
finish(fig)

fig, ax = plt.subplots(figsize=(5, 2.5))
ax.plot(*zip(*coverage, strict=True), marker="o")
ax.set(xlabel="step", ylabel="modes covered (of 8)", ylim=(0, 8.5), title="mode_coverage(radius 0.3)")
finish(fig)
print("modes covered every 50 steps:", [c for _, c in coverage])

# %% [markdown]
# Why the non-saturating loss? Early on, D rejects the fakes easily (fake logits very
# negative). The minimax loss $\log(1 - D(G(z)))$ is then flat, so G gets almost no gradient;
# $-\log D(G(z))$ is steep exactly there. The gradients below are computed through your
# `generator_loss`.

# %%
logits = torch.linspace(-8, 8, 161, requires_grad=True)
fig, ax = plt.subplots(figsize=(5.5, 2.8))
for kind in ("minimax", "nonsaturating"):
    per_sample = [generative.generator_loss(value[None], kind=kind) for value in logits]
    grads = torch.autograd.grad(sum(per_sample), logits)[0]
    ax.plot(logits.detach(), grads.abs(), label=kind)
ax.set(xlabel="discriminator logit on a fake sample", ylabel="|d loss / d logit|", yscale="log")
ax.legend()
finish(fig)

x, y = torch.rand(4, 3), torch.rand(4, 3)
G_map, F_map = (lambda t: t + 0.5), (lambda t: t - 0.4)   # not quite inverse translations
cycle = generative.cycle_consistency_loss(x, F_map(G_map(x)), y, G_map(F_map(y)))
print(f"cycle-consistency loss: {float(cycle):.3f} (0.1 + 0.1: each round trip misses by 0.1)")

# %% tags=["check"] your_turn="generative.py"
check("discriminator_loss", "generator_loss", "cycle_consistency_loss", "mode_coverage")

# %% [markdown] cvgrade="submit"
# The hidden tests compare your functions (values and gradients) with the reference on many
# random inputs, try the edge cases (anchors without positives, logits of +-100, colours below
# the linear thresholds, far-away ab values) and train your VAE, scoring its held-out negative
# ELBO.

# %% [markdown] cvgrade="written"
