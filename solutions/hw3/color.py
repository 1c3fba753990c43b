"""HW3 reference solution: the Lab colour space and colorization as classification (numpy).

Lecture "Object Tracking" (colour spaces) and "Self-Supervised Learning" (colorization):
CIELAB separates lightness L from the two colour axes a (green-red) and b (blue-yellow),
and is roughly perceptually uniform. Zhang et al. (2016) colorize a grey image by
predicting, for every pixel, a distribution over quantised ab bins (trained against
soft-encoded targets) and decode it with the "annealed mean".

Conventions: colours are on the last axis; every result is float64. The constants are
scikit-image's (``skimage.color.rgb2lab`` with illuminant D65 and the 2-degree observer).
"""
import numpy as np

# Linear sRGB -> XYZ (rows X, Y, Z), and the D65 reference white.
XYZ_FROM_RGB = np.array([[0.412453, 0.357580, 0.180423],
                         [0.212671, 0.715160, 0.072169],
                         [0.019334, 0.119193, 0.950227]])
RGB_FROM_XYZ = np.linalg.inv(XYZ_FROM_RGB)
WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def _colour_array(array, name, channels):
    array = np.asarray(array, dtype=np.float64)
    if array.ndim < 1 or array.shape[-1] != channels:
        raise ValueError(f"{name} must have {channels} values on its last axis, got shape {array.shape}")
    return array


def rgb_to_lab(rgb):
    """sRGB in [0, 1], shape (..., 3) -> CIELAB (..., 3) under D65, as skimage.color.rgb2lab.

    1. Undo the sRGB gamma, per channel:
           c_lin = ((c + 0.055) / 1.055) ** 2.4   if c > 0.04045
           c_lin = c / 12.92                      otherwise
    2. XYZ = XYZ_FROM_RGB @ rgb_lin, then divide X, Y, Z by WHITE_D65.
    3. f(t) = t ** (1/3) if t > 0.008856 else 7.787 * t + 16 / 116, and
           L = 116 f(Y) - 16,   a = 500 (f(X) - f(Y)),   b = 200 (f(Y) - f(Z)).

    Inputs: rgb: array (..., 3).
    Returns: float64 (..., 3); matches skimage.color.rgb2lab to 1e-4. White is
    (100, 0, 0) (to ~1e-3), black (0, 0, 0), pure red about (53.24, 80.09, 67.20).
    Raises: ValueError naming `rgb` when its last axis is not 3.
    """
    rgb = _colour_array(rgb, "rgb", 3)
    linear = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = linear @ XYZ_FROM_RGB.T / WHITE_D65
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    fx, fy, fz = f[..., 0], f[..., 1], f[..., 2]
    return np.stack([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], axis=-1)


def lab_to_rgb(lab):
    """CIELAB (..., 3) -> sRGB (..., 3): the inverse of rgb_to_lab, clipped to [0, 1].

    1. fy = (L + 16) / 116, fx = fy + a / 500, fz = fy - b / 200.
    2. Invert f: t = f ** 3 if f ** 3 > 0.008856 else (f - 16 / 116) / 7.787; multiply by
       WHITE_D65 to get X, Y, Z.
    3. rgb_lin = RGB_FROM_XYZ @ XYZ.
    4. Gamma: c = 1.055 * c_lin ** (1 / 2.4) - 0.055 if c_lin > 0.0031308 else 12.92 * c_lin.
    5. Clip to [0, 1] (many Lab values lie outside the sRGB gamut).

    Inputs: lab: array (..., 3).
    Returns: float64 (..., 3) in [0, 1].
    Raises: ValueError naming `lab` when its last axis is not 3.
    """
    lab = _colour_array(lab, "lab", 3)
    fy = (lab[..., 0] + 16.0) / 116.0
    f = np.stack([fy + lab[..., 1] / 500.0, fy, fy - lab[..., 2] / 200.0], axis=-1)
    xyz = np.where(f ** 3 > 0.008856, f ** 3, (f - 16.0 / 116.0) / 7.787) * WHITE_D65
    linear = xyz @ RGB_FROM_XYZ.T
    with np.errstate(invalid="ignore"):   # negative values take the linear branch
        rgb = np.where(linear > 0.0031308, 1.055 * np.abs(linear) ** (1 / 2.4) - 0.055, 12.92 * linear)
    return np.clip(rgb, 0.0, 1.0)


