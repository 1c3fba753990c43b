"""Hidden tests for shapes.py: the reference, analytic answers and statistics decide.

Voxelisation avoids points within 1e-9 of a cell boundary (other than the exact cases
tested on purpose), since equivalent formulas may round those differently. Sphere tracing is
compared with analytic ray-surface intersections on rays that hit at an incidence with
cos > 0.4 or miss by a clear margin: marching stops once the SDF is below eps = 1e-4, which
leaves t at most eps / cos(incidence) short of the surface, hence the 5e-4 tolerance.
``sample_mesh`` is checked statistically with 20000 samples: a cell of probability p gets
a fraction within 6 standard deviations sqrt(p (1 - p) / n) (false failure < 1e-8 per cell),
whatever random numbers a correct solution draws.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_raises, assert_scalar_close, check_array, context

BOUNDS = (np.array([-1.0, 0.5, -2.0]), np.array([1.0, 2.0, 3.0]))


@pytest.mark.points(2)
@pytest.mark.parametrize("grid_size", [1, 7])
def test_voxelize_against_reference(hw, ref, rng, grid_size):
    """voxelize: random points in and around anisotropic bounds"""
    lo, hi = BOUNDS
    points = rng.uniform(lo - 0.3, hi + 0.3, size=(400, 3))
    cell = (points - lo) / (hi - lo) * grid_size
    points = points[np.all(np.abs(cell - np.round(cell)) > 1e-9, axis=1)]
    assert_equal(hw.shapes.voxelize(points, grid_size, (lo, hi)), ref.shapes.voxelize(points, grid_size, (lo, hi)),
                 dtype=bool)


@pytest.mark.points(1)
def test_voxelize_faces_and_outside(hw):
    """voxelize: the min face is cell 0, the max face the last cell, just outside is ignored, no points"""
    bounds = ([0.0, 0.0, 0.0], [4.0, 4.0, 4.0])
    points = np.array([[0.0, 0.0, 0.0], [4.0, 1.5, 0.5], [2.0, 4.0, 3.0], [4.0 + 1e-9, 1.0, 1.0],
                       [1.0, -1e-12, 1.0], [3.0, 3.0, 4.0]])
    expected = np.zeros((4, 4, 4), dtype=bool)
    expected[0, 0, 0] = expected[3, 1, 0] = expected[2, 3, 3] = expected[3, 3, 3] = True
    assert_equal(hw.shapes.voxelize(points, 4, bounds), expected)
    with context("an empty point cloud (0, 3)"):
        assert_equal(hw.shapes.voxelize(np.zeros((0, 3)), 3, bounds), np.zeros((3, 3, 3), dtype=bool))


@pytest.mark.points(1)
def test_voxelize_error_contract(hw):
    """voxelize: ValueError naming grid_size or bounds"""
    points = np.array([[0.25, 0.25, 0.25], [0.75, 0.75, 0.75]])
    expected = np.zeros((2, 2, 2), dtype=bool)
    expected[0, 0, 0] = expected[1, 1, 1] = True
    assert_equal(hw.shapes.voxelize(points, 2, ([0, 0, 0], [1, 1, 1])), expected, dtype=bool,
                 what="voxelize(two points, 2, unit cube)")
    assert_raises(ValueError, hw.shapes.voxelize, points, 0, ([0, 0, 0], [1, 1, 1]), mentions=["grid_size"])
    assert_raises(ValueError, hw.shapes.voxelize, points, 2, ([0, 0, 0], [1, 0, 1]), mentions=["bounds"])
    assert_raises(ValueError, hw.shapes.voxelize, points, 2, ([0, 2, 0], [1, 1, 1]), mentions=["bounds"])


@pytest.mark.points(2)
def test_chamfer_against_reference(hw, ref, rng):
    """chamfer_distance: clouds of different sizes, both orders, far from the origin"""
    p, q = rng.normal(size=(37, 3)), rng.normal(size=(53, 3)) * 1.5 + 0.2
    # sums of squares of O(1) numbers: the reduction order changes the result by ~1e-15
    assert_scalar_close(hw.shapes.chamfer_distance(p, q), ref.shapes.chamfer_distance(p, q), rtol=1e-10)
    assert_scalar_close(hw.shapes.chamfer_distance(q, p), ref.shapes.chamfer_distance(p, q), rtol=1e-10,
                        what="chamfer_distance(q, p) (it is symmetric)")
    with context("a single point against a cloud"):
        assert_scalar_close(hw.shapes.chamfer_distance(p[:1], q), ref.shapes.chamfer_distance(p[:1], q), rtol=1e-10)


@pytest.mark.points(1)
def test_sdf_sphere_against_reference(hw, ref, rng):
    """sdf_sphere: random points, centres and radii, inside and outside"""
    for _ in range(3):
        points, center, radius = rng.normal(size=(50, 3)) * 2, rng.normal(size=3), rng.uniform(0.2, 3)
        assert_close(hw.shapes.sdf_sphere(points, center, radius), ref.shapes.sdf_sphere(points, center, radius))


@pytest.mark.points(2)
def test_sdf_box_exact_everywhere(hw, ref, rng):
    """sdf_box: exact inside, beside faces and edges, and past the corners"""
    half = np.array([0.5, 1.0, 2.0])
    points = rng.uniform(-4, 4, size=(300, 3))
    assert_close(hw.shapes.sdf_box(points, half), ref.shapes.sdf_box(points, half), what="random points")
    # Past a corner the nearest box point is the corner itself: distance |p - corner|.
    beyond = rng.uniform(0.1, 2.0, size=(40, 3))
    signs = rng.choice([-1.0, 1.0], size=(40, 3))
    corner_points = signs * (half + beyond)
    assert_close(hw.shapes.sdf_box(corner_points, half), np.linalg.norm(beyond, axis=1),
                 what="points past the corners")
    inside = rng.uniform(-1, 1, size=(40, 3)) * half
    assert_close(hw.shapes.sdf_box(inside, half), -np.min(half - np.abs(inside), axis=1),
                 what="points inside (minus the distance to the nearest face)")


@pytest.mark.points(1)
def test_csg_against_reference(hw, ref, rng):
    """sdf_union, sdf_intersection, sdf_subtract: random SDF values"""
    a, b = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
    for name in ("sdf_union", "sdf_intersection", "sdf_subtract"):
        with context(name):
            assert_close(getattr(hw.shapes, name)(a, b), getattr(ref.shapes, name)(a, b))


def _ray_sphere(origins, directions, center, radius):
    """Analytic first hit of unit-direction rays with a sphere (inf if none), and the distance
    from the centre to the ray's line."""
    oc = origins - center
    b = -np.sum(oc * directions, axis=1)
    miss2 = np.sum(oc * oc, axis=1) - b**2
    disc = radius**2 - miss2
    t = np.where(disc >= 0, b - np.sqrt(np.maximum(disc, 0)), np.inf)
    return t, np.sqrt(np.maximum(miss2, 0))


