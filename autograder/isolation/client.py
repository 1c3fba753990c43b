"""The grader's handle on the worker: ``Sandbox`` runs each call of student code there.

``Sandbox.call`` sends a request and waits, within the per-call limit, for the plain-data
reply; a timeout, crash or protocol violation kills the worker, and the next call starts a
fresh one. Failures are ``StudentCodeError``s whose message is written for the student.
"""
from __future__ import annotations

import builtins
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.isolation import runtime, wire, zygote_client
from autograder.isolation.cgroups import kill_members
from autograder.isolation.processes import kill_leftovers, own_process_count

OUTPUT_CAP = 8_000            # bytes of student output kept per call
STARTUP_TIMEOUT_S = 30.0      # the worker's own start (Python + our bootstrap), not student code
_COURSE_SHARED = Path(__file__).resolve().parents[2] / "shared"    # the course's helpers, beside autograder/


class StudentCodeError(Exception):
    """Calling student code failed; ``str(err)`` is the message for the student.

    When the student's code raised a built-in exception, the error also is an instance of that
    built-in (``pytest.raises(ValueError)`` works the same as in a student's checkout).
    """


_error_classes: dict[str, type[StudentCodeError]] = {}


def _student_error(builtin_name: str, message: str) -> StudentCodeError:
    base = getattr(builtins, builtin_name, None)
    if not (isinstance(base, type) and issubclass(base, Exception)) or base in (Exception,):
        return StudentCodeError(message)
    cls = _error_classes.get(builtin_name)
    if cls is None:
        try:
            cls = type(f"Student{builtin_name}", (StudentCodeError, base), {})
        except TypeError:  # a built-in whose layout cannot be combined
            cls = StudentCodeError
        _error_classes[builtin_name] = cls
    return cls(message)


@dataclass
class SandboxSettings:
    """Where the worker runs and what bounds it (from course.yaml, see ``config.Limits``)."""

    submission_dir: Path
    runtime_dir: Path
    per_call_s: float = 10.0
    memory_bytes: int | None = 2 << 30
    cpu_s: int | None = 600
    file_size_bytes: int | None = 64 << 20
    open_files: int | None = 256
    processes: int | None = None
    forbidden: dict[str, list[str]] = field(default_factory=dict)
    probes: Path | None = None
    uid: int | None = None
    gid: int | None = None
    # Folders of the grader's that must never be in the worker's view (the course root, the
    # results folder): the worker leaves them out even where the interpreter's prefix is inside.
    private: list[Path] = field(default_factory=list)
    view_dir: Path | None = None       # an empty folder the worker mounts its fresh root on
    tmp_dir: Path | None = None        # the grading's 0700 TMPDIR when there is no private /tmp
    tmp_bytes: int = 256 << 20         # private /tmp (tmpfs; counts in the grading's memory cgroup)
    shm_bytes: int = 64 << 20          # private /dev/shm
    cgroups: list[Path] = field(default_factory=list)
    namespaces: str = "auto"           # "auto", "user" (user namespace only) or "off" (tests, CVGRADE_NAMESPACES)


