"""The student's submit step: pre-flight the homework, then write the zip to upload.

``python -m submit`` in a homework folder (the release's ``submit.py`` calls ``main`` here
with the homework's settings from course.yaml) checks, in order:

1. every required module is present (refuse: the grader would score its tests 0);
2. each one parses and makes no forbidden import (refuse: the same check the grader runs,
   ``shared.source_checks``);
3. each one imports, in a separate process with a time limit (refuse: an import error
   costs every test of that module);
4. file sizes (refuse above ``MAX_FILE_BYTES``: the grader only wants source code);
5. functions that still raise NotImplementedError (refuse unless ``--allow-unfinished``: an
   untouched stub scores 0, so a zip of one is almost always a mistake; partial work may
   still be submitted on purpose);
6. the public tests, as a summary (never a refusal).

then writes ``hwN-submission.zip`` with exactly the required modules, ready for Gradescope.
Exit status 0 when the zip was written, 1 when the submission was refused.
"""
from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from shared.source_checks import module_problem

MAX_FILE_BYTES = 1 << 20
IMPORT_TIMEOUT_S = 60


@dataclass
class Settings:
    """The homework's settings, rendered into the release's submit.py from course.yaml."""

    hw: str
    files: list[str]
    forbidden: dict[str, list[str]]
    points: float
    due: str


def _unfinished_functions(source: str) -> list[str]:
    """Top-level functions whose body still raises NotImplementedError (the stubs)."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Raise) and inner.exc is not None and "NotImplementedError" in ast.unparse(
                        inner.exc):
                    names.append(node.name)
                    break
    return names


def _imports_cleanly(folder: Path, module: str) -> str | None:
    """None if ``import module`` works in a fresh process; else the last line of the error."""
    try:
        proc = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=folder, capture_output=True,
                              text=True, timeout=IMPORT_TIMEOUT_S, stdin=subprocess.DEVNULL,
                              env={**os.environ, "PYTHONPATH": str(folder)})
    except subprocess.TimeoutExpired:
        return f"importing {module}.py did not finish within {IMPORT_TIMEOUT_S} s (a loop at import time?)"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["exit status " + str(proc.returncode)])[-1]
        return f"importing {module}.py failed: {last}"
    return None


def _public_tests(folder: Path) -> str:
    from shared.notebook_checks import check

    report = check(folder=folder)
    if report.problem:
        return f"public tests: {report.problem}"
    failed = [o.test for o in report.outcomes if not o.passed]
    text = f"public tests: {report.passed} of {len(report.outcomes)} passed"
    return text + "".join(f"\n    failing: {name}" for name in failed[:10]) + (
        f"\n    ... and {len(failed) - 10} more" if len(failed) > 10 else "")


def preflight(settings: Settings, folder: Path, run_tests: bool = True,
              allow_unfinished: bool = False) -> tuple[list[str], list[str]]:
    """(problems that refuse the submission, notes for the student)."""
    problems: list[str] = []
    notes: list[str] = []
    for name in settings.files:
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing from {folder}: the tests that need it would score 0")
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(f"{name} is {size / 1e6:.1f} MB; source files are far smaller (data or outputs inside?)")
            continue
        source = path.read_bytes()
        problem = module_problem(name, source, settings.forbidden.get(name, []))
        if problem is not None:
            problems.append(problem)
            continue
        problem = _imports_cleanly(folder, name[:-3])
        if problem is not None:
            problems.append(problem)
            continue
        unfinished = _unfinished_functions(source.decode("utf-8", "replace"))
        if unfinished:
            message = f"{name}: still raising NotImplementedError: {', '.join(unfinished)}"
            if allow_unfinished:
                notes.append(message)
            else:
                problems.append(f"{message} (these score 0; finish them, or submit anyway with "
                                f"`python -m submit --allow-unfinished`)")
                continue
        notes.append(f"{name}: {size / 1024:.1f} kB, imports cleanly")
    if run_tests and not problems:
        notes.append(_public_tests(folder))
    return problems, notes


def write_zip(settings: Settings, folder: Path, out: Path) -> Path:
    """The upload: exactly the required modules, at the zip's top level."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in settings.files:
            archive.write(folder / name, arcname=name)
    return out


def main(settings: Settings, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m submit",
                                     description=f"Check {settings.hw} and write the zip to upload to Gradescope.")
    parser.add_argument("--folder", type=Path, default=Path.cwd(), help="the homework folder (default: here)")
    parser.add_argument("--out", type=Path, default=None, help=f"zip to write (default: {settings.hw}-submission.zip)")
    parser.add_argument("--no-tests", action="store_true", help="skip the public-test summary")
    parser.add_argument("--allow-unfinished", action="store_true",
                        help="write the zip even if some functions still raise NotImplementedError")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    print(f"{settings.hw}: {settings.points:g} points, due {settings.due}. Checking {', '.join(settings.files)} "
          f"in {folder} ...")
    problems, notes = preflight(settings, folder, run_tests=not args.no_tests,
                              allow_unfinished=args.allow_unfinished)
    for note in notes:
        print(f"  {note}")
    if problems:
        print("NOT SUBMITTABLE yet:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    out = write_zip(settings, folder, (args.out or folder / f"{settings.hw}-submission.zip").resolve())
    print(f"Wrote {out}: upload this file to Gradescope ({settings.hw}).")
    return 0
