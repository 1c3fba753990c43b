"""Writing a homework notebook from Python: the cells, the check cells, the byte-exact file.

Each ``solutions/hwN/make_notebook.py`` lists its parts as functions returning cells and
calls ``build`` and ``main`` from here. ``cvgrade check`` demands the committed
``assignments/hwN/hwN.ipynb`` equal ``nbformat.writes(build_notebook())`` exactly, so the
notebook is deterministic: fixed cell ids, no outputs, fixed metadata.

A check cell (``check_cell("convolve2d", ...)``) is a code cell tagged ``check`` that calls
``shared.notebook_checks.check``: it runs the public tests of those functions on the
student's current files. The release test runs the check cells alone, headless.
"""
from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

Cell = tuple[str, str]     # (kind, source): kind is "md", "code" or "check"

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


def build(parts: Iterable[Callable[[], list[Cell]]]) -> nbformat.NotebookNode:
    """The notebook of ``parts`` in order: cell ids ``cell-00``..., no outputs, fixed metadata."""
    cells = [cell for part in parts for cell in part()]
    notebook = new_notebook(metadata=METADATA)
    for i, (kind, source) in enumerate(cells):
        if kind == "md":
            notebook.cells.append(new_markdown_cell(source, id=f"cell-{i:02d}"))
        else:
            metadata = {"tags": ["check"]} if kind == "check" else {}
            notebook.cells.append(new_code_cell(source, id=f"cell-{i:02d}", metadata=metadata))
    return notebook


def write(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Validate and write exactly ``nbformat.writes(notebook)`` (``nbformat.write`` adds a newline)."""
    nbformat.validate(notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    print(f"wrote {path}")
