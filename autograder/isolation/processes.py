"""Process bookkeeping: becoming a subreaper, reading /proc, reaping, killing what is left.

One copy for both sides: the grader imports it (``kill_leftovers`` after each worker), and
the zygote, which cannot import the ``autograder`` package, loads the copy in its runtime
folder (``runtime.RUNTIME_FILES``). So it imports only the standard library.
"""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator

_PR_SET_CHILD_SUBREAPER = 36
_own_children: set[int] | None = None   # our children before grading began (never killed)


def become_subreaper(*, remember_children: bool = True) -> None:
    """Orphans of our descendants (daemonised children) are re-parented to us, so we can kill them.

    A grading process (``runner.grade``) remembers its children of this moment: those born
    later are the sandbox's, and ``kill_leftovers`` may kill them. The zygote and its
    shepherds kill every child they have (``kill_children``) and remember nothing.
    """
    global _own_children
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if remember_children:
        me = os.getpid()
        _own_children = {pid for pid, ppid, _, _ in processes() if ppid == me}


def _status(pid: int | str) -> tuple[int, int, str] | None:
    """(ppid, real uid, state letter) of a process; None when it is gone or unreadable."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            fields = dict(line.split(":", 1) for line in handle if ":" in line)
        return int(fields["PPid"]), int(fields["Uid"].split()[0]), fields["State"].split()[0]
    except (OSError, KeyError, ValueError, IndexError):
        return None


def processes() -> Iterator[tuple[int, int, int, str]]:
    """(pid, ppid, real uid, state letter) of every process we can see ("Z": a zombie)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            status = _status(entry)
            if status is not None:
                yield int(entry), *status


def parent_of(pid: int) -> int | None:
    status = _status(pid)
    return None if status is None else status[0]


def children() -> list[int]:
    """Live (non-zombie) children of this process, orphans adopted as subreaper included."""
    me = os.getpid()
    return [pid for pid, ppid, _, state in processes() if ppid == me and state != "Z"]


def own_process_count() -> int:
    """Processes of our real uid now (RLIMIT_NPROC counts them all, not only the sandbox's)."""
    me = os.getuid()
    return sum(1 for _, _, owner, _ in processes() if owner == me)


def reap_orphans() -> None:
    """Collect exited children by pid (never ``waitpid(-1)``: the live worker has its own Popen)."""
    me = os.getpid()
    for pid, ppid, _, state in list(processes()):
        if ppid == me and state == "Z":
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def reap_children() -> list[tuple[int, int]]:
    """Collect every exited child; (pid, wait status) of each (for a process that owns all its children)."""
    reaped = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        reaped.append((pid, status))


def kill_until_gone(victims: Callable[[], list[int]], reap: Callable[[], object], *, rounds: int = 100,
                    pause_s: float = 0.01) -> int:
    """SIGKILL ``victims()`` and reap, again and again until none is left; how many kills took.

    Again because a victim may fork while it dies; ``rounds`` bounds a fork bomb's last stand.
    """
    killed = 0
    for _ in range(rounds):
        found = victims()
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
        reap()
        time.sleep(pause_s)
    reap()
    return killed


def kill_children(keep: frozenset[int] | set[int] = frozenset()) -> None:
    """Kill every child of this process but ``keep`` (the zygote's shepherds), until none is left."""
    kill_until_gone(lambda: [pid for pid in children() if pid not in keep], reap_children, pause_s=0.005)


def kill_leftovers(uid: int | None) -> int:
    """Kill every process of the sandbox uid, and our orphaned descendants. Returns how many."""
    me = os.getpid()

    def victims() -> list[int]:
        orphans = _own_children is not None
        return [pid for pid, ppid, owner, state in processes()
                if pid != me and state != "Z" and ((uid is not None and owner == uid)
                                                   or (orphans and ppid == me and pid not in _own_children))]

    return kill_until_gone(victims, reap_orphans, rounds=50)
