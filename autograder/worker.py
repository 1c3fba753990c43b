"""The sandboxed worker: the only process that imports and runs student code.

Started by ``autograder.sandbox`` as ``python -s -P -B worker.py FD WIRE_PY`` in a fresh,
minimal environment, from a copy of this file inside the sandbox folder (the grader's own
folders may be unreadable to it). It reads a setup message, applies its limits (and, when
asked, drops to an unprivileged user) before any student code is imported, then answers
requests until the channel closes:

    {"op": "call", "module": "filters", "name": "convolve2d", "args": [...], "kwargs": {...},
     "seed": 1234}
    {"op": "probe", "name": "train_probe", "args": [...], "kwargs": {...}, "seed": 1234}

and replies ``{"ok": true, "value": ...}`` or ``{"ok": false, "kind": ..., "type": ...,
"builtin": ..., "message": ..., "where": ...}``. Everything it sends is plain data (see
``wire.py``); it holds no tests, no reference and no expected values.

Only the standard library is imported here; numpy/torch come in with the student's code.
"""
from __future__ import annotations

import builtins
import importlib
import importlib.util
import os
import resource
import select
import signal
import socket
import sys
import traceback
from typing import Any

_BUILTIN_EXCEPTIONS = {name for name, obj in vars(builtins).items()
                       if isinstance(obj, type) and issubclass(obj, BaseException)}


