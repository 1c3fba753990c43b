"""Removing a folder that student code had write access to, whatever it left there.

``shutil.rmtree`` recurses once per level (a folder nested 5000 deep raises RecursionError),
builds paths longer than PATH_MAX, and gives up on folders whose permissions the student
removed. ``remove_tree`` walks with one open folder at a time and names relative to it, so
depth costs neither stack nor path length; it never follows a symbolic link (a link is
removed, not its target), restores permissions on what it owns, and never raises: it
returns what it could not remove, for a log line.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
MAX_PROBLEMS = 20


def remove_tree(path: str | os.PathLike) -> list[str]:
    """Remove ``path`` and everything under it; return what could not be removed (empty: all gone)."""
    problems: list[str] = []
    try:
        _remove(Path(path), problems)
    except Exception as err:  # noqa: BLE001 - clean-up must never turn a grading into a crash
        _note(problems, f"{path}: {type(err).__name__}: {err}")
    return problems


def _remove(path: Path, problems: list[str]) -> None:
    try:
        parent = os.open(path.parent, _DIR_FLAGS & ~os.O_NOFOLLOW)
    except FileNotFoundError:
        return
    try:
        name = path.name
        try:
            info = os.lstat(name, dir_fd=parent)
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(info.st_mode):
            os.unlink(name, dir_fd=parent)
            return
        _empty_folder(parent, name, problems)
        _rmdir(parent, name, problems, str(path))
    finally:
        os.close(parent)


def _open_folder(parent: int, name: str) -> int:
    """Open the folder ``name`` of ``parent`` (never through a link), fixing permissions we own."""
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except PermissionError:
        # A mode-000 folder: O_PATH opens it without read permission (still never through a
        # link), and chmod through /proc/self/fd acts on that very folder.
        handle = os.open(name, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
        try:
            os.chmod(f"/proc/self/fd/{handle}", 0o700)
        finally:
            os.close(handle)
        return os.open(name, _DIR_FLAGS, dir_fd=parent)


def _empty_folder(top_parent: int, top_name: str, problems: list[str]) -> None:
    """Delete everything inside ``top_name``, depth first, with one open folder at a time.

    Going down opens a child relative to the current folder; coming back opens ``..`` and
    checks it is the folder we came from (device and inode), so a folder moved meanwhile
    ends the walk instead of deleting somewhere else.
    """
    current = _open_folder(top_parent, top_name)
    # One entry per level: (name in its parent, (dev, ino), names that could not be removed).
    info = os.fstat(current)
    stack: list[tuple[str, tuple[int, int], set[str]]] = [(top_name, (info.st_dev, info.st_ino), set())]
    try:
        while True:
            name, identity, stuck = stack[-1]
            child = _clear_files_find_folder(current, stuck, problems)
            if child is not None:
                try:
                    below = _open_folder(current, child)
                except OSError as err:
                    stuck.add(child)
                    _note(problems, f"{child}: cannot open ({err.strerror})")
                    continue
                os.close(current)
                current = below
                info = os.fstat(current)
                stack.append((child, (info.st_dev, info.st_ino), set()))
                continue
            if len(stack) == 1:
                return
            stack.pop()
            up = os.open("..", _DIR_FLAGS & ~os.O_NOFOLLOW, dir_fd=current)
            os.close(current)
            current = up
            info = os.fstat(current)
            parent_name, parent_identity, parent_stuck = stack[-1]
            if (info.st_dev, info.st_ino) != parent_identity:
                _note(problems, f"{parent_name}: moved while it was being removed; stopped")
                return
            if not _rmdir(current, name, problems, name):
                parent_stuck.add(name)
    finally:
        os.close(current)


def _clear_files_find_folder(folder: int, stuck: set[str], problems: list[str]) -> str | None:
    """Unlink every non-folder entry of ``folder``; return one sub-folder still to empty, if any."""
    found = None
    with os.scandir(folder) as entries:
        names = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
    for name, is_dir in names:
        if name in stuck:
            continue
        if is_dir:
            found = found or name
            continue
        try:
            os.unlink(name, dir_fd=folder)
        except FileNotFoundError:
            pass
        except PermissionError:
            try:
                os.chmod(folder, 0o700)            # a folder made read-only: we own it, so restore
                os.unlink(name, dir_fd=folder)
            except OSError as err:
                stuck.add(name)
                _note(problems, f"{name}: cannot remove ({err.strerror})")
        except OSError as err:
            stuck.add(name)
            _note(problems, f"{name}: cannot remove ({err.strerror})")
    return found


def _note(problems: list[str], text: str) -> None:
    if len(problems) < MAX_PROBLEMS:
        problems.append(text)


def _rmdir(parent: int, name: str, problems: list[str], shown: str) -> bool:
    for attempt in range(2):
        try:
            os.rmdir(name, dir_fd=parent)
            return True
        except FileNotFoundError:
            return True
        except PermissionError as err:
            if attempt == 0:
                try:
                    os.chmod(parent, 0o700)
                    continue
                except OSError:
                    pass
            _note(problems, f"{shown}: cannot remove ({err.strerror})")
            return False
        except OSError as err:
            _note(problems, f"{shown}: cannot remove ({err.strerror})")
            return False
    return False
