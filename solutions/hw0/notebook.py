# The source of assignments/hw0/hw0.ipynb, in jupytext's percent format. Edit it here, then
# run `cvgrade notebooks hw0`. The directives (cvgrade=..., your_turn=..., how-to-work) are
# explained in autograder/release/notebooks.py.

# %% [markdown]
# # HW0: Filters and Fourier
#
# This notebook walks through the two lectures behind HW0, *Convolution* and *Fourier
# Transform*, and draws pictures with **your** code: every cell calls the functions you write
# in `filters.py` and `fourier.py` (they sit next to this notebook). The notebook is not
# graded; the tests are. Use it to understand what each function should do and to see
# whether your results look right.
#
# <!-- cvgrade how-to-work: pytest tests/test_filters.py -k convolve -->
#
# Only numpy is allowed in your modules (no scipy, OpenCV, ...); the
# notebook itself also uses matplotlib to draw. All images here are synthesised with numpy,
# 128 x 128 pixels, grey values in [0, 1]; axis 0 is y (rows, downwards), axis 1 is x.

# %% [markdown]
# ## Setup
#
# Imports, a reload of your modules (so edits take effect without restarting the kernel) and
# a few drawing helpers. `log_amplitude` computes a centred spectrum with `np.fft` directly,
# so the filtering parts can show spectra before you have written `fourier.py`.

# %%
import importlib
import sys
import time

import filters  # your modules, next to this notebook
import fourier
import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from shared.notebook_checks import check  # runs the public tests of the functions you name
from shared.real_data import hw0_photo  # photographs from skimage.data, downsampled

IN_JUPYTER = "ipykernel" in sys.modules
if not IN_JUPYTER:  # plain `python` (no notebook server): draw off-screen
    matplotlib.use("Agg")

importlib.reload(filters)  # pick up your latest edits
importlib.reload(fourier)  # after filters: fourier imports gaussian_blur from it


def finish(fig):
    """Display a finished figure (in Jupyter) and free it."""
    if IN_JUPYTER:
        plt.show()
    plt.close(fig)


def show(images, titles=None, cmap="gray", signed=False, vmin=None, vmax=None, size=2.4, suptitle=None):
    """Draw images side by side, each scaled to its own range unless vmin/vmax are given.

    signed=True: a blue-white-red map with white at 0, for images with negative values
    (or one True/False per image).
    """
    titles = list(titles) if titles is not None else [""] * len(images)
    signs = list(signed) if isinstance(signed, (list, tuple)) else [signed] * len(images)
    fig, axes = plt.subplots(1, len(images), figsize=(size * len(images), size + 0.5), squeeze=False)
    for ax, image, title, sign in zip(axes[0], images, titles, signs, strict=True):
        image = np.asarray(image, dtype=float)
        if sign:
            limit = float(np.nanmax(np.abs(image))) or 1.0
            ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
        else:
            ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    finish(fig)


def log_amplitude(image):
    """log(1 + |F|) of the centred spectrum: the usual way to look at an amplitude spectrum."""
    return np.log1p(np.abs(np.fft.fftshift(np.fft.fft2(image))))


def padded(kernel, shape=(128, 128)):
    """The kernel in the top-left corner of a zero image: its spectrum at the image's resolution."""
    out = np.zeros(shape)
    out[:kernel.shape[0], :kernel.shape[1]] = kernel
    return out


# %% [markdown]
# ## The test images
#
# Everything is drawn with numpy: boolean masks of ellipses and rectangles on a pixel grid,
# a seeded random generator for noise (the same "random" image on every run). The *zone plate*
# is a cosine whose frequency grows with the distance from the centre (reaching the Nyquist
# limit, 0.5 cycles per pixel, in the middle of each edge): blurring it shows a filter's
# frequency response directly in the image.

# %%
N = 128
yy, xx = np.mgrid[0:N, 0:N].astype(float)  # the y (row) and x (column) of every pixel
rng = np.random.default_rng(4732)


def ellipse(cy, cx, ry, rx):
    """Mask of the filled ellipse with centre (cy, cx) and radii (ry, rx)."""
    return ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1


def rectangle(y0, y1, x0, x1):
    """Mask of rows y0..y1-1 and columns x0..x1-1."""
    return (yy >= y0) & (yy < y1) & (xx >= x0) & (xx < x1)


