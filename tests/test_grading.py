"""Grading through the sandbox: exact scores for correct, incomplete and broken submissions.

Each case grades a small submission of the toy course (10 points: toy.double 2+3, toy.add 1,
toy.bad_arg 1, other.triple 3) in a real `cvgrade grade` process and checks the exact score,
that results.json is valid, and what the student is told.
"""
from __future__ import annotations

import shutil
import time

import pytest
from platform_helpers import OTHER_REFERENCE, TOY_REFERENCE, TOY_STUB, grade_sources


def by_name(document: dict) -> dict[str, dict]:
    return {t["name"]: t for t in document["tests"]}


def test_reference_scores_full_marks(toy_root, tmp_path):
    doc = grade_sources(toy_root, tmp_path, {"toy.py": TOY_REFERENCE, "other.py": OTHER_REFERENCE})
    assert doc["score"] == 10
    assert all(t["status"] == "passed" for t in doc["tests"])
    visibilities = {t["name"]: t["visibility"] for t in doc["tests"]}
    assert visibilities["double: a small array"] == "visible"
    assert visibilities["double: random input"] == "after_published"


def test_stubs_score_zero_with_clear_messages(toy_root, tmp_path):
    other = "def triple(x):\n    raise NotImplementedError\n"
    doc = grade_sources(toy_root, tmp_path, {"toy.py": TOY_STUB, "other.py": other})
    assert doc["score"] == 0
    message = by_name(doc)["double: a small array"]["output"]
    assert "toy.double(float64[3]) raised NotImplementedError: double: not implemented yet" in message


def test_missing_file_costs_only_its_tests(toy_root, tmp_path):
    doc = grade_sources(toy_root, tmp_path, {"toy.py": TOY_REFERENCE})
    assert doc["score"] == 7
    assert "other.py was not found in your submission" in by_name(doc)["triple: an integer"]["output"]
    assert "other.py was not found" in doc["output"]


def test_syntax_error_in_one_module_names_line(toy_root, tmp_path):
    doc = grade_sources(toy_root, tmp_path, {"toy.py": TOY_REFERENCE, "other.py": "def triple(x)\n    return 3 * x\n"})
    assert doc["score"] == 7
    assert "other.py line 1: SyntaxError" in by_name(doc)["triple: an integer"]["output"]


def test_exception_at_import(toy_root, tmp_path):
    doc = grade_sources(toy_root, tmp_path, {"toy.py": "raise RuntimeError('boom at import')\n",
                                             "other.py": OTHER_REFERENCE})
    assert doc["score"] == 3
    assert "importing toy.py failed with RuntimeError: boom at import" in by_name(doc)["add: two numbers"]["output"]


def test_loop_at_import_times_out_once(toy_root, tmp_path):
    started = time.monotonic()
    doc = grade_sources(toy_root, tmp_path, {"toy.py": "while True:\n    pass\n", "other.py": OTHER_REFERENCE})
    assert doc["score"] == 3
    assert time.monotonic() - started < 15      # one 2 s timeout, not one per test
    assert "did not finish within 2 s" in by_name(doc)["double: a small array"]["output"]


@pytest.mark.parametrize("body, expected_message", [
    ("return [0.0, 2.0, 4.0]", "expected a numpy.ndarray, got list"),
    ("return np.asarray(x, dtype=np.float32) * 2", "expected dtype float64, got dtype float32"),
    ("return np.full(np.shape(x), np.nan)", "NaN or infinite"),
    ("return (2 * np.asarray(x, dtype=float))[None]", "expected shape (3,), got shape (1, 3)"),
    ("import sys; sys.exit(0)", "raised SystemExit"),
    ("raise KeyboardInterrupt", "raised KeyboardInterrupt"),
])
def test_wrong_returns_fail_only_their_tests(toy_root, tmp_path, body, expected_message):
    source = TOY_REFERENCE.replace("return 2 * np.asarray(x, dtype=np.float64)", body)
    doc = grade_sources(toy_root, tmp_path, {"toy.py": source, "other.py": OTHER_REFERENCE})
    assert doc["score"] == 5
    assert expected_message in by_name(doc)["double: a small array"]["output"]