@pytest.mark.points(1)
def test_sphere_trace_two_spheres(hw, rng):
    """sphere_trace: a union of two spheres, random rays from a camera, hits and clear misses"""
    spheres = [(np.array([0.0, 0.0, 0.0]), 1.0), (np.array([1.8, 0.6, 1.0]), 0.7)]
    scene = ("union", ("sphere", spheres[0][0].tolist(), 1.0), ("sphere", spheres[1][0].tolist(), 0.7))
    origins = np.tile([0.5, 0.2, -6.0], (200, 1)) + rng.normal(0, 0.2, size=(200, 3))
    targets = rng.uniform([-1.5, -1.5, 0.0], [3.0, 2.0, 1.0], size=(200, 3))
    directions = targets - origins
    unit = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    hits, margins = zip(*[_ray_sphere(origins, unit, c, r) for c, r in spheres], strict=True)
    t_true = np.minimum(*hits)
    # keep rays that hit a sphere with cos(incidence) > 0.4 or pass every sphere at > 0.1 r
    ok_hit = np.isfinite(t_true) & np.array([np.all([(m[i] < 0.9 * r) or (m[i] > 1.1 * r) or not np.isfinite(h[i])
                                                      for m, h, (_, r) in zip(margins, hits, spheres, strict=True)])
                                              for i in range(200)])
    clear_miss = ~np.isfinite(t_true) & (margins[0] > 1.1) & (margins[1] > 0.77)
    keep = ok_hit | clear_miss
    t, hit, _ = hw.probe("sphere_trace", scene, origins[keep], directions[keep] * 3.0)
    check_array(t, shape=(int(keep.sum()),), dtype="floating", what="t")
    assert_equal(hit, np.isfinite(t_true[keep]), dtype=bool, what="hit")
    assert_close(t[hit], t_true[keep][hit], atol=5e-4, rtol=0, what="t of the hits")


