"""Probes: small programs the tests run next to your code, returning plain data.

Some checks need more than plain arrays in and out: a Python function as an argument (the
SDF that ``sphere_trace`` and ``sdf_normals`` evaluate), torch tensors (everything in
``neural3d.py`` takes and returns tensors), gradients (``volume_render`` must be
differentiable), or torch objects (your ``PointNet``, trained here). The tests run these
probes with your modules as ``hw`` and compare what they return. Probes hold no expected
values: a probe only exercises your code and reports what it did.
"""
import numpy as np


def _np(value, what):
    """A returned tensor (or array) as a float/int numpy array; anything else is an error."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, np.ndarray):
        return value.copy()
    raise TypeError(f"{what} should be a torch.Tensor, got {type(value).__name__}")


def _pair(result, names, function):
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        raise TypeError(f"{function} should return a tuple ({', '.join(names)}), got {type(result).__name__}")
    return tuple(_np(v, f"{function}'s {n}") for v, n in zip(result, names, strict=True))


# ----------------------------------------------------------------------------------------
# shapes.py: an SDF you can call (the scene is described with plain data)
# ----------------------------------------------------------------------------------------

def _scene_sdf(scene):
    """A numpy SDF (callable on (K, 3) points) for a scene description such as
    ("sphere", center, radius), ("box", half_extents, center), ("plane", normal, offset) or
    ("union" | "intersection" | "subtract", scene_a, scene_b). Independent of your shapes.py."""
    kind = scene[0]
    if kind == "sphere":
        center, radius = np.asarray(scene[1], dtype=np.float64), float(scene[2])
        return lambda p: np.linalg.norm(p - center, axis=-1) - radius
    if kind == "box":
        half, center = np.asarray(scene[1], dtype=np.float64), np.asarray(scene[2], dtype=np.float64)

        def box(p):
            q = np.abs(p - center) - half
            return np.linalg.norm(np.maximum(q, 0.0), axis=-1) + np.minimum(q.max(axis=-1), 0.0)
        return box
    if kind == "plane":
        normal, offset = np.asarray(scene[1], dtype=np.float64), float(scene[2])
        normal = normal / np.linalg.norm(normal)
        return lambda p: p @ normal - offset
    a, b = _scene_sdf(scene[1]), _scene_sdf(scene[2])
    if kind == "union":
        return lambda p: np.minimum(a(p), b(p))
    if kind == "intersection":
        return lambda p: np.maximum(a(p), b(p))
    if kind == "subtract":
        return lambda p: np.maximum(a(p), -b(p))
    raise ValueError(f"unknown scene kind {kind!r}")


def sphere_trace(hw, scene, origins, directions, **kwargs):
    """``hw.shapes.sphere_trace(sdf_of_scene, origins, directions, **kwargs)``.

    Returns ``(t, hit, calls)``: your outputs and how many times your code called the SDF.
    """
    sdf = _scene_sdf(scene)
    calls = [0]

    def counted(points):
        calls[0] += 1
        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 3:
            raise ValueError(f"the sdf is called on (K, 3) points, got shape {points.shape}")
        return sdf(points)

    t, hit = _pair(hw.shapes.sphere_trace(counted, origins, directions, **kwargs), ["t", "hit"], "sphere_trace")
    return t, hit, calls[0]


def sdf_normals(hw, scene, points, **kwargs):
    """``hw.shapes.sdf_normals(sdf_of_scene, points, **kwargs)``."""
    sdf = _scene_sdf(scene)
    return _np(hw.shapes.sdf_normals(lambda p: sdf(np.asarray(p, dtype=np.float64)), points, **kwargs),
               "sdf_normals' result")


# ----------------------------------------------------------------------------------------
# neural3d.py: tensors in, arrays out
# ----------------------------------------------------------------------------------------

def positional_encoding(hw, x, num_freqs, include_input=True):
    """``positional_encoding(torch.from_numpy(x), num_freqs, include_input)`` as an array."""
    import torch

    out = hw.neural3d.positional_encoding(torch.from_numpy(np.array(x)), num_freqs, include_input=include_input)
    return _np(out, "positional_encoding's result")


def get_rays(hw, height, width, focal, c2w):
    """``get_rays(height, width, focal, torch.from_numpy(c2w))`` as arrays (rays_o, rays_d)."""
    import torch

    return _pair(hw.neural3d.get_rays(height, width, focal, torch.from_numpy(np.array(c2w))),
                 ["rays_o", "rays_d"], "get_rays")


def sample_along_rays(hw, near, far, n_samples, stratified=False, seed=None, repeats=1):
    """``sample_along_rays`` called ``repeats`` times with one torch.Generator seeded ``seed``
    (None: no generator). Returns an array (repeats, n_samples)."""
    import torch

    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    rows = [_np(hw.neural3d.sample_along_rays(near, far, n_samples, stratified=stratified, generator=generator),
                "sample_along_rays' result") for _ in range(repeats)]
    return np.stack(rows)


def volume_render(hw, sigmas, colors, t_vals, **kwargs):
    """``volume_render`` on tensors made from the arrays; returns (rgb, depth, weights)."""
    import torch

    result = hw.neural3d.volume_render(torch.from_numpy(np.array(sigmas)), torch.from_numpy(np.array(colors)),
                                       torch.from_numpy(np.array(t_vals)), **kwargs)
    return _pair(result, ["rgb", "depth", "weights"], "volume_render")


def volume_render_gradients(hw, sigmas, colors, t_vals, rgb_weights, depth_weights, **kwargs):
    """Backpropagate loss = sum(rgb * rgb_weights) + sum(depth * depth_weights) through
    ``volume_render``. Returns (d loss / d sigmas, d loss / d colors); an input that gets no
    gradient comes back as zeros plus a flag: (grad_sigmas, grad_colors, sigmas_got_grad,
    colors_got_grad)."""
    import torch

    s = torch.tensor(np.array(sigmas), requires_grad=True)
    c = torch.tensor(np.array(colors), requires_grad=True)
    result = hw.neural3d.volume_render(s, c, torch.from_numpy(np.array(t_vals)), **kwargs)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise TypeError("volume_render should return a tuple (rgb, depth, weights)")
    rgb, depth, _ = result
    if not (isinstance(rgb, torch.Tensor) and rgb.requires_grad and isinstance(depth, torch.Tensor)
            and depth.requires_grad):
        raise TypeError("volume_render's rgb and depth must be tensors connected to the graph "
                        "(no .detach(), .numpy() or torch.no_grad inside)")
    loss = (rgb * torch.from_numpy(np.array(rgb_weights))).sum() + (depth * torch.from_numpy(
        np.array(depth_weights))).sum()
    loss.backward()
    gs = s.grad if s.grad is not None else torch.zeros_like(s)
    gc = c.grad if c.grad is not None else torch.zeros_like(c)
    return _np(gs, "sigmas.grad"), _np(gc, "colors.grad"), s.grad is not None, c.grad is not None


# ----------------------------------------------------------------------------------------
# neural3d.py: your PointNet
# ----------------------------------------------------------------------------------------

def _pointnet(hw, num_classes, feat_dim, seed=0):
    import torch

    torch.manual_seed(seed)
    model = hw.neural3d.PointNet(num_classes, feat_dim=feat_dim)
    model.eval()
    return model


def pointnet_outputs(hw, points, num_classes, feat_dim, permutation, duplicate):
    """Build ``PointNet(num_classes, feat_dim)`` (torch seed 0, eval mode) and run it on
    ``points`` (B, N, 3), on the points permuted by ``permutation`` (N,), on the cloud with
    the points ``duplicate`` (indices) appended a second time, and on each cloud alone.
    Returns a dict of logits arrays and the number of trainable parameters."""
    import torch

    model = _pointnet(hw, num_classes, feat_dim)
    x = torch.from_numpy(np.array(points, dtype=np.float32))
    with torch.no_grad():
        logits = _np(model(x), "PointNet's logits")
        permuted = _np(model(x[:, list(permutation)]), "PointNet's logits")
        repeated = _np(model(torch.cat([x, x[:, list(duplicate)]], dim=1)), "PointNet's logits")
        single = np.concatenate([_np(model(x[b:b + 1]), "PointNet's logits") for b in range(len(x))])
    n_params = int(sum(p.numel() for p in model.parameters() if p.requires_grad))
    return {"logits": logits, "permuted": permuted, "repeated": repeated, "one_by_one": single,
            "n_params": n_params}


def critical_points(hw, points, num_classes, feat_dim, seed=0):
    """``critical_point_indices(model, points)`` for a fresh ``PointNet`` (torch seed ``seed``,
    eval mode), and the model's logits on the whole cloud and on the critical points alone."""
    import torch

    model = _pointnet(hw, num_classes, feat_dim, seed)
    x = torch.from_numpy(np.array(points, dtype=np.float32))
    indices = _np(hw.neural3d.critical_point_indices(model, x), "critical_point_indices' result")
    if indices.dtype.kind not in "iu":
        raise TypeError(f"critical_point_indices should return integer indices, got dtype {indices.dtype}")
    with torch.no_grad():
        full = _np(model(x[None]), "PointNet's logits")
        ok = indices.size and indices.min() >= 0 and indices.max() < len(x)
        subset = _np(model(x[None, torch.from_numpy(indices.astype(np.int64))]), "PointNet's logits") \
            if ok else np.full_like(full, np.nan)
    return indices, full, subset


