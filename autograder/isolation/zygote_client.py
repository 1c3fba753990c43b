"""The grader's side of the warm start: runs the zygote (``zygote.py``) and asks it for workers.

``ForkServer`` starts one zygote (``cvgrade batch``: one for the whole batch); ``spawn`` asks
it for a worker and returns a ``ForkedWorker``, the handle ``Sandbox`` keeps instead of a Popen.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from autograder.isolation import runtime

ENV_VAR = "CVGRADE_FORK_SERVER"
START_TIMEOUT_S = 60.0          # importing torch on a busy machine


class ForkServerError(Exception):
    """The fork server could not start or could not give us a worker (use a cold start)."""


class ForkServer:
    """A zygote process for this process and its children; ``with ForkServer([...]) as server:``.

    ``preload``: modules to import once (``["numpy"]``, ``["numpy", "torch"]``). ``address``
    is the socket path to put in ``CVGRADE_FORK_SERVER``. ``forks()`` counts the workers it
    has started (from its log). ``close()`` ends it and every worker it still has.

    Why: a cold worker is a fresh ``python worker.py``; for a torch homework, importing torch
    is most of its start-up, paid again by every submission and after every timeout or crash.
    The zygote pays it once, then only forks. It never holds a setup, a test, an expected
    value, the reference or any student code: a request carries two descriptors (the worker's
    channel and output pipe), a working folder and an environment. Each forked worker then
    takes exactly the cold path (``worker.serve_channel``): setup from the grader, namespaces,
    privilege drop, limits, and only then the student's modules. Isolation is unchanged; only
    the imports go.

    Who uses it: ``cvgrade batch`` starts one for the whole batch and passes its address to
    every ``cvgrade grade`` process in ``CVGRADE_FORK_SERVER``; ``Sandbox.start`` asks it for
    each worker (``spawn``) and falls back to a cold start when it cannot (no server, server
    gone, refused). The zygote only answers its own parent and that parent's direct children
    (checked with SO_PEERCRED), listens in a private 0700 folder, and ends when its parent ends.
    """

    def __init__(self, preload: list[str]):
        self.preload = list(preload)
        self.folder: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.address = ""
        self.loaded: list[str] = []

    def start(self) -> str:
        """Start the zygote and wait until it listens; return its address. ForkServerError if not."""
        # The code is readable by the workers, as a cold worker's runtime folder is (tracebacks
        # read their source lines); the socket and the log are in a 0700 folder of ours alone.
        self.folder = Path(tempfile.mkdtemp(prefix="cvgrade-forkserver-"))
        os.chmod(self.folder, 0o711)
        runtime.install(self.folder)
        private = self.folder / "private"
        private.mkdir(mode=0o700)
        address = str(private / "server.sock")
        with open(private / "server.log", "wb") as log:
            self.proc = subprocess.Popen(
                runtime.command(self.folder, "zygote.py", address, str(os.getpid()), *self.preload),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, close_fds=True,
                start_new_session=True, cwd=str(self.folder), env=runtime.environment(str(self.folder)))
        line = _read_line(self.proc.stdout, START_TIMEOUT_S)
        if not line.startswith("ready"):
            detail = (private / "server.log").read_text(errors="replace")[-300:].strip()
            self.close()
            raise ForkServerError(f"the fork server did not start ({detail or 'no output'})")
        self.loaded = line.split()[1:]
        self.address = address
        return address

    def forks(self) -> int:
        """How many workers this server has forked so far."""
        if self.folder is None:
            return 0
        try:
            return (self.folder / "private" / "server.log").read_text(errors="replace").count("forked ")
        except OSError:
            return 0

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()                   # it kills its shepherds and their workers
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(self.proc.pid, 9)
            except OSError:
                pass
            self.proc.wait()
            self.proc.stdout.close()
            self.proc = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        self.address = ""

    def __enter__(self) -> ForkServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_line(stream: object, timeout: float) -> str:
    import select

    fd = stream.fileno()
    deadline, data = time.monotonic() + timeout, b""
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        readable, _, _ = select.select([fd], [], [], remaining)
        if not readable:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace").strip()


class ForkedWorker:
    """The grader's handle on a forked worker: the part of ``subprocess.Popen`` the sandbox uses.

    The worker is not our child (its parent is a shepherd of the fork server), so waiting and
    killing go through the shepherd's connection: it kills only a worker it has not reaped yet
    (no pid reuse), kills whatever the worker left behind, and reports the exit status in
    Popen's convention (negative: killed by that signal).
    """

    def __init__(self, control: socket.socket, pid: int, stdout: object):
        self.control = control
        self.pid = pid
        self.stdout = stdout
        self.returncode: int | None = None
        self._buffer = b""

    def kill_group(self) -> None:
        """SIGKILL the worker's process group (the shepherd does it if the worker still runs)."""
        if self.returncode is not None:
            return
        try:
            self.control.sendall(b"kill\n")
        except OSError:
            pass

    kill = kill_group

    def wait(self) -> int:
        """Block until the worker has ended and its leftovers are killed; return its status."""
        while self.returncode is None:
            if b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if isinstance(message, dict) and type(message.get("exit")) is int:
                    self.returncode = message["exit"]
                continue
            try:
                chunk = self.control.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:                       # the shepherd itself was killed
                self.returncode = -9
                break
            self._buffer += chunk
        self.control.close()
        return self.returncode


def spawn(address: str, channel: socket.socket, cwd: str, env: dict[str, str]) -> ForkedWorker:
    """Ask the fork server at ``address`` for a worker on ``channel`` (the worker's end).

    The worker's stdout and stderr go to a fresh pipe whose read end becomes
    ``ForkedWorker.stdout``. Raises ForkServerError when the server cannot be used.
    """
    control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    read_end, write_end = os.pipe()
    try:
        control.settimeout(10)
        control.connect(address)
        request = json.dumps({"cwd": cwd, "env": env}).encode()
        socket.send_fds(control, [request], [channel.fileno(), write_end])
        line = b""
        while b"\n" not in line:
            chunk = control.recv(4096)
            if not chunk:
                raise ForkServerError("the fork server closed the connection")
            line += chunk
        first, rest = line.split(b"\n", 1)
        pid = json.loads(first).get("pid")
        if type(pid) is not int or pid <= 0:
            raise ForkServerError("the fork server sent no pid")
    except (OSError, ValueError, ForkServerError) as err:
        control.close()
        os.close(read_end)
        os.close(write_end)
        raise ForkServerError(f"fork server at {address}: {err}") from None
    os.close(write_end)
    control.settimeout(None)
    worker = ForkedWorker(control, pid, os.fdopen(read_end, "rb", buffering=0))
    worker._buffer = rest
    return worker
