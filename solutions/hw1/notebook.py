# The source of assignments/hw1/hw1.ipynb, in jupytext's percent format. Edit it here, then
# run `cvgrade notebooks hw1`. The directives (cvgrade=..., your_turn=..., how-to-work) are
# explained in autograder/release/notebooks.py.

# %% [markdown]
# # HW1: Backprop and CNNs
#
# You will build the layers of a convolutional network in numpy (`layers.py`), check every
# backward pass with finite differences (`gradcheck.py`), and then move to torch
# (`models.py`): a residual block, a small CNN and its training loop.
#
# This notebook uses **your** modules from this folder. Run it top to bottom once your code
# passes the public tests (`pytest tests`). It shows:
#
# 1. a gradient check of every layer (backprop on a computation graph, verified numerically);
# 2. the XOR problem: a linear classifier cannot solve it, two layers with a ReLU can;
# 3. your `SmallCNN` trained on real handwritten digits (scikit-learn's `load_digits`, shipped
#    with the library: no downloads): loss curve, accuracy and confusion matrix;
# 4. the filters your network learned in its first layer, and their spectra (HW0's Fourier
#    view of filtering).

# %%
import sys
from pathlib import Path

# Make the course's `shared` package importable (it sits at the top of the course folder).
for folder in (Path.cwd(), *Path.cwd().parents):
    if (folder / "shared" / "data.py").is_file():
        sys.path.insert(0, str(folder))
        break

# %%
import gradcheck
import layers
import matplotlib.pyplot as plt
import models
import numpy as np
import torch

from shared.data import make_xor
from shared.notebook_checks import check  # runs the public tests of the functions you name
from shared.real_data import digits  # sklearn's 1,797 real 8x8 digits, as 32x32 images

torch.set_num_threads(1)   # small convolutions: one thread is fastest (and what the grader uses)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 0. Check your modules as you go
#
# Each cell below runs the public tests of a group of functions on your files as they are now
# (edit, save, re-run the cell: no kernel restart needed) and lists what passes and what
# fails, with the same messages as `pytest tests` in a terminal. The rest of the notebook
# needs all of them to pass.

# %% tags=["check"]
check("affine_forward", "affine_backward", "relu")

# %% tags=["check"]
check("conv_forward", "conv_backward", "maxpool")

# %% tags=["check"]
check("batchnorm_forward", "spatial_batchnorm_forward", "dropout", "dropout_forward")

# %% tags=["check"]
check("softmax", "cross_entropy_loss")

# %% tags=["check"]
check("numerical_gradient", "numerical_gradient_array", "relative_error")

# %% tags=["check"]
check("ResidualBlock", "SmallCNN", "accuracy")

# %% [markdown]
# ## 1. Gradient checks
#
# For every layer, `numerical_gradient_array(f, x, dout)` estimates the gradient of
# `sum(f(x) * dout)` by central differences; your backward pass computes the same quantity
# exactly. A relative error below about `1e-7` means the backward pass is right; `1e-2` or
# more means it is wrong. (ReLU and max pooling have kinks: a random input almost never sits
# exactly on one.)

# %%
def check_layer(name, forward, backward, inputs, argnames):
    # Compare backward(dout, cache) with numerical gradients for every input array.
    out, cache = forward(*inputs)
    dout = rng.normal(size=out.shape)
    grads = backward(dout, cache)
    grads = grads if isinstance(grads, tuple) else (grads,)
    errors = []
    for i, (argname, analytic) in enumerate(zip(argnames, grads, strict=True)):
        def f(value, i=i):
            args = list(inputs)
            args[i] = value
            return forward(*args)[0]
        numeric = gradcheck.numerical_gradient_array(f, inputs[i], dout)
        errors.append(f"{argname}: {gradcheck.relative_error(analytic, numeric):.1e}")
    print(f"{name:<20}", "   ".join(errors))


x = rng.normal(size=(3, 2, 5, 5))
w = rng.normal(size=(3, 2, 3, 3))
b = rng.normal(size=3)
check_layer("affine", layers.affine_forward, layers.affine_backward,
            [rng.normal(size=(4, 2, 3)), rng.normal(size=(6, 5)), rng.normal(size=5)], ["dx", "dw", "db"])
check_layer("relu", layers.relu_forward, layers.relu_backward, [rng.normal(size=(4, 6))], ["dx"])
check_layer("conv stride 2 pad 1", lambda x, w, b: layers.conv_forward(x, w, b, stride=2, pad=1),
            layers.conv_backward, [x, w, b], ["dx", "dw", "db"])
