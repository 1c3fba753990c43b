"""Gradescope's results.json: building it, keeping it valid, writing it atomically.

The schema is ``schema/results.schema.json`` (the course's copy of the published format).
``Results.to_json`` always produces a valid document: scores finite and within
``[0, max_score]``, the top-level ``score`` equal to the sum of the tests (on Gradescope a
top-level score overrides the tests), outputs stripped of control characters and capped.
"""
from __future__ import annotations

import json
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

TEST_OUTPUT_CAP = 10_000
TOP_OUTPUT_CAP = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "results.schema.json"


def clean_text(text: str, cap: int) -> str:
    """Printable text (newlines and tabs kept), at most ``cap`` characters."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    if len(text) > cap:
        text = text[:cap - 40] + f"\n[... {len(text) - cap + 40} characters cut]"
    return text


def _finite_score(value: float, maximum: float) -> float:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0.0
    return round(min(max(float(value), 0.0), maximum), 6)


@dataclass
class TestResult:
    name: str
    number: str
    max_score: float
    score: float = 0.0
    passed: bool = False
    visibility: str = "visible"
    output: str = ""
    tags: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    nodeid: str = ""

    def to_json(self) -> dict:
        return {
            "name": clean_text(self.name, 300) or self.nodeid or "test",
            "number": self.number,
            "score": _finite_score(self.score, self.max_score),
            "max_score": round(float(self.max_score), 6),
            "status": "passed" if self.passed else "failed",
            "visibility": self.visibility,
            "output": clean_text(self.output, TEST_OUTPUT_CAP),
            "tags": list(self.tags),
        }


@dataclass
class Results:
    tests: list[TestResult] = field(default_factory=list)
    output: str = ""
    execution_time: float = 0.0
    leaderboard: list[dict] = field(default_factory=list)
    complete: bool = True
    grader_error: bool = False
    isolation: dict = field(default_factory=dict)   # how student code was isolated (runner.isolation_info)

    @property
    def score(self) -> float:
        return sum(t.to_json()["score"] for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)

    def to_json(self) -> dict:
        tests = [t.to_json() for t in self.tests]
        doc = {
            "score": round(sum(t["score"] for t in tests), 6),
            "execution_time": round(max(self.execution_time, 0.0), 3),
            "output": clean_text(self.output, TOP_OUTPUT_CAP),
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": tests,
        }
        if self.leaderboard:
            doc["leaderboard"] = [
                {"name": e["name"], "value": e["value"] if math.isfinite(e["value"]) else 0.0,
                 "order": e.get("order", "desc")} for e in self.leaderboard]
        return doc


def failure_results(message: str, execution_time: float = 0.0) -> Results:
    """A valid results document for when grading could not run at all (score 0)."""
    return Results(output=message, execution_time=execution_time, complete=False, grader_error=True)


def write_atomic(path: Path, document: dict) -> None:
    """Write JSON to ``path`` so a reader never sees a partial file (temp, fsync, replace)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(document, handle, indent=1, allow_nan=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
