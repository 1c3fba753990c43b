"""What ``run_autograder`` calls on Gradescope: grade and always leave a valid results.json.

A provisional result (score 0, "grading did not complete") is written before any student
code runs and replaced atomically after every test, so a crash or kill at any point leaves
a valid file saying how far grading got.
"""
from __future__ import annotations

import time
import traceback
from pathlib import Path

from autograder.course.layout import open_course
from autograder.errors import UserError
from autograder.grading.results import Results, failure_results, write_atomic
from autograder.grading.runner import grade

INCOMPLETE = ("Grading did not complete: the scores below are those of the tests that finished. "
              "Please tell the course staff.")


def run(source_root: Path, hw: str, gs_root: Path) -> int:
    """Grade ``gs_root/submission``; write ``gs_root/results/results.json``. Returns 0."""
    started = time.monotonic()
    results_path = Path(gs_root) / "results" / "results.json"
    write_atomic(results_path, failure_results(INCOMPLETE).to_json())

    def progress(results: Results) -> None:
        document = results.to_json()
        document["output"] = INCOMPLETE + f"\n({len(results.tests)} tests finished)"
        write_atomic(results_path, document)

    try:
        homework = open_course(Path(source_root)).homework(hw)
        results = grade(homework, [Path(gs_root) / "submission"], on_update=progress,
                        hide=(Path(gs_root) / "results",))
    except UserError as err:
        results = failure_results(f"Your submission could not be graded: {err}", time.monotonic() - started)
    except BaseException as err:  # noqa: BLE001 - the grader itself failed: still leave a valid file
        detail = "".join(traceback.format_exception_only(type(err), err)).strip()
        results = failure_results(f"GRADER ERROR (not your fault; please tell the course staff): {detail}",
                                  time.monotonic() - started)
    write_atomic(results_path, results.to_json())
    return 0
