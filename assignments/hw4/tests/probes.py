"""Probes: small programs the tests run next to your code, returning plain data.

``audiovisual.py`` works on torch tensors, and its losses must be differentiable. The tests
cannot hand you tensors directly (in the grader your code runs in a separate process and
only numpy arrays cross over), so this probe converts the test's numpy arrays to tensors,
calls your function, runs ``backward()`` when a gradient is asked for, and converts
everything back to numpy. Probes hold no expected values: they only report what your code did.
"""
import numpy as np
import torch


def _to_numpy(value):
    """Tensors (and tuples/lists of them) as numpy arrays; anything else unchanged."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().resolve_conj().numpy().copy()
    if isinstance(value, (tuple, list)):
        return tuple(_to_numpy(v) for v in value)
    return value


def torch_call(hw, name, args, kwargs=None, grad=()):
    """``out = audiovisual.<name>(*tensors, **kwargs)``; with ``grad``, also ``out.backward()``.

    ``args``: numpy arrays become tensors of the same dtype (other values pass unchanged).
    ``grad``: positions in ``args`` whose gradient of the (scalar) result is wanted.
    Returns ``(out, grads)``: ``out`` with tensors as numpy arrays, ``grads`` a tuple of arrays
    (None where no gradient reached that input).
    """
    tensors = [torch.from_numpy(np.array(a)) if isinstance(a, np.ndarray) else a for a in args]
    for i in grad:
        tensors[i].requires_grad_(True)
    out = getattr(hw.audiovisual, name)(*tensors, **(kwargs or {}))
    grads = ()
    if grad:
        if not isinstance(out, torch.Tensor):
            raise TypeError(f"{name} must return a torch tensor (to be differentiable), got {type(out).__name__}")
        if out.ndim != 0:
            raise TypeError(f"{name} must return a 0-d tensor (a scalar loss), got shape {tuple(out.shape)}")
        if not out.requires_grad:
            raise TypeError(f"{name}: the loss is not connected to its inputs (no grad_fn); "
                            f"did you convert to numpy or call .item() or .detach()?")
        out.backward()
        grads = tuple(_to_numpy(tensors[i].grad) for i in grad)
    return _to_numpy(out), grads


def vislang_call(hw, name, args, kwargs=None, grad=(), weights=None):
    """``out = vislang.<name>(*tensors, **kwargs)``; with ``grad``, back-propagate and return gradients.

    ``args``: numpy arrays become tensors of the same dtype (a 0-d array becomes a 0-d tensor,
    e.g. a learnable logit scale). ``grad``: positions in ``args`` whose gradient is wanted, of
    the scalar result, or, when ``weights`` is given (one array per returned tensor), of
    ``sum_i (out_i * weights_i).sum()``: a fixed random projection that reaches every output.
    Returns ``(out, grads)`` as ``torch_call`` does.
    """
    tensors = [torch.from_numpy(np.array(a)) if isinstance(a, np.ndarray) else a for a in args]
    for i in grad:
        tensors[i].requires_grad_(True)
    out = getattr(hw.vislang, name)(*tensors, **(kwargs or {}))
    grads = ()
    if grad:
        outs = out if isinstance(out, (tuple, list)) else (out,)
        if not all(isinstance(o, torch.Tensor) for o in outs):
            raise TypeError(f"{name} must return torch tensors (to be differentiable)")
        if weights is None:
            if outs[0].ndim != 0:
                raise TypeError(f"{name} must return a 0-d tensor (a scalar loss), got shape {tuple(outs[0].shape)}")
            total = outs[0]
        else:
            pairs = zip(outs, weights, strict=True)
            total = sum((o * torch.from_numpy(np.array(w)).to(o.dtype)).sum() for o, w in pairs)
        if not total.requires_grad:
            raise TypeError(f"{name}: the result is not connected to its inputs (no grad_fn); "
                            f"did you convert to numpy or call .item() or .detach()?")
        total.backward()
        grads = tuple(_to_numpy(tensors[i].grad) for i in grad)
    return _to_numpy(out), grads
