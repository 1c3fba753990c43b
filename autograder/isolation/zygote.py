"""The fork server process (the *zygote*): imports numpy/torch once, then only forks workers.

Run by ``zygote_client.ForkServer`` as ``python -s -P -B zygote.py SOCKET ALLOWED_PARENT
[MODULE...]`` from a runtime folder; each worker it forks has a *shepherd* of its own.
Only the standard library is imported here; the runtime's other files are loaded by path.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
import traceback
from typing import Any

_MAX_REQUEST = 1 << 20
# The runtime's other modules, loaded by path when the zygote starts (``main``).
worker: Any = None
wire: Any = None
processes: Any = None


def _peer_allowed(conn: socket.socket, allowed_parent: int) -> bool:
    """Only the process that started us, or its direct children (grading processes), may ask."""
    pid, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    if uid != os.getuid() or pid == os.getpid():
        return False
    return pid == allowed_parent or processes.parent_of(pid) == allowed_parent


def _become_worker(request: dict, fds: list[int]) -> None:
    """In the freshly forked worker: the descriptors, folder and environment a cold start has."""
    channel, output = fds
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.dup2(channel, 3)
    os.closerange(4, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL if signum != signal.SIGINT else signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)       # what a fresh interpreter does
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in request["env"].items()})
    os.chdir(request["cwd"])
    sys.argv = [worker.__file__]                        # as a cold worker's
    # This file and processes.py are code of this process too (tracebacks read their lines).
    worker.serve_channel(socket.socket(fileno=3), wire, also_loaded=(__file__, processes.__file__))


def _shepherd(conn: socket.socket) -> None:
    """One worker's parent: fork it, report its pid and exit status, kill what it leaves."""
    os.setsid()             # its own group: a worker that kills its parent's group kills only us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    processes.become_subreaper(remember_children=False)
    conn.settimeout(30)
    data, fds, _, _ = socket.recv_fds(conn, _MAX_REQUEST, 2)
    if len(fds) != 2:
        os._exit(3)
    request = json.loads(data)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            conn.close()
            _become_worker(request, fds)
        except SystemExit as err:
            code = err.code if type(err.code) is int else 1
        except BaseException:  # noqa: BLE001 - as an uncaught exception ends a cold worker
            code = 1
            try:
                traceback.print_exc()
                sys.stderr.flush()
            except BaseException:  # noqa: BLE001
                pass
        os._exit(code)
    for fd in fds:
        os.close(fd)
    conn.settimeout(None)
    conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    try:
        watch = os.pidfd_open(pid)
    except (AttributeError, OSError):
        watch = None
    status: int | None = None
    while status is None:
        readable, _, _ = select.select([conn] + ([watch] if watch is not None else []), [], [], 0.05 if watch is None
                                       else 1.0)
        for child, code in processes.reap_children():
            if child == pid:
                status = os.waitstatus_to_exitcode(code)    # Popen's convention: -N for signal N
        if conn in readable and status is None:
            try:
                message = conn.recv(64)
            except OSError:
                message = b""
            if not message or b"kill" in message:
                for kill in (lambda: os.killpg(pid, 9), lambda: os.kill(pid, 9)):
                    try:
                        kill()
                    except OSError:
                        pass
                if not message:                 # the grader is gone: clean up and go
                    processes.kill_children()
                    os._exit(0)
    processes.kill_children()
    try:
        conn.sendall(json.dumps({"exit": status}).encode() + b"\n")
    except OSError:
        pass
    os._exit(0)


def serve(path: str, allowed_parent: int, preload: list[str]) -> None:
    """The zygote's loop: preload, listen, fork a shepherd per request; end with our parent.

    It never receives a setup, a test, an expected value or any student code: a request
    carries the worker's channel and output descriptors, its working folder and environment,
    nothing else. The shepherd (a subreaper in its own session, the worker's parent) reports
    the worker's pid and exit status and kills what the worker leaves behind; the worker
    takes exactly the cold path (``worker.serve_channel``): setup, namespaces, privilege drop,
    limits, student imports. Only our parent and its direct children may ask.
    """
    loaded = []
    for name in preload:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception:  # noqa: BLE001 - a missing library only means a colder start for it
            pass
    processes.become_subreaper(remember_children=False)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(128)
    sys.stdout.write(f"ready {' '.join(loaded)}\n")
    sys.stdout.flush()
    shepherds: set[int] = set()

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        _serve_forks(listener, shepherds, allowed_parent)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        processes.kill_children()        # shepherds, and through them (as subreaper) any worker left


def _serve_forks(listener: socket.socket, shepherds: set[int], allowed_parent: int) -> None:
    while os.getppid() == allowed_parent:
        readable, _, _ = select.select([listener], [], [], 0.5)
        for child, _ in processes.reap_children():
            shepherds.discard(child)
        strays = [pid for pid in processes.children() if pid not in shepherds]   # adopted orphans
        if strays:
            processes.kill_children(keep=shepherds)
        if not readable:
            continue
        conn, _ = listener.accept()
        if not _peer_allowed(conn, allowed_parent):
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            try:
                listener.close()
                _shepherd(conn)
            finally:
                os._exit(0)
        shepherds.add(pid)
        conn.close()
        sys.stderr.write(f"forked {pid}\n")          # the server's log: one line per worker
        sys.stderr.flush()


def main() -> None:
    global worker, wire, processes
    # worker.py by hand; through it, every other runtime file (``worker.load_runtime``).
    spec = importlib.util.spec_from_file_location("_cvgrade_worker",
                                                  os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py"))
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    wire, processes = worker.load_runtime("wire"), worker.load_runtime("processes")
    wire.pin_builtins(globals())        # this code frames every warm worker, student code included
    serve(sys.argv[1], int(sys.argv[2]), sys.argv[3:])


if __name__ == "__main__":
    main()