check_layer("maxpool 3x3 stride 2", lambda x: layers.maxpool_forward(x, 3, 3, 2), layers.maxpool_backward,
            [rng.normal(size=(2, 2, 7, 7))], ["dx"])
check_layer("batchnorm (train)", lambda x, g, b: layers.batchnorm_forward(x, g, b, {"mode": "train"}),
            layers.batchnorm_backward, [rng.normal(size=(8, 4)), rng.normal(size=4), rng.normal(size=4)],
            ["dx", "dgamma", "dbeta"])
check_layer("spatial batchnorm", lambda x, g, b: layers.spatial_batchnorm_forward(x, g, b, {"mode": "train"}),
            layers.spatial_batchnorm_backward, [x, rng.normal(size=2), rng.normal(size=2)],
            ["dx", "dgamma", "dbeta"])
check_layer("dropout p=0.3", lambda x: layers.dropout_forward(x, 0.3, "train", seed=0), layers.dropout_backward,
            [rng.normal(size=(5, 6))], ["dx"])

# Softmax + cross-entropy: a scalar loss, so numerical_gradient (no dout) checks dscores.
scores, labels = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
loss, dscores = layers.cross_entropy_loss(scores, labels)
numeric = gradcheck.numerical_gradient(lambda s: layers.cross_entropy_loss(s, labels)[0], scores)
print(f"{'cross-entropy':<20} dscores: {gradcheck.relative_error(dscores, numeric):.1e}   "
      f"(loss {loss:.3f}; equal scores would give log 4 = {np.log(4):.3f})")


# %% [markdown]
# ## 2. XOR: why depth (and a non-linearity) matters
#
# The four corners of a square, labelled by whether the signs of the coordinates differ. No
# line separates the classes, so a linear classifier (one affine layer + softmax) is stuck
# near 50 %. Two affine layers with a ReLU between them bend the decision boundary and solve
# it. Both are trained below with your numpy layers and plain gradient descent: the backward
# pass is the chain rule, written out layer by layer.

# %%
x_xor, y_xor = make_xor(400, seed=0, noise=0.15)


def train_xor(hidden, steps=1500, lr=0.5, seed=0):
    # hidden=None: one affine layer (linear). Else: affine -> relu -> affine.
    r = np.random.default_rng(seed)
    params = ({"w1": r.normal(size=(2, 2)), "b1": np.zeros(2)} if hidden is None else
              {"w1": r.normal(size=(2, hidden)), "b1": np.zeros(hidden),
               "w2": r.normal(size=(hidden, 2)) / np.sqrt(hidden), "b2": np.zeros(2)})
    losses = []
    for _ in range(steps):
        h, cache1 = layers.affine_forward(x_xor, params["w1"], params["b1"])
        if hidden is not None:
            a, cache_relu = layers.relu_forward(h)
            h, cache2 = layers.affine_forward(a, params["w2"], params["b2"])
        loss, dscores = layers.cross_entropy_loss(h, y_xor)
        grads = {}
        if hidden is not None:
            da, grads["w2"], grads["b2"] = layers.affine_backward(dscores, cache2)
            dscores = layers.relu_backward(da, cache_relu)
        _, grads["w1"], grads["b1"] = layers.affine_backward(dscores, cache1)
        for key in params:
            params[key] -= lr * grads[key]
        losses.append(loss)
    return params, losses


def predict_xor(params, points):
    h = layers.affine_forward(points, params["w1"], params["b1"])[0]
    if "w2" in params:
        h = layers.affine_forward(layers.relu_forward(h)[0], params["w2"], params["b2"])[0]
    return h.argmax(axis=1)


fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
grid = np.stack(np.meshgrid(np.linspace(-2, 2, 200), np.linspace(-2, 2, 200)), axis=-1).reshape(-1, 2)
for ax, (title, hidden) in zip(axes[:2], [("one affine layer (linear)", None), ("affine-ReLU-affine, 8 hidden", 8)],
                               strict=True):
    params, losses = train_xor(hidden)
    acc = np.mean(predict_xor(params, x_xor) == y_xor)
    ax.contourf(grid[:, 0].reshape(200, 200), grid[:, 1].reshape(200, 200),
                predict_xor(params, grid).reshape(200, 200), alpha=0.3, cmap="coolwarm")
    ax.scatter(x_xor[:, 0], x_xor[:, 1], c=y_xor, cmap="coolwarm", s=8)
    ax.set_title(f"{title}: accuracy {acc:.0%}")
    axes[2].plot(losses, label=title)
