"""The collaboration disclosure: ``DISCLOSURE.md``, shipped blank in every release.

The syllabus allows collaboration if it is disclosed. A student writes who they worked with
and which sources they used (or ``none``) after the two labels of the file; lines starting
with ``#`` are instructions and never count::

    Collaborators: Ada Lovelace (ada@example.edu), discussed the FFT padding
    Sources: none

``python -m submit`` refuses to write the zip while either answer is empty (or only warns,
as course.yaml's ``collaboration.missing_disclosure`` says) and puts the file in the zip; the
grader copies what it says into results.json's output for the TA; ``cvgrade similarity``
marks pairs of students who named each other. Nothing here imports outside the standard
library: the release ships this file.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

FILE_NAME = "DISCLOSURE.md"
MAX_BYTES = 8192        # a disclosure is a few lines; more is not a disclosure
FIELDS = ("Collaborators", "Sources")
_LABEL = re.compile(r"^\s*(collaborators|sources)\s*:\s*(.*)$", re.IGNORECASE)
# What the blank template and common non-answers hold: they do not count as filled in.
_PLACEHOLDERS = {"", "-", "?", "tbd", "todo", "...", "<names>", "<sources>", "n/a?"}


def template(hw: str) -> str:
    """The blank file a release carries."""
    return f"""# Collaboration disclosure for {hw}
#
# The course allows collaboration if you disclose it. Fill in BOTH lines below before you
# submit (`python -m submit` refuses until you do; it puts this file in your zip).
#  - Collaborators: everyone you discussed this homework with (name and UNI or email), and
#    what about; or `none`.
#  - Sources: anything beyond the course material you used (web pages, books, code, AI
#    assistants, with what for); or `none`.
# Lines starting with '#' are ignored. An answer may continue on the lines below its label.

Collaborators:
Sources:
"""


@dataclass(frozen=True)
class Disclosure:
    collaborators: str
    sources: str

    @property
    def no_collaborators(self) -> bool:
        return _is_none(self.collaborators)

    def summary(self) -> str:
        """Two lines for the TA (results.json's output)."""
        return f"Collaborators: {self.collaborators}\nSources: {self.sources}"


def _is_none(text: str) -> bool:
    return text.strip().strip(".").lower() in ("none", "no one", "nobody", "no")


def parse(text: str) -> Disclosure:
    """The two answers (``""`` where missing); text after a label runs until the next label."""
    answers = {name.lower(): [] for name in FIELDS}
    current: str | None = None
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        match = _LABEL.match(line)
        if match:
            current = match.group(1).lower()
            answers[current].append(match.group(2).strip())
        elif current is not None and line.strip():
            answers[current].append(line.strip())
    joined = {key: " ".join(part for part in parts if part) for key, parts in answers.items()}
    return Disclosure(joined["collaborators"], joined["sources"])


def problem(content: bytes | str | None) -> str | None:
    """None if the disclosure is filled in; else one line saying what is missing."""
    if content is None:
        return f"{FILE_NAME} is missing: restore it from the release and fill in both lines"
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            return f"{FILE_NAME} is {len(content)} bytes; a disclosure is a few lines (at most {MAX_BYTES} bytes)"
        content = content.decode("utf-8", "replace")
    disclosure = parse(content)
    empty = [name for name, value in zip(FIELDS, (disclosure.collaborators, disclosure.sources), strict=True)
             if value.strip().lower() in _PLACEHOLDERS]
    if empty:
        return (f"{FILE_NAME}: fill in {' and '.join(f'{name}:' for name in empty)} "
                f"(names and what you used, or `none`)")
    return None


def names_anyone(disclosure: Disclosure, identifiers: list[str]) -> bool:
    """Whether the collaborators answer names one of ``identifiers`` (a name, email or SID)."""
    if disclosure.no_collaborators:
        return False
    said = " ".join(disclosure.collaborators.lower().split())
    for identifier in identifiers:
        ident = " ".join(identifier.lower().split())
        if len(ident) < 3:          # initials or an empty SID would match anything
            continue
        if re.search(r"(?<![\w@.])" + re.escape(ident) + r"(?![\w@])", said):
            return True
        user = ident.split("@")[0] if "@" in ident else ""
        if len(user) >= 3 and re.search(r"(?<![\w@.])" + re.escape(user) + r"(?![\w])", said):
            return True
    return False


def grader_lines(files: Mapping[str, bytes], policy: str = "block") -> list[str]:
    """What the grader adds to results.json's output for the TA: the disclosure in ``files``
    (a submission's files by name), or that there is none."""
    content = files.get(FILE_NAME)
    if content is None:
        required = "; course policy requires it" if policy == "block" else ""
        return [f"Collaboration disclosure: none submitted ({FILE_NAME} not found{required})."]
    disclosure = parse(content[:MAX_BYTES].decode("utf-8", "replace"))
    lines = [f"Collaboration disclosure ({FILE_NAME}):",
             "  Collaborators: " + (disclosure.collaborators or "(not filled in)")[:1000],
             "  Sources: " + (disclosure.sources or "(not filled in)")[:1000]]
    wrong = problem(content)
    if wrong is not None:
        lines.append(f"  ({wrong})")
    return lines
