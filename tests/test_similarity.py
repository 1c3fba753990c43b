"""``cvgrade similarity``: generated cohorts where we know who copied whom.

A copy is disguised the way students do it (every local name and argument renamed, the
functions shuffled, comments and formatting lost through ``ast.unparse``); it must still
rank above every independent pair. Independent correct solutions written differently (each
homework's reference against its alternative in solutions/hwN/alternatives/) and untouched
stubs must not be flagged. 300 submissions must take seconds.
"""
from __future__ import annotations

import ast
import csv
import random
import time
import zipfile
from pathlib import Path

import pytest
from platform_helpers import REPO, cvgrade

from autograder.course.layout import open_course
from autograder.regrading import similarity
from shared import disclosure

CHECKOUT = open_course(REPO)
COURSE = CHECKOUT.course


class _Renamer(ast.NodeTransformer):
    """Renames every argument and assigned name, consistently through the module."""

    def __init__(self, rng: random.Random):
        self.rng, self.names = rng, {}

    def new(self, old: str) -> str:
        if old not in self.names:
            self.names[old] = f"{self.rng.choice(['tmp', 'val', 'arr', 'res', 'q'])}_{len(self.names)}"
        return self.names[old]

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.new(node.arg)
        return node

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.names:
            node.id = self.names[node.id]
        return node


