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

from autograder.course.layout import Homework
from autograder.grading import discovery
from autograder.grading.plugin import GraderBackend, GraderPlugin
from autograder.grading.results import Results, TestResult, failure_results
from autograder.isolation.cgroups import GradingCgroups
from autograder.isolation.cleanup import remove_tree
from autograder.isolation.client import Sandbox, SandboxSettings
from autograder.isolation.processes import become_subreaper
from autograder.isolation.users import prepare_folders, sandbox_user
from shared import disclosure
from shared.modules import ReferenceModules, load_private
from shared.source_checks import module_problem

SANDBOX_PROCESSES = 64     # RLIMIT_NPROC of the sandbox uid: enough for torch's threads, not a fork bomb


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


def _stage(homework: Homework, submission: discovery.Submission, folder: Path) -> dict[str, str]:
    """Write the usable module files into ``folder``; return {module: why it cannot be used}."""
    problems: dict[str, str] = {}
    folder.mkdir(parents=True)
    for name in homework.files:
        module = name[:-3]
        if name in submission.missing:
            problems[module] = f"{name} was not found in your submission"
            continue
        source = submission.files[name]
        problem = module_problem(name, source, homework.assignment.forbidden_imports.get(name, []))
        if problem is not None:
            problems[module] = problem
            continue
        (folder / name).write_bytes(source)
    return problems


def test_targets(homework: Homework, *, public_only: bool = False, only_module: str | None = None) -> list[str]:
    """Test folders (or, for ``only_module``, its files ``test_<module>*.py``) to run."""
    folders = [homework.public_tests]
    if not public_only and homework.hidden_tests.is_dir():
        folders.append(homework.hidden_tests)
    if only_module is not None:
        files = [str(f) for folder in folders for f in sorted(folder.glob(f"test_{only_module}*.py"))]
        if files:
            return files
    return [str(f) for f in folders]


def grade(homework: Homework, submission_paths: list[Path], *, public_only: bool = False,
          only_module: str | None = None, skip_training: bool = False, hide: tuple[Path, ...] = (),
          on_update: Callable[[Results], None] | None = None) -> Results:
    """Grade ``submission_paths`` (a folder, a zip or module files) with ``homework``'s tests and reference.

    ``only_module`` and ``skip_training`` narrow the run for ``cvgrade check``'s mutants
    (tests of one module; no training probes); a real grading never sets them.
    """
    started = time.monotonic()
    submission = discovery.collect([Path(p) for p in submission_paths], [*homework.files, disclosure.FILE_NAME])
    results = Results()

    def updated(record: TestResult) -> None:
        results.tests.append(record)
        results.execution_time = time.monotonic() - started
        if on_update is not None:
            on_update(results)

    user = sandbox_user()
    become_subreaper()
    cgroups = GradingCgroups(homework.limits.memory_mb << 20, SANDBOX_PROCESSES)
    cgroups.create()
    try:
        # Removed with remove_tree, never shutil.rmtree: student code wrote into the sandbox
        # folder (a tree thousands deep, modes it removed) and clean-up must not raise.
        work, sandbox_tmp = Path(tempfile.mkdtemp(prefix="cvgrade-")), Path(tempfile.mkdtemp(prefix="cvgrade-sandbox-"))
        try:
            return _grade_in(homework, submission, results, updated, started, user, cgroups, work, sandbox_tmp,
                             public_only=public_only, only_module=only_module, skip_training=skip_training, hide=hide)
        finally:
            remove_tree(sandbox_tmp)
            remove_tree(work)
    finally:
        cgroups.remove()


def canary_secrets(homework: Homework, work: Path, hide: tuple[Path, ...] = ()) -> list[Path]:
    """What student code must not read: a private marker, the reference, the hidden tests, the
    course's .git and build output, and the other folders the grader keeps to itself."""
    marker = work / "canary-marker"
    marker.write_text("cvgrade canary: a sandbox that can read this file can read the grader's\n")
    os.chmod(marker, 0o600)
    root = homework.root
    found = [marker, homework.reference]
    found += sorted(homework.reference.glob("*.py"))[:3]
    found += sorted(homework.hidden_tests.glob("test_*.py"))[:3]
    for name in (".git", ".git/HEAD", ".git/config", "dist", "solutions"):
        if (root / name).exists():
            found.append(root / name)
    if (root / "dist").is_dir():
        found += sorted((root / "dist").glob("*.zip"))[:3]
    found += [Path(p) for p in hide if Path(p).exists()]
    return found


