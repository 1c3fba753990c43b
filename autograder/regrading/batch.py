"""``cvgrade batch``: grade a folder of submissions (one subfolder or zip per student).

Contract (platform.md): ``cvgrade batch HW DIR [-j N] [--csv PATH] [--report PATH.html]``.

* Every subfolder or ``.zip`` directly under DIR is one submission. A Gradescope "export
  submissions" folder works as is: its ``submission_metadata.yml`` maps each submission
  folder (``submission_123456/``) to its submitters (names, emails, SIDs); without it a
  submission is named by its folder or zip name.
* Each submission is graded by its own fresh grading process (``grading.many`` in "process"
  mode: ``cvgrade grade-one``, exactly ``cvgrade grade``), up to ``jobs`` at a time, so one
  hostile or broken submission cannot stop or influence the others: a grading that fails or
  hangs is a row marked "not graded", never the end of the batch.
* A warm start: one fork server (``autograder.isolation.zygote_client``) for the whole batch, preloaded
  with numpy (and torch when the homework needs it); every grading's workers are forked
  from it. If it cannot start, gradings start their workers cold.
* Results are cached in ``DIR/.cvgrade-cache/HW/`` (or ``--cache``), keyed by a hash of the
  submission's content and a hash of everything grading depends on (tests, reference,
  grader code, course.yaml, Python/numpy versions): a re-run regrades only what changed.
  Gradings that hit a grader error are never cached.
* A grading whose result the grader itself may have spoiled (its ``Grading`` says "grader
  error": an incomplete result, "GRADER ERROR" in its output, a grading process killed by a
  signal, timed out or ended without results) is "not graded (grader error)":
  never cached, never shown as the student's score (blank in the CSV), listed in the report.
  A submission that cannot be graded by its own fault (a bad zip) is "not graded", score 0.
* Isolation: a grading that says its student was not isolated from other students (the
  Grading's ``isolation`` with ``isolated_from_other_gradings: false``, or an
  "Isolation ..." line saying "not isolated") gets a loud warning on the console and in
  the report; with more than one grading at a time such results are not cached either, as
  a hostile submission graded alongside could have changed them.
* ``--csv``: one row per student (a group submission gives each member a row), one column
  per test, then the total. ``--report``: a self-contained HTML report (``report.py``).
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from autograder.course.layout import Homework
from autograder.grading.many import Job, grade_many
from autograder.grading.outcome import Grading
from autograder.grading.results import write_atomic
from autograder.regrading.submissions import CACHE_FOLDER, BatchResult, BatchSubmission, find_submissions

CACHE_VERSION = "3"


# ----------------------------------------------------------------------------- cache keys
def _hash_tree(digest: hashlib._Hash, root: Path, skip_dirs: set[str] = frozenset(),
               skip_suffixes: tuple[str, ...] = ()) -> None:
    """Feed every file under ``root`` into ``digest``, in a fixed order, whatever the tree holds.

    Iterative (a submission folder nested thousands deep must not raise RecursionError),
    and no deeper than discovery ever looks (what lies below cannot change a grade); links
    are hashed as their target text, never followed; FIFOs and devices are skipped, never
    opened; an unreadable entry is hashed as its error.
    """
    from autograder.grading.discovery import MAX_FOLDER_DEPTH

    if not root.is_dir() or root.is_symlink():
        if root.is_file() and not root.is_symlink():
            digest.update(b"F" + root.name.encode() + b"\0")
            _hash_file(digest, root)
        else:
            digest.update(b"-" + str(root).encode())
        return
    pending = [Path()]
    while pending:
        relative = pending.pop()
        if len(relative.parts) > MAX_FOLDER_DEPTH + 1:
            digest.update(b"D" + os.fsencode(relative))
            continue
        try:
            with os.scandir(root / relative) as scan:
                entries = sorted(scan, key=lambda e: e.name, reverse=True)
        except OSError as err:
            digest.update(b"E" + os.fsencode(relative) + b"\0"
                          + (err.strerror or "").encode())
            continue
        for entry in entries:
            name = relative / entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in skip_dirs and entry.name != "__pycache__":
                    pending.append(name)
            elif entry.name.endswith(skip_suffixes):
                continue
            elif entry.is_symlink():
                try:
                    target = os.readlink(entry.path)
                except OSError:
                    target = "?"
                digest.update(b"L" + os.fsencode(name) + b"\0" + os.fsencode(target))
            elif entry.is_file(follow_symlinks=False):
                digest.update(b"F" + os.fsencode(name) + b"\0")
                _hash_file(digest, Path(entry.path))


def _hash_file(digest: hashlib._Hash, path: Path) -> None:
    """The file's SHA-256 (read in blocks: a submission may hold a huge file)."""
    inner = hashlib.sha256()
    try:
        with open(path, "rb", buffering=0) as handle:
            while block := handle.read(1 << 20):
                inner.update(block)
    except OSError as err:
        inner.update(b"unreadable: " + (err.strerror or "").encode())
    digest.update(inner.digest())