@pytest.mark.points(1)
def test_sphere_trace_csg_dent(hw):
    """sphere_trace: a box with a spherical dent (subtract), rays straight down into and beside the dent"""
    scene = ("subtract", ("box", [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]), ("sphere", [0.0, 0.0, 1.0], 0.5))
    xs = np.array([0.0, 0.3, -0.2, 0.8, -0.9])
    origins = np.stack([xs, np.zeros(5), np.full(5, 5.0)], axis=1)
    directions = np.tile([0.0, 0.0, -1.0], (5, 1))
    t, hit, _ = hw.probe("sphere_trace", scene, origins, directions)
    floor = np.where(np.abs(xs) < 0.5, 1.0 - np.sqrt(np.maximum(0.25 - xs**2, 0)), 1.0)   # surface height z
    assert_equal(hit, np.ones(5, dtype=bool), dtype=bool, what="hit")
    assert_close(t, 5.0 - floor, atol=5e-4, rtol=0, what="t")


@pytest.mark.points(1)
def test_sphere_trace_box_and_plane(hw, rng):
    """sphere_trace: an axis-aligned box hit from random directions; rays parallel to a plane miss"""
    half = np.array([1.0, 0.5, 0.8])
    targets = rng.uniform(-0.8, 0.8, size=(60, 3)) * half                # well inside the front face
    targets[:, 2] = half[2]
    origins = targets + np.stack([rng.uniform(-1, 1, 60), rng.uniform(-1, 1, 60), np.full(60, 4.0)], axis=1)
    t, hit, _ = hw.probe("sphere_trace", ("box", half.tolist(), [0.0, 0.0, 0.0]), origins, targets - origins)
    assert_equal(hit, np.ones(60, dtype=bool), dtype=bool, what="hit (box)")
    assert_close(t, np.linalg.norm(targets - origins, axis=1), atol=5e-4, rtol=0, what="t (box)")
    plane = ("plane", [0.0, 1.0, 0.0], -1.0)
    _, hit, _ = hw.probe("sphere_trace", plane, np.array([[0.0, 0.0, 0.0], [5.0, 2.0, 1.0]]),
                         np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0]]))
    assert_equal(hit, np.zeros(2, dtype=bool), dtype=bool, what="hit (rays parallel to a plane)")


@pytest.mark.points(1)
def test_sphere_trace_far_and_max_steps(hw):
    """sphere_trace: far cuts a ray off; max_steps bounds the marching; a head-on ray needs 2 steps"""
    scene = ("sphere", [0.0, 0.0, 50.0], 1.0)
    o, d = np.zeros((1, 3)), np.array([[0.0, 0.0, 1.0]])
    with context("far=10, the sphere at 49"):
        _, hit, _ = hw.probe("sphere_trace", scene, o, d, far=10.0)
        assert_equal(hit, [False], dtype=bool, what="hit")
    with context("far=100, max_steps=2: one step lands on the surface, the second confirms"):
        t, hit, _ = hw.probe("sphere_trace", scene, o, d, far=100.0, max_steps=2)
        assert_equal(hit, [True], dtype=bool, what="hit")
        assert_close(t, [49.0], atol=1e-9, what="t")
    grazing = ("sphere", [0.0, 0.0, 0.0], 1.0)
    origin, direction = np.array([[0.0, 0.999, -6.0]]), np.array([[0.0, 0.0, 1.0]])
    with context("a ray that grazes a sphere, max_steps=5"):
        _, hit, calls = hw.probe("sphere_trace", grazing, origin, direction, max_steps=5)
        assert_equal(hit, [False], dtype=bool, what="hit")
        assert calls <= 6, f"the sdf was called {calls} times for one ray with max_steps=5"
    with context("the same ray, max_steps=128"):
        _, hit, _ = hw.probe("sphere_trace", grazing, origin, direction)
        assert_equal(hit, [True], dtype=bool, what="hit")


@pytest.mark.points(2)
def test_sdf_normals_against_reference(hw, ref, rng):
    """sdf_normals: box faces point along the axes; spheres and CSG against the reference, several h"""
    half = [1.0, 2.0, 0.5]
    box = ("box", half, [0.0, 0.0, 0.0])
    face_points = np.array([[1.0, 0.3, 0.1], [-0.2, 2.0, 0.2], [0.4, -1.1, -0.5]])
    assert_close(hw.probe("sdf_normals", box, face_points), [[1.0, 0, 0], [0, 1.0, 0], [0, 0, -1.0]], atol=1e-9,
                 what="normals on the box's faces")
    scene = ("union", ("sphere", [0.0, 0.0, 0.0], 1.0), ("box", [0.5, 0.5, 0.5], [1.5, 0.0, 0.0]))
    points = rng.normal(size=(30, 3)) * 1.5
    for h in (1e-4, 1e-2, 0.2):
        with context(f"h={h}"):
            # the same central differences in any order of operations agree to ~1e-12 after normalising
            assert_close(hw.probe("sdf_normals", scene, points, h=h), ref.probe("sdf_normals", scene, points, h=h),
                         atol=1e-9)


