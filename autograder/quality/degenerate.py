"""Degenerate submissions: the stubs with every graded body replaced by something that does nothing.

A test suite that pays points for doing nothing is not measuring the homework. ``cvgrade
check`` grades one submission per variant below, generated from the stubs (never from the
reference, so no variant is partly correct) by parsing each stub module with ``ast`` and
rewriting the body of every function and method that raises ``NotImplementedError``:

* ``zeros``: zeros shaped like the first array (numpy or torch) argument, 0.0 without one;
* ``zero``: the scalar 0.0;
* ``ones``: ones of the first array argument's shape in float64 (a float tensor keeps its
  dtype, an integer one becomes float32), 1.0 without one: where ``zeros`` keeps the input's
  dtype, this one has the dtype most contracts ask for, so a test of shape and dtype alone
  pays it;
* ``identity``: the first argument unchanged (None without arguments);
* ``raise``: ``ValueError`` whose message names every argument and its value (what a module
  whose ``__getattr__`` answers every name with such a function does);
* ``none``: None.

Signatures and docstrings are kept, so every call the tests make binds exactly as it would
against a real submission. Where the reference returns a tuple of fixed length (``out,
cache``) or a plain ``float(...)``/``int(...)``, the ``zeros``, ``zero`` and ``ones``
variants return that many values, or a scalar: read from the reference's source, never by
running it, as any student could guess from the docstring. ``__init__`` keeps its
``super().__init__()`` call (an ``nn.Module`` must be initialised to be called at all) and
otherwise does nothing, except in ``raise``. Each variant may score at most
``MAX_SHARE`` of the homework's points.
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from pathlib import Path

# A degenerate submission may collect a few points by coincidence (a "raises ValueError" test
# that it happens to satisfy, with nothing else right); more than this share is a test problem.
MAX_SHARE = 0.03

VARIANTS: dict[str, str] = {
    "zeros": "zeros like the first array argument, else 0.0",
    "zero": "the scalar 0.0",
    "ones": "float ones shaped like the first array, else 1.0",
    "identity": "its first argument unchanged",
    "raise": "ValueError naming every argument",
    "none": "None",
}

_PREFIX = "_cvgrade_degenerate"

# Added to every degenerate module. Arrays are recognised by duck typing so a module that may
# not import torch (course.yaml's forbidden imports) still handles tensors it is given.
_HELPERS = '''

def _cvgrade_degenerate_fill(value, arguments, arity, as_float=False):
    one = value
    for argument in arguments:
        if hasattr(argument, "shape") and hasattr(argument, "dtype"):
            if hasattr(argument, "new_full"):
                one = argument.new_full(tuple(argument.shape), value)
                if as_float and not one.is_floating_point():
                    one = one.float()
            else:
                import numpy
                one = numpy.full(argument.shape, value) if as_float else numpy.full_like(argument, value)
            break
    if arity is None:
        return one
    if arity == 0:
        return value
    return tuple(_cvgrade_degenerate_copy(one) for _ in range(arity))


def _cvgrade_degenerate_copy(value):
    return value.clone() if hasattr(value, "clone") else value.copy() if hasattr(value, "copy") else value


def _cvgrade_degenerate_blame(function, names, values):
    shown = []
    for name, value in zip(names, values):
        text = repr(value)
        shown.append(name + "=" + (text if len(text) <= 60 else text[:57] + "..."))
    return function + ": invalid argument(s): " + ", ".join(shown)
'''


class DegenerateError(Exception):
    """A stub that cannot be turned into degenerate variants (it does not parse)."""


@dataclass(frozen=True)
class _Shape:
    """What the reference returns, as far as its source says: a tuple of n values (n >= 1),
    a scalar (``arity == 0``) or unknown (None)."""

    arity: int | None


def _own_nodes(function: ast.AST) -> list[ast.AST]:
    """The nodes of a function's body, without those of functions or classes nested in it."""
    found, stack = [], list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def is_graded(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A stub function the student must write: its own body raises NotImplementedError."""
    for node in _own_nodes(function):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                return True
    return False


def _qualified_functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """``name`` or ``Class.name`` for module-level functions and methods of module-level classes."""
    functions = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions[f"{node.name}.{item.name}"] = item
    return functions


def _scalar_expression(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("float", "int")


def return_shapes(reference_source: str) -> dict[str, _Shape]:
    """For each function of the reference: a fixed tuple length, a scalar, or unknown."""
    shapes = {}
    for name, function in _qualified_functions(ast.parse(reference_source)).items():
        values = [node.value for node in _own_nodes(function) if isinstance(node, ast.Return)]
        if not values or any(v is None for v in values):
            shapes[name] = _Shape(None)
        elif all(isinstance(v, ast.Tuple) and not any(isinstance(e, ast.Starred) for e in v.elts)
                 for v in values) and len({len(v.elts) for v in values}) == 1:
            shapes[name] = _Shape(len(values[0].elts))
        elif all(_scalar_expression(v) for v in values):
            shapes[name] = _Shape(0)
        else:
            shapes[name] = _Shape(None)
    return shapes


def _argument_names(function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    arguments = function.args
    names = [a.arg for a in [*arguments.posonlyargs, *arguments.args]]
    if method and not any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list):
        names = names[1:]
    names += [a.arg for a in arguments.kwonlyargs]
    return names


def _values_expression(function: ast.FunctionDef | ast.AsyncFunctionDef, names: list[str]) -> str:
    """A list display of every argument's value, in signature order (``*args`` and ``**kwargs`` spread)."""
    parts = list(names)
    if function.args.vararg is not None:
        parts.append(f"*{function.args.vararg.arg}")
    if function.args.kwarg is not None:
        parts.append(f"*{function.args.kwarg.arg}.values()")
    return f"[{', '.join(parts)}]"


def _is_super_init(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Attribute) and statement.value.func.attr == "__init__")


