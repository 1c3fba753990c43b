"""``cvgrade check``: proof that a homework's tests are worth trusting.

For one homework: course.yaml is valid; the tests' points add up to the homework's points;
the reference scores full marks, and so does every alternative correct solution in
``solutions/hwN/alternatives/<name>/`` (written in another style: the tests must reward
behaviour, not the reference's implementation); the stubs score 0; every mutant in
``solutions/hwN/mutants/`` (a realistic student mistake: edits of the reference in
``<module>__<slug>.yaml``, see ``autograder.quality.mutants``) loses
points; no degenerate submission generated from the stubs (``autograder.quality.degenerate``: every
graded function returns zeros, its input, a constant or None, or raises ValueError) scores
more than ``degenerate.MAX_SHARE`` of the points; the notebook is valid nbformat and up to
date with its generator; the spec's names exist (``contract``: docs/spec/hwN.md against the code,
). Each grading runs in a process of its own (``grade_many``), exactly as a student's
submission would be graded in ``cvgrade batch``: its worker forked from one fork server that
preloaded numpy/torch (``warm=False``, ``cvgrade check --cold``: every worker starts cold).
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.layout import Homework
from autograder.errors import UserError
from autograder.grading.many import Job, grade_many
from autograder.grading.outcome import Grading
from autograder.quality import contract, degenerate
from autograder.quality.mutants import MutantError, load_mutant, mutants_of
from autograder.tables import text_table

MIN_MUTANTS = 20


@dataclass
class CheckRow:
    what: str
    expected: str
    got: str
    ok: bool
    details: list[str] = field(default_factory=list)    # printed under the table (who paid a degenerate)


@dataclass
class CheckReport:
    hw: str
    rows: list[CheckRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def mutants_killed(self) -> tuple[int, int]:
        mutants = [r for r in self.rows if r.what.startswith("mutant ")]
        return sum(r.ok for r in mutants), len(mutants)

    def table(self) -> str:
        rows = [("check", "expected", "got", "")]
        rows += [(r.what[:70], r.expected, r.got[:90], "ok" if r.ok else "FAIL") for r in self.rows]
        killed, total = self.mutants_killed
        held, variants = self.degenerates_held
        details = ["\n".join(r.details) for r in self.rows if r.details]
        return (f"\n{self.hw}: {'all checks passed' if self.ok else 'SOME CHECKS FAILED'} "
                f"(mutants killed {killed}/{total}; degenerate submissions held to "
                f"{degenerate.MAX_SHARE:.0%} {held}/{variants})\n{text_table(rows)}"
                + "".join(f"\n{d}" for d in details))

    @property
    def degenerates_held(self) -> tuple[int, int]:
        rows = [r for r in self.rows if r.what.startswith("degenerate ")]
        return sum(r.ok for r in rows), len(rows)


def _first_failures(document: dict, n: int = 2) -> str:
    failed = [t for t in document["tests"] if t["score"] < t["max_score"]]
    names = ", ".join(f"#{t['number']} {t['name'][:40]}" for t in failed[:n])
    return names + (f" (+{len(failed) - n})" if len(failed) > n else "")


def count_tests(homework: Homework) -> tuple[int, int]:
    """(public, hidden) test counts, parametrized cases included (pytest collection)."""
    import pytest

    counts = []
    for folder in (homework.public_tests, homework.hidden_tests):
        if not folder.is_dir():
            counts.append(0)
            continue

        class Counter:
            n = 0

            def pytest_collection_modifyitems(self, items: list) -> None:
                Counter.n = len(items)

        with tempfile.TemporaryDirectory() as tmp:
            ini = Path(tmp) / "pytest.ini"
            ini.write_text("[pytest]\n")
            with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
                pytest.main([str(folder), "--collect-only", "-qq", "--noconftest", "-c", str(ini), "--rootdir",
                             str(homework.root), "--import-mode=importlib", "--assert=plain", "-p", "no:cacheprovider",
                             "-p", "no:warnings", "-p", "shared.pytest_plugin"], plugins=[Counter()])
        counts.append(Counter.n)
    return counts[0], counts[1]


def _notebook_row(homework: Homework) -> CheckRow:
    import nbformat

    from autograder.release import notebooks

    hw, path = homework.id, homework.notebook
    if not path.is_file():
        return CheckRow("notebook", "valid, up to date", "missing", False)
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as err:  # noqa: BLE001 - any reading/validation problem is a failed check
        return CheckRow("notebook", "valid, up to date", f"invalid: {str(err)[:80]}", False)
    source = homework.notebook_source
    if source.is_file():
        try:
            built = nbformat.writes(notebooks.build_notebook(hw, source, homework.course))
        except UserError as err:
            return CheckRow("notebook", "valid, up to date", f"bad source: {str(err)[:80]}", False)
        if built != path.read_text(encoding="utf-8"):
            return CheckRow("notebook", "valid, up to date", f"stale: run cvgrade notebooks {hw}", False)
    return CheckRow("notebook", "valid, up to date", "ok", True)


def _contract_row(homework: Homework) -> CheckRow:
    report = contract.check(homework.spec, homework.stubs, homework.reference)
    for problem in report.problems[:20]:
        print(f"  contract: {problem}")
    return CheckRow("spec contract (names, defaults)", "0 problems", report.summary(), report.ok)


def _docstrings_row(homework: Homework) -> CheckRow:
    report = contract.docstrings(homework.stubs, homework.reference, homework.files)
    for problem in report.problems[:20]:
        print(f"  docstrings: {problem}")
    return CheckRow("stub docstrings = reference's", "0 problems", report.summary(), report.ok)


_IMPORT_FAILED = re.compile(r"importing \S+\.py failed with [^\n]*")


def _not_imported(document: dict) -> str | None:
    """Why a graded submission's modules did not load (so its zero proves nothing), or None."""
    problems = [line[2:] for line in document["output"].splitlines() if line.startswith("- ")
                and not line.startswith("- note:") and not line.startswith("- grader:")]
    found = [m.group(0) for t in document["tests"] for m in [_IMPORT_FAILED.search(t["output"])] if m]
    return (problems + found + [None])[0]