# Block letters (20 wide, 30 high, strokes 4 px) as rectangles relative to the top-left corner.
LETTERS = {
    "E": [(0, 30, 0, 4), (0, 4, 0, 20), (13, 17, 0, 16), (26, 30, 0, 20)],
    "F": [(0, 30, 0, 4), (0, 4, 0, 20), (13, 17, 0, 16)],
    "H": [(0, 30, 0, 4), (0, 30, 16, 20), (13, 17, 0, 20)],
    "I": [(0, 30, 8, 12), (0, 4, 2, 18), (26, 30, 2, 18)],
    "L": [(0, 30, 0, 4), (26, 30, 0, 20)],
    "T": [(0, 4, 0, 20), (0, 30, 8, 12)],
}


def text(lines=("TILE", "LIFE"), top=24, left=12, line_gap=50, letter_gap=28):
    image = np.zeros((N, N))
    for row, word in enumerate(lines):
        for col, letter in enumerate(word):
            y, x = top + row * line_gap, left + col * letter_gap
            for y0, y1, x0, x1 in LETTERS[letter]:
                image[rectangle(y + y0, y + y1, x + x0, x + x1)] = 1.0
    return image


def face():
    image = np.full((N, N), 0.15)
    image[ellipse(64, 64, 52, 42)] = 0.75                 # head
    for cx in (46, 82):
        image[ellipse(48, cx, 8, 11)] = 1.0               # eye
        image[ellipse(50, cx, 4, 4)] = 0.0                # pupil
    image[rectangle(56, 78, 62, 67)] = 0.5                # nose
    mouth = ellipse(80, 64, 16, 24) & ~ellipse(74, 64, 16, 26) & (yy > 80)
    image[mouth] = 0.05
    return image


def house():
    image = np.full((N, N), 0.9)                          # sky
    image[rectangle(62, 120, 22, 106)] = 0.5              # walls
    image[(yy >= 18) & (yy < 62) & (np.abs(xx - 64) <= 1.1 * (yy - 18))] = 0.15  # roof
    image[rectangle(86, 120, 56, 72)] = 0.05              # door
    for x0 in (32, 80):
        image[rectangle(72, 90, x0, x0 + 16)] = 1.0       # window
        image[rectangle(72, 90, x0 + 7, x0 + 9)] = 0.3    # window bar
    image[rectangle(120, N, 0, N)] = 0.35                 # ground
    return image


