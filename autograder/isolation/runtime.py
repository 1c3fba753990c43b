"""The runtime: the standalone files the worker and the zygote run from, and how they start.

Neither can import the ``autograder`` package (the sandbox cannot see it), so each runs as
``python -s -P -B FILE ...`` from a copy of ``RUNTIME_FILES`` in a folder of its own, and
loads its siblings there by path (``worker.load_runtime``). Both start from ``environment``.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from shared.threads import ONE_THREAD

RUNTIME_FILES = ("worker.py", "zygote.py", "wire.py", "processes.py")
_HERE = Path(__file__).resolve().parent


def install(folder: Path) -> None:
    """Copy the runtime files into ``folder``, readable by the sandbox user (tracebacks read them)."""
    for name in RUNTIME_FILES:
        shutil.copyfile(_HERE / name, folder / name)
        os.chmod(folder / name, 0o644)


def command(folder: Path, script: str, *args: str, python: str | None = None) -> list[str]:
    """The command line that runs ``folder/script`` with ``args``.

    -s/-P/-B: no user site, no script folder on sys.path, no .pyc files. Not -I: it would
    also ignore PYTHONHASHSEED, and hashing must be deterministic. The environment is built
    from scratch (``environment``), so nothing else of PYTHON* leaks in.
    """
    return [python or sys.executable, "-s", "-P", "-B", str(folder / script), *args]


def environment(home: str) -> dict[str, str]:
    """The from-scratch environment of a worker (cold or forked): fixed hash seed, one thread."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        **ONE_THREAD,
        "MPLBACKEND": "Agg", "LANG": "C.UTF-8",
    }
    # Some CPUs need these for OpenBLAS to compute correctly (see the machine notes).
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env
