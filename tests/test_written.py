"""Written questions: course.yaml, the notebook cells, otter-grader's export, the instructor's sheet.

otter's filtering and page breaks are tested on what its export makes before the converter
runs (the filtered notebook and the HTML of its browser template); the PDF itself only where
the LaTeX converter exists (pandoc and xelatex; skipped with the reason otherwise).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import nbformat
import pytest
from platform_helpers import REPO, cvgrade

from autograder.course.config import load_course
from autograder.errors import UserError
from autograder.release import notebooks
from autograder.release.written import outline
from shared import written

COURSE = load_course(REPO / "course.yaml")
HW0 = COURSE.assignment("hw0")
ANSWERS = {"box_ringing": "The box's transform is a sinc, whose side lobes ring.",
           "phase_swap": "The phase's image: edges live in the phase.",
           "hybrid_breaks": "Close cut-offs: both seen at once."}


# A notebook source as a homework's solutions/hwN/notebook.py: a part with code, the written
# questions' directive, a last part with a check cell.
SOURCE = """\
# %% [markdown]
# # HW0
#
# Intro text.

# %%
x = 1

# %% [markdown] cvgrade="written"

# %% [markdown]
# ## The end

# %% tags=["check"]
check("convolve2d")
"""


def _notebook(tmp_path: Path, answered: dict[str, str] | None = None) -> Path:
    """The notebook of ``SOURCE`` as the builder makes it, some answers typed in."""
    source = tmp_path / "notebook.py"
    source.write_text(SOURCE)
    nb = notebooks.build_notebook("hw0", source, COURSE)
    for cell in nb.cells:
        if written.ANSWER_TAG in cell.metadata.get("tags", []) and answered:
            cell.source = answered.get(cell.metadata["written_question"], cell.source)
    path = tmp_path / "hw0.ipynb"
    notebooks.write(nb, path)
    return path


def test_course_yaml_has_written_questions_next_to_autograded_points():
    for a in COURSE.assignments:
        assert 2 <= len(a.written) <= 4, a.id
        assert a.points == 100 and a.total_points == a.points + sum(q.points for q in a.written)
    assert [q.id for q in HW0.written] == ["box_ringing", "phase_swap", "hybrid_breaks"]


@pytest.mark.parametrize("written_yaml, message", [
    ("[{id: a, points: 2, prompt: x}, {id: a, points: 1, prompt: y}]", "share an id"),
    ("[{id: Bad-Id, points: 2, prompt: x}]", "written[0].id"),
    ("[{id: ok, points: 0, prompt: x}]", "written[0].points"),
    ("[{id: ok, points: 1, prompt: ''}]", "written[0].prompt"),
])
def test_bad_written_questions_are_one_line(tmp_path, written_yaml, message):
    text = (REPO / "course.yaml").read_text()
    first = text.index("    written:")
    end = text.index("    due:", first)
    (tmp_path / "course.yaml").write_text(text[:first] + f"    written: {written_yaml}\n" + text[end:])
    shutil.copyfile(REPO / "constraints.txt", tmp_path / "constraints.txt")
    with pytest.raises(UserError, match=re.escape(message)):
        load_course(tmp_path / "course.yaml")


def test_written_cells_follow_course_yaml():
    cells = notebooks.written_cells(HW0.written)
    assert cells[0].cell_type == "markdown" and "10 points" in cells[0].source
    triples = [cells[i:i + 3] for i in range(1, len(cells), 3)]
    assert len(triples) == len(HW0.written)
    for number, ((q, a, end), question) in enumerate(zip(triples, HW0.written, strict=True), start=1):
        assert q.metadata == {"tags": [written.QUESTION_TAG], "written_question": question.id}
        assert q.source.startswith(written.BEGIN)
        assert f"Written question {number}: `{question.id}` ({question.points:g} points)" in q.source
        assert " ".join(question.prompt.split()) in q.source
        assert a.metadata == {"tags": [written.ANSWER_TAG], "written_question": question.id}
        assert a.source == written.PLACEHOLDER
        assert (end.cell_type, end.source, end.metadata) == ("markdown", written.END, {})


def test_no_written_questions_no_cells(tmp_path):
    text = (REPO / "course.yaml").read_text()
    text = re.sub(r"\n    written:.*?(?=\n    due:)", "", text, flags=re.S)
    (tmp_path / "course.yaml").write_text(text)
    shutil.copyfile(REPO / "constraints.txt", tmp_path / "constraints.txt")
    assert notebooks.written_cells(load_course(tmp_path / "course.yaml").assignment("hw0").written) == []


def test_notebook_cells_are_tagged_and_valid(tmp_path):
    nb = nbformat.read(_notebook(tmp_path), as_version=4)
    nbformat.validate(nb)
    tagged = [c for c in nb.cells if written.ANSWER_TAG in c.metadata.get("tags", [])]
    assert [c.metadata["written_question"] for c in tagged] == [q.id for q in HW0.written]
    assert all(c.cell_type == "markdown" for c in tagged)
    assert written.unanswered(nb) == [q.id for q in HW0.written]
    assert set(written.answers(nb)) == {q.id for q in HW0.written}


def test_otter_filtering_keeps_only_the_questions_with_a_break_after_each(tmp_path):
    pytest.importorskip("otter", reason="otter-grader is not installed (pip install otter-grader==7.0.0)")
    path = _notebook(tmp_path, ANSWERS)
    assert written.unanswered(nbformat.read(path, as_version=4)) == []
    cells = written.filtered(path).cells
    sources = [c.source for c in cells]
    assert len(cells) == 3 * len(HW0.written), sources
    assert not any("Intro text" in s or "x = 1" in s or "The end" in s or "check(" in s for s in sources)
    for i, question in enumerate(HW0.written):
        heading, answer, page_break = sources[3 * i:3 * i + 3]
        assert f"`{question.id}`" in heading and answer == ANSWERS[question.id]
        assert page_break.strip() == "<!-- #newpage -->"


def test_otter_html_breaks_the_page_between_questions_never_inside_one(tmp_path):
    pytest.importorskip("otter", reason="otter-grader is not installed (pip install otter-grader==7.0.0)")
    page = written.filtered_html(_notebook(tmp_path, ANSWERS))
    breaks = [m.start() for m in re.finditer(r'<p class="otter-page-break-after">', page)]
    assert len(breaks) == len(HW0.written)
    positions = [(page.index(f"<code>{q.id}</code>"), page.index(ANSWERS[q.id].split(":")[0][:20]))
                 for q in HW0.written]
    for i, (heading, answer) in enumerate(positions):
        assert heading < answer < breaks[i], (i, heading, answer, breaks)          # question, answer, break
        assert i == 0 or breaks[i - 1] < heading                                   # ...on a page of its own
    assert "Intro text" not in page and "check(" not in page


def test_missing_otter_is_one_line_naming_the_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "otter", None)
    monkeypatch.setitem(sys.modules, "otter.export.exporters", None)
    with pytest.raises(written.ExportError, match=r"otter-grader is not installed.*pip install otter-grader==7\.0\.0"):
        written.export(_notebook(tmp_path), tmp_path / "out.pdf")


def test_missing_converter_is_named(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    problem = written.converter_problem("latex")
    assert "pandoc and xelatex" in problem and "--html" in problem
    assert "unknown exporter" in written.converter_problem("word")


def _pdf_pages(data: bytes) -> int:
    """Pages of a PDF whose page objects may sit in compressed object streams."""
    text = data
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            text += zlib.decompress(match.group(1))
        except zlib.error:
            pass
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", text))


def test_otter_latex_pdf_has_each_question_on_its_own_page(tmp_path):
    """The real PDF (slow: xelatex runs). otter's LaTeX export starts each question on an odd
    page, so n questions take between n and 2n pages."""
    pytest.importorskip("otter", reason="otter-grader is not installed (pip install otter-grader==7.0.0)")
    problem = written.converter_problem("latex")
    if problem is not None:
        pytest.skip(problem)
    out = written.export(_notebook(tmp_path, ANSWERS), tmp_path / "hw0-written.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(HW0.written) <= _pdf_pages(data) <= 2 * len(HW0.written)


def test_release_readme_requirements_and_instructor_sheet(tmp_path):
    proc = cvgrade("build", "hw0", "-o", str(tmp_path))
    assert proc.returncode == 0 and "hw0-written.md" in proc.stdout, proc.stderr
    with zipfile.ZipFile(tmp_path / "hw0-student.zip") as archive:
        readme = archive.read("hw0/README.md").decode()
        requirements = archive.read("hw0/requirements.txt").decode()
        optional = archive.read("hw0/requirements-written.txt").decode()
    assert "otter" not in requirements and written.REQUIREMENT in optional.splitlines()
    assert "## Written questions (10 points" in readme and "python -m submit --written" in readme
    assert "otter export --filtering --pagebreaks hw0.ipynb hw0-written.pdf" in readme
    sheet = (tmp_path / "hw0-written.md").read_text()
    assert sheet == outline(HW0)
    rows = [line for line in sheet.splitlines() if re.match(r"\| \d+ \|", line)]
    assert [row.split("|")[2].strip() for row in rows] == [f"{i}. `{q.id}`" for i, q in enumerate(HW0.written, 1)]
    assert [float(row.split("|")[3]) for row in rows] == [q.points for q in HW0.written]
    assert "Total: 10 points" in sheet


def test_submit_written_exports_from_the_release(tmp_path):
    """A student's `python -m submit --html` (and --written where the converter exists)."""
    pytest.importorskip("otter", reason="otter-grader is not installed (pip install otter-grader==7.0.0)")
    proc = cvgrade("build", "hw0", "-o", str(tmp_path / "dist"))
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(tmp_path / "dist" / "hw0-student.zip") as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "hw0"
    (tmp_path / "nb").mkdir()
    notebook = _notebook(tmp_path / "nb", {"box_ringing": ANSWERS["box_ringing"]})
    shutil.copyfile(notebook, folder / "hw0.ipynb")       # the notebook with its written part
    proc = subprocess.run([sys.executable, "-m", "submit", "--html"], cwd=folder, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no answer yet for phase_swap, hybrid_breaks" in proc.stdout
    page = (folder / "hw0-written.html").read_text()
    assert page.count('<p class="otter-page-break-after">') == len(HW0.written)
    if written.converter_problem("latex") is not None:
        proc = subprocess.run([sys.executable, "-m", "submit", "--written"], cwd=folder, capture_output=True,
                              text=True, timeout=300, stdin=subprocess.DEVNULL)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "xelatex" in proc.stderr, proc.stderr


def test_release_promises_written_questions_only_when_the_notebook_has_them(toy_root, tmp_path):
    from autograder.course.layout import open_course
    from autograder.release import bundles

    root = tmp_path / "course"
    shutil.copytree(toy_root, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "course.yaml").write_text((root / "course.yaml").read_text().replace(
        "    requirements:", "    written: [{id: why, points: 2, prompt: 'Why does it work?'}]\n    requirements:"))
    entries = bundles.student_entries(open_course(root).homework("hw0"))
    assert "Written questions" not in entries["hw0/README.md"].decode()
    assert "hw0/requirements-written.txt" not in entries
    (tmp_path / "notebook.py").write_text('# %% [markdown] cvgrade="written"\n')
    nb = notebooks.build_notebook("hw0", tmp_path / "notebook.py", open_course(root).course)
    notebooks.write(nb, root / "assignments" / "hw0" / "hw0.ipynb")
    entries = bundles.student_entries(open_course(root).homework("hw0"))
    readme = entries["hw0/README.md"].decode()
    assert "## Written questions (2 points" in readme and "| 1 | `why` | 2 |" in readme
    assert b'"written": ["why"]' in entries["hw0/submit.py"]
