"""The HTML report of a batch: one self-contained file an instructor opens in a browser.

``write_report(results, points, path, title)`` writes: a summary, the score histogram (an
inline SVG drawn by matplotlib), per-test pass rates (lowest first: a test that almost
nobody passes is too hard or broken), the slowest tests, the failure messages grouped by
test (most frequent first), the submissions that could not be graded, and every student's
score. No external assets: no scripts, no stylesheets, no images fetched from anywhere.

Everything a student controls (folder names, names from the metadata, failure messages that
quote their output) is hostile input: it is HTML-escaped, and never put in an attribute or
in the SVG.
"""
from __future__ import annotations

import html
import io
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from autograder.regrading.submissions import BatchResult

MESSAGES_PER_TEST = 8
MESSAGE_CHARS = 300


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def histogram_svg(scores: list[float], points: float, *, xlabel: str = "score", bins: int = 20) -> str:
    """An inline SVG histogram of ``scores`` on [0, points] (numbers only: nothing to escape)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 3.2), dpi=100)
    axes.hist(scores, bins=bins, range=(0, points or 1), color="#4a7ab7", edgecolor="white")
    axes.set_xlabel(xlabel)
    axes.set_ylabel("students")
    axes.set_xlim(0, points or 1)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]                     # no XML declaration, no DOCTYPE (an external DTD)
    return re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:MESSAGE_CHARS]
    return "(no message)"


def write_report(results: list[BatchResult], points: float, path: Path, title: str, warning: str = "") -> None:
    """Write the batch report for ``results`` (a homework worth ``points``) to ``path``.

    ``warning`` (students not isolated from one another) goes at the top. A grading spoiled
    by a grader error counts nowhere (histogram, pass rates, failures): it is listed as
    "not graded (grader error)" with no score.
    """
    graded = [r for r in results if r.scored]
    scores = [r.score for r in graded]
    tests: dict[str, list[dict]] = defaultdict(list)
    durations: dict[str, list[float]] = defaultdict(list)
    order: dict[str, int] = {}
    for result in graded:
        for test in result.document["tests"]:
            name = test["name"]
            order.setdefault(name, len(order))
            tests[name].append(test)
            if name in result.durations:
                durations[name].append(result.durations[name])

    sections = [f"<h1>{_e(title)}</h1>"]
    if warning:
        sections.append(f"<p class=\"warning\"><b>{_e(warning)}</b></p>")
    broken = [r for r in results if r.grader_error]
    if broken:
        sections.append(f"<p class=\"warning\"><b>{len(broken)} submissions not graded (grader error): not "
                        f"cached, no score shown; regrade them.</b></p>")
    if scores:
        summary = (f"{len(results)} submissions, {len(graded)} graded; mean {statistics.mean(scores):.2f}, median "
                   f"{statistics.median(scores):.2f}, min {min(scores):g}, max {max(scores):g} (of {points:g}); "
                   f"{sum(s >= points - 1e-9 for s in scores)} full marks, {sum(s == 0 for s in scores)} zero.")
    else:
        summary = f"{len(results)} submissions, none graded."
    sections.append(f"<p>{_e(summary)}</p>")
    sections.append("<p>Code shared between submissions: <code>cvgrade similarity HW DIR --report sim.html</code></p>")
    sections.append("<h2>Score histogram</h2>" + (histogram_svg(scores, points) if scores else "<p>No scores.</p>"))

    rows = []
    for name in sorted(tests, key=lambda n: (sum(t["score"] >= t["max_score"] for t in tests[n]) / len(tests[n]),
                                             order[n])):
        group = tests[name]
        passed = sum(t["score"] >= t["max_score"] for t in group)
        rate = 100 * passed / len(group)
        flag = " class=\"low\"" if rate < 50 else ""
        worth = f"{group[0]['max_score']:g}"
        rows.append(f"<tr{flag}><td>{_e(group[0].get('number', ''))}</td><td>{_e(name)}</td>"
                    f"<td>{_e(worth)}</td><td>{passed}/{len(group)}</td>"
                    f"<td><span class=\"bar\" style=\"width:{rate:.0f}px\"></span> {rate:.0f}%</td>"
                    f"<td>{statistics.mean(t['score'] for t in group):.2f}</td></tr>")
    sections.append("<h2>Per-test pass rates</h2><p>Lowest first; a test below 50% is highlighted.</p>"
                    "<table><tr><th>#</th><th>test</th><th>points</th><th>passed</th><th>rate</th>"
                    f"<th>mean score</th></tr>{''.join(rows)}</table>")

    slow = sorted(durations, key=lambda n: -statistics.mean(durations[n]))[:15]
    slow_rows = "".join(f"<tr><td>{_e(name)}</td><td>{statistics.mean(durations[name]):.3f}</td>"
                        f"<td>{max(durations[name]):.3f}</td></tr>" for name in slow)
    sections.append("<h2>Slowest tests</h2><table><tr><th>test</th><th>mean s</th><th>max s</th></tr>"
                    f"{slow_rows}</table>" if slow else "<h2>Slowest tests</h2><p>No timings.</p>")

    failures = []
    for name in sorted(tests, key=lambda n: order[n]):
        failed = [t for t in tests[name] if t["score"] < t["max_score"]]
        if not failed:
            continue
        messages = Counter(_first_line(t.get("output", "")) for t in failed)
        items = "".join(f"<li><b>{count}&times;</b> <code>{_e(message)}</code></li>"
                        for message, count in messages.most_common(MESSAGES_PER_TEST))
        more = len(messages) - MESSAGES_PER_TEST
        if more > 0:
            items += f"<li>&hellip; and {more} other messages</li>"
        failures.append(f"<h3>{_e(name)} &mdash; {len(failed)} failed</h3><ul>{items}</ul>")
    sections.append("<h2>Failure messages by test</h2>" + ("".join(failures) or "<p>No failures.</p>"))

    errors = [r for r in results if r.document is None or r.error]
    if errors:
        items = "".join(f"<li><code>{_e(r.submission.key)}</code> ({_e(r.status)}): {_e(r.error[:MESSAGE_CHARS])}</li>"
                        for r in errors)
        sections.append(f"<h2>Not graded or grader errors ({len(errors)})</h2><ul>{items}</ul>")

    student_rows = "".join(
        f"<tr><td>{_e(', '.join(p.name for p in r.submission.submitters))}</td><td><code>{_e(r.submission.key)}"
        f"</code></td><td>{_e(r.status)}</td><td>{'&mdash;' if r.grader_error else f'{r.score:g}'}</td></tr>"
        for r in results)
    sections.append("<h2>Submissions</h2><table><tr><th>student</th><th>submission</th><th>status</th>"
                    f"<th>score</th></tr>{student_rows}</table>")

    document = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{_e(title)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}
table{{border-collapse:collapse}} td,th{{padding:2px 10px;text-align:left;border-bottom:1px solid #ddd}}
tr.low td{{background:#fde8e8}} code{{white-space:pre-wrap;word-break:break-word}}
.bar{{display:inline-block;height:.7em;background:#4a7ab7}}
.warning{{background:#fff3cd;border:2px solid #c0392b;padding:.6em}}
</style></head><body>
{"".join(sections)}
</body></html>
"""
    Path(path).write_text(document, encoding="utf-8")
