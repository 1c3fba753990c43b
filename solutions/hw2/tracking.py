"""HW2 reference solution, part 3: optical flow and tracking by colourisation (lecture "Object Tracking").

Conventions used by every function in this module:

* Frames are ``(H, W)`` grey images of any real dtype, converted to float64.
* A flow field is ``(H, W, 2)``: ``flow[y, x] = (u, v)``, the x (column) and y (row)
  displacement of the pixel (x, y) from frame0 to frame1.
* Embeddings are rows: ``(N, D)`` for N reference pixels, ``(M, D)`` for M target pixels.
"""
import numpy as np

# The structure tensor counts as near-singular when its smallest eigenvalue is below this
# (images with values of order 1: a textured window has eigenvalues of order 1e-2 or more).
MIN_EIGENVALUE = 1e-6


def _box_sum(image, window):
    """Sum of ``image`` over the ``window x window`` neighbourhood of every pixel (zeros outside)."""
    r = window // 2
    padded = np.pad(image, r)
    integral = np.zeros((padded.shape[0] + 1, padded.shape[1] + 1))
    integral[1:, 1:] = padded.cumsum(0).cumsum(1)
    H, W = image.shape
    return (integral[window:window + H, window:window + W] - integral[:H, window:window + W]
            - integral[window:window + H, :W] + integral[:H, :W])


def lucas_kanade(frame0, frame1, window=5):
    """Dense Lucas-Kanade optical flow.

    Brightness constancy, linearised: Ix u + Iy v + It = 0 at every pixel. One equation, two
    unknowns (the aperture problem), so Lucas-Kanade assumes the flow is constant over a
    window x window neighbourhood and solves the 2x2 least-squares system there:

        [sum Ix Ix  sum Ix Iy] [u]     [sum Ix It]
        [sum Ix Iy  sum Iy Iy] [v] = - [sum Iy It]

    Spatial derivatives come from each pixel's immediate neighbours (any 3x3 stencil:
    central differences or Sobel, of frame0 or of the mean of both frames); It = frame1 -
    frame0; the sums run over the window x window pixels centred on the pixel (zeros beyond
    the border), so the flow at a pixel depends on no pixel more than window // 2 + 1 away.
    Here: central differences (np.gradient) of the mean of both frames, which cancels the
    error that is first order in the shift. Where the structure tensor is near-singular
    (smallest eigenvalue < MIN_EIGENVALUE: a flat region or a straight edge) the flow is 0.

    Inputs: frame0, frame1 (H, W); window: odd integer >= 1.
    Returns: float64 array (H, W, 2) of (u, v).

    Graded on smooth textures moved by sub-pixel shifts of up to 0.35 px, over the pixels at
    least ``window`` from the border: the median flow within 0.05 px of the shift and 90 %
    of the pixels within 0.15 px (the textbook gradient of frame0 meets both).
    """
    I0 = np.asarray(frame0, dtype=np.float64)
    I1 = np.asarray(frame1, dtype=np.float64)
    Iy, Ix = np.gradient(0.5 * (I0 + I1))
    It = I1 - I0
    sxx, sxy, syy = (_box_sum(p, window) for p in (Ix * Ix, Ix * Iy, Iy * Iy))
    sxt, syt = _box_sum(Ix * It, window), _box_sum(Iy * It, window)
    det = sxx * syy - sxy ** 2
    # Smallest eigenvalue of the symmetric 2x2 matrix [[sxx, sxy], [sxy, syy]].
    lam_min = 0.5 * (sxx + syy) - np.sqrt(0.25 * (sxx - syy) ** 2 + sxy ** 2)
    ok = lam_min >= MIN_EIGENVALUE
    safe = np.where(ok, det, 1.0)
    u = np.where(ok, (-syy * sxt + sxy * syt) / safe, 0.0)
    v = np.where(ok, (sxy * sxt - sxx * syt) / safe, 0.0)
    return np.stack([u, v], axis=-1)


def warp(image, flow):
    """Backward warp: out[y, x] = image[y + v, x + u] with bilinear interpolation.

    The image is extended by zeros beyond its pixel grid, so a sample that falls partly
    outside mixes in zeros, and a sample entirely outside is 0 (as torch's grid_sample with
    padding_mode="zeros", align_corners=True).

    Inputs: image (H, W) or (H, W, C); flow (H, W, 2) of (u, v).
    Returns: float64 array of the image's shape.
    """
    image = np.asarray(image, dtype=np.float64)
    flow = np.asarray(flow, dtype=np.float64)
    H, W = image.shape[:2]
    ys = np.arange(H)[:, None] + flow[..., 1]
    xs = np.arange(W)[None, :] + flow[..., 0]
    y0, x0 = np.floor(ys), np.floor(xs)
    wy, wx = ys - y0, xs - x0
    y0, x0 = y0.astype(np.int64), x0.astype(np.int64)
    out = np.zeros(image.shape)
    for dy, weight_y in ((0, 1.0 - wy), (1, wy)):
        for dx, weight_x in ((0, 1.0 - wx), (1, wx)):
            yy, xx = y0 + dy, x0 + dx
            inside = (yy >= 0) & (yy < H) & (xx >= 0) & (xx < W)
            sample = image[np.clip(yy, 0, H - 1), np.clip(xx, 0, W - 1)]
            weight = np.where(inside, weight_y * weight_x, 0.0)
            out += weight.reshape(weight.shape + (1,) * (image.ndim - 2)) * sample
    return out


def color_propagation(ref_embed, tgt_embed, ref_colors, temperature=1.0):
    """Colour a target frame from a reference frame through a softmax affinity (tracking by colourisation).

        A[i, j] = exp(f_i . f_j / T) / sum_k exp(f_k . f_j / T)     (softmax over the reference pixels i)
        colors_j = sum_i A[i, j] c_i

    Inputs: ref_embed (N, D), tgt_embed (M, D), ref_colors (N, C), temperature T > 0.
    Returns: float64 array (M, C). The softmax is shifted by its maximum, so dot products of
    1e4 stay finite.
    """
    ref, tgt, colors = (np.asarray(a, dtype=np.float64) for a in (ref_embed, tgt_embed, ref_colors))
    logits = ref @ tgt.T / temperature                              # (N, M)
    logits -= logits.max(axis=0, keepdims=True)
    affinity = np.exp(logits)
    affinity /= affinity.sum(axis=0, keepdims=True)
    return affinity.T @ colors


def propagate_labels(ref_embed, tgt_embed, ref_labels):
    """Nearest-neighbour label propagation: target j takes the label of argmax_i f_i . f_j.

    Inputs: ref_embed (N, D), tgt_embed (M, D), ref_labels (N,) integers.
    Returns: array (M,) of labels (ties: the lower reference index).
    """
    ref, tgt = np.asarray(ref_embed, dtype=np.float64), np.asarray(tgt_embed, dtype=np.float64)
    labels = np.asarray(ref_labels)
    return labels[np.argmax(ref @ tgt.T, axis=0)]
