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

    def __call__(self, name: str, globals: Any = None, locals: Any = None, fromlist: Any = (),
                 level: int = 0) -> Any:
        if not isinstance(globals, dict):  # __import__("x") called by hand passes no globals
            globals = sys._getframe(1).f_globals
        importer = globals.get("__name__")
        blocked = self.forbidden.get(importer or "")
        if blocked and level == 0 and name.split(".")[0] in blocked:
            raise ImportError(f"{importer}.py may not import {name.split('.')[0]} in this homework")
        return self.original(name, globals, locals, fromlist, level)


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


def main() -> None:
    fd, wire_path = int(sys.argv[1]), sys.argv[2]
    wire = _load_file("_cvgrade_wire", wire_path)
    wire.pin_builtins(globals(), vars(traceback))
    sock = socket.socket(fileno=fd)
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


if __name__ == "__main__":
    main()
