"""Plain-text tables for the console (``cvgrade list``, ``grade``, ``check``)."""
from __future__ import annotations


def text_table(rows: list[tuple[str, ...]]) -> str:
    """Columns padded to their widest cell, a dashed line under the first (header) row."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def results_table(document: dict) -> str:
    """A results.json as a per-test table, the total and the grading's output."""
    rows = [("#", "test", "score", "status")]
    for t in document["tests"]:
        rows.append((t.get("number", ""), t["name"][:70], f"{t['score']:g}/{t['max_score']:g}", t.get("status", "")))
    total = sum(t["max_score"] for t in document["tests"])
    return f"{text_table(rows)}\n\ntotal: {document['score']:g} / {total:g}\n{document.get('output', '')}"
