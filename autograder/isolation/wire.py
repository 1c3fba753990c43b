"""The grader <-> worker channel: length-prefixed JSON with raw array buffers. Never pickle.

A message is ``>I`` header length, the UTF-8 JSON header, then the raw bytes of each array
the header declares, in order. Plain JSON carries None, bool, int, float, str and lists;
tagged objects ``{"$t": ...}`` carry what JSON lacks:

    {"$t": "tuple", "v": [...]}          {"$t": "dict", "v": {str: ...}}
    {"$t": "complex", "v": [re, im]}     {"$t": "bytes", "v": "<base64>"}
    {"$t": "nd", "dtype": "<f8", "shape": [2, 3], "nbytes": 48, "scalar": false}
    {"$t": "unsupported", "v": "<type name>"}   (the worker could not convert a value)

Both sides use this module; only the grader's ``decode`` trusts nothing: it checks sizes
against shapes before building an array, allows only numeric/bool dtypes, and bounds depth,
count and length. This file is copied into the sandbox, so it imports only the standard
library at module level (numpy is imported where arrays are handled).
"""
from __future__ import annotations

import base64
import builtins
import json
import math
import socket
import struct
import time
from typing import Any

# Student code may patch builtins (isinstance = lambda *a: True); the modules that encode
# replies keep references to the originals, so the worker still answers.
_PINNED = (
    "bool", "bytes", "complex", "dict", "float", "int", "isinstance", "len", "list", "str",
    "tuple", "type", "min", "sum", "bytearray", "memoryview",
)


def pin_builtins(*namespaces: dict) -> None:
    """Give modules (their ``vars()``) their own references to the builtins in ``_PINNED``."""
    for namespace in namespaces:
        namespace.update({name: getattr(builtins, name) for name in _PINNED})


pin_builtins(globals(), vars(json), vars(json.encoder), vars(json.decoder))


MAX_HEADER = 64 << 20          # bytes of JSON in one message
MAX_PAYLOAD = 1 << 30          # bytes of array data in one message
MAX_DEPTH = 32
MAX_NODES = 1_000_000
ALLOWED_DTYPES = frozenset({
    "|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8",
    "<f2", "<f4", "<f8", "<c8", "<c16",
})


class WireError(Exception):
    """A message broke the protocol (wrong size, bad JSON, disallowed type)."""


class Unsupported(Exception):
    """A value of a type that may not cross the boundary (raised while encoding)."""


# --------------------------------------------------------------------------- encoding
def encode(value: Any) -> bytes:
    """One message holding ``value`` (plain data; torch tensors become arrays)."""
    buffers: list[bytes] = []
    header = json.dumps(_to_json(value, buffers, 0), allow_nan=True, separators=(",", ":")).encode()
    if len(header) > MAX_HEADER:
        raise Unsupported("a value too large to send (JSON part over 64 MB)")
    return struct.pack(">I", len(header)) + header + b"".join(buffers)