def _new_body(variant: str, qualified: str, function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool,
              shape: _Shape) -> list[ast.stmt]:
    names = _argument_names(function, method)
    values = _values_expression(function, names)
    if variant == "raise":
        arguments = function.args
        every = names[:len(names) - len(arguments.kwonlyargs)]
        every += [a.arg for a in [arguments.vararg, *arguments.kwonlyargs, arguments.kwarg] if a is not None]
        code = f"raise ValueError({_PREFIX}_blame({qualified!r}, {every!r}, [{', '.join(every)}]))"
    elif function.name == "__init__":
        # Returning a value from __init__ is a TypeError of its own, not a degenerate model.
        kept = [copy.deepcopy(s) for s in function.body if _is_super_init(s)]
        return kept or [ast.Pass()]
    elif variant in ("zeros", "zero", "ones"):
        fill = 1.0 if variant == "ones" else 0.0
        arguments = "[]" if variant == "zero" else values
        code = f"return {_PREFIX}_fill({fill!r}, {arguments}, {shape.arity!r}, {variant == 'ones'})"
    elif variant == "identity":
        vararg = function.args.vararg.arg if function.args.vararg is not None else None
        code = (f"return {names[0]}" if names else f"return {vararg}[0] if {vararg} else None" if vararg
                else "return None")
    elif variant == "none":
        code = "return None"
    else:
        raise DegenerateError(f"unknown degenerate variant {variant!r} (known: {', '.join(VARIANTS)})")
    return ast.parse(code).body


def degenerate_source(stub_source: str, variant: str, reference_source: str | None = None,
                      file_name: str = "<stub>") -> str:
    """The stub module with every graded function's body replaced by ``variant``'s behaviour."""
    if variant not in VARIANTS:
        raise DegenerateError(f"unknown degenerate variant {variant!r} (known: {', '.join(VARIANTS)})")
    try:
        tree = ast.parse(stub_source, filename=file_name)
    except SyntaxError as err:
        raise DegenerateError(f"{file_name} line {err.lineno}: the stub does not parse ({err.msg})") from None
    shapes = return_shapes(reference_source) if reference_source is not None else {}
    for qualified, function in _qualified_functions(tree).items():
        if not is_graded(function):
            continue
        docstring = function.body[:1] if ast.get_docstring(function, clean=False) is not None else []
        function.body = docstring + _new_body(variant, qualified, function, "." in qualified,
                                              shapes.get(qualified, _Shape(None)))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n" + _HELPERS


def write_variant(stubs: Path, reference: Path, files: list[str], variant: str, folder: Path) -> Path:
    """A submission folder holding every module of ``files`` as ``variant``; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in files:
        stub = (stubs / name).read_text()
        source = (reference / name).read_text() if (reference / name).is_file() else None
        (folder / name).write_text(degenerate_source(stub, variant, source, name))
    return folder
