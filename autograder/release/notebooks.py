"""The student notebooks, built from their sources: ``solutions/hwN/notebook.py`` -> ``assignments/hwN/hwN.ipynb``.

A source is the notebook itself in jupytext's percent format: ``# %% [markdown]`` cells with
the prose as comments, ``# %%`` code cells with the code. Comment lines before the first
``# %%`` are a note for the file's readers, not a cell. What every homework shares is written
once, here, and placed where a directive in the source says:

* ``# %% [markdown] cvgrade="written"`` (an empty cell): the written questions of course.yaml,
  laid out for otter-grader's export (``written_cells``; see ``shared.written``).
* ``# %% tags=["check"] your_turn="filters.py"`` on a check cell (``check("name", ...)``, which
  runs the public tests of those functions on the student's files): the "Your turn" note before
  it, naming the functions (or ``implement="..."``, the words to use instead) and the module.
  A check cell without ``your_turn`` is just the check cell.
* ``# %% [markdown] cvgrade="submit"``: "Before you submit": how to run the public tests, the
  cell's own text (what the hidden tests check, homework by homework), the files to submit
  (course.yaml).
* A markdown line ``<!-- cvgrade how-to-work: pytest tests/test_x.py -k y -->``: the steps of
  "How to work", with that command as the terminal's way to run a group's tests.

``cvgrade notebooks [HW...]`` writes the notebooks; ``cvgrade check`` demands the committed file
equal ``nbformat.writes(build_notebook(...))`` byte for byte, so the output is deterministic:
cell ids ``cell-00``, ``cell-01``, ..., no outputs, fixed metadata, none of jupytext's own.
"""
from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.course.config import Course, WrittenQuestion
from autograder.errors import UserError

METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
# Cell metadata that only says how jupytext laid the source out, and the directives' keys.
_NOT_KEPT = {"skipline", "noskipline", "cell_marker", "lines_to_next_cell", "lines_to_end_of_cell_marker",
             "cvgrade", "your_turn", "implement"}
_HOW_TO_WORK = re.compile(r"^<!-- cvgrade how-to-work: (.+) -->$", re.M)

HOW_TO_WORK = """\
How to work:

1. Implement a group of functions (each part ends with a **Your turn** note).
2. Run the check cell under the note (or `{example}`).
3. Re-run the setup cell below (it reloads your modules), then the part's cells.

Until a function is implemented, the cells that use it stop with `NotImplementedError`:
that is expected."""

YOUR_TURN = """\
**Your turn.** Implement {functions} in `{module}`, then run the check cell below: it runs
the public tests of these functions on your file as it is now (no kernel restart needed)
and lists what passes and what fails, with the same messages as `pytest {tests}` in a
terminal. Then re-run the setup cell (it reloads your modules) and this part's cells to
see your version at work."""

SUBMIT = """\
## Before you submit

Run every public test from the homework folder, `pytest tests/`, and read the failure
messages: each names the call and what was wrong. The public tests are a floor: passing
them is necessary, not sufficient.

{hidden}

{submit}"""

WRITTEN = """\
## Written questions ({total:g} points, graded by the TAs)

Answer each question in the cell below it (a few sentences; LaTeX math such as `$\\sigma$`
works). These answers are graded on Gradescope from a PDF, one question per page, that
`python -m submit --written` makes with otter-grader (see the README: the PDF holds only
these question and answer cells). Keep the comment lines `<!-- ... QUESTION -->`: they
tell the export where each question starts and ends."""


def _listing(names: list[str]) -> str:
    """The names in markdown code: `a`; `a` and `b`; `a`, `b` and `c`."""
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def written_cells(questions: list[WrittenQuestion]) -> list[nbformat.NotebookNode]:
    """The written questions (course.yaml ``written``): an introduction, then per question its
    cell (otter's BEGIN comment, number, id, points, prompt), an answer cell and an END cell."""
    from shared import written

    if not questions:
        return []
    cells = [new_markdown_cell(WRITTEN.format(total=sum(q.points for q in questions)))]
    for number, q in enumerate(questions, start=1):
        cells += [new_markdown_cell(written.question_source(number, q.id, q.points, q.prompt),
                                    metadata={"tags": [written.QUESTION_TAG], "written_question": q.id}),
                  new_markdown_cell(written.PLACEHOLDER,
                                    metadata={"tags": [written.ANSWER_TAG], "written_question": q.id}),
                  new_markdown_cell(written.END)]
    return cells


