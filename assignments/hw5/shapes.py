"""HW5, part 2: four 3D representations with numpy (lecture "3D Vision").

Voxels (``voxelize``), point clouds (``chamfer_distance``), meshes (``mesh_area``,
``sample_mesh``) and implicit surfaces: signed distance functions (SDFs), constructive solid
geometry (CSG), sphere tracing and normals from the SDF's gradient.

Fill in every function marked TODO. Use numpy only (no scipy, trimesh, open3d, ...).

Conventions for every function in this file:

* Points are float64 arrays of shape (..., 3) (convert any real dtype); an SDF function maps
  (..., 3) points to (...) values.
* An SDF is negative inside, zero on the surface, positive outside, and its absolute value is
  the Euclidean distance to the surface.
* Bad arguments raise ``ValueError`` whose message names the argument.

You may add your own private helper functions (names starting with ``_``).
"""
import numpy as np  # noqa: F401 - you will need it


def voxelize(points, grid_size, bounds):
    """Occupancy grid of a point cloud: True in every cell that contains at least one point.

    Lecture idea: voxels are the 3D analogue of pixels: easy for 3D convolutions, but memory
    grows as G^3, so the resolution stays coarse.

    Cell of a point p, per axis: index = floor((p - min) / (max - min) * G). Points exactly on
    the max face belong to the LAST cell (G - 1); points outside [min, max] on any axis are
    ignored.

    Inputs:
    - points: (N, 3), any real dtype; N may be 0.
    - grid_size: G, an integer >= 1.
    - bounds: (min_xyz, max_xyz), two length-3 sequences with max > min on every axis.

    Returns: bool array (G, G, G) indexed ``grid[ix, iy, iz]``.

    Raises:
    - ValueError naming `points` if its last size is not 3.
    - ValueError naming `grid_size` if it is not an integer >= 1.
    - ValueError naming `bounds` if it is not two length-3 sequences with max > min on every
      axis.
    """
    # TODO
    # Hint: compute all indices at once, clip the max face with np.minimum, then set
    #   ``grid[ix, iy, iz] = True`` with integer-array indexing.
    raise NotImplementedError("voxelize: not implemented yet")


def chamfer_distance(p, q):
    """Symmetric Chamfer distance between two point clouds.

    Lecture idea: point clouds have no order and no correspondence, so compare them by
    nearest neighbours: how far is each point of one cloud from the other cloud?

        mean_i min_j |p_i - q_j|^2  +  mean_j min_i |p_i - q_j|^2      (squared distances)

    Inputs:
    - p: (N, 3) points, N >= 1.
    - q: (M, 3) points, M >= 1.

    Returns: a float.

    Raises:
    - ValueError naming `p` or `q` if its last size is not 3.
    - ValueError naming `p` and `q` if either cloud is empty.
    """
    # TODO
    # Hint: all N x M squared distances by broadcasting p[:, None, :] - q[None, :, :].
    raise NotImplementedError("chamfer_distance: not implemented yet")


def sdf_sphere(points, center, radius):
    """Exact signed distance to a sphere: |p - center| - radius (negative inside).

    Inputs:
    - points: (..., 3), any real dtype.
    - center: (3,).
    - radius: > 0.

    Returns: float64 array (...).

    Raises:
    - ValueError naming `points` if its last size is not 3.
    """
    # TODO
    raise NotImplementedError("sdf_sphere: not implemented yet")


def sdf_box(points, half_extents):
    """Exact signed distance to the axis-aligned box [-b, b] centred at the origin (b = half_extents).

    With q = |p| - b per axis (how far p is beyond each pair of faces):
    - outside, the nearest box point may be on a face, an edge or a corner: the distance is the
      length of max(q, 0) (only the axes where p is beyond the faces count);
    - inside, every q_k < 0 and the distance to the nearest face is -max_k q_k (the signed
      distance is max_k q_k, negative).
    Both at once: |max(q, 0)| + min(max_k q_k, 0).

    Careful: max_k q_k alone is right inside and in front of the faces but WRONG past the edges
    and corners (it underestimates the distance there); the result must be exact everywhere.

    Inputs:
    - points: (..., 3), any real dtype.
    - half_extents: b, (3,), every b_k > 0.

    Returns: float64 array (...).

    Raises:
    - ValueError naming `points` if its last size is not 3.
    """
    # TODO
    raise NotImplementedError("sdf_box: not implemented yet")


def sdf_union(a, b):
    """Union of two shapes from their SDF values: min(a, b).

    Inputs:
    - a, b: SDF values of the two shapes, arrays of the same shape.

    Returns: float64 array of that shape.
    """
    # TODO
    raise NotImplementedError("sdf_union: not implemented yet")


def sdf_intersection(a, b):
    """Intersection of two shapes from their SDF values: max(a, b).

    Inputs:
    - a, b: SDF values of the two shapes, arrays of the same shape.

    Returns: float64 array of that shape.
    """
    # TODO
    raise NotImplementedError("sdf_intersection: not implemented yet")


def sdf_subtract(a, b):
    """Shape a with shape b cut away, from their SDF values: max(a, -b) (inside a, outside b).

    Inputs:
    - a, b: SDF values of the two shapes, arrays of the same shape.

    Returns: float64 array of that shape.
    """
    # TODO
    raise NotImplementedError("sdf_subtract: not implemented yet")


