"""Static checks on a student module before any of it runs.

``module_problem`` returns a student-facing sentence when a module cannot be graded: a
syntax error (file and line), or an import course.yaml forbids for that module (the line),
so an oracle call (scipy, torch) never earns points. The grader runs it on every submitted
file (``autograder.grading.runner``) and the student's ``python -m submit`` runs the very same code
before writing the upload zip (``shared.submit``); the grader's worker also refuses the same
names imported dynamically (``ImportGuard``, which judges code by the file it comes from).

Seen statically: import statements; ``__import__``/``import_module``/``find_spec``/
``load_module`` calls and ``sys.modules[...]``/``sys.modules.get(...)`` with a forbidden name
as a literal; and code handed to ``exec``/``eval``/``compile`` as a literal string, checked
as source in its own right. Names built at run time are left to the worker's guards.
"""
from __future__ import annotations

import ast
import warnings

MAX_FILE_BYTES = 1 << 20        # one student module: the grader ignores, and submit refuses, anything larger
_DYNAMIC_IMPORTERS = {"__import__", "import_module", "find_spec", "load_module", "import_"}
_CODE_RUNNERS = {"exec", "eval", "compile"}


def _parse(source: bytes | str, file_name: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, filename=file_name)


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _is_sys_modules(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "modules" and isinstance(node.value, ast.Name) \
        and node.value.id == "sys"


def _imported_names(tree: ast.AST, depth: int = 0) -> list[tuple[int, str]]:
    """(line, dotted name) of every import this code makes where a literal names it."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Subscript) and _is_sys_modules(node.value) and _literal(node.slice):
            found.append((node.lineno, _literal(node.slice)))
        elif isinstance(node, ast.Call):
            called = _called(node)
            first = _literal(node.args[0]) if node.args else None
            if called in _DYNAMIC_IMPORTERS and first is not None:
                found.append((node.lineno, first))
            elif called in ("get", "pop", "setdefault") and isinstance(node.func, ast.Attribute) \
                    and _is_sys_modules(node.func.value) and first is not None:
                found.append((node.lineno, first))
            elif called in _CODE_RUNNERS and first is not None and depth < 5:
                try:
                    inner = _parse(first, "<string>")
                except (SyntaxError, ValueError):
                    continue
                found += [(node.lineno, name) for _, name in _imported_names(inner, depth + 1)]
    return found


def module_problem(file_name: str, source: bytes, forbidden: list[str]) -> str | None:
    """Why ``file_name`` cannot be graded, or None."""
    try:
        tree = _parse(source, file_name)
    except SyntaxError as err:
        return f"{file_name} line {err.lineno}: SyntaxError: {err.msg}. Fix it so the file imports."
    except (ValueError, UnicodeDecodeError) as err:
        return f"{file_name}: could not be read as Python source ({err})"
    if not forbidden:
        return None
    blocked = set(forbidden)
    for line, name in sorted(_imported_names(tree)):
        top = name.split(".")[0]
        if top in blocked:
            return (f"{file_name} line {line} imports {top}, which this homework does not allow in "
                    f"{file_name}. Remove it; tests that need {file_name} score 0 until then.")
    return None
