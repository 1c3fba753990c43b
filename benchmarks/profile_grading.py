"""Where one grading's time goes: a profile of `cvgrade grade` on one submission, by phase.

    .venv/bin/python benchmarks/profile_grading.py [hw0] [--submission PATH] [--cold] [--repeat 5]

Measures, for the reference solution (or --submission): the interpreter start, the grader's
imports (what every `cvgrade grade` process pays before it grades), and then one grading
in this process under cProfile, split into: sandbox set-up (uid lease, folders, worker start,
canary), pytest collection, running the tests (of which: waiting for the worker, i.e. the
student's code plus the channel; encoding and sending requests; the reference and the
numeric checks in the grader; pytest's own bookkeeping), and tear-down. With a fork server
(default; --cold without) as in `cvgrade batch`. A benchmark, not a test: numbers depend on
the machine's load (printed with them).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def seconds(command: list[str], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def cumulative(stats: pstats.Stats, file_part: str, function: str) -> float:
    total = 0.0
    for (filename, _, name), (_, _, _, cum, _) in stats.stats.items():
        if name == function and file_part in filename:
            total += cum
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hw", nargs="?", default="hw0")
    parser.add_argument("--submission", type=Path)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from autograder.course.layout import open_course
    from autograder.isolation.zygote_client import ENV_VAR, ForkServer

    homework = open_course(ROOT).homework(args.hw)
    submission = args.submission or ROOT / "solutions" / args.hw
    load = os.getloadavg()[0]
    python = sys.executable
    interpreter = seconds([python, "-c", "pass"], args.repeat)
    imports = seconds([python, "-c", "import autograder.cli, autograder.grading.runner"], args.repeat) - interpreter
    whole = seconds([python, "-m", "autograder", "grade", args.hw, str(submission)], args.repeat)

    server = None
    if not args.cold:
        server = ForkServer(["numpy", "torch"] if homework.uses_torch else ["numpy"])
        os.environ[ENV_VAR] = server.start()
    from autograder.grading.runner import grade

    grade(homework, [submission])                 # warm this process's own caches once
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    results = grade(homework, [submission])
    profile.disable()
    total = time.perf_counter() - started
    if server is not None:
        server.close()
    stats = pstats.Stats(profile)
    collection = cumulative(stats, "_pytest/main.py", "pytest_collection")
    loop = cumulative(stats, "_pytest/main.py", "pytest_runtestloop")
    start = cumulative(stats, "autograder/isolation/client.py", "start")
    canary = cumulative(stats, "autograder/isolation/client.py", "canary")
    waiting = cumulative(stats, "autograder/isolation/client.py", "_receive")
    sending = cumulative(stats, "autograder/isolation/wire.py", "send")
    close = cumulative(stats, "autograder/isolation/client.py", "close")
    reference = cumulative(stats, "shared/modules.py", "call") + cumulative(stats, "shared/modules.py",
                                                                              "load_private")
    asserts = sum(cumulative(stats, "shared/asserts.py", f) for f in
                  ("assert_close", "assert_scalar_close", "assert_raises"))
    tests_in_loop = loop - max(waiting - (canary or 0), 0) - sending
    rows = [
        ("interpreter start (python -c pass)", interpreter),
        ("grader imports (autograder.cli, runner: pytest, numpy, pydantic, click)", imports),
        ("sandbox set-up: worker start + canary (within grade)", canary),
        ("pytest collection of the test files", collection),
        ("running the tests (pytest_runtestloop)", loop),
        ("  of which: waiting for the worker (student code + channel)", waiting - canary + start),
        ("  of which: encoding + sending requests", sending),
        ("  of which: the reference in the grader (hidden tests)", reference),
        ("  of which: numeric checks (shared.asserts)", asserts),
        ("  of which: pytest bookkeeping and the rest", tests_in_loop - reference - asserts),
        ("worker tear-down (kill, reap)", close),
        ("grade() total under cProfile (in-process, imports already paid)", total),
        ("whole `cvgrade grade` process, wall (median, without cProfile)", whole),
    ]
    mode = "cold" if args.cold else "warm (fork server)"
    print(f"{args.hw}: {submission.relative_to(ROOT) if submission.is_relative_to(ROOT) else submission}, "
          f"{len(results.tests)} tests, score {results.score:g}; worker start {mode}; load average {load:.1f}\n")
    print("| phase | seconds |")
    print("|---|---|")
    for label, value in rows:
        print(f"| {label} | {value:.3f} |")


if __name__ == "__main__":
    main()