def test_hard_exit_replaces_worker(toy_root, tmp_path):
    source = TOY_REFERENCE.replace("return 2 * np.asarray(x, dtype=np.float64)", "import os; os._exit(3)")
    doc = grade_sources(toy_root, tmp_path, {"toy.py": source, "other.py": OTHER_REFERENCE})
    assert doc["score"] == 5
    assert "ended unexpectedly (exit status 3)" in by_name(doc)["double: a small array"]["output"]


def test_infinite_loop_in_one_function(toy_root, tmp_path):
    source = TOY_REFERENCE.replace("return a + b", "while True:\n        pass")
    started = time.monotonic()
    doc = grade_sources(toy_root, tmp_path, {"toy.py": source, "other.py": OTHER_REFERENCE})
    assert doc["score"] == 9
    assert time.monotonic() - started < 15
    assert "per-call time limit" in by_name(doc)["add: two numbers"]["output"]


def test_forbidden_import_scores_zero_for_that_module(toy_root, tmp_path):
    source = "import numpy as np\nfrom scipy import signal\n" + TOY_REFERENCE
    doc = grade_sources(toy_root, tmp_path, {"toy.py": source, "other.py": OTHER_REFERENCE})
    assert doc["score"] == 3
    assert "toy.py line 2 imports scipy" in by_name(doc)["add: two numbers"]["output"]


def test_dynamic_forbidden_import_is_refused_in_the_worker(toy_root, tmp_path):
    source = TOY_REFERENCE.replace("return a + b", "mod = 'sci' + 'py'\n    __import__(mod)\n    return a + b")
    doc = grade_sources(toy_root, tmp_path, {"toy.py": source, "other.py": OTHER_REFERENCE})
    assert doc["score"] == 9
    assert "may not import scipy" in by_name(doc)["add: two numbers"]["output"]


def test_importlib_forbidden_import_is_refused_in_the_worker(toy_root, tmp_path):
    source = TOY_REFERENCE.replace("return a + b", "import importlib, sys\n    sys._getframe = None\n"
                                   "    importlib.import_module('sci' + 'py.linalg')\n    return a + b")
    doc = grade_sources(toy_root, tmp_path, {"toy.py": source, "other.py": OTHER_REFERENCE})
    assert doc["score"] == 9
    assert "may not import scipy" in by_name(doc)["add: two numbers"]["output"]


TORCH_BY_THE_BACK_DOOR = TOY_REFERENCE.replace("def add(a, b):\n    return a + b", """
def add(a, b):
    import importlib
    T = importlib.import_module("to" + "rch")      # already in sys.modules: no finder is asked
    return float(T.tensor(a) + T.tensor(b))


def as_array(t):
    return np.asarray(t)                           # reading out a tensor another module hands over
""").replace("    return 2 * np.asarray(x, dtype=np.float64)", """    import other
    return other.torch.from_numpy(np.asarray(x, dtype=np.float64)).mul(2).numpy()""")

TORCH_ALLOWED_HERE = """
import torch

import toy


def triple(x):
    return 3 * float(toy.as_array(torch.tensor(float(x))))
"""


def test_torch_loaded_for_another_module_computes_nothing_for_a_module_that_may_not_import_it(toy_root, tmp_path):
    """other.py may use torch, toy.py may not: torch, in the worker for other.py, refuses every
    operation while a toy.py function runs (the import_module and other.torch routes), while
    other.py keeps torch and toy.py may still read out a tensor other.py hands it."""
    course = tmp_path / "course"
    shutil.copytree(toy_root, course)
    config = course / "course.yaml"
    config.write_text(config.read_text().replace("forbidden_imports: {toy.py: [scipy]}",
                                                 "forbidden_imports: {toy.py: [scipy, torch]}"))
    doc = grade_sources(course, tmp_path / "grading",
                        {"toy.py": TORCH_BY_THE_BACK_DOOR, "other.py": TORCH_ALLOWED_HERE})
    tests = by_name(doc)
    # Which refusal a test meets depends on whether other.py (and so torch) is loaded when it
    # runs: both say the same first words (each one is pinned in-process below).
    for name in ("add: two numbers", "double: a small array", "double: random input"):
        assert tests[name]["score"] == 0, (name, tests[name])
        assert "toy.py may not use torch in this homework" in tests[name]["output"], tests[name]["output"]
    assert tests["triple: an integer"]["score"] == 3, tests["triple: an integer"]["output"]
    assert doc["score"] == 4


