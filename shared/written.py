"""Written answers: the notebook cells that hold them and their export to a PDF for Gradescope.

Each written question of a homework (course.yaml ``written``) is three markdown cells in the
notebook: the question, headed by otter-grader's ``<!-- BEGIN QUESTION -->`` comment; the
student's answer (tagged ``written-answer``); and a cell holding only ``<!-- END QUESTION -->``.
otter's export with filtering keeps only what lies between those comments, and with page
breaks turns each END into a new page, so the PDF has one question per page and TAs
can assign pages on Gradescope. The END comment has a cell of its own because otter's
templates break the page *before* the cell that holds it: in the answer cell, the break
would split a question from its answer.

otter-grader is an optional dependency of the student's environment (the autograded part
never needs it): ``pip install -r requirements-written.txt``. Its PDF needs a converter:
LaTeX (``pandoc`` and ``xelatex`` on PATH, the default) or a headless Chromium
(``--exporter html`` after ``playwright install chromium``). Without one, the filtered
HTML (``--html``) can be printed to PDF from a browser.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

BEGIN = "<!-- BEGIN QUESTION -->"
END = "<!-- END QUESTION -->"
ANSWER_TAG = "written-answer"
QUESTION_TAG = "written-question"
PLACEHOLDER = "_Type your answer here, replacing this line._"
PACKAGE = "otter-grader"
REQUIREMENT = "otter-grader==7.0.0"     # constraints.txt's pin (tests/test_config.py keeps them equal)
INSTALL_HINT = f"pip install {REQUIREMENT}  (or: pip install -r requirements-written.txt)"


class ExportError(Exception):
    """The export cannot run here; the message says what to install or fix (one line)."""


def question_source(number: int, question_id: str, points: float, prompt: str) -> str:
    """The question cell: otter's BEGIN comment, then the title TAs and students see (bold, not
    a heading: LaTeX would number a heading "0.0.1" in the PDF)."""
    return (f"{BEGIN}\n\n**Written question {number}: `{question_id}` ({points:g} points)**\n\n"
            f"{' '.join(prompt.split())}")


def answers(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """{question id: the student's answer text} from the cells tagged ``written-answer``."""
    found = {}
    for cell in notebook.cells:
        if ANSWER_TAG in cell.get("metadata", {}).get("tags", []):
            found[cell["metadata"].get("written_question", f"cell {cell.get('id', '?')}")] = cell.source
    return found


def unanswered(notebook: nbformat.NotebookNode) -> list[str]:
    """Question ids whose answer cell is empty or still the placeholder."""
    return [qid for qid, text in answers(notebook).items()
            if not text.strip() or text.strip() == PLACEHOLDER]


def _otter_exporters():
    try:
        from otter.export.exporters import get_exporter
    except ImportError:
        raise ExportError(f"otter-grader is not installed (needed only for the written part): "
                          f"{INSTALL_HINT}") from None
    return get_exporter


def filtered(path: Path) -> nbformat.NotebookNode:
    """The notebook exactly as otter's export sees it: only the question cells, END turned
    into otter's page-break marker (what the PDF is made from)."""
    get_exporter = _otter_exporters()
    return get_exporter("html").load_notebook(str(path), filtering=True, pagebreaks=True)


def filtered_html(path: Path) -> str:
    """The HTML otter's browser exporter prints to PDF (its template, page breaks included)."""
    get_exporter = _otter_exporters()
    import nbconvert
    from otter.export.exporters.base_exporter import TEMPLATE_DIR

    notebook = get_exporter("html").load_notebook(str(path), filtering=True, pagebreaks=True)
    exporter = nbconvert.HTMLExporter(extra_template_basedirs=[str(TEMPLATE_DIR)], template_name="via_html")
    body, _ = exporter.from_notebook_node(notebook)
    return body


def converter_problem(exporter: str = "latex") -> str | None:
    """None if otter's ``exporter`` can make a PDF on this machine; else what is missing."""
    if exporter == "latex":
        missing = [tool for tool in ("pandoc", "xelatex") if shutil.which(tool) is None]
        if missing:
            return (f"otter's LaTeX export needs {' and '.join(missing)} on PATH (e.g. `apt install pandoc "
                    f"texlive-xetex texlive-latex-extra`, MiKTeX or MacTeX); or use --html and print it to PDF")
        return None
    if exporter == "html":
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            return f"otter's HTML export needs playwright: {INSTALL_HINT}"
        try:
            with sync_playwright() as playwright:
                executable = Path(playwright.chromium.executable_path)
        except Exception as err:    # playwright reports a missing driver in many ways
            return f"playwright cannot start here ({type(err).__name__}); run `playwright install chromium`"
        if not executable.is_file():
            return "otter's HTML export needs Chromium: run `playwright install chromium`"
        return None
    return f"unknown exporter {exporter!r} (latex or html)"


def export(notebook: Path, out: Path, exporter: str = "latex") -> Path:
    """Write the PDF of the written questions with otter's export (filtering, page breaks)."""
    get_exporter = _otter_exporters()
    problem = converter_problem(exporter)
    if problem is not None:
        raise ExportError(problem)
    try:
        get_exporter(exporter).convert_notebook(str(notebook), str(out), filtering=True, pagebreaks=True)
    except Exception as err:        # LaTeX or Chromium failing: say so in one line
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ExportError(f"otter could not write {out.name}: {first}") from None
    return out


def export_html(notebook: Path, out: Path) -> Path:
    """The filtered HTML (one question per printed page) for a browser's Print to PDF."""
    out.write_text(filtered_html(notebook), encoding="utf-8")
    return out
