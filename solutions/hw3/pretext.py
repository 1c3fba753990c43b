"""HW3 reference solution: pretext tasks for self-supervised learning (numpy).

Lecture "Self-Supervised Learning": a pretext task makes labels out of the data itself.
Context prediction (Doersch et al. 2015) asks where a patch sits relative to a centre
patch; rotation prediction (Gidaris et al. 2018) asks by how much an image was rotated;
counting (Noroozi et al. 2017) asks that the features of the four tiles of an image add
up to the features of the whole (downsampled) image.

Conventions: images are ``(H, W)`` or ``(H, W, C)`` arrays (batches ``(N, H, W[, C])``),
axis 0 is y (down), axis 1 is x (right). Bad arguments raise ``ValueError`` naming the
argument.
"""
import numpy as np

# The 8 neighbours of the centre patch, numbered row-major, skipping the centre itself.
NEIGHBOURS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def relative_position_label(dy, dx):
    """The class (0..7) of the neighbour patch at offset (dy, dx) from the centre patch.

    Lecture idea: Doersch et al. cut a 3x3 grid of patches from an image and ask a network
    which of the 8 positions a patch came from; to answer it must understand object parts.

    The 8 neighbours are numbered row-major over the 3x3 grid, skipping the centre:

        (-1,-1) -> 0   (-1, 0) -> 1   (-1, 1) -> 2
        ( 0,-1) -> 3      centre      ( 0, 1) -> 4
        ( 1,-1) -> 5   ( 1, 0) -> 6   ( 1, 1) -> 7

    Inputs: dy, dx: integers in {-1, 0, 1}, not both 0.
    Returns: int.
    Raises: ValueError whose message names dy and dx for anything else (the centre (0, 0),
    an offset such as (2, 0)).
    """
    if (dy, dx) in NEIGHBOURS:
        return NEIGHBOURS.index((dy, dx))
    raise ValueError(f"(dy, dx) must be one of the 8 neighbour offsets in {{-1, 0, 1}}^2 other than (0, 0), "
                     f"got dy={dy!r}, dx={dx!r}")


def context_prediction_pair(image, patch, gap, rng):
    """A random training example for context prediction: (centre, neighbour, label).

    The 3x3 grid is made of square patches of side ``patch`` with ``gap`` pixels between
    neighbouring patches (the gap stops the network from cheating with edge continuity, a
    "shortcut"). So the neighbour at offset (dy, dx) has its top-left corner
    (dy * (patch + gap), dx * (patch + gap)) pixels away from the centre patch's corner.

    Draw, with ``rng`` only:
    1. the centre patch's top-left corner (y, x), uniformly among the positions for which
       all eight neighbours lie fully inside the image;
    2. the label, uniformly in 0..7 (see relative_position_label).

    Inputs:
    - image: (H, W) or (H, W, C) array of any dtype.
    - patch: int >= 1; gap: int >= 0.
    - rng: a np.random.Generator or an int seed (the tests pass seeds). The same seed must
      give the same example.
    Returns: (centre, neighbour, label): two arrays of shape (patch, patch) or
    (patch, patch, C), copied from the image (keep its dtype), and the int label of the
    neighbour.
    Raises: ValueError naming `image` when the image is smaller than 3 * patch + 2 * gap in
    either axis.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    if int(patch) != patch or patch < 1:
        raise ValueError(f"patch must be an integer >= 1, got {patch!r}")
    if int(gap) != gap or gap < 0:
        raise ValueError(f"gap must be an integer >= 0, got {gap!r}")
    patch, gap = int(patch), int(gap)
    step, span = patch + gap, 3 * patch + 2 * gap
    H, W = image.shape[:2]
    if H < span or W < span:
        raise ValueError(f"image of shape {image.shape} is smaller than the 3x3 patch grid ({span}x{span})")
    rng = np.random.default_rng(rng)
    y = int(rng.integers(step, H - patch - step + 1))   # centre's top-left corner
    x = int(rng.integers(step, W - patch - step + 1))
    label = int(rng.integers(0, 8))
    dy, dx = NEIGHBOURS[label]
    centre = image[y:y + patch, x:x + patch].copy()
    ny, nx = y + dy * step, x + dx * step
    neighbour = image[ny:ny + patch, nx:nx + patch].copy()
    return centre, neighbour, label


def rotation_batch(images):
    """Every image rotated by 0, 90, 180 and 270 degrees counter-clockwise, with labels 0..3.

    Lecture idea: to tell how an image was rotated, a network must know what "up" looks
    like for the objects in it (Gidaris et al. 2018, RotNet).

    Inputs: images (N, H, W) or (N, H, W, C), square (H == W), any dtype.
    Returns: (rotated, labels):
    - rotated: (4N, H, W[, C]), same dtype, image-major: rotated[4*i + k] is
      np.rot90(images[i], k) (k quarter turns counter-clockwise);
    - labels: int64 array (4N,): [0, 1, 2, 3, 0, 1, 2, 3, ...].
    Raises: ValueError naming `images` when they are not square (H != W).
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4) or images.shape[1] != images.shape[2]:
        raise ValueError(f"images must be (N, H, W[, C]) with H == W, got shape {images.shape}")
    rotated = np.stack([np.rot90(images, k, axes=(1, 2)) for k in range(4)], axis=1)  # (N, 4, ...)
    labels = np.tile(np.arange(4, dtype=np.int64), images.shape[0])
    return rotated.reshape((-1,) + images.shape[1:]), labels


def counting_loss(whole, tiles, other, margin=10.0):
    """Noroozi et al.'s counting loss for one image.

        loss = ||sum(tiles) - whole||^2 + max(0, margin - ||sum(tiles) - other||^2)

    Lecture idea: "visual primitives" (counts of eyes, wheels, ...) of the four tiles add up
    to those of the whole (downsampled) image. Alone, that term is minimised by features that
    are always 0; the second (contrastive) term stops that trivial solution by keeping the
    tiles' sum at least sqrt(margin) away from the features of a different image.

    Inputs: whole (D,) features of the downsampled image, tiles (4, D) features of its four
    tiles, other (D,) features of another image; margin >= 0. Both norms are SQUARED.
    Returns: float.
    """
    whole = np.asarray(whole, dtype=np.float64)
    tiles = np.asarray(tiles, dtype=np.float64)
    other = np.asarray(other, dtype=np.float64)
    if tiles.ndim != 2 or tiles.shape[0] != 4:
        raise ValueError(f"tiles must be (4, D), got shape {tiles.shape}")
    total = tiles.sum(axis=0)
    match = np.sum((total - whole) ** 2)
    push = max(0.0, margin - np.sum((total - other) ** 2))
    return float(match + push)
