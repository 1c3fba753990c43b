"""Degenerate submissions: generated from the stubs, they keep every signature, do nothing, and
``cvgrade check`` fails (naming the tests that paid) when one of them scores.

Two toy courses: a sound one, whose every test needs a right answer, and a leaky one with a
consistency-only test ("double(a + b) == double(a) + double(b)") that zeros and the input
itself satisfy. Generation is checked on every shipped stub module (pure ``ast``, fast).
"""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import numpy as np
import pytest
from platform_helpers import HIDDEN_TESTS, OTHER_REFERENCE, PUBLIC_TESTS, REPO, TOY_COURSE, TOY_REFERENCE, cvgrade

from autograder.course.config import load_course
from autograder.quality.degenerate import (
    MAX_SHARE,
    VARIANTS,
    DegenerateError,
    degenerate_source,
    is_graded,
    return_shapes,
)
from autograder.release.bundles import RELEASE_PYTEST_INI
from shared.source_checks import module_problem

COURSE = load_course(REPO / "course.yaml")       # defaults merged: every module's forbidden list
SHIPPED_STUBS = [(a.id, name) for a in COURSE.assignments for name in a.files
                 if (REPO / "assignments" / a.id / name).is_file()]

STUB = '''
"""A stub module."""
import numpy as np


class Model:
    """A model."""

    def __init__(self, width, depth=2):
        super().__init__()
        raise NotImplementedError("Model: not implemented yet")

    def forward(self, x):
        """x -> y"""
        raise NotImplementedError

    @staticmethod
    def helper(a, b):
        raise NotImplementedError("helper")


def pair(x, w, *rest, scale=1.0, **options):
    """Returns (out, cache)."""
    # TODO
    raise NotImplementedError("pair: not implemented yet")


def score(a, b):
    raise NotImplementedError("score: not implemented yet")


def given(x):
    """Not graded: the stub already implements it."""
    return np.asarray(x) + 1
'''

STUB_REFERENCE = '''
def pair(x, w, *rest, scale=1.0, **options):
    out = x * w
    return out, (x, w)


def score(a, b):
    return float(abs(a - b).max())
'''