def bundle_hash(homework: Homework) -> str:
    """A hash of everything a grading of ``homework`` depends on besides the submission.

    Tests (public and hidden), the reference and its data, the grader's and shared code,
    course.yaml, and the Python and numpy versions. Mutants, alternatives and notebooks are
    left out (they do not change a grade).
    """
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(f"cvgrade-batch {CACHE_VERSION} {sys.version}".encode())
    for package in ("numpy", "torch"):
        try:
            digest.update(f" {package}={version(package)}".encode())
        except PackageNotFoundError:
            pass
    root = homework.root
    for part in (root / "course.yaml", root / "autograder", root / "shared", homework.stubs, homework.reference):
        digest.update(b"\1" + str(part.relative_to(root)).encode())
        _hash_tree(digest, part, skip_dirs={"mutants", "alternatives", ".ipynb_checkpoints"},
                   skip_suffixes=(".ipynb", ".pyc"))
    return digest.hexdigest()


def submission_hash(path: Path) -> str:
    """A hash of a submission's content (every file of the folder, or the zip's bytes)."""
    digest = hashlib.sha256(b"folder" if path.is_dir() else b"zip")
    _hash_tree(digest, path, skip_dirs={".git"})
    return digest.hexdigest()


# ----------------------------------------------------------------------------- grading
_NOT_ISOLATED = re.compile(r"not isolated|NO isolation|no privilege drop")
_ISOLATION_FLAGS = ("isolated_from_other_gradings", "students_isolated", "isolated")


def _isolation(grading: Grading) -> tuple[str, bool]:
    """(what the grading says about isolation, whether its student was not isolated from others).

    Read from the grading's ``isolation`` (``runner.isolation_info``: its
    ``isolated_from_other_gradings`` is False when concurrent gradings share a uid), else from
    the "Isolation ..." line of the output.
    """
    value, document = grading.isolation, grading.document
    line = next((line for line in document.get("output", "").splitlines() if line.startswith("Isolation")), "")
    if isinstance(value, dict) and value:
        text = (line or f"isolation mode {value.get('mode', 'unknown')}")[:300]
        flags = [value[key] for key in _ISOLATION_FLAGS if isinstance(value.get(key), bool)]
        if flags:
            return text, not all(flags)
        return text, bool(_NOT_ISOLATED.search(text))
    return line[:300], bool(_NOT_ISOLATED.search(line))


