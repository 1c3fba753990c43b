"""Batch throughput: 300 generated HW0 submissions through `cvgrade batch`, `grade` and `simulate`.

    .venv/bin/python benchmarks/batch_throughput.py [--n 300] [--jobs 1 2] [--cold] [--skip-one-by-one]
                                                    [--skip-simulate] [--keep DIR]

Generates N submissions in a temporary folder from solutions/hw0: a deterministic mixture of
correct solutions (some zipped, some nested in a folder), mutants (solutions/hw0/mutants,
realistic mistakes: full-file .py mutants or .yaml edits of the reference) and broken ones
(syntax error, missing file, the stubs, an exception at import, an infinite loop at import,
an infinite loop in one function). Then times:

  (a) `cvgrade batch hw0 DIR -j J --no-cache` for each J (warm start; with --cold also without);
  (b) `cvgrade grade` of every submission one by one (the reference scores);
  (c) `cvgrade simulate` of every submission one by one (the Gradescope path).

and checks that every way gives every submission the same score (determinism). Prints a
Markdown table with wall time and the CPU time (user + system) of every process involved:
on a machine shared with other work the wall time mostly measures the others' load, the CPU
time much less so. A benchmark, not a test (the load average is printed with the numbers).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HW = "hw0"
FILES = ("filters.py", "fourier.py")


def generate(folder: Path, n: int) -> dict[str, str]:
    """Write ``n`` submissions under ``folder``; return {submission name: kind}."""
    ref = {name: (ROOT / "solutions" / HW / name).read_text() for name in FILES}
    stubs = {name: (ROOT / "assignments" / HW / name).read_text() for name in FILES}
    mutants = []              # (name, module file, source): full-file .py mutants or .yaml edits
    for path in sorted((ROOT / "solutions" / HW / "mutants").glob("*.*")):
        module = path.stem.split("__")[0] + ".py"
        if path.suffix == ".py":
            mutants.append((path.stem, module, path.read_text()))
        elif path.suffix == ".yaml":
            sys.path.insert(0, str(ROOT))
            from autograder.quality.mutants import MutantError, load_mutant

            try:
                mutants.append((path.stem, module, load_mutant(path).apply(ref[module])))
            except MutantError:
                continue
    kinds_of_broken = [
        ("syntax_error", lambda s: {**s, "filters.py": s["filters.py"].replace("def box_kernel(size):",
                                                                                 "def box_kernel(size)")}),
        ("missing_file", lambda s: {"filters.py": s["filters.py"]}),
        ("stubs", lambda s: dict(stubs)),
        ("raises_at_import", lambda s: {**s, "fourier.py": "raise RuntimeError('oops')\n" + s["fourier.py"]}),
        ("loop_at_import", lambda s: {**s, "fourier.py": "while True:\n    pass\n" + s["fourier.py"]}),
        ("loop_in_swap_phase", lambda s: {**s, "fourier.py": s["fourier.py"].replace(
            "def swap_phase(image_a, image_b):", "def swap_phase(image_a, image_b):\n    while True:\n        pass")}),
    ]
    # Of every 15 broken submissions: 1 loops at import, 1 loops in one function (3 tests time out).
    broken = [kinds_of_broken[k] for k in (0, 1, 2, 3, 0, 1, 2, 3, 4, 0, 1, 2, 3, 5, 2)]
    kinds: dict[str, str] = {}
    for i in range(n):
        slot = i % 20
        name = f"student{i:03d}"
        sources = dict(ref)
        if slot < 8:
            kind = "correct"
        elif slot < 17:
            stem, module, text = mutants[(i // 20 * 9 + slot - 8) % len(mutants)]
            sources[module] = text
            kind = f"mutant {stem}"
        else:
            label, change = broken[(i // 20 * 3 + slot - 17) % len(broken)]
            sources = change(sources)
            kind = label
        sources = {k: v + f"\n# submission {i}\n" for k, v in sources.items()}     # distinct contents
        if slot == 1:                       # a zip with a top-level folder, as students upload
            with zipfile.ZipFile(folder / f"{name}.zip", "w") as archive:
                for file, text in sources.items():
                    archive.writestr(f"hw0-submission/{file}", text)
        else:
            target = folder / name / ("src" if slot == 2 else "")
            target.mkdir(parents=True)
            for file, text in sources.items():
                (target / file).write_text(text)
        kinds[name] = kind
    return kinds


def cpu_of_children() -> float:
    """User + system CPU seconds of all our finished (waited-for) descendants so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started, proc