def sphere_trace(sdf, origins, directions, max_steps=128, eps=1e-4, far=100.0):
    """Render an implicit surface: march each ray forward by the SDF value until it hits.

    Lecture idea: the SDF at a point is the radius of a sphere that contains no surface, so a
    ray can safely advance by that much (it never overshoots the surface). Near the surface
    the steps shrink; a ray has hit when the SDF drops below eps.

    Inputs:
    - sdf: a Python function, (K, 3) float64 points -> (K,) signed distances.
    - origins: (R, 3) ray origins.
    - directions: (R, 3) ray directions, NOT necessarily unit length: they are normalised
      first (t is measured along the unit direction).
    - max_steps: the number of marching steps.
    - eps: a ray hits when sdf(origin + t * direction) < eps; it then stops.
    - far: a ray whose t exceeds far has missed; it stops too.

    Returns (t, hit): t (R,) float64, how far each ray marched along its unit direction
    before it stopped; hit (R,) bool.

    One step: call ``sdf`` once on the current points of the rays still marching (all of them
    in one call, never once per ray); a ray whose value is < eps has hit (it stops, t
    unchanged); every other ray advances t by that value, and stops as a miss once t > far. A
    ray that starts 49 units in front of a surface it faces head-on hits at step 2 (step 1
    lands on the surface, step 2 sees the value < eps). After max_steps steps the rays still
    marching are misses.
    Budget: at most max_steps + 1 calls of ``sdf`` in all (the tests count them), each on
    the batch of active rays.
    t of a missed ray is not graded (the reference leaves it where the ray stopped: just past
    far, or where max_steps ran out); t of a hit is graded to 5e-4 along the unit direction.

    Raises:
    - ValueError naming `origins` or `directions` if its last size is not 3.
    - ValueError naming `directions` if its shape is not the shape of origins.
    """
    # TODO
    # Hint: keep a boolean mask of the active rays; each step evaluate the sdf at the active
    #   rays' points, mark the hits, advance the others, and deactivate those beyond far.
    raise NotImplementedError("sphere_trace: not implemented yet")


def sdf_normals(sdf, points, h=1e-4):
    """Unit surface normals: the normalised gradient of the SDF, by central differences.

    Lecture idea: an SDF grows fastest straight away from the surface, so its gradient is the
    outward normal (and has length 1 for an exact SDF).

        grad_k = (sdf(p + h e_k) - sdf(p - h e_k)) / (2 h),   k = x, y, z;   n = grad / |grad|

    Inputs:
    - sdf: a function as in sphere_trace, (K, 3) float64 points -> (K,) signed distances.
    - points: (N, 3), any real dtype.
    - h: the finite-difference step.

    Returns: (N, 3) float64 unit vectors.

    Raises:
    - ValueError naming `points` if its last size is not 3.
    """
    # TODO
    # Hint: stack the 6 offset copies of the points into one (6N, 3) array and call sdf once.
    raise NotImplementedError("sdf_normals: not implemented yet")


def mesh_area(vertices, faces):
    """Total surface area of a triangle mesh.

    Inputs:
    - vertices: (V, 3), any real dtype.
    - faces: (F, 3) integer indices into vertices.

    Returns: a float, the sum over triangles (a, b, c) of |(b - a) x (c - a)| / 2.

    Raises:
    - ValueError naming `vertices` if its last size is not 3.
    - ValueError naming `faces` if it is not an integer array (F, 3), or holds an index
      outside vertices.
    """
    # TODO
    # Hint: vertices[faces] is (F, 3, 3): every triangle's corners at once; np.cross works on it.
    raise NotImplementedError("mesh_area: not implemented yet")


def sample_mesh(vertices, faces, n, seed=0):
    """``n`` points uniformly distributed over the surface of a triangle mesh.

    Lecture idea: converting a mesh to a point cloud (e.g. to compare shapes with the Chamfer
    distance). Uniform over the SURFACE means two things:
    1. a face is chosen with probability proportional to its area, area / total area (not
       uniformly!);
    2. inside the face (a, b, c) the point is uniform over the triangle. With u, v ~ U(0, 1)
       and s = sqrt(u):  p = (1 - s) a + s (1 - v) b + s v c  (the square-root trick; without
       the square root, points crowd at vertex a).

    Inputs:
    - vertices: (V, 3), any real dtype.
    - faces: (F, 3) integer indices into vertices, of positive total area.
    - n: the number of points, an integer >= 0.
    - seed: use ``rng = np.random.default_rng(seed)`` and draw everything from it (the same
      seed must give the same points).

    Returns: (n, 3) float64.

    Graded statistically on 20000 points (the share of points on each face and in each part
    of a triangle), so any correct order of random draws earns full marks.

    Raises:
    - ValueError naming `vertices` or `faces` as in mesh_area.
    - ValueError naming `n` if it is not an integer >= 0.
    - ValueError naming `faces` if the mesh has zero total area.
    """
    # TODO
    # Hint: rng.choice(F, size=n, p=areas / areas.sum()) picks all faces at once.
    raise NotImplementedError("sample_mesh: not implemented yet")
