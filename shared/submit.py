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
6. the collaboration disclosure ``DISCLOSURE.md`` is filled in (refuse, or only warn, as
   course.yaml's ``collaboration.missing_disclosure`` says; see ``shared.disclosure``);
7. the public tests, as a summary (never a refusal).

then writes ``hwN-submission.zip`` with exactly the required modules and the disclosure,
ready for Gradescope. Exit status 0 when the zip was written, 1 when the submission was
refused.

``python -m submit --written`` instead exports the notebook's written answers to
``hwN-written.pdf`` with otter-grader (``shared.written``: only the question cells, one
question per page), for the homework's written assignment on Gradescope; exit status 2
when otter or its PDF converter is missing (one line says what to install).
"""
from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from shared import disclosure
from shared.source_checks import MAX_FILE_BYTES, module_problem

IMPORT_TIMEOUT_S = 60


@dataclass
class Settings:
    """The homework's settings, rendered into the release's submit.py from course.yaml."""

    hw: str
    files: list[str]
    forbidden: dict[str, list[str]]
    points: float
    due: str
    disclosure: str = "block"                           # course.yaml collaboration.missing_disclosure
    written: list[str] = field(default_factory=list)    # written question ids, in notebook order
    written_points: float = 0.0


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
    wrong = disclosure.problem(_read_disclosure(folder))
    if wrong is None:
        notes.append(f"{disclosure.FILE_NAME}: filled in (it goes into the zip for the TAs)")
    elif settings.disclosure == "block":
        problems.append(f"{wrong}: the course requires a collaboration disclosure")
    else:
        notes.append(f"WARNING: {wrong}; the course asks for a collaboration disclosure")
    if run_tests and not problems:
        notes.append(_public_tests(folder))
    return problems, notes


def _read_disclosure(folder: Path) -> bytes | None:
    path = folder / disclosure.FILE_NAME
    return path.read_bytes() if path.is_file() else None


def write_submission_zip(settings: Settings, folder: Path, out: Path) -> Path:
    """The upload: exactly the required modules, at the zip's top level."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in settings.files:
            archive.write(folder / name, arcname=name)
        if (folder / disclosure.FILE_NAME).is_file():
            archive.write(folder / disclosure.FILE_NAME, arcname=disclosure.FILE_NAME)
    return out


def export_written(settings: Settings, folder: Path, out: Path | None, exporter: str, html: bool) -> int:
    """``--written``: the PDF (or, with ``html``, the printable HTML) of the written answers."""
    from shared import written

    notebook_path = folder / f"{settings.hw}.ipynb"
    if not settings.written:
        print(f"{settings.hw} has no written questions: nothing to export.")
        return 0
    if not notebook_path.is_file():
        print(f"submit: {notebook_path} not found (the written answers live in the notebook)", file=sys.stderr)
        return 2
    import nbformat

    empty = written.unanswered(nbformat.read(notebook_path, as_version=4))
    suffix = ".html" if html else ".pdf"
    out = (out or folder / f"{settings.hw}-written{suffix}").resolve()
    try:
        if html:
            written.export_html(notebook_path, out)
        else:
            written.export(notebook_path, out, exporter)
    except written.ExportError as err:
        print(f"submit: {err}", file=sys.stderr)
        return 2
    if empty:
        print(f"WARNING: no answer yet for {', '.join(empty)} (the page is still in the PDF).")
    what = "print it to PDF from your browser, then upload" if html else "upload"
    print(f"Wrote {out}: {what} it to Gradescope ({settings.hw} written, {settings.written_points:g} points; "
          f"one question per page: assign each page to its question).")
    return 0


def main(settings: Settings, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m submit",
                                     description=f"Check {settings.hw} and write the zip to upload to Gradescope.")
    parser.add_argument("--folder", type=Path, default=Path.cwd(), help="the homework folder (default: here)")
    parser.add_argument("--out", type=Path, default=None, help=f"zip to write (default: {settings.hw}-submission.zip)")
    parser.add_argument("--no-tests", action="store_true", help="skip the public-test summary")
    parser.add_argument("--allow-unfinished", action="store_true",
                        help="write the zip even if some functions still raise NotImplementedError")
    parser.add_argument("--written", action="store_true",
                        help=f"instead: export the written answers to {settings.hw}-written.pdf (needs otter-grader)")
    parser.add_argument("--exporter", choices=["latex", "html"], default="latex",
                        help="with --written: otter's PDF converter (latex: pandoc + xelatex; html: Chromium)")
    parser.add_argument("--html", action="store_true",
                        help="with --written: write the filtered HTML instead, to print to PDF from a browser")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    if args.written or args.html:
        return export_written(settings, folder, args.out, args.exporter, args.html)
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
    out = write_submission_zip(settings, folder, (args.out or folder / f"{settings.hw}-submission.zip").resolve())
    print(f"Wrote {out}: upload this file to Gradescope ({settings.hw}).")
    return 0
