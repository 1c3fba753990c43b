"""A batch never turns a failure of the grader into a student's score.

The grading processes here are fakes (``many.grading_argv`` swapped for a small script that
behaves as a grading process did in the incidents: killed by a signal, a grader error, an
incomplete result, a "GRADER ERROR" line, no results at all, a bad zip, a grading that was not
isolated from the others), so every case is exact and fast. The real path (the ``cvgrade
grade-one`` process) is covered by test_batch.py.
"""
from __future__ import annotations

import csv
import io
import json
import sys
import textwrap
from pathlib import Path

import pytest
from platform_helpers import validate_results

from autograder.course.layout import open_course
from autograder.grading import many
from autograder.regrading import batch

FAKE_GRADING = textwrap.dedent("""
    import json, os, signal, sys
    submission, out = sys.argv[1], sys.argv[2]
    mode = open(os.path.join(submission, "mode")).read().strip()
    with open(os.path.join(os.path.dirname(os.path.dirname(submission)), "gradings.log"), "a") as log:
        log.write(os.path.basename(submission) + "\\n")
    tests = [{"name": "double: a small array", "number": "1", "score": 2.0, "max_score": 2.0, "status": "passed",
              "visibility": "visible", "output": "", "tags": []},
             {"name": "triple: an integer", "number": "2", "score": 0.0, "max_score": 8.0, "status": "failed",
              "visibility": "visible", "output": "the sandbox process ended unexpectedly", "tags": []}]
    document = {"score": 2.0, "execution_time": 0.5, "output": "HW0 Toy: 2 / 10 points.", "visibility": "visible",
                "stdout_visibility": "hidden", "tests": tests}
    grading = {"document": document, "status": "graded", "durations": {"double: a small array": 0.1}}
    status = 0
    if mode == "killed":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "no results":
        sys.stderr.write("Traceback (most recent call last):\\nRecursionError: maximum recursion depth\\n")
        sys.exit(1)
    if mode == "grader error":
        grading["status"], grading["error"] = "grader error", "the grader failed"
        status = 1
    if mode == "incomplete":
        grading["status"], grading["error"] = "grader error", "INCOMPLETE: grading was stopped"
    if mode == "GRADER ERROR line":
        document["output"] = "GRADER ERROR: the sandbox could not run known-good code.\\n" + document["output"]
    if mode == "exit 1":
        status = 1
    if mode == "bad zip":
        document = {"score": 0.0, "execution_time": 0.0, "output": "Your submission could not be graded: x",
                    "visibility": "visible", "stdout_visibility": "hidden", "tests": []}
        grading = {"document": document, "status": "not graded",
                   "error": "not graded: bad zip: sub.zip: not a readable zip file (truncated)"}
    if mode == "not isolated":
        document["output"] += ("\\nIsolation (none): your code ran without privileges in a separate process. "
                               "Other submissions graded at the same time were not isolated from one another.")
    if mode == "isolation field":
        grading["isolation"] = {"mode": "none", "isolated_from_other_gradings": False}
    with open(out, "w") as handle:
        json.dump(grading, handle)
    sys.exit(status)
""")

SPOILED = ["killed", "no results", "grader error", "incomplete", "GRADER ERROR line", "exit 1"]


@pytest.fixture()
def fake_batch(toy_root, tmp_path, monkeypatch):
    """``run(modes, jobs=1)``: a batch of one submission per mode, graded by the fake script."""
    script = tmp_path / "fake_grading.py"
    script.write_text(FAKE_GRADING)
    monkeypatch.setattr(many, "grading_argv",
                        lambda homework, job, out: [sys.executable, str(script), str(job.submission[0]), str(out)])
    folder = tmp_path / "class"
    homework = open_course(toy_root).homework("hw0")

    def run(modes: list[str], jobs: int = 1) -> tuple[list[batch.BatchResult], list[str], Path]:
        for mode in modes:
            (folder / mode.replace(" ", "_")).mkdir(parents=True, exist_ok=True)
            (folder / mode.replace(" ", "_") / "mode").write_text(mode)
        said: list[str] = []
        results = batch.run_batch(homework, folder, jobs=jobs, csv_path=tmp_path / "grades.csv",
                                  report_path=tmp_path / "report.html", warm=False, echo=said.append,
                                  progress=False)
        return results, said, tmp_path

    return run


def csv_rows(tmp_path: Path) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO((tmp_path / "grades.csv").read_text())))
    return {row[3]: row for row in rows[1:]}


def gradings(tmp_path: Path) -> list[str]:
    return (tmp_path / "gradings.log").read_text().split()


def test_spoiled_gradings_are_not_graded_never_cached_never_a_score(fake_batch):
    results, said, tmp_path = fake_batch(["honest", *SPOILED], jobs=2)
    by_key = {r.submission.key: r for r in results}
    for mode in SPOILED:
        result = by_key[mode.replace(" ", "_")]
        assert result.status == "not graded (grader error)" and result.grader_error, (mode, result.status)
        validate_results(result.document)                       # still a valid results.json for the student
        assert result.document["score"] == 0 and "GRADER ERROR" in result.document["output"]
        assert "not the student's fault" in result.document["output"]
    assert "killed by SIGKILL" in by_key["killed"].error
    assert "RecursionError" in by_key["no_results"].error
    assert by_key["honest"].status == "graded" and by_key["honest"].score == 2

    rows = csv_rows(tmp_path)
    assert rows["honest"][4:] == ["graded", "2", "0", "2"]
    for mode in SPOILED:
        assert rows[mode.replace(" ", "_")][4:] == ["not graded (grader error)", "", "", ""], mode
    summary = next(line for line in said if "submissions:" in line)
    assert "1 graded" in summary and f"{len(SPOILED)} not graded (grader error)" in summary, summary
    assert "mean 2.00" in summary                              # spoiled gradings do not pull the mean down
    page = (tmp_path / "report.html").read_text()
    assert page.count("not graded (grader error)") >= len(SPOILED) and "&mdash;" in page

    again, _, _ = fake_batch(["honest", *SPOILED], jobs=2)           # only the honest grading was cached
    assert {r.submission.key: r.status for r in again}["honest"] == "reused"
    assert sorted(gradings(tmp_path)) == sorted(["honest", *[m.replace(" ", "_") for m in SPOILED] * 2])


