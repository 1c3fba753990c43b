"""Mutant files: edits of the reference that apply exactly once, or a loud 'stale' error."""
from __future__ import annotations

import pytest
from platform_helpers import REPO

from autograder.quality.mutants import MutantError, dump_mutant, load_mutant, mutants_of

SHIPPED = sorted(REPO.glob("solutions/hw*/mutants/*.yaml"))


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_round_trip_of_dump_and_load(tmp_path):
    text = dump_mutant("adds instead of multiplying", "any x != 2", [("    return 2 * x\n", "    return 2 + x\n")])
    mutant = load_mutant(write(tmp_path, "toy__adds.yaml", text))
    assert mutant.module == "toy" and mutant.mistake == "adds instead of multiplying"
    assert mutant.apply("def f(x):\n    return 2 * x\n") == "def f(x):\n    return 2 + x\n"
    assert "|" in text          # code is written as literal blocks, readable in a review


@pytest.mark.parametrize("reference, problem", [("def f(x):\n    return 3 * x\n", "not found"),
                                                ("a = 2 * x\nb = 2 * x\n", "found 2 times")])
def test_an_edit_that_no_longer_applies_is_stale(tmp_path, reference, problem):
    mutant = load_mutant(write(tmp_path, "toy__m.yaml", "mistake: m\nreplace:\n- {old: '2 * x', new: '2 + x'}\n"))
    with pytest.raises(MutantError, match=f"edit 1 is stale: its 'old' text is {problem} in toy.py"):
        mutant.apply(reference)


@pytest.mark.parametrize("name, text, problem", [
    ("nomodule.yaml", "replace: []\n", "named <module>__<slug>.yaml"),
    ("toy__a.yaml", "replace: []\n", "non-empty 'replace' list"),
    ("toy__b.yaml", "replace: [{old: x}]\n", "needs 'old' and 'new'"),
    ("toy__c.yaml", "replace: [\n", "not readable YAML"),
])
def test_malformed_mutants_are_named(tmp_path, name, text, problem):
    with pytest.raises(MutantError, match=problem):
        load_mutant(write(tmp_path, name, text))


def test_every_shipped_mutant_applies_to_its_reference_and_changes_code():
    assert len(SHIPPED) >= 6 * 20
    problems = []           # every broken mutant at once, so one run tells each owner all of theirs
    for path in SHIPPED:
        folder = path.parent.relative_to(REPO)
        try:
            mutant = load_mutant(path)
            mutated = mutant.apply((path.parent.parent / f"{mutant.module}.py").read_text())
            compile(mutated, str(path), "exec")           # still a Python module
        except (MutantError, SyntaxError) as err:
            text = str(err)     # MutantError names the file itself
            problems.append(f"{folder}/{text if text.startswith(path.name) else f'{path.name}: {text}'}")
            continue
        if not (mutant.mistake and mutant.revealed_by):
            problems.append(f"{folder}/{path.name}: needs 'mistake' and 'revealed_by'")
    assert not problems, f"{len(problems)} of {len(SHIPPED)} shipped mutants are broken:\n" + "\n".join(problems)


def test_no_full_copy_mutants_remain():
    assert not list(REPO.glob("solutions/hw*/mutants/*.py"))
    assert mutants_of(REPO / "solutions/hw0/mutants")
