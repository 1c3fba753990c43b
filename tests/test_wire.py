"""The grader <-> worker channel: plain data round-trips; anything malformed is refused."""
from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from autograder.isolation import wire


def message(header: dict, payload: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack(">I", len(raw)) + raw + payload


@pytest.mark.parametrize("value", [
    None, True, 3, 2.5, float("nan"), 1 + 2j, "text", b"\x00\xff", [1, [2]], (1, (2, 3)), {"a": (1, 2)},
    np.arange(6.0).reshape(2, 3), np.zeros((0, 4), np.float32), np.array([True, False]),
    np.arange(4, dtype=np.int64)[::2], np.float32(1.5), np.complex128(1j),
])
def test_plain_data_round_trips(value):
    back = wire.decode(wire.encode(value))
    if isinstance(value, np.ndarray):
        assert type(back) is np.ndarray and back.dtype == value.dtype and back.shape == value.shape
        np.testing.assert_array_equal(back, value)
        assert back.flags.writeable
    elif isinstance(value, np.generic):
        assert type(back) is type(value) and back == value
    elif isinstance(value, float) and value != value:
        assert back != back
    else:
        assert back == value and type(back) is type(value)


def test_torch_tensors_become_arrays():
    torch = pytest.importorskip("torch")
    back = wire.decode(wire.encode(torch.ones(2, 3, requires_grad=True) * 2))
    assert type(back) is np.ndarray and back.dtype == np.float32 and back.shape == (2, 3)


def test_objects_and_subclasses_do_not_cross():
    class Sneaky(int):
        def __eq__(self, other):
            return True

    class Everything(np.ndarray):
        pass

    for value in (Sneaky(3), object(), np.zeros(3).view(Everything), {1: 2}, np.array(["a"]), np.array([None])):
        with pytest.raises(wire.Unsupported):
            wire.decode(wire.encode(value))


@pytest.mark.parametrize("header, payload, problem", [
    ({"$t": "nd", "dtype": "<f8", "shape": [2, 2], "nbytes": 16, "scalar": False}, b"\0" * 16, "byte count"),
    ({"$t": "nd", "dtype": "|O", "shape": [1], "nbytes": 8, "scalar": False}, b"\0" * 8, "disallowed dtype"),
    ({"$t": "nd", "dtype": "<f8", "shape": [-1], "nbytes": 8, "scalar": False}, b"\0" * 8, "invalid shape"),
    ({"$t": "nd", "dtype": "<f8", "shape": [2], "nbytes": 16, "scalar": False}, b"\0" * 8, "shorter"),
    ({"$t": "nd", "dtype": "<f8", "shape": [1], "nbytes": 8, "scalar": False}, b"\0" * 16, "more array data"),
    ({"$t": "pickle", "v": "gASVAAAA"}, b"", "unknown tagged value"),
])
def test_malformed_messages_are_refused(header, payload, problem):
    with pytest.raises(wire.WireError, match=problem):
        wire.decode(message(header, payload))


def test_oversized_header_is_refused_before_reading_it():
    with pytest.raises(wire.WireError):
        wire.decode(struct.pack(">I", wire.MAX_HEADER + 1) + b"{}")
