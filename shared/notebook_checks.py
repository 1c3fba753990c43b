"""``check("convolve2d")``: run one function's public tests from a notebook cell.

The check cells of every homework notebook call ``check``; it runs the homework's public
pytest tests (``tests/test_*.py``, the one source of truth: no second copy of any test)
against the modules as they are on disk now, so an edit takes effect without restarting
the kernel, and shows a compact pass/fail table with the same messages pytest prints.

Which tests belong to a name: a test's docstring starts with its subject
(``"convolve2d: the image of a single bright pixel ..."``, ``"convolve2d and correlate2d:
output shape ..."``); ``check("convolve2d")`` runs every test whose subject names it.
``check("filters")`` runs all of ``tests/test_filters.py``; ``check()`` runs everything.

The tests run in a fresh ``python -m pytest`` process (``-p shared.notebook_checks``): a
loop or crash in student code cannot take the notebook down, and nothing is cached between
checks. Plain ``python -m shared.notebook_checks NAME`` does the same from a terminal.
"""
from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.pytest_plugin import readable_name

MESSAGE_LINES = 6


@dataclass
class Outcome:
    test: str       # the test's name for a student: its docstring's first line
    passed: bool
    message: str = ""


@dataclass
class PublicTestRun:
    """What ``check`` returns: shown as a table in Jupyter and as text in a terminal."""

    names: tuple[str, ...]
    outcomes: list[Outcome] = field(default_factory=list)
    problem: str = ""

    @property
    def passed(self) -> int:
        return sum(o.passed for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not self.problem and bool(self.outcomes) and self.passed == len(self.outcomes)

    def summary(self) -> str:
        what = ", ".join(self.names) or "all public tests"
        if self.problem:
            return f"check({what}): {self.problem}"
        return f"check({what}): {self.passed} of {len(self.outcomes)} tests passed"

    def __str__(self) -> str:
        lines = [self.summary()]
        for o in self.outcomes:
            lines.append(f"  {'PASS' if o.passed else 'FAIL'}  {o.test}")
            lines += [f"          {line}" for line in o.message.splitlines()[:MESSAGE_LINES]]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td style='color:{'#197a19' if o.passed else '#b00020'};font-weight:bold'>"
            f"{'PASS' if o.passed else 'FAIL'}</td><td style='text-align:left'>{html.escape(o.test)}</td>"
            f"<td style='text-align:left'><pre style='margin:0;white-space:pre-wrap'>"
            f"{html.escape(chr(10).join(o.message.splitlines()[:MESSAGE_LINES]))}</pre></td></tr>"
            for o in self.outcomes)
        colour = "#197a19" if self.ok else "#b00020"
        return (f"<div><b style='color:{colour}'>{html.escape(self.summary())}</b>"
                f"<table>{rows}</table></div>")


def check(*names: str, folder: str | os.PathLike | None = None, timeout: float = 300) -> PublicTestRun:
    """Run the public tests of ``names`` (functions or modules) on the current files.

    ``folder``: the homework folder (with ``tests/``); default: the working directory, which
    is the notebook's own folder in Jupyter. Returns a ``PublicTestRun`` (displayed as a table);
    never raises for failing tests, so a notebook runs on past a failing check.
    """
    folder = Path(folder or os.getcwd()).resolve()
    report = PublicTestRun(tuple(names))
    tests = folder / "tests"
    if not tests.is_dir():
        report.problem = f"no tests/ folder in {folder}"
        return report
    with tempfile.TemporaryDirectory(prefix="cvgrade-check-") as tmp:
        out = Path(tmp) / "outcomes.json"
        # shared/ sits beside the tests in a release and at the repository root otherwise.
        shared_root = next((p for p in (folder, *folder.parents) if (p / "shared" / "notebook_checks.py").is_file()),
                           folder)
        path = [str(folder), str(shared_root), *filter(None, [os.environ.get("PYTHONPATH")])]
        env = {**os.environ, "CVGRADE_CHECK_NAMES": json.dumps(list(names)), "CVGRADE_CHECK_OUT": str(out),
               "PYTHONPATH": os.pathsep.join(path)}
        env.pop("CVGRADE_STUDENT_DIR", None)
        command = [sys.executable, "-m", "pytest", str(tests), "--rootdir", str(folder), "-q",
                   "-p", "no:cacheprovider", "-p", "shared.notebook_checks", "--tb=no", "--no-header"]
        try:
            proc = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            report.problem = f"the tests did not finish within {timeout:g} s (an infinite loop?)"
            return report
        if not out.is_file():
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
            report.problem = "the tests could not run:\n" + "\n".join(tail)
            return report
        report.outcomes = [Outcome(**o) for o in json.loads(out.read_text())]
    if not report.outcomes:
        report.problem = f"no public test is about {', '.join(names)} (spelling? a function name from the module)"
    return report


# ---------------------------------------------------------------------------------------
# The pytest side (loaded with -p shared.notebook_checks in the subprocess above)
# ---------------------------------------------------------------------------------------

def subject(docstring: str | None) -> str:
    """The part of a test docstring's first line before any colon: what the test is about."""
    first = (docstring or "").strip().splitlines()[0] if (docstring or "").strip() else ""
    return first.split(":", 1)[0]       # no colon: the whole line is the subject


def is_selected(names: list[str], module: str, docstring: str | None) -> bool:
    if not names:
        return True
    about = subject(docstring)
    return any(name == module or re.search(rf"\b{re.escape(name)}\b", about) for name in names)


_outcomes: dict[str, dict] = {}


def pytest_collection_modifyitems(config: Any, items: list) -> None:
    names = json.loads(os.environ.get("CVGRADE_CHECK_NAMES", "[]"))
    keep, drop = [], []
    for item in items:
        module = Path(str(item.path)).stem.removeprefix("test_")
        doc = getattr(getattr(item, "function", None), "__doc__", None)
        (keep if is_selected(names, module, doc) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_runtest_makereport(item: Any, call: Any) -> None:
    record = _outcomes.setdefault(item.nodeid, {"test": readable_name(item), "passed": True, "message": ""})
    if call.excinfo is not None and call.excinfo.typename != "Skipped":
        err = call.excinfo.value
        text = str(err) if isinstance(err, AssertionError) else f"{type(err).__name__}: {err}"
        record["passed"] = False
        record["message"] = record["message"] or text.strip() or type(err).__name__


def pytest_sessionfinish(session: Any) -> None:
    out = os.environ.get("CVGRADE_CHECK_OUT")
    if out:
        Path(out).write_text(json.dumps(list(_outcomes.values())))


def main(argv: list[str] | None = None) -> int:
    report = check(*(sys.argv[1:] if argv is None else argv))
    print(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
