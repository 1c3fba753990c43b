"""``cvgrade simulate``: the built autograder zip, run exactly as Gradescope runs it.

Gradescope unpacks ``hwN-autograder.zip`` into ``/autograder/source``, puts the upload in
``/autograder/submission``, copies ``run_autograder`` to ``/autograder/`` and runs it from
there. ``simulate`` lays out a temporary root the same way (``AUTOGRADER_ROOT`` names it),
copies the upload as Gradescope would hold it, and returns the results.json it wrote.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder.course.layout import Homework
from autograder.errors import UserError
from autograder.isolation.cleanup import remove_tree
from autograder.release.bundles import build_all

MAX_COPY_DEPTH = 32        # folder levels of an upload that simulate copies (discovery looks at 16)


def _copy_submission(paths: list[Path], target: Path) -> None:
    """Copy what a student uploaded as Gradescope would hold it: folders and regular files only.

    Iterative and bounded (``MAX_COPY_DEPTH``): a submission is hostile, and a folder nested
    thousands deep or a FIFO must not stall or crash the simulation before the grader sees it.
    """
    target.mkdir(parents=True)
    stack: list[tuple[Path, Path, int]] = []
    for path in map(Path, paths):
        if path.is_dir() and not path.is_symlink():
            stack.append((path, target, 0))
        elif path.is_file() and not path.is_symlink():
            shutil.copyfile(path, target / path.name)
        else:
            raise UserError(f"{path}: no such file or folder")
    while stack:
        source, destination, depth = stack.pop()
        try:
            entries = list(os.scandir(source))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and depth < MAX_COPY_DEPTH:
                (destination / entry.name).mkdir(exist_ok=True)
                stack.append((Path(entry.path), destination / entry.name, depth + 1))
            elif entry.is_file(follow_symlinks=False):
                shutil.copyfile(entry.path, destination / entry.name)


def simulate(homework: Homework, submission: list[Path], dist: Path) -> dict:
    """Build the autograder zip and run it exactly as Gradescope does, in a temporary root.

    Gradescope unpacks the zip into ``/autograder/source``, copies ``run_autograder`` to
    ``/autograder/run_autograder`` and runs that copy from ``/autograder``; so does this, with
    ``AUTOGRADER_ROOT`` naming the temporary root. setup.sh is not run: the grader's Python is
    the one on PATH (this process's first).
    """
    bundle = build_all(homework, dist)[0]
    gs_root = Path(tempfile.mkdtemp(prefix="cvgrade-gs-"))
    try:
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(gs_root / "source")
        _copy_submission(submission, gs_root / "submission")
        (gs_root / "results").mkdir()
        entry = gs_root / "run_autograder"
        shutil.copyfile(gs_root / "source" / "run_autograder", entry)
        entry.chmod(0o755)
        env = dict(os.environ, AUTOGRADER_ROOT=str(gs_root),
                   PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        subprocess.run([str(entry)], cwd=gs_root, env=env, stdin=subprocess.DEVNULL, check=False)
        results = gs_root / "results" / "results.json"
        if not results.is_file():
            raise UserError(f"{bundle}: run_autograder wrote no results.json")
        return json.loads(results.read_text())
    finally:
        remove_tree(gs_root)       # never recursion: the student's files are in there
