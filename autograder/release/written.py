"""The written part of a homework, for the instructor: setting it up on Gradescope.

Students export their written answers with otter-grader (``python -m submit --written``, see
``shared.written``): a PDF with one question per page, in course.yaml's order. Gradescope
grades such a PDF in an assignment of its own (a "Homework / Problem Set" with student-assigned
pages). ``cvgrade build`` writes ``hwN-written.md`` next to the autograder zip: that
assignment's questions, points and page order, and the steps to create it.
"""
from __future__ import annotations

from pathlib import Path

from autograder.course.config import Assignment


def outline(assignment: Assignment) -> str:
    """The instructor's set-up sheet for ``assignment``'s written part (markdown)."""
    hw = assignment.id
    rows = "\n".join(f"| {page} | {page}. `{q.id}` | {q.points:g} | {' '.join(q.prompt.split())} |"
                     for page, q in enumerate(assignment.written, start=1))
    return f"""# {hw} written: Gradescope set-up

{assignment.title}: {len(assignment.written)} written questions, {assignment.written_points:g} points,
graded by the TAs (the autograder's {assignment.points:g} points are the `{hw}-autograder.zip`
assignment). Due {assignment.due.isoformat()}, like the autograded part.

1. Create a Gradescope assignment of type "Homework / Problem Set" named "{hw} written",
   submissions by students (PDF), with the due date above.
2. In "Edit Outline", add the questions below in this order with these points. Students
   export with `python -m submit --written` (otter-grader: only the question cells, each
   question on a new page; otter's LaTeX export starts each on an odd page, for two-sided
   printing, so question N is on page 2N-1 there and on page N from the HTML export when
   answers fit on a page). Students assign pages to questions when they upload.
3. The course's gradebook adds these points to the autograded ones (`cvgrade gradebook
   {hw}.csv {hw}_written.csv ...`, or one Gradescope export holding both parts).

| page | question | points | prompt |
|---|---|---|---|
{rows}

Total: {assignment.written_points:g} points.
"""


def write_outline(assignment: Assignment, out_dir: Path) -> Path | None:
    """``out_dir/hwN-written.md``, or None when the homework has no written questions."""
    if not assignment.written:
        return None
    path = Path(out_dir) / f"{assignment.id}-written.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(outline(assignment), encoding="utf-8")
    return path
