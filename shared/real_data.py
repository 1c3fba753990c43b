"""Real images and digits that ship inside the pinned wheels (nothing is downloaded).

``skimage.data`` carries photographs, textures, the LFW face subset and the Middlebury
motorcycle stereo pair; ``sklearn.datasets.load_digits`` carries 1,797 real 8x8 digits. The
loaders here are for notebooks, data helpers and tests only: graded student modules may not
import scikit-image or scikit-learn. Each loader is cached and returns fresh copies, so a
caller may modify what it gets.

Each homework adds its loaders below as separate functions.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

# ----------------------------------------------------------------------------------------
# HW0 (Filters and Fourier): photographs from skimage.data, downsampled so tests stay fast
# ----------------------------------------------------------------------------------------

HW0_PHOTOS = ("camera", "astronaut", "chelsea", "coffee", "coins", "text")

# ITU-R BT.709 luma weights, the ones skimage.color.rgb2gray uses.
_LUMA = np.array([0.2125, 0.7154, 0.0721])


@functools.cache
def _hw0_photo_cached(name: str, factor: int, color: bool) -> np.ndarray:
    # The PNG files skimage.data.<name>() reads, decoded with Pillow (a dependency of
    # scikit-image): the same pixels, without the ~0.8 s first import of skimage.io (scipy).
    import importlib.util

    from PIL import Image

    folder = Path(importlib.util.find_spec("skimage").origin).parent / "data"
    with Image.open(folder / f"{name}.png") as png:
        image = np.asarray(png).astype(np.float64) / 255.0
    if image.ndim == 3 and not color:
        image = image[..., :3] @ _LUMA
    elif image.ndim == 2 and color:
        image = np.repeat(image[..., None], 3, axis=2)
    # Block means, not strided sampling: a mean over each factor x factor block is a box
    # low-pass before the subsampling, so the small image has no aliasing of fine texture.
    H, W = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    blocks = image[:H, :W].reshape(H // factor, factor, W // factor, factor, *image.shape[2:])
    small = blocks.mean(axis=(1, 3))
    small.setflags(write=False)
    return small


def hw0_photo(name: str, factor: int = 8, color: bool = False) -> np.ndarray:
    """A photograph from ``skimage.data``, as float64 in [0, 1], downsampled by ``factor``.

    Inputs:
    - name: one of ``HW0_PHOTOS`` (camera 512x512, astronaut 512x512 colour, chelsea the cat
      300x451 colour, coffee 400x600 colour, coins 303x384, text 172x448).
    - factor: integer >= 1; each factor x factor block becomes its mean (sides that are not
      a multiple of factor lose their last rows/columns). factor 8 turns camera into 64x64.
    - color: False gives (H, W) grey levels (BT.709 luma for colour photographs); True gives
      (H, W, 3) (a grey photograph repeated in the three channels).

    Returns a fresh, writable copy (the decoded photographs are cached per process).
    """
    if name not in HW0_PHOTOS:
        raise ValueError(f"name must be one of {', '.join(HW0_PHOTOS)}, got {name!r}")
    if isinstance(factor, bool) or int(factor) != factor or factor < 1:
        raise ValueError(f"factor must be an integer >= 1, got {factor!r}")
    return _hw0_photo_cached(name, int(factor), bool(color)).copy()


# ----------------------------------------------------------------------------------------
# HW1 (Backprop and CNNs): the 1,797 real handwritten digits of sklearn.datasets.load_digits
# ----------------------------------------------------------------------------------------

@functools.cache
def _digits_cached() -> tuple[np.ndarray, np.ndarray]:
    # The file load_digits() parses (64 grey levels 0..16, then the label, per row), read
    # directly: the same numbers without importing scikit-learn (and scipy), seconds of CPU.
    import importlib.util

    path = Path(importlib.util.find_spec("sklearn").origin).parent / "datasets" / "data" / "digits.csv.gz"
    table = np.loadtxt(path, delimiter=",")
    images = table[:, :-1].reshape(-1, 8, 8) / 16.0
    labels = table[:, -1].astype(np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def digits(size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 handwritten digits of ``sklearn.datasets.load_digits``, as CNN inputs.

    Inputs: size, a multiple of 8: each pixel becomes a (size // 8)-square block (nearest
    neighbour), so 32 gives the 32x32 inputs HW1's SmallCNN expects.
    Returns ``(x, y)`` in the data set's order: x float32 (1797, 1, size, size) in [0, 1]
    (the 17 grey levels 0..16 divided by 16), y int64 (1797,) in 0..9 (about 180 of each).
    Fresh copies; the parsed file is cached per process.
    """
    if isinstance(size, bool) or int(size) != size or size < 8 or size % 8:
        raise ValueError(f"size must be a positive multiple of 8, got {size!r}")
    images, labels = _digits_cached()
    scale = int(size) // 8
    x = images.repeat(scale, axis=1).repeat(scale, axis=2)[:, None].astype(np.float32)
    return x, labels.copy()


