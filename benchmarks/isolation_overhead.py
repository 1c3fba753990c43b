"""Isolation overhead: `cvgrade grade` vs. the same tests in one process without isolation.

    .venv/bin/python benchmarks/isolation_overhead.py [hw0 ...] [--repeat 3]

For each homework: (a) wall time of `cvgrade grade HW solutions/HW` (worker process, sandbox,
results), cold (every worker a fresh interpreter) and warm (workers forked from a fork server
that has already imported numpy, and torch for the torch homeworks: what every grading of a
`cvgrade batch` gets), (b) the same public + hidden tests run by plain pytest in one process
against the reference (no worker: `hw` is the imported module), (c) `cvgrade simulate` on the
reference (the Gradescope path: unzip the bundle, run_autograder). Prints a Markdown table
with the median of the repeats and the ratios (a)/(b). A benchmark, not a test: numbers
depend on the machine's load (printed with them).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})})
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr[-2000:]}")
    return elapsed


def measure(hw: str, repeat: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from autograder.course.layout import open_course
    from autograder.isolation.zygote_client import ENV_VAR, ForkServer

    cvgrade = [sys.executable, "-m", "autograder"]
    preload = ["numpy", "torch"] if open_course(ROOT).homework(hw).uses_torch else ["numpy"]
    with tempfile.TemporaryDirectory() as tmp, ForkServer(preload) as server:
        runs = {
            "grade": [timed([*cvgrade, "grade", hw, f"solutions/{hw}", "--json", f"{tmp}/r.json"])
                      for _ in range(repeat)],
            "warm": [timed([*cvgrade, "grade", hw, f"solutions/{hw}", "--json", f"{tmp}/r.json"],
                           env={ENV_VAR: server.address}) for _ in range(repeat)],
            "in_process": [timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"assignments/{hw}",
                                  f"solutions/{hw}/tests"], env={"CVGRADE_STUDENT_DIR": f"solutions/{hw}"})
                           for _ in range(repeat)],
            "simulate": [timed([*cvgrade, "simulate", hw, f"solutions/{hw}", "--dist", f"{tmp}/dist"])
                         for _ in range(repeat)],
        }
    return {name: statistics.median(values) for name, values in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("homeworks", nargs="*", default=["hw0"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| HW | in-process pytest (s) | cvgrade grade, cold (s) | overhead | cvgrade grade, warm (s) | overhead "
          "| cvgrade simulate (s) | load |")
    print("|---|---|---|---|---|---|---|---|")
    for hw in args.homeworks:
        load = os.getloadavg()[0]
        m = measure(hw, args.repeat)
        print(f"| {hw} | {m['in_process']:.2f} | {m['grade']:.2f} | {m['grade'] / m['in_process']:.2f}x | "
              f"{m['warm']:.2f} | {m['warm'] / m['in_process']:.2f}x | {m['simulate']:.2f} | {load:.1f} |",
              flush=True)


if __name__ == "__main__":
    main()
