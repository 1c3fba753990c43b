"""The spec's names against the code: ``docs/spec/hwN.md`` is the contract the stubs and the
reference keep.

A spec file lists each student module under a heading ``## module.py`` and, in the first column
of that section's tables, backticked signatures such as ```convolve2d(image, kernel, mode="same")```.
Every such name must be defined at the top level of ``assignments/hwN/module.py`` (the stub)
and ``solutions/hwN/module.py`` (the reference) with the same parameters in the same order and
the same defaults (compared as Python literals where they are literals). A class's parameters
are those of its ``__init__`` without ``self``.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

_MODULE_HEADING = re.compile(r"^##\s+([A-Za-z_]\w*\.py)\b")
_SIGNATURE = re.compile(r"`([A-Za-z_]\w*)\(([^`]*)\)`")

Parameter = tuple[str, str | None]          # (name, default source or None)


@dataclass
class ContractReport:
    """What ``check`` found: ``names`` checked per side, and one line per problem."""

    names: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return f"{self.names - len(self.problems)}/{self.names} names match; {len(self.problems)} problems"


def _split_parameters(text: str) -> list[Parameter]:
    """``a, b=1, c="x, y"`` -> [(a, None), (b, "1"), (c, '"x, y"')], commas inside literals kept."""
    try:
        call = ast.parse(f"f({text})", mode="eval").body
    except SyntaxError:
        return [(part.strip(), None) for part in text.split(",") if part.strip()]
    assert isinstance(call, ast.Call)
    params: list[Parameter] = [(ast.unparse(arg), None) for arg in call.args]
    params += [(kw.arg or "**", ast.unparse(kw.value)) for kw in call.keywords]
    return params


def spec_names(spec_file: Path) -> dict[str, dict[str, list[Parameter]]]:
    """{module file: {name: parameters}} from one homework's spec."""
    found: dict[str, dict[str, list[Parameter]]] = {}
    module: str | None = None
    for line in spec_file.read_text(encoding="utf-8").splitlines():
        heading = _MODULE_HEADING.match(line)
        if heading:
            module = heading.group(1)
            found.setdefault(module, {})
        elif line.startswith("#"):
            module = None if line.startswith("## ") else module
        elif module and line.startswith("|") and not set(line) <= set("|-: "):
            first_column = line.split("|")[1]
            for name, args in _SIGNATURE.findall(first_column):
                found[module][name] = _split_parameters(args)
    return found


def code_parameters(tree: ast.Module, name: str) -> list[Parameter] | None:
    """The parameters of top-level function or class ``name`` in ``tree``; None if undefined."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            function = node
            break
        if isinstance(node, ast.ClassDef) and node.name == name:
            inits = [n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"]
            if not inits:
                return []
            function = inits[0]
            break
    else:
        return None
    args = function.args
    positional = args.posonlyargs + args.args
    if positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    defaults = [None] * (len(positional) - len(args.defaults)) + [ast.unparse(d) for d in args.defaults]
    params: list[Parameter] = [(a.arg, d) for a, d in zip(positional, defaults, strict=True)]
    params += [(a.arg, ast.unparse(d) if d is not None else None) for a, d in zip(args.kwonlyargs, args.kw_defaults,
                                                                                 strict=True)]
    return params


def _same_default(spec: str | None, code: str | None) -> bool:
    if spec is None or code is None:
        return spec == code
    try:
        return ast.literal_eval(spec) == ast.literal_eval(code)
    except (ValueError, SyntaxError):
        return spec.replace(" ", "") == code.replace(" ", "")


def _shown(params: list[Parameter]) -> str:
    return ", ".join(name + (f"={default}" if default is not None else "") for name, default in params)


def check(spec_file: Path, stubs: Path, reference: Path) -> ContractReport:
    """Compare the spec ``docs/spec/hwN.md`` with the stubs and the reference (their folders)."""
    if not spec_file.is_file():
        return ContractReport(0, [f"{spec_file}: missing (the contract of {stubs.name} lives there)"])
    names, problems = 0, []
    for module, wanted in spec_names(spec_file).items():
        for folder in (stubs, reference):
            path = folder / module
            names += len(wanted)
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            except FileNotFoundError:
                problems += [f"{path}: missing; the spec names `{name}` in it" for name in wanted]
                continue
            except SyntaxError as err:
                problems += [f"{path}:{err.lineno}: syntax error ({err.msg}); `{name}` unchecked" for name in wanted]
                continue
            for name, want in wanted.items():
                got = code_parameters(tree, name)
                if got is None:
                    problems.append(f"{path}: `{name}` is not defined at module level (the spec names it)")
                elif [p for p, _ in got] != [p for p, _ in want] or not all(
                        _same_default(w, g) for (_, w), (_, g) in zip(want, got, strict=True)):
                    problems.append(f"{path}: `{name}({_shown(got)})`, the spec says `{name}({_shown(want)})`")
    return ContractReport(names, problems)


def _documented(tree: ast.Module) -> dict[str, str | None]:
    """{qualified name: docstring} of the module, its public functions and classes, and their
    public methods (``__init__`` included)."""
    found: dict[str, str | None] = {"(module)": ast.get_docstring(tree)}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and not node.name.startswith("_"):
            found[node.name] = ast.get_docstring(node)
            if isinstance(node, ast.ClassDef):
                for method in node.body:
                    if isinstance(method, ast.FunctionDef) and (method.name == "__init__"
                                                                or not method.name.startswith("_")):
                        found[f"{node.name}.{method.name}"] = ast.get_docstring(method)
    return found


def docstrings(stubs: Path, reference: Path, modules: list[str]) -> ContractReport:
    """The stub and the reference document every public name alike: one docstring, two copies.

    A student reads the stub's docstring and the TAs the reference's; a rule stated in only one
    of them is a rule the other reader never sees. Hints for the student belong in ``# TODO``
    comments in the stub's body, not in its docstring.
    """
    names, problems = 0, []
    for module in modules:
        stub_path, ref_path = stubs / module, reference / module
        try:
            stub = _documented(ast.parse(stub_path.read_text(encoding="utf-8")))
            ref = _documented(ast.parse(ref_path.read_text(encoding="utf-8")))
        except (OSError, SyntaxError) as err:
            problems.append(f"{module}: cannot compare docstrings ({err})")
            continue
        for name in sorted(set(stub) | set(ref)):
            if name == "(module)":
                continue                        # the module docstrings address different readers
            names += 1
            if name not in stub or name not in ref:
                side = stub_path if name not in stub else ref_path
                problems.append(f"{side}: `{name}` is missing (defined on the other side)")
            elif stub[name] != ref[name]:
                problems.append(f"{stub_path}: `{name}`'s docstring differs from {ref_path}'s")
    return ContractReport(names, problems)
