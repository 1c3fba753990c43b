"""HW2 alternative solution, part 4 (style: module swapping and torch.optim).

Occlusion one window at a time; guided backprop by temporarily replacing every nn.ReLU with
a module running a custom autograd Function (and putting the originals back); class
visualisation from a float32 start, autograd for the logit only and the penalty's gradient
by hand. (torch.optim.SGD(maximize=True) gives the same steps; it is not used here because
its first step imports torch._dynamo, which takes over 10 s on a loaded grading machine.)
"""
import torch
from torch import nn


def _input(model, image):
    p = next(model.parameters())
    return torch.as_tensor(image).detach().to(p.dtype)[None]


def occlusion_saliency(model, image, label, patch=8, stride=4, fill=0.0):
    x = _input(model, image)
    H, W = x.shape[-2:]
    rows, cols = (H - patch) // stride + 1, (W - patch) // stride + 1
    out = torch.zeros(rows, cols, dtype=x.dtype)
    with torch.no_grad():
        base = model(x).softmax(-1)[0, label]
        for i in range(rows):
            for j in range(cols):
                occluded = x.clone()
                occluded[..., i * stride:i * stride + patch, j * stride:j * stride + patch] = fill
                out[i, j] = base - model(occluded).softmax(-1)[0, label]
    return out


def gradient_saliency(model, image, label):
    x = _input(model, image).requires_grad_()
    model(x)[0, label].backward()
    return x.grad[0].abs().max(dim=0).values


class _GuidedReLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inp):
        ctx.save_for_backward(inp)
        return inp.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_out):
        (inp,) = ctx.saved_tensors
        return grad_out * (inp > 0) * (grad_out > 0)


class _GuidedReLU(nn.Module):
    def forward(self, inp):
        return _GuidedReLUFunction.apply(inp)


def _relu_slots(model):
    for parent in model.modules():
        for name, child in parent.named_children():
            if isinstance(child, nn.ReLU):
                yield parent, name, child


def guided_backprop(model, image, label):
    slots = list(_relu_slots(model))
    try:
        for parent, name, _ in slots:
            setattr(parent, name, _GuidedReLU())
        x = _input(model, image).requires_grad_()
        (grad,) = torch.autograd.grad(model(x)[0, label], x)
    finally:
        for parent, name, original in slots:
            setattr(parent, name, original)
    return grad[0]


def class_visualization(model, label, shape, steps=100, lr=1.0, l2=1e-3, seed=0):
    p = next(model.parameters())
    generator = torch.Generator()
    generator.manual_seed(seed)
    x = (torch.randn(*shape, generator=generator) * 0.01).to(p.dtype)[None]
    for _ in range(steps):
        x.requires_grad_(True)
        (logit_grad,) = torch.autograd.grad(model(x)[0, label], x)
        # The penalty's gradient by hand: d(-l2 ||x||^2)/dx = -2 l2 x.
        x = (x + lr * (logit_grad - 2.0 * l2 * x)).detach()
    return x[0]
