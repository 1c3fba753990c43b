"""Finding the required files in folders, zips and loose files, safely."""
from __future__ import annotations

import os
import zipfile

import pytest

from autograder.errors import UserError
from autograder.grading.discovery import collect
from shared.source_checks import MAX_FILE_BYTES

WANTED = ["filters.py", "fourier.py"]


def test_nested_folder_shallowest_wins(tmp_path):
    (tmp_path / "hw0" / "old").mkdir(parents=True)
    (tmp_path / "hw0" / "filters.py").write_text("A = 1\n")
    (tmp_path / "hw0" / "old" / "filters.py").write_text("A = 2\n")
    found = collect([tmp_path], WANTED)
    assert found.files == {"filters.py": b"A = 1\n"} and found.missing == ["fourier.py"]


def test_zip_with_top_level_folder_and_macos_junk(tmp_path):
    path = tmp_path / "sub.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hw0/filters.py", "A = 1\n")
        archive.writestr("__MACOSX/hw0/._filters.py", "junk")
        archive.writestr("hw0/fourier.py", "B = 2\n")
    assert collect([path], WANTED).files == {"filters.py": b"A = 1\n", "fourier.py": b"B = 2\n"}


def test_zip_slip_and_absolute_names_are_read_by_content_only(tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../../../tmp/filters.py", "A = 1\n")
        archive.writestr("/etc/fourier.py", "B = 2\n")
    found = collect([path], WANTED)
    assert found.files == {"filters.py": b"A = 1\n", "fourier.py": b"B = 2\n"}
    assert not (tmp_path.parent / "filters.py").exists()


def test_symlinks_are_refused(tmp_path):
    (tmp_path / "sub").mkdir()
    os.symlink("/etc/passwd", tmp_path / "sub" / "filters.py")
    path = tmp_path / "links.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("fourier.py")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    found = collect([tmp_path / "sub", path], WANTED)
    assert found.files == {} and len(found.notes) == 2


def test_zip_bomb_is_not_inflated(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("filters.py", b"#" * (MAX_FILE_BYTES * 50))
    assert path.stat().st_size < MAX_FILE_BYTES
    found = collect([path], WANTED)
    assert "filters.py" not in found.files and "larger than" in found.notes[0]


def test_corrupt_zip_and_missing_path_are_user_errors(tmp_path):
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(UserError, match="not a readable zip"):
        collect([tmp_path / "bad.zip"], WANTED)
    with pytest.raises(UserError, match="no such file"):
        collect([tmp_path / "nope"], WANTED)


def test_loose_files(tmp_path):
    (tmp_path / "filters.py").write_text("A = 1\n")
    (tmp_path / "notes.txt").write_text("x")
    found = collect([tmp_path / "filters.py"], WANTED)
    assert found.files == {"filters.py": b"A = 1\n"}
