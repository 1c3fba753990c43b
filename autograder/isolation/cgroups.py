"""The grading's cgroups: one memory and task limit for all of its processes, and their clean-up.

``GradingCgroups`` creates them (v2 where memory and pids are delegated, else v1) under the
grader's own cgroup; the worker joins them before anything else runs (``worker.join_cgroups``);
``kill_members`` kills whatever is still in them, whatever its uid or session.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from autograder.isolation.processes import kill_until_gone, reap_orphans


class GradingCgroups:
    """Memory and task limits for the whole grading (every process of it), and its clean-up.

    cgroup v2 where the machine delegates memory and pids to us, else v1 (``memory``,
    ``pids`` hierarchies); created under this process's own cgroup, so the machine's limits
    still hold. Only root can create them; ``applied`` says which limits took effect.
    """

    def __init__(self, memory_bytes: int | None, tasks: int | None):
        self.memory_bytes, self.tasks = memory_bytes, tasks
        self.folders: list[Path] = []
        self.applied: list[str] = []

    @staticmethod
    def _own_paths() -> dict[str, str]:
        paths = {}
        try:
            for line in Path("/proc/self/cgroup").read_text().splitlines():
                _, controllers, path = line.split(":", 2)
                for name in controllers.split(",") if controllers else [""]:
                    paths[name] = path
        except (OSError, ValueError):
            pass
        return paths

    def create(self) -> None:
        if os.geteuid() != 0:
            return
        import secrets

        name = f"cvgrade-{os.getpid()}-{secrets.token_hex(4)}"
        own = self._own_paths()
        base = Path("/sys/fs/cgroup")
        unified = base if (base / "cgroup.controllers").is_file() else base / "unified"
        v2_parent = unified / own.get("", "/").lstrip("/")
        try:
            delegated = set((v2_parent / "cgroup.subtree_control").read_text().split())
        except OSError:
            delegated = set()
        if {"memory", "pids"} <= delegated:
            self._make(v2_parent / name, {"memory.max": self.memory_bytes, "memory.swap.max": 0,
                                          "pids.max": self.tasks})
            return
        for controller, settings in (("memory", {"memory.limit_in_bytes": self.memory_bytes,
                                                  "memory.memsw.limit_in_bytes": self.memory_bytes}),
                                     ("pids", {"pids.max": self.tasks})):
            parent = base / controller / own.get(controller, "/").lstrip("/")
            if parent.is_dir():
                self._make(parent / name, settings)

    def _make(self, folder: Path, settings: dict[str, int | None]) -> None:
        try:
            folder.mkdir()
        except OSError:
            return
        self.folders.append(folder)
        for key, value in settings.items():
            if value is None or not (folder / key).exists():
                continue
            try:
                (folder / key).write_text(str(value))
                self.applied.append(key)
            except OSError:
                pass

    def kill_all(self) -> int:
        """SIGKILL every process still in the grading's cgroups; how many there were."""
        return kill_members(self.folders)

    def remove(self) -> None:
        self.kill_all()
        for folder in self.folders:
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
        self.folders = []


def members(folders: list[Path]) -> list[int]:
    """Every process in these cgroups now."""
    found: set[int] = set()
    for folder in folders:
        try:
            found.update(int(p) for p in (folder / "cgroup.procs").read_text().split())
        except (OSError, ValueError):
            pass
    return sorted(found)


def kill_members(folders: list[Path]) -> int:
    """SIGKILL every process in these cgroups (never this one) until none is left; how many there were."""
    me = os.getpid()
    return kill_until_gone(lambda: [pid for pid in members(folders) if pid != me], reap_orphans)
