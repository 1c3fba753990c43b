"""``cvgrade batch``: grade a folder of submissions (one subfolder or zip per student).

Each submission is graded by its own ``cvgrade grade`` process (``checks.grade_folder``),
so one hostile or broken submission cannot stop or influence the others. Writes a CSV
(one row per student, one column per test, then the total) and a self-contained HTML report
(score histogram, per-test pass rates, failure messages grouped by test).
"""
from __future__ import annotations

import csv
import html
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tqdm import tqdm

from autograder.checks import grade_folder
from autograder.config import Course
from autograder.errors import UserError


def find_submissions(directory: Path) -> dict[str, Path]:
    """{student: path}: every subfolder or .zip directly under ``directory``."""
    found = {p.stem if p.suffix == ".zip" else p.name: p for p in sorted(Path(directory).iterdir())
             if (p.is_dir() and not p.name.startswith(".")) or p.suffix == ".zip"}
    if not found:
        raise UserError(f"{directory}: no submissions (expected one subfolder or .zip per student)")
    return found


def run_batch(course: Course, root: Path, hw: str, directory: Path, *, jobs: int = 1, csv_path: Path | None = None,
              report_path: Path | None = None, echo: Callable[[str], None] = print) -> dict[str, dict]:
    submissions = find_submissions(directory)

    def run(item: tuple[str, Path]) -> tuple[str, dict]:
        student, path = item
        try:
            return student, grade_folder(root, hw, path)
        except RuntimeError as err:
            return student, {"score": 0.0, "tests": [], "output": f"not graded: {err}"}

    results: dict[str, dict] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool, tqdm(total=len(submissions), unit="submission") as bar:
        for student, document in pool.map(run, submissions.items()):
            results[student] = document
            bar.update(1)
    points = course.assignment(hw).points
    scores = [d["score"] for d in results.values()]
    echo(f"{len(results)} submissions graded; mean {sum(scores) / len(scores):.2f} / {points:g}")
    if csv_path is not None:
        write_csv(results, csv_path)
        echo(f"wrote {csv_path}")
    if report_path is not None:
        write_report(results, points, report_path, title=f"{hw}: {course.assignment(hw).title}")
        echo(f"wrote {report_path}")
    return results


def _test_names(results: dict[str, dict]) -> list[str]:
    names: dict[str, None] = {}
    for document in results.values():
        for test in document["tests"]:
            names.setdefault(test["name"], None)
    return list(names)


def write_csv(results: dict[str, dict], path: Path) -> None:
    names = _test_names(results)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *names, "total"])
        for student, document in results.items():
            by_name = {t["name"]: t["score"] for t in document["tests"]}
            writer.writerow([student, *(by_name.get(n, 0) for n in names), document["score"]])


def write_report(results: dict[str, dict], points: float, path: Path, title: str) -> None:
    scores = [d["score"] for d in results.values()]
    bins = Counter(min(int(10 * s / points), 9) if points else 0 for s in scores)
    peak = max(bins.values(), default=1)
    bars = "".join(
        f'<rect x="{20 + 40 * i}" y="{160 - 140 * bins.get(i, 0) / peak:.1f}" width="34" '
        f'height="{140 * bins.get(i, 0) / peak:.1f}" fill="#4a7ab7"><title>{bins.get(i, 0)} students</title></rect>'
        f'<text x="{37 + 40 * i}" y="178" font-size="10" text-anchor="middle">{10 * i}%</text>' for i in range(10))
    rows, failures = [], []
    for name in _test_names(results):
        tests = [t for d in results.values() for t in d["tests"] if t["name"] == name]
        passed = sum(t["score"] >= t["max_score"] for t in tests)
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{passed}/{len(tests)}</td>"
                    f"<td>{100 * passed / max(len(tests), 1):.0f}%</td></tr>")
        messages = Counter(t.get("output", "").split("\n")[0][:200] for t in tests if t["score"] < t["max_score"])
        if messages:
            items = "".join(f"<li>{n} x {html.escape(m)}</li>" for m, n in messages.most_common(5))
            failures.append(f"<h3>{html.escape(name)}</h3><ul>{items}</ul>")
    document = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:2px 8px;text-align:left}}</style></head><body>
<h1>{html.escape(title)}</h1><p>{len(scores)} submissions, mean {sum(scores) / max(len(scores), 1):.2f} / {points:g}</p>
<h2>Score histogram</h2><svg width="440" height="190">{bars}</svg>
<h2>Per-test pass rates</h2><table><tr><th>test</th><th>passed</th><th>rate</th></tr>{"".join(rows)}</table>
<h2>Failure messages by test</h2>{"".join(failures)}</body></html>"""
    Path(path).write_text(document)