def _grade_in(homework: Homework, submission: discovery.Submission, results: Results,
              updated: Callable[[TestResult], None], started: float, user: tuple[int, int] | None,
              cgroups: GradingCgroups, work: Path, sandbox_root: Path, *, public_only: bool,
              only_module: str | None, skip_training: bool, hide: tuple[Path, ...]) -> Results:
    problems = _stage(homework, submission, sandbox_root / "submission")
    submission_dir, runtime_dir = prepare_folders(sandbox_root, user[0] if user else None)
    probes, limits, assignment = homework.probes, homework.limits, homework.assignment
    sandbox = Sandbox(SandboxSettings(
        submission_dir=submission_dir, runtime_dir=runtime_dir,
        per_call_s=limits.per_call_s, memory_bytes=limits.memory_mb << 20, cpu_s=limits.cpu_s,
        processes=SANDBOX_PROCESSES, forbidden={f[:-3]: names for f, names in assignment.forbidden_imports.items()},
        probes=probes, uid=user[0] if user else None,
        gid=user[1] if user else None, private=[homework.root, work, *hide], view_dir=sandbox_root / "view",
        tmp_dir=sandbox_root / "tmp", cgroups=cgroups.folders,
        namespaces=os.environ.get("CVGRADE_NAMESPACES", "auto"),
    ))
    broken = sandbox.canary(["numpy", "torch"] if homework.uses_torch else ["numpy"],
                            canary_secrets(homework, work, hide))
    if broken is not None:
        sandbox.close()
        failed = failure_results(f"GRADER ERROR: the sandbox is not safe or cannot run known-good code, so your "
                                 f"submission was not graded (this is not your fault; the staff will regrade). "
                                 f"{broken}", time.monotonic() - started)
        failed.isolation = isolation_info(sandbox, cgroups)
        return failed
    backend = GraderBackend(
        sandbox, homework.modules, problems,
        load_reference=lambda: ReferenceModules(
            load_private(homework.reference, homework.modules, f"_cvgrade_ref_{homework.id}"), probes))
    plugin = GraderPlugin(backend, homework.public_tests, assignment.visibility.hidden,
                          assignment.visibility.public, limits.total_s, updated)
    (work / "pytest.ini").write_text("[pytest]\n")
    targets = test_targets(homework, public_only=public_only, only_module=only_module)
    if skip_training:
        targets += ["-m", "not training"]
    # no:unraisableexception / no:threadexception: student code runs in the worker, never in
    # this process, and each of them ends the session with two full gc.collect() passes over
    # everything torch loaded (a third of the CPU of a short grading, e.g. a mutant's).
    args = [*targets, "-c", str(work / "pytest.ini"), "--rootdir", str(homework.root), "--noconftest",
            "--assert=plain", "--import-mode=importlib", "-p", "no:cacheprovider", "-p", "no:stepwise",
            "-p", "no:unraisableexception", "-p", "no:threadexception",
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
    lines = [f"{homework.id.upper()} {homework.title}: {results.score:g} / {results.max_score:g} points "
             f"({sum(t.passed for t in results.tests)} of {len(results.tests)} tests passed)."]
    lines += [f"- {problems[m]}" for m in homework.modules if m in problems]
    lines += [f"- note: {n}" for n in submission.notes]
    lines += disclosure.grader_lines(submission.files, homework.course.collaboration.missing_disclosure)
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
    results.isolation = isolation_info(sandbox, cgroups)
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


_MODES = {
    "namespaces": "its own view of the file system (the Python installation read-only, its own files, a private "
                  "/tmp), its own process, IPC and network namespaces",
    "user-namespace": "its own view of the file system (the Python installation read-only, its own files, a private "
                      "/tmp), its own process, IPC and network namespaces inside a user namespace",
    "uid-only": "no namespaces (the machine refused them): only file permissions kept it from the grader's files, "
                "which the self-test proved unreadable",
    "none": "NO isolation from the grading user's files (not root and no user namespaces on this machine)",
}


def isolation_info(sandbox: Sandbox, cgroups: GradingCgroups) -> dict:
    """How this grading isolated student code, for results and for batch (``Results.isolation``).

    ``isolated_from_other_gradings`` is False only in mode "none": then concurrent gradings
    (``batch -j``) share one uid and each could read or disturb the others.
    """
    iso = sandbox.isolation
    mode = iso.get("mode", "unknown")
    return {"mode": mode, "uid": sandbox.worker_uid, "dropped_privileges": sandbox.settings.uid is not None,
            "isolated_from_other_gradings": mode in ("namespaces", "user-namespace", "uid-only"),
            "grading_limits": list(cgroups.applied) or ["per-process rlimits only"],
            "errors": list(iso.get("errors", []))[:3], "exposed": list(iso.get("exposed", []))[:5]}


def isolation_note(sandbox: Sandbox) -> str:
    """One line saying how the student code was isolated in this run."""
    iso = sandbox.isolation
    mode = iso.get("mode", "unknown")
    who = "as an unprivileged user" if sandbox.settings.uid is not None else "without privileges"
    note = (f"Isolation ({mode}): your code ran {who} in a separate, resource-limited process with "
            f"{_MODES.get(mode, mode)}.")
    if mode == "none":
        note += " Other submissions graded at the same time were not isolated from one another."
    return note
