"""Writing a homework notebook from Python: the cells, the check cells, the byte-exact file.

Each ``solutions/hwN/make_notebook.py`` lists its parts as functions returning cells and
calls ``build`` and ``main`` from here. ``cvgrade check`` demands the committed
``assignments/hwN/hwN.ipynb`` equal ``nbformat.writes(build_notebook())`` exactly, so the
notebook is deterministic: fixed cell ids, no outputs, fixed metadata.

A check cell (``check_cell("convolve2d", ...)``) is a code cell tagged ``check`` that calls
``shared.notebook_checks.check``: it runs the public tests of those functions on the
student's current files. The release test runs the check cells alone, headless.

``written_cells(hw)`` is a homework's written questions (course.yaml ``written``), each a
question cell, an answer cell and an end cell laid out for otter-grader's export (see
``shared.written``); a generator puts them where the questions belong.
"""
from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

# (kind, source): kind is "md", "code", "check", or "question:ID" / "answer:ID" (written questions)
Cell = tuple[str, str]
COURSE_YAML = Path(__file__).resolve().parents[2] / "course.yaml"

METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def md(text: str) -> Cell:
    return ("md", textwrap.dedent(text).strip())


def code(text: str) -> Cell:
    return ("code", textwrap.dedent(text).strip())


def check_cell(*names: str) -> Cell:
    """A code cell running the public tests of ``names`` (``check`` is imported in the setup cell)."""
    return ("check", "check(" + ", ".join(f'"{name}"' for name in names) + ")")


def your_turn(functions: str, module: str, *names: str) -> list[Cell]:
    """A part's closing note (what to implement) and its check cell."""
    test_file = f"tests/test_{module.removesuffix('.py')}.py"
    return [md(f"""
        **Your turn.** Implement {functions} in `{module}`, then run the check cell below: it runs
        the public tests of these functions on your file as it is now (no kernel restart needed)
        and lists what passes and what fails, with the same messages as `pytest {test_file}` in a
        terminal. Then re-run the setup cell (it reloads your modules) and this part's cells to
        see your version at work.
        """), check_cell(*names)]


def written_cells(hw: str, course_path: Path = COURSE_YAML) -> list[Cell]:
    """The written questions of ``hw`` from course.yaml: an introduction, then per question its
    cell (otter's BEGIN comment, number, id, points, prompt), an answer cell and an END cell."""
    from autograder.course.config import load_course
    from shared import written

    questions = load_course(course_path).assignment(hw).written
    if not questions:
        return []
    total = sum(q.points for q in questions)
    cells = [md(f"""
        ## Written questions ({total:g} points, graded by the TAs)

        Answer each question in the cell below it (a few sentences; LaTeX math such as `$\\sigma$`
        works). These answers are graded on Gradescope from a PDF, one question per page, that
        `python -m submit --written` makes with otter-grader (see the README: the PDF holds only
        these question and answer cells). Keep the comment lines `<!-- ... QUESTION -->`: they
        tell the export where each question starts and ends.
        """)]
    for number, question in enumerate(questions, start=1):
        cells.append((f"question:{question.id}",
                      written.question_source(number, question.id, question.points, question.prompt)))
        cells.append((f"answer:{question.id}", written.PLACEHOLDER))
        cells.append(("md", written.END))
    return cells


def _cell(kind: str, source: str, cell_id: str) -> nbformat.NotebookNode:
    from shared import written

    if kind == "md":
        return new_markdown_cell(source, id=cell_id)
    role, _, question = kind.partition(":")
    if role in ("question", "answer"):
        tag = written.QUESTION_TAG if role == "question" else written.ANSWER_TAG
        return new_markdown_cell(source, id=cell_id, metadata={"tags": [tag], "written_question": question})
    metadata = {"tags": ["check"]} if kind == "check" else {}
    return new_code_cell(source, id=cell_id, metadata=metadata)


def build(parts: Iterable[Callable[[], list[Cell]]]) -> nbformat.NotebookNode:
    """The notebook of ``parts`` in order: cell ids ``cell-00``..., no outputs, fixed metadata."""
    cells = [cell for part in parts for cell in part()]
    notebook = new_notebook(metadata=METADATA)
    for i, (kind, source) in enumerate(cells):
        notebook.cells.append(_cell(kind, source, f"cell-{i:02d}"))
    return notebook


def write(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Validate and write exactly ``nbformat.writes(notebook)`` (``nbformat.write`` adds a newline)."""
    nbformat.validate(notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    print(f"wrote {path}")
