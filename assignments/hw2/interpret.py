"""HW2, part 4: what does a CNN look at? (lecture "Interpretability").

Fill in every function marked TODO, with torch (no torchvision, captum, ...).

Conventions for every function in this file:

* ``model`` is a ``torch.nn.Module`` classifier: a batch ``(B, C, H, W)`` in, logits
  ``(B, K)`` out. Its non-linearities are ``torch.nn.ReLU`` modules (not ``F.relu``), so
  guided backprop can change how they pass gradients back.
* ``image`` is ``(C, H, W)``: a torch tensor (accept a numpy array too:
  ``torch.as_tensor(image)``). Convert it to the dtype of the model's parameters
  (``next(model.parameters()).dtype``) and add the batch axis: ``x = image[None]``.
* ``label`` is an int, the class whose score is explained.
* Return torch tensors (detached) or numpy arrays of the shapes given below.
* Leave the model as you found it: do not change its parameters or its train/eval mode,
  and remove every hook you register (``handle = m.register_..._hook(...)``;
  ``handle.remove()``, in a ``finally:`` block). The tests check all of that.

You may add your own private helper functions (names starting with ``_``).
"""
import torch  # noqa: F401  (you will need it)


def occlusion_saliency(model, image, label, patch=8, stride=4, fill=0.0):
    """Occlusion sensitivity (Zeiler & Fergus): how much the class probability drops when a patch is hidden.

    For every window position (i, j), top-left corner (i * stride, j * stride), size
    patch x patch, covering all channels, fill the window with ``fill`` and compute

        out[i, j] = softmax(model(image))[label] - softmax(model(occluded image))[label]

    Positive values: the patch mattered for the class.

    Returns: (rows, cols) detached tensor (or numpy array), with
    rows = (H - patch) // stride + 1, cols = (W - patch) // stride + 1.
    """
    # TODO
    # Hint: no gradients needed (torch.no_grad()). Stack all occluded copies into one batch
    # (image.repeat(rows * cols, 1, 1, 1)) and run the model once.
    raise NotImplementedError("occlusion_saliency: not implemented yet")


def gradient_saliency(model, image, label):
    """Vanilla gradient saliency (Simonyan et al. 2014): max over channels of |d logit_label / d image|.

    Lecture idea: the gradient of the class score with respect to the pixels says which
    pixels change the score most. Use the LOGIT (the model's raw output), not the softmax
    probability.

    Returns: (H, W) detached tensor (or numpy array).
    """
    # TODO
    # Hint: x = ...requires_grad_(True); torch.autograd.grad(model(x)[0, label], x).
    raise NotImplementedError("gradient_saliency: not implemented yet")


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
    # TODO
    # Hint: a full backward hook on each nn.ReLU module, model.modules(), can replace its
    # grad_input: m.register_full_backward_hook(fn) with fn(module, grad_input, grad_output)
    # returning a new tuple (grad_input[0].clamp(min=0),). grad_input of a ReLU already has
    # the (input > 0) factor.
    # Hint: remove the hooks afterwards, also when something fails: try/finally.
    raise NotImplementedError("guided_backprop: not implemented yet")


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
    # TODO
    # Hint: make the update by hand, or with torch.optim.SGD over x with maximize=True (the same
    # update).
    raise NotImplementedError("class_visualization: not implemented yet")