axes[2].set_xlabel("gradient step")
axes[2].set_ylabel("cross-entropy")
axes[2].legend()
axes[2].set_title("training loss")
plt.tight_layout()
plt.show()


# %% [markdown]
# ## 3. A small CNN on real handwritten digits
#
# `shared.real_data.digits()` returns the 1,797 digits of scikit-learn's `load_digits`
# (scanned handwriting from 43 people, 8x8 pixels with 17 grey levels, shipped inside the
# library: no downloads), each pixel repeated into a 4x4 block so your 32x32 `SmallCNN` takes
# them as they are. Your `SmallCNN(num_classes=10)` is trained with your `train_classifier`;
# the graded run uses a different seeded split of the same kind (1,297 for training, 500 held
# out), one CPU thread and 60 s, and gives full points at 93 % held-out accuracy.

# %%
x_digits, y_digits = digits()
order = np.random.default_rng(1).permutation(len(y_digits))
x_train, y_train = x_digits[order[:1297]], y_digits[order[:1297]]
x_test, y_test = x_digits[order[1297:]], y_digits[order[1297:]]

fig, axes = plt.subplots(2, 8, figsize=(12, 3.2))
for ax, image, label in zip(axes.ravel(), x_train, y_train, strict=False):
    ax.imshow(image[0], cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"label {label}", fontsize=9)
    ax.axis("off")
plt.tight_layout()
plt.show()

# %%
import time

torch.manual_seed(0)
model = models.SmallCNN(num_classes=10)
print(f"SmallCNN(num_classes=10): {sum(p.numel() for p in model.parameters())} parameters")
start = time.perf_counter()
losses = models.train_classifier(model, torch.from_numpy(x_train), torch.from_numpy(y_train), seed=0)
print(f"trained in {time.perf_counter() - start:.1f} s")
test_accuracy = models.accuracy(model, torch.from_numpy(x_test), torch.from_numpy(y_test))
train_accuracy = models.accuracy(model, torch.from_numpy(x_train), torch.from_numpy(y_train))
print(f"accuracy: train {train_accuracy:.1%}, held-out {test_accuracy:.1%}")

plt.figure(figsize=(5, 3.2))
plt.plot(range(1, len(losses) + 1), losses, marker="o")
plt.xlabel("epoch")
plt.ylabel("mean training loss")
plt.yscale("log")
plt.title("SmallCNN on digits")
plt.show()

# Which digits does it confuse? Rows: true label, columns: prediction (held-out digits).
model.eval()
with torch.no_grad():
    predicted = model(torch.from_numpy(x_test)).argmax(dim=1).numpy()
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)
print(confusion)

# %% [markdown]
# ## 4. What the first layer learned
#
# The first convolution's filters act directly on pixels, like the hand-made filters of HW0.
# Below each filter is the magnitude of its 2-D Fourier transform (zero-padded to 32x32,
# centred): most learned filters are band-pass or high-pass, edge and corner detectors,
# with a few smooth (low-pass) ones.

# %%
first_conv = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
filters = first_conv.weight.detach().numpy()[:, 0]            # (F, k, k)
count = min(len(filters), 8)
fig, axes = plt.subplots(2, count, figsize=(1.6 * count, 3.4), squeeze=False)
for i in range(count):
    kernel = filters[i]
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(kernel, s=(32, 32))))
    axes[0, i].imshow(kernel, cmap="RdBu_r", vmin=-np.abs(kernel).max(), vmax=np.abs(kernel).max())
    axes[1, i].imshow(spectrum, cmap="magma")
    axes[0, i].set_title(f"filter {i}", fontsize=9)
    axes[0, i].axis("off")
    axes[1, i].axis("off")
axes[1, 0].set_title("|FFT|, centred", fontsize=9)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Questions to think about
#
# * Why does the gradient check use central differences, and why must `x` be restored exactly?
# * In the XOR experiment, what does the ReLU add that a second affine layer alone would not?
#   (Two affine layers in a row are still one affine map.)
# * Compare the learned filters with HW0's derivative and Laplacian filters: which ones
#   look alike, and what do their spectra tell you?

# %% [markdown] cvgrade="written"
