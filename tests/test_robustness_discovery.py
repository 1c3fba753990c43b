"""Discovery cannot be crashed or blocked by what a student submits.

Real zips are built with zipfile and then damaged byte by byte the way a broken upload or a
hostile student would: every one must end as a clear "not graded: bad zip: ..." UserError
(which every command turns into a valid results.json), never a traceback or a hang.
"""
from __future__ import annotations

import json
import os
import random
import struct
import tempfile
import threading
import zipfile
from pathlib import Path

import pytest
from platform_helpers import OTHER_REFERENCE, TOY_REFERENCE, cvgrade, validate_results

from autograder.errors import UserError
from autograder.grading import discovery
from autograder.grading.discovery import MAX_ZIP_ENTRIES, collect
from autograder.isolation.cleanup import remove_tree

WANTED = ["filters.py", "fourier.py"]
SOURCE = b"import numpy as np\n\n\ndef f(x):\n    return 2 * np.asarray(x)\n" * 20


def good_zip(path: Path, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        archive.writestr("hw0/filters.py", SOURCE)
        archive.writestr("hw0/fourier.py", SOURCE)
    return path


def data_span(path: Path, name: str) -> tuple[int, int]:
    """(start, length) of the compressed bytes of entry ``name`` in the zip at ``path``."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    raw = path.read_bytes()
    name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    return info.header_offset + 30 + name_length + extra_length, info.compress_size


def patch(path: Path, at: int, data: bytes) -> Path:
    raw = bytearray(path.read_bytes())
    raw[at:at + len(data)] = data
    path.write_bytes(bytes(raw))
    return path


def header_offsets(path: Path, name: str) -> tuple[int, int]:
    """Offsets of entry ``name``'s local header and of its central-directory record."""
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name).header_offset
    end = raw.rindex(b"PK\x05\x06")
    (record,) = struct.unpack("<I", raw[end + 16:end + 20])       # where the central directory starts
    while struct.unpack("<I", raw[record + 42:record + 46])[0] != local:
        record += 46 + sum(struct.unpack("<HHH", raw[record + 28:record + 34]))
    return local, record


def damaged(tmp_path: Path, how: str) -> Path:
    path = good_zip(tmp_path / f"{how}.zip",
                    zipfile.ZIP_LZMA if how == "bad lzma data" else zipfile.ZIP_DEFLATED)
    if how == "corrupt deflate stream":
        start, length = data_span(path, "hw0/filters.py")
        return patch(path, start, b"\xff" * length)                  # block type 3 does not exist
    if how == "bad lzma data":
        start, length = data_span(path, "hw0/filters.py")
        return patch(path, start + 9, b"\xff" * (length - 9))        # keep the 9-byte properties header
    if how == "unsupported compression":
        local, central = header_offsets(path, "hw0/filters.py")
        patch(path, local + 8, struct.pack("<H", 99))
        return patch(path, central + 10, struct.pack("<H", 99))
    if how == "encrypted":
        local, central = header_offsets(path, "hw0/filters.py")
        patch(path, local + 6, struct.pack("<H", 1))
        return patch(path, central + 8, struct.pack("<H", 1))
    if how == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        return path
    if how == "entry count in the end record":
        end = path.read_bytes().rindex(b"PK\x05\x06")
        return patch(path, end + 8, struct.pack("<HH", 60000, 60000))
    raise AssertionError(how)


def utf8_flagged_garbage_name(tmp_path: Path) -> Path:
    path = tmp_path / "names.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hw0/\u00e9.py", "x = 1\n")                  # non-ASCII: stored with the UTF-8 flag
        archive.writestr("hw0/filters.py", SOURCE)
    path.write_bytes(path.read_bytes().replace("\u00e9".encode(), b"\xff\xfe"))
    return path


@pytest.mark.parametrize("how, says", [
    ("corrupt deflate stream", "corrupt compressed data"),
    ("bad lzma data", "not a readable zip"),
    ("unsupported compression", "unsupported compression"),
    ("encrypted", "encrypted"),
    ("truncated", "not a readable zip"),
    ("entry count in the end record", f"more than {MAX_ZIP_ENTRIES} entries"),
])
def test_damaged_zips_are_one_clear_user_error(tmp_path, how, says):
    path = damaged(tmp_path, how)
    with pytest.raises(UserError) as info:
        collect([path], WANTED)
    message = str(info.value)
    assert message.startswith("not graded: bad zip: ") and says in message and "\n" not in message, message


def test_a_name_flagged_utf8_that_is_not_is_a_bad_zip(tmp_path):
    with pytest.raises(UserError, match="not graded: bad zip: .*UTF-8"):
        collect([utf8_flagged_garbage_name(tmp_path)], WANTED)


