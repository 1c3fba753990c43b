"""The sandboxed worker: the only process that imports and runs student code.

Started by ``autograder.isolation.client`` as ``python -s -P -B worker.py FD`` in a fresh,
minimal environment, from a copy of the runtime (``runtime``) inside the sandbox folder (the
grader's own folders may be unreadable to it), or forked by the zygote, which then calls
``serve_channel`` as ``main`` does. It reads a setup message, applies its limits (and, when
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
import functools
import importlib
import importlib.util
import os
import resource
import signal
import socket
import sys
import tempfile
import traceback
import types
from typing import Any

_BUILTIN_EXCEPTIONS = {name for name, obj in vars(builtins).items()
                       if isinstance(obj, type) and issubclass(obj, BaseException)}


def _load_file(name: str, path: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))


def load_runtime(name: str) -> Any:
    """Another runtime file beside this one (``wire``, ``processes``), as a module of its own.

    Loaded by path under a private name: the runtime folder is never on ``sys.path`` and the
    module never in ``sys.modules``, so student code cannot import it.
    """
    return _load_file(f"_cvgrade_{name}", os.path.join(_RUNTIME_DIR, f"{name}.py"))


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


# ------------------------------------------------------------------ isolation
# The worker builds its own view of the machine before any student code runs: a fresh root
# holding only what the interpreter needs (read-only), its staged files, a private size-capped
# /tmp and /dev/shm, a minimal /dev and a /proc of its own PID namespace. Nothing of the course
# checkout, the build output, other submissions or other gradings exists in that view. How far
# this goes depends on what the machine allows (``enter_sandbox`` says which mode applied).
_CLONE_NEWNS, _CLONE_NEWUTS, _CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
_CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_MS_NOATIME, _MS_NODIRATIME, _MS_RELATIME = 1024, 2048, 1 << 21
_MNT_DETACH = 2
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS, _PR_CAPBSET_DROP = 1, 38, 24
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
# What the interpreter and its libraries need from the host, read-only. /etc only in part:
# the loader's cache, names, time zone; never the rest of the machine's configuration.
_SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "passwd", "group",
        "nsswitch.conf", "hosts", "mime.types", "os-release")
_DEVICES = ("null", "zero", "full", "random", "urandom")


class IsolationUnavailable(OSError):
    """The machine refused the namespaces the allow-list view needs."""


def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        import ctypes

        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _unshare_user(libc: Any, flags: int, uid: int | None, gid: int | None) -> None:
    """A user namespace that owns the others: for root without CAP_SYS_ADMIN, or no root at all.

    Root maps itself and the sandbox uid (written by a helper left outside, since only a
    process holding CAP_SETUID *there* may map more than its own uid); anyone else maps only
    its own uid and gid, which needs no privilege.
    """
    if os.geteuid() != 0 or uid is None:
        euid, egid = os.geteuid(), os.getegid()
        _check(libc.unshare(_CLONE_NEWUSER | flags), "unshare(user namespace)")
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{euid} {euid} 1\n")
        _write("/proc/self/gid_map", f"{egid} {egid} 1\n")
        return
    ready_r, ready_w = os.pipe()
    helper = os.fork()
    if helper == 0:
        os.close(ready_w)
        code = 1
        try:
            if os.read(ready_r, 1) == b"u":
                target = os.getppid()
                _write(f"/proc/{target}/uid_map", f"0 0 1\n{uid} {uid} 1\n")
                _write(f"/proc/{target}/gid_map", f"0 0 1\n{gid} {gid} 1\n")
                code = 0
        except BaseException:  # noqa: BLE001 - reported through the exit status
            pass
        os._exit(code)
    os.close(ready_r)
    try:
        result = libc.unshare(_CLONE_NEWUSER | flags)
        os.write(ready_w, b"u" if result == 0 else b"x")
    finally:
        os.close(ready_w)
    _check(result, "unshare(user namespace)")
    _, status = os.waitpid(helper, 0)
    if status != 0:
        raise IsolationUnavailable("could not map the sandbox uid into the user namespace")
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)


def _mount(libc: Any, source: str | None, target: str, fstype: str | None, flags: int, data: str | None,
           what: str) -> None:
    _check(libc.mount(source.encode() if source else None, target.encode(), fstype.encode() if fstype else None,
                      flags, data.encode() if data else None), what)


def _bind(libc: Any, view: str, source: str, *, writable: bool = False) -> None:
    """Bind ``source`` at the same path inside ``view``; read-only unless ``writable``."""
    real = os.path.realpath(source)
    target = view + real
    if os.path.isdir(real):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.lexists(target):
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
    _mount(libc, real, target, None, _MS_BIND | _MS_REC, None, f"bind {real}")
    if writable:
        return
    # A remount may add flags but (in a user namespace) never clear one the source has.
    info = os.statvfs(real)
    kept = sum(flag for st, flag in ((os.ST_NOEXEC, _MS_NOEXEC), (os.ST_NOATIME, _MS_NOATIME),
                                     (os.ST_NODIRATIME, _MS_NODIRATIME), (os.ST_RELATIME, _MS_RELATIME))
               if info.f_flag & st)
    _mount(libc, None, target, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV | kept, None,
           f"make {real} read-only")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _reach(setup: dict) -> list[str]:
    """The interpreter's folders this worker imports from, minus anything of the grader's.

    A folder that is, contains or lies inside one of the grader's private folders (the course
    root, the results folder) is left out, except a virtualenv's own prefix (a venv kept in the
    course checkout holds only installed packages; an editable install points back into the
    checkout, which stays out of the view).
    """
    found = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, sys.exec_prefix, *sys.path)
             if p and os.path.exists(p)}
    found.add(os.path.dirname(os.path.realpath(sys.executable)))
    private = [os.path.realpath(p) for p in setup.get("private", [])]
    venv = os.path.realpath(sys.prefix) if os.path.isfile(os.path.join(sys.prefix, "pyvenv.cfg")) else None
    keep = []
    for path in sorted(found):
        if any(_inside(p, path) for p in private):          # an ancestor of a secret (or the secret)
            continue
        if any(_inside(path, p) for p in private) and not (venv and _inside(path, venv)):
            continue
        keep.append(path)
    return [p for p in keep if not any(q != p and _inside(p, q) for q in keep)]


def _take_from_host(libc: Any, view: str, path: str) -> None:
    """``path`` in the view as on the host, if there: a symbolic link copied as one, else bound read-only."""
    if os.path.islink(path):
        os.symlink(os.readlink(path), view + path)
    elif os.path.exists(path):
        _bind(libc, view, path)


def _build_view(libc: Any, setup: dict) -> None:
    """Mount the allow-list root in ``setup['view']`` and make it ``/`` (pivot_root)."""
    view = os.path.realpath(setup["view"])
    _mount(libc, "tmpfs", view, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=1m,mode=755", "a fresh root")
    for name in _SYSTEM_DIRS:
        _take_from_host(libc, view, "/" + name)
    os.mkdir(view + "/etc", 0o755)
    for name in _ETC:
        _take_from_host(libc, view, "/etc/" + name)
    # The private /tmp first, then the binds: an interpreter or checkout that lives under /tmp
    # (a CI clone, a venv made there) is bound on top of it rather than hidden by it.
    os.makedirs(view + "/tmp", exist_ok=True)
    _mount(libc, "tmpfs", view + "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={setup['tmp_bytes']},mode=1777",
           "a private /tmp")
    for path in _reach(setup):
        _bind(libc, view, path)
    for path in (setup["submission"], setup["runtime"], *setup.get("code", [])):
        _bind(libc, view, path)
    os.makedirs(view + "/dev", exist_ok=True)
    _mount(libc, "tmpfs", view + "/dev", "tmpfs", _MS_NOSUID | _MS_NOEXEC, "size=64k,mode=755", "a minimal /dev")
    for name in _DEVICES:
        if os.path.exists("/dev/" + name):
            os.close(os.open(f"{view}/dev/{name}", os.O_CREAT | os.O_WRONLY, 0o666))
            _mount(libc, "/dev/" + name, f"{view}/dev/{name}", None, _MS_BIND, None, f"bind /dev/{name}")
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{view}/dev/{name}")
    os.mkdir(view + "/dev/shm")
    _mount(libc, "tmpfs", view + "/dev/shm", "tmpfs", _MS_NOSUID | _MS_NODEV,
           f"size={setup['shm_bytes']},mode=1777", "a private /dev/shm")
    os.makedirs(view + "/proc", exist_ok=True)
    # Read-only: a worker that keeps host uid 0 (root in a user namespace, no capabilities)
    # would otherwise own the writable files of /proc/sys.
    _mount(libc, "proc", view + "/proc", "proc", _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None,
           "/proc of the sandbox's PID namespace")
    _mount(libc, None, view, None, _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV, None, "make the root read-only")
    number = _SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        raise IsolationUnavailable(f"pivot_root: unknown on {os.uname().machine}")
    os.chdir(view)
    # pivot_root(".", "."): the old root ends up under the new one and is detached at once.
    _check(libc.syscall(number, b".", b"."), "pivot_root")
    _check(libc.umount2(b".", _MNT_DETACH), "detach the old root")
    os.chdir("/")


def _status_code(status: int) -> int:
    """A wait status as an exit code; a signal becomes 128 + its number (init cannot re-raise it)."""
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _mirror(child: int) -> None:
    """Outside the PID namespace: wait for the sandbox's init and end the same way it did."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _, status = os.waitpid(child, 0)
    code = _status_code(status)
    if code > 128:
        try:
            signal.signal(code - 128, signal.SIG_DFL)
            os.kill(os.getpid(), code - 128)
        except (OSError, ValueError):   # not a signal after all: an exit status above 128
            pass
    os._exit(code)