def _degenerate_row(label: str, outcome: Grading, points: float) -> CheckRow:
    limit = degenerate.MAX_SHARE * points
    expected = f"<= {limit:g} ({degenerate.MAX_SHARE:.0%})"
    what = f"{label}: {degenerate.VARIANTS[label.removeprefix('degenerate ')]}"
    document = outcome.document
    broken = _not_imported(document) if outcome.graded else None
    if broken is not None:      # a variant that cannot load scores 0 whatever the tests are
        return CheckRow(what, expected, f"NOT A VALID VARIANT: {broken}", False)
    paid = [(t, nodeid) for t, nodeid in zip(document["tests"], outcome.nodeids or [""] * len(document["tests"]),
                                             strict=True) if t["score"] > 1e-9]
    details = [f"{label} scored {document['score']:g}/{points:g} (limit {limit:g}), paid by:"] if paid else []
    details += [f"  {t['score']:g}/{t['max_score']:g}  #{t['number']} {t['name'][:70]}  ({nodeid or '?'})"
                for t, nodeid in paid]
    got = f"{document['score']:g}" + (f"; paid by {len(paid)} test{'s' * (len(paid) != 1)}" if paid else "")
    if not outcome.graded:       # a grader error proves nothing about the tests
        got += "; GRADER ERROR: " + (outcome.error or document["output"]).splitlines()[0][:60]
    return CheckRow(what, expected, got, document["score"] <= limit + 1e-9 and outcome.graded, details)


