"""Numeric assertions whose failure messages a student can act on.

Every message names the call that produced the value (see ``shared.calls``), then what was
wrong: type, shape, dtype, non-finite values, or the size and place of the largest error.
Comparisons are strict: shapes must match exactly (no broadcasting), NaN never passes, and
the dtype is checked when the contract names one.

In hidden tests the grader switches ``reveal_values`` off: messages then say which check
failed and by how much, never the expected values or the test's inputs.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from shared.calls import last_call

_reveal = True


def reveal_values(on: bool) -> None:
    """Allow (public tests) or forbid (hidden tests) expected values in failure messages."""
    global _reveal
    _reveal = bool(on)


def values_revealed() -> bool:
    return _reveal


class CheckFailed(AssertionError):
    """A check on a returned value failed; the message is written for the student."""


def _fail(what: str, problem: str, call: str | None = None) -> None:
    call = call or last_call()
    prefix = f"{call}: " if call else ""
    raise CheckFailed(f"{prefix}{what}: {problem}")


def _fmt(value: Any) -> str:
    """A number as a student reads it (``0.25``, not ``np.float64(0.25)``)."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (complex, np.complexfloating)):
        return repr(complex(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return repr(float(value))


def _shape(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def check_array(got: Any, *, what: str = "the result", shape: Sequence[int] | None = None,
                dtype: Any = None, finite: bool = True, call: str | None = None) -> np.ndarray:
    """Check that ``got`` is an ndarray (of ``shape`` and ``dtype`` when given) and return it.

    ``dtype`` may be a numpy dtype or one of the families ``"floating"``, ``"integer"``,
    ``"bool"``. Subclasses of ndarray are refused: the contract is a plain array.
    """
    if type(got) is not np.ndarray:
        hint = " (a torch tensor? convert it with .detach().numpy())" if "Tensor" in type(got).__name__ else ""
        _fail(what, f"expected a numpy.ndarray, got {type(got).__name__}{hint}", call)
    if shape is not None and tuple(got.shape) != tuple(shape):
        _fail(what, f"expected shape {_shape(shape)}, got shape {_shape(got.shape)}", call)
    if dtype is not None:
        families = {"floating": np.floating, "integer": np.integer, "bool": np.bool_}
        if isinstance(dtype, str) and dtype in families:
            ok = np.issubdtype(got.dtype, families[dtype])
        else:
            ok = got.dtype == np.dtype(dtype)
        if not ok:
            wanted = dtype if isinstance(dtype, str) else np.dtype(dtype).name
            _fail(what, f"expected dtype {wanted}, got dtype {got.dtype}", call)
    if finite and got.dtype.kind in "fc" and not np.all(np.isfinite(got)):
        bad = int(np.size(got) - np.count_nonzero(np.isfinite(got)))
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        _fail(what, f"{bad} of {got.size} values are NaN or infinite (first at index {where})", call)
    return got


def assert_close(got: Any, expected: Any, *, atol: float = 1e-10, rtol: float = 1e-10,
                 what: str = "the result", dtype: Any = np.float64,
                 call: str | None = None) -> None:
    """Assert ``got`` equals ``expected`` elementwise: ``|got - expected| <= atol + rtol*|expected|``.

    ``expected`` is trusted (the reference or a hand-computed array). Shape must match exactly,
    ``dtype`` as in ``check_array`` (None skips it), and no NaN/inf may appear where
    ``expected`` is finite.
    """
    expected = np.asarray(expected)
    got = check_array(got, what=what, shape=expected.shape, dtype=dtype, finite=False, call=call)
    exp_finite = np.isfinite(expected)
    bad_nonfinite = exp_finite & ~np.isfinite(got) if got.dtype.kind in "fc" else np.zeros(got.shape, bool)
    if bad_nonfinite.any():
        where = tuple(int(i) for i in np.argwhere(bad_nonfinite)[0])
        _fail(what, f"{int(bad_nonfinite.sum())} of {got.size} values are NaN or infinite "
                    f"where a finite value was expected (first at index {where})", call)
    if not np.array_equal(np.isfinite(got), exp_finite) or np.any(
            ~exp_finite & (got != expected)):
        _fail(what, "non-finite values differ from the expected ones", call)
    if got.size == 0:
        return
    g = got.astype(np.complex128 if got.dtype.kind == "c" or expected.dtype.kind == "c" else np.float64)
    e = expected.astype(g.dtype)
    with np.errstate(invalid="ignore", over="ignore"):    # inf - inf where both are infinite: masked
        err = np.where(exp_finite, np.abs(g - e), 0.0)
    allowed = atol + rtol * np.where(exp_finite, np.abs(e), 0.0)
    over = err > allowed
    if over.any():
        idx = np.unravel_index(int(np.argmax(err - allowed)), err.shape)
        # Relative error only where it means something: a finite, nonzero expected value.
        scale = np.where(exp_finite, np.abs(e), 0.0)
        relative = scale > 0
        rel = f"{float(np.max(err[relative] / scale[relative])):.3g}" if relative.any() else "n/a (expected zeros)"
        detail = (f"{int(over.sum())} of {got.size} values differ; max abs error {float(err.max()):.3g}, "
                  f"max rel error {rel} (tolerance atol={atol:g}, rtol={rtol:g})")
        if _reveal:
            at = tuple(int(i) for i in idx)
            detail += f"; worst at index {at}: expected {_fmt(e[idx])}, got {_fmt(g[idx])}"
        _fail(what, detail, call)


def assert_equal(got: Any, expected: Any, *, what: str = "the result", dtype: Any = None,
                 call: str | None = None) -> None:
    """Exact equality for integer and boolean arrays (masks, indices, labels)."""
    expected = np.asarray(expected)
    got = check_array(got, what=what, shape=expected.shape, dtype=dtype, call=call)
    diff = got != expected
    if np.any(diff):
        detail = f"{int(np.sum(diff))} of {got.size} entries differ"
        if _reveal:
            idx = tuple(int(i) for i in np.argwhere(diff)[0])
            detail += f"; first at index {idx}: expected {_fmt(expected[idx])}, got {_fmt(got[idx])}"
        _fail(what, detail, call)


def assert_scalar_close(got: Any, expected: float, *, atol: float = 1e-10, rtol: float = 1e-10,
                        what: str = "the result", call: str | None = None) -> None:
    """A real number (Python or numpy scalar, or a 0-d array) close to ``expected``."""
    if type(got) is np.ndarray and got.ndim == 0:
        got = got[()]
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)):
        _fail(what, f"expected a real number, got {type(got).__name__}", call)
    value = float(got)
    if not np.isfinite(value) and np.isfinite(expected):
        _fail(what, f"expected a finite number, got {value}", call)
    if not abs(value - expected) <= atol + rtol * abs(expected):
        detail = f"off by {abs(value - expected):.3g} (tolerance atol={atol:g}, rtol={rtol:g})"
        if _reveal:
            detail = f"expected {expected!r}, got {value!r}; " + detail
        _fail(what, detail, call)


def unpack(result: Any, names: Sequence[str], *, call: str | None = None) -> tuple:
    """Check that a function returned a tuple of ``len(names)`` values and return it."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = f"a {type(result).__name__} of length {len(result)}" if isinstance(result, (tuple, list)) \
            else f"a {type(result).__name__}"
        _fail("the result", f"expected a tuple ({', '.join(names)}), got {got}", call)
    return tuple(result)


def assert_raises(exc_type: type[BaseException], fn: Callable, *args: Any,
                  mentions: Sequence[str] = (), **kwargs: Any) -> BaseException:
    """Assert ``fn(*args, **kwargs)`` raises ``exc_type`` whose message names ``mentions``.

    Used for the error contract ("a bad ``mode`` raises ValueError naming the argument").
    """
    from shared.calls import describe_call

    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", "function")
    call = describe_call(getattr(fn, "_cvgrade_qualname", name), args, kwargs)
    try:
        fn(*args, **kwargs)
    except exc_type as err:
        message = str(err)
        missing = [m for m in mentions if m.lower() not in message.lower()]
        if missing:
            _fail(f"the {exc_type.__name__}", f"its message should name {', '.join(map(repr, missing))}; "
                                               f"it was {message[:200]!r}", call)
        return err
    except Exception as err:  # noqa: BLE001 - any other exception is the student's mistake
        text = str(err)
        if text.startswith(call):     # the grader's errors already name the call
            _fail("the call", f"expected {exc_type.__name__}, but {text[len(call):].lstrip(': ')[:300]}", call)
        _fail("the call", f"expected {exc_type.__name__}, but it raised {type(err).__name__}: {text[:200]}", call)
    _fail("the call", f"expected {exc_type.__name__}, but it returned normally", call)
    raise AssertionError("unreachable")


@contextlib.contextmanager
def context(description: str) -> Iterator[None]:
    """Prefix failures inside the block with ``description`` (e.g. ``"3-channel image"``)."""
    try:
        yield
    except CheckFailed as err:
        raise CheckFailed(f"[{description}] {err}") from None
