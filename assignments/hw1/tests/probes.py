"""Probes: small programs the tests run next to your code, returning plain data.

Some checks need more than one call into your code (a forward pass, then its backward
pass with the cache it returned), a Python function as an argument (gradcheck), or torch
objects (your ResidualBlock, SmallCNN, training loop). The tests run these probes with your
modules as ``hw`` and compare what they return. Probes hold no expected values: a probe
only exercises your code and reports what it did.
"""
import numpy as np

# ----------------------------------------------------------------------------------------
# layers.py
# ----------------------------------------------------------------------------------------


def _copy(value):
    """Plain data from what a student function returned (copies arrays, keeps the rest)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (tuple, list)):
        return tuple(_copy(v) for v in value)
    return value


def forward_backward(hw, layer, args, kwargs, dout):
    """``out, cache = <layer>_forward(*args, **kwargs)``; ``grads = <layer>_backward(dout, cache)``.

    Returns ``(out, grads)`` exactly as your functions returned them (``grads`` is a tuple
    for affine/conv/batchnorm, a single array for relu/maxpool/dropout).
    """
    forward = getattr(hw.layers, f"{layer}_forward")
    backward = getattr(hw.layers, f"{layer}_backward")
    result = forward(*args, **kwargs)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(f"{layer}_forward must return a tuple (out, cache), got {type(result).__name__}")
    out, cache = result
    out = _copy(out)
    return out, _copy(backward(dout, cache))


def batchnorm_steps(hw, batches, gamma, beta, bn_param, x_test, dout_test=None, spatial=False):
    """Several "train" steps with one bn_param dict, then one "test" step (and its backward).

    Returns a dict: ``out_train`` (the outputs of each train step), ``running_mean`` and
    ``running_var`` (the dict's entries after each train step), ``out_test``,
    ``running_mean_after_test`` and ``running_var_after_test`` (the entries after the test
    step) and, when ``dout_test`` is given, ``grads_test`` (the backward of the test step).
    """
    layer = "spatial_batchnorm" if spatial else "batchnorm"
    forward = getattr(hw.layers, f"{layer}_forward")
    backward = getattr(hw.layers, f"{layer}_backward")
    bn_param = dict(bn_param)
    report = {"out_train": [], "running_mean": [], "running_var": []}
    for x in batches:
        bn_param["mode"] = "train"
        out, _ = forward(x, gamma, beta, bn_param)
        report["out_train"].append(_copy(out))
        for key in ("running_mean", "running_var"):
            value = bn_param.get(key)
            report[key].append(np.array(value, dtype=np.float64) if value is not None else None)
    bn_param["mode"] = "test"
    out, cache = forward(x_test, gamma, beta, bn_param)
    report["out_test"] = _copy(out)
    for key in ("running_mean", "running_var"):
        value = bn_param.get(key)
        report[f"{key}_after_test"] = np.array(value, dtype=np.float64) if value is not None else None
    if dout_test is not None:
        report["grads_test"] = _copy(backward(dout_test, cache))
    return report


def dropout_pair(hw, x, p, seed, dout):
    """Dropout forward in "train" mode twice with the same seed, and the backward of the first.

    Returns ``(out1, out2, dx)``.
    """
    out1, cache = hw.layers.dropout_forward(x, p, "train", seed=seed)
    out1 = _copy(out1)
    out2, _ = hw.layers.dropout_forward(x, p, "train", seed=seed)
    return out1, _copy(out2), _copy(hw.layers.dropout_backward(dout, cache))


# ----------------------------------------------------------------------------------------
# gradcheck.py: the functions whose gradients are estimated (fixed, so both sides agree)
# ----------------------------------------------------------------------------------------

SCALAR_FUNCTIONS = {
    "sum_of_squares": lambda x: np.sum(x ** 2),
    "exp_mix": lambda x: np.sum(np.exp(2.0 * x)) + np.sum(np.sin(x) * x),
    "log_sum_exp": lambda x: np.log(np.sum(np.exp(x))),
    "cubic": lambda x: np.sum(x ** 3) / 3.0,
}

ARRAY_FUNCTIONS = {
    "square": lambda x: x ** 2,
    "exp_rows": lambda x: np.exp(1.5 * x) * np.sum(x, axis=-1, keepdims=True),
    "tanh": np.tanh,
    # A view of x: a gradient estimate must copy f(x) before x is perturbed again.
    "transpose_view": lambda x: x.T,
}


def numerical_gradient(hw, name, x, **kwargs):
    """Run your numerical_gradient on a known function. Returns ``(grad, x_after, number of calls of f)``."""
    f = SCALAR_FUNCTIONS[name]
    calls = [0]

    def counted(z):
        calls[0] += 1
        return f(z)

    x = np.array(x, dtype=np.float64)
    grad = hw.gradcheck.numerical_gradient(counted, x, **kwargs)
    return _copy(grad), x.copy(), calls[0]


def numerical_gradient_array(hw, name, x, dout, **kwargs):
    """Run your numerical_gradient_array on a known function. Returns ``(grad, x_after)``."""
    x = np.array(x, dtype=np.float64)
    grad = hw.gradcheck.numerical_gradient_array(ARRAY_FUNCTIONS[name], x, dout, **kwargs)
    return _copy(grad), x.copy()


# ----------------------------------------------------------------------------------------
# models.py
# ----------------------------------------------------------------------------------------


def _set_parameters(modules, seed):
    """Fill convolution weights and batch-norm parameters/statistics with seeded values.

    Done by module type in a fixed order, so the result does not depend on the order in
    which your __init__ created the layers.
    """
    import torch
    from torch import nn

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in modules:
            if isinstance(module, nn.Conv2d):
                fan_in = module.weight[0].numel()
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator, dtype=torch.float64)
                                    / fan_in ** 0.5)
                if module.bias is not None:
                    module.bias.copy_(0.1 * torch.randn(module.bias.shape, generator=generator, dtype=torch.float64))
            elif isinstance(module, nn.BatchNorm2d):
                c = module.num_features
                module.weight.copy_(0.5 + torch.rand(c, generator=generator, dtype=torch.float64))
                module.bias.copy_(0.3 * torch.randn(c, generator=generator, dtype=torch.float64))
                module.running_mean.copy_(0.2 * torch.randn(c, generator=generator, dtype=torch.float64))
                module.running_var.copy_(0.5 + torch.rand(c, generator=generator, dtype=torch.float64))


def _describe_conv(conv):
    padding = conv.padding
    if padding == "same":          # padding="same" (stride 1, odd kernel) is the same as k // 2
        padding = tuple(k // 2 for k in conv.kernel_size)
    elif padding == "valid":
        padding = (0, 0)
    return {"weight": tuple(conv.weight.shape), "stride": tuple(conv.stride), "padding": tuple(padding),
            "bias": conv.bias is not None}


def residual_block(hw, in_channels, out_channels, stride, x, dout, seed=0):
    """Build your ResidualBlock, describe its structure and run it on ``x`` (float64).

    Returns a dict: the structure (conv1/conv2 shapes, strides, paddings and biases; bn1/bn2
    sizes; the shortcut's convolutions and batch norms, or "identity"), the parameter count,
    and, with every weight set to the same seeded values, the output in train mode, the
    gradient of ``sum(out * dout)`` with respect to x, and the output in eval mode.
    """
    import torch
    from torch import nn

    torch.manual_seed(seed)
    block = hw.models.ResidualBlock(in_channels, out_channels, stride)
    report = {
        "conv1": _describe_conv(block.conv1), "conv2": _describe_conv(block.conv2),
        "bn1": block.bn1.num_features, "bn2": block.bn2.num_features,
        "parameters": sum(p.numel() for p in block.parameters()),
    }
    shortcut = [m for m in block.shortcut.modules() if isinstance(m, (nn.Conv2d, nn.BatchNorm2d))]
    report["shortcut"] = [_describe_conv(m) if isinstance(m, nn.Conv2d) else {"batchnorm": m.num_features}
                          for m in shortcut] or "identity"
    block = block.double()
    # Fixed order: conv1, bn1, conv2, bn2, then the shortcut's layers in their order.
    _set_parameters([block.conv1, block.bn1, block.conv2, block.bn2, *shortcut], seed)
    inputs = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    block.train()
    out = block(inputs)
    (out * torch.as_tensor(dout, dtype=torch.float64)).sum().backward()
    report["out_train"] = out.detach().numpy().copy()
    report["dx_train"] = inputs.grad.numpy().copy()
    block.eval()
    with torch.no_grad():
        report["out_eval"] = block(torch.tensor(x, dtype=torch.float64)).numpy().copy()
    return report


def small_cnn(hw, x, seed=0, num_classes=None):
    """Build your SmallCNN() (or SmallCNN(num_classes=...)) and run it on ``x`` in eval mode.

    Returns a dict (parameters, logits).
    """
    import torch

    torch.manual_seed(seed)
    model = hw.models.SmallCNN() if num_classes is None else hw.models.SmallCNN(num_classes=num_classes)
    model.eval()
    with torch.no_grad():
        logits = model(torch.as_tensor(x, dtype=torch.float32))
    return {"parameters": sum(p.numel() for p in model.parameters()), "logits": logits.detach().numpy().copy()}


def accuracy(hw, x, y, weight, drop=0.9, seed=0):
    """Your accuracy(model, x, y) on a fixed model: logits = x.flatten() @ weight.T, then dropout.

    The model is handed over in train mode: dropout changes the result unless it is switched
    off. Returns ``(value, type name of the value)``.
    """
    import torch
    from torch import nn

    torch.manual_seed(seed)
    x = torch.as_tensor(x, dtype=torch.float32)
    weight = torch.as_tensor(weight, dtype=torch.float32)
    model = nn.Sequential(nn.Flatten(), nn.Linear(weight.shape[1], weight.shape[0]), nn.Dropout(drop))
    with torch.no_grad():
        model[1].weight.copy_(weight)
        model[1].bias.zero_()
    model.train()
    value = hw.models.accuracy(model, x, torch.as_tensor(y, dtype=torch.int64))
    if isinstance(value, torch.Tensor):
        value = value.detach().numpy()
    return value, type(value).__name__


def accuracy_grad_modes(hw, x, y, weight):
    """Your accuracy(model, x, y) on the model of ``accuracy``, watching each forward pass.

    Returns the list of ``torch.is_grad_enabled()`` seen inside every forward pass of the
    model during the call (a forward hook records it).
    """
    import torch
    from torch import nn

    x = torch.as_tensor(x, dtype=torch.float32)
    weight = torch.as_tensor(weight, dtype=torch.float32)
    model = nn.Sequential(nn.Flatten(), nn.Linear(weight.shape[1], weight.shape[0]))
    with torch.no_grad():
        model[1].weight.copy_(weight)
    seen = []
    model.register_forward_hook(lambda module, inputs, output: seen.append(torch.is_grad_enabled()))
    hw.models.accuracy(model, x, torch.as_tensor(y, dtype=torch.int64))
    return seen


def train_twice(hw, x, y, seed):
    """Two runs of your train_classifier from the same initial SmallCNN with the same seed.

    Between the runs the global torch random state is changed, so a training loop that does
    not seed itself from ``seed`` gives different losses. Returns ``(losses1, losses2)``.
    """
    import copy

    import torch

    torch.set_num_threads(1)          # as in the grader: one thread (also the fastest for small convolutions)
    torch.manual_seed(0)
    first = hw.models.SmallCNN()
    second = copy.deepcopy(first)
    x = torch.as_tensor(x, dtype=torch.float32)
    y = torch.as_tensor(y, dtype=torch.int64)
    losses1 = hw.models.train_classifier(first, x, y, seed=seed)
    torch.manual_seed(12345)
    np.random.seed(12345)
    losses2 = hw.models.train_classifier(second, x, y, seed=seed)
    return _losses(losses1), _losses(losses2)


def _losses(losses):
    import torch

    if isinstance(losses, torch.Tensor):
        losses = losses.detach().tolist()
    if isinstance(losses, np.ndarray):
        losses = losses.tolist()
    if not isinstance(losses, (list, tuple)):
        return f"not a list: {type(losses).__name__}"
    return [float(v.item()) if hasattr(v, "item") else v for v in losses]


def train_and_predict(hw, x_train, y_train, x_test, num_classes, seed=0):
    """Train your SmallCNN(num_classes=...) with your train_classifier, then predict held-out images.

    The held-out labels stay with the grader. Returns a dict: parameter count, the losses
    your train_classifier returned, the predicted classes of ``x_test`` (eval mode) and the
    training time in seconds.
    """
    import time

    import torch

    torch.set_num_threads(1)          # as in the grader: one thread (also the fastest for small convolutions)
    torch.manual_seed(seed)
    model = hw.models.SmallCNN(num_classes=num_classes)
    parameters = sum(p.numel() for p in model.parameters())
    start = time.perf_counter()
    losses = hw.models.train_classifier(model, torch.as_tensor(x_train), torch.as_tensor(y_train), seed=seed)
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(batch) for batch in torch.as_tensor(x_test).split(500)])
    return {"parameters": parameters, "losses": _losses(losses), "predictions": logits.argmax(dim=1).numpy(),
            "seconds": seconds}