# ----------------------------------------------------------------------------------------
# HW2 (Recognition): the LFW subset of skimage.data, 100 face and 100 non-face crops
# ----------------------------------------------------------------------------------------

@functools.cache
def _lfw_cached() -> np.ndarray:
    # The array skimage.data.lfw_subset() returns, read from its .npy file directly (no
    # skimage import): 200 grey 25x25 crops in [0, 1], the first 100 faces.
    import importlib.util

    crops = np.load(Path(importlib.util.find_spec("skimage").origin).parent / "data" / "lfw_subset.npy")
    crops = crops.astype(np.float64)
    crops.setflags(write=False)
    return crops


def lfw_faces() -> tuple[np.ndarray, np.ndarray]:
    """The 25x25 crops of ``skimage.data.lfw_subset``: ``(faces, non_faces)``.

    Returns two float64 arrays (100, 25, 25) of grey levels in [0, 1], in the data set's
    order: faces from Labeled Faces in the Wild, then non-face crops of natural images.
    Fresh copies; the file is read once per process.
    """
    crops = _lfw_cached()
    return crops[:100].copy(), crops[100:].copy()


# ----------------------------------------------------------------------------------------
# HW5 (3D vision): the Middlebury 2014 motorcycle stereo pair shipped in skimage.data
# ----------------------------------------------------------------------------------------

@functools.cache
def _motorcycle_cached(factor: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # The files skimage.data.stereo_motorcycle() reads (two 500x741 RGB PNGs and the
    # left view's float32 disparity, inf where unknown), decoded with Pillow, no skimage import.
    import importlib.util

    from PIL import Image

    folder = Path(importlib.util.find_spec("skimage").origin).parent / "data"

    def blocks(array: np.ndarray) -> np.ndarray:
        H, W = (array.shape[0] // factor) * factor, (array.shape[1] // factor) * factor
        return array[:H, :W].reshape(H // factor, factor, W // factor, factor)

    views = []
    for name in ("motorcycle_left.png", "motorcycle_right.png"):
        with Image.open(folder / name) as png:
            rgb = np.asarray(png).astype(np.float64)[..., :3] / 255.0
        views.append(blocks(rgb @ _LUMA).mean(axis=(1, 3)))
    full = blocks(np.load(folder / "motorcycle_disp.npz")["arr_0"].astype(np.float64))
    # A block's disparity is known only where all of its pixels are; pixels shrink by factor.
    disparity = np.where(np.all(np.isfinite(full), axis=(1, 3)), full.mean(axis=(1, 3)) / factor, np.nan)
    for array in (*views, disparity):
        array.setflags(write=False)
    return views[0], views[1], disparity


def motorcycle_stereo(factor: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rectified Middlebury motorcycle pair of ``skimage.data.stereo_motorcycle``, downsampled.

    Inputs: factor, an integer >= 1: each factor x factor block becomes its mean (4 turns the
    500x741 views into 125x185, with disparities up to ~15 instead of ~60).
    Returns ``(left, right, disparity)``: grey views float64 (H, W) in [0, 1] (BT.709 luma),
    and the left view's ground-truth disparity float64 (H, W) in pixels of the small images
    (a left pixel (y, x) shows the point seen at (y, x - d) on the right), NaN where the
    ground truth is unknown (occlusions) for any pixel of the block.
    Fresh copies; the decoded files are cached per process.
    """
    if isinstance(factor, bool) or int(factor) != factor or factor < 1:
        raise ValueError(f"factor must be an integer >= 1, got {factor!r}")
    return tuple(array.copy() for array in _motorcycle_cached(int(factor)))