def test_a_grading_that_cannot_start_is_spoiled_and_the_batch_goes_on(fake_batch, monkeypatch):
    """fork/posix_spawn failing (EAGAIN at a process limit) spoils that one grading, not the batch."""
    import errno
    import os

    spawn = os.posix_spawn

    def posix_spawn(path, argv, *args, **kwargs):
        if any(arg.endswith("cannot_start") for arg in argv):
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        return spawn(path, argv, *args, **kwargs)

    monkeypatch.setattr(os, "posix_spawn", posix_spawn)
    results, said, tmp_path = fake_batch(["honest", "cannot start", "exit 0"], jobs=1)
    by_key = {r.submission.key: r for r in results}
    assert by_key["honest"].status == by_key["exit_0"].status == "graded"
    spoiled = by_key["cannot_start"]
    assert spoiled.status == "not graded (grader error)" and spoiled.grader_error
    assert "could not start the grading process" in spoiled.error and "Resource temporarily" in spoiled.error
    validate_results(spoiled.document)
    assert csv_rows(tmp_path)["cannot_start"][4:] == ["not graded (grader error)", "", "", ""]
    assert sorted(gradings(tmp_path)) == ["exit_0", "honest"]


def test_a_bad_zip_is_the_students_not_the_graders(fake_batch):
    results, said, tmp_path = fake_batch(["bad zip"])
    assert results[0].status == "not graded" and not results[0].grader_error
    assert results[0].error.startswith("not graded: bad zip:")
    assert csv_rows(tmp_path)["bad_zip"][4:] == ["not graded", "0"]                 # no test columns: total 0
    assert any("not graded: bad_zip: not graded: bad zip" in line for line in said), said


@pytest.mark.parametrize("mode", ["not isolated", "isolation field"])
def test_gradings_without_isolation_between_students_are_flagged(fake_batch, mode):
    results, said, tmp_path = fake_batch(["honest", mode], jobs=2)
    flagged = {r.submission.key: r.not_isolated for r in results}
    assert flagged == {"honest": False, mode.replace(" ", "_"): True}
    warning = "\n".join(said)
    assert "WARNING: 1 of 2 submissions were graded without isolation" in warning, warning
    assert "not cached" in warning
    assert "graded without isolation" in (tmp_path / "report.html").read_text()
    again, _, _ = fake_batch(["honest", mode], jobs=2)
    statuses = {r.submission.key: r.status for r in again}
    assert statuses == {"honest": "reused", mode.replace(" ", "_"): "graded"}   # regraded, not reused


def test_one_at_a_time_unisolated_results_are_cached_but_still_flagged(fake_batch):
    fake_batch(["not isolated"], jobs=1)
    again, said, _ = fake_batch(["not isolated"], jobs=1)
    assert again[0].status == "reused" and again[0].not_isolated
    assert any("WARNING" in line for line in said)


def test_the_submission_hash_survives_a_5000_deep_folder_fifos_and_links(tmp_path):
    import os
    import tempfile

    from autograder.isolation.cleanup import remove_tree

    # tmpfs when there is one: on this disk each mkdir/rmdir costs ~5 ms
    where = "/dev/shm" if os.access("/dev/shm", os.W_OK) else str(tmp_path)
    root = Path(tempfile.mkdtemp(prefix="cvgrade-batch-test-", dir=where))
    os.mkfifo(root / "pipe.zip")
    os.symlink("/etc/passwd", root / "link.py")
    current = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(5000):
        os.mkdir("d", dir_fd=current)
        below = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=current)
        os.close(current)
        current = below
    os.close(current)
    try:
        first = batch.submission_hash(root)
        assert first == batch.submission_hash(root) and len(first) == 64
    finally:
        assert remove_tree(root) == []


def test_grade_one_writes_isolation_and_json_safe_outcomes(toy_root, tmp_path):
    """The real grading process's outcome carries what batch reads (and nothing unserialisable)."""
    from platform_helpers import OTHER_REFERENCE, TOY_REFERENCE, cvgrade

    from autograder.grading.outcome import Grading

    submission = tmp_path / "s"
    submission.mkdir()
    (submission / "toy.py").write_text(TOY_REFERENCE)
    (submission / "other.py").write_text(OTHER_REFERENCE)
    out = tmp_path / "out.json"
    proc = cvgrade("grade-one", "hw0", str(submission), "--out", str(out), root=toy_root)
    grading = Grading.from_json(json.loads(out.read_text()))
    assert proc.returncode == 0, proc.stderr
    assert grading.status == "graded" and grading.score == grading.max_score > 0
    assert any(line.startswith("Isolation") for line in grading.document["output"].splitlines())
    assert len(grading.nodeids) == len(grading.document["tests"]) and set(grading.durations) <= {
        t["name"] for t in grading.document["tests"]}
    assert batch._isolation(grading)[1] is (not grading.isolation["isolated_from_other_gradings"])