def submission_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.zip" if (folder / f"{name}.zip").exists() else folder / name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--cold", action="store_true", help="also time batch without the fork server")
    parser.add_argument("--skip-one-by-one", action="store_true")
    parser.add_argument("--skip-simulate", action="store_true")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()
    cvgrade = [sys.executable, "-m", "autograder"]
    tmp = Path(tempfile.mkdtemp(prefix="cvgrade-bench-"))
    folder = args.keep or tmp / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    kinds = generate(folder, args.n)
    counts: dict[str, int] = {}
    for kind in kinds.values():
        counts[kind.split()[0]] = counts.get(kind.split()[0], 0) + 1
    print(f"{args.n} submissions: {counts}; load average at start {os.getloadavg()[0]:.1f}, "
          f"{os.cpu_count()} CPUs", flush=True)

    rows: list[tuple[str, float, float, str]] = []
    scores: dict[str, dict[str, float]] = {}
    variants = [(j, False) for j in args.jobs] + ([(max(args.jobs), True)] if args.cold else [])
    for jobs, cold in variants:
        label = f"cvgrade batch -j {jobs}" + (" --cold" if cold else "")
        out = tmp / f"batch-{jobs}{'-cold' if cold else ''}.csv"
        load, cpu = os.getloadavg()[0], cpu_of_children()
        seconds, proc = run([*cvgrade, "batch", HW, str(folder), "-j", str(jobs), "--no-cache", "--csv", str(out),
                             *(["--cold"] if cold else [])])
        cpu = cpu_of_children() - cpu
        if not out.is_file():
            raise SystemExit(f"{label} failed:\n{proc.stderr[-2000:]}")
        with open(out, newline="") as handle:
            scores[label] = {row["submission"].removesuffix(".zip"): float(row["total"])
                             for row in csv.DictReader(handle)}
        rows.append((label, seconds, cpu, f"load {load:.1f}"))
        print(f"{label}: {seconds:.1f} s, CPU {cpu:.1f} s, load {load:.1f}", flush=True)

    for mode, skip in (("grade", args.skip_one_by_one), ("simulate", args.skip_simulate)):
        if skip:
            continue
        label = f"cvgrade {mode}, one by one"
        load, cpu = os.getloadavg()[0], cpu_of_children()
        total, got = 0.0, {}
        for name in kinds:
            out = tmp / f"{mode}-{name}.json"
            extra = ["--dist", str(tmp / "dist")] if mode == "simulate" else []
            seconds, proc = run([*cvgrade, mode, HW, str(submission_path(folder, name)), "--json", str(out), *extra])
            total += seconds
            got[name] = json.loads(out.read_text())["score"] if out.is_file() else float("nan")
        scores[label] = got
        cpu = cpu_of_children() - cpu
        rows.append((label, total, cpu, f"load {load:.1f}"))
        print(f"{label}: {total:.1f} s, CPU {cpu:.1f} s, load {load:.1f}", flush=True)

    reference = next(iter(scores.values()))
    print(f"\n{args.n} HW0 submissions ({', '.join(f'{v} {k}' for k, v in counts.items())}); "
          f"{os.cpu_count()} CPUs\n")
    print("| how | wall time (s) | wall per submission (s) | CPU user+sys (s) | CPU per submission (s) "
          "| same scores as first row | load average at start |")
    print("|---|---|---|---|---|---|---|")
    for label, seconds, cpu, note in rows:
        same = scores[label] == reference
        print(f"| {label} | {seconds:.1f} | {seconds / args.n:.2f} | {cpu:.1f} | {cpu / args.n:.2f} | "
              f"{'yes' if same else 'NO'} | {note.removeprefix('load ')} |")
    for label, got in scores.items():
        diff = [k for k in reference if got.get(k) != reference[k]]
        if diff:
            print(f"{label}: {len(diff)} scores differ, e.g. {diff[:5]} "
                  f"({[(reference[k], got.get(k)) for k in diff[:5]]})")
    if args.keep is None:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