def ab_bin_centers(grid=10, limit=110):
    """Centres of the grid x grid bins that tile the ab square [-limit, limit)^2.

    Zhang et al. quantise ab with bins of 10, giving Q = 22 * 22 = 484 bins for the default
    limit (they keep the 313 in gamut; we keep all of them).

    With n = 2 * limit / grid bins per axis, the centres along one axis are
    -limit + grid / 2 + grid * i for i = 0..n-1 (default: -105, -95, ..., 105).

    Inputs: grid > 0 that divides 2 * limit into a whole number of bins; limit > 0.
    Returns: float64 (n * n, 2), a-major: row i * n + j is (a_i, b_j).
    Raises: ValueError naming `grid` when grid is not > 0 or n is not a whole number.
    """
    if not grid > 0:
        raise ValueError(f"grid must be > 0, got {grid!r}")
    if not limit > 0:
        raise ValueError(f"limit must be > 0, got {limit!r}")
    n = 2 * limit / grid
    if abs(n - round(n)) > 1e-9:
        raise ValueError(f"grid must divide 2 * limit into whole bins, got grid={grid!r}, limit={limit!r}")
    axis = -limit + grid / 2 + grid * np.arange(round(n), dtype=np.float64)
    a, b = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([a.ravel(), b.ravel()], axis=1)


def soft_encode_ab(ab, centers, k=5, sigma=5.0):
    """Soft-encode ab values on their k nearest bin centres (Zhang et al. 2016).

    The target for a pixel is not one-hot: the k centres nearest to its ab value get
    weights w_q = exp(-||ab - c_q||^2 / (2 sigma^2)), every other centre 0, and the weights
    are normalised to sum to 1.

    Inputs: ab (..., 2); centers (Q, 2); k integer in 1..Q; sigma > 0.
    Returns: float64 (..., Q), non-negative, summing to 1 over the last axis. Must stay
    finite for ab far from every centre and for tiny sigma, where every
    exp(-d^2 / (2 sigma^2)) underflows to 0.
    Raises: ValueError naming `k` when k is not an integer in 1..Q; ValueError naming `sigma`
    when sigma is not > 0.
    """
    ab = _colour_array(ab, "ab", 2)
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != 2:
        raise ValueError(f"centers must be (Q, 2), got shape {centers.shape}")
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= len(centers):
        raise ValueError(f"k must be an integer in 1..{len(centers)}, got {k!r}")
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma!r}")
    k = int(k)
    d2 = np.sum((ab[..., None, :] - centers) ** 2, axis=-1)                    # (..., Q)
    nearest = np.argpartition(d2, k - 1, axis=-1)[..., :k]                        # (..., k)
    near_d2 = np.take_along_axis(d2, nearest, axis=-1)
    # The nearest centre's squared distance is subtracted before exp (the normalisation cancels it),
    # so far-away ab values and tiny sigma still give finite weights.
    weights = np.exp(-(near_d2 - near_d2.min(axis=-1, keepdims=True)) / (2.0 * sigma ** 2))
    out = np.zeros_like(d2)
    np.put_along_axis(out, nearest, weights / weights.sum(axis=-1, keepdims=True), axis=-1)
    return out


def annealed_mean(probs, centers, temperature=0.38):
    """Decode a predicted distribution over ab bins into one ab value: the annealed mean.

        p_T[q] = probs[q] ** (1 / T) / sum_r probs[r] ** (1 / T)
        result = sum_q p_T[q] * centers[q]

    Lecture idea: the mean (T = 1) of a multimodal colour distribution is a dull
    compromise (desaturated); the mode (T -> 0) is vivid but spatially patchy. Zhang et al.'s
    T = 0.38 is in between.

    Inputs: probs (..., Q) non-negative (zeros allowed: they get weight 0); centers (Q, 2);
    temperature T > 0.
    Returns: float64 (..., 2). Must stay finite when probs ** (1 / T) underflows (small
    probabilities, small T).
    Raises: ValueError naming `temperature` when it is not > 0.
    """
    probs = np.asarray(probs, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    if probs.shape[-1:] != centers.shape[:1]:
        raise ValueError(f"probs must have one value per centre on its last axis, got {probs.shape} "
                         f"for {centers.shape[0]} centres")
    # In log space, exp((log p - max log p) / T): small probabilities and small T do not underflow
    # to 0 / 0; zero probabilities get weight 0.
    with np.errstate(divide="ignore"):
        logp = np.log(probs)
    weights = np.exp((logp - logp.max(axis=-1, keepdims=True)) / temperature)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ centers
