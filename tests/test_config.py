"""course.yaml: the real one is valid; every kind of mistake is one line naming the key."""
from __future__ import annotations

import pytest
import yaml
from platform_helpers import REPO, cvgrade

from autograder.course.config import load_course
from autograder.errors import UserError


def test_course_yaml_is_valid_and_has_the_syllabus_weights():
    course = load_course(REPO / "course.yaml")
    assert course.weights == {"hw0": 5, "hw1": 10, "hw2": 10, "hw3": 10, "hw4": 10, "hw5": 10, "final_quiz": 45}
    hw0 = course.assignment("hw0")
    assert hw0.files == ["filters.py", "fourier.py"] and hw0.due.tzinfo is not None
    assert all("==" in r for r in hw0.requirements)


def _broken(tmp_path, edit) -> str:
    data = yaml.safe_load((REPO / "course.yaml").read_text())
    edit(data)
    path = tmp_path / "course.yaml"
    path.write_text(yaml.safe_dump(data))
    (tmp_path / "constraints.txt").write_text((REPO / "constraints.txt").read_text())
    with pytest.raises(UserError) as err:
        load_course(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message
    return message


@pytest.mark.parametrize("edit, key", [
    (lambda d: d["assignments"][0].update(points="many"), "assignments[0].points"),
    (lambda d: d["assignments"][0].update(pointz=3), "assignments[0].pointz"),
    (lambda d: d["assignments"][0].update(due="2027-02-05T23:59:00"), "assignments[0].due"),
    (lambda d: d["assignments"][0].update(requirements=["numpy>=2"]), "assignments[0].requirements"),
    (lambda d: d["assignments"][0]["limits"].update(per_call_s=-1), "assignments[0].limits.per_call_s"),
    (lambda d: d["weights"].update(hw0=6), "weights"),
    (lambda d: d.pop("course"), "course"),
])
def test_each_mistake_names_its_key(tmp_path, edit, key):
    assert f": {key}:" in _broken(tmp_path, edit)


def test_cli_reports_bad_course_yaml_in_one_line_with_status_2(tmp_path):
    (tmp_path / "course.yaml").write_text("course: [unclosed\n")
    proc = cvgrade("list", root=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "course.yaml" in proc.stderr and "Traceback" not in proc.stderr


def test_every_version_written_anywhere_is_the_pin_list_s():
    """constraints.txt is the one pin list: course.yaml and requirements.txt name packages without
    versions, and any name==version the code, templates or docs spell out agrees with it."""
    import re

    from autograder.course.config import PINS_FILE, read_pins

    pins = read_pins(REPO / PINS_FILE)
    assert {"torch", "numpy", "pytest", "jupyterlab", "otter-grader"} <= set(pins)
    assert not re.search(r"==\d", (REPO / "course.yaml").read_text())
    assert not re.search(r"^[A-Za-z][^#\n]*==", (REPO / "requirements.txt").read_text(), re.M)
    texts = [REPO / "README.md", *sorted((REPO / "autograder").rglob("*.py")), *sorted((REPO / "shared").glob("*.py")),
             *sorted((REPO / "autograder" / "release" / "templates").glob("*")), *sorted((REPO / "docs").glob("*.md"))]
    for path in texts:
        for name, version in re.findall(r"\b([A-Za-z][A-Za-z0-9_.-]*)==(\d[\w.]*)", path.read_text()):
            key = re.sub(r"[-_.]+", "-", name).lower()
            if key in pins:
                assert pins[key].split("==")[1] == version, f"{path}: {name}=={version}, {PINS_FILE} says {pins[key]}"


def test_defaults_are_merged_into_every_homework_and_versions_come_from_the_pin_list(tmp_path):
    from autograder.course.config import load_course
    from autograder.errors import UserError

    course = load_course(REPO / "course.yaml")
    hw1 = course.assignment("hw1")
    assert hw1.visibility.hidden == "after_published" and "torch==2.13.0" in hw1.requirements
    assert "numpy==2.4.6" in hw1.requirements and hw1.forbidden_imports["layers.py"][:2] == ["scipy", "cv2"]
    assert hw1.forbidden_imports["models.py"] == ["torchvision", "sklearn", "timm"]      # its own list wins
    text = (REPO / "course.yaml").read_text().replace("requirements: [torch, scikit-learn]",
                                                      "requirements: [torch, no-such-package]", 1)
    (tmp_path / "course.yaml").write_text(text)
    (tmp_path / "constraints.txt").write_text((REPO / "constraints.txt").read_text())
    with pytest.raises(UserError, match=r"course.yaml: assignments\[1\].requirements: 'no-such-package' has no pin: "
                                        r"add no-such-package==VERSION to constraints.txt"):
        load_course(tmp_path / "course.yaml")