def train_pointnet(hw, train_points, train_labels, test_points, test_labels, num_classes=4, feat_dim=128,
                   epochs=30, batch_size=32, lr=2e-3, seed=0):
    """Train ``PointNet(num_classes, feat_dim)`` with Adam and cross-entropy on the training
    clouds, then return its accuracy on the held-out clouds (eval mode) and the last loss."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)            # small matrices: one thread is fastest, and the grader gives one
    try:
        return _train(hw, train_points, train_labels, test_points, test_labels, num_classes, feat_dim, epochs,
                      batch_size, lr, seed)
    finally:
        torch.set_num_threads(threads)


def _train(hw, train_points, train_labels, test_points, test_labels, num_classes, feat_dim, epochs, batch_size, lr,
           seed):
    import torch

    torch.manual_seed(seed)
    model = hw.neural3d.PointNet(num_classes, feat_dim=feat_dim)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    x = torch.from_numpy(np.array(train_points, dtype=np.float32))
    y = torch.from_numpy(np.array(train_labels, dtype=np.int64))
    generator = torch.Generator().manual_seed(seed)
    model.train()
    loss = torch.tensor(float("nan"))
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predictions = model(torch.from_numpy(np.array(test_points, dtype=np.float32))).argmax(dim=1).numpy()
    return float(np.mean(predictions == np.asarray(test_labels))), float(loss.item())