def disguise(source: str, seed: int, rename: bool = True, reorder: bool = True) -> str:
    rng = random.Random(seed)
    tree = ast.parse(source)
    if rename:
        renamer = _Renamer(rng)
        for node in ast.walk(tree):
            if isinstance(node, ast.arg):
                renamer.new(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                renamer.new(node.id)
        tree = renamer.visit(tree)
    if reorder:
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        rng.shuffle(functions)
        shuffled = iter(functions)
        tree.body = [next(shuffled) if isinstance(n, ast.FunctionDef) else n for n in tree.body]
    return ast.unparse(tree)


def sources(hw: str) -> dict[str, dict[str, str]]:
    """The reference, the alternative (stub modules where it has none) and the stubs of ``hw``."""
    files = COURSE.assignment(hw).files
    alternative = sorted((REPO / "solutions" / hw / "alternatives").iterdir())[0]
    stubs = {f: (REPO / "assignments" / hw / f).read_text() for f in files}
    return {
        "ref": {f: (REPO / "solutions" / hw / f).read_text() for f in files},
        "alt": {f: (alternative / f).read_text() if (alternative / f).is_file() else stubs[f] for f in files},
        "stub": stubs,
    }


def write(folder: Path, modules: dict[str, str], disclosed: str | None = None) -> None:
    folder.mkdir(parents=True)
    for name, text in modules.items():
        (folder / name).write_text(text)
    if disclosed is not None:
        (folder / disclosure.FILE_NAME).write_text(f"Collaborators: {disclosed}\nSources: none\n")


def ranked(hw: str, folder: Path) -> list[similarity.Pair]:
    return similarity.rank(similarity.load(CHECKOUT.homework(hw), folder))


def key(pair: similarity.Pair) -> frozenset[str]:
    return frozenset((pair.a.submission.key, pair.b.submission.key))


@pytest.mark.parametrize("hw", [a.id for a in COURSE.assignments])
def test_disguised_copies_flag_and_independent_solutions_do_not(hw, tmp_path):
    """Renamed, reordered and both: flagged; reference vs alternative, and stubs: not."""
    src = sources(hw)
    write(tmp_path / "original", src["ref"])
    write(tmp_path / "renamed", {f: disguise(t, 1, reorder=False) for f, t in src["ref"].items()})
    write(tmp_path / "reordered", {f: disguise(t, 2, rename=False) for f, t in src["ref"].items()})
    write(tmp_path / "both", {f: disguise(t, 3) for f, t in src["ref"].items()})
    write(tmp_path / "alternative", src["alt"])
    write(tmp_path / "stub_a", src["stub"])
    write(tmp_path / "stub_b", src["stub"])
    pairs = ranked(hw, tmp_path)
    copies = {"original", "renamed", "reordered", "both"}
    flagged = {key(p) for p in pairs if p.flagged}
    expected = {frozenset((a, b)) for a in copies for b in copies if a < b}
    assert flagged == expected, [(sorted(key(p)), round(p.similarity, 3)) for p in pairs]
    lowest_copy = min(p.similarity for p in pairs if key(p) in expected)
    others = [p.similarity for p in pairs if key(p) not in expected]
    assert not others or max(others) < lowest_copy, (lowest_copy, others)
    by_pair = {key(p): p for p in pairs}
    independent = by_pair.get(frozenset(("original", "alternative")))
    assert independent is None or independent.similarity < similarity.FLAG / 2, independent.similarity


def test_stubs_are_boilerplate_and_share_nothing(tmp_path):
    src = sources("hw0")
    for i in range(3):
        write(tmp_path / f"s{i}", src["stub"])
    entries = similarity.load(CHECKOUT.homework("hw0"), tmp_path)
    assert all(not fp.hashes for e in entries for fp in e.prints.values())
    assert similarity.rank(entries) == []


def test_a_half_done_copy_ranks_above_independent_work(tmp_path):
    """One student copies only fourier.py (filters.py left a stub); another solves it all alone."""
    src = sources("hw0")
    write(tmp_path / "giver", src["ref"])
    write(tmp_path / "taker", {"filters.py": src["stub"]["filters.py"],
                               "fourier.py": disguise(src["ref"]["fourier.py"], 7)})
    write(tmp_path / "honest", src["alt"])
    pairs = ranked("hw0", tmp_path)
    assert key(pairs[0]) == {"giver", "taker"} and pairs[0].flagged, [(sorted(key(p)), p.similarity) for p in pairs]
    assert pairs[0].a_covered > 0.9 or pairs[0].b_covered > 0.9       # all of the taker's code is the giver's
    assert list(pairs[0].slices) == ["fourier.py"]
    assert all(not p.flagged for p in pairs[1:])


def test_disclosure_marks_who_named_whom(tmp_path):
    src = sources("hw0")
    write(tmp_path / "ada", src["ref"], disclosed="worked with Bob (bob@example.edu) on the FFT")
    write(tmp_path / "bob", {f: disguise(t, 4) for f, t in src["ref"].items()}, disclosed="Ada")
    write(tmp_path / "cy", {f: disguise(t, 5) for f, t in src["ref"].items()}, disclosed="none")
    pairs = {key(p): p for p in ranked("hw0", tmp_path)}
    ada_bob = pairs[frozenset(("ada", "bob"))]
    assert ada_bob.disclosed == "both"
    assert pairs[frozenset(("ada", "cy"))].disclosed == ""
    assert pairs[frozenset(("bob", "cy"))].disclosed == ""


def test_names_anyone_matches_whole_names_and_emails_only():
    said = disclosure.parse("Collaborators: Bob Smith <bsmith@school.edu>, Al\nSources: none\n")
    assert disclosure.names_anyone(said, ["Bob Smith"])
    assert disclosure.names_anyone(said, ["bsmith@school.edu"])
    assert not disclosure.names_anyone(said, ["Bob Smithers"])
    assert not disclosure.names_anyone(said, ["Al"])          # too short to be a name, never matched
    assert not disclosure.names_anyone(disclosure.parse("Collaborators: none\n"), ["none"])


def test_report_and_csv_escape_student_text_and_show_code_side_by_side(tmp_path):
    src = sources("hw0")
    cohort = tmp_path / "cohort"
    hostile = '<script>alert(1)</script>'
    write(cohort / "evil", {f: f"# {hostile}\n" + t for f, t in src["ref"].items()})
    write(cohort / "=cmd", {f: disguise(t, 6) for f, t in src["ref"].items()})
    report, table = tmp_path / "sim.html", tmp_path / "sim.csv"
    pairs = similarity.run_similarity(CHECKOUT.homework("hw0"), cohort, report_path=report, csv_path=table,
                                      echo=lambda line: None)
    assert len(pairs) == 1 and pairs[0].flagged
    text = report.read_text()
    assert hostile not in text and "&lt;script&gt;" in text
    assert "<script" not in text and "http" not in text.replace("http-equiv", "")
    assert text.count("<mark>") > 5 and 'class="side"' in text
    rows = list(csv.DictReader(table.open()))
    assert rows[0]["flagged"] == "yes" and "'=cmd" in (rows[0]["a"], rows[0]["b"])


def test_highlighted_marks_exactly_the_given_stretches():
    import numpy as np

    assert similarity.highlighted("a<b>c", np.array([[1], [4]])) == "a<mark>&lt;b&gt;</mark>c"
    assert similarity.highlighted("abc", np.zeros((2, 0))) == "abc"


def test_normalise_ignores_names_comments_and_layout_but_keeps_library_calls():
    one = similarity.normalise("def f(x):\n    # sum it\n    return np.sum(x * 2)\n")[0]
    two = similarity.normalise("def g(values):  return np.sum(values*2)  # other\n")[0]
    three = similarity.normalise("def g(values):\n    return np.mean(values * 2)\n")[0]
    assert one == two and one != three


def test_300_submissions_take_seconds(tmp_path):
    """A generated class, as zips: 100 disguised copies of the reference, 80 of the
    alternative, 60 half-done (one module copied, the other a stub), 60 untouched stubs.
    Copies come from 10 disguises per solution, each made distinct by a helper of its own."""
    src = sources("hw0")
    rng = random.Random(0)
    pools = {kind: [{f: disguise(t, seed) for f, t in src[kind].items()} for seed in range(10)]
             for kind in ("ref", "alt")}
    for i in range(300):
        own = f"\n\ndef helper_{i}(value):\n    return value + {i}\n"
        if i < 180:
            modules = {f: t + own for f, t in rng.choice(pools["ref" if i < 100 else "alt"]).items()}
        elif i < 240:
            copied, chosen = rng.choice(sorted(src["ref"])), rng.choice(pools["ref"])
            modules = {f: chosen[f] + own if f == copied else src["stub"][f] for f in src["ref"]}
        else:
            modules = src["stub"]
        with zipfile.ZipFile(tmp_path / f"{i:03d}.zip", "w") as archive:
            for name, text in modules.items():
                archive.writestr(f"hw0/{name}", text)
    started = time.monotonic()
    pairs = ranked("hw0", tmp_path)
    seconds = time.monotonic() - started
    assert seconds < 30, f"300 submissions took {seconds:.1f} s"
    assert len(pairs) == similarity.CANDIDATES and all(p.flagged for p in pairs[:50])
    kinds = [{int(p.a.submission.key[:3]) < 100, int(p.b.submission.key[:3]) < 100} for p in pairs[:50]]
    assert all(len(k) == 1 for k in kinds), "a copy of the reference ranked with a copy of the alternative"
    stubs = {p for p in pairs if int(p.a.submission.key[:3]) >= 240 or int(p.b.submission.key[:3]) >= 240}
    assert not stubs, "an untouched stub was compared"


def test_cli_similarity_writes_report_and_refuses_bad_input(tmp_path):
    src = sources("hw0")
    write(tmp_path / "c" / "one", src["ref"])
    write(tmp_path / "c" / "two", {f: disguise(t, 8) for f, t in src["ref"].items()})
    proc = cvgrade("similarity", "hw0", str(tmp_path / "c"), "--report", str(tmp_path / "r.html"),
                   "--csv", str(tmp_path / "r.csv"))
    assert proc.returncode == 0 and "1 at or above" in proc.stdout and (tmp_path / "r.html").is_file(), (
        proc.stdout + proc.stderr)
    proc = cvgrade("similarity", "hw9", str(tmp_path / "c"))
    assert proc.returncode == 2 and "unknown homework" in proc.stderr and "Traceback" not in proc.stderr


def test_two_runs_report_the_same_numbers_whatever_the_hash_seed(tmp_path):
    """Python's hash() is salted per process (PYTHONHASHSEED); the k-gram hashes must not be."""
    src = sources("hw0")
    write(tmp_path / "c" / "giver", src["ref"])
    write(tmp_path / "c" / "taker", {"filters.py": src["stub"]["filters.py"],
                                     "fourier.py": disguise(src["ref"]["fourier.py"], 7)})
    write(tmp_path / "c" / "honest", src["alt"])
    tables = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.csv"
        proc = cvgrade("similarity", "hw0", str(tmp_path / "c"), "--csv", str(out), env={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        tables.append(out.read_text())
    assert tables[0] == tables[1], tables
    assert similarity.kgram_hashes("abcdefgh", 4).tolist() == similarity.kgram_hashes("xabcdefgh", 4)[1:].tolist()


def test_missing_copydetect_is_one_line(monkeypatch, tmp_path):
    from autograder.errors import UserError

    monkeypatch.setitem(__import__("sys").modules, "copydetect", None)
    with pytest.raises(UserError, match=r"needs copydetect \(pip install -r requirements.txt\)"):
        similarity.run_similarity(CHECKOUT.homework("hw0"), tmp_path, echo=lambda line: None)
