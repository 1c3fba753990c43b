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
    assert list(csv.reader(io.StringIO(out.read_text()))) == [
        ["name", "email", "sid", "hw0 (%)", "hw1 (%)", "hw2 (%)", "hw3 (%)", "hw4 (%)", "hw5 (%)", "final_quiz (%)",
         "course total (%)", "missing"],
        ["Ada Lovelace", "ada@example.edu", "1001", "100.00", "80.00", "0.00", "0.00", "0.00", "0.00", "80.00",
         "49.00", "hw2; hw3; hw4; hw5"],
        ["Bob", "bob@example.edu", "1002", "50.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00",
         "2.50", "hw1; hw2; hw3; hw4; hw5; final_quiz"],
        ["Cy Young", "cy@example.edu", "1003", "0.00", "50.00", "0.00", "0.00", "0.00", "0.00", "0.00",
         "5.00", "hw0; hw2; hw3; hw4; hw5; final_quiz"],
        ["Dan", "dan@example.edu", "1004", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00",
         "0.00", "hw0; hw1; hw2; hw3; hw4; hw5; final_quiz"],
    ]
    assert "no CSV for hw2, hw3, hw4, hw5" in proc.stdout
    assert "3 students miss a score" in proc.stdout
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