def _checked_names(source: str) -> list[str]:
    """The function names of a check cell, ``check("a", "b")``."""
    try:
        call = ast.parse(source, mode="eval").body
        names = [ast.literal_eval(arg) for arg in call.args]
    except (SyntaxError, ValueError, AttributeError):
        names = []
    if not names or not all(isinstance(name, str) for name in names):
        raise UserError(f"a your_turn cell must be a single check(\"name\", ...) call, not {source!r}")
    return names


def _expand(cell: nbformat.NotebookNode, hw: str, course: Course) -> list[nbformat.NotebookNode]:
    """The notebook cells of one source cell: its directive expanded, jupytext's metadata dropped."""
    directive, module = cell.metadata.get("cvgrade"), cell.metadata.get("your_turn")
    metadata = {key: value for key, value in cell.metadata.items() if key not in _NOT_KEPT}
    if cell.cell_type == "code":
        out = [new_code_cell(cell.source, metadata=metadata)]
        if module is not None:
            if "check" not in metadata.get("tags", []):
                raise UserError(f"your_turn={module!r} is only for a check cell (tags=[\"check\"])")
            functions = cell.metadata.get("implement") or _listing(_checked_names(cell.source))
            tests = f"tests/test_{module.removesuffix('.py')}.py"
            out.insert(0, new_markdown_cell(YOUR_TURN.format(functions=functions, module=module, tests=tests)))
        return out
    if directive == "written":
        return written_cells(course.assignment(hw).written)
    if directive == "submit":
        submit = f"Submit {_listing(course.assignment(hw).files)}; this notebook is for you and is not graded."
        submit = textwrap.fill(submit, width=100, break_long_words=False, break_on_hyphens=False)
        return [new_markdown_cell(SUBMIT.format(hidden=cell.source, submit=submit))]
    if directive is not None:
        raise UserError(f"unknown notebook directive cvgrade={directive!r} (written, submit)")
    source = _HOW_TO_WORK.sub(lambda m: HOW_TO_WORK.format(example=m.group(1)), cell.source)
    if "<!-- cvgrade" in source:
        raise UserError(f"unknown notebook directive in {source[source.index('<!-- cvgrade'):][:60]!r}")
    return [new_markdown_cell(source, metadata=metadata)]


def build_notebook(hw: str, source: Path, course: Course) -> nbformat.NotebookNode:
    """The notebook of the percent-format ``source``: directives expanded, cell ids ``cell-00``...,
    no outputs, fixed metadata (byte-deterministic)."""
    try:        # instructor-only (requirements.txt), absent from Gradescope's image: never needed to grade
        import jupytext
    except ImportError:
        raise UserError("building the notebooks needs jupytext (pip install -r requirements.txt)") from None

    text = source.read_text(encoding="utf-8")
    cells = jupytext.reads(text, fmt="py:percent").cells
    head = re.split(r"^# %%", text, maxsplit=1, flags=re.M)[0].split("\n")
    if any(line.strip() for line in head):    # the comment lines above the first cell: a note on the file
        if not all(line.startswith("#") or not line.strip() for line in head):
            raise UserError(f"{source}: only comment lines may come before the first '# %%' cell")
        cells = cells[1:]
    notebook = new_notebook(metadata=METADATA)
    notebook.cells = [out for cell in cells for out in _expand(cell, hw, course)]
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number:02d}"
    return notebook


def write(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Validate and write exactly ``nbformat.writes(notebook)`` (``nbformat.write`` adds a newline)."""
    nbformat.validate(notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
