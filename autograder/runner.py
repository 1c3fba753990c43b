"""Grading one submission: stage it, run the tests against the sandbox, collect results.

``grade`` is the one path every command takes (``cvgrade grade``, ``check``, ``batch`` and
Gradescope's ``run_autograder``): find the required files, check them statically, copy them
(and nothing else) into a fresh sandbox folder, run public and hidden tests with pytest in
this process (the worker holds the student code), and return ``Results``.
"""
from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from autograder import discovery
from autograder.config import Assignment, Course
from autograder.plugin import GraderBackend, GraderPlugin
from autograder.results import Results, TestResult, failure_results
from autograder.sandbox import Sandbox, SandboxSettings, become_subreaper, prepare_folders, sandbox_user
from shared.modules import ReferenceModules, load_private
from shared.source_checks import module_problem

SANDBOX_PROCESSES = 64     # RLIMIT_NPROC of the sandbox uid: enough for torch's threads, not a fork bomb


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
        problem = module_problem(name, source, assignment.forbidden_imports.get(name, []))
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
          only_module: str | None = None, skip_training: bool = False, hide: tuple[Path, ...] = (),
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

    user = sandbox_user()
    become_subreaper()
    with tempfile.TemporaryDirectory(prefix="cvgrade-") as tmp, \
            tempfile.TemporaryDirectory(prefix="cvgrade-sandbox-") as sandbox_tmp:
        work = Path(tmp)                     # the grader's: 0700, never visible to the worker
        problems = _stage(assignment, submission, Path(sandbox_tmp) / "submission")
        submission_dir, runtime_dir = prepare_folders(Path(sandbox_tmp), user[0] if user else None)
        probes = public_tests_dir(root, hw) / "probes.py"
        limits = assignment.limits
        sandbox = Sandbox(SandboxSettings(
            submission_dir=submission_dir, runtime_dir=runtime_dir,
            per_call_s=limits.per_call_s, memory_bytes=limits.memory_mb << 20, cpu_s=limits.cpu_s,
            processes=SANDBOX_PROCESSES, forbidden={f[:-3]: names for f, names in assignment.forbidden_imports.items()},
            probes=probes if probes.is_file() else None, uid=user[0] if user else None,
            gid=user[1] if user else None, hide=[reference_dir(root, hw).parent, *hide],
        ))
        broken = sandbox.canary()
        if broken is not None:
            sandbox.close()
            return failure_results(f"GRADER ERROR: the sandbox could not run known-good code, so your submission "
                                   f"was not graded (this is not your fault; the staff will regrade). {broken}",
                                   time.monotonic() - started)
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
            with _pytest_environment(), _stop_on_sigterm() as stopped, open(os.devnull, "w") as devnull, \
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
    if stopped:
        results.complete = False
        for record in unreported:
            record.output = "not run: grading was stopped (SIGTERM) before this test"
            results.tests.append(record)
        unreported = []
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
    if stopped:
        lines.insert(0, "INCOMPLETE: grading was stopped (SIGTERM) before all tests ran; the tests not run "
                        "score 0 here. The staff will regrade.")
    lines.append(isolation_note(sandbox))
    results.output = "\n".join(lines)
    return results


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[list[bool]]:
    """Turn SIGTERM into a clean stop of pytest (partial results kept, flagged incomplete)."""
    stopped: list[bool] = []

    def handler(signum: int, frame: object) -> None:
        stopped.append(True)
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:          # not the main thread: leave signals alone
        yield stopped
        return
    try:
        yield stopped
    finally:
        signal.signal(signal.SIGTERM, previous)


def isolation_note(sandbox: Sandbox) -> str:
    """One line saying how the student code was isolated in this run."""
    iso = sandbox.isolation
    if sandbox.settings.uid is not None and "isolation_error" not in iso:
        extras = [name for key, name in (("mount_namespace", "grader files hidden"),
                                         ("network_namespace", "no network")) if iso.get(key)]
        return (f"Isolation: your code ran as an unprivileged user in a separate, resource-limited process "
                f"({', '.join(extras) or 'no namespaces'}).")
    if "isolation_error" in iso:
        return (f"Isolation: your code ran as an unprivileged user in a separate, resource-limited process; "
                f"namespaces were not available ({iso['isolation_error'][:120]}).")
    return ("Isolation: your code ran in a separate, resource-limited process only (no privilege drop: the "
            "grader was not run as root).")