def test_too_many_real_entries(tmp_path, monkeypatch):
    monkeypatch.setattr(discovery, "MAX_ZIP_ENTRIES", 50)
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(51):
            archive.writestr(f"f{i}", b"")
    with pytest.raises(UserError, match="bad zip: .*more than 50 entries"):
        collect([path], WANTED)


def test_random_damage_never_escapes_as_anything_but_a_user_error(tmp_path):
    """300 seeded corruptions (flipped bytes, cut tails) of a valid zip: a result or a UserError."""
    original = good_zip(tmp_path / "good.zip").read_bytes()
    rng = random.Random(4732)
    outcomes = {"read": 0, "refused": 0}
    for trial in range(300):
        raw = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        if trial % 5 == 0:
            raw = raw[: rng.randrange(len(raw))]
        path = tmp_path / f"fuzz{trial}.zip"
        path.write_bytes(bytes(raw))
        try:
            collect([path], WANTED)
            outcomes["read"] += 1
        except UserError as err:
            assert str(err).startswith("not graded: bad zip: "), str(err)
            outcomes["refused"] += 1
    assert outcomes["read"] > 0 and outcomes["refused"] > 0, outcomes


def finishes(function, *args, seconds: float = 10.0):
    """Run ``function(*args)`` in a thread; fail (rather than hang the suite) if it blocks."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as err:  # noqa: BLE001 - handed to the test
            outcome["error"] = err

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{function.__name__} blocked for {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_fifos_are_never_opened(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "filters.py").write_bytes(SOURCE)
    os.mkfifo(folder / "extra.zip")                     # opening it for reading would block forever
    os.mkfifo(folder / "fourier.py")
    found = finishes(collect, [folder], WANTED)
    assert found.files == {"filters.py": SOURCE} and found.missing == ["fourier.py"]
    assert any("fourier.py" in n and "special file" in n for n in found.notes), found.notes
    assert any("extra.zip" in n for n in found.notes), found.notes
    with pytest.raises(UserError, match="link or special file"):
        finishes(collect, [folder / "extra.zip"], WANTED)


def test_links_to_files_and_zips_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    good_zip(outside / "real.zip")
    (outside / "filters.py").write_bytes(SOURCE)
    folder = tmp_path / "submission"
    folder.mkdir()
    os.symlink(outside / "real.zip", folder / "linked.zip")
    os.symlink(outside / "filters.py", folder / "filters.py")
    os.symlink(outside, folder / "linked-folder")
    with pytest.raises(UserError, match="not graded: bad zip: linked.zip: not a regular file"):
        collect([folder], WANTED)


def test_a_broken_zip_beside_loose_files_is_a_note(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "filters.py").write_bytes(SOURCE)
    damaged(tmp_path, "corrupt deflate stream").rename(folder / "old.zip")
    found = collect([folder], WANTED)
    assert found.files == {"filters.py": SOURCE}
    assert any("old.zip" in n and "could not be read as a zip" in n for n in found.notes), found.notes


def test_a_broken_zip_as_the_only_content_of_a_folder_is_not_graded(tmp_path):
    """As on Gradescope: the uploaded zip sits inside the submission folder."""
    folder = tmp_path / "submission"
    folder.mkdir()
    damaged(tmp_path, "corrupt deflate stream").rename(folder / "hw0.zip")
    with pytest.raises(UserError, match="not graded: bad zip: hw0.zip: .*corrupt compressed data"):
        collect([folder], WANTED)


def test_a_folder_nested_5000_deep_is_searched_without_recursion():
    with tempfile.TemporaryDirectory(prefix="cvgrade-discovery-test-",
                                     dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None) as tmp:
        root = Path(tmp) / "submission"
        (root / "hw0").mkdir(parents=True)
        (root / "hw0" / "filters.py").write_bytes(SOURCE)
        current = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        for _ in range(5000):
            os.mkdir("d", dir_fd=current)
            below = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=current)
            os.close(current)
            current = below
        os.close(current)
        try:
            found = collect([root], WANTED)
            assert found.files == {"filters.py": SOURCE}
            assert any("levels deep were not searched" in n for n in found.notes), found.notes
        finally:
            remove_tree(root)


def test_grade_writes_a_valid_results_json_for_a_bad_zip(toy_root, tmp_path):
    path = tmp_path / "sub.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hw0/toy.py", TOY_REFERENCE * 20)
        archive.writestr("hw0/other.py", OTHER_REFERENCE)
    start, length = data_span(path, "hw0/toy.py")
    patch(path, start, b"\xff" * length)
    out = tmp_path / "results.json"
    proc = cvgrade("grade", "hw0", str(path), "--json", str(out), root=toy_root)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert "not graded: bad zip:" in proc.stderr
    document = json.loads(out.read_text())
    validate_results(document)
    assert document["score"] == 0 and "not graded: bad zip:" in document["output"]
