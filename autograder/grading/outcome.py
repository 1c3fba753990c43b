"""How one grading ended: the one typed outcome that ``check``, ``batch`` and ``grade`` read.

``document`` is the results.json a student would see (always valid, Gradescope's format).
Beside it, what only the grader knows: whether the score is the student's, why not, per-test
durations and node ids, how the student code was isolated. A grading run in another process
crosses back as ``to_json()`` / ``from_json()``; nothing travels in private keys of the
document.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from autograder.grading.results import Results, failure_results

Status = Literal["graded", "not graded", "grader error"]


@dataclass
class Grading:
    """The outcome of grading one submission.

    status: "graded" (``document`` holds the student's score); "not graded" (the submission's
    own fault, e.g. a bad zip: score 0, nothing to regrade); "grader error" (the grader failed:
    ``document`` says so and is no score of the student's; never cached, regrade it).
    """

    document: dict
    status: Status = "graded"
    error: str = ""                                     # why not graded, one line for a person
    nodeids: list[str] = field(default_factory=list)    # pytest node id per entry of document["tests"]
    durations: dict[str, float] = field(default_factory=dict)   # test name -> seconds
    isolation: dict = field(default_factory=dict)       # runner.isolation_info of the grading
    seconds: float = 0.0                                # wall-clock time of the whole grading

    @property
    def score(self) -> float:
        """The student's score; 0 when the grading produced none."""
        return float(self.document["score"]) if self.status == "graded" else 0.0

    @property
    def max_score(self) -> float:
        return sum(t["max_score"] for t in self.document["tests"])

    @property
    def lost(self) -> float:
        """Points lost against the tests that ran."""
        return self.max_score - self.document["score"]

    @property
    def graded(self) -> bool:
        return self.status == "graded"

    @classmethod
    def of(cls, results: Results, seconds: float = 0.0) -> Grading:
        """The outcome of an in-process ``runner.grade``."""
        document = results.to_json()
        spoiled = results.grader_error or not results.complete
        first_line = (document.get("output") or "").splitlines()[:1]
        return cls(document, "grader error" if spoiled else "graded",
                   error=first_line[0][:300] if spoiled and first_line else "",
                   nodeids=[t.nodeid for t in results.tests],
                   durations={entry["name"]: round(t.duration_s, 4)
                              for entry, t in zip(document["tests"], results.tests, strict=True)},
                   isolation=dict(results.isolation), seconds=seconds or results.execution_time)

    @classmethod
    def failed(cls, status: Status, why: str, seconds: float = 0.0, message: str | None = None) -> Grading:
        """No results from the grading itself: a valid document saying ``message`` (or ``why``)."""
        if message is None:
            message = (f"GRADER ERROR (not the student's fault; regrade): {why}" if status == "grader error"
                       else f"Your submission could not be graded: {why}")
        return cls(failure_results(message, seconds).to_json(), status, why[:500], seconds=seconds)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Grading:
        """Read what ``to_json`` wrote (raises KeyError/TypeError/ValueError on anything else)."""
        if not isinstance(data, dict) or not isinstance(data.get("document"), dict) \
                or not isinstance(data["document"].get("tests"), list):
            raise ValueError("not a grading outcome")
        if data.get("status") not in ("graded", "not graded", "grader error"):
            raise ValueError(f"unknown status {data.get('status')!r}")
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
