"""The notebook builder: a percent-format source, its directives, the byte-exact notebook."""
from __future__ import annotations

import nbformat
import pytest
from platform_helpers import REPO

from autograder.course.config import load_course
from autograder.course.layout import open_course
from autograder.errors import UserError
from autograder.release import bundles, notebooks
from shared import written

COURSE = load_course(REPO / "course.yaml")
HOMEWORKS = [h.id for h in open_course(REPO).homeworks() if h.notebook_source.is_file()]

TOY = """\
# A note for the file's readers: not a cell.

# %% [markdown]
# # HW0
#
# Intro.
#
# <!-- cvgrade how-to-work: pytest tests/test_filters.py -k add -->
#
# The data.

# %%
import numpy as np


def double(x):
    return 2 * x

# %% tags=["check"] your_turn="filters.py"
check("convolve2d", "correlate2d")

# %% tags=["check"] your_turn="fourier.py" implement="the masks"
check("low_pass_mask")

# %% tags=["check"]
check("sharpen")

# %% [markdown] cvgrade="submit"
# The hidden tests try
# more.

# %% [markdown] cvgrade="written"
"""


def _build(tmp_path, text, hw="hw0"):
    source = tmp_path / "notebook.py"
    source.write_text(text)
    return notebooks.build_notebook(hw, source, COURSE)


def test_directives_expand_into_the_notebook(tmp_path):
    nb = _build(tmp_path, TOY)
    cells = [(c.cell_type, c.source, dict(c.metadata)) for c in nb.cells]
    check = {"tags": ["check"]}
    assert cells[:7] == [
        ("markdown", "# HW0\n\nIntro.\n\n" + notebooks.HOW_TO_WORK.format(example="pytest tests/test_filters.py -k add")
         + "\n\nThe data.", {}),
        ("code", "import numpy as np\n\n\ndef double(x):\n    return 2 * x", {}),
        ("markdown", notebooks.YOUR_TURN.format(functions="`convolve2d` and `correlate2d`", module="filters.py",
                                                tests="tests/test_filters.py"), {}),
        ("code", 'check("convolve2d", "correlate2d")', check),
        ("markdown", notebooks.YOUR_TURN.format(functions="the masks", module="fourier.py",
                                                tests="tests/test_fourier.py"), {}),
        ("code", 'check("low_pass_mask")', check),
        ("code", 'check("sharpen")', check),                      # no your_turn: the check cell alone
    ]
    assert "2. Run the check cell under the note (or `pytest tests/test_filters.py -k add`)." in cells[0][1]
    assert "**Your turn.** Implement `convolve2d` and `correlate2d` in `filters.py`, then" in cells[2][1]
    assert cells[7] == ("markdown", notebooks.SUBMIT.format(
        hidden="The hidden tests try\nmore.",
        submit="Submit `filters.py` and `fourier.py`; this notebook is for you and is not graded."), {})
    assert cells[7][1].startswith("## Before you submit\n\nRun every public test")      # course.yaml's files
    questions = COURSE.assignment("hw0").written
    assert cells[8][1].startswith("## Written questions (10 points")
    assert [c[2].get("written_question") for c in cells[9:]] == [m for q in questions for m in (q.id, q.id, None)]
    assert [c[2].get("tags") for c in cells[9::3]] == [[written.QUESTION_TAG]] * len(questions)
    assert len(cells) == 9 + 3 * len(questions)
    assert [c.id for c in nb.cells] == [f"cell-{i:02d}" for i in range(len(cells))]
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert nb.metadata == notebooks.METADATA                  # none of jupytext's metadata
    nbformat.validate(nb)
    assert nbformat.writes(nb) == nbformat.writes(_build(tmp_path, TOY))     # deterministic


@pytest.mark.parametrize("text, message", [
    ('# %% [markdown] cvgrade="nosuch"\n', "unknown notebook directive"),
    ('# %% [markdown]\n# <!-- cvgrade how-to-work -->\n', "unknown notebook directive"),
    ('# %% your_turn="filters.py"\ncheck("a")\n', "only for a check cell"),
    ('# %% tags=["check"] your_turn="filters.py"\nprint(1)\n', "single check"),
    ('x = 1\n\n# %%\ny = 2\n', "only comment lines"),
])
def test_bad_sources_are_one_line(tmp_path, text, message):
    with pytest.raises(UserError, match=message):
        _build(tmp_path, text)


@pytest.mark.parametrize("hw", HOMEWORKS)
def test_committed_notebooks_are_built_from_their_sources(hw):
    """What `cvgrade check`'s notebook row demands, without the gradings (run `cvgrade notebooks`)."""
    built = notebooks.build_notebook(hw, REPO / "solutions" / hw / "notebook.py", COURSE)
    assert nbformat.writes(built) == (REPO / "assignments" / hw / f"{hw}.ipynb").read_text(encoding="utf-8")


def test_bundles_ship_the_notebook_never_its_source():
    student = bundles.student_entries(open_course(REPO).homework("hw0"))
    grader = bundles.autograder_entries(open_course(REPO).homework("hw0"))
    assert student["hw0/hw0.ipynb"] == (REPO / "assignments" / "hw0" / "hw0.ipynb").read_bytes()
    assert not [name for name in [*student, *grader] if name.endswith("notebook.py")]
    assert not [name for name in grader if name.endswith(".ipynb")]
