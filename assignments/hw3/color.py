"""HW3, part 3: the Lab colour space and colorization as classification (numpy).

Lecture idea: CIELAB separates lightness L (0 black .. 100 white) from two colour axes,
a (green -> red) and b (blue -> yellow), and distances in it roughly match perceived
colour differences. Colorization (Zhang et al. 2016) predicts ab from L: as a
*classification* over quantised ab bins (soft-encoded targets), decoded with the "annealed
mean", because regressing ab with an L2 loss averages the plausible colours into grey.

Fill in every function marked TODO, with numpy only (no scikit-image, OpenCV, ...). Colours
are on the LAST axis, so every function accepts any shape (..., 3) or (..., 2) and returns
float64. Bad arguments raise ``ValueError`` whose message names the argument.
"""
import numpy as np

# Constants (scikit-image's, so your results match skimage.color.rgb2lab).
# Linear sRGB -> XYZ: XYZ = XYZ_FROM_RGB @ rgb_linear (rows X, Y, Z).
XYZ_FROM_RGB = np.array([[0.412453, 0.357580, 0.180423],
                         [0.212671, 0.715160, 0.072169],
                         [0.019334, 0.119193, 0.950227]])
RGB_FROM_XYZ = np.linalg.inv(XYZ_FROM_RGB)
# The D65 reference white (X, Y, Z).
WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


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
    # TODO
    # Hint: np.where picks the branch per element; with colours on the last axis,
    # ``rgb_lin @ XYZ_FROM_RGB.T`` applies the matrix to every pixel at once; np.cbrt.
    raise NotImplementedError("rgb_to_lab: not implemented yet")


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
    # TODO
    # Hint: a negative c_lin ** (1 / 2.4) is NaN; np.where evaluates both branches, so
    # take the power of np.abs(c_lin) (or np.maximum(c_lin, 0)).
    raise NotImplementedError("lab_to_rgb: not implemented yet")


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
    # TODO
    # Hint: np.meshgrid(axis, axis, indexing="ij").
    raise NotImplementedError("ab_bin_centers: not implemented yet")


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
    # TODO
    # Hint: subtract the smallest squared distance of the k before taking exp (the
    # normalisation cancels it), so the weights stay finite.
    # Hint: squared distances (..., Q) by broadcasting ab[..., None, :] - centers;
    # np.argpartition / np.take_along_axis / np.put_along_axis along the last axis.
    raise NotImplementedError("soft_encode_ab: not implemented yet")


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
    # TODO
    # Hint: work with log(probs) and subtract its maximum before dividing by T and taking exp.
    raise NotImplementedError("annealed_mean: not implemented yet")
