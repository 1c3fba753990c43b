"""Grading one submission: stage it, run the tests against the sandbox, collect results.

``grade`` is the one path every command takes (``cvgrade grade``, ``check``, ``batch`` and
Gradescope's ``run_autograder``): find the required files, check them statically, copy them
(and nothing else) into a fresh sandbox folder, run public and hidden tests with pytest in
this process (the worker holds the student code), and return ``Results``.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from autograder import discovery, guards
from autograder.config import Assignment, Course
from autograder.plugin import GraderBackend, GraderPlugin
from autograder.results import Results, TestResult
from autograder.sandbox import Sandbox, SandboxSettings
from shared.modules import ReferenceModules, load_private


def public_tests_dir(root: Path, hw: str) -> Path:
    return root / "assignments" / hw / "tests"


def hidden_tests_dir(root: Path, hw: str) -> Path:
    return root / "solutions" / hw / "tests"


def reference_dir(root: Path, hw: str) -> Path:
    return root / "solutions" / hw


@contextlib.contextmanager
def _pytest_environment() -> Iterator[None]:
    """No third-party plugins auto-loaded into the grader's pytest."""
    saved = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = saved


def _stage(assignment: Assignment, submission: discovery.Submission, folder: Path) -> dict[str, str]:
    """Write the usable module files into ``folder``; return {module: why it cannot be used}."""
    problems: dict[str, str] = {}
    folder.mkdir(parents=True)
    for name in assignment.files:
        module = name[:-3]
        if name in submission.missing:
            problems[module] = f"{name} was not found in your submission"
            continue
        source = submission.files[name]
        problem = guards.module_problem(name, source, assignment.forbidden_imports.get(name, []))
        if problem is not None:
            problems[module] = problem
            continue
        (folder / name).write_bytes(source)
    return problems


def test_targets(root: Path, hw: str, *, public_only: bool = False, only_module: str | None = None) -> list[str]:
    """Test folders (or, for ``only_module``, its files ``test_<module>*.py``) to run."""
    folders = [public_tests_dir(root, hw)]
    if not public_only and hidden_tests_dir(root, hw).is_dir():
        folders.append(hidden_tests_dir(root, hw))
    if only_module is not None:
        files = [str(f) for folder in folders for f in sorted(folder.glob(f"test_{only_module}*.py"))]
        if files:
            return files
    return [str(f) for f in folders]


def grade(course: Course, root: Path, hw: str, submission_paths: list[Path], *, public_only: bool = False,
          only_module: str | None = None, skip_training: bool = False,
          on_update: Callable[[Results], None] | None = None) -> Results:
    """Grade ``submission_paths`` for homework ``hw`` with the tests and reference under ``root``.

    ``only_module`` and ``skip_training`` narrow the run for ``cvgrade check``'s mutants
    (tests of one module; no training probes); a real grading never sets them.
    """
    assignment = course.assignment(hw)
    root = Path(root).resolve()
    started = time.monotonic()
    submission = discovery.collect([Path(p) for p in submission_paths], assignment.files)
    results = Results()

    def updated(record: TestResult) -> None:
        results.tests.append(record)
        results.execution_time = time.monotonic() - started
        if on_update is not None:
            on_update(results)

    with tempfile.TemporaryDirectory(prefix="cvgrade-") as tmp:
        work = Path(tmp)
        problems = _stage(assignment, submission, work / "sandbox" / "submission")
        probes = public_tests_dir(root, hw) / "probes.py"
        limits = assignment.limits
        sandbox = Sandbox(SandboxSettings(
            submission_dir=work / "sandbox" / "submission", runtime_dir=work / "sandbox" / "runtime",
            per_call_s=limits.per_call_s, memory_bytes=limits.memory_mb << 20, cpu_s=limits.cpu_s,
            forbidden={f[:-3]: names for f, names in assignment.forbidden_imports.items()},
            probes=probes if probes.is_file() else None,
        ))
        backend = GraderBackend(
            sandbox, assignment.modules, problems,
            load_reference=lambda: ReferenceModules(
                load_private(reference_dir(root, hw), assignment.modules, f"_cvgrade_ref_{hw}"),
                probes if probes.is_file() else None))
        plugin = GraderPlugin(backend, public_tests_dir(root, hw), assignment.visibility.hidden,
                              assignment.visibility.public, limits.total_s, updated)
        (work / "pytest.ini").write_text("[pytest]\n")
        targets = test_targets(root, hw, public_only=public_only, only_module=only_module)
        if skip_training:
            targets += ["-m", "not training"]
        args = [*targets, "-c", str(work / "pytest.ini"), "--rootdir", str(root), "--noconftest",
                "--assert=plain", "--import-mode=importlib", "-p", "no:cacheprovider", "-p", "no:stepwise",
                "-p", "shared.pytest_plugin", "-q", "--no-header", "--tb=no", "-o", "python_files=test_*.py",
                "-o", "console_output_style=classic", "-W", "ignore::DeprecationWarning"]
        try:
            with _pytest_environment(), open(os.devnull, "w") as devnull, \
                    contextlib.redirect_stdout(devnull):
                import pytest
                pytest.main(args, plugins=[plugin])
        finally:
            sandbox.close()

    results.execution_time = time.monotonic() - started
    order = {nodeid: i for i, nodeid in enumerate(plugin.records)}
    results.tests.sort(key=lambda t: order.get(t.nodeid, 0))
    results.leaderboard = plugin.leaderboard
    unreported = [r for nodeid, r in plugin.records.items() if r not in results.tests]
    lines = [f"{hw.upper()} {assignment.title}: {results.score:g} / {results.max_score:g} points "
             f"({sum(t.passed for t in results.tests)} of {len(results.tests)} tests passed)."]
    lines += [f"- {problems[m]}" for m in assignment.modules if m in problems]
    lines += [f"- note: {n}" for n in submission.notes]
    if plugin.collection_errors or unreported:
        results.grader_error = True
        results.complete = False
        lines.insert(0, "GRADER ERROR: some tests could not be run; this is not your fault. The course staff "
                        "has been notified by this message; your score may change after a regrade.")
        lines += [f"- grader: {e}" for e in plugin.collection_errors[:5]]
        lines += [f"- grader: no result for {r.nodeid}" for r in unreported[:5]]
    lines.append(isolation_note(sandbox))
    results.output = "\n".join(lines)
    return results


def isolation_note(sandbox: Sandbox) -> str:
    """One line saying how the student code was isolated in this run."""
    if sandbox.settings.uid is not None:
        return "Isolation: your code ran as an unprivileged user in a separate, resource-limited process."
    return ("Isolation: your code ran in a separate, resource-limited process (no privilege drop: "
            "the grader was not run as root).")
