"""Removing a sandbox folder cannot recurse, follow a link, or raise, whatever the student left."""
from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.isolation.cleanup import remove_tree

REPO = Path(__file__).resolve().parents[1]


def deep_tree(root: Path, depth: int) -> None:
    """``root/d/d/.../d/leaf`` ``depth`` folders deep (paths far beyond PATH_MAX), built by fd."""
    root.mkdir()
    current = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=current)
            below = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=current)
            os.close(current)
            current = below
        with open(os.open("leaf", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=current), "w") as handle:
            handle.write("x")
    finally:
        os.close(current)


@pytest.fixture()
def memory_tmp(tmp_path):
    """A folder in tmpfs when there is one: on this disk each mkdir/rmdir costs ~5 ms."""
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="cvgrade-cleanup-test-", dir="/dev/shm"))
        yield folder
        remove_tree(folder)
    else:
        yield tmp_path


def test_a_folder_nested_5000_deep_is_removed(memory_tmp):
    """shutil.rmtree raises RecursionError here (and os.walk too, on Python 3.11)."""
    deep_tree(memory_tmp / "sandbox", 5000)
    assert remove_tree(memory_tmp / "sandbox") == []
    assert not (memory_tmp / "sandbox").exists()


def test_links_are_removed_never_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    sandbox = tmp_path / "sandbox"
    (sandbox / "sub").mkdir(parents=True)
    os.symlink(outside, sandbox / "sub" / "to-folder")
    os.symlink(outside / "keep.txt", sandbox / "to-file")
    os.symlink("/nonexistent", sandbox / "dangling")
    os.mkfifo(sandbox / "fifo")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(sandbox / "sock"))
    listener.close()
    assert remove_tree(sandbox) == []
    assert not sandbox.exists() and (outside / "keep.txt").read_text() == "keep"


def test_a_link_given_as_the_tree_is_unlinked(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "file").write_text("x")
    os.symlink(tmp_path / "real", tmp_path / "link")
    assert remove_tree(tmp_path / "link") == []
    assert not os.path.lexists(tmp_path / "link") and (tmp_path / "real" / "file").exists()


def test_missing_path_and_plain_file(tmp_path):
    assert remove_tree(tmp_path / "nothing-here") == []
    (tmp_path / "file").write_text("x")
    assert remove_tree(tmp_path / "file") == [] and not (tmp_path / "file").exists()


HOSTILE_PERMISSIONS = """
import json, os, sys
sys.path.insert(0, {repo!r})
from autograder.isolation.cleanup import remove_tree
root = sys.argv[1]
if os.geteuid() == 0:
    os.setgid(65534)
    os.setuid(65534)            # as an ordinary user: permissions really bind
os.makedirs(f"{{root}}/tree/locked/inner")
open(f"{{root}}/tree/locked/inner/file", "w").write("x")
os.makedirs(f"{{root}}/tree/readonly")
open(f"{{root}}/tree/readonly/file", "w").write("x")
open(f"{{root}}/tree/no-permissions-file", "w").write("x")
os.chmod(f"{{root}}/tree/no-permissions-file", 0)
os.chmod(f"{{root}}/tree/readonly", 0o500)
os.chmod(f"{{root}}/tree/locked/inner", 0)
os.chmod(f"{{root}}/tree/locked", 0)
problems = remove_tree(f"{{root}}/tree")
print(json.dumps({{"problems": problems, "exists": os.path.lexists(f"{{root}}/tree")}}))
"""


def test_folders_the_student_locked_are_still_removed(tmp_path):
    script = tmp_path / "hostile.py"
    script.write_text(HOSTILE_PERMISSIONS.format(repo=str(REPO)))
    work = Path(tempfile.mkdtemp(prefix="cvgrade-cleanup-test-"))
    try:
        os.chmod(work, 0o777)
        proc = subprocess.run([sys.executable, str(script), str(work)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        outcome = json.loads(proc.stdout)
        assert outcome == {"problems": [], "exists": False}
    finally:
        remove_tree(work)


def test_what_cannot_be_removed_is_reported_not_raised(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root may remove anything: no undeletable entry to make")
    locked = tmp_path / "parent"
    (locked / "tree").mkdir(parents=True)
    (locked / "tree" / "file").write_text("x")
    os.chmod(locked / "tree", stat.S_IRUSR | stat.S_IXUSR)
    os.chmod(locked, stat.S_IRUSR | stat.S_IXUSR)            # the tree itself cannot be unlinked
    try:
        problems = remove_tree(locked / "tree")
        assert problems and all(isinstance(p, str) for p in problems)
    finally:
        os.chmod(locked, 0o700)
        os.chmod(locked / "tree", 0o700)
