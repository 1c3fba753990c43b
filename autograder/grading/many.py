"""Many gradings from one warm process: a fresh fork per grading, after the heavy imports.

``cvgrade check`` grades the reference, the stubs, every alternative and every mutant of a
homework: dozens of gradings, each of which would otherwise spend most of its time starting
Python and importing pytest, numpy and torch. Here one parent process does those imports
once (and nothing else: it never imports a test module, the reference or student code, and
never grades), then forks one child per grading. Each child runs exactly what ``cvgrade
grade`` runs (``runner.grade``: its own uid lease, subreaper, sandbox and worker) and exits;
no child is reused, so no grading can see another's state.

The parent must be single-threaded when it forks (it is: a plain scheduling loop).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from shared.threads import one_thread_by_default

Task = tuple[str, Callable[[], Any]]    # (key, work to do in the child; returns JSON-able data)


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


def run_forked(tasks: Iterable[Task], parallel: int,
               on_done: Callable[[str, Any], None] | None = None) -> dict[str, Any]:
    """Run each task in its own forked child, ``parallel`` at a time; {key: result or error text}.

    A child that raises, crashes or is killed gives a string saying so instead of a result.
    """
    pending = list(tasks)
    results: dict[str, Any] = {}
    running: dict[int, tuple[str, Path]] = {}
    with tempfile.TemporaryDirectory(prefix="cvgrade-prefork-") as tmp:
        for index in range(len(pending) + 1):
            while running and (len(running) >= max(1, parallel) or index == len(pending)):
                pid, status = os.wait()
                if pid not in running:
                    continue
                key, out = running.pop(pid)
                results[key] = _collect(out, status)
                if on_done is not None:
                    on_done(key, results[key])
            if index == len(pending):
                break
            key, work = pending[index]
            out = Path(tmp) / f"{index}.json"
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(work, out)
            running[pid] = (key, out)
    return results


def _child(work: Callable[[], Any], out: Path) -> None:
    code = 0
    try:
        data = {"ok": True, "value": work()}
    except BaseException as err:  # noqa: BLE001 - everything goes back to the parent as text
        data = {"ok": False, "error": f"{type(err).__name__}: {err}\n{traceback.format_exc()[-1500:]}"}
        code = 1
    try:
        out.write_text(json.dumps(data))
    finally:
        os._exit(code)      # no atexit handlers, no flushing of the parent's buffers


def _collect(out: Path, status: int) -> Any:
    if out.is_file():
        data = json.loads(out.read_text())
        return data["value"] if data["ok"] else data["error"]
    if os.WIFSIGNALED(status):
        return f"the grading process was killed by signal {os.WTERMSIG(status)}"
    return f"the grading process exited with status {os.waitstatus_to_exitcode(status)} and no result"
