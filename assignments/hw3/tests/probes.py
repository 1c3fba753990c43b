"""Probes: small programs the tests run next to your code, returning plain data.

The torch functions of contrastive.py and generative.py take tensors and are checked with
their gradients, and VAE/train_vae build torch objects: neither can cross into the grader
as they are. These probes turn the tests' numpy arrays into float64 tensors, call your
function, backpropagate, and report values and gradients as numpy arrays. Probes hold no
expected values: a probe only exercises your code and reports what it did.
"""
import time

import numpy as np


def _tensor(value, requires_grad=False):
    """A numpy array as a tensor: float64 for real arrays, int64 for integer ones."""
    import torch

    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return torch.tensor(value, dtype=torch.float64, requires_grad=requires_grad)
        if value.dtype.kind in "iu":
            return torch.tensor(value, dtype=torch.int64)
        return torch.tensor(value)
    return value


def _plain(value):
    """A returned value as plain data: tensors to arrays, tuples element by element."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    return value


def torch_call(hw, module, name, args, kwargs=None, grad=(), dout=None):
    """Call ``hw.<module>.<name>`` with tensors and backpropagate.

    ``args``: numpy arrays (real ones become float64 tensors, integer ones int64) or other
    values passed unchanged; the arguments at the indices in ``grad`` require gradients.
    The result (a tensor) is backpropagated: a 0-d result directly, any other result as
    ``sum(result * dout)``. Returns a dict: ``value`` (the result as an array, or the
    result itself when it is not a tensor), ``type`` (its type name), ``dtype``,
    ``requires_grad`` and ``grads`` (one array per index in ``grad``, None where no
    gradient reached the argument).
    """
    import torch

    tensors = [_tensor(a, i in grad) for i, a in enumerate(args)]
    result = getattr(getattr(hw, module), name)(*tensors, **(kwargs or {}))
    report = {"type": type(result).__name__, "value": _plain(result), "grads": tuple(None for _ in grad),
              "dtype": str(getattr(result, "dtype", "")),
              "requires_grad": bool(getattr(result, "requires_grad", False))}
    if isinstance(result, torch.Tensor) and result.requires_grad and grad:
        target = result if result.dim() == 0 or dout is None else (result * _tensor(dout)).sum()
        if target.dim() == 0:
            target.backward()
            report["grads"] = tuple(None if tensors[i].grad is None else tensors[i].grad.numpy().copy()
                                    for i in grad)
    return report


def vae_forward(hw, input_dim, latent_dim, x, seed=0):
    """Build ``VAE(input_dim, latent_dim)`` (torch.manual_seed(seed)) and run it on ``x`` (float32).

    Returns a dict: the parameter count, the outputs of forward in eval mode (twice, to
    see that eval mode is deterministic) and in train mode, each as a tuple of arrays.
    """
    import torch

    torch.manual_seed(seed)
    model = hw.generative.VAE(input_dim, latent_dim)
    x = torch.as_tensor(x, dtype=torch.float32)
    report = {"parameters": sum(p.numel() for p in model.parameters())}
    model.eval()
    with torch.no_grad():
        report["eval1"] = _plain(model(x))
        report["eval2"] = _plain(model(x))
        model.train()
        report["train"] = _plain(model(x))
    return report


def _losses(losses):
    import torch

    if isinstance(losses, torch.Tensor):
        losses = losses.detach().tolist()
    if isinstance(losses, np.ndarray):
        losses = losses.tolist()
    if not isinstance(losses, (list, tuple)):
        return f"not a list: {type(losses).__name__}"
    return [float(v.item()) if hasattr(v, "item") else v for v in losses]


def train_vae_twice(hw, data, input_dim, latent_dim, seed):
    """Two runs of your train_vae from the same initial VAE with the same seed.

    Between the runs the global torch and numpy random states are changed, so a training
    loop that does not seed itself from ``seed`` gives different losses.
    Returns ``(losses1, losses2, training)``: ``training`` is the first model's
    ``.training`` flag after train_vae returned (it should be left in eval mode).
    """
    import copy

    import torch

    torch.set_num_threads(1)     # tiny matrices: threads only add overhead (the grader uses 1)
    torch.manual_seed(0)
    first = hw.generative.VAE(input_dim, latent_dim)
    second = copy.deepcopy(first)
    losses1 = hw.generative.train_vae(first, data, seed=seed)
    torch.manual_seed(12345)
    np.random.seed(12345)
    losses2 = hw.generative.train_vae(second, data, seed=seed)
    return _losses(losses1), _losses(losses2), bool(first.training)


def train_vae_heldout(hw, x_train, x_test, input_dim, latent_dim, seed=0, samples=8):
    """Train ``VAE(input_dim, latent_dim)`` with your train_vae, then run it on held-out images.

    After training, in eval mode, the probe encodes ``x_test`` with your forward (for mu and
    logvar), draws ``samples`` latent codes per image z = mu + exp(logvar / 2) * eps with eps
    from its own generator (seeded from ``seed``, so the draw is the same for everyone) and
    decodes them with your ``decode``. Returns a dict: parameter count, your losses, the
    eval-mode outputs ``(recon_logits, mu, logvar)``, the decoded logits of the sampled codes
    (samples, N, input_dim) (the grader computes the negative ELBO from them and mu, logvar)
    and the training time in seconds.
    """
    import torch

    torch.set_num_threads(1)     # tiny matrices: threads only add overhead (the grader uses 1)
    torch.manual_seed(seed)
    model = hw.generative.VAE(input_dim, latent_dim)
    parameters = sum(p.numel() for p in model.parameters())
    start = time.perf_counter()
    losses = hw.generative.train_vae(model, x_train, seed=seed)
    seconds = time.perf_counter() - start
    model.eval()
    x = torch.as_tensor(x_test, dtype=torch.float32)
    with torch.no_grad():
        outputs = model(x)
        if not (isinstance(outputs, tuple) and len(outputs) == 3):
            raise TypeError(f"VAE.forward must return (recon_logits, mu, logvar), got {type(outputs).__name__}")
        recon_logits, mu, logvar = outputs
        eps = torch.randn((samples, *mu.shape), generator=torch.Generator().manual_seed(1000 + seed), dtype=mu.dtype)
        z = mu + torch.exp(0.5 * logvar) * eps
        sampled = model.decode(z.reshape(-1, mu.shape[-1])).reshape(samples, len(x), -1)
    return {"parameters": parameters, "losses": _losses(losses), "outputs": _plain((recon_logits, mu, logvar)),
            "sampled_logits": _plain(sampled), "seconds": seconds}


def _digit_shifts(images):
    """Every image (N, 8, 8) moved by -1, 0 or +1 pixel on each axis (zeros enter): (9, N, 64)."""
    padded = np.pad(np.asarray(images, dtype=np.float64), ((0, 0), (1, 1), (1, 1)))
    return np.stack([padded[:, dy:dy + 8, dx:dx + 8] for dy in range(3) for dx in range(3)]).reshape(
        9, len(padded), 64)


def simclr_digits(hw, train_images, eval_images, steps=200, batch=32, temperature=0.2, seed=0):
    """SimCLR on real 8x8 digits with your ``nt_xent_loss``; returns the learned features.

    The probe owns everything but the loss: an encoder MLP 64 -> 128 -> ReLU -> 16 (float32,
    torch.manual_seed(seed)), Adam (lr 3e-3) for ``steps`` steps; each step takes ``batch``
    training images and makes two random views of each (a shift of up to one pixel, a
    contrast factor in [0.6, 1], Gaussian noise of 0.1, 20 % of the pixels dropped), all
    drawn from np.random.default_rng(seed), and minimises
    ``nt_xent_loss(encoder(view1), encoder(view2), temperature=temperature)``.
    Returns a dict: ``train_features`` (N, 16) of the unaltered ``train_images``,
    ``eval_features`` (T, 16) of ``eval_images`` (T, 8, 8), the losses and the seconds spent.
    """
    import torch

    torch.set_num_threads(1)     # small matrices: threads only add overhead (the grader uses 1)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    encoder = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 16))
    optimizer = torch.optim.Adam(encoder.parameters(), lr=3e-3)
    shifts = _digit_shifts(train_images)
    n = shifts.shape[1]

    def view(index):
        x = shifts[rng.integers(0, 9, len(index)), index]
        x = x * rng.uniform(0.6, 1.0, (len(index), 1)) + rng.normal(0.0, 0.1, x.shape)
        return torch.tensor(x * (rng.random(x.shape) > 0.2), dtype=torch.float32)

    losses = []
    start = time.perf_counter()
    for _ in range(steps):
        index = rng.choice(n, size=batch, replace=False)
        loss = hw.contrastive.nt_xent_loss(encoder(view(index)), encoder(view(index)), temperature=temperature)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    seconds = time.perf_counter() - start
    with torch.no_grad():
        train = encoder(torch.tensor(np.asarray(train_images).reshape(n, 64), dtype=torch.float32)).numpy()
        evaluate = encoder(torch.tensor(np.asarray(eval_images).reshape(-1, 64), dtype=torch.float32)).numpy()
    return {"train_features": train.copy(), "eval_features": evaluate.copy(), "losses": losses, "seconds": seconds}
