"""Grading many submissions: the one scheduler behind ``cvgrade check`` and ``cvgrade batch``.

Every grading runs in a child process of its own, ``parallel`` at a time, under a deadline,
and does exactly what ``cvgrade grade`` does (``runner.grade``: its own uid lease, sandbox and
worker). Two ways to start the child:

* ``fork`` (check): a fork of this process, which has imported numpy, pytest (and torch)
  once and nothing else: it never imports a test module, the reference or student code.
  Dozens of gradings of the course's own variants then skip most of their start-up.
* ``process`` (batch): a fresh interpreter, ``cvgrade grade-one``, for students'
  submissions: nothing one grading leaves in memory can reach the next.

Either way the child writes its ``Grading`` as JSON; a child that cannot start, crashes, is killed or
overruns its deadline yields a "grader error" ``Grading`` that says so. The parent must be
single-threaded when it forks (it is: a plain polling loop).
"""
from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from autograder.course.layout import Homework
from autograder.grading.outcome import Grading
from shared.threads import one_thread_by_default

Mode = Literal["fork", "process"]
TERM_GRACE_S = 15.0         # after SIGTERM (partial results are written), before SIGKILL
_POLL_S = 0.05


@dataclass(frozen=True)
class Job:
    """One grading to run: a key for the caller, the submission, and check's narrowing options."""

    key: str
    submission: tuple[Path, ...]
    only_module: str | None = None      # run only this module's test files (a mutant changes one module)
    skip_training: bool = False         # leave out tests marked ``training``


def default_timeout(homework: Homework) -> float:
    """Wall-clock seconds a whole grading may take: the tests' budget plus start-up and slack."""
    return homework.limits.total_s * 1.5 + 120


def warm_up(uses_torch: bool) -> None:
    """Import what every grading needs, once, in the parent (one math thread, as the worker has)."""
    one_thread_by_default()
    import numpy  # noqa: F401
    import pytest  # noqa: F401

    import autograder.grading.runner  # noqa: F401
    import shared.pytest_plugin  # noqa: F401

    if uses_torch:
        try:
            import torch

            torch.set_num_threads(1)
        except ImportError:
            pass


@dataclass
class _Child:
    job: Job
    pid: int
    out: Path
    stderr: Path | None
    started: float
    deadline: float
    terminated: bool = False


def grade_many(homework: Homework, jobs: Iterable[Job], *, parallel: int = 1, mode: Mode = "fork",
               timeout_s: float | None = None, env: dict[str, str] | None = None,
               on_done: Callable[[Job, Grading], None] | None = None) -> dict[str, Grading]:
    """Grade every job, ``parallel`` at a time; {job key: its Grading}, in completion order.

    ``env`` is the environment of ``process`` children (default: this one's). A grading past
    ``timeout_s`` gets SIGTERM (it stops its tests and reports what ran, flagged incomplete),
    then SIGKILL after ``TERM_GRACE_S``.
    """
    timeout_s = default_timeout(homework) if timeout_s is None else timeout_s
    if mode == "fork":
        warm_up(homework.uses_torch)
    pending = list(jobs)
    running: list[_Child] = []
    outcomes: dict[str, Grading] = {}
    with tempfile.TemporaryDirectory(prefix="cvgrade-many-") as tmp:
        for index in range(len(pending) + 1):
            while running and (len(running) >= max(1, parallel) or index == len(pending)):
                for child, status in _wait_some(running):
                    running.remove(child)
                    grading = _collect(child, status, timeout_s)
                    outcomes[child.job.key] = grading
                    if on_done is not None:
                        on_done(child.job, grading)
            if index == len(pending):
                break
            job, out = pending[index], Path(tmp) / f"{index}.json"
            started = time.monotonic()
            try:
                if mode == "fork":
                    running.append(_fork(homework, job, out, timeout_s))
                else:
                    running.append(_spawn(homework, job, out, Path(tmp) / f"{index}.err", timeout_s, env))
            except OSError as err:      # EAGAIN/ENOMEM (a process limit), a missing interpreter
                # This submission's grading is spoiled (never cached; a rerun regrades it); the rest go on.
                grading = Grading.failed("grader error", f"could not start the grading process: {err}",
                                         time.monotonic() - started)
                outcomes[job.key] = grading
                if on_done is not None:
                    on_done(job, grading)
    return outcomes


