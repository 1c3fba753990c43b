"""A class's submissions: one subfolder or zip per student, who submitted it, how it ended.

``find_submissions(DIR)`` reads a folder as ``cvgrade batch`` and ``cvgrade similarity`` see
it: every subfolder or ``.zip`` directly under DIR is one submission; Gradescope's
``submission_metadata.yml`` (an "export submissions" folder) names the submitters, and without
it a submission is named by its folder or zip. ``BatchResult`` is one submission with the
``Grading`` of it, as the CSV and the HTML report read it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.errors import UserError
from autograder.grading.outcome import Grading

CACHE_FOLDER = ".cvgrade-cache"
METADATA_FILE = "submission_metadata.yml"
_IGNORED = {"__MACOSX", "__pycache__", CACHE_FOLDER}


@dataclass
class Submitter:
    name: str
    email: str = ""
    sid: str = ""


@dataclass
class BatchSubmission:
    """One submission of the batch: its folder or zip and who submitted it."""

    key: str                        # folder or zip name under DIR (unique)
    path: Path
    submitters: list[Submitter]


@dataclass
class BatchResult:
    """One submission of the batch and the outcome of its grading (graded now or reused)."""

    submission: BatchSubmission
    grading: Grading
    cached: bool = False
    isolation: str = ""             # what the grading said about isolation, one line
    not_isolated: bool = False      # its student was not isolated from other students

    @property
    def document(self) -> dict | None:
        """The results.json to show; None when the submission could not be graded at all."""
        return None if self.grading.status == "not graded" else self.grading.document

    @property
    def error(self) -> str:
        return self.grading.error

    @property
    def grader_error(self) -> bool:
        """The grader failed: ``document`` is no score of the student's."""
        return self.grading.status == "grader error"

    @property
    def durations(self) -> dict[str, float]:
        return self.grading.durations

    @property
    def seconds(self) -> float:
        return self.grading.seconds

    @property
    def score(self) -> float:
        return self.grading.score

    @property
    def scored(self) -> bool:
        """A score that is the student's (graded or reused), not a failure to grade."""
        return self.grading.graded

    @property
    def status(self) -> str:
        if self.grader_error:
            return "not graded (grader error)"
        if self.document is None:
            return "not graded"
        return "reused" if self.cached else "graded"


# ----------------------------------------------------------------------------- discovery
def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _read_metadata(directory: Path) -> dict[str, list[Submitter]]:
    """{submission folder: submitters} from Gradescope's submission_metadata.yml, if present.

    Gradescope writes Ruby-style keys (``:submitters:``, ``:name:``, ``:email:``, ``:sid:``);
    keys without the colon are accepted too, and anything unexpected is skipped, not fatal.
    """
    path = directory / METADATA_FILE
    if not path.is_file():
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(errors="replace"))
    except yaml.YAMLError as err:
        raise UserError(f"{path}: not valid YAML ({getattr(err, 'problem', err)})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of submission folders to their submitters")

    def get(mapping: object, key: str) -> object:
        if not isinstance(mapping, dict):
            return None
        return mapping.get(f":{key}", mapping.get(key))

    found: dict[str, list[Submitter]] = {}
    for folder, entry in data.items():
        people = get(entry, "submitters")
        submitters = [Submitter(_text(get(p, "name")) or _text(get(p, "email")) or str(folder),
                                _text(get(p, "email")), _text(get(p, "sid")))
                      for p in (people if isinstance(people, list) else []) if isinstance(p, dict)]
        found[str(folder)] = submitters
    return found


def find_submissions(directory: Path) -> list[BatchSubmission]:
    """Every subfolder or .zip directly under ``directory``, sorted, with its submitters."""
    directory = Path(directory)
    metadata = _read_metadata(directory)
    found = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.name in _IGNORED or path.is_symlink():
            continue
        if not (path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip")):
            continue
        key = path.name
        stem = path.stem if path.is_file() else path.name
        submitters = metadata.get(key) or metadata.get(stem) or [Submitter(stem)]
        found.append(BatchSubmission(key, path, submitters))
    if not found:
        raise UserError(f"{directory}: no submissions (expected one subfolder or .zip per student)")
    return found
