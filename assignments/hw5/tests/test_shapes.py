"""Public tests for shapes.py: voxels, point clouds, SDFs, sphere tracing and meshes by hand.

Run them with ``pytest tests/test_shapes.py``. ``sphere_trace`` and ``sdf_normals`` take a
Python function; the tests build it in ``tests/probes.py`` from a scene description such as
("sphere", center, radius). The hidden tests add random inputs against the reference, the
box outside its corners, CSG scenes, misses, the far limit, and statistical checks that
``sample_mesh`` is area-weighted and uniform inside each triangle.
"""
import numpy as np
import pytest

from shared.asserts import assert_close, assert_equal, assert_scalar_close, check_array, context
from shared.scenes3d import box_mesh


@pytest.mark.points(2)
def test_voxelize_by_hand(hw):
    """voxelize: floor((p - min) / (max - min) * G); the max face goes to the last cell; outside is ignored"""
    points = np.array([[0.1, 0.1, 0.1],     # cell (0, 0, 0)
                       [0.5, 0.9, 0.0],     # 0.5 * 2 = 1 -> cell 1 in x; (1, 1, 0)
                       [1.0, 1.0, 1.0],     # on the max face: the last cell (1, 1, 1)
                       [1.5, 0.2, 0.2],     # outside: ignored
                       [-0.1, 0.2, 0.2]])   # outside: ignored
    grid = check_array(hw.shapes.voxelize(points, 2, ([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])), shape=(2, 2, 2),
                       dtype=bool)
    expected = np.zeros((2, 2, 2), dtype=bool)
    expected[0, 0, 0] = expected[1, 1, 0] = expected[1, 1, 1] = True
    assert_equal(grid, expected)


@pytest.mark.points(1)
def test_chamfer_by_hand(hw):
    """chamfer_distance: mean squared nearest-neighbour distance, both directions"""
    p = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    q = np.array([[0.0, 0.0, 2.0]])
    # p -> q: 4 and 5 (mean 4.5); q -> p: 4 (its nearest is the origin). Total 8.5.
    assert_scalar_close(hw.shapes.chamfer_distance(p, q), 8.5)
    assert_scalar_close(hw.shapes.chamfer_distance(p, p), 0.0)


@pytest.mark.points(2)
def test_sdf_sphere_and_box_by_hand(hw):
    """sdf_sphere and sdf_box: exact signed distances, negative inside, the box exact past its corner"""
    points = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.5, 0.0]])
    assert_close(hw.shapes.sdf_sphere(points, [0.0, 0.0, 0.0], 1.0), [-1.0, 2.0, -0.5])
    assert_close(hw.shapes.sdf_sphere(points, [1.0, 0.0, 0.0], 2.0), [-1.0, 0.0, np.sqrt(1.25) - 2.0])
    box_points = np.array([[0.0, 0.0, 0.0],    # centre: -min(b) = -1
                           [3.0, 0.0, 0.0],    # in front of a face: 3 - 2 = 1
                           [3.0, 2.0, 0.0],    # beside an edge: |(1, 1)| = sqrt(2)
                           [3.0, 2.0, 3.5],    # past the corner: |(1, 1, 2)| = sqrt(6)
                           [1.5, 0.5, 0.0]])   # inside, nearest face x: -0.5
    assert_close(hw.shapes.sdf_box(box_points, [2.0, 1.0, 1.5]), [-1.0, 1.0, np.sqrt(2), np.sqrt(6), -0.5])


@pytest.mark.points(1)
def test_csg_by_hand(hw):
    """sdf_union, sdf_intersection, sdf_subtract: min, max and max(a, -b)"""
    a, b = np.array([-1.0, 2.0, 0.5]), np.array([0.5, -3.0, 0.25])
    assert_close(hw.shapes.sdf_union(a, b), [-1.0, -3.0, 0.25])
    assert_close(hw.shapes.sdf_intersection(a, b), [0.5, 2.0, 0.5])
    assert_close(hw.shapes.sdf_subtract(a, b), [-0.5, 3.0, 0.5])


@pytest.mark.points(2)
def test_sphere_trace_unit_sphere(hw):
    """sphere_trace: rays towards a unit sphere hit at the analytic distance; a ray beside it misses"""
    origins = np.array([[0.0, 0.0, -5.0], [0.5, 0.0, -5.0], [0.0, 3.0, -5.0]])
    directions = np.array([[0.0, 0.0, 2.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])   # the first is not unit length
    t, hit, _ = hw.probe("sphere_trace", ("sphere", [0.0, 0.0, 0.0], 1.0), origins, directions)
    assert_equal(hit, [True, True, False], dtype=bool, what="hit")
    # Marching stops within eps = 1e-4 of the surface (in SDF value), so t is that close (from the front).
    expected = np.array([4.0, 5.0 - np.sqrt(0.75)])
    assert_close(t[:2], expected, atol=2e-4, rtol=0, what="t of the two hits")


@pytest.mark.points(1)
def test_sdf_normals_of_a_sphere(hw):
    """sdf_normals: the normals of a sphere point away from its centre, unit length"""
    points = np.array([[1.0, 2.0, 2.0], [0.0, 0.0, -3.0], [3.0, 4.0, 0.0]])
    normals = hw.probe("sdf_normals", ("sphere", [0.0, 0.0, 0.0], 3.0), points)
    # Central differences are exact up to O(h^2) = 1e-8 on a sphere of radius 3.
    assert_close(normals, points / np.linalg.norm(points, axis=1, keepdims=True), atol=1e-7)


@pytest.mark.points(1)
def test_mesh_area_of_a_box(hw):
    """mesh_area: a 2 x 4 x 6 box (12 triangles) has area 2 (8 + 12 + 24) = 88"""
    vertices, faces = box_mesh([1.0, 2.0, 3.0])
    assert_scalar_close(hw.shapes.mesh_area(vertices, faces), 88.0)


@pytest.mark.points(1)
def test_sample_mesh_on_the_surface(hw):
    """sample_mesh: n points on the surface of a box, the same for the same seed"""
    vertices, faces = box_mesh([1.0, 2.0, 3.0])
    points = check_array(hw.shapes.sample_mesh(vertices, faces, 500, seed=3), shape=(500, 3), dtype=np.float64)
    # On a box surface, at least one coordinate sits on a face: |p_k| = half_extent_k.
    on_face = np.isclose(np.abs(points), [1.0, 2.0, 3.0], atol=1e-9).any(axis=1)
    inside = np.all(np.abs(points) <= np.array([1.0, 2.0, 3.0]) + 1e-9, axis=1)
    assert_equal(on_face & inside, np.ones(500, dtype=bool), what="points on the box's surface")
    with context("a second call with the same seed"):
        assert_close(hw.shapes.sample_mesh(vertices, faces, 500, seed=3), points, atol=0, rtol=0)