@pytest.mark.points(1)
def test_mesh_area_against_reference(hw, ref, rng):
    """mesh_area: a random mesh with shared vertices and a degenerate triangle"""
    vertices = rng.normal(size=(20, 3))
    faces = rng.integers(0, 20, size=(35, 3))
    faces[0] = [3, 3, 7]                                   # degenerate: area 0
    assert_scalar_close(hw.shapes.mesh_area(vertices, faces), ref.shapes.mesh_area(vertices, faces), rtol=1e-12)


def _barycentric(points, a, b, c):
    """Barycentric coordinates (n, 3) of points in the plane of triangle abc."""
    m = np.stack([a - c, b - c], axis=1)                   # (3, 2)
    uv, *_ = np.linalg.lstsq(m, (points - c).T, rcond=None)
    return np.stack([uv[0], uv[1], 1 - uv[0] - uv[1]], axis=1)


N = 20000


def _fraction_ok(count, p, n=N):
    return abs(count / n - p) <= 6 * np.sqrt(p * (1 - p) / n)


@pytest.mark.points(2)
def test_sample_mesh_is_area_weighted(hw):
    """sample_mesh: faces are chosen in proportion to their area (areas 1 : 3 : 4)"""
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 2, 0],            # area 1, z = 0
                         [0, 0, 1], [3, 0, 1], [0, 2, 1],            # area 3, z = 1
                         [0, 0, 2], [0, 4, 2], [2, 0, 2]], float)    # area 4, z = 2 (clockwise)
    faces = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    points = check_array(hw.shapes.sample_mesh(vertices, faces, N, seed=5), shape=(N, 3), dtype=np.float64)
    for z, p in ((0.0, 1 / 8), (1.0, 3 / 8), (2.0, 4 / 8)):
        count = int(np.sum(np.abs(points[:, 2] - z) < 1e-9))
        assert _fraction_ok(count, p), (f"sample_mesh(..., n={N}): the face of area {p * 8:g} (of 8) got "
                                        f"{count / N:.3f} of the points; area weighting expects about {p:.3f}")


@pytest.mark.points(2)
def test_sample_mesh_is_uniform_inside_a_triangle(hw):
    """sample_mesh: inside one triangle, each of the 4 midpoint sub-triangles gets a quarter of the points"""
    a, b, c = np.array([1.0, 0.0, 0.0]), np.array([4.0, 1.0, 0.5]), np.array([0.0, 3.0, -1.0])
    points = hw.shapes.sample_mesh(np.stack([a, b, c]), np.array([[0, 1, 2]]), N, seed=11)
    bary = _barycentric(points, a, b, c)
    off_plane = np.abs(np.cross(b - a, c - a) @ (points - a).T) > 1e-9
    assert not off_plane.any(), f"{int(off_plane.sum())} points are not in the triangle's plane"
    outside = np.any(bary < -1e-9, axis=1)
    assert not outside.any(), f"{int(outside.sum())} of {N} points fall outside the triangle"
    cells = {"near vertex a": bary[:, 0] > 0.5, "near vertex b": bary[:, 1] > 0.5, "near vertex c": bary[:, 2] > 0.5,
             "the middle sub-triangle": np.all(bary < 0.5, axis=1)}
    for name, in_cell in cells.items():
        count = int(in_cell.sum())
        assert _fraction_ok(count, 0.25), (f"sample_mesh: the sub-triangle {name} got {count / N:.3f} of the "
                                           f"points; a uniform density gives each of the 4 about 0.250")


@pytest.mark.points(1)
def test_sample_mesh_seeds(hw):
    """sample_mesh: the same seed repeats the points, another seed gives others; n = 0 works"""
    vertices = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    faces = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]])
    first = hw.shapes.sample_mesh(vertices, faces, 300, seed=7)
    assert_close(hw.shapes.sample_mesh(vertices, faces, 300, seed=7), first, atol=0, rtol=0, what="same seed")
    other = hw.shapes.sample_mesh(vertices, faces, 300, seed=8)
    assert np.abs(other - first).max() > 0.1, "sample_mesh: seeds 7 and 8 gave the same points"
    check_array(hw.shapes.sample_mesh(vertices, faces, 0, seed=1), shape=(0, 3), dtype=np.float64, what="n = 0")
