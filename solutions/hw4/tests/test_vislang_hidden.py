"""Hidden tests for vislang.py: the student's functions against the reference, via the probe.

What decides: values AND gradients (w.r.t. both embeddings and the logit scale; w.r.t. the
regions and the query, through a fixed random projection of both outputs) on seeded random
inputs, float64 compared to 1e-10 relative (direct formulas agree to ~1e-13; room for another
summation order or log-sum-exp); float32 to 1e-5 (epsilon 1.2e-7, sums of tens of terms); the
clamp of the logit scale at 100 (its gradient 0 above); prompt ensembles whose prompts have
very different lengths; exact ties of cosine scores built from basis vectors (exact in any
summation order); masks with padding, a row with every region masked, scores of size 1000;
and the error contract.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_raises, assert_scalar_close, context, unpack


def _call(who, name, *args, grad=(), weights=None, **kwargs):
    return who.probe("vislang_call", name, list(args), kwargs, tuple(grad), weights)


def _compare(hw, ref, name, *args, grad=(), weights=None, rtol=1e-10, atol=1e-12, dtype=np.float64,
             names=None, **kwargs):
    """The student's outputs and gradients against the reference's, same inputs."""
    got, got_grads = _call(hw, name, *args, grad=grad, weights=weights, **kwargs)
    expected, expected_grads = _call(ref, name, *args, grad=grad, weights=weights, **kwargs)
    if names is None:
        assert_close(got, expected, rtol=rtol, atol=atol, dtype=dtype, what="the result")
    else:
        for label, g, e in zip(names, unpack(got, names), expected, strict=True):
            assert_close(g, e, rtol=rtol, atol=atol, dtype=dtype, what=label)
    for i, g, e in zip(grad, got_grads, expected_grads, strict=True):
        if g is None:
            raise AssertionError(f"{name}: no gradient reached argument {i}: is the result computed from it in torch?")
        assert_close(g, e, rtol=rtol, atol=atol, dtype=dtype, what=f"the gradient w.r.t. argument {i}")


@pytest.mark.points(2)
def test_clip_contrastive_loss_against_reference(hw, ref, rng):
    """clip_contrastive_loss: random embeddings and scales, the value and all three gradients"""
    for B, D, scale in [(2, 3, 1.0), (8, 16, 14.3), (5, 4, 0.5), (12, 32, 60.0)]:
        with context(f"B={B}, D={D}, exp(logit_scale)={scale}"):
            images = rng.normal(size=(B, D)) * 10.0 ** rng.uniform(-2, 2, size=(B, 1))
            _compare(hw, ref, "clip_contrastive_loss", images, rng.normal(size=(B, D)), np.array(np.log(scale)),
                     grad=[0, 1, 2])


@pytest.mark.points(1)
def test_clip_contrastive_loss_scale_clamped_at_100(hw, ref, rng):
    """clip_contrastive_loss: exp(logit_scale) is clamped at 100: same loss above log(100), gradient 0 there"""
    images, texts = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
    at_100, _ = _call(ref, "clip_contrastive_loss", images, texts, np.array(np.log(100.0)))
    for scale in (150.0, 1e4):
        with context(f"exp(logit_scale)={scale:g}"):
            loss, (g_images, g_texts, g_scale) = _call(hw, "clip_contrastive_loss", images, texts,
                                                       np.array(np.log(scale)), grad=[0, 1, 2])
            assert_scalar_close(loss, float(at_100), rtol=1e-10, what="the loss (as at scale 100)")
            assert_scalar_close(g_scale, 0.0, atol=1e-12, what="d loss / d logit_scale")
    with context("just below the clamp, exp(logit_scale)=99"):
        _compare(hw, ref, "clip_contrastive_loss", images, texts, np.array(np.log(99.0)), grad=[0, 1, 2])


@pytest.mark.points(1)
def test_vislang_float32(hw, ref, rng):
    """clip_contrastive_loss / zero_shot_classify / attention_pool: float32 in, float32 out (and gradients)"""
    f32 = dict(rtol=1e-5, atol=1e-6, dtype=np.float32)
    images = rng.normal(size=(10, 8)).astype(np.float32)
    texts = rng.normal(size=(10, 8)).astype(np.float32)
    with context("clip_contrastive_loss"):
        _compare(hw, ref, "clip_contrastive_loss", images, texts, np.array(np.log(1 / 0.07), dtype=np.float32),
                 grad=[0, 1, 2], **f32)
    with context("zero_shot_classify"):
        got, _ = _call(hw, "zero_shot_classify", images, texts.reshape(5, 2, 8))
        expected, _ = _call(ref, "zero_shot_classify", images, texts.reshape(5, 2, 8))
        assert_close(unpack(got, ["labels", "scores"])[1], expected[1], what="scores", **f32)
    regions, query = (x.astype(np.float32) for x in _regions(rng, 2, 4, 3))
    mask = np.array([[True, False, True, True], [True, True, True, True]])
    with context("attention_pool"):
        _compare(hw, ref, "attention_pool", regions, query, mask, grad=[0, 1],
                 weights=[rng.normal(size=(2, 3)), rng.normal(size=(2, 4))], names=["pooled", "weights"], **f32)


@pytest.mark.points(2)
def test_zero_shot_classify_against_reference(hw, ref, rng):
    """zero_shot_classify: random images and prompt ensembles with prompts of very different lengths"""
    for N, K, P, D in [(7, 3, 1, 4), (20, 5, 4, 16), (1, 10, 7, 8)]:
        prompts = rng.normal(size=(K, P, D)) * 10.0 ** rng.uniform(-2, 2, size=(K, P, 1))
        images = rng.normal(size=(N, D)) * 10.0 ** rng.uniform(-1, 1, size=(N, 1))
        with context(f"N={N} images, K={K} classes, P={P} prompts, D={D}"):
            got, _ = _call(hw, "zero_shot_classify", images, prompts)
            expected, _ = _call(ref, "zero_shot_classify", images, prompts)
            labels, scores = unpack(got, ["labels", "scores"])
            assert_close(scores, expected[1], atol=1e-12, what="scores")
            assert_equal(labels, expected[0], dtype=np.int64, what="labels")
    prompts = rng.normal(size=(4, 6))
    images = rng.normal(size=(9, 6))
    with context("(K, D) prompts, one per class"):
        got, _ = _call(hw, "zero_shot_classify", images, prompts)
        expected, _ = _call(ref, "zero_shot_classify", images, prompts)
        assert_close(unpack(got, ["labels", "scores"])[1], expected[1], atol=1e-12, what="scores")
        assert_equal(got[0], expected[0], dtype=np.int64, what="labels")


@pytest.mark.points(1)
def test_zero_shot_classify_ties(hw):
    """zero_shot_classify: exact ties go to the lowest class index (basis-vector prompts: exact in any order)"""
    e = np.eye(4)
    # Classes: 0 -> e3, 1 -> e0, 2 -> e1, 3 -> e0 (a duplicate of class 1), 4 -> e1 and e0 averaged.
    prompts = np.stack([[e[3], e[3]], [e[0], 2 * e[0]], [e[1], e[1]], [3 * e[0], e[0]], [e[1], e[0]]])
    images = np.array([[1.0, 0.0, 0.0, 0.0],       # classes 1 and 3 tie at 1 -> 1
                       [1.0, 1.0, 0.0, 0.0],       # class 4 at 1 beats the tie of 1, 2, 3 -> 4
                       [0.0, 2.0, 0.0, 0.0],       # class 2 at 1 -> 2
                       [0.0, 0.0, 1.0, 0.0]])      # everything 0: a tie of all classes -> 0
    got, _ = _call(hw, "zero_shot_classify", images, prompts)
    assert_equal(unpack(got, ["labels", "scores"])[0], [1, 4, 2, 0], dtype=np.int64, what="labels")
    with context("images whose two best classes tie exactly, in either order of the classes"):
        images = np.array([[2.0, 2.0, 1.0, 0.0], [0.0, 3.0, 0.0, 3.0]])
        got, _ = _call(hw, "zero_shot_classify", images, np.stack([e[2], e[1], e[0], e[3]]))
        assert_equal(got[0], [1, 1], dtype=np.int64, what="labels")


def _regions(rng, B, R, D, scale=1.0):
    return rng.normal(size=(B, R, D)) * scale, rng.normal(size=(B, D)) * scale


@pytest.mark.points(2)
def test_attention_pool_against_reference(hw, ref, rng):
    """attention_pool: random regions, queries and padding masks; outputs and gradients (regions, query)"""
    for B, R, D in [(1, 1, 3), (3, 5, 8), (4, 9, 16)]:
        regions, query = _regions(rng, B, R, D, scale=2.0)
        mask = rng.random((B, R)) < 0.7
        mask[:, 0] = True                                          # every row keeps a region
        weights = [rng.normal(size=(B, D)), rng.normal(size=(B, R))]
        for m in (mask, None):
            with context(f"B={B}, R={R}, D={D}, mask={'None' if m is None else 'random'}"):
                args = (regions, query) if m is None else (regions, query, m)
                _compare(hw, ref, "attention_pool", *args, grad=[0, 1], weights=weights,
                         names=["pooled", "weights"])


@pytest.mark.points(1)
def test_attention_pool_masked_regions_do_not_count(hw, ref, rng):
    """attention_pool: masked features (even huge ones) do not change the result; an all-masked row is 0"""
    regions, query = _regions(rng, 3, 6, 5)
    mask = np.array([[True, True, False, True, False, False],
                     [False] * 6,                                  # nothing to attend to
                     [True] * 6])
    expected, _ = _call(ref, "attention_pool", regions, query, mask)
    changed = regions.copy()
    changed[~mask] = rng.normal(size=(int((~mask).sum()), 5)) * 1e3
    for name, r in (("original", regions), ("masked regions replaced by huge values", changed)):
        with context(name):
            got, _ = _call(hw, "attention_pool", r, query, mask)
            pooled, weights = unpack(got, ["pooled", "weights"])
            assert_close(weights, expected[1], atol=1e-12, what="weights")
            assert_close(pooled, expected[0], atol=1e-12, what="pooled")
    assert_close(weights[1], np.zeros(6), atol=0, what="the weights of the all-masked row")


@pytest.mark.points(1)
def test_attention_pool_large_scores(hw, ref, rng):
    """attention_pool: scores of size 1000 (exp overflows without the max shift) stay finite and exact"""
    regions, query = _regions(rng, 2, 7, 4, scale=40.0)
    mask = np.ones((2, 7), dtype=bool)
    mask[1, 3:] = False
    weights = [rng.normal(size=(2, 4)), rng.normal(size=(2, 7))]
    _compare(hw, ref, "attention_pool", regions, query, mask, grad=[0, 1], weights=weights,
             names=["pooled", "weights"], atol=1e-9)


@pytest.mark.points(1)
def test_vislang_error_contract(hw, ref, rng):
    """clip_contrastive_loss / zero_shot_classify / attention_pool: error contract

    Valid calls must work first; then each bad argument raises ValueError naming it.
    """
    images = rng.normal(size=(3, 4))
    _compare(hw, ref, "clip_contrastive_loss", images, rng.normal(size=(3, 4)), np.array(1.5))
    regions, query = _regions(rng, 2, 3, 4)
    _compare(hw, ref, "attention_pool", regions, query, names=["pooled", "weights"])
    call = hw.probe
    assert_raises(ValueError, call, "vislang_call", "clip_contrastive_loss", [images, np.ones((3, 5)), np.array(0.0)],
                  {}, (), None, mentions=["text_emb"])
    assert_raises(ValueError, call, "vislang_call", "clip_contrastive_loss", [images, images, np.zeros(2)],
                  {}, (), None, mentions=["logit_scale"])
    assert_raises(ValueError, call, "vislang_call", "zero_shot_classify", [images, np.ones((2, 5))],
                  {}, (), None, mentions=["class_text_emb"])
    assert_raises(ValueError, call, "vislang_call", "attention_pool", [regions, np.ones((2, 5))],
                  {}, (), None, mentions=["query"])
    assert_raises(ValueError, call, "vislang_call", "attention_pool", [regions, query, np.ones((2, 4), dtype=bool)],
                  {}, (), None, mentions=["mask"])