def functions(source: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(source)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            found.update({f"{node.name}.{f.name}": f for f in node.body if isinstance(f, ast.FunctionDef)})
    return found


def load(variant: str) -> dict:
    namespace: dict = {}
    exec(compile(degenerate_source(STUB, variant, STUB_REFERENCE), "<degenerate>", "exec"), namespace)  # noqa: S102
    return namespace


@pytest.mark.parametrize("hw, name", SHIPPED_STUBS, ids=[f"{hw}/{name}" for hw, name in SHIPPED_STUBS])
def test_variants_of_every_shipped_stub_keep_signatures_and_leave_nothing_unimplemented(hw, name):
    stub = (REPO / "assignments" / hw / name).read_text()
    reference = REPO / "solutions" / hw / name
    forbidden = COURSE.assignment(hw).forbidden_imports.get(name, [])
    before = functions(stub)
    graded = [q for q, f in before.items() if is_graded(f)]
    assert graded, f"{hw}/{name}: no function of the stub raises NotImplementedError"
    for variant in VARIANTS:
        source = degenerate_source(stub, variant, reference.read_text() if reference.is_file() else None, name)
        where = f"{hw}/{name} variant {variant!r}"
        assert module_problem(name, source.encode(), forbidden) is None, where   # grader would refuse it
        after = functions(source)
        for qualified, function in before.items():
            assert qualified in after, f"{where}: {qualified} is missing"
            assert ast.dump(after[qualified].args) == ast.dump(function.args), f"{where}: {qualified} signature"
            assert ast.get_docstring(after[qualified]) == ast.get_docstring(function), f"{where}: {qualified} doc"
            assert not is_graded(after[qualified]), f"{where}: {qualified} still raises NotImplementedError"


def test_zeros_follow_the_first_array_argument_and_the_references_tuple_or_scalar():
    ns = load("zeros")
    x = np.arange(6, dtype=np.int16).reshape(2, 3)
    out = ns["pair"](2.0, x, 5, scale=3.0)              # first ARRAY argument, not first argument
    assert isinstance(out, tuple) and len(out) == 2     # the reference returns "out, cache"
    for value in out:
        assert value.shape == (2, 3) and value.dtype == np.int16 and not value.any()
    assert out[0] is not out[1]
    assert ns["score"](x, x) == 0.0 and isinstance(ns["score"](x, x), float)   # reference: float(...)
    model = ns["Model"](4)
    assert model.forward(np.ones((3, 2))).shape == (3, 2)
    assert ns["Model"].helper(1, np.ones(4)).tolist() == [0.0] * 4            # staticmethod: no self to skip
    assert ns["given"](1) == 2                                                # not graded: untouched


class TensorLike:
    """What the degenerate helpers use of a torch tensor: shape, dtype, new_full, clone,
    is_floating_point and float (torch's own tensors go through this path in ``cvgrade check``
    of the torch homeworks)."""

    def __init__(self, shape: tuple, dtype: str, value: float = 0.0):
        self.shape, self.dtype, self.value = shape, dtype, value

    def new_full(self, shape: tuple, value: float) -> TensorLike:
        return TensorLike(shape, self.dtype, value)

    def clone(self) -> TensorLike:
        return TensorLike(self.shape, self.dtype, self.value)

    def is_floating_point(self) -> bool:
        return self.dtype.startswith("float")

    def float(self) -> TensorLike:
        return TensorLike(self.shape, "float32", self.value)


@pytest.mark.parametrize("dtype, expected", [("float64", "float64"), ("int64", "float32")])
def test_ones_of_a_tensor_is_a_float_tensor_without_importing_torch_in_the_module(dtype, expected):
    source = degenerate_source(STUB, "ones", STUB_REFERENCE)
    assert "torch" not in source          # a module that may not import torch still handles tensors
    namespace: dict = {}
    exec(compile(source, "<degenerate>", "exec"), namespace)  # noqa: S102
    out = namespace["pair"](TensorLike((2, 5), dtype), 3)
    assert all(isinstance(v, TensorLike) and (v.shape, v.dtype, v.value) == ((2, 5), expected, 1.0) for v in out)
    assert out[0] is not out[1]
    zeros = load("zeros")["pair"](TensorLike((2, 5), "int64"), 3)
    assert [(v.dtype, v.value) for v in zeros] == [("int64", 0.0)] * 2      # zeros keeps the dtype


def test_ones_of_an_array_is_float64_of_its_shape():
    out = load("ones")["Model"](2).forward(np.arange(6, dtype=np.uint8).reshape(3, 2))
    assert out.dtype == np.float64 and out.shape == (3, 2) and (out == 1).all()


def test_identity_none_zero_and_raise():
    x = np.ones(3)
    assert load("identity")["pair"](x, 2) is x
    assert load("identity")["Model"](3).forward(x) is x          # the input, not self
    assert load("none")["pair"](x, 2) is None
    assert load("zero")["pair"](x, 2) == (0.0, 0.0)
    with pytest.raises(ValueError) as raised:
        load("raise")["pair"](x, "w-value", 7, scale=2.5, extra="e")
    for text in ("pair", "x=", "w='w-value'", "rest=(7,)", "scale=2.5", "options={'extra': 'e'}"):
        assert text in str(raised.value), str(raised.value)
    with pytest.raises(ValueError, match="width=5, depth=2"):
        load("raise")["Model"](5)


def test_init_keeps_its_super_call_and_returns_nothing():
    source = degenerate_source(STUB, "zeros", None)
    init = functions(source)["Model.__init__"]
    assert [ast.unparse(s) for s in init.body] == ["super().__init__()"]


def test_reference_return_shapes():
    shapes = return_shapes(STUB_REFERENCE + "\ndef many(x):\n    if x:\n        return 1, 2\n    return 3\n")
    assert (shapes["pair"].arity, shapes["score"].arity, shapes["many"].arity) == (2, 0, None)


def test_unknown_variant_and_unparsable_stub_are_named():
    with pytest.raises(DegenerateError, match="unknown degenerate variant 'half'"):
        degenerate_source(STUB, "half")
    with pytest.raises(DegenerateError, match="broken.py line 1: the stub does not parse"):
        degenerate_source("def f(:\n", "zeros", file_name="broken.py")


# -------------------------------------------------------------------------------------------
# cvgrade check on toy courses
# -------------------------------------------------------------------------------------------

STUB_TOY = '''
import numpy as np


def double(x):
    """Twice x, float64."""
    raise NotImplementedError("double: not implemented yet")


def add(a, b):
    raise NotImplementedError("add: not implemented yet")


def bad_arg(mode):
    raise NotImplementedError("bad_arg: not implemented yet")
'''

# The platform toy's bad_arg test checks only the error, so "raise everywhere" passes it;
# the sound course also asks for the valid call first.
SOUND_BAD_ARG = '''
@pytest.mark.points(1)
def test_bad_arg(hw):
    """bad_arg: a valid mode comes back, an invalid one is a ValueError naming mode"""
    assert hw.toy.bad_arg("a") == "a"
    assert_raises(ValueError, hw.toy.bad_arg, "c", mentions=["mode"])
'''

LEAKY_TEST = '''

@pytest.mark.points(1)
def test_double_is_linear(hw, rng):
    """double: double(a + b) == double(a) + double(b)"""
    a, b = rng.normal(size=(2, 4, 3))
    assert_close(hw.toy.double(a + b), hw.toy.double(a) + hw.toy.double(b))
'''


def make_course(root: Path, leaky: bool) -> Path:
    public = PUBLIC_TESTS[:PUBLIC_TESTS.index("@pytest.mark.points(1)\ndef test_bad_arg")] + SOUND_BAD_ARG.lstrip()
    hidden = HIDDEN_TESTS
    if leaky:   # 1 of triple's 3 points moves to the consistency-only test: still 10 in all
        hidden = hidden.replace("@pytest.mark.points(3)\ndef test_triple", "@pytest.mark.points(2)\ndef test_triple")
        hidden += LEAKY_TEST
    files = {"course.yaml": TOY_COURSE, "solutions/hw0/toy.py": TOY_REFERENCE,
             "solutions/hw0/other.py": OTHER_REFERENCE, "assignments/hw0/tests/test_toy.py": public,
             "solutions/hw0/tests/test_toy_hidden.py": hidden, "assignments/hw0/toy.py": STUB_TOY,
             "assignments/hw0/other.py": "def triple(x):\n    raise NotImplementedError\n"}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "assignments/hw0/pytest.ini").write_text(RELEASE_PYTEST_INI)
    shutil.copyfile(REPO / "constraints.txt", root / "constraints.txt")      # the course's pin list
    for package in ("autograder", "shared"):
        shutil.copytree(REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture(scope="module")
def leaky_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_course(tmp_path_factory.mktemp("leaky-course"), leaky=True)


def test_a_consistency_only_test_fails_check_and_is_named(leaky_root):
    proc = cvgrade("check", "hw0", root=leaky_root, timeout=240)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert f"<= {MAX_SHARE * 10:g} ({MAX_SHARE:.0%})" in out, out
    rows = {line.split(":")[0]: line for line in out.splitlines() if line.startswith("degenerate ")
            and "  " in line}
    assert set(rows) == {f"degenerate {v}" for v in VARIANTS}, out
    for variant in ("zeros", "identity"):            # 0 + 0 == 0 and a + b == a + b: paid 1 point
        assert rows[f"degenerate {variant}"].rstrip().endswith("FAIL"), out
        assert "1; paid by 1 test" in rows[f"degenerate {variant}"], out
        assert f"degenerate {variant} scored 1/10 (limit {MAX_SHARE * 10:g}), paid by:" in out, out
    for variant in ("zero", "ones", "raise", "none"):
        assert rows[f"degenerate {variant}"].rstrip().endswith("ok"), out
    paid = [line for line in out.splitlines() if line.startswith("  1/1")]
    assert len(paid) == 2 and all("double: double(a + b) == double(a) + double(b)" in line
                                  and "test_toy_hidden.py::test_double_is_linear" in line for line in paid), out


def test_a_sound_course_holds_every_degenerate_to_zero(tmp_path):
    root = make_course(tmp_path, leaky=False)
    proc = cvgrade("check", "hw0", "--only", "degenerate", root=root, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"degenerate submissions held to {MAX_SHARE:.0%} 6/6" in proc.stdout
    assert "reference" not in proc.stdout and "mutant " not in proc.stdout   # --only: nothing else graded
    assert proc.stdout.count("  hw0 degenerate ") == len(VARIANTS)
    assert all(f"  hw0 degenerate {v}: 0/10" in proc.stdout for v in VARIANTS), proc.stdout


def test_cold_workers_give_the_same_check_report(leaky_root):
    """check forks its gradings' workers from a fork server; --cold starts each one cold: same table."""
    warm = cvgrade("check", "hw0", root=leaky_root, timeout=240)
    cold = cvgrade("check", "hw0", "--cold", root=leaky_root, timeout=240)
    assert warm.returncode == cold.returncode == 1, warm.stdout + cold.stdout
    table = warm.stdout[warm.stdout.index("\nhw0: "):]            # after the progress lines (completion order)
    assert "reference scores full marks" in table and cold.stdout[cold.stdout.index("\nhw0: "):] == table


def test_an_unknown_only_is_one_line_and_exit_2(leaky_root):
    proc = cvgrade("check", "hw0", "--only", "mutantz", root=leaky_root, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == ["cvgrade: Invalid value for '--only': 'mutantz' is not 'degenerate'."]


@pytest.mark.parametrize("output, test_output, problem", [
    ("HW0 Toy: 0 / 10 points.\n- toy.py line 3 imports scipy, which this homework does not allow", "",
     "toy.py line 3 imports scipy"),
    ("HW0 Toy: 0 / 10 points.\n- note: ignored extra file", "importing toy.py failed with NameError: name 'np' "
     "is not defined\nmore", "importing toy.py failed with NameError: name 'np' is not defined"),
])
def test_a_variant_that_does_not_load_fails_instead_of_scoring_a_vacuous_zero(output, test_output, problem):
    from autograder.grading.outcome import Grading
    from autograder.quality.checks import _degenerate_row

    document = {"score": 0.0, "output": output,
                "tests": [{"name": "t", "number": "1", "score": 0.0, "max_score": 10.0, "output": test_output}]}
    row = _degenerate_row("degenerate zeros", Grading(document), 10)
    assert not row.ok and row.got.startswith("NOT A VALID VARIANT: ") and problem in row.got, row.got
    document["output"], document["tests"][0]["output"] = "HW0 Toy: 0 / 10 points.\n- note: ignored extra file", ""
    assert _degenerate_row("degenerate zeros", Grading(document), 10).ok
