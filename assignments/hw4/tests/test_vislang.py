"""Public tests for vislang.py: hand-checkable cases of CLIP's loss, zero-shot classification and attention.

Your functions take torch tensors. The tests call them through the probe ``vislang_call``
(tests/probes.py): it turns numpy arrays into tensors of the same dtype, calls your function,
back-propagates when a gradient is wanted and returns numpy arrays. Inputs are float64, so
results are compared to about 1e-10. The hidden tests compare values and gradients with the
reference on random inputs, float32, clamped scales, ties, masks and extreme scores.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_scalar_close, context, unpack


def _call(hw, name, *args, grad=(), weights=None, **kwargs):
    return hw.probe("vislang_call", name, list(args), kwargs, tuple(grad), weights)


@pytest.mark.points(2)
def test_clip_contrastive_loss_by_hand(hw):
    """clip_contrastive_loss: B orthogonal pairs at scale s = exp(logit_scale): value and d loss / d logit_scale"""
    B, s = 4, 2.5
    images = 2.0 * np.eye(B, 6)                  # lengths do not matter: cosine similarity
    texts = np.eye(B, 6)
    loss, (grad,) = _call(hw, "clip_contrastive_loss", images, texts, np.array(np.log(s)), grad=[2])
    # Every row and column: s on the diagonal, 0 for the B - 1 negatives.
    with context(f"B={B}, exp(logit_scale)={s}"):
        assert_scalar_close(loss, -np.log(np.exp(s) / (np.exp(s) + B - 1)), what="the loss")
        # d/d logit_scale = s * d/ds = -s (B - 1) / (e^s + B - 1): a larger scale lowers the loss.
        assert_scalar_close(grad, -s * (B - 1) / (np.exp(s) + B - 1), what="d loss / d logit_scale")


@pytest.mark.points(2)
def test_zero_shot_classify_by_hand(hw):
    """zero_shot_classify: cosine scores against averaged unit prompts; argmax with ties to the lowest class"""
    e = np.eye(3)
    # Class 0: one prompt along e0 (long) and one along e1: their unit average is (e0 + e1) / sqrt(2).
    # Class 1: both prompts along e2. Class 2: along e1 (twice, different lengths).
    prompts = np.stack([[5.0 * e[0], e[1]], [e[2], 3.0 * e[2]], [e[1], 0.5 * e[1]]])
    images = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 2.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    out, _ = _call(hw, "zero_shot_classify", images, prompts)
    labels, scores = unpack(out, ["labels", "scores"])
    r = 1 / np.sqrt(2)
    expected = np.array([[1.0, 0.0, r], [0.0, 1.0, 0.0], [r, 0.0, 1.0], [r, 0.0, 0.0]])
    assert_close(scores, expected, atol=1e-12, what="scores")
    assert_equal(labels, [0, 1, 2, 0], dtype=np.int64, what="labels")
    # Image (1, 1, 0) against single prompts e2, e0, e1: classes 1 and 2 tie -> class 1.
    out, _ = _call(hw, "zero_shot_classify", images[:1], np.stack([e[2], e[0], e[1]]))
    labels, _ = unpack(out, ["labels", "scores"])
    with context("a tie between classes 1 and 2 (one prompt per class, (K, D) input)"):
        assert_equal(labels, [1], dtype=np.int64, what="labels")


@pytest.mark.points(2)
def test_attention_pool_by_hand(hw):
    """attention_pool: softmax of <region, query> / sqrt(D) over unmasked regions; masked regions weigh 0"""
    D = 4
    regions = np.zeros((1, 3, D))
    regions[0, 0] = [2.0, 0.0, 0.0, 0.0]         # scores: <r, q> / sqrt(4) = 2 * log(3) / 2 = log 3
    regions[0, 1] = [0.0, 1.0, 0.0, 0.0]         # 0
    regions[0, 2] = [9.0, 9.0, 9.0, 9.0]         # masked out: must not count at all
    query = np.array([[np.log(3.0), 0.0, 0.0, 0.0]])
    mask = np.array([[True, True, False]])
    out, _ = _call(hw, "attention_pool", regions, query, mask)
    pooled, weights = unpack(out, ["pooled", "weights"])
    # softmax(log 3, 0) = (3/4, 1/4).
    assert_close(weights, [[0.75, 0.25, 0.0]], atol=1e-12, what="weights")
    assert_close(pooled, [[1.5, 0.25, 0.0, 0.0]], atol=1e-12, what="pooled")
    out, _ = _call(hw, "attention_pool", regions[:, :2], query)
    with context("mask=None (every region counts)"):
        assert_close(unpack(out, ["pooled", "weights"])[1], [[0.75, 0.25]], atol=1e-12, what="weights")