def _fork(homework: Homework, job: Job, out: Path, timeout_s: float) -> _Child:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _graded_in_child(homework, job, out)
    now = time.monotonic()
    return _Child(job, pid, out, None, now, now + timeout_s)


def _graded_in_child(homework: Homework, job: Job, out: Path) -> None:
    """The forked child: grade, write the outcome, leave without running the parent's exit code."""
    from autograder.errors import UserError
    from autograder.grading.runner import grade

    code = 0
    started = time.monotonic()
    try:
        results = grade(homework, list(job.submission), only_module=job.only_module,
                        skip_training=job.skip_training)
        grading = Grading.of(results, time.monotonic() - started)
    except UserError as err:
        grading = Grading.failed("not graded", str(err), time.monotonic() - started)
    except BaseException as err:  # noqa: BLE001 - everything goes back to the parent as an outcome
        grading = Grading.failed("grader error", f"{type(err).__name__}: {err}\n{traceback.format_exc()[-1500:]}",
                                 time.monotonic() - started)
        code = 1
    try:
        out.write_text(json.dumps(grading.to_json()))
    finally:
        os._exit(code)      # no atexit handlers, no flushing of the parent's buffers


def grading_argv(homework: Homework, job: Job, out: Path) -> list[str]:
    """The command line of one ``process`` grading: ``cvgrade grade-one``, writing its Grading to ``out``."""
    argv = [sys.executable, "-m", "autograder", "--root", str(homework.root), "grade-one", homework.id,
            *map(str, job.submission), "--out", str(out)]
    if job.only_module:
        argv += ["--only-module", job.only_module]
    if job.skip_training:
        argv.append("--skip-training")
    return argv


def _spawn(homework: Homework, job: Job, out: Path, err: Path, timeout_s: float,
           env: dict[str, str] | None) -> _Child:
    argv = grading_argv(homework, job, out)
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, str(err), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
    pid = os.posix_spawn(argv[0], argv, dict(os.environ) if env is None else env, file_actions=actions)
    now = time.monotonic()
    return _Child(job, pid, out, err, now, now + timeout_s)


def _wait_some(running: list[_Child]) -> list[tuple[_Child, int]]:
    """Block until at least one child ended (signalling overdue ones meanwhile); [(child, status)]."""
    while True:
        ended = []
        for child in running:
            pid, status = os.waitpid(child.pid, os.WNOHANG)
            if pid == child.pid:
                ended.append((child, status))
        if ended:
            return ended
        now = time.monotonic()
        for child in running:
            if now > child.deadline and not child.terminated:
                _signal(child.pid, signal.SIGTERM)
                child.terminated = True
            elif child.terminated and now > child.deadline + TERM_GRACE_S:
                _signal(child.pid, signal.SIGKILL)
        time.sleep(_POLL_S)


def _signal(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except ProcessLookupError:
        pass


def _collect(child: _Child, status: int, timeout_s: float) -> Grading:
    """The child's outcome, or a "grader error" saying why there is none to trust."""
    seconds = time.monotonic() - child.started
    try:
        grading: Grading | None = Grading.from_json(json.loads(child.out.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        grading = None
    if grading is not None and grading.status == "not graded":
        return grading                      # the submission's own fault (a bad zip): nothing to regrade
    why = ""
    code = os.waitstatus_to_exitcode(status)
    if child.terminated:
        why = f"grading took longer than {timeout_s:g} s and was stopped"
    elif code < 0:
        why = f"the grading process was killed by {_signal_name(-code)}"
    elif grading is None:
        why = f"the grading process ended with status {code} and left no results"
        last = _last_line(child.stderr)
        if last:
            why += f" ({last[:300]})"
    elif grading.status == "grader error" or code != 0:
        why = grading.error if grading.status == "grader error" and grading.error else \
            "grader error or incomplete grading"
    elif any(line.startswith(("GRADER ERROR", "INCOMPLETE")) for line in grading.document["output"].splitlines()):
        why = "the grading reported a grader error"
    if not why:
        return grading
    # A spoiled grading shows the student a valid results.json that says so, never a partial score.
    output = grading.document.get("output", "") if grading is not None else ""
    failed = Grading.failed("grader error", why, seconds)
    failed.error = (why + (": " + " ".join(output.split())[:300] if output else ""))[:500]
    return failed


def _last_line(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
