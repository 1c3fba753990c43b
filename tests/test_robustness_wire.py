"""The grader cannot be stalled or exhausted through its channel to the worker.

Each test drives the real ``Sandbox.call`` against a fake worker (a small Python process on
the other end of a socketpair) that misbehaves in one way: trickles its reply, floods or
closes its output, sends a reply built to cost memory, or outlives the grading's time limit.
"""
from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from autograder.isolation import wire
from autograder.isolation.client import Sandbox, SandboxSettings, StudentCodeError

REPO = Path(__file__).resolve().parents[1]

FAKE_WORKER = textwrap.dedent("""
    import os, socket, struct, sys, time
    sys.path.insert(0, {repo!r})
    from autograder.isolation import wire
    sock = socket.socket(fileno=int(sys.argv[1]))
    mode = sys.argv[2]
    wire.recv(sock)                                        # the request
    if mode == "trickle":                                  # a 1 MB header, 20 bytes a second
        sock.sendall(struct.pack(">I", 1 << 20))
        while True:
            sock.sendall(b" ")
            time.sleep(0.05)
    elif mode == "trickle-array":                          # a prompt header, then a stalled array
        header = b'{{"ok":true,"value":{{"$t":"nd","dtype":"<f8","shape":[1000000],"nbytes":8000000,"scalar":false}}}}'
        sock.sendall(struct.pack(">I", len(header)) + header + b"x" * 1000)
        time.sleep(60)
    elif mode == "closed-output":
        os.close(1)
        os.close(2)
        time.sleep(60)
    elif mode == "flood":
        while True:
            os.write(1, b"x" * 65536)
    elif mode == "nested-lists":                           # 12 MB of [[],[],...]
        header = b'{{"ok":true,"value":[' + b"[]," * 4_000_000 + b'[]]}}'
        sock.sendall(struct.pack(">I", len(header)) + header)
        time.sleep(60)
    elif mode == "sleep":
        time.sleep(60)
    elif mode == "deaf":                                   # answers once, then never reads again
        wire.send(sock, {{"ok": True, "value": 1}})
        time.sleep(60)
    elif mode == "answer":
        print("hello from the worker", flush=True)
        wire.send(sock, {{"ok": True, "value": [1, (2.5, "x"), {{"a": None}}]}})
        time.sleep(60)
""").format(repo=str(REPO))


@pytest.fixture()
def fake_sandbox(tmp_path):
    """``start(mode)``: a Sandbox whose worker is the fake above, behaving as ``mode``."""
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER)
    (tmp_path / "submission").mkdir()
    sandboxes = []

    def start(mode: str, per_call_s: float = 1.0) -> Sandbox:
        sandbox = Sandbox(SandboxSettings(submission_dir=tmp_path / "submission", runtime_dir=tmp_path / "runtime",
                                          per_call_s=per_call_s))
        parent, child = socket.socketpair()
        sandbox.proc = subprocess.Popen([sys.executable, str(script), str(child.fileno()), mode],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        pass_fds=(child.fileno(),), start_new_session=True)
        child.close()
        os.set_blocking(sandbox.proc.stdout.fileno(), False)
        sandbox.sock = parent
        sandboxes.append(sandbox)
        return sandbox

    yield start
    for sandbox in sandboxes:
        sandbox.close()


def timed_call(sandbox: Sandbox, **kwargs) -> tuple[str, float, float]:
    """(error message, wall seconds, grader CPU seconds) of a call that must fail."""
    wall, cpu = time.monotonic(), time.process_time()
    with pytest.raises(StudentCodeError) as info:
        sandbox.call({"op": "call"}, description="toy.double(x: float64 (3,))", **kwargs)
    return str(info.value), time.monotonic() - wall, time.process_time() - cpu


def test_a_trickled_reply_is_stopped_at_the_call_deadline(fake_sandbox):
    message, wall, _ = timed_call(fake_sandbox("trickle"), timeout=0.5)
    assert "did not finish within 0.5 s" in message and message.startswith("toy.double(x: float64 (3,))"), message
    assert wall < 5.0, f"a reply trickled at 20 bytes/s held the call {wall:.1f} s against a 0.5 s limit"


def test_a_stalled_array_payload_is_stopped_at_the_call_deadline(fake_sandbox):
    message, wall, _ = timed_call(fake_sandbox("trickle-array"), timeout=0.5)
    assert "did not finish within 0.5 s" in message, message
    assert wall < 5.0, f"a stalled 8 MB array held the call {wall:.1f} s against a 0.5 s limit"


def test_a_closed_output_pipe_is_not_polled_in_a_busy_loop(fake_sandbox):
    message, wall, cpu = timed_call(fake_sandbox("closed-output"), timeout=1.0)
    assert "did not finish within 1 s" in message, message
    assert cpu < 0.3, f"waiting 1 s on a worker that closed fds 1 and 2 cost the grader {cpu:.2f} s of CPU"


def test_a_flood_of_output_does_not_hold_the_call_past_its_deadline(fake_sandbox):
    sandbox = fake_sandbox("flood")
    message, wall, _ = timed_call(sandbox, timeout=0.5)
    assert "did not finish within 0.5 s" in message and wall < 5.0, (message, wall)
    assert len(sandbox.take_output()) < 20_000                       # capped, with a count of what was cut


def test_the_grading_total_limit_stops_a_call_in_progress(fake_sandbox):
    sandbox = fake_sandbox("sleep", per_call_s=30)
    sandbox.grading_deadline = time.monotonic() + 0.5
    message, wall, _ = timed_call(sandbox)
    assert "total time limit" in message and wall < 5.0, (message, wall)


