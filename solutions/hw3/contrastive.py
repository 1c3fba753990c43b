"""HW3 reference solution: contrastive learning losses and k-NN evaluation (torch).

Lecture "Self-Supervised Learning": SimCLR (Chen et al. 2020) pulls two augmented views of
the same image together and pushes all other images in the batch away (NT-Xent, a softmax
over cosine similarities). SupCon (Khosla et al. 2020) uses labels: every sample of the
same class is a positive. Learned features are judged by a k-nearest-neighbour classifier.

The losses take torch tensors and return a 0-d tensor that autograd can differentiate;
they work in the inputs' dtype (the tests use float64).
"""
import torch
import torch.nn.functional as F


def _check_temperature(temperature):
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")


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
    _check_temperature(temperature)
    if z1.shape != z2.shape or z1.ndim != 2:
        raise ValueError(f"z1 and z2 must both be (N, D), got {tuple(z1.shape)} and {tuple(z2.shape)}")
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2], dim=0), dim=1)
    logits = z @ z.T / temperature
    self_mask = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(self_mask, float("-inf"))        # never compare i with itself
    positives = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(logits, positives)


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
    _check_temperature(temperature)
    labels = torch.as_tensor(labels).reshape(-1)
    n = features.shape[0]
    if labels.shape[0] != n:
        raise ValueError(f"labels must have one entry per feature row, got {labels.shape[0]} for {n} rows")
    f = F.normalize(features, dim=1)
    logits = f @ f.T / temperature
    self_mask = torch.eye(n, dtype=torch.bool, device=f.device)
    log_prob = logits - torch.logsumexp(logits.masked_fill(self_mask, float("-inf")), dim=1, keepdim=True)
    positive = (labels[:, None] == labels[None, :]) & ~self_mask
    counts = positive.sum(dim=1)
    has_positive = counts > 0
    if not has_positive.any():
        return features.sum() * 0.0
    per_anchor = -(log_prob * positive).sum(dim=1)[has_positive] / counts[has_positive]
    return per_anchor.mean()


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
    train = F.normalize(torch.as_tensor(train_feats, dtype=torch.float64), dim=1)
    test = F.normalize(torch.as_tensor(test_feats, dtype=torch.float64), dim=1)
    train_labels = torch.as_tensor(train_labels).long().reshape(-1)
    test_labels = torch.as_tensor(test_labels).long().reshape(-1)
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= train.shape[0]:
        raise ValueError(f"k must be an integer in 1..{train.shape[0]}, got {k!r}")
    neighbours = (test @ train.T).topk(int(k), dim=1).indices          # (T, k)
    votes = F.one_hot(train_labels[neighbours], int(train_labels.max()) + 1).sum(dim=1)  # (T, classes)
    # argmax returns the first maximum: the smallest label wins a tie.
    predictions = votes.argmax(dim=1)
    return float((predictions == test_labels).double().mean())
