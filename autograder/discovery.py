"""Finding a submission's module files, wherever the student put them.

A submission is a folder, a ``.zip`` (possibly with a top-level folder, possibly inside the
folder Gradescope gives us), or one or more loose ``.py`` files. Required files are found by
name; the shallowest match wins. Files are read into memory by content, never extracted:
zip entries with absolute or ``..`` paths cannot land anywhere, links and special files are
refused, and sizes are checked before reading (zip bombs).
"""
from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.errors import UserError

MAX_FILE_BYTES = 1 << 20        # one module
MAX_ZIP_ENTRIES = 10_000
_IGNORED_DIRS = {"__MACOSX", "__pycache__", ".git", ".ipynb_checkpoints"}


@dataclass
class Submission:
    """The required module files found (name -> bytes) and what could not be used."""

    files: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def collect(paths: list[Path], wanted: list[str]) -> Submission:
    """Collect the ``wanted`` file names from ``paths`` (folders, zips or .py files)."""
    candidates: dict[str, tuple[int, str, bytes]] = {}   # name -> (depth, where, content)
    notes: list[str] = []
    for path in paths:
        path = Path(path)
        if not path.exists() and not path.is_symlink():
            raise UserError(f"{path}: no such file or folder (give a submission folder, .zip or .py files)")
        if path.is_symlink() or not (path.is_dir() or path.is_file()):
            raise UserError(f"{path}: is a link or special file; give a regular folder, .zip or .py file")
        if path.is_dir():
            _from_folder(path, wanted, candidates, notes)
        elif path.suffix == ".zip":
            _from_zip(path, wanted, candidates, notes, strict=True)
        elif path.suffix == ".py":
            _offer(candidates, notes, path.name, 0, str(path), _read_file(path, notes), wanted)
        else:
            raise UserError(f"{path}: not a folder, .zip or .py file")
    submission = Submission(notes=notes)
    for name in wanted:
        if name in candidates:
            submission.files[name] = candidates[name][2]
        else:
            submission.missing.append(name)
    return submission


def _offer(candidates: dict, notes: list[str], name: str, depth: int, where: str,
           content: bytes | None, wanted: list[str]) -> None:
    if name not in wanted or content is None:
        return
    current = candidates.get(name)
    if current is None or depth < current[0]:
        if current is not None:
            notes.append(f"{name}: used {where}, not {current[1]}")
        candidates[name] = (depth, where, content)
    elif depth == current[0] and current[1] != where:
        notes.append(f"{name}: found more than once; used {current[1]}, ignored {where}")


def _read_file(path: Path, notes: list[str]) -> bytes | None:
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode):
        notes.append(f"{path.name}: ignored (a link or special file, not a regular file)")
        return None
    if info.st_size > MAX_FILE_BYTES:
        notes.append(f"{path.name}: ignored (larger than {MAX_FILE_BYTES // 1024} kB)")
        return None
    return path.read_bytes()


def _from_folder(root: Path, wanted: list[str], candidates: dict, notes: list[str]) -> None:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _IGNORED_DIRS and not d.startswith("."))
        depth = len(Path(dirpath).relative_to(root).parts)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name in wanted:
                _offer(candidates, notes, name, depth, str(path.relative_to(root)), _read_file(path, notes), wanted)
            elif name.endswith(".zip") and depth == 0:
                _from_zip(path, wanted, candidates, notes, strict=False, depth_offset=1)


def _from_zip(path: Path, wanted: list[str], candidates: dict, notes: list[str], *, strict: bool,
              depth_offset: int = 0) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise zipfile.BadZipFile(f"more than {MAX_ZIP_ENTRIES} entries")
            for entry in entries:
                parts = PurePosixPath(entry.filename.replace("\\", "/")).parts
                if entry.is_dir() or not parts or parts[0] == "__MACOSX" or parts[-1] not in wanted:
                    continue
                kind = stat.S_IFMT(entry.external_attr >> 16)
                if kind and kind != stat.S_IFREG:
                    notes.append(f"{entry.filename}: ignored (a link or special file in the zip)")
                    continue
                if entry.file_size > MAX_FILE_BYTES:
                    notes.append(f"{entry.filename}: ignored (larger than {MAX_FILE_BYTES // 1024} kB)")
                    continue
                with archive.open(entry) as handle:
                    content = handle.read(MAX_FILE_BYTES + 1)
                if len(content) > MAX_FILE_BYTES:
                    notes.append(f"{entry.filename}: ignored (larger than {MAX_FILE_BYTES // 1024} kB)")
                    continue
                depth = depth_offset + len(parts) - 1
                _offer(candidates, notes, parts[-1], depth, f"{path.name}:{entry.filename}", content, wanted)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as err:
        if strict:
            raise UserError(f"{path}: not a readable zip file ({err})") from None
        notes.append(f"{path.name}: could not be read as a zip ({err})")
