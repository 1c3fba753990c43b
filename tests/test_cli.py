"""The command line: user mistakes are one line and exit status 2; list shows the course."""
from __future__ import annotations

from platform_helpers import REPO, cvgrade


def test_list_shows_every_assignment():
    proc = cvgrade("list")
    assert proc.returncode == 0
    for hw in ("hw0", "hw1", "hw2", "hw3", "hw4", "hw5"):
        assert f"\n{hw} " in proc.stdout


def test_unknown_homework(tmp_path):
    proc = cvgrade("grade", "hw9", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.strip() == f"cvgrade: unknown homework 'hw9': {REPO}/course.yaml " \
        "defines hw0, hw1, hw2, hw3, hw4, hw5"


def test_missing_submission_and_corrupt_zip(tmp_path):
    proc = cvgrade("grade", "hw0", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "no such file or folder" in proc.stderr and proc.stderr.count("\n") == 1
    (tmp_path / "sub.zip").write_bytes(b"not a zip")
    proc = cvgrade("grade", "hw0", str(tmp_path / "sub.zip"))
    assert proc.returncode == 2 and "not a readable zip" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_usage_is_status_2():
    proc = cvgrade("grade")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_build_with_a_missing_stub_is_one_line(toy_root, tmp_path):
    import shutil

    root = tmp_path / "course"
    shutil.copytree(toy_root, root)
    (root / "assignments/hw0/other.py").unlink()
    proc = cvgrade("build", "hw0", "-o", str(tmp_path / "dist"), root=root)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"cvgrade: {root}/assignments/hw0/other.py: the stub module (course.yaml lists it) " \
                                  "is missing"