class Sandbox:
    """One worker at a time, started lazily and replaced after a timeout or crash.

    A worker starts cold (a fresh ``python worker.py``) or, when ``CVGRADE_FORK_SERVER`` names
    a fork server (``cvgrade batch`` starts one), warm: forked from a zygote that has already
    imported numpy/torch and holds nothing else (``zygote_client``). Both get the same setup
    and take the same path from there (namespaces, privilege drop, limits, then student code);
    if the fork server cannot be used, the worker starts cold. Student output (the worker's
    stdout and stderr) is read from a pipe and kept per call, capped.
    """

    def __init__(self, settings: SandboxSettings):
        self.settings = settings
        self.proc: subprocess.Popen | zygote_client.ForkedWorker | None = None
        self.sock: socket.socket | None = None
        self.output = bytearray()
        self.output_dropped = 0
        self.restarts = 0
        self.worker_uid: int | None = None
        self.isolation: dict = {}
        self.warm_starts = 0            # workers forked from the fork server
        self.cold_starts = 0            # workers started as a fresh interpreter
        self.fork_error = ""            # why the fork server could not be used (cold fallback)
        self._install_runtime()

    # ------------------------------------------------------------------ lifecycle
    def _install_runtime(self) -> None:
        """Copy the runtime (and the probes) where the worker can read them."""
        rt = self.settings.runtime_dir
        rt.mkdir(parents=True, exist_ok=True)
        runtime.install(rt)
        # The course's shared helpers (public: every release has them) for probes that use them;
        # the worker cannot see the checkout they come from.
        if _COURSE_SHARED.is_dir() and not (rt / "lib" / "shared").exists():
            shutil.copytree(_COURSE_SHARED, rt / "lib" / "shared",
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            # Readable by the sandbox user whatever modes the source had (a Gradescope bundle's
            # course is root-only: 0700 folders, 0600 files).
            for path in [rt / "lib", *(rt / "lib").rglob("*")]:
                os.chmod(path, 0o755 if path.is_dir() else 0o644)
        if self.settings.probes is not None:
            shutil.copyfile(self.settings.probes, rt / "probes.py")
            os.chmod(rt / "probes.py", 0o644)

    def _environment(self) -> dict[str, str]:
        return runtime.environment(str(self.settings.submission_dir))

    def start(self) -> None:
        """Start a worker: forked from the fork server when there is one (warm), else cold.

        Either way the worker gets the same descriptors, folder and environment, and then the
        same setup message: it isolates itself, drops privileges and applies its limits
        before any student module is imported (``worker.serve_channel``).
        """
        parent, child = socket.socketpair()
        rt = self.settings.runtime_dir
        # A worker interpreter chosen by hand (CVGRADE_WORKER_PYTHON) always starts cold.
        address = os.environ.get(zygote_client.ENV_VAR)
        self.proc = None
        if address and not os.environ.get("CVGRADE_WORKER_PYTHON"):
            try:
                self.proc = zygote_client.spawn(address, child, str(self.settings.submission_dir),
                                                self._environment())
                self.warm_starts += 1
            except zygote_client.ForkServerError as err:
                self.fork_error = str(err)[:300]        # fall back to a cold start
        if self.proc is None:
            python = os.environ.get("CVGRADE_WORKER_PYTHON", sys.executable)   # the interpreter student code gets
            self.proc = subprocess.Popen(
                runtime.command(rt, "worker.py", str(child.fileno()), python=python),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                pass_fds=(child.fileno(),), close_fds=True, start_new_session=True,
                cwd=str(self.settings.submission_dir), env=self._environment(),
            )
            self.cold_starts += 1
        child.close()
        self.sock = parent
        os.set_blocking(self.proc.stdout.fileno(), False)
        s = self.settings
        limits = {"memory_bytes": s.memory_bytes, "cpu_s": s.cpu_s, "file_size_bytes": s.file_size_bytes,
                  "open_files": s.open_files, "core_bytes": 0}
        if s.processes is not None:
            # Per real uid: for a dedicated uid it bounds the sandbox alone; for our own uid
            # (a laptop), leave room for what the user already runs.
            limits["processes"] = s.processes + (0 if s.uid is not None else own_process_count())
        setup = {"submission": str(s.submission_dir), "runtime": str(rt), "limits": limits,
                 "forbidden": s.forbidden, "probes": str(rt / "probes.py") if s.probes is not None else None,
                 "lib": str(rt / "lib") if (rt / "lib").is_dir() else None,
                 "uid": s.uid, "gid": s.gid, "private": [str(p) for p in s.private],
                 "view": str(s.view_dir) if s.view_dir else None, "tmp": str(s.tmp_dir) if s.tmp_dir else None,
                 "tmp_bytes": s.tmp_bytes, "shm_bytes": s.shm_bytes, "cgroups": [str(p) for p in s.cgroups],
                 "namespaces": s.namespaces if s.view_dir else "off"}
        try:
            wire.send(self.sock, setup)
        except OSError:         # the worker is already gone (EPIPE): never let it escape as an OSError
            status = self._replace()
            raise StudentCodeError(f"starting the sandbox: the sandbox process ended before it could be set up "
                                   f"({status})") from None
        try:
            hello = self._receive(STARTUP_TIMEOUT_S, "starting the sandbox")
        except StudentCodeError as err:
            # Before any student code runs: what the worker printed is the grader's own error.
            said = self.take_output().strip()[-400:]
            raise StudentCodeError(f"{err}" + (f" It printed: {said}" if said else "")) from None
        if isinstance(hello, dict):
            self.worker_uid = hello.get("uid")
            exposed = self.isolation.get("exposed")         # found by the canary of the first worker
            self.isolation = {k: v for k, v in hello.items() if k not in ("ok", "pid", "uid")}
            if exposed:
                self.isolation["exposed"] = exposed
            self.isolation["warm_start"] = isinstance(self.proc, zygote_client.ForkedWorker)

    def close(self) -> None:
        """Kill the worker and everything it started (its group, its uid, its orphans)."""
        if self.proc is not None:
            self._kill_group()
            self.proc.wait()
            kill_leftovers(self.settings.uid)
            if self.settings.cgroups:                 # what escaped the group (setsid) under any uid
                kill_members(self.settings.cgroups)
            try:
                self.proc.stdout.close()
            except OSError:
                pass
        if self.sock is not None:
            self.sock.close()
        self.proc, self.sock = None, None

    def _kill_group(self) -> None:
        if isinstance(self.proc, zygote_client.ForkedWorker):
            self.proc.kill_group()
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass

    # ------------------------------------------------------------------ calls
    def call(self, request: dict, *, timeout: float | None = None, description: str = "the call") -> Any:
        """Run one request in the worker and return its plain-data value."""
        if self.proc is None:
            self.start()
        try:
            wire.send(self.sock, request)
        except OSError:
            self._replace()
            raise StudentCodeError(f"{description}: the sandbox was not running (your code ended it "
                                   f"in an earlier call); it has been restarted") from None
        reply = self._receive(timeout or self.settings.per_call_s, description)
        if not isinstance(reply, dict) or type(reply.get("ok")) is not bool:
            self._replace()
            raise StudentCodeError(f"{description}: the sandbox sent an invalid reply")
        if reply["ok"]:
            if "value" not in reply:
                raise StudentCodeError(f"{description}: the sandbox sent an invalid reply")
            return reply["value"]
        raise self._error(reply, description)

    def _error(self, reply: dict, description: str) -> StudentCodeError:
        def text(key: str) -> str:
            value = reply.get(key)
            return value[:2000] if isinstance(value, str) else ""

        kind, name, message, where = text("kind"), text("type"), text("message"), text("where")
        if kind == "import":
            detail = f"{description} failed with {name}: {message}"
        elif kind == "missing":
            detail = f"{description}: {message}"
        elif kind == "type":
            detail = f"{description}: {message}"
        else:
            detail = f"{description} raised {name}: {message}"
        if where:
            detail += f"\n{where}"
        return _student_error(text("builtin") if kind == "exception" else "", detail)

    # No call outlives the grading: the plugin sets this to the end of course.yaml's total_s.
    grading_deadline: float | None = None
    _output_eof: Any = None          # the worker (``proc``) whose output pipe reached end of file
    _DRAIN_CHUNKS = 256              # reads per drain (16 MB): a flood cannot starve the deadline

    def _receive(self, timeout: float, description: str) -> Any:
        """Wait for one whole reply, reading student output meanwhile, within one deadline.

        The deadline covers the reply's last byte, not only its first: a worker that trickles
        its reply, or sends a huge length and stalls, is stopped like an infinite loop. It
        never passes ``grading_deadline``.
        """
        deadline = time.monotonic() + timeout
        grading_ends = self.grading_deadline is not None and self.grading_deadline < deadline
        if grading_ends:
            deadline = self.grading_deadline
        try:
            self._wait_readable(deadline)
            reply = wire.recv(self.sock, deadline)
        except TimeoutError:
            self._replace()
            if grading_ends:
                raise StudentCodeError(f"{description} was stopped: grading reached its total time limit "
                                       f"(course.yaml's total_s).") from None
            raise StudentCodeError(f"{description} did not finish within {timeout:g} s (the per-call time "
                                   f"limit); it was stopped. Look for an infinite loop or very slow code.") from None
        except (EOFError, OSError):
            self._let_exit()
            status = self._replace()
            raise StudentCodeError(f"{description}: the sandbox process ended unexpectedly ({status}). "
                                   f"Your code may have called exit(), crashed Python, or run out of memory.") from None
        except (wire.WireError, wire.Unsupported, ValueError) as err:
            self._replace()
            raise StudentCodeError(f"{description}: the sandbox sent a reply that breaks the protocol "
                                   f"({str(err)[:200]})") from None
        finally:
            if self.sock is not None:
                # Bounds the next request's sendall too: a worker that stops reading its channel
                # (a thread holding the GIL) then fails that call instead of blocking the grader.
                self.sock.settimeout(self.settings.per_call_s)
        self._drain_output()
        return reply

    def _let_exit(self, grace_s: float = 0.5) -> None:
        """The channel closed: give the worker a moment to finish exiting, so the status reported
        is its own (``exit status 3``), not the SIGKILL that ``_replace`` would send a process
        still on its way out (through its init and shepherd)."""
        if isinstance(self.proc, subprocess.Popen):
            try:
                self.proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                pass

    def _wait_readable(self, deadline: float) -> None:
        """Block until the channel has data, draining student output; ``TimeoutError`` at ``deadline``."""
        out_fd = self.proc.stdout.fileno()
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        watching_output = self._output_eof is not self.proc
        if watching_output:
            poller.register(out_fd, select.POLLIN)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            events = dict(poller.poll(int(remaining * 1000) + 1))
            if out_fd in events:
                self._drain_output()
                if watching_output and self._output_eof is self.proc:    # a closed pipe polls readable forever
                    poller.unregister(out_fd)
                    watching_output = False
            if self.sock.fileno() in events:
                return

    def canary(self, imports: list[str] = (), secrets: list[Path] = ()) -> str | None:
        """Run known-good code through the worker path; None if the sandbox works, else why not.

        It works when the standard library and ``imports`` load in the worker; it is safe when
        none of ``secrets`` can be read or listed from there. Where the worker keeps the
        grading user's own rights (isolation mode "none": not root, no namespaces) nothing can
        be hidden from it, and ``self.isolation['exposed']`` lists what it could read instead.
        """
        try:
            value = self.call({"op": "canary", "imports": list(imports), "secrets": [str(p) for p in secrets]},
                              timeout=STARTUP_TIMEOUT_S, description="the sandbox self-test")
        except StudentCodeError as err:
            return str(err)
        if not isinstance(value, dict) or not isinstance(value.get("problems"), list):
            return f"the sandbox self-test returned {str(value)[:300]}"
        if value["problems"]:
            return ("the sandbox cannot load what student code needs (" + "; ".join(value["problems"][:4])
                    + "). The sandbox uid must be able to read the Python installation: install it in a "
                      "world-readable place, or run with CAP_SYS_ADMIN so the sandbox gets its own view.")
        if value.get("value") != 285.0:
            return f"the sandbox self-test computed {value.get('value')!r} instead of 285.0"
        readable = [str(p) for p in value["readable"]]
        if readable and self.isolation.get("mode") == "none":
            self.isolation["exposed"] = readable
            return None
        if readable:
            return ("student code could read the grader's private files: " + ", ".join(readable[:5])
                    + f" (isolation: {self.isolation.get('mode', '?')}). Make them unreadable to other users "
                      "(e.g. chmod 700 on the course root and its parent folders) or run with CAP_SYS_ADMIN "
                      "so the sandbox gets its own view of the file system.")
        return None

    def _replace(self) -> str:
        """Kill the current worker (and its process group); the next call starts a new one."""
        status = "killed"
        if self.proc is not None:
            self._kill_group()
            code = self.proc.wait()
            self._drain_output()
            status = f"killed by signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
            self.close()
            self.restarts += 1
        return status

    def _drain_output(self) -> None:
        """Keep what the worker printed so far (capped); note when its output pipe has closed."""
        if self.proc is None:
            return
        for _ in range(self._DRAIN_CHUNKS):
            try:
                chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
            except BlockingIOError:
                return
            except (OSError, ValueError):   # ValueError: the pipe object is already closed
                chunk = b""
            if not chunk:
                self._output_eof = self.proc
                return
            room = OUTPUT_CAP - len(self.output)
            self.output += chunk[:max(room, 0)]
            self.output_dropped += max(len(chunk) - max(room, 0), 0)

    def take_output(self) -> str:
        """Student output since the last ``take_output``, decoded and capped."""
        self._drain_output()
        text = self.output.decode("utf-8", errors="replace")
        if self.output_dropped:
            text += f"\n[... {self.output_dropped} more bytes of output not shown]"
        self.output.clear()
        self.output_dropped = 0
        return text
