"""HW3, part 2: contrastive learning losses and k-NN evaluation (torch).

Lecture idea: contrastive learning pulls together two augmented views of the same image
(positives) and pushes apart views of different images (negatives), with a softmax over
cosine similarities divided by a temperature. SimCLR uses no labels; SupCon uses them to
make every sample of the same class a positive. Frozen features are then judged with a
k-nearest-neighbour classifier.

Fill in every function marked TODO. The losses take torch tensors and must return a 0-d
tensor that autograd can differentiate (no .numpy(), .item() or loops over Python floats
inside the loss). Work in the dtype of the inputs: the tests use float64 and compare values
and gradients to 1e-9. Write them vectorised (a (2N, 2N) similarity matrix), not with Python
loops over anchors. torch.nn.functional (F.normalize, F.cross_entropy, torch.logsumexp) is
allowed; pytorch_metric_learning is not.
"""
import torch  # noqa: F401  (you will want it)
import torch.nn.functional as F  # noqa: F401  (you will want it)


def nt_xent_loss(z1, z2, temperature=0.5):
    """SimCLR's NT-Xent (normalised temperature-scaled cross-entropy) loss.

    Stack the embeddings z = [z1; z2] (2N rows: row i and row i + N are the two views of
    sample i), normalise every row to length 1 and let s_ij = z_i . z_j (cosine similarity).
    For anchor i with positive p(i) (its other view: i + N or i - N),

        l_i = -log( exp(s_{i,p(i)} / t) / sum_{k != i} exp(s_ik / t) )

    The denominator holds the positive and the 2N - 2 negatives: never i itself (s_ii = 1
    would dominate it).

    Inputs: z1, z2: (N, D) tensors (N >= 1); temperature t > 0.
    Returns: the mean of l_i over all 2N anchors, a 0-d tensor.

    Also graded by a self-supervised training run on real digits (load_digits, through
    shared/real_data.py): the grader's loop (probe ``simclr_digits``) trains a small encoder
    with this loss on float32 features of two random views of 1000 digits (200 steps of 32,
    t = 0.2); a cosine 5-NN classifier on the learned features must then label the other
    797 digits, each shifted by up to a pixel: full points at 60 % (the reference reaches
    about 69 %; raw pixels 50 %), none at 40 %. So the loss must also work in float32 and
    stay quick: a vectorised loss takes about a second for the whole run.
    """
    # TODO
    # Hint: with logits = s / t and the diagonal set to -inf (masked_fill with torch.eye as a
    # bool mask), l_i is the cross-entropy of row i with target p(i): F.cross_entropy.
    raise NotImplementedError("nt_xent_loss: not implemented yet")


def supcon_loss(features, labels, temperature=0.1):
    """Supervised contrastive loss (Khosla et al. 2020), the L_out form.

    Normalise the rows of ``features``, s_ak = cos(f_a, f_k). The positives of anchor a are
    P(a) = {p != a : labels[p] == labels[a]}. For every anchor with at least one positive,

        l_a = -1/|P(a)| * sum_{p in P(a)} log( exp(s_ap / t) / sum_{k != a} exp(s_ak / t) )

    (the mean over positives is OUTSIDE the log: that is L_out, which Khosla et al. found
    to work better than L_in). Anchors without any positive are left out of the average.

    Inputs: features (N, D) tensor; labels (N,) integer tensor; temperature t > 0.
    Returns: the mean of l_a over the anchors that have positives, a 0-d tensor. When no
    anchor has a positive: 0, still a tensor connected to ``features`` (its gradient is 0),
    not NaN.
    """
    # TODO
    # Hint: log_prob = logits - logsumexp(logits with the diagonal at -inf, dim=1); a
    # boolean (N, N) positive mask from labels[:, None] == labels[None, :] minus the diagonal.
    # Hint: a zero connected to features: e.g. features.sum() * 0.
    raise NotImplementedError("supcon_loss: not implemented yet")


def knn_accuracy(train_feats, train_labels, test_feats, test_labels, k=5):
    """Accuracy of a cosine-similarity k-nearest-neighbour classifier.

    Lecture idea: a good representation puts samples of the same class close together, so
    a k-NN classifier on frozen features (no training at all) measures its quality.

    Every test sample takes the majority label among its k training samples of highest
    cosine similarity; a tie between labels goes to the SMALLEST label.

    Inputs: train_feats (M, D), train_labels (M,), test_feats (T, D), test_labels (T,):
    tensors or numpy arrays; labels are integers >= 0; k: integer in 1..M.
    Returns: a Python float, the fraction of test samples classified correctly.
    Raises: ValueError naming `k` when k is not an integer in 1..M.
    """
    # TODO
    # Hint: convert the inputs with torch.as_tensor. Tensor.topk; F.one_hot(...).sum(dim=1)
    # counts votes per label, and argmax returns the first (smallest) label among equal counts.
    raise NotImplementedError("knn_accuracy: not implemented yet")
