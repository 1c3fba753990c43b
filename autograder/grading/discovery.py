"""Finding a submission's module files, wherever the student put them.

A submission is a folder, a ``.zip`` (possibly with a top-level folder, possibly inside the
folder Gradescope gives us), or one or more loose ``.py`` files. Required files are found by
name; the shallowest match wins. Files are read into memory by content, never extracted:
zip entries with absolute or ``..`` paths cannot land anywhere, and sizes are checked before
reading (zip bombs).

Only regular files are ever opened: every path is ``lstat``-ed first and then opened with
``O_NOFOLLOW | O_NONBLOCK`` and checked again on the open descriptor, so a link, a FIFO or
a device (a FIFO named ``extra.zip`` would block ``open`` forever) is refused, not read.
Folders are walked without recursion and to a bounded depth. Every way a zip can be broken
(bad structure, corrupt deflate or LZMA data, a name that is not UTF-8, an unsupported
compression, encryption, too many entries) is a ``UserError`` "not graded: bad zip: ...",
which every command turns into a valid results.json.
"""
from __future__ import annotations

import io
import lzma
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.errors import UserError
from shared.source_checks import MAX_FILE_BYTES

MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_DIRECTORY_BYTES = 4 << 20   # the zip's central directory: ~10,000 entries with long names
MAX_FOLDER_DEPTH = 16           # deeper folders are not searched (a student nests a few levels)
MAX_FOLDER_ENTRIES = 50_000     # entries looked at in one submission folder
_IGNORED_DIRS = {"__MACOSX", "__pycache__", ".git", ".ipynb_checkpoints"}
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC

# What zipfile, zlib, lzma and bz2 raise on a damaged or unusual archive (bz2 raises OSError).
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, UnicodeDecodeError,
               NotImplementedError, EOFError, OSError, RuntimeError, ValueError, struct.error, OverflowError,
               IndexError, KeyError)


@dataclass
class Submission:
    """The required module files found (name -> bytes) and what could not be used."""

    files: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _BadZip(Exception):
    """A zip that cannot be read; the message says why, for the student."""


def collect(paths: list[Path], wanted: list[str]) -> Submission:
    """Collect the ``wanted`` file names from ``paths`` (folders, zips or .py files)."""
    candidates: dict[str, tuple[int, str, bytes]] = {}   # name -> (depth, where, content)
    notes: list[str] = []
    bad_zips: list[str] = []                             # zips inside a folder that could not be read
    for path in paths:
        path = Path(path)
        try:
            kind = stat.S_IFMT(path.lstat().st_mode)
        except FileNotFoundError:
            raise UserError(f"{path}: no such file or folder (give a submission folder, .zip or .py files)") from None
        except OSError as err:
            raise UserError(f"{path}: cannot be read ({err.strerror})") from None
        if kind not in (stat.S_IFDIR, stat.S_IFREG):
            raise UserError(f"{path}: is a link or special file; give a regular folder, .zip or .py file")
        if kind == stat.S_IFDIR:
            _from_folder(path, wanted, candidates, notes, bad_zips)
        elif path.suffix.lower() == ".zip":
            try:
                _from_zip(path, wanted, candidates, notes)
            except _BadZip as err:
                raise UserError(f"not graded: bad zip: {path}: {err}") from None
        elif path.suffix == ".py":
            _offer(candidates, notes, path.name, 0, str(path), _read_regular(path, notes), wanted)
        else:
            raise UserError(f"{path}: not a folder, .zip or .py file")
    submission = Submission(notes=notes)
    for name in wanted:
        if name in candidates:
            submission.files[name] = candidates[name][2]
        else:
            submission.missing.append(name)
    if bad_zips and not submission.files:
        # Nothing usable but a zip we could not read: say so instead of grading a zero. (With
        # some files found loose, those are graded and the note names the broken zip.)
        raise UserError(f"not graded: bad zip: {bad_zips[0]}")
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


