"""Short, student-readable descriptions of calls into student code.

Every failure message starts with the call that produced the value being checked, e.g.
``filters.convolve2d(float64[5, 7], float64[3, 3], mode='same')``. Both ways of reaching
student code (the imported module in a student's checkout, the sandbox in the grader)
record the call here, and the assertion helpers in ``shared.asserts`` read it back.
"""
from __future__ import annotations

from typing import Any

_last_call: str | None = None


def describe_value(value: Any) -> str:
    """One short token for an argument or a result: dtype and shape for arrays."""
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None and not isinstance(value, (int, float, complex)):
        kind = "tensor " if type(value).__module__.startswith("torch") else ""
        dt = str(dtype).replace("torch.", "")
        return f"{kind}{dt}[{', '.join(str(int(s)) for s in shape)}]"
    if value is None or isinstance(value, (bool, int, float, complex)):
        text = repr(value)
        return text if len(text) <= 24 else text[:21] + "..."
    if isinstance(value, str):
        return repr(value) if len(value) <= 24 else repr(value[:21] + "...")
    if isinstance(value, (list, tuple)):
        inner = ", ".join(describe_value(v) for v in value[:4])
        more = ", ..." if len(value) > 4 else ""
        return f"[{inner}{more}]" if isinstance(value, list) else f"({inner}{more}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe_value(v)}" for k, v in list(value.items())[:4]) + "}"
    return type(value).__name__


def describe_call(qualname: str, args: tuple = (), kwargs: dict | None = None) -> str:
    """``module.function(arg, ..., key=value)`` with arrays shown as ``dtype[shape]``."""
    parts = [describe_value(a) for a in args]
    parts += [f"{k}={describe_value(v)}" for k, v in (kwargs or {}).items()]
    return f"{qualname}({', '.join(parts)})"


def record_call(description: str | None) -> None:
    global _last_call
    _last_call = description


def last_call() -> str | None:
    """The description of the most recent call into student code in this test, if any."""
    return _last_call
