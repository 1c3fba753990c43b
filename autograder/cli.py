"""``cvgrade``: the instructor's command (also ``python -m autograder``).

Each command is a thin layer over one module: ``grade`` -> runner.grade, ``build`` ->
bundles, ``check`` -> checks, ``simulate`` -> bundles + the bundle's own run_autograder,
``gradescope`` -> gradescope.run (what run_autograder calls), ``notebooks`` -> notebooks.
Exit status: 0 done, 1 a check or grade could not be completed as asked, 2 bad usage or input
(one line, no traceback).
"""
from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from autograder.course.config import Course, load_course
from autograder.errors import UserError

DEFAULT_ROOT = Path(__file__).resolve().parent.parent


class _Context:
    def __init__(self, root: Path):
        self.root = root
        self._course: Course | None = None

    @property
    def course(self) -> Course:
        if self._course is None:
            self._course = load_course(self.root / "course.yaml")
        return self._course

    def homeworks(self, ids: tuple[str, ...]) -> list[str]:
        """The given ids, validated, or every homework that exists in the repository.

        A homework exists once it has public tests (``assignments/hwN/tests/test_*.py``): one
        still being written (stubs without tests) is left out of ``check`` and ``build`` runs
        that name no homework.
        """
        if ids:
            return [self.course.assignment(hw).id for hw in ids]
        return [a.id for a in self.course.assignments
                if any((self.root / "assignments" / a.id / "tests").glob("test_*.py"))]


pass_context = click.make_pass_decorator(_Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_ROOT,
              show_default="the repository holding this package", help="course repository (with course.yaml)")
@click.version_option(package_name="cvgrade")
@click.pass_context
def cli(ctx: click.Context, root: Path) -> None:
    """Build, check and grade COMS4732 homeworks."""
    ctx.obj = _Context(root.resolve())


@cli.command("list")
@pass_context
def list_command(ctx: _Context) -> None:
    """Table of assignments: id, title, points (autograded, written), public/hidden test counts, due date."""
    from autograder.quality.checks import count_tests

    rows = [("id", "title", "points", "written", "public", "hidden", "due")]
    for a in ctx.course.assignments:
        public, hidden = count_tests(ctx.root, a.id)
        written = f"{a.written_points:g} ({len(a.written)} q)" if a.written else "-"
        rows.append((a.id, a.title, f"{a.points:g}", written, str(public), str(hidden), a.due.isoformat()))
    click.echo(_table(rows))


@cli.command()
@click.argument("hw", nargs=-1)
@click.option("-j", "--jobs", type=click.IntRange(1, 16), default=2, show_default=True,
              help="gradings run in parallel")
@click.option("--only", type=click.Choice(["degenerate"]),
              help="run only these checks (degenerate: the do-nothing submissions made from the stubs)")
@pass_context
def check(ctx: _Context, hw: tuple[str, ...], jobs: int, only: str | None) -> None:
    """Prove each homework is sound: reference full, stubs zero, every mutant caught, nothing paid for nothing."""
    from autograder.quality.checks import check_homework

    failed = False
    for hw_id in ctx.homeworks(hw):
        report = check_homework(ctx.course, ctx.root, hw_id, jobs=jobs, only=only, echo=click.echo)
        click.echo(report.table())
        failed |= not report.ok
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("hw", nargs=-1)
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("dist"), show_default=True)
@pass_context
def build(ctx: _Context, hw: tuple[str, ...], out_dir: Path) -> None:
    """Write DIR/hwN-autograder.zip (Gradescope) and DIR/hwN-student.zip (release)."""
    from autograder.release import bundles

    for hw_id in ctx.homeworks(hw):
        for path in bundles.build_all(ctx.course, ctx.root, hw_id, out_dir):
            click.echo(f"wrote {path} ({path.stat().st_size // 1024} kB)")


@cli.command("notebooks")
@click.argument("hw", nargs=-1)
@pass_context
def notebooks_command(ctx: _Context, hw: tuple[str, ...]) -> None:
    """Write assignments/hwN/hwN.ipynb from its source, solutions/hwN/notebook.py (jupytext percent)."""
    from autograder.release import notebooks

    for hw_id in ctx.homeworks(hw):
        source, path = notebooks.source_path(ctx.root, hw_id), notebooks.notebook_path(ctx.root, hw_id)
        if not source.is_file():
            raise UserError(f"{hw_id} has no notebook source: {source}")
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        notebooks.write(notebooks.build_notebook(hw_id, source, ctx.course), path)
        click.echo(f"wrote {path} ({'unchanged' if path.read_text(encoding='utf-8') == old else 'changed'})")


