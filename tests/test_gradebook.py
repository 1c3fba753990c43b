"""`cvgrade gradebook`: weighted course totals from cvgrade's and Gradescope's score CSVs.

course.yaml's weights: hw0 5, hw1..hw5 10 each, final_quiz 45 (percent).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from platform_helpers import cvgrade

OURS = """student,email,sid,submission,status,convolve2d,total
Ada Lovelace,ada@example.edu,1001,submission_111,graded,2,100
Bob,bob@example.edu,1002,bob,graded,1,50
Dan,dan@example.edu,1004,dan.zip,not graded,0,0
"""

GRADESCOPE = """First Name,Last Name,SID,Email,Sections,Total Score,Max Points,Status,Submission ID,Submission Time,\
Lateness (H:M:S)
Ada,Lovelace,1001,ADA@example.edu,,80.0,100.0,Graded,123,2027-02-19 20:00:00 -0500,00:00:00
Bob,,1002,bob@example.edu,,,100.0,Missing,,,
Cy,Young,1003,cy@example.edu,,45,90.0,Graded,124,2027-02-19 21:00:00 -0500,00:00:00
"""

QUIZ = """Name,SID,Email,Total Score,Max Points
Ada Lovelace,1001,ada@example.edu,40,50
"""


@pytest.fixture()
def grades(tmp_path: Path) -> dict[str, Path]:
    paths = {"hw0": tmp_path / "hw0-grades.csv", "hw1": tmp_path / "HW1_Backprop_and_CNNs_scores.csv",
             "quiz": tmp_path / "quiz.csv"}
    paths["hw0"].write_text(OURS)
    paths["hw1"].write_text(GRADESCOPE)
    paths["quiz"].write_text(QUIZ)
    return paths


def test_course_totals_from_ours_and_gradescope_exports(grades, tmp_path):
    out, histogram = tmp_path / "book.csv", tmp_path / "totals.png"
    proc = cvgrade("gradebook", str(grades["hw0"]), str(grades["hw1"]), f"final_quiz={grades['quiz']}",
                   "--out", str(out), "--histogram", str(histogram))
    assert proc.returncode == 0, proc.stderr
    # hw0 and hw1 have written questions (10 and 6 points) with no written CSV: their weights
    # apply to the autograded points out of points + written points (100/110, 80/106).
    assert list(csv.reader(io.StringIO(out.read_text()))) == [
        ["name", "email", "sid", "hw0 (%)", "hw1 (%)", "hw2 (%)", "hw3 (%)", "hw4 (%)", "hw5 (%)", "final_quiz (%)",
         "course total (%)", "missing"],
        ["Ada Lovelace", "ada@example.edu", "1001", "90.91", "75.47", "0.00", "0.00", "0.00", "0.00", "80.00",
         "48.09", "hw2; hw3; hw4; hw5; hw0 written; hw1 written"],
        ["Bob", "bob@example.edu", "1002", "45.45", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00",
         "2.27", "hw1; hw2; hw3; hw4; hw5; final_quiz; hw0 written; hw1 written"],
        ["Cy Young", "cy@example.edu", "1003", "0.00", "46.88", "0.00", "0.00", "0.00", "0.00", "0.00",
         "4.69", "hw0; hw2; hw3; hw4; hw5; final_quiz; hw0 written; hw1 written"],
        ["Dan", "dan@example.edu", "1004", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00",
         "0.00", "hw0; hw1; hw2; hw3; hw4; hw5; final_quiz; hw0 written; hw1 written"],
    ]
    assert "no CSV for hw2, hw3, hw4, hw5" in proc.stdout and "no CSV for hw0 written, hw1 written" in proc.stdout
    assert "4 students miss a score" in proc.stdout
    assert histogram.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_histogram_is_self_contained(grades, tmp_path):
    page = tmp_path / "totals.html"
    proc = cvgrade("gradebook", f"hw0={grades['hw0']}", "--out", str(tmp_path / "b.csv"), "--histogram", str(page))
    assert proc.returncode == 0, proc.stderr
    text = page.read_text().lower()
    assert "<svg" in text and "src=" not in text and "<link" not in text and "<script" not in text


@pytest.mark.parametrize("args, message", [
    (["bogus={hw0}"], "'bogus' is not a course.yaml weight"),
    (["{plain}"], "cannot tell which of"),
    (["hw0={noscore}"], "no score column"),
    (["{hw0}", "hw0={hw1}"], "hw0 is already given"),
    (["hw2={missing}"], "no such file"),
])
def test_user_errors_are_one_line_and_status_2(grades, tmp_path, args, message):
    plain, noscore = tmp_path / "scores.csv", tmp_path / "noscore.csv"
    plain.write_text(OURS)
    noscore.write_text("Name,Email\nAda,ada@example.edu\n")
    paths = {**{k: str(v) for k, v in grades.items()}, "plain": str(plain), "noscore": str(noscore),
             "missing": str(tmp_path / "nope.csv")}
    proc = cvgrade("gradebook", *(a.format(**paths) for a in args), "--out", str(tmp_path / "b.csv"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_batch_csv_round_trip_through_gradebook(toy_root, tmp_path):
    """The CSV `cvgrade batch` writes is a valid gradebook input (toy course: hw0 weighs 100%)."""
    from platform_helpers import OTHER_REFERENCE, TOY_REFERENCE

    folder = tmp_path / "class" / "alice"
    folder.mkdir(parents=True)
    (folder / "toy.py").write_text(TOY_REFERENCE)
    (folder / "other.py").write_text(OTHER_REFERENCE.replace("3 * x", "4 * x"))
    scores = tmp_path / "hw0.csv"
    assert cvgrade("batch", "hw0", str(tmp_path / "class"), "--csv", str(scores), root=toy_root).returncode == 0
    proc = cvgrade("gradebook", str(scores), "--out", str(tmp_path / "book.csv"), root=toy_root)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "book.csv").read_text())))
    assert rows[1] == ["alice", "", "", "70.00", "70.00", ""]


WRITTEN = """Name,SID,Email,Total Score,Max Points,Status
Ada Lovelace,1001,ada@example.edu,8,10,Graded
Bob,1002,bob@example.edu,,10,Missing
"""


def _book(tmp_path: Path, *specs: str) -> dict[str, list[str]]:
    from platform_helpers import REPO

    from autograder.course.config import load_course
    from autograder.regrading.gradebook import build_gradebook

    out = tmp_path / "book.csv"
    build_gradebook(load_course(REPO / "course.yaml"), list(specs), out, echo=lambda line: None)
    rows = list(csv.reader(io.StringIO(out.read_text())))
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_written_points_add_to_the_homework(grades, tmp_path):
    """hw0: 100 autograded + 10 written points under one 5 % weight; Gradescope's written export."""
    written = tmp_path / "HW0_Written_scores.csv"
    written.write_text(WRITTEN)
    book = _book(tmp_path, str(grades["hw0"]), str(written))
    assert book["Ada Lovelace"]["hw0 (%)"] == "98.18"                 # (100 + 8) / 110
    assert book["Ada Lovelace"]["course total (%)"] == f"{5 * 108 / 110:.2f}"
    assert book["Bob"]["hw0 (%)"] == "45.45" and "hw0 written" in book["Bob"]["missing"]    # 50 / 110, flagged
    assert "hw0 written" not in book["Ada Lovelace"]["missing"]
    same = _book(tmp_path, f"hw0={grades['hw0']}", f"hw0_written={written}")              # named explicitly
    assert same["Ada Lovelace"]["hw0 (%)"] == "98.18"


def test_one_export_holding_both_parts_is_taken_as_is(tmp_path):
    both = tmp_path / "hw0_scores.csv"        # Gradescope: autograder + manual questions, max 110
    both.write_text("Name,SID,Email,Total Score,Max Points,Status\nAda Lovelace,1001,ada@example.edu,99,110,Graded\n")
    book = _book(tmp_path, str(both))
    assert book["Ada Lovelace"]["hw0 (%)"] == "90.00" and "hw0 written" not in book["Ada Lovelace"]["missing"]


def test_written_csv_for_a_homework_without_written_questions_is_refused(tmp_path):
    from autograder.errors import UserError

    text = (Path(__file__).resolve().parents[1] / "course.yaml").read_text()
    assert "written:" in text
    written = tmp_path / "quiz_written.csv"
    written.write_text(WRITTEN)
    with pytest.raises(UserError, match="cannot tell which"):
        _book(tmp_path, str(written))
    with pytest.raises(UserError, match="nor a written part"):
        _book(tmp_path, f"final_quiz_written={written}")
