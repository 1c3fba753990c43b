"""``cvgrade``: the instructor's command (also ``python -m autograder``).

Each command opens the course once (``course.layout.open_course``) and is a thin layer over
one module: ``grade`` -> grading.runner.grade, ``check`` -> quality.checks, ``build`` ->
release.bundles, ``simulate`` -> release.simulate, ``notebooks`` -> release.notebooks,
``batch`` / ``similarity`` / ``gradebook`` -> regrading, ``gradescope`` ->
grading.gradescope.run (what run_autograder calls), ``grade-one`` -> one grading of
grading.many's "process" mode.
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

from autograder.course.layout import CourseCheckout, Homework, open_course
from autograder.errors import UserError
from autograder.tables import results_table, text_table

DEFAULT_ROOT = Path(__file__).resolve().parent.parent


class _Context:
    """What every command needs: the course checkout, opened (and validated) on first use."""

    def __init__(self, root: Path):
        self.root = root
        self._checkout: CourseCheckout | None = None

    @property
    def checkout(self) -> CourseCheckout:
        if self._checkout is None:
            self._checkout = open_course(self.root)
        return self._checkout

    def homework(self, hw: str) -> Homework:
        return self.checkout.homework(hw)

    def homeworks(self, ids: tuple[str, ...]) -> list[Homework]:
        """The given homeworks, validated, or every released one (with public tests)."""
        return self.checkout.homeworks(ids)


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
    for homework in ctx.checkout.homeworks([a.id for a in ctx.checkout.course.assignments]):
        a = homework.assignment
        public, hidden = count_tests(homework)
        written = f"{a.written_points:g} ({len(a.written)} q)" if a.written else "-"
        rows.append((a.id, a.title, f"{a.points:g}", written, str(public), str(hidden), a.due.isoformat()))
    click.echo(text_table(rows))


@cli.command()
@click.argument("hw", nargs=-1)
@click.option("-j", "--jobs", type=click.IntRange(1, 16), default=2, show_default=True,
              help="gradings run in parallel")
@click.option("--only", type=click.Choice(["degenerate"]),
              help="run only these checks (degenerate: the do-nothing submissions made from the stubs)")
@click.option("--cold", is_flag=True, help="start every worker cold (no fork server)")
@pass_context
def check(ctx: _Context, hw: tuple[str, ...], jobs: int, only: str | None, cold: bool) -> None:
    """Prove each homework is sound: reference full, stubs zero, every mutant caught, nothing paid for nothing."""
    from autograder.quality.checks import check_homework

    failed = False
    for homework in ctx.homeworks(hw):
        report = check_homework(homework, jobs=jobs, only=only, warm=not cold, echo=click.echo)
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

    for homework in ctx.homeworks(hw):
        for path in bundles.build_all(homework, out_dir):
            click.echo(f"wrote {path} ({path.stat().st_size // 1024} kB)")


@cli.command("notebooks")
@click.argument("hw", nargs=-1)
@pass_context
def notebooks_command(ctx: _Context, hw: tuple[str, ...]) -> None:
    """Write assignments/hwN/hwN.ipynb from its source, solutions/hwN/notebook.py (jupytext percent)."""
    from autograder.release import notebooks

    for homework in ctx.homeworks(hw):
        source, path = homework.notebook_source, homework.notebook
        if not source.is_file():
            raise UserError(f"{homework.id} has no notebook source: {source}")
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        notebooks.write(notebooks.build_notebook(homework.id, source, homework.course), path)
        click.echo(f"wrote {path} ({'unchanged' if path.read_text(encoding='utf-8') == old else 'changed'})")


@cli.command()
@click.argument("hw")
@click.argument("submission", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="write Gradescope's results.json here")
@click.option("--public-only", is_flag=True, help="run only the public tests")
@pass_context
def grade(ctx: _Context, hw: str, submission: tuple[Path, ...], json_path: Path | None, public_only: bool) -> None:
    """Grade a submission (folder, .zip or .py files) with public and hidden tests."""
    from autograder.grading.results import write_atomic
    from autograder.grading.runner import grade as run_grade

    homework = ctx.homework(hw)
    with _results_on_user_error(json_path):
        results = run_grade(homework, list(submission), public_only=public_only)
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
    from autograder.release.simulate import simulate as simulate_bundle

    document = simulate_bundle(ctx.homework(hw), list(submission), dist)
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

    results = run_batch(ctx.homework(hw), directory, jobs=jobs,
                        csv_path=csv_path, report_path=report_path, cache_dir=cache_dir, use_cache=not no_cache,
                        warm=not cold, echo=click.echo)
    sys.exit(1 if any(not r.grading.graded for r in results) else 0)


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

    run_similarity(ctx.homework(hw), directory, report_path=report_path,
                   csv_path=csv_path, show=show, echo=click.echo)


@cli.command("grade-one", hidden=True)
@click.argument("hw")
@click.argument("submission", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="where the Grading (outcome.py) is written as JSON")
@click.option("--only-module", help="run only the tests of this module")
@click.option("--skip-training", is_flag=True, help="skip tests marked training")
@pass_context
def grade_one(ctx: _Context, hw: str, submission: tuple[Path, ...], out_path: Path, only_module: str | None,
              skip_training: bool) -> None:
    """(grading.many) One grading in a fresh process: its Grading, never a traceback."""
    import time

    from autograder.grading.outcome import Grading
    from autograder.grading.results import write_atomic
    from autograder.grading.runner import grade as run_grade

    started = time.monotonic()
    try:
        results = run_grade(ctx.homework(hw), list(submission), only_module=only_module,
                            skip_training=skip_training)
        grading = Grading.of(results, time.monotonic() - started)
    except UserError as err:
        grading = Grading.failed("not graded", str(err), time.monotonic() - started)
    write_atomic(out_path, grading.to_json())
    sys.exit(0 if grading.status != "grader error" else 1)


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

    build_gradebook(ctx.checkout.course, list(grades), out_path, histogram_path, echo=click.echo)


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
def _results_on_user_error(json_path: Path | None) -> Iterator[None]:
    """A submission that cannot be graded (a bad zip, ...) still leaves a valid results.json.

    The error then goes on to ``main``: one line, exit status 2.
    """
    try:
        yield
    except UserError as err:
        if json_path is not None:
            from autograder.grading.results import failure_results, write_atomic

            write_atomic(json_path, failure_results(f"Your submission could not be graded: {err}").to_json())
        raise


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
