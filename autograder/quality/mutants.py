"""Mutants: realistic student mistakes, written as edits of the reference solution.

``solutions/hwN/mutants/<module>__<slug>.yaml`` names one mistake and the edit that makes it::

    mistake: convolve2d forgets to flip the kernel (computes correlation).
    revealed_by: any kernel that is not point-symmetric ...
    replace:
    - old: |2
            return _slide(image, kernel[::-1, ::-1], (kh // 2, kw // 2), mode, boundary)
      new: |2
            return _slide(image, kernel, (kh // 2, kw // 2), mode, boundary)

``cvgrade check`` applies the edits to ``solutions/hwN/<module>.py`` and grades the result as
a submission; every mutant must lose points. Each ``old`` must occur exactly once in the
reference: when the reference changes under a mutant, the mutant is reported stale instead
of silently testing an old copy (which full-file copies of the reference would do).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


class MutantError(Exception):
    """A mutant file that cannot be read or no longer applies to the reference."""


@dataclass(frozen=True)
class Mutant:
    path: Path
    module: str                           # "filters": the student module it replaces
    mistake: str                          # one line, for the check table
    revealed_by: str
    replace: tuple[tuple[str, str], ...]  # (old, new) snippets, applied in order

    @property
    def name(self) -> str:
        return self.path.stem

    def apply(self, reference: str) -> str:
        """The reference source with this mutant's edits made; MutantError if one does not apply."""
        source = reference
        for number, (old, new) in enumerate(self.replace, start=1):
            count = source.count(old)
            if count != 1:
                where = "not found" if count == 0 else f"found {count} times"
                raise MutantError(f"{self.path.name}: edit {number} is stale: its 'old' text is {where} in "
                                  f"{self.module}.py (update the mutant to the current reference)")
            source = source.replace(old, new, 1)
        if source == reference:
            raise MutantError(f"{self.path.name}: its edits change nothing")
        return source


def load_mutant(path: Path) -> Mutant:
    """Read ``<module>__<slug>.yaml``; MutantError naming the file and the problem."""
    path = Path(path)
    if "__" not in path.stem:
        raise MutantError(f"{path.name}: a mutant is named <module>__<slug>.yaml")
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as err:
        raise MutantError(f"{path.name}: not readable YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("replace"), list) or not data["replace"]:
        raise MutantError(f"{path.name}: needs 'mistake', 'revealed_by' and a non-empty 'replace' list")
    edits = []
    for edit in data["replace"]:
        if not (isinstance(edit, dict) and isinstance(edit.get("old"), str) and isinstance(edit.get("new"), str)):
            raise MutantError(f"{path.name}: every 'replace' entry needs 'old' and 'new' text")
        edits.append((edit["old"], edit["new"]))
    return Mutant(path=path, module=path.stem.split("__", 1)[0], mistake=str(data.get("mistake", "")).strip(),
                  revealed_by=str(data.get("revealed_by", "")).strip(), replace=tuple(edits))


def dump_mutant(mistake: str, revealed_by: str, replace: list[tuple[str, str]]) -> str:
    """The YAML text of a mutant (literal blocks, so the code reads as code)."""

    def literal(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
        style = "|" if "\n" in text else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(str, literal)
    document = {"mistake": mistake, "revealed_by": revealed_by,
                "replace": [{"old": old, "new": new} for old, new in replace]}
    return yaml.dump(document, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=1000)


def mutants_of(folder: Path) -> list[Path]:
    """The mutant files of a homework, sorted."""
    return sorted(Path(folder).glob("*.yaml"))