checker = ((yy // 16 + xx // 16) % 2).astype(float)
disk = ellipse(64, 64, 32, 32).astype(float)
ramp = xx / (N - 1)
zone = 0.5 + 0.5 * np.cos(np.pi * ((yy - N / 2) ** 2 + (xx - N / 2) ** 2) / N)
noise = rng.random((N, N))
letters, smiley, home = text(), face(), house()

show([checker, disk, ramp, zone, noise, letters, smiley, home],
     ["checker", "disk", "ramp", "zone plate", "noise", "letters", "smiley", "home"], size=1.8)


# %% [markdown]
# ## 1. Convolution and correlation
#
# *Correlation* slides the kernel over the image and takes a dot product at every position:
# $\;(I \otimes k)[i, j] = \sum_{m,n} k[m, n]\, I[i + m, j + n]$, a template match.
# *Convolution* flips the kernel in both axes first:
# $\;(I * k)[i, j] = \sum_{m,n} k[m, n]\, I[i - m, j - n]$.
# The flip makes convolution commutative and associative (blurring then differentiating is
# one convolution with the blurred derivative kernel) and means that convolving a single bright
# pixel (a *delta*) stamps an upright copy of the kernel, while correlation stamps it upside
# down and mirrored. Indices are relative to the kernel's *anchor*, its centre for odd sizes.
#
# An off-centre delta kernel is a *shift*: `shift_kernel(dy, dx)` moves the image content
# down by `dy` and right by `dx`.

# %%
kernel = np.array([[1.0, 1.0, 1.0, 1.0, 1.0],   # an "F": no symmetry, so a flip shows
                   [1.0, 0.0, 0.0, 0.0, 0.0],
                   [1.0, 1.0, 1.0, 0.0, 0.0],
                   [1.0, 0.0, 0.0, 0.0, 0.0],
                   [1.0, 0.0, 0.0, 0.0, 0.0]])
delta = np.zeros((11, 11))
delta[5, 5] = 1.0
show([np.pad(kernel, 3), delta, filters.convolve2d(delta, kernel), filters.correlate2d(delta, kernel)],
     ["kernel (with a zero border)", "delta image", "convolve2d(delta, kernel)", "correlate2d(delta, kernel)"])

moved = filters.convolve2d(smiley, filters.shift_kernel(10, -20))
show([smiley, moved], ["smiley", "convolve2d with shift_kernel(10, -20)"])
print("output shapes for a 128x128 image and the 5x5 kernel:",
      {mode: filters.convolve2d(smiley, kernel, mode=mode).shape for mode in ("full", "same", "valid")})

# %% tags=["check"] your_turn="filters.py"
check("correlate2d", "convolve2d", "shift_kernel")

# %% [markdown]
# ## 2. Boundaries
#
# Near the border the kernel hangs over the edge of the image, so we must invent the missing
# pixels. `zero` pads with zeros (the result darkens towards the border), `reflect` mirrors the
# image with the edge sample repeated (`a b c | c b a`, numpy's `np.pad(mode="symmetric")`),
# `wrap` treats the image as periodic (the left border sees the right one). On the ramp below,
# a 15 x 15 box blur shows all three: `reflect` stays closest to the ramp.

# %%
box15 = filters.box_kernel(15)
results = [filters.convolve2d(ramp, box15, boundary=b) for b in ("zero", "reflect", "wrap")]
show([ramp, *results], ["ramp", "boundary='zero'", "boundary='reflect'", "boundary='wrap'"], vmin=0, vmax=1)

fig, ax = plt.subplots(figsize=(7, 2.6))
ax.plot(ramp[64], "k", lw=3, alpha=0.3, label="ramp")
for name, result, style in zip(("zero", "reflect", "wrap"), results, ("-", "--", ":"), strict=True):
    ax.plot(result[64], style, lw=2, label=name)
ax.set(xlabel="x", ylabel="value", title="row 64 after the box blur")
ax.legend(fontsize=8)
finish(fig)

# %% tags=["check"] your_turn="filters.py" implement="`box_kernel` (and the `boundary` argument of `correlate2d`/`convolve2d`)"
check("box_kernel")

# %% [markdown]
# ## 3. Box versus Gaussian blur, and their spectra
#
# Both average a neighbourhood, but they treat frequencies very differently. The spectrum of
# a box is a 2-D sinc: it falls slowly and has negative side lobes, so some fine patterns
# survive the blur with their contrast *inverted*, and the blur looks "blocky". The spectrum of
# a Gaussian is again a Gaussian: high frequencies fade smoothly and monotonically. The zone
# plate makes this visible: the box blur brings rings back near the edges, the Gaussian does
# not. White noise has a flat spectrum, so the spectrum of blurred noise *is* the filter's
# amplitude response. (A box of size $s$ and a Gaussian of $\sigma$ have the same variance when
# $\sigma^2 = (s^2 - 1) / 12$: size 7 and $\sigma = 2$ below.)
#
# The 2-D Gaussian is *separable*: $G(x, y) = g(x)\,g(y)$, so blurring with it is one pass of
# the 1-D kernel down the columns and one along the rows, $2L$ instead of $L^2$ multiply-adds
# per pixel for a kernel of length $L$. `gaussian_blur` must give exactly the result of
# `convolve2d` with `gaussian_kernel`.

# %%
box7, gauss2 = filters.box_kernel(7), filters.gaussian_kernel(2.0)
show([zone, filters.convolve2d(zone, box7, boundary="reflect"), filters.gaussian_blur(zone, 2.0)],
     ["zone plate", "box 7x7", "Gaussian sigma=2"], vmin=0, vmax=1)

blurred_noise = [noise, filters.convolve2d(noise, box7, boundary="wrap"),
                 filters.gaussian_blur(noise, 2.0, boundary="wrap")]
show(blurred_noise, ["noise", "box 7x7", "Gaussian sigma=2"])
show([log_amplitude(image) for image in blurred_noise],
     ["log amplitude: noise", "... after the box", "... after the Gaussian"], cmap="magma")
show([log_amplitude(padded(box7)), log_amplitude(padded(gauss2))],
     ["log amplitude of the box kernel", "... of the Gaussian kernel"], cmap="magma")

# %%
g1 = filters.gaussian_kernel_1d(4.0)
print(f"gaussian_kernel_1d(4.0): {g1.size} taps (radius ceil(3 sigma) = 12), sum = {g1.sum():.12f}")

start = time.perf_counter()
one_pass = filters.convolve2d(letters, filters.gaussian_kernel(4.0), boundary="reflect")
middle = time.perf_counter()
two_passes = filters.gaussian_blur(letters, 4.0)
end = time.perf_counter()
print(f"2-D kernel: {1000 * (middle - start):.1f} ms, two 1-D passes: {1000 * (end - middle):.1f} ms, "
      f"max difference {np.abs(one_pass - two_passes).max():.2e}")

# %% tags=["check"] your_turn="filters.py"
check("gaussian_kernel_1d", "gaussian_kernel", "gaussian_blur")

# %% [markdown]
# ## 4. Derivatives, gradient orientation and the Laplacian
#
# The image derivatives are differences of neighbours: $g_x = (I[y, x+1] - I[y, x-1]) / 2$
# inside the image (central differences, as `np.gradient`), one-sided differences at the border.
# $g_x$ responds to vertical edges, $g_y$ to horizontal ones. The gradient
# $(g_x, g_y)$ points across an edge, towards the brighter side: its *magnitude*
# $\sqrt{g_x^2 + g_y^2}$ is the edge strength and its *orientation* $\operatorname{atan2}(g_y, g_x)$
# the direction (below, coloured by angle where the magnitude is large; around the disk it
# turns through every angle).
#
# The *Laplacian* $\nabla^2 I = I_{xx} + I_{yy}$ is the sum of second derivatives, the
# convolution with `[[0, 1, 0], [1, -4, 1], [0, 1, 0]]`: it is zero on flat and linear regions
# and changes sign across an edge. Derivatives amplify noise (a difference of two noisy
# pixels), so we blur first.

# %%
shapes = filters.gaussian_blur(0.8 * disk + 0.2 * ramp, 1.5)  # a slightly soft disk on a ramp
gx, gy = filters.image_gradients(shapes)
magnitude, orientation = filters.gradient_magnitude_orientation(shapes)
show([shapes, magnitude], ["soft disk + ramp", "gradient magnitude"])
show([gx, gy, filters.laplacian(shapes)], ["gx (d/dx)", "gy (d/dy)", "laplacian"], signed=True)
show([np.where(magnitude > 0.05, orientation, np.nan)], ["orientation (hsv, -pi..pi) where magnitude > 0.05"],
     cmap="hsv", vmin=-np.pi, vmax=np.pi, size=3.6)

# %%
noisy = 0.8 * disk + 0.2 * ramp + 0.05 * rng.standard_normal((N, N))
raw, _ = filters.gradient_magnitude_orientation(noisy)
smooth, _ = filters.gradient_magnitude_orientation(filters.gaussian_blur(noisy, 2.0))
show([noisy, raw, smooth], ["noisy", "gradient magnitude", "... after a Gaussian blur (sigma=2)"])

# %% tags=["check"] your_turn="filters.py"
check("image_gradients", "gradient_magnitude_orientation", "laplacian")

# %% [markdown]
# ## 5. Laplacian of Gaussian and zero-crossing edges
#
# Blurring and then taking the Laplacian is one linear filter, the *Laplacian of Gaussian*
# (LoG, the "Mexican hat"). Across an edge it swings from positive to negative: the edge sits
# at the *zero crossing* (Marr and Hildreth). $\sigma$ chooses the scale: small $\sigma$ finds
# fine detail (and noise), large $\sigma$ only the big structures. `zero_crossing_edges` marks
# a pixel where its LoG and that of its right or lower neighbour have opposite signs; the
# `threshold` on their difference drops the weak crossings that noise makes everywhere.

# %%
noisy_home = home + 0.05 * rng.standard_normal((N, N))
show([noisy_home] + [filters.laplacian_of_gaussian(noisy_home, s) for s in (1.0, 2.0, 4.0)],
     ["noisy home", "LoG sigma=1", "LoG sigma=2", "LoG sigma=4"], signed=[False, True, True, True])
thresholds = (0.0, 0.002, 0.005, 0.01)
show([filters.zero_crossing_edges(noisy_home, 2.0, t) for t in thresholds],
     [f"zero crossings, sigma=2,\nthreshold {t:g}" for t in thresholds])

# %% [markdown]
# The same on photographs (`skimage.data`'s cameraman and coins, downsampled 4x to 128x128
# and 75x96): at a small $\sigma$ the grass and the coins' reliefs cross zero everywhere; at
# a large one only the silhouettes remain.

# %%
camera, coins = hw0_photo("camera", factor=4), hw0_photo("coins", factor=4)
for photo, name in ((camera, "camera"), (coins, "coins")):
    show([photo] + [filters.zero_crossing_edges(photo, s, 0.01) for s in (1.0, 2.0, 3.0)],
         [name] + [f"zero crossings, sigma={s:g}" for s in (1.0, 2.0, 3.0)])

# %% tags=["check"] your_turn="filters.py"
check("laplacian_of_gaussian", "zero_crossing_edges")

# %% [markdown]
# ## 6. Unsharp masking
#
# `image - blur(image)` keeps only the detail (the high frequencies). Adding $\alpha$ times it
# back, `image + alpha * (image - blur(image))`, boosts the detail: edges get steeper, with a
# dark and a bright band on either side (the overshoot that makes them look crisper).

# %%
soft = filters.gaussian_blur(letters, 1.5)
sharpened = {alpha: filters.sharpen(soft, 2.0, alpha) for alpha in (1.0, 3.0)}
show([soft, soft - filters.gaussian_blur(soft, 2.0), *sharpened.values()],
     ["blurred letters", "detail: image - blur", "sharpen alpha=1", "sharpen alpha=3"])

fig, ax = plt.subplots(figsize=(7, 2.6))
ax.plot(soft[40, :60], "k", label="blurred")
for alpha, result in sharpened.items():
    ax.plot(result[40, :60], label=f"alpha={alpha:g}")
ax.set(xlabel="x", ylabel="value", title="row 40: the overshoot at each edge")
ax.legend(fontsize=8)
finish(fig)

# %% tags=["check"] your_turn="filters.py"
check("sharpen")

# %% [markdown]
# ## 7. Centred spectra
#
# The 2-D DFT writes an image as a sum of sinusoids $e^{2\pi i (u y / H + v x / W)}$; the
# coefficient of frequency $(u, v)$ has an *amplitude* (how much of that wave) and a *phase*
# (where its crests are). `np.fft.fft2` puts the zero frequency (the DC term, the sum of all
# pixels) at index (0, 0); `np.fft.fftshift` moves it to the centre $(H/2, W/2)$ so that low
# frequencies are in the middle and high ones at the border. A single cosine is two dots,
# symmetric about the centre (real images have $F(-u, -v) = \overline{F(u, v)}$), at a distance
# equal to its number of cycles per image and in the direction across its stripes. Sharp
# edges spread energy far out along the direction perpendicular to them.

# %%
gratings = [0.5 + 0.5 * np.cos(2 * np.pi * 8 * xx / N),
            0.5 + 0.5 * np.cos(2 * np.pi * 4 * yy / N),
            0.5 + 0.5 * np.cos(2 * np.pi * (6 * xx + 6 * yy) / N)]
show(gratings + [checker, disk],
     ["8 cycles along x", "4 cycles along y", "diagonal (6, 6)", "checker", "disk"], size=2.0)
middle = slice(N // 2 - 32, N // 2 + 32)  # the central 64 x 64 frequencies, to see the dots
show([np.log1p(np.abs(fourier.centered_fft2(image)))[middle, middle] for image in gratings + [checker, disk]],
     ["log amplitude (centre)"] * 5, cmap="magma", size=2.0)

spectrum = fourier.centered_fft2(letters)
print("DC term at (H//2, W//2):", spectrum[N // 2, N // 2].real, "= sum of the pixels:", letters.sum())
print("round trip error:", np.abs(fourier.centered_ifft2(spectrum) - letters).max())

# %% tags=["check"] your_turn="fourier.py"
check("centered_fft2", "centered_ifft2")

# %% [markdown]
# ## 8. Amplitude versus phase
#
# Which half of the spectrum carries the picture? Swap them: give the smiley's amplitude the
# home's phase and the other way round. The result looks like the image whose *phase* it has:
# phase says *where* the edges are, amplitude mostly says how much contrast there is at each
# scale (and the amplitude spectra of natural images all look alike). Keeping only the phase
# (unit amplitude) still shows the edges; keeping only the amplitude (zero phase) shows nothing
# recognisable.

# %%
amplitude, phase = fourier.amplitude_phase(smiley)
show([smiley, np.log1p(amplitude), phase], ["smiley", "log amplitude", "phase"], cmap="gray")

smiley_amp_home_phase, home_amp_smiley_phase = fourier.swap_phase(smiley, home)
show([smiley, home, smiley_amp_home_phase, home_amp_smiley_phase],
     ["smiley", "home", "amplitude of smiley,\nphase of home", "amplitude of home,\nphase of smiley"])

phase_only = fourier.from_amplitude_phase(np.ones_like(amplitude), phase)
amplitude_only = fourier.from_amplitude_phase(amplitude, np.zeros_like(phase))
amplitude_only = np.clip(amplitude_only, *np.percentile(amplitude_only, [1, 99]))  # tame the central peak
show([phase_only, amplitude_only], ["phase only (amplitude 1)", "amplitude only (phase 0)"])

# %% [markdown]
# Synthetic shapes have rather special spectra; photographs make the point better. Swap the
# phases of the cameraman and the astronaut: each result looks like the photograph whose
# phase it carries, and correlates with it far more than with the one whose amplitude it has.

# %%
camera, astronaut = hw0_photo("camera", factor=4), hw0_photo("astronaut", factor=4)
camera_amp_astronaut_phase, astronaut_amp_camera_phase = fourier.swap_phase(camera, astronaut)
show([camera, astronaut, camera_amp_astronaut_phase, astronaut_amp_camera_phase],
     ["camera", "astronaut", "amplitude of camera,\nphase of astronaut",
      "amplitude of astronaut,\nphase of camera"])
for name, swapped in (("camera amplitude, astronaut phase", camera_amp_astronaut_phase),
                      ("astronaut amplitude, camera phase", astronaut_amp_camera_phase)):
    r_camera = np.corrcoef(swapped.ravel(), camera.ravel())[0, 1]
    r_astronaut = np.corrcoef(swapped.ravel(), astronaut.ravel())[0, 1]
    print(f"{name}: correlation with camera {r_camera:+.2f}, with astronaut {r_astronaut:+.2f}")

# %% tags=["check"] your_turn="fourier.py"
check("amplitude_phase", "from_amplitude_phase", "swap_phase")

# %% [markdown]
# ## 9. Low-pass and high-pass masks
#
# Filtering in the frequency domain is a multiplication: transform, multiply the centred
# spectrum by a mask, transform back. A low-pass mask keeps the frequencies near the centre
# (the coarse shapes), the high-pass mask `1 - low-pass` keeps the rest (edges and detail), and
# the two reconstructions add up to the image. The lecture's *box* mask (a square) cuts
# sharply, and a sharp cut in frequency is a sinc in space: the low-pass image *rings*
# (ripples parallel to the edges). A *Gaussian* mask cuts smoothly and does not ring.

# %%
shape = smiley.shape
for kind in ("box", "gaussian"):
    low_mask = fourier.low_pass_mask(shape, 10, kind=kind)
    low = fourier.frequency_filter(smiley, low_mask)
    high = fourier.frequency_filter(smiley, fourier.high_pass_mask(shape, 10, kind=kind))
    show([low_mask, low, high, low + high],
         [f"{kind} low-pass mask, cutoff 10", "low-pass", "high-pass", "low + high"])

show([fourier.frequency_filter(letters, fourier.low_pass_mask(shape, c)) for c in (4, 8, 16, 32)],
     [f"box low-pass, cutoff {c}" for c in (4, 8, 16, 32)])

# %% tags=["check"] your_turn="fourier.py"
check("low_pass_mask", "high_pass_mask", "frequency_filter")

# %% [markdown]
# ## 10. The convolution theorem
#
# Convolution in space is multiplication in frequency: $\mathcal{F}(I * k) = \mathcal{F}(I)\,
# \mathcal{F}(k)$. For the DFT this holds for *circular* convolution: the image is treated as
# periodic, so what a blur pushes off the right edge comes back on the left. Zero-padding both
# the image and the kernel to the size of the full result, $(H + k_h - 1) \times (W + k_w - 1)$,
# leaves room for everything, nothing wraps around, and the product gives exactly the
# `convolve2d(..., boundary="zero")` result, cropped to `full`, `same` or `valid`. For big
# kernels it is also much faster: $O(HW \log HW)$ whatever the kernel size.

# %%
spot = ellipse(112, 112, 10, 10).astype(float)  # a bright spot near the bottom-right corner
blob = filters.gaussian_kernel(4.0)              # 25 x 25
circular = np.real(np.fft.ifft2(np.fft.fft2(spot) * np.fft.fft2(blob, s=spot.shape)))  # no padding
by_fft = fourier.fft_convolve2d(spot, blob, mode="same")
direct = filters.convolve2d(spot, blob, mode="same")
show([spot, circular, by_fft, direct],
     ["spot", "no padding: circular\n(shifted by 12, wraps around)", "fft_convolve2d, 'same'\n(zero padded)",
      "convolve2d, 'same'\nboundary='zero'"])

odd_kernel = rng.random((5, 4))  # no symmetry, even width: flips and anchors must be right
print("max |fft_convolve2d - convolve2d| per mode:",
      {m: float(np.abs(fourier.fft_convolve2d(letters, odd_kernel, m)
                       - filters.convolve2d(letters, odd_kernel, m)).max()) for m in ("full", "same", "valid")})

big = filters.gaussian_kernel(5.0)  # 31 x 31
start = time.perf_counter()
filters.convolve2d(home, big, mode="full")
middle = time.perf_counter()
fourier.fft_convolve2d(home, big, mode="full")
end = time.perf_counter()
print(f"31x31 kernel: convolve2d {1000 * (middle - start):.1f} ms, "
      f"fft_convolve2d {1000 * (end - middle):.1f} ms")

# %% tags=["check"] your_turn="fourier.py"
check("fft_convolve2d")

# %% [markdown]
# ## 11. Hybrid images
#
# A hybrid image (Oliva, Torralba and Schyns, 2006) adds the low frequencies of one image to
# the high frequencies of another: `gaussian_blur(far, sigma_low) + (near - gaussian_blur(near,
# sigma_high))`. Up close your eye picks up the fine detail and sees `near`; from afar (or
# small) the detail is too fine to resolve and only `far` remains. Below: the two components,
# their spectra, and the hybrid at several sizes (each half the previous, blurred before
# subsampling so it does not alias): look at the large one, then at the small ones, or step
# back from the screen.

# %%
sigma_low, sigma_high = 4.0, 2.0
low_part = filters.gaussian_blur(smiley, sigma_low)
high_part = home - filters.gaussian_blur(home, sigma_high)
hybrid = fourier.hybrid_image(smiley, home, sigma_low, sigma_high)
show([low_part, high_part, hybrid], ["smiley, low-pass (far)", "home, high-pass (near)", "hybrid"])
show([log_amplitude(low_part), log_amplitude(high_part), log_amplitude(hybrid)],
     ["log amplitude", "log amplitude", "log amplitude"], cmap="magma")

# The hybrid at 128, 64, 32 and 16 pixels, side by side on a white canvas.
level = (hybrid - hybrid.min()) / (hybrid.max() - hybrid.min())
canvas = np.ones((N, 2 * N))
x = 0
while level.shape[0] >= 16:
    h, w = level.shape
    canvas[N - h:, x:x + w] = level
    x += w + 4
    level = filters.gaussian_blur(level, 1.0)[::2, ::2]
fig, ax = plt.subplots(figsize=(10, 5))
ax.imshow(canvas, cmap="gray", vmin=0, vmax=1)
ax.set_title("the hybrid up close (left) and from further and further away")
ax.axis("off")
finish(fig)

# %% [markdown]
# Now with photographs, in colour: the cat (`chelsea`) from afar, the cup of coffee up close
# (both downsampled 2x and cropped to 150x225). `hybrid_image` filters every channel alike.

# %%
cat, cup = (hw0_photo(name, factor=2, color=True)[:150, :225] for name in ("chelsea", "coffee"))
photo_hybrid = np.clip(fourier.hybrid_image(cat, cup, 5.0, 3.0), 0, 1)
smaller = filters.gaussian_blur(photo_hybrid, 2.0)[::4, ::4]
show([cat, cup, photo_hybrid, smaller], ["far: chelsea", "near: coffee", "hybrid, up close",
                                         "hybrid, 4x smaller"], size=3.2)

# %% [markdown]
# Try other `sigma_low` / `sigma_high` values, or swap the roles (`hybrid_image(home, smiley,
# ...)`): when does the illusion break?

# %% tags=["check"] your_turn="fourier.py"
check("hybrid_image")

# %% [markdown] cvgrade="submit"
# The hidden tests compare your functions with the reference on many random images, in every
# `mode` and `boundary`, with odd and even kernels, colour images and bad arguments (which
# must raise a `ValueError` naming the argument).

# %% [markdown] cvgrade="written"
