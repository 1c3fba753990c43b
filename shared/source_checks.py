"""Static checks on a student module before any of it runs.

``module_problem`` returns a student-facing sentence when a module cannot be graded: a
syntax error (file and line), or an import course.yaml forbids for that module (the line),
so an oracle call (scipy, torch) never earns points. The grader runs it on every submitted
file (``autograder.runner``) and the student's ``python -m submit`` runs the very same code
before writing the upload zip (``shared.submit``); the grader's worker also refuses the same
names imported dynamically (``ImportGuard``).
"""
from __future__ import annotations

import ast
import warnings

_DYNAMIC_IMPORTERS = {"__import__", "import_module"}


def module_problem(file_name: str, source: bytes, forbidden: list[str]) -> str | None:
    """Why ``file_name`` cannot be graded, or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=file_name)
    except SyntaxError as err:
        return f"{file_name} line {err.lineno}: SyntaxError: {err.msg}. Fix it so the file imports."
    except (ValueError, UnicodeDecodeError) as err:
        return f"{file_name}: could not be read as Python source ({err})"
    if not forbidden:
        return None
    blocked = set(forbidden)
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called in _DYNAMIC_IMPORTERS and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                names = [node.args[0].value]
        for name in names:
            top = name.split(".")[0]
            if top in blocked:
                return (f"{file_name} line {node.lineno} imports {top}, which this homework does not allow in "
                        f"{file_name}. Remove it; tests that need {file_name} score 0 until then."
                        )
    return None
