"""HW3, part 1: pretext tasks for self-supervised learning (numpy).

A pretext task makes labels out of unlabeled images, so a network can learn features
without any annotation (lecture "Self-Supervised Learning"):

* context prediction (Doersch et al. 2015): where is this patch relative to the centre one?
* rotation prediction (Gidaris et al. 2018): by how many degrees was this image rotated?
* counting (Noroozi et al. 2017): the features of the four tiles must add up to those of
  the whole image.

Fill in every function marked TODO, with numpy only. Conventions: images are ``(H, W)`` or
``(H, W, C)`` arrays (a batch is ``(N, H, W[, C])``); axis 0 is y (rows, downwards), axis 1
is x (columns). Bad arguments raise ``ValueError`` whose message names the argument.
You may add private helpers (names starting with ``_``).
"""
import numpy as np  # noqa: F401  (you will want it)


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
    # TODO
    raise NotImplementedError("relative_position_label: not implemented yet")


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
    # TODO
    # Hint: rng = np.random.default_rng(rng) accepts both a Generator and a seed.
    # Hint: the valid corners are y in [patch + gap, H - patch - (patch + gap)] (inclusive);
    # rng.integers(low, high) excludes high.
    raise NotImplementedError("context_prediction_pair: not implemented yet")


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
    # TODO
    # Hint: np.rot90(images, k, axes=(1, 2)) rotates the whole batch; np.stack on axis 1
    # then a reshape gives the image-major order.
    raise NotImplementedError("rotation_batch: not implemented yet")


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
    # TODO
    raise NotImplementedError("counting_loss: not implemented yet")
