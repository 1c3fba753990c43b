"""HW2, part 3: optical flow and tracking by colourisation (lecture "Object Tracking").

Fill in every function marked TODO. Use numpy only (no scipy, OpenCV, torch).

Conventions for every function in this file:

* Frames are ``(H, W)`` grey images of any real dtype; convert to float64.
* A flow field is ``(H, W, 2)``: ``flow[y, x] = (u, v)``, the x (column, rightwards) and
  y (row, downwards) displacement of pixel (x, y) from frame0 to frame1. Note the order:
  u (the x part) comes first, although arrays are indexed [y, x].
* Embeddings are rows: ``(N, D)`` for N reference pixels, ``(M, D)`` for M target pixels.

You may add your own private helper functions (names starting with ``_``).
"""
import numpy as np  # noqa: F401  (you will need it)

# Threshold for a near-singular structure tensor (images with values of order 1).
MIN_EIGENVALUE = 1e-6


def lucas_kanade(frame0, frame1, window=5):
    """Dense Lucas-Kanade optical flow.

    Lecture idea: brightness constancy I1(x + u, y + v) = I0(x, y), linearised, gives one
    equation per pixel, Ix u + Iy v + It = 0, for two unknowns (the aperture problem). Lucas
    and Kanade assume the flow is constant in a window x window neighbourhood and solve the
    2x2 least-squares system there (the structure tensor of Harris corners appears again):

        [sum Ix Ix  sum Ix Iy] [u]     [sum Ix It]
        [sum Ix Iy  sum Iy Iy] [v] = - [sum Iy It]

    Inputs: frame0, frame1 (H, W); window: odd integer >= 1.
    Returns: float64 array (H, W, 2) of (u, v). Requirements the tests check:
    - Derivatives: Ix, Iy from each pixel's immediate neighbours (any 3x3 stencil: central
      differences as np.gradient, or Sobel), of frame0 or of the mean of both frames;
      It = frame1 - frame0.
    - The sums run over the window x window pixels CENTRED on the pixel (zeros beyond the
      border): the flow at a pixel must not depend on any pixel more than window // 2 + 1
      away (the tests change the image just outside that range).
    - On a smooth texture moved by a sub-pixel (u, v) (up to 0.35 px), over the pixels at
      least ``window`` pixels from the border: the median flow is within 0.05 px of (u, v),
      and 90 % of the pixels are within 0.15 px of it (each shift is scored on its own). The
      textbook derivatives, np.gradient(frame0), meet both bounds.
    - Where the structure tensor is near-singular (smallest eigenvalue < MIN_EIGENVALUE, an
      absolute threshold: a flat region, or a straight edge / stripes that vary along one
      direction only) the flow is exactly 0.
    """
    # TODO
    # Hint: derivatives of the MEAN of both frames, np.gradient(0.5 * (frame0 + frame1)), are more
    # accurate than the textbook np.gradient(frame0): the textbook error is first order in the
    # shift, and the mean cancels that term.
    # Hint: window sums of Ix*Ix, Ix*Iy, ... for every pixel at once: a box filter (pad with zeros
    # and add window*window shifted slices, or use cumulative sums).
    # Hint: solve all 2x2 systems at once with the explicit inverse (Cramer's rule); the smallest
    # eigenvalue of [[a, b], [b, c]] is (a + c)/2 - sqrt(((a - c)/2)^2 + b^2).
    raise NotImplementedError("lucas_kanade: not implemented yet")


def warp(image, flow):
    """Backward warp: out[y, x] = image[y + v, x + u] with bilinear interpolation.

    Lecture idea: to check a flow field, pull frame1 back along it: the result should look
    like frame0. Backward warping (each output pixel reads from the image) leaves no holes.

    Inputs: image (H, W) or (H, W, C) (each channel warped the same way); flow (H, W, 2) of
    (u, v).
    Returns: float64 array with the image's shape.

    Outside: the image is extended by ZEROS beyond its pixel grid, and the bilinear formula
    is applied as usual. A sample position entirely outside gives 0; one within a pixel of
    the border mixes the border pixel with zeros (e.g. reading at x = W - 0.5 gives
    0.5 * image[y, W - 1]). This is torch's grid_sample with padding_mode="zeros",
    align_corners=True.
    """
    # TODO
    # Hint: with y0 = floor(y + v), x0 = floor(x + u), wy = (y + v) - y0, wx = (x + u) - x0:
    # out = (1-wy)(1-wx) I[y0, x0] + (1-wy) wx I[y0, x0+1] + wy (1-wx) I[y0+1, x0] + wy wx I[y0+1, x0+1],
    # where I[...] is 0 for indices outside the image (index with np.clip, then zero the weight).
    raise NotImplementedError("warp: not implemented yet")


def color_propagation(ref_embed, tgt_embed, ref_colors, temperature=1.0):
    """Colour a target frame by copying colours from a reference frame (tracking by colourisation).

    Lecture idea (Vondrick et al. 2018): a network trained to colourise a grey video frame
    by pointing to pixels of a colour reference frame learns embeddings that track objects,
    with no labels. Each target pixel j takes a softmax-weighted average of reference colours:

        A[i, j] = exp(f_i . f_j / T) / sum_k exp(f_k . f_j / T)     (softmax over the REFERENCE i)
        colors_j = sum_i A[i, j] c_i

    Inputs: ref_embed (N, D) (the f_i), tgt_embed (M, D) (the f_j), ref_colors (N, C) (the
    c_i), temperature T > 0.
    Returns: float64 array (M, C). Must stay finite for dot products of 1e4.
    """
    # TODO
    # Hint: the logits ref_embed @ tgt_embed.T are (N, M): normalise over axis 0. Subtract
    # the maximum of each column before exp (softmax does not change).
    raise NotImplementedError("color_propagation: not implemented yet")


def propagate_labels(ref_embed, tgt_embed, ref_labels):
    """Propagate segmentation labels by nearest neighbour: target j takes the label of argmax_i f_i . f_j.

    Inputs: ref_embed (N, D), tgt_embed (M, D), ref_labels (N,) integers.
    Returns: array (M,) of labels taken from ref_labels (ties: the lower reference index).
    """
    # TODO
    raise NotImplementedError("propagate_labels: not implemented yet")
