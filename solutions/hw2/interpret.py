"""HW2 reference solution, part 4: what does a CNN look at? (lecture "Interpretability").

Conventions used by every function in this module:

* ``model`` is a ``torch.nn.Module`` classifier: a batch ``(B, C, H, W)`` in, logits
  ``(B, K)`` out. Its non-linearities are ``torch.nn.ReLU`` modules (guided backprop
  changes how they pass gradients back).
* ``image`` is ``(C, H, W)``: a torch tensor (or a numpy array), converted to the dtype of
  the model's parameters.
* Every function leaves the model as it found it: same parameters, same train/eval mode, no
  hooks left behind. Results are detached torch tensors.
"""
import torch


def _as_input(model, image):
    """``image`` as a (1, C, H, W) tensor of the model's dtype, on the model's device."""
    param = next(model.parameters())
    return torch.as_tensor(image).to(dtype=param.dtype, device=param.device).detach().unsqueeze(0)


def occlusion_saliency(model, image, label, patch=8, stride=4, fill=0.0):
    """Occlusion sensitivity (Zeiler & Fergus): how much the class probability drops when a patch is hidden.

    For every window position (i, j), top-left corner (i * stride, j * stride), size
    patch x patch, covering all channels, fill the window with ``fill`` and compute

        out[i, j] = softmax(model(image))[label] - softmax(model(occluded image))[label]

    Positive values: the patch mattered for the class.

    Returns: (rows, cols) detached tensor (or numpy array), with
    rows = (H - patch) // stride + 1, cols = (W - patch) // stride + 1.
    """
    x = _as_input(model, image)
    _, _, H, W = x.shape
    rows, cols = (H - patch) // stride + 1, (W - patch) // stride + 1
    occluded = x.repeat(rows * cols, 1, 1, 1)
    for i in range(rows):
        for j in range(cols):
            y0, x0 = i * stride, j * stride
            occluded[i * cols + j, :, y0:y0 + patch, x0:x0 + patch] = fill
    with torch.no_grad():
        base = torch.softmax(model(x), dim=1)[0, label]
        probs = torch.softmax(model(occluded), dim=1)[:, label]
    return (base - probs).reshape(rows, cols)


def _input_gradient(model, image, label):
    x = _as_input(model, image).requires_grad_(True)
    logit = model(x)[0, label]
    (grad,) = torch.autograd.grad(logit, x)
    return grad[0]


def gradient_saliency(model, image, label):
    """Vanilla gradient saliency (Simonyan et al. 2014): max over channels of |d logit_label / d image|.

    Lecture idea: the gradient of the class score with respect to the pixels says which
    pixels change the score most. Use the LOGIT (the model's raw output), not the softmax
    probability.

    Returns: (H, W) detached tensor (or numpy array).
    """
    return _input_gradient(model, image, label).abs().amax(dim=0)


def guided_backprop(model, image, label):
    """Guided backpropagation (Springenberg et al. 2015): a sharper gradient picture.

    The gradient of logit_label with respect to the image, except that every ReLU passes back
    only POSITIVE gradients, and only at its POSITIVE inputs:

        grad_in = (relu_input > 0) * max(grad_out, 0)

    (plain backprop keeps only the first factor; Zeiler's "deconvnet" only the second). The
    ReLUs pass gradients back this way during this call only: afterwards the model is as it
    was, with no hooks left behind.

    Returns: (C, H, W) detached tensor (or numpy array) (not a max over channels).
    """
    def positive_only(module, grad_input, grad_output):
        # grad_input of a ReLU is already (input > 0) * grad_output: clamp it.
        return (grad_input[0].clamp(min=0),)

    # The ReLUs are changed by backward hooks, removed again before returning (also on an error).
    handles = [m.register_full_backward_hook(positive_only) for m in model.modules()
               if isinstance(m, torch.nn.ReLU)]
    try:
        return _input_gradient(model, image, label)
    finally:
        for handle in handles:
            handle.remove()


def class_visualization(model, label, shape, steps=100, lr=1.0, l2=1e-3, seed=0):
    """Class model visualisation (Simonyan et al. 2014): the image the network finds most "label".

    Gradient ASCENT on the image, the model fixed:

        S(x) = logit_label(x) - l2 * ||x||^2,     x <- x + lr * dS/dx   (``steps`` times)

    starting from a small random image decided by ``seed``, e.g.
    x = 0.01 * torch.randn(shape, generator=torch.Generator().manual_seed(seed)).

    Inputs: shape: (C, H, W).
    Returns: the image, a (C, H, W) detached tensor (or numpy array). Requirements: the class
    logit of the result is higher than at the start; the same seed gives the same image and
    another seed another one; the start is small (steps=0 returns it: entries of about 0.01,
    none above 0.1); the model's parameters are not changed (x alone is optimised).

    Graded also on a linear model, logits = W flatten(x) + b, where the steps have a closed
    form: x_t = (1 - 2 lr l2) x_{t-1} + lr W[label]. So each term of S counts, with its sign
    and factor: e.g. lr=0.5, l2=0.5 must converge to W[label] / (2 l2).
    """
    param = next(model.parameters())
    # The start: x_0 = 0.01 * randn(shape) from a torch.Generator seeded with ``seed``, drawn in float64
    # and cast to the model's dtype.
    generator = torch.Generator().manual_seed(int(seed))
    x = (0.01 * torch.randn(tuple(shape), generator=generator, dtype=torch.float64)).to(param.dtype)
    x = x.unsqueeze(0).requires_grad_(True)
    for _ in range(int(steps)):
        score = model(x)[0, label] - l2 * (x * x).sum()
        (grad,) = torch.autograd.grad(score, x)
        with torch.no_grad():
            x += lr * grad
    return x.detach()[0]