@cli.command()
@click.argument("hw")
@click.argument("submission", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="write Gradescope's results.json here")
@click.option("--public-only", is_flag=True, help="run only the public tests")
@click.option("--only-module", hidden=True, help="(check) run only the tests of this module")
@click.option("--skip-training", is_flag=True, hidden=True, help="(check) skip tests marked training")
@pass_context
def grade(ctx: _Context, hw: str, submission: tuple[Path, ...], json_path: Path | None, public_only: bool,
          only_module: str | None, skip_training: bool) -> None:
    """Grade a submission (folder, .zip or .py files) with public and hidden tests."""
    from autograder.grading.results import write_atomic
    from autograder.grading.runner import grade as run_grade

    hw_id = ctx.course.assignment(hw).id
    with _results_on_user_error(json_path):
        results = run_grade(ctx.course, ctx.root, hw_id, list(submission),
                            public_only=public_only, only_module=only_module, skip_training=skip_training)
    click.echo(results_table(results.to_json()))
    if json_path is not None:
        write_atomic(json_path, results.to_json())
    sys.exit(1 if results.grader_error else 0)


@cli.command()
@click.argument("hw")
@click.argument("submission", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="copy the resulting results.json here")
@click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"), show_default=True,
              help="where the bundle is built or reused")
@pass_context
def simulate(ctx: _Context, hw: str, submission: tuple[Path, ...], json_path: Path | None, dist: Path) -> None:
    """Run the built hwN-autograder.zip as Gradescope would, in a temporary root."""
    from autograder.release import bundles

    document = bundles.simulate(ctx.course, ctx.root, ctx.course.assignment(hw).id, list(submission), dist)
    click.echo(results_table(document))
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(document, indent=1))


@cli.command()
@click.argument("hw")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-j", "--jobs", type=click.IntRange(1, 32), default=1, show_default=True,
              help="submissions graded in parallel (each in its own grading process)")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="one row per student, one column per test, then the total")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="self-contained HTML report: histogram, pass rates, slowest tests, failures by test")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
              help="where results of unchanged submissions are kept  [default: DIRECTORY/.cvgrade-cache]")
@click.option("--no-cache", is_flag=True, help="regrade everything (and store nothing)")
@click.option("--cold", is_flag=True, help="no fork server: every worker starts a fresh interpreter")
@pass_context
def batch(ctx: _Context, hw: str, directory: Path, jobs: int, csv_path: Path | None,
          report_path: Path | None, cache_dir: Path | None, no_cache: bool, cold: bool) -> None:
    """Grade every submission under DIRECTORY (each subfolder or zip is one student).

    A Gradescope "export submissions" folder works as is (submission_metadata.yml names the
    students). Exit 1 if any submission could not be graded; the others are still graded.
    """
    from autograder.regrading.batch import run_batch

    results = run_batch(ctx.course, ctx.root, ctx.course.assignment(hw).id, directory, jobs=jobs,
                        csv_path=csv_path, report_path=report_path, cache_dir=cache_dir, use_cache=not no_cache,
                        warm=not cold, echo=click.echo)
    sys.exit(1 if any(r.document is None or r.error for r in results) else 0)


@cli.command()
@click.argument("hw")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="self-contained HTML: ranked pairs, overlapping code side by side")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="every pair compared in detail, most similar first")
@click.option("--show", type=click.IntRange(1, 500), default=20, show_default=True,
              help="pairs listed on the console and shown side by side in the report")
@pass_context
def similarity(ctx: _Context, hw: str, directory: Path, report_path: Path | None, csv_path: Path | None,
               show: int) -> None:
    """Rank pairs of submissions under DIRECTORY by shared code (the stubs do not count).

    Submissions are found as ``batch`` finds them; pairs whose members named each other in
    DISCLOSURE.md are marked.
    """
    from autograder.regrading.similarity import run_similarity

    run_similarity(ctx.course, ctx.root, ctx.course.assignment(hw).id, directory, report_path=report_path,
                   csv_path=csv_path, show=show, echo=click.echo)


