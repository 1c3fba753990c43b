"""Who student code runs as, and the folders staged for it.

``sandbox_user`` leases a uid of its own to each grading process (61000 + n, no account, no
other processes), so killing every process of that uid never hits another grading;
``prepare_folders`` makes the grading's folders private to that uid.
"""
from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path
from typing import Any

from autograder.isolation.processes import kill_leftovers

# The first of a range of uids with no account and no other processes. A test suite may move
# the range (CVGRADE_SANDBOX_UID) so it can count its own sandbox processes on a busy machine.
SANDBOX_UID = int(os.environ.get("CVGRADE_SANDBOX_UID", "61000"))
SANDBOX_UIDS = 128  # how many gradings may run at once on one machine (cvgrade check, batch -j)
_uid_lease: tuple[Any, int] | None = None   # (open locked lease file, uid) of this process


def _lease_dir() -> Path:
    """Where uid leases live: root-owned and private (the sandbox uids cannot touch them)."""
    folder = Path(os.environ.get("CVGRADE_LEASE_DIR", "/run/cvgrade-uids"))
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir()) / "cvgrade-uids"
        folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def sandbox_user() -> tuple[int, int] | None:
    """(uid, gid) to drop to when the grader runs as root; None when it does not.

    Every grading process leases a uid of its own (an exclusive lock held until the process
    ends, even by SIGKILL): after a timeout the grader kills *every* process of its uid, which
    must never hit the worker of another grading running beside it (``check``, ``batch -j``).
    ``CVGRADE_SANDBOX_USER=none`` keeps the current user even as root: the path a laptop
    takes, so the platform's tests can exercise it on a root CI machine.
    """
    global _uid_lease
    if os.geteuid() != 0 or os.environ.get("CVGRADE_SANDBOX_USER") == "none":
        return None
    if _uid_lease is not None:
        return _uid_lease[1], _uid_lease[1]
    folder = _lease_dir()
    for uid in range(SANDBOX_UID, SANDBOX_UID + SANDBOX_UIDS):
        handle = open(folder / f"{uid}.lock", "a+")  # noqa: SIM115 - held for the process's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        _uid_lease = (handle, uid)
        kill_leftovers(uid)       # a grader that died may have left processes of this uid
        return uid, uid
    raise RuntimeError(f"all {SANDBOX_UIDS} sandbox uids are in use by other gradings")


def prepare_folders(root: Path, uid: int | None) -> tuple[Path, Path]:
    """``root/submission`` and ``root/runtime`` for the worker, plus ``view`` and ``tmp``.

    Everything is 0700 (files 0600/0644 inside 0700 folders), owned by the grading's uid: no
    other sandbox uid (another grading) can read a staged submission, and a grading that runs
    without namespaces still keeps its temporary files to itself.
    """
    submission, runtime = root / "submission", root / "runtime"
    for folder in (submission, runtime, root / "view", root / "tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    for path in [root, *root.rglob("*")]:
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
        if uid is not None:
            os.chown(path, uid, uid)
    return submission, runtime