def _load_file(name: str, path: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def apply_limits(limits: dict) -> None:
    """rlimits for this process and its children; soft = hard so they cannot be raised."""
    table = {
        "cpu_s": resource.RLIMIT_CPU, "memory_bytes": resource.RLIMIT_AS,
        "file_size_bytes": resource.RLIMIT_FSIZE, "open_files": resource.RLIMIT_NOFILE,
        "processes": resource.RLIMIT_NPROC, "core_bytes": resource.RLIMIT_CORE,
    }
    for key, which in table.items():
        value = limits.get(key)
        if value is None:
            continue
        soft, hard = resource.getrlimit(which)
        value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
        resource.setrlimit(which, (value, value))


def drop_privileges(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` with no supplementary groups (only when started as root)."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise RuntimeError("could not drop privileges")


# ------------------------------------------------------------------ isolation (as root)
_CLONE_NEWNS, _CLONE_NEWNET = 0x00020000, 0x40000000
_MS_BIND, _MS_REC, _MS_PRIVATE, _MS_NOSUID, _MS_NODEV = 4096, 16384, 1 << 18, 2, 4


def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        import ctypes

        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def isolate(hide: list[str], reach: list[str], uid: int) -> dict:
    """Private mount and network namespaces; hide the grader's secrets; keep Python reachable.

    ``hide``: folders covered by an empty, unreadable tmpfs (reference, hidden tests, results).
    ``reach``: paths the unprivileged worker must still open (the interpreter, site-packages,
    its own folders); an ancestor it could not traverse is replaced by a tmpfs holding only
    bind mounts of what is needed. Returns what was achieved, for the grader's report.
    """
    libc = _libc()
    done = {"mount_namespace": False, "network_namespace": False}
    try:
        _check(libc.unshare(_CLONE_NEWNET), "unshare(network)")
        done["network_namespace"] = True
    except OSError:
        pass
    _check(libc.unshare(_CLONE_NEWNS), "unshare(mount)")
    _check(libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "make mounts private")
    for path in hide:
        if os.path.isdir(path):
            _check(libc.mount(b"tmpfs", path.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=4k,mode=000"),
                   f"hide {path}")
    blocked: dict[str, set[str]] = {}
    for path in reach:
        parts = os.path.realpath(path).split(os.sep)[1:]
        for depth in range(1, len(parts)):
            ancestor = os.sep + os.sep.join(parts[:depth])
            info = os.stat(ancestor)
            if info.st_uid != uid and not info.st_mode & 0o001:
                blocked.setdefault(ancestor, set()).add(parts[depth])
                break
    for ancestor, children in sorted(blocked.items()):
        handles = {name: os.open(os.path.join(ancestor, name), os.O_PATH) for name in children}
        _check(libc.mount(b"tmpfs", ancestor.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=4k,mode=711"),
               f"cover {ancestor}")
        for name, handle in handles.items():
            target = os.path.join(ancestor, name)
            if os.path.isdir(f"/proc/self/fd/{handle}"):
                os.mkdir(target, 0o755)
            else:
                open(target, "w").close()
            _check(libc.mount(f"/proc/self/fd/{handle}".encode(), target.encode(), None, _MS_BIND | _MS_REC, None),
                   f"reach {target}")
            os.close(handle)
    done["mount_namespace"] = True
    return done


_getframe = sys._getframe     # pinned: student code may replace sys._getframe, not ours


class ImportGuard:
    """Refuse imports a module may not make (course.yaml ``forbidden_imports``).

    The static check in the grader catches import statements; this catches the same names
    imported dynamically from inside a student module at import or call time.
    """

    def __init__(self, forbidden: dict[str, list[str]]):
        self.forbidden = {module: set(names) for module, names in forbidden.items()}
        self.original = builtins.__import__

    def install(self) -> None:
        if self.forbidden:
            builtins.__import__ = self
            sys.meta_path.insert(0, _ForbiddenFinder(self.forbidden))

    def __call__(self, name: str, globals: Any = None, locals: Any = None, fromlist: Any = (),
                 level: int = 0) -> Any:
        if not isinstance(globals, dict):  # __import__("x") called by hand passes no globals
            globals = _getframe(1).f_globals
        importer = globals.get("__name__")
        blocked = self.forbidden.get(importer or "")
        if blocked and level == 0 and name.split(".")[0] in blocked:
            raise ImportError(f"{importer}.py may not import {name.split('.')[0]} in this homework")
        return self.original(name, globals, locals, fromlist, level)


class _ForbiddenFinder:
    """The import hook ``__import__`` does not see: ``importlib.import_module`` and friends.

    Asked for a forbidden package that is not imported yet, it refuses when the code asking
    (the first caller outside the import machinery) is a student module whose list forbids
    it. Libraries asking on their own (torch probing for torchvision with ``find_spec``) are
    left alone. A package already imported by an allowed module stays reachable through
    ``sys.modules``: the static check and ``__import__`` cover the usual ways.
    """

    def __init__(self, forbidden: dict[str, set[str]]):
        self.forbidden = forbidden
        self.names = set().union(*forbidden.values())

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        top = fullname.partition(".")[0]
        if top not in self.names:
            return None
        frame = _getframe(1)
        while frame is not None:
            name = frame.f_globals.get("__name__")
            if not (isinstance(name, str) and (name.startswith(("importlib", "_frozen_importlib")))):
                break
            frame = frame.f_back
        importer = frame.f_globals.get("__name__") if frame is not None else None
        if isinstance(importer, str) and top in self.forbidden.get(importer, ()):
            raise ImportError(f"{importer}.py may not import {top} in this homework")
        return None

    def invalidate_caches(self) -> None:
        pass


class StudentModules:
    """What probes receive as ``hw``: ``hw.models`` imports the student's ``models.py``."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return importlib.import_module(name)


class Worker:
    def __init__(self, sock: socket.socket, wire: Any, setup: dict):
        self.sock, self.wire, self.setup = sock, wire, setup
        self.submission = setup["submission"]
        self.seed: int | None = None
        self.probes: Any = None

    def serve(self, isolation: dict) -> None:
        self.reply({"ok": True, "pid": os.getpid(), "uid": os.getuid(), **isolation})
        while True:
            try:
                request = self.wire.recv(self.sock)
            except (EOFError, OSError):
                os._exit(0)
            self.reply(self.handle(request))

    def reply(self, message: dict) -> None:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a student may have replaced or closed it
                pass
        try:
            data = self.wire.encode(message)
        except self.wire.Unsupported as err:
            data = self.wire.encode({"ok": False, "kind": "type", "type": "", "builtin": "",
                                     "message": f"returned a value that cannot be graded: {err}", "where": ""})
        except BaseException as err:  # noqa: BLE001 - converting a student object can run student code
            data = self.wire.encode({"ok": False, "kind": "type", "type": type(err).__name__, "builtin": "",
                                     "message": f"converting the returned value failed: {_text(err)}",
                                     "where": ""})
        self.sock.sendall(data)

    def handle(self, request: dict) -> dict:
        try:
            self.reseed(request.get("seed"))
            if request.get("op") == "import":
                try:
                    importlib.import_module(request["module"])
                except BaseException as err:  # noqa: BLE001 - SyntaxError, SystemExit, anything
                    return self.failure("import", err)
                return {"ok": True, "value": None}
            if request.get("op") == "canary":
                import numpy

                return {"ok": True, "value": float(numpy.arange(10.0) @ numpy.arange(10.0))}
            if request.get("op") == "probe":
                fn = getattr(self.load_probes(), request["name"])
                value = fn(StudentModules(), *request.get("args", ()), **request.get("kwargs", {}))
            else:
                try:
                    module = importlib.import_module(request["module"])
                except BaseException as err:  # noqa: BLE001 - SyntaxError, SystemExit, anything
                    return self.failure("import", err)
                fn = getattr(module, request["name"], None)
                if fn is None:
                    return {"ok": False, "kind": "missing", "type": "AttributeError", "builtin": "AttributeError",
                            "message": f"{request['module']}.py defines no {request['name']}", "where": ""}
                value = fn(*request.get("args", ()), **request.get("kwargs", {}))
            return {"ok": True, "value": value}
        except BaseException as err:  # noqa: BLE001 - SystemExit/KeyboardInterrupt from student code too
            return self.failure("exception", err)

    def failure(self, kind: str, err: BaseException) -> dict:
        builtin = next((c.__name__ for c in type(err).__mro__ if c.__name__ in _BUILTIN_EXCEPTIONS
                        and getattr(builtins, c.__name__, None) is c), "Exception")
        where = ""
        if isinstance(err, SyntaxError) and err.filename:
            where = f"{os.path.basename(err.filename)}, line {err.lineno}"
        frames = [f for f in traceback.extract_tb(err.__traceback__)
                  if f.filename.startswith(self.submission + os.sep)]
        if frames:
            where = "\n".join(f"  {os.path.basename(f.filename)}, line {f.lineno}, in {f.name}: {(f.line or '')[:120]}"
                              for f in frames[-6:])
        return {"ok": False, "kind": kind, "type": type(err).__name__, "builtin": builtin,
                "message": _text(err), "where": where}

    def reseed(self, seed: Any) -> None:
        if type(seed) is not int or seed == self.seed:
            return
        self.seed = seed
        import random
        random.seed(seed)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed(seed % 2**32)
        if "torch" in sys.modules:
            sys.modules["torch"].manual_seed(seed)

    def load_probes(self) -> Any:
        if self.probes is None:
            path = self.setup.get("probes")
            if not path:
                raise RuntimeError("this homework has no probes")
            self.probes = _load_file("_cvgrade_probes", path)
        return self.probes


def _text(err: BaseException) -> str:
    try:
        return str(err)[:2000]
    except BaseException:  # noqa: BLE001 - a student exception whose __str__ raises
        return f"<{type(err).__name__} whose message could not be shown>"


def serve_channel(sock: socket.socket, wire: Any) -> None:
    """Be one worker on ``sock``: read the setup, isolate, drop, limit, then answer requests.

    The same path for a cold start (``main``) and a worker forked by the fork server: nothing
    the student runs ever holds privileges, and the limits are in place before any student
    module is imported.
    """
    setup = wire.recv(sock)
    isolation: dict = {}
    if setup.get("uid") is not None and os.getuid() == 0:
        # Still root: namespaces and mounts first, then become the sandbox user, so
        # nothing the student runs ever holds privileges.
        try:
            isolation = isolate(setup.get("hide", []), setup.get("reach", []), setup["uid"])
        except OSError as err:
            isolation = {"isolation_error": str(err)}
        drop_privileges(setup["uid"], setup["gid"])
    apply_limits(setup.get("limits", {}))
    os.chdir(setup["submission"])
    sys.path.insert(0, setup["submission"])
    ImportGuard(setup.get("forbidden", {})).install()
    Worker(sock, wire, setup).serve(isolation)


# ------------------------------------------------------------------ warm start (fork server)
# ``worker.py --fork-server SOCKET WIRE_PY ALLOWED_PARENT [MODULE...]``: a zygote that imports
# the heavy libraries (numpy, torch) once and then only forks. It never receives a setup, a
# test, an expected value or any student code: a request carries the worker's channel and
# output descriptors, its working folder and environment, nothing else. For each request it
# forks a *shepherd* (a subreaper in its own session, the worker's parent, which reports the
# worker's pid and exit status and kills what the worker leaves behind), which forks the
# worker; the worker then takes exactly the cold path (``serve_channel``): setup, namespaces,
# privilege drop, limits, student imports.
_MAX_REQUEST = 1 << 20


def _subreaper() -> None:
    try:
        _libc().prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _children() -> list[int]:
    """Live (non-zombie) children of this process."""
    me, found = str(os.getpid()), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == me and fields[0] != "Z":
            found.append(int(entry))
    return found


def _reap_any() -> list[tuple[int, int]]:
    reaped = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        reaped.append((pid, status))


def _kill_children(keep: set[int] = frozenset()) -> None:
    """SIGKILL every child (orphans adopted as subreaper too), until none is left."""
    for _ in range(100):
        victims = [pid for pid in _children() if pid not in keep]
        if not victims:
            break
        for pid in victims:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        _reap_any()
        import time
        time.sleep(0.005)
    _reap_any()


def _exit_code(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _peer_allowed(conn: socket.socket, allowed_parent: int) -> bool:
    """Only the process that started us, or its direct children (grading processes), may ask."""
    import struct

    pid, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    if uid != os.getuid() or pid == os.getpid():
        return False
    if pid == allowed_parent:
        return True
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1]) == allowed_parent
    except (OSError, IndexError, ValueError):
        return False


def _become_worker(request: dict, fds: list[int], wire: Any) -> None:
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
    sys.argv = [sys.argv[0]]
    serve_channel(socket.socket(fileno=3), wire)


def _shepherd(conn: socket.socket, wire: Any) -> None:
    """One worker's parent: fork it, report its pid and exit status, kill what it leaves."""
    import json

    os.setsid()             # its own group: a worker that kills its parent's group kills only us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _subreaper()
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
            _become_worker(request, fds, wire)
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
        for child, code in _reap_any():
            if child == pid:
                status = _exit_code(code)
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
                    _kill_children()
                    os._exit(0)
    _kill_children()
    try:
        conn.sendall(json.dumps({"exit": status}).encode() + b"\n")
    except OSError:
        pass
    os._exit(0)


def fork_server(path: str, wire_path: str, allowed_parent: int, preload: list[str]) -> None:
    """The zygote's loop: preload, listen, fork a shepherd per request; end with our parent."""
    wire = _load_file("_cvgrade_wire", wire_path)
    wire.pin_builtins(globals(), vars(traceback))
    loaded = []
    for name in preload:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception:  # noqa: BLE001 - a missing library only means a colder start for it
            pass
    _subreaper()
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
        _serve_forks(listener, shepherds, allowed_parent, wire)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _kill_children()                 # shepherds, and through them (as subreaper) any worker left


def _serve_forks(listener: socket.socket, shepherds: set[int], allowed_parent: int, wire: Any) -> None:
    while os.getppid() == allowed_parent:
        readable, _, _ = select.select([listener], [], [], 0.5)
        for child, _ in _reap_any():
            shepherds.discard(child)
        strays = [pid for pid in _children() if pid not in shepherds]   # adopted orphans
        if strays:
            _kill_children(keep=shepherds)
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
                _shepherd(conn, wire)
            finally:
                os._exit(0)
        shepherds.add(pid)
        conn.close()
        sys.stderr.write(f"forked {pid}\n")          # the server's log: one line per worker
        sys.stderr.flush()


def main() -> None:
    if sys.argv[1] == "--fork-server":
        fork_server(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:])
        return
    fd, wire_path = int(sys.argv[1]), sys.argv[2]
    wire = _load_file("_cvgrade_wire", wire_path)
    wire.pin_builtins(globals(), vars(traceback))
    serve_channel(socket.socket(fileno=fd), wire)


if __name__ == "__main__":
    main()