@cli.command("batch-grade", hidden=True)
@click.argument("hw")
@click.argument("submission", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_context
def batch_grade(ctx: _Context, hw: str, submission: tuple[Path, ...], json_path: Path) -> None:
    """(batch) ``cvgrade grade`` for one submission of a batch: results.json plus test durations."""
    from autograder.grading.results import write_atomic
    from autograder.grading.runner import grade as run_grade

    hw_id = ctx.course.assignment(hw).id
    with _results_on_user_error(json_path, batch=True):
        results = run_grade(ctx.course, ctx.root, hw_id, list(submission))
    document = results.to_json()
    document["_batch"] = {
        "durations": {t["name"]: round(r.duration_s, 4) for t, r in zip(document["tests"], results.tests,
                                                                          strict=True)},
        "complete": results.complete, "grader_error": results.grader_error,
    }
    isolation = getattr(results, "isolation", None)     # how far students were isolated, when reported
    if isinstance(isolation, (str, dict, bool)):
        document["_batch"]["isolation"] = isolation
    write_atomic(json_path, document)
    sys.exit(1 if results.grader_error else 0)


@cli.command()
@click.argument("grades", nargs=-1, required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("gradebook.csv"),
              show_default=True, help="course totals, one row per student")
@click.option("--histogram", "histogram_path", type=click.Path(dir_okay=False, path_type=Path),
              help="histogram of course totals (.png, .svg or a self-contained .html)")
@pass_context
def gradebook(ctx: _Context, grades: tuple[str, ...], out_path: Path, histogram_path: Path | None) -> None:
    """Course totals from per-homework score CSVs (cvgrade batch's or Gradescope's export).

    Each GRADES is PATH.csv (its homework read from the file name, e.g. hw2_scores.csv or
    Gradescope's HW2_..._scores.csv) or KEY=PATH.csv with KEY a course.yaml weight (hw0..hw5,
    final_quiz). Weights come from course.yaml; a student missing from a CSV gets 0 for it
    and is flagged in the "missing" column. A homework's written part (TA-graded questions) is
    hwN_written=PATH.csv or a file name with "written" in it; its points add to the homework's.
    """
    from autograder.regrading.gradebook import build_gradebook

    build_gradebook(ctx.course, list(grades), out_path, histogram_path, echo=click.echo)


@cli.command(hidden=True)
@click.argument("hw")
@click.option("--gs-root", "gs_root", type=click.Path(path_type=Path), envvar="AUTOGRADER_ROOT",
              default=Path("/autograder"), show_default=True)
@pass_context
def gradescope(ctx: _Context, hw: str, gs_root: Path) -> None:
    """Grade GS_ROOT/submission into GS_ROOT/results/results.json (called by run_autograder)."""
    from autograder.grading.gradescope import run

    sys.exit(run(ctx.root, hw, gs_root))


@contextlib.contextmanager
def _results_on_user_error(json_path: Path | None, *, batch: bool = False) -> Iterator[None]:
    """A submission that cannot be graded (a bad zip, ...) still leaves a valid results.json.

    The error then goes on to ``main``: one line, exit status 2. For ``batch-grade`` the
    document says it was the submission's fault, not the grader's (``_batch.user_error``).
    """
    try:
        yield
    except UserError as err:
        if json_path is not None:
            from autograder.grading.results import failure_results, write_atomic

            document = failure_results(f"Your submission could not be graded: {err}").to_json()
            if batch:
                document["_batch"] = {"user_error": str(err), "complete": False, "grader_error": False}
            write_atomic(json_path, document)
        raise


def results_table(document: dict) -> str:
    rows = [("#", "test", "score", "status")]
    for t in document["tests"]:
        rows.append((t.get("number", ""), t["name"][:70], f"{t['score']:g}/{t['max_score']:g}", t.get("status", "")))
    total = sum(t["max_score"] for t in document["tests"])
    return f"{_table(rows)}\n\ntotal: {document['score']:g} / {total:g}\n{document.get('output', '')}"


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    """Entry point: user errors become one line on stderr and exit status 2."""
    try:
        cli.main(standalone_mode=False)
    except UserError as err:
        click.echo(f"cvgrade: {err}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("cvgrade: aborted", err=True)
        sys.exit(1)
    except click.ClickException as err:
        click.echo(f"cvgrade: {err.format_message()}", err=True)
        sys.exit(2)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