def test_torch_refusal_in_process_mode_conversions_and_imports():
    """The worker's TorchRefusal on a module made here: with torch loaded, an operation inside a
    wrapped function raises and reading out a tensor does not; torch stays usable outside."""
    import types

    import numpy as np
    import torch

    from autograder.isolation import worker

    module = types.ModuleType("numonly")
    module.__file__ = "/submission/numonly.py"
    exec("import numpy as np\n"
         "def read(t):\n    return np.asarray(t) * 2\n"
         "def compute(x, T):\n    return T.relu(T.from_numpy(x)).numpy()\n"
         "class Helper:\n    @staticmethod\n    def compute(x, T):\n        return compute(x, T)\n", vars(module))
    guard = types.SimpleNamespace(forbidden={"numonly": ["torch"]}, files={module.__file__: "numonly"})
    refusal = worker.TorchRefusal(guard)
    refusal.wrap_module(module)
    assert module.read(torch.ones(3)).tolist() == [2.0, 2.0, 2.0]
    for call in (module.compute, module.Helper.compute):
        with pytest.raises(ModuleNotFoundError, match=r"numonly.py may not use torch in this homework "
                                                      r"\(it called torch's relu\)"):
            call(np.ones(2), torch)
        assert refusal.running == ""
    assert torch.relu(torch.ones(1)).item() == 1.0          # outside a wrapped call: torch as ever


def test_a_forbidden_package_imported_through_a_library_on_the_students_behalf_is_refused(toy_root, tmp_path):
    """A standard-library function called by student code imports for the student (pydoc.locate,
    pkgutil's loader): refused. A third-party library importing an optional package on its own
    while student code runs (torch.optim probing for and importing packages) is not: hw1's
    training probes prove that one (`cvgrade check hw1`)."""
    attacks = ["__import__('pydoc').locate('sci' + 'py.signal')",
               "__import__('pkgutil').find_loader('sci' + 'py').load_module('sci' + 'py')"]
    for number, attack in enumerate(attacks):
        source = TOY_REFERENCE.replace("return a + b", "import warnings\n"
                                                       "    warnings.simplefilter('ignore')\n"
                                                       "    try:\n"
                                                       f"        stolen = {attack}\n"
                                                       "    except ImportError:\n"
                                                       "        stolen = None\n"
                                                       "    return a + b if stolen is None else -1.0")
        doc = grade_sources(toy_root, tmp_path / str(number), {"toy.py": source, "other.py": OTHER_REFERENCE})
        assert doc["score"] == 10, (attack, by_name(doc)["add: two numbers"]["output"])


def test_student_output_is_captured_and_capped(toy_root, tmp_path):
    source = TOY_REFERENCE.replace("return a + b", "print('x' * 100_000)\n    return a + b")
    doc = grade_sources(toy_root, tmp_path, {"toy.py": source, "other.py": OTHER_REFERENCE})
    assert doc["score"] == 10
    output = by_name(doc)["add: two numbers"]["output"]
    assert "Your code printed" in output and "more bytes of output not shown" in output
    assert len(output) <= 10_000


def test_hidden_failures_do_not_reveal_expected_values(toy_root, tmp_path):
    source = TOY_REFERENCE.replace("return 2 * np.asarray(x, dtype=np.float64)",
                                   "return 2 * np.asarray(x, dtype=np.float64) + 0.5")
    doc = grade_sources(toy_root, tmp_path, {"toy.py": source, "other.py": OTHER_REFERENCE})
    public = by_name(doc)["double: a small array"]["output"]
    hidden = by_name(doc)["double: random input"]["output"]
    assert "expected 0.0, got 0.5" in public
    assert "max abs error 0.5" in hidden and "expected" not in hidden.split("tolerance")[-1]


def test_grading_is_deterministic(toy_root, tmp_path):
    source = TOY_REFERENCE.replace("return 2 * np.asarray(x, dtype=np.float64)",
                                   "return 2 * np.asarray(x, dtype=np.float64) + np.random.rand() * 1e-12")
    first = grade_sources(toy_root, tmp_path / "a", {"toy.py": source, "other.py": OTHER_REFERENCE})
    second = grade_sources(toy_root, tmp_path / "b", {"toy.py": source, "other.py": OTHER_REFERENCE})
    assert [t["output"] for t in first["tests"]] == [t["output"] for t in second["tests"]]