def run_batch(homework: Homework, directory: Path, *, jobs: int = 1, csv_path: Path | None = None,
              report_path: Path | None = None, cache_dir: Path | None = None, use_cache: bool = True,
              warm: bool = True, echo: Callable[[str], None] = print, progress: bool = True) -> list[BatchResult]:
    """Grade every submission under ``directory``; write the CSV and report; return the results.

    The results are in submission order (sorted folder/zip names). A submission whose content
    and grading bundle are unchanged since a cached run is not regraded (``use_cache``).
    """
    from tqdm import tqdm

    from autograder.isolation.zygote_client import ENV_VAR, ForkServer, ForkServerError

    hw = homework.id
    submissions = find_submissions(directory)
    cache = Path(cache_dir) if cache_dir is not None else Path(directory) / CACHE_FOLDER
    cache = cache / hw
    bundle = bundle_hash(homework)
    results: dict[str, BatchResult] = {}
    todo: list[tuple[BatchSubmission, Path]] = []
    for submission in submissions:
        entry = cache / f"{hashlib.sha256((bundle + submission_hash(submission.path)).encode()).hexdigest()}.json"
        if use_cache and entry.is_file():
            try:
                stored = json.loads(entry.read_text())
                results[submission.key] = BatchResult(submission, Grading.from_json(stored["grading"]), cached=True,
                                                      isolation=stored.get("isolation", ""),
                                                      not_isolated=stored.get("not_isolated", False))
                continue
            except (OSError, ValueError, KeyError, TypeError):
                pass
        todo.append((submission, entry))

    server: ForkServer | None = None
    env = dict(os.environ)
    env.pop(ENV_VAR, None)
    if todo and warm:
        server = ForkServer(["numpy", "torch"] if homework.uses_torch else ["numpy"])
        try:
            env[ENV_VAR] = server.start()
        except ForkServerError as err:
            echo(f"warm start unavailable, workers start cold: {err}")
            server = None
    started = time.monotonic()
    # Submissions with identical content (the untouched stubs, a copy) are graded once.
    same: dict[Path, list[BatchSubmission]] = {}
    for submission, entry in todo:
        same.setdefault(entry, []).append(submission)
    # Gradings side by side that are not isolated from one another may spoil each other.
    concurrent = jobs > 1 and len(same) > 1
    try:
        with tqdm(total=len(submissions), initial=len(submissions) - len(todo), unit="submission",
                  desc=f"{hw} batch", disable=not progress, dynamic_ncols=True) as bar:
            def done(job: Job, grading: Grading) -> None:
                entry = Path(job.key)
                isolation, not_isolated = _isolation(grading) if grading.graded else ("", False)
                for submission in same[entry]:
                    results[submission.key] = BatchResult(submission, grading, isolation=isolation,
                                                          not_isolated=not_isolated)
                    bar.update(1)
                if use_cache and grading.graded and not (not_isolated and concurrent):
                    _store(entry, results[same[entry][0].key])

            # A fresh interpreter per student: nothing one grading leaves in memory reaches the next.
            grade_many(homework, [Job(str(entry), (group[0].path,)) for entry, group in same.items()],
                       parallel=jobs, mode="process", env=env, on_done=done)
    finally:
        forks = server.forks() if server is not None else 0
        if server is not None:
            server.close()
    ordered = [results[s.key] for s in submissions]
    scores = [r.score for r in ordered if r.scored]
    reused = sum(r.cached for r in ordered)
    failed = [r for r in ordered if r.document is None]
    broken = [r for r in ordered if r.grader_error]
    mean = sum(scores) / len(scores) if scores else 0.0
    echo(f"{len(ordered)} submissions: {len(scores) - reused} graded, {reused} reused from the cache, "
         f"{len(failed)} not graded" + (f", {len(broken)} not graded (grader error)" if broken else "")
         + f"; mean {mean:.2f} / {homework.points:g} ({time.monotonic() - started:.1f} s)")
    for result in failed:
        echo(f"  not graded: {result.submission.key}: {result.error}")
    for result in broken:
        echo(f"  not graded (grader error, not cached; regrade it): {result.submission.key}: {result.error}")
    warning = isolation_warning(ordered, jobs)
    if warning:
        echo(f"\n{'!' * 78}\n{warning}\n{'!' * 78}")
    if server is not None:
        echo(f"warm start: {forks} workers forked from a fork server that preloaded {', '.join(server.preload)}")
    if csv_path is not None:
        write_csv(ordered, csv_path)
        echo(f"wrote {csv_path}")
    if report_path is not None:
        from autograder.regrading.report import write_report

        write_report(ordered, homework.points, report_path, title=f"{hw}: {homework.title}", warning=warning)
        echo(f"wrote {report_path}")
    return ordered


def isolation_warning(results: list[BatchResult], jobs: int) -> str:
    """A loud warning when gradings say their students were not isolated from one another; else ''."""
    exposed = [r for r in results if r.not_isolated]
    if not exposed:
        return ""
    said = exposed[0].isolation or "students were not isolated from one another"
    return (f"WARNING: {len(exposed)} of {len(results)} submissions were graded without isolation from other "
            f"students' code ({said}). A hostile submission graded on this machine could have changed their "
            f"scores. " + ("These results were not cached. " if jobs > 1 else "")
            + "Grade as root (as on Gradescope) for isolated, trustworthy scores.")


def _store(entry: Path, result: BatchResult) -> None:
    """Write a cache entry atomically (a crash never leaves half a file)."""
    write_atomic(entry, {"grading": result.grading.to_json(), "submission": result.submission.key,
                         "isolation": result.isolation, "not_isolated": result.not_isolated})


# ----------------------------------------------------------------------------- CSV
def score_columns(results: list[BatchResult]) -> list[str]:
    """Test names in test order (first seen), made unique with their number where they repeat."""
    names: dict[str, None] = {}
    for result in results:
        if not result.scored:
            continue
        for test in result.document.get("tests", []):
            names.setdefault(_column(test, result.document["tests"]), None)
    return list(names)


def _column(test: dict, tests: list[dict]) -> str:
    name = test["name"]
    if sum(t["name"] == name for t in tests) > 1:
        return f"{name} (#{test.get('number', '')})"
    return name


_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _cell(text: str) -> str:
    """A text cell that a spreadsheet will not run as a formula (student-controlled names)."""
    return "'" + text if _FORMULA.match(text) else text


def write_csv(results: list[BatchResult], path: Path) -> None:
    """One row per student: student, email, sid, submission, status, one column per test, total."""
    columns = score_columns(results)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "email", "sid", "submission", "status", *columns, "total"])
        for result in results:
            tests = (result.document or {}).get("tests", [])
            by_column = {_column(t, tests): t["score"] for t in tests}
            # A grader error is no score of the student's: blank cells, never a zero to import.
            cells = ([""] * (len(columns) + 1) if result.grader_error
                     else [*(f"{by_column.get(c, 0):g}" for c in columns), f"{result.score:g}"])
            for person in result.submission.submitters:
                writer.writerow([_cell(person.name), _cell(person.email), _cell(person.sid),
                                 _cell(result.submission.key), result.status, *cells])