@contextlib.contextmanager
def _warm_workers(homework: Homework, warm: bool) -> Iterator[None]:
    """Workers of the gradings inside forked from one fork server (as ``cvgrade batch`` does).

    A cold worker imports numpy (and torch: ~1 s of CPU) for each of a homework's ~60-80
    gradings; the fork server imports them once. The forked gradings are this process's direct
    children, which the server answers; a server that cannot start leaves them cold.
    """
    from autograder.isolation.zygote_client import ENV_VAR, ForkServer, ForkServerError

    saved = os.environ.pop(ENV_VAR, None)
    server = ForkServer(["numpy", "torch"] if homework.uses_torch else ["numpy"]) if warm else None
    try:
        if server is not None:
            try:
                os.environ[ENV_VAR] = server.start()
            except ForkServerError:
                server = None
        yield
    finally:
        os.environ.pop(ENV_VAR, None)
        if saved is not None:
            os.environ[ENV_VAR] = saved
        if server is not None:
            server.close()


def check_homework(homework: Homework, *, jobs: int = 2, only: str | None = None, warm: bool = True,
                   echo: Callable[[str], None] = print) -> CheckReport:
    """The check report of ``homework``; ``only="degenerate"`` grades the degenerate variants alone.

    ``warm``: every grading's worker is forked from one fork server (``_warm_workers``); else
    each starts cold, as ``cvgrade grade`` does.
    """
    hw = homework.id
    report = CheckReport(hw)
    report.rows.append(CheckRow("course.yaml", "valid", "ok", True))
    if only is None:
        report.rows.append(_contract_row(homework))
        report.rows.append(_docstrings_row(homework))
    points = homework.points
    mutants = mutants_of(homework.mutants) if only is None else []
    summaries: dict[str, str] = {}

    with tempfile.TemporaryDirectory(prefix="cvgrade-mutants-") as tmp:
        jobs_to_run: dict[str, Path] = {}
        if only is None:
            jobs_to_run.update({"reference": homework.reference, "stubs": homework.stubs})
        for variant in degenerate.VARIANTS:
            try:
                jobs_to_run[f"degenerate {variant}"] = degenerate.write_variant(
                    homework.stubs, homework.reference, homework.files, variant,
                    Path(tmp) / f"degenerate-{variant}")
            except (degenerate.DegenerateError, OSError) as err:
                report.rows.append(CheckRow(f"degenerate {variant}", "generated from the stubs", str(err), False))
        broken: dict[str, str] = {}      # mutant -> why it could not be made
        for path in mutants:
            try:
                mutant = load_mutant(path)
                if f"{mutant.module}.py" not in homework.files:
                    raise MutantError(f"{path.name}: {mutant.module}.py is not a module of {hw}")
                source = mutant.apply((homework.reference / f"{mutant.module}.py").read_text())
            except MutantError as err:
                broken[path.stem] = str(err)
                continue
            summaries[path.stem] = mutant.mistake
            folder = Path(tmp) / path.stem
            folder.mkdir()
            for name in homework.files:
                shutil.copyfile(homework.reference / name, folder / name)
            (folder / f"{mutant.module}.py").write_text(source)
            jobs_to_run[f"mutant {path.stem}"] = folder
        alternatives = sorted(p for p in homework.alternatives.glob("*") if p.is_dir())
        if only is not None:
            alternatives = []
        for alternative in alternatives:
            folder = Path(tmp) / f"alternative-{alternative.name}"
            folder.mkdir()
            for name in homework.files:   # a partial alternative borrows the reference's other modules
                source = alternative / name if (alternative / name).is_file() else homework.reference / name
                shutil.copyfile(source, folder / name)
            jobs_to_run[f"alternative {alternative.name}"] = folder

        def module_of(label: str) -> str:
            return label.removeprefix("mutant ").split("__", 1)[0]

        def done(job: Job, outcome: Grading) -> None:
            if outcome.graded:
                echo(f"  {hw} {job.key}: {outcome.document['score']:g}/{points:g}")

        # Every grading is a fresh fork of this process, warmed with the imports they all need.
        # A mutant changes one module, so its tests decide; training probes (slow) run only for
        # the mutants the fast tests did not already catch. Degenerate variants run every test,
        # training probes included: their training functions return at once, so a probe costs an
        # evaluation only, and a probe that pays for an untrained model is what they look for.
        first = [Job(label, (folder,), only_module=module_of(label), skip_training=True)
                 if label.startswith("mutant ") else Job(label, (folder,)) for label, folder in jobs_to_run.items()]
        # The longest gradings (every test, training included) first: one left for the end
        # would run alone while the other job slots sit idle.
        first.sort(key=lambda job: job.key != "reference" and not job.key.startswith("alternative "))
        with _warm_workers(homework, warm):
            outcomes = grade_many(homework, first, parallel=jobs, on_done=done)
            survivors = [Job(label, (jobs_to_run[label],), only_module=module_of(label))
                         for label, outcome in outcomes.items()
                         if label.startswith("mutant ") and outcome.graded and outcome.lost <= 1e-9]
            outcomes.update(grade_many(homework, survivors, parallel=jobs, on_done=done))

    degenerates = [_degenerate_row(f"degenerate {variant}", outcomes[f"degenerate {variant}"], points)
                   for variant in degenerate.VARIANTS if f"degenerate {variant}" in outcomes]
    if only is not None:
        report.rows += degenerates
        return report
    ref_outcome = outcomes["reference"]
    ref = ref_outcome.document
    if not ref["tests"]:
        report.rows.append(CheckRow("reference", f"{points:g}", ref_outcome.error or ref["output"][:90], False))
    else:
        total = sum(t["max_score"] for t in ref["tests"])
        public = sum(t["max_score"] for t in ref["tests"] if "public" in t.get("tags", []))
        report.rows.append(CheckRow("test points add up", f"{points:g}",
                                    f"{total:g} ({public:g} public, {total - public:g} hidden, "
                                    f"{len(ref['tests'])} tests)", abs(total - points) < 1e-9))
        report.rows.append(CheckRow("reference scores full marks", f"{points:g}",
                                    f"{ref['score']:g}" + (f"; lost: {_first_failures(ref)}" if ref["score"] < points
                                                           else ""), abs(ref["score"] - points) < 1e-9
                                    and ref_outcome.graded))
    for label in (k for k in outcomes if k.startswith("alternative ")):
        outcome = outcomes[label]
        if not outcome.graded:
            report.rows.append(CheckRow(f"{label} scores full marks", f"{points:g}", outcome.error[:90], False))
            continue
        report.rows.append(CheckRow(f"{label} scores full marks", f"{points:g}",
                                    f"{outcome.score:g}" + (f"; lost: {_first_failures(outcome.document)}"
                                                            if outcome.score < points else ""),
                                    abs(outcome.score - points) < 1e-9))
    stubs = outcomes["stubs"]
    report.rows.append(CheckRow("stubs score 0", "0", f"{stubs.score:g}" if stubs.graded else stubs.error[:90],
                                stubs.graded and stubs.score == 0))
    report.rows += degenerates
    report.rows.append(_notebook_row(homework))
    report.rows.append(CheckRow("mutants", f">= {MIN_MUTANTS}", str(len(mutants)), len(mutants) >= MIN_MUTANTS))
    for name, problem in broken.items():
        report.rows.append(CheckRow(f"mutant {name}", "applies to the reference", problem, False))
    for mutant in mutants:
        label = f"mutant {mutant.stem}"
        if label not in outcomes:
            continue
        outcome = outcomes[label]
        summary = summaries.get(mutant.stem, "")
        if not outcome.graded:
            report.rows.append(CheckRow(label, "loses points", outcome.error[:90], False))
            continue
        lost = outcome.lost
        got = f"-{lost:g}: {_first_failures(outcome.document, 1)}" if lost > 0 else f"SURVIVED ({summary})"
        report.rows.append(CheckRow(label, "loses points", got, lost > 1e-9))
    return report