def _init(worker: int) -> None:
    """PID 1 of the sandbox: reap every orphan; end (taking every process left with it) with the worker."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)       # init ignores signals it has no handler for
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(1)
        except InterruptedError:
            continue
        if pid == worker:
            os._exit(_status_code(status))


def drop_capabilities(libc: Any) -> None:
    """No capability left, none to regain: for a worker that keeps its uid (no root to leave)."""
    import ctypes

    for cap in range(64):
        libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)           # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()
    _check(libc.capset(header, data), "drop capabilities")


def enter_sandbox(setup: dict, sock: socket.socket) -> dict:
    """Isolate as far as the machine allows; returns (only in the worker) the mode that applied.

    ``namespaces``: real root with CAP_SYS_ADMIN (mount, PID, IPC, UTS, network namespaces).
    ``user-namespace``: the same inside a user namespace (root without CAP_SYS_ADMIN, or not
    root). ``uid-only``: no namespace was allowed; root still drops to the sandbox uid and the
    view is whatever that uid may read (the canary decides if that is safe). ``none``: not
    root and no namespace: the student's code sees what the grading user sees.
    The allow-list view needs a PID namespace, which only children enter: the caller forks
    the sandbox's init (PID 1), which builds the view and forks the worker; the process
    outside waits and ends as its init ends.
    """
    libc = _libc()
    uid, gid = setup.get("uid"), setup.get("gid")
    flags = _CLONE_NEWNS | _CLONE_NEWPID | _CLONE_NEWIPC | _CLONE_NEWNET | _CLONE_NEWUTS
    info: dict = {"mode": "", "errors": []}
    wanted = setup.get("namespaces", "auto")
    if wanted == "auto" and os.geteuid() == 0 and libc.unshare(flags) == 0:
        info["mode"] = "namespaces"
    elif wanted in ("auto", "user"):
        if wanted == "auto" and os.geteuid() == 0:
            import ctypes

            info["errors"].append(f"unshare: {os.strerror(ctypes.get_errno())}")
        try:
            _unshare_user(libc, flags, uid, gid)
            info["mode"] = "user-namespace"
        except OSError as err:
            info["errors"].append(str(err))
    if not info["mode"]:
        info["mode"] = "uid-only" if uid is not None and os.geteuid() == 0 else "none"
        if uid is not None and os.geteuid() == 0:
            drop_privileges(uid, gid)
        return info
    init = os.fork()
    if init:
        sock.close()
        _mirror(init)
    try:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        _check(libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "make mounts private")
        _build_view(libc, setup)
        libc.sethostname(b"sandbox", 7)
    except BaseException as err:  # noqa: BLE001 - whatever it was, the worker must not start
        # The namespaces exist but the view could not be built: say so; never run half-isolated.
        sys.stderr.write(f"cvgrade sandbox: {err}\n")
        os._exit(70)
    worker = os.fork()
    if worker:
        sock.close()
        _drop(libc, uid, gid)
        _init(worker)
    _drop(libc, uid, gid)
    return info


def _drop(libc: Any, uid: int | None, gid: int | None) -> None:
    if uid is not None and os.geteuid() == 0:
        drop_privileges(uid, gid)           # root -> the sandbox uid clears every capability
    else:
        drop_capabilities(libc)
    libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


_getframe = sys._getframe     # pinned: student code may replace sys._getframe, not ours
_IMPORT_MACHINERY = os.path.dirname(importlib.__file__) + os.sep
_STDLIB = os.path.dirname(os.__file__) + os.sep
_SITE_PACKAGES = ("site-packages" + os.sep, "dist-packages" + os.sep)


def _is_stdlib(filename: str) -> bool:
    """Code of the standard library itself (not a package installed beside it)."""
    if filename.startswith("<frozen "):
        return True
    return filename.startswith(_STDLIB) and not any(part in filename for part in _SITE_PACKAGES)


class ImportGuard:
    """Refuse imports a module may not make (course.yaml ``forbidden_imports``).

    The importer is judged by where its code lives, never by names it can set (``__name__``,
    ``__file__``): a frame belongs to a student module when its code object comes from that
    module's staged file, or from code that module compiled or exec'd (an audit hook records
    the file names of code compiled, exec'd or built while a student module is on top). Every
    standard-library function between the import and a student frame imports on the student's
    behalf (``pydoc.locate``, ``pkgutil``'s loaders, ``runpy``), while a third-party library
    importing on its own initiative (torch's optional packages) is judged as the library. A
    refused import (or ``find_spec`` probe) raises ModuleNotFoundError. Two hooks:
    ``__import__`` (import statements, ``__import__``), and a meta-path finder for what
    ``__import__`` does not see (``importlib.import_module`` and friends, or ``__import__`` restored by the student).
    The static check in the grader (``shared.source_checks``) sees the literal cases first.
    """

    def __init__(self, forbidden: dict[str, list[str]], submission: str):
        self.forbidden = {module: set(names) for module, names in forbidden.items()}
        self.files = {}
        for module in self.forbidden:
            path = os.path.join(submission, module + ".py")
            self.files[path] = module
            self.files[os.path.realpath(path)] = module
        self.tainted: dict[str, set[str]] = {}        # code file names -> the student modules that made them
        self.original = builtins.__import__
        self.torch_refusal = TorchRefusal(self)

    def install(self) -> None:
        if self.forbidden:
            builtins.__import__ = self
            sys.meta_path.insert(0, _ForbiddenFinder(self))
            sys.addaudithook(self._audit)

    def owners(self, frame: Any, *, nearest: bool = False) -> set[str]:
        """The student modules an import made in ``frame`` is made for (empty: a library's own).

        Walking out from ``frame``: the import machinery and the standard library are passed
        through (``pydoc.locate``, ``pkgutil``, ``runpy`` import whatever name their caller gives
        them); the first student frame decides; a third-party library's frame met first means
        the library imports on its own initiative (torch loading an optional package).
        ``nearest``: the first frame outside the import machinery decides alone (who compiled
        or exec'd a piece of code, for the audit hook).
        """
        while frame is not None:
            filename = frame.f_code.co_filename
            module = self.files.get(filename)
            if module is not None:
                return {module}
            if filename in self.tainted:
                return self.tainted[filename]
            machinery = filename.startswith("<frozen importlib") or filename.startswith(_IMPORT_MACHINERY)
            if not machinery and (nearest or not _is_stdlib(filename)):
                return set()
            frame = frame.f_back
        return set()

    def refusal(self, name: str, frame: Any) -> str | None:
        top = name.partition(".")[0]
        running = self.torch_refusal.running
        if top == "torch" and running and "torch" not in sys.modules:
            return f"{running}.py may not use torch in this homework (torch may not be imported while it runs)"
        for module in sorted(self.owners(frame)):
            if top in self.forbidden.get(module, ()):
                return f"{module}.py may not import {top} in this homework"
        return None

    def _audit(self, event: str, args: tuple) -> None:
        # Code made by a student module counts as that module, whatever file name it claims.
        if event in ("compile", "code.__new__"):
            filename = args[1] if len(args) > 1 else None
        elif event == "exec":
            filename = getattr(args[0], "co_filename", None)
        elif event == "object.__setattr__" and len(args) == 3 and args[1] == "__code__":
            filename = getattr(args[2], "co_filename", None)
        else:
            return
        try:
            if not isinstance(filename, (str, bytes)):
                return
            owners = self.owners(_getframe(1), nearest=True)    # the caller of compile/exec (no frame of their own)
            if owners:
                self.tainted.setdefault(os.fsdecode(filename), set()).update(owners)
        except Exception:  # noqa: BLE001 - an audit hook that raises would break the audited call
            pass

    def __call__(self, name: str, globals: Any = None, locals: Any = None, fromlist: Any = (),
                 level: int = 0) -> Any:
        if level == 0 and isinstance(name, str):
            refused = self.refusal(name, _getframe(1))
            if refused is not None:
                raise ModuleNotFoundError(refused, name=name)
        module = self.original(name, globals, locals, fromlist, level)
        self.torch_refusal.check()      # before ``from layers import f`` takes f
        return module


# What a numpy-only module may still do to a tensor another module hands it: read it out.
_TORCH_CONVERSIONS = frozenset({"__array__", "numpy", "detach", "cpu", "tolist", "item", "__len__", "dim", "size",
                                "__repr__", "__format__"})


class TorchRefusal:
    """Torch computes nothing while a function of a module that may not import torch runs.

    The import guards refuse ``import torch`` to such a module, but torch is in the worker
    already when another module of the homework uses it (the fork server preloads it), and an
    imported module is handed out from ``sys.modules`` without asking any finder:
    ``importlib.import_module("to" + "rch")`` or ``models.torch`` would reach it. So each
    function and method such a module defines is wrapped once the module is imported: while one
    runs (and whatever it calls, the student's other modules included), a torch function mode
    raises on every torch operation, and torch, if not loaded yet, may not be imported by anyone.
    Torch's own ways to leave a mode, and a thread started to run torch, still escape it: this
    closes the easy routes, as the import guards do.
    """

    def __init__(self, guard: ImportGuard):
        self.guard = guard
        self.pending = {module for module, names in guard.forbidden.items() if "torch" in names}
        self.running = ""               # the module whose refusing call is running (nested calls: the outermost)
        self.mode_class: Any = None

    def check(self) -> None:
        """Wrap every module on the list that is now fully imported from the student's file."""
        for name in tuple(self.pending) if self.pending else ():
            module = sys.modules.get(name)
            if module is None or getattr(getattr(module, "__spec__", None), "_initializing", False):
                continue                # not imported yet, or still running its body (a circular import)
            self.pending.discard(name)
            if self.guard.files.get(getattr(module, "__file__", None) or "") == name:
                self.wrap_module(module)

    def wrap_module(self, module: types.ModuleType) -> None:
        for attr, value in list(vars(module).items()):
            if getattr(value, "__module__", None) != module.__name__:
                continue                # imported names are someone else's
            if isinstance(value, types.FunctionType):
                setattr(module, attr, self.refusing(value, module.__name__))
            elif isinstance(value, type):
                for key, member in list(vars(value).items()):
                    wrapped = self.wrap_member(member, module.__name__)
                    if wrapped is not member:
                        try:
                            setattr(value, key, wrapped)
                        except (AttributeError, TypeError):
                            pass        # a class that refuses new attributes keeps its own

    def wrap_member(self, member: Any, module: str) -> Any:
        if isinstance(member, types.FunctionType):
            return self.refusing(member, module)
        if isinstance(member, (staticmethod, classmethod)) and isinstance(member.__func__, types.FunctionType):
            return type(member)(self.refusing(member.__func__, module))
        if isinstance(member, property):
            return property(*(self.refusing(f, module) if isinstance(f, types.FunctionType) else f
                              for f in (member.fget, member.fset, member.fdel)), member.__doc__)
        return member

    def refusing(self, fn: types.FunctionType, module: str) -> Any:
        @functools.wraps(fn)
        def refusing(*args: Any, **kwargs: Any) -> Any:
            if self.running:            # inside another refusing call: its mode already holds
                return fn(*args, **kwargs)
            self.running = module
            try:
                if "torch" not in sys.modules:      # and none may import it meanwhile (ImportGuard.refusal)
                    return fn(*args, **kwargs)
                with self.mode(module):
                    return fn(*args, **kwargs)
            finally:
                self.running = ""
        return refusing

    def mode(self, module: str) -> Any:
        if self.mode_class is None:
            from torch.overrides import TorchFunctionMode

            class NoTorch(TorchFunctionMode):
                def __init__(self, module: str):
                    super().__init__()
                    self.module = module

                def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
                    if getattr(func, "__name__", "") in _TORCH_CONVERSIONS:   # reading a tensor computes nothing
                        return func(*args, **(kwargs or {}))
                    raise ModuleNotFoundError(f"{self.module}.py may not use torch in this homework (it called "
                                              f"torch's {getattr(func, '__name__', 'operation')})", name="torch")

            self.mode_class = NoTorch
        return self.mode_class(module)


class _ForbiddenFinder:
    """The import hook ``__import__`` does not see: ``importlib.import_module`` and friends.

    Asked for a forbidden package that is not imported yet, it refuses when the code asking
    is a student module whose list forbids it (see ``ImportGuard.owners``). A package already
    imported is handed out from ``sys.modules`` without asking any finder: for torch, the one
    such package a worker holds, ``TorchRefusal`` makes it compute nothing for such a module.
    """

    def __init__(self, guard: ImportGuard):
        self.guard = guard
        self.names = set().union(*guard.forbidden.values())

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname.partition(".")[0] not in self.names:
            return None
        # Imports and bare probes alike: a spec found for a student (pkgutil's loaders) could be
        # run by hand, bypassing every import hook. A library's own probe (torch looking for an
        # optional package) is the library's, never refused (``ImportGuard.owners``).
        refused = self.guard.refusal(fullname, _getframe(1))
        if refused is not None:
            raise ModuleNotFoundError(refused, name=fullname)
        return None

    def invalidate_caches(self) -> None:
        pass


class StudentModules:
    """What probes receive as ``hw``: ``hw.models`` imports the student's ``models.py``."""

    def __init__(self, guard: ImportGuard):
        self._guard = guard

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        module = importlib.import_module(name)
        self._guard.torch_refusal.check()
        return module


class Worker:
    def __init__(self, sock: socket.socket, wire: Any, setup: dict, guard: ImportGuard):
        self.sock, self.wire, self.setup, self.guard = sock, wire, setup, guard
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
                self.guard.torch_refusal.check()
                return {"ok": True, "value": None}
            if request.get("op") == "canary":
                return {"ok": True, "value": canary(request)}
            if request.get("op") == "probe":
                fn = getattr(self.load_probes(), request["name"])
                value = fn(StudentModules(self.guard), *request.get("args", ()), **request.get("kwargs", {}))
            else:
                try:
                    module = importlib.import_module(request["module"])
                except BaseException as err:  # noqa: BLE001 - SyntaxError, SystemExit, anything
                    return self.failure("import", err)
                self.guard.torch_refusal.check()
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


def canary(request: dict) -> dict:
    """The sandbox's self-test, before any student code: can it work, and is it blind?

    Works: the standard library, numpy (and torch when the homework needs it) import and
    their files are readable (a warm worker has them imported already, so reading the files
    is what proves the sandbox uid can reach them). Blind: every path of ``secrets`` (a
    private marker, reference, hidden tests, the course's .git and dist/) can be neither
    read nor listed. The grader decides what a failure means.
    """
    problems, readable = [], []
    for name in ["os", "json", *request.get("imports", [])]:
        try:
            module = importlib.import_module(name)
            with open(module.__file__, "rb") as handle:
                handle.read(1)
            os.listdir(os.path.dirname(module.__file__))
        except BaseException as err:  # noqa: BLE001 - ImportError, PermissionError, anything
            problems.append(f"{name}: {type(err).__name__}: {_text(err)[:200]}")
    for path in request.get("secrets", []):
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                with open(path, "rb") as handle:
                    handle.read(1)
            readable.append(path)
        except OSError:
            pass
    value = 0.0
    if "numpy" in sys.modules:
        numpy = sys.modules["numpy"]
        value = float(numpy.arange(10.0) @ numpy.arange(10.0))
    return {"value": value, "problems": problems, "readable": readable}


def _text(err: BaseException) -> str:
    try:
        return str(err)[:2000]
    except BaseException:  # noqa: BLE001 - a student exception whose __str__ raises
        return f"<{type(err).__name__} whose message could not be shown>"


def serve_channel(sock: socket.socket, wire: Any, also_loaded: tuple[str, ...] = ()) -> None:
    """Be one worker on ``sock``: read the setup, isolate, drop, limit, then answer requests.

    The same path for a cold start (``main``) and a worker forked by the zygote: nothing the
    student runs ever holds privileges, and the limits are in place before any student module
    is imported. ``also_loaded``: other runtime files this process runs (the zygote's).
    """
    wire.pin_builtins(globals(), vars(traceback))
    setup = wire.recv(sock)
    # This file and wire.py as loaded (a warm worker's are the zygote's copies): tracebacks
    # and linecache look for them, and a worker whose own code vanished fails in odd ways.
    setup["code"] = [path for path in (globals().get("__file__"), getattr(wire, "__file__", None), *also_loaded)
                     if isinstance(path, str) and os.path.isfile(path)]
    joined = join_cgroups(setup.get("cgroups", []))
    os.umask(0o022)
    isolation = enter_sandbox(setup, sock)
    isolation["cgroups"] = joined
    # Every temporary and cache folder inside the grading's own space: the private /tmp of
    # the view, or (without one) the grading's 0700 folder. Never a folder shared with others.
    tmp = "/tmp" if isolation["mode"] in ("namespaces", "user-namespace") else setup.get("tmp") or "/tmp"
    for key, sub in (("HOME", ""), ("TMPDIR", ""), ("XDG_CACHE_HOME", ".cache"), ("MPLCONFIGDIR", "matplotlib"),
                     ("TORCHINDUCTOR_CACHE_DIR", "torchinductor"), ("TRITON_CACHE_DIR", "triton")):
        os.environ[key] = os.path.join(tmp, sub) if sub else tmp
    tempfile.tempdir = None             # chosen again from TMPDIR (a warm worker inherited the zygote's)
    apply_limits(setup.get("limits", {}))
    os.chdir(setup["submission"])
    sys.path.insert(0, setup["submission"])
    if setup.get("lib"):
        sys.path.append(setup["lib"])   # the course's shared helpers (public), for the probes
    guard = ImportGuard(setup.get("forbidden", {}), setup["submission"])
    guard.install()
    Worker(sock, wire, setup, guard).serve(isolation)


def join_cgroups(folders: list[str]) -> list[str]:
    """Move this process into the grading's cgroups (memory, pids) before anything else runs."""
    joined = []
    for folder in folders:
        try:
            _write(os.path.join(folder, "cgroup.procs"), str(os.getpid()))
            joined.append(folder)
        except OSError:
            pass
    return joined


def main() -> None:
    serve_channel(socket.socket(fileno=int(sys.argv[1])), load_runtime("wire"))


if __name__ == "__main__":
    main()