def _open_regular(path: Path) -> int | None:
    """A read descriptor of ``path`` if it is a regular file (never through a link), else None."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):       # what was opened, not what lstat saw
            os.set_blocking(fd, True)
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _read_regular(path: Path, notes: list[str]) -> bytes | None:
    fd = _open_regular(path)
    if fd is None:
        notes.append(f"{path.name}: ignored (a link or special file, not a regular file)")
        return None
    with os.fdopen(fd, "rb") as handle:
        content = handle.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        notes.append(f"{path.name}: ignored (larger than {MAX_FILE_BYTES // 1024} kB)")
        return None
    return content


def _from_folder(root: Path, wanted: list[str], candidates: dict, notes: list[str], bad_zips: list[str]) -> None:
    """Breadth first, so the shallowest match is seen first; no recursion, bounded depth and size."""
    level, depth, seen = [root], 0, 0
    while level and depth <= MAX_FOLDER_DEPTH:
        below: list[Path] = []
        for folder in level:
            try:
                with os.scandir(folder) as scan:
                    entries = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in scan)
            except OSError as err:
                notes.append(f"{folder.relative_to(root)}: folder could not be read ({err.strerror})")
                continue
            seen += len(entries)
            if seen > MAX_FOLDER_ENTRIES:
                notes.append(f"stopped looking after {MAX_FOLDER_ENTRIES} files and folders")
                return
            for name, is_dir in entries:
                path = folder / name
                if is_dir:
                    if name not in _IGNORED_DIRS and not name.startswith("."):
                        below.append(path)
                elif name in wanted:
                    _offer(candidates, notes, name, depth, str(path.relative_to(root)),
                           _read_regular(path, notes), wanted)
                elif name.lower().endswith(".zip") and depth == 0:
                    try:
                        _from_zip(path, wanted, candidates, notes, depth_offset=1)
                    except _BadZip as err:
                        notes.append(f"{name}: could not be read as a zip ({err})")
                        bad_zips.append(f"{name}: {err}")
        level, depth = below, depth + 1
    if level:
        notes.append(f"folders more than {MAX_FOLDER_DEPTH} levels deep were not searched")


def _from_zip(path: Path, wanted: list[str], candidates: dict, notes: list[str], *, depth_offset: int = 0) -> None:
    """Offer the wanted entries of the zip at ``path``; ``_BadZip`` if it cannot be read."""
    fd = _open_regular(path)
    if fd is None:
        raise _BadZip("not a regular file (a link, FIFO or device)")
    with os.fdopen(fd, "rb") as handle:
        try:
            _check_directory(handle)
            with zipfile.ZipFile(handle) as archive:
                entries = archive.infolist()
                if len(entries) > MAX_ZIP_ENTRIES:
                    raise _BadZip(f"more than {MAX_ZIP_ENTRIES} entries")
                for entry in entries:
                    _offer_entry(archive, entry, path, wanted, candidates, notes, depth_offset)
        except _BadZip:
            raise
        except _ZIP_ERRORS as err:
            raise _BadZip(_zip_problem(err)) from None


def _offer_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, path: Path, wanted: list[str],
                 candidates: dict, notes: list[str], depth_offset: int) -> None:
    parts = PurePosixPath(entry.filename.replace("\\", "/")).parts
    if entry.is_dir() or not parts or parts[0] == "__MACOSX" or parts[-1] not in wanted:
        return
    kind = stat.S_IFMT(entry.external_attr >> 16)
    if kind and kind != stat.S_IFREG:
        notes.append(f"{entry.filename}: ignored (a link or special file in the zip)")
        return
    if entry.file_size > MAX_FILE_BYTES:
        notes.append(f"{entry.filename}: ignored (larger than {MAX_FILE_BYTES // 1024} kB)")
        return
    with archive.open(entry) as handle:
        content = handle.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        notes.append(f"{entry.filename}: ignored (larger than {MAX_FILE_BYTES // 1024} kB)")
        return
    depth = depth_offset + len(parts) - 1
    _offer(candidates, notes, parts[-1], depth, f"{path.name}:{entry.filename}", content, wanted)


def _zip_problem(err: BaseException) -> str:
    """What is wrong with a zip, in words, from the exception reading it raised."""
    detail = str(err)[:200]
    if isinstance(err, UnicodeDecodeError):
        return "not a readable zip file (a file name is marked UTF-8 but is not)"
    if isinstance(err, zlib.error):
        return f"not a readable zip file (corrupt compressed data: {detail})"
    if isinstance(err, lzma.LZMAError):
        return f"not a readable zip file (corrupt LZMA data: {detail})"
    if isinstance(err, NotImplementedError):
        return f"not a readable zip file (unsupported compression: {detail})"
    if isinstance(err, RuntimeError) and "encrypted" in detail:
        return "not a readable zip file (encrypted: submit it without a password)"
    if isinstance(err, EOFError):
        return "not a readable zip file (truncated)"
    if isinstance(err, zipfile.BadZipFile | zipfile.LargeZipFile):
        return f"not a readable zip file ({detail})"
    return f"not a readable zip file ({type(err).__name__}: {detail})"


def _check_directory(handle: io.BufferedReader) -> None:
    """Refuse a zip whose end record declares too many entries or too big a directory.

    ``zipfile`` builds an object per entry of the whole central directory before we could
    count them; the end record (and its zip64 form) says how many there are, in a few bytes.
    A missing or damaged record is left for ``zipfile`` to report.
    """
    size = handle.seek(0, os.SEEK_END)
    tail_size = min(size, 22 + 0xFFFF)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return
    entries, directory = struct.unpack("<HI", tail[at + 10:at + 16])
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        locator = tail[at - 20:at] if at >= 20 else b""
        if locator[:4] != b"PK\x06\x07":
            return
        (record_at,) = struct.unpack("<Q", locator[8:16])
        handle.seek(record_at)
        record = handle.read(56)
        if len(record) < 56 or record[:4] != b"PK\x06\x06":
            return
        entries, directory = struct.unpack("<QQ", record[32:48])
    if entries > MAX_ZIP_ENTRIES:
        raise _BadZip(f"more than {MAX_ZIP_ENTRIES} entries")
    if directory > MAX_ZIP_DIRECTORY_BYTES:
        raise _BadZip(f"its list of entries is larger than {MAX_ZIP_DIRECTORY_BYTES >> 20} MB")
