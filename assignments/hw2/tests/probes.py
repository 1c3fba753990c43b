"""Probes: small programs the tests run next to your code, returning plain data.

The functions of ``interpret.py`` take a torch ``nn.Module``, which cannot be sent to your
code as an argument. So the tests ask these probes to build the model next to your code
(deterministically, from a seed: no weight files), call your function, and report back what
it returned and whether the model was left as it was. Probes hold no expected values: they
only exercise your code and report what happened.
"""
import numpy as np
import torch
from torch import nn

from shared.vision_data import small_cnn

NUM_CLASSES = 5

# The models are tiny: one thread is fastest, and several threads on a busy machine can be
# a hundred times slower.
torch.set_num_threads(1)


def _np(value):
    """A returned tensor or array as a numpy array (plain data for the tests)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    return np.array(value, copy=True)


def cnn(seed=0):
    """The test CNN: shared.vision_data.small_cnn, weights x3 and zero biases (in eval mode).

    The larger weights make the logits depend strongly on the image, so saliency maps and
    class visualisations are far from zero.
    """
    model = small_cnn(num_classes=NUM_CLASSES, in_channels=3, seed=seed)
    with torch.no_grad():
        for param in model.parameters():
            if param.ndim > 1:
                param.mul_(3.0)
            else:
                param.zero_()
    return model


def linear_model(weight, bias):
    """logits = flatten(image) @ weight.T + bias: a model whose gradients are known exactly."""
    weight = torch.as_tensor(np.asarray(weight), dtype=torch.float32)
    model = nn.Sequential(nn.Flatten(), nn.Linear(weight.shape[1], weight.shape[0]))
    with torch.no_grad():
        model[1].weight.copy_(weight)
        model[1].bias.copy_(torch.as_tensor(np.asarray(bias), dtype=torch.float32))
    return model.eval()


def _snapshot(model, probe_image):
    """Everything about the model a call must not change, and its behaviour on one image."""
    x = probe_image.clone().unsqueeze(0).requires_grad_(True)
    logits = model(x)
    (grad,) = torch.autograd.grad(logits[0, 0], x)
    return {
        "params": [p.detach().clone() for p in model.parameters()],
        "requires_grad": [p.requires_grad for p in model.parameters()],
        "modules": [(name, type(m).__name__) for name, m in model.named_modules()],
        "training": [m.training for m in model.modules()],
        "logits": logits.detach().clone(),
        "grad": grad.detach().clone(),
    }


def _hook_count(model):
    kinds = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks",
             "_state_dict_hooks", "_load_state_dict_pre_hooks")
    count = sum(len(getattr(m, kind, {}) or {}) for m in model.modules() for kind in kinds)
    module_globals = nn.modules.module
    for kind in ("_global_forward_hooks", "_global_forward_pre_hooks", "_global_backward_hooks",
                 "_global_backward_pre_hooks"):
        count += len(getattr(module_globals, kind, {}) or {})
    return count


def _unchanged(model, before, probe_image):
    after = _snapshot(model, probe_image)
    return {
        "parameters unchanged": all(torch.equal(a, b) for a, b in zip(before["params"], after["params"], strict=True)),
        "requires_grad unchanged": before["requires_grad"] == after["requires_grad"],
        "modules unchanged": before["modules"] == after["modules"],
        "train/eval mode unchanged": before["training"] == after["training"],
        "no hooks left": _hook_count(model) == 0,
        "outputs unchanged": bool(torch.equal(before["logits"], after["logits"])),
        "plain gradients unchanged": bool(torch.allclose(before["grad"], after["grad"], rtol=1e-5, atol=1e-7)),
    }


def _probe_image(model_input_shape):
    generator = torch.Generator().manual_seed(12345)
    return torch.rand(model_input_shape, generator=generator)


def interpret_call(hw, name, image, label, kwargs=None, seed=0, weight=None, bias=None):
    """Build the model (the test CNN, or ``linear_model(weight, bias)`` when ``weight`` is given),
    call ``hw.interpret.<name>(model, image_tensor, label, **kwargs)`` and report.

    Returns ``{"result": array, "unchanged": {check: bool}}``.
    """
    model = cnn(seed) if weight is None else linear_model(weight, bias)
    image = torch.as_tensor(np.asarray(image), dtype=torch.float32)
    probe_image = _probe_image(tuple(image.shape))
    before = _snapshot(model, probe_image)
    result = getattr(hw.interpret, name)(model, image.clone(), int(label), **(kwargs or {}))
    return {"result": _np(result), "unchanged": _unchanged(model, before, probe_image)}


def class_visualization(hw, label, shape, kwargs=None, seed=0, weight=None, bias=None, repeat=True):
    """``hw.interpret.class_visualization(model, label, shape, **kwargs)``, called twice (once when
    ``repeat`` is False), with the test CNN ``cnn(seed)``, or ``linear_model(weight, bias)`` when
    ``weight`` is given.

    Returns the image, its logits, the logits of an all-zero image, whether a second call with
    the same arguments returned the same image, and the model checks.
    """
    model = cnn(seed) if weight is None else linear_model(weight, bias)
    probe_image = _probe_image(tuple(shape))
    before = _snapshot(model, probe_image)
    first = _np(hw.interpret.class_visualization(model, int(label), tuple(shape), **(kwargs or {})))
    second = _np(hw.interpret.class_visualization(model, int(label), tuple(shape), **(kwargs or {}))) \
        if repeat else first
    with torch.no_grad():
        logits = model(torch.as_tensor(first, dtype=torch.float32).reshape(1, *shape))[0]
    return {
        "image": first,
        "logits": _np(logits),
        "repeatable": bool(first.shape == second.shape and np.array_equal(first, second)),
        "unchanged": _unchanged(model, before, probe_image),
    }
