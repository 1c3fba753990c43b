"""HW4, part 3: vision and language, with torch (lecture "Vision and Language").

Fill in every function marked TODO, with torch operations only (no numpy inside a loss: the
tests back-propagate through your functions). Do not import transformers, open_clip or clip.

The same recipe as audio-visual correspondence, with captions instead of soundtracks:

* CLIP trains an image encoder and a text encoder so that an image and its caption have a
  high cosine similarity and the mismatched pairs of the batch a low one.
* Zero-shot classification: write a prompt per class ("a photo of a dog"), embed it, and
  give each image the class whose text embedding is the most similar: no labelled training.
* Visual question answering: the question attends over the image's regions; the
  attention-weighted sum of the region features is what the answer is read from.

Conventions for every function in this file:

* Inputs are torch tensors, float32 or float64; results keep that dtype.
* Losses are 0-d tensors that stay connected to their inputs (no ``.item()``, ``.detach()``
  or numpy inside), so that ``loss.backward()`` reaches every input.
* Bad arguments raise ``ValueError`` whose message names the argument.

You may add your own private helper functions (names starting with ``_``).
"""
import torch  # noqa: F401 - you will need it
import torch.nn.functional as F  # noqa: F401 - you may need it


def clip_contrastive_loss(image_emb, text_emb, logit_scale):
    """CLIP's symmetric contrastive loss between B images and their B captions.

    Lecture idea: the caption that came with an image is its positive; the other B - 1
    captions of the batch are negatives, and the same holds the other way round.

        s = min(exp(logit_scale), 100)          (CLIP learns log(1 / temperature), clamped)
        logits[i, j] = s * cos(image_i, text_j)
        loss = (CE(rows of logits, targets i) + CE(columns of logits, targets j)) / 2

    where CE is the mean cross-entropy (torch's F.cross_entropy): a row asks "which caption
    goes with this image?", a column "which image goes with this caption?". The scale is
    learned as a log (so it stays positive) and clamped as in CLIP: above log(100) the loss
    does not depend on logit_scale (its gradient is 0 there).

    Inputs:
    - image_emb, text_emb: (B, D) tensors of the same shape. Their lengths do not matter
      (cosine similarity).
    - logit_scale: a 0-d tensor, usually learnable (1 / temperature = exp(logit_scale)).

    Returns: a 0-d tensor, differentiable w.r.t. image_emb, text_emb and logit_scale.
    Graded on its value and all three gradients against autograd of the formula above.

    Raises:
    - ValueError naming `text_emb` if image_emb is not 2-D or text_emb does not have its
      shape.
    - ValueError naming `logit_scale` if it is not 0-d.
    """
    # TODO
    # Hint: normalise the rows (x / x.norm(dim=1, keepdim=True), guarded against zero norms), then
    #   one matrix product gives every cosine. torch.clamp(..., max=100.0) keeps the graph.
    raise NotImplementedError("clip_contrastive_loss: not implemented yet")


def zero_shot_classify(image_emb, class_text_emb):
    """Zero-shot classification with prompt ensembling: each image gets the most similar class.

    Lecture idea: a text encoder turns "a photo of a {class}" into a classifier weight, so
    new classes need no labelled images.

    1. Normalise every prompt embedding to unit length (a zero vector stays zero).
    2. Average the P prompts of each class and normalise the average again: every prompt
       counts the same, whatever its length.
    3. scores[n, k] = cos(image_emb[n], class k's averaged embedding), in [-1, 1].
    4. labels[n] = argmax_k scores[n, k]; in a tie, the LOWEST class index wins.

    Inputs:
    - image_emb: (N, D) tensor.
    - class_text_emb: (K, P, D) tensor with P prompts per class, or (K, D) for one prompt
      per class.

    Returns: (labels, scores): labels an int64 tensor (N,), scores a (N, K) tensor.

    Raises:
    - ValueError naming `class_text_emb` if it is not (K, P, D) or (K, D), or its last size
      is not the D of image_emb (or image_emb is not (N, D)).
    """
    # TODO
    raise NotImplementedError("zero_shot_classify: not implemented yet")


def attention_pool(region_features, query, mask=None):
    """Softmax attention of a question over image regions, and the attended feature.

    Lecture idea: to answer "what colour is the cat?" look at the regions that match the
    question; scaled dot-product attention does it softly and differentiably.

        scores[b, r] = <region_features[b, r], query[b]> / sqrt(D)
        weights[b]   = softmax of scores[b] over the regions r with mask[b, r] True
        pooled[b]    = sum_r weights[b, r] * region_features[b, r]

    Rules (each is tested):
    - Masked regions (mask False: padding) get weight exactly 0, and their features do not
      change the result.
    - A row with no unmasked region gets weights 0 and pooled 0, never NaN.
    - Stable for large scores: scores of size 1000 must not overflow.
    - mask=None: every region counts.

    Inputs:
    - region_features: (B, R, D) tensor.
    - query: (B, D) tensor.
    - mask: None, or a bool tensor (B, R), True where a region is real.

    Returns: (pooled (B, D), weights (B, R)), differentiable w.r.t. region_features and query.

    Raises:
    - ValueError naming `query` if region_features is not 3-D or query is not (B, D).
    - ValueError naming `mask` if it is not a bool tensor of shape (B, R).
    """
    # TODO
    # Hint: for scores of size 1000, subtract the row's maximum (over the unmasked regions) before exp.
    raise NotImplementedError("attention_pool: not implemented yet")