def _to_json(value: Any, buffers: list[bytes], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise Unsupported("nested more than 32 levels deep")
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is str:
        return value
    if kind is float:
        return value
    if kind is complex:
        return {"$t": "complex", "v": [value.real, value.imag]}
    if kind is bytes:
        return {"$t": "bytes", "v": base64.b64encode(value).decode()}
    if kind is list:
        return [_to_json(v, buffers, depth + 1) for v in value]
    if kind is tuple:
        return {"$t": "tuple", "v": [_to_json(v, buffers, depth + 1) for v in value]}
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise Unsupported("a dict with keys that are not strings")
        return {"$t": "dict", "v": {k: _to_json(v, buffers, depth + 1) for k, v in value.items()}}
    array = _as_numpy(value)
    if array is None:
        return {"$t": "unsupported", "v": f"{kind.__module__}.{kind.__qualname__}"}
    scalar = array.ndim == 0 and type(value).__module__ == "numpy" and kind.__name__ != "ndarray"
    dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
    if dtype.str not in ALLOWED_DTYPES:
        return {"$t": "unsupported", "v": f"numpy array of dtype {array.dtype}"}
    data = array.astype(dtype, copy=False).tobytes(order="C")
    buffers.append(data)
    return {"$t": "nd", "dtype": dtype.str, "shape": list(array.shape), "nbytes": len(data), "scalar": scalar}


def _as_numpy(value: Any) -> Any:
    """An exact ndarray, numpy scalar or torch tensor as a plain ndarray; else None."""
    module = type(value).__module__
    if module == "numpy":
        import numpy as np
        if type(value) is np.ndarray:
            return value
        if isinstance(value, np.generic):
            return np.asarray(value)
        return None
    if module == "torch" and type(value).__name__ in ("Tensor", "Parameter"):
        tensor = value.detach()
        if str(tensor.layout) != "torch.strided" or tensor.is_quantized:
            return None
        return tensor.cpu().resolve_conj().resolve_neg().numpy()
    return None


# --------------------------------------------------------------------------- decoding
def decode(message: bytes) -> Any:
    """Decode one whole message held in memory (as ``recv`` does from a socket)."""
    if len(message) < 4:
        raise WireError("message shorter than its length prefix")
    (length,) = struct.unpack(">I", message[:4])
    if length > MAX_HEADER or 4 + length > len(message):
        raise WireError("message header size is wrong")
    tree, descriptors = _parse_header(message[4:4 + length])
    return _build(tree, descriptors, message[4 + length:])


def _parse_header(header: bytes | bytearray) -> tuple[Any, list[dict]]:
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError:
        raise WireError("malformed message: the header is not UTF-8") from None
    _check_value_count(text)
    try:
        tree = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise WireError(f"malformed message: {str(err)[:200]}") from None
    descriptors: list[dict] = []
    _descriptors(tree, descriptors)
    total = 0
    for d in descriptors:
        n = d.get("nbytes")
        if type(n) is not int or n < 0:
            raise WireError("array with an invalid byte count")
        total += n
    if total > MAX_PAYLOAD:
        raise WireError("message carries more than 1 GB of array data")
    return tree, descriptors


_MARKS = ",:[{"


def _check_value_count(text: str) -> None:
    """Refuse a header of more than ``MAX_NODES`` values before ``json`` builds any of them.

    Every JSON value but the first follows a ``[``, ``{``, ``,`` or ``:``, so counting those
    marks bounds the values (64 MB of ``[],`` would otherwise become 16 million lists and
    gigabytes of memory). Only when that cheap count is over the limit are the marks inside
    strings discounted, in linear time and without an object per string.
    """
    if sum(text.count(mark) for mark in _MARKS) < MAX_NODES:
        return
    if _marks_outside_strings(text) >= MAX_NODES:
        raise WireError(f"message holds more than {MAX_NODES:,} values")


def _marks_outside_strings(text: str) -> int:
    import numpy as np

    # Backslashes occur only inside strings; with escaped backslashes and quotes gone, every
    # quote left opens or closes a string, so the parity of the quotes so far says "inside".
    codes = np.frombuffer(text.replace("\\\\", "").replace('\\"', "").encode(), dtype=np.uint8)
    is_mark = np.zeros(256, dtype=bool)
    is_mark[[ord(mark) for mark in _MARKS]] = True
    count, inside, step = 0, 0, 1 << 22
    for start in range(0, len(codes), step):
        chunk = codes[start:start + step]
        parity = np.bitwise_xor.accumulate((chunk == ord('"')).view(np.uint8)) ^ inside
        count += int(np.count_nonzero(is_mark[chunk] & (parity == 0)))
        inside = int(parity[-1])
    return count


def _build(tree: Any, descriptors: list[dict], payload: bytes) -> Any:
    return _from_json(tree, _arrays(descriptors, payload), [0], 0)


def _descriptors(tree: Any, found: list[dict], depth: int = 0) -> None:
    if depth > MAX_DEPTH + 2:
        raise WireError("message nested too deeply")
    if type(tree) is list:
        for v in tree:
            _descriptors(v, found, depth + 1)
    elif type(tree) is dict:
        if tree.get("$t") == "nd":
            found.append(tree)
        else:
            for v in tree.values():
                _descriptors(v, found, depth + 1)


def _arrays(descriptors: list[dict], payload: bytes) -> list[Any]:
    import numpy as np

    arrays, offset = [], 0
    for d in descriptors:
        dtype, shape = _checked_descriptor(d)
        nbytes = d["nbytes"]
        if offset + nbytes > len(payload):
            raise WireError("array data shorter than declared")
        array = np.frombuffer(payload, dtype=dtype, count=math.prod(shape), offset=offset)
        arrays.append(array.reshape(shape).copy())
        offset += nbytes
    if offset != len(payload):
        raise WireError("message carries more array data than declared")
    return arrays


def _checked_descriptor(d: dict) -> tuple[Any, list[int]]:
    """(numpy dtype, shape) of an array descriptor whose dtype, shape and byte count agree."""
    import numpy as np

    dtype, shape, nbytes = d.get("dtype"), d.get("shape"), d.get("nbytes")
    if type(dtype) is not str or dtype not in ALLOWED_DTYPES:
        raise WireError(f"array of disallowed dtype {dtype!r}"[:200])
    if type(shape) is not list or len(shape) > 32 or any(type(s) is not int or s < 0 for s in shape):
        raise WireError(f"array with an invalid shape {shape!r}"[:200])
    if type(nbytes) is not int or nbytes != math.prod(shape) * np.dtype(dtype).itemsize:
        raise WireError("array whose byte count does not match its shape and dtype")
    return np.dtype(dtype), shape


def _from_json(tree: Any, arrays: list[Any], counter: list[int], depth: int) -> Any:
    if depth > MAX_DEPTH + 1:
        raise WireError("value nested too deeply")
    kind = type(tree)
    if tree is None or kind in (bool, int, float, str):
        return tree
    if kind is list:
        return [_from_json(v, arrays, counter, depth + 1) for v in tree]
    if kind is not dict:
        raise WireError(f"unexpected JSON value of type {kind.__name__}")
    tag, v = tree.get("$t"), tree.get("v")
    if tag == "tuple" and type(v) is list:
        return tuple(_from_json(x, arrays, counter, depth + 1) for x in v)
    if tag == "dict" and type(v) is dict:
        return {k: _from_json(x, arrays, counter, depth + 1) for k, x in v.items()}
    if tag == "complex" and type(v) is list and len(v) == 2 and all(type(x) in (int, float) for x in v):
        return complex(v[0], v[1])
    if tag == "bytes" and type(v) is str:
        return base64.b64decode(v, validate=True)
    if tag == "nd":
        index = counter[0]
        counter[0] += 1
        array = arrays[index]
        return array[()] if tree.get("scalar") is True else array
    if tag == "unsupported" and type(v) is str:
        raise Unsupported(v[:200])
    raise WireError("unknown tagged value in message")


# --------------------------------------------------------------------------- sockets
def send(sock: socket.socket, value: Any) -> None:
    sock.sendall(encode(value))


def _wait_for_data(sock: socket.socket, deadline: float | None) -> None:
    """Let the next ``recv`` block only until ``deadline`` (``time.monotonic``), if there is one."""
    if deadline is None:
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("the message did not arrive in time")
    sock.settimeout(remaining)


def _recv_into(sock: socket.socket, view: memoryview, deadline: float | None) -> None:
    got = 0
    while got < len(view):
        _wait_for_data(sock, deadline)
        n = sock.recv_into(view[got:], min(len(view) - got, 1 << 20))
        if not n:
            raise EOFError("channel closed")
        got += n


def _recv_exact(sock: socket.socket, n: int, deadline: float | None = None) -> bytearray:
    buffer = bytearray(n)
    _recv_into(sock, memoryview(buffer), deadline)
    return buffer


def _recv_arrays(sock: socket.socket, descriptors: list[dict], deadline: float | None) -> list[Any]:
    """Each declared array, checked against its shape, then read straight into its own buffer."""
    if not descriptors:
        return []
    import numpy as np

    arrays = []
    for d in descriptors:
        dtype, shape = _checked_descriptor(d)
        raw = np.empty(d["nbytes"], dtype=np.uint8)
        _recv_into(sock, memoryview(raw), deadline)
        arrays.append(raw.view(dtype).reshape(shape))
    return arrays


def recv(sock: socket.socket, deadline: float | None = None) -> Any:
    """Read one message from ``sock`` and decode it strictly.

    With a ``deadline`` (a ``time.monotonic()`` value) the whole message must have arrived by
    then, however slowly its bytes trickle in; ``TimeoutError`` otherwise. The socket is left
    with a timeout set: the caller restores it.
    """
    (length,) = struct.unpack(">I", _recv_exact(sock, 4, deadline))
    if length > MAX_HEADER:
        raise WireError("message header too large")
    tree, descriptors = _parse_header(_recv_exact(sock, length, deadline))
    return _from_json(tree, _recv_arrays(sock, descriptors, deadline), [0], 0)
