"""One thread per math library, for every process that runs the tests.

The tests' arrays and tensors are tiny, and on a busy or small machine a math library's
thread pool makes them up to 100x slower. The grader's worker starts with exactly these
variables (``autograder.isolation.runtime.environment``); a student's test run and the
grader's own processes set them unless already set (``one_thread_by_default``).
"""
from __future__ import annotations

import os

ONE_THREAD = {
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1",
}


def one_thread_by_default() -> None:
    """Set each variable of ``ONE_THREAD`` unless the user set it (a student's own setting wins).

    Call it before numpy or torch is imported: they read these variables once, when loaded.
    """
    for variable, value in ONE_THREAD.items():
        os.environ.setdefault(variable, value)