def test_a_worker_that_stops_reading_cannot_block_the_next_request(fake_sandbox):
    sandbox = fake_sandbox("deaf", per_call_s=0.5)
    assert sandbox.call({"op": "call"}, timeout=20, description="the first call") == 1
    started = time.monotonic()
    with pytest.raises(StudentCodeError):
        sandbox.call({"op": "call", "args": [np.zeros(4 << 20)]}, description="a call with 32 MB of arguments")
    assert time.monotonic() - started < 5.0


def test_a_reply_of_millions_of_empty_lists_is_refused_cheaply(fake_sandbox):
    message, wall, cpu = timed_call(fake_sandbox("nested-lists", per_call_s=20))
    assert "breaks the protocol" in message and "more than 1,000,000 values" in message, message
    assert cpu < 3.0, f"refusing a 12 MB reply of empty lists cost {cpu:.1f} s of CPU"


def test_an_honest_reply_and_its_output_still_arrive(fake_sandbox):
    sandbox = fake_sandbox("answer")
    assert sandbox.call({"op": "call"}, timeout=30, description="the call") == [1, (2.5, "x"), {"a": None}]
    assert "hello from the worker" in sandbox.take_output()


# ----------------------------------------------------------------------------- wire alone
def frame(header: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(header)) + header + payload


@pytest.mark.parametrize("header", [
    b"[" + b"[]," * 2_000_000 + b"[]]",                       # containers
    b"[" + b'"",' * 1_100_000 + b'""]',                        # strings
    b'{"$t":"dict","v":{' + b",".join(b'"k%d":0' % i for i in range(600_000)) + b"}}",   # keys and values
    b"[" * 3_000_000,                                          # depth
])
def test_headers_over_the_value_limit_are_refused_before_they_are_built(header):
    tracemalloc.start()
    try:
        with pytest.raises(wire.WireError, match="more than 1,000,000 values"):
            wire.decode(frame(header))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * len(header) + (8 << 20), f"refusing a {len(header) >> 20} MB header allocated {peak >> 20} MB"


def test_commas_inside_strings_are_not_counted_as_values():
    text = "," * (2 * wire.MAX_NODES)                             # marks inside a string are not values
    tricky = ['a\\"[,', "\\", '"', text]                  # escaped quotes and backslashes
    value = [text, "a,b", {"$t": "dict", "v": {"x,y": "[{"}}, tricky]
    assert wire.decode(frame(json.dumps(value).encode())) == [text, "a,b", {"x,y": "[{"}, tricky]


@pytest.mark.parametrize("header, problem", [
    (b'["unterminated', "malformed"),
    (b"\xff\xfe[]", "not UTF-8"),
    (b"[" * 5000 + b"]" * 5000, "nested too deeply|malformed"),
])
def test_broken_headers_are_protocol_errors(header, problem):
    with pytest.raises(wire.WireError, match=problem):
        wire.decode(frame(header))


def test_recv_reads_arrays_into_their_own_writable_buffers():
    a, b = socket.socketpair()
    value = {"x": np.arange(12.0).reshape(3, 4), "empty": np.zeros((0, 2), np.int32), "s": np.float32(2.5),
             "flags": np.array([True, False]), "t": (1, "two")}
    threading.Thread(target=wire.send, args=(a, value), daemon=True).start()
    back = wire.recv(b, time.monotonic() + 5)
    np.testing.assert_array_equal(back["x"], value["x"])
    assert back["x"].flags.writeable and back["x"].flags.aligned and back["x"].dtype == np.float64
    assert back["empty"].shape == (0, 2) and back["empty"].dtype == np.int32
    assert type(back["s"]) is np.float32 and back["s"] == 2.5
    assert back["flags"].tolist() == [True, False] and back["t"] == (1, "two")


def test_recv_deadline_covers_the_whole_message():
    a, b = socket.socketpair()

    def trickle() -> None:
        a.sendall(struct.pack(">I", 1000))
        for _ in range(100):
            time.sleep(0.05)
            try:
                a.sendall(b" ")
            except OSError:
                return

    threading.Thread(target=trickle, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        wire.recv(b, started + 0.5)
    assert time.monotonic() - started < 1.5
    b.close()
    a.close()


def test_recv_refuses_a_payload_that_does_not_match_its_shape():
    a, b = socket.socketpair()
    header = json.dumps({"$t": "nd", "dtype": "<f8", "shape": [3], "nbytes": 16, "scalar": False}).encode()
    a.sendall(frame(header, b"\0" * 16))
    with pytest.raises(wire.WireError, match="byte count"):
        wire.recv(b, time.monotonic() + 5)


def test_a_grading_stops_at_its_total_limit_inside_a_call(toy_root, tmp_path):
    """course.yaml's total_s ends a call in progress (here 4 s), not only the tests after it."""
    import shutil

    from platform_helpers import OTHER_REFERENCE, TOY_REFERENCE, grade_sources

    root = tmp_path / "course"
    shutil.copytree(toy_root, root)
    course = root / "course.yaml"
    course.write_text(course.read_text().replace("per_call_s: 2, total_s: 60", "per_call_s: 30, total_s: 4"))
    sleepy = TOY_REFERENCE.replace("return 2 * np.asarray(x, dtype=np.float64)",
                                   "import time; time.sleep(60)")
    started = time.monotonic()
    document = grade_sources(root, tmp_path / "grading", {"toy.py": sleepy, "other.py": OTHER_REFERENCE})
    assert time.monotonic() - started < 25, "a 60 s call ran past the grading's 4 s total limit"
    first = document["tests"][0]
    assert first["score"] == 0 and "total time limit" in first["output"], first
    assert document["score"] == 0
