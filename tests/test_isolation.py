"""Student code sees nothing but itself: attacks on the grader's secrets, on other gradings and
on the machine, graded for real (a `cvgrade grade` process) on both privileged paths.

The course here is the toy course in a world-readable folder (as a checkout in /work or /home
is), with a git history, a built autograder zip, a second world-readable copy of the course
elsewhere in /tmp and an old-style staged sandbox of another student beside it: everything an
attacker found in the review. Each attack is the body of ``add``: it returns ``a + b`` (the
public test's point) only when it found nothing, and prints what it found otherwise, so a
leak costs exactly that point and the failure message says what leaked.

Paths: "privileged" (root with CAP_SYS_ADMIN: namespaces) and "capsh" (root without
CAP_SYS_ADMIN, as in a Docker container with default capabilities: here a user namespace).
Degraded mode (no namespace at all) is forced with CVGRADE_NAMESPACES=off.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import uuid
import zipfile
from pathlib import Path

import pytest
from platform_helpers import HIDDEN_TESTS, MACHINE_WIDE, OTHER_REFERENCE, REPO, TOY_REFERENCE, validate_results

MARKER = "CVGRADE-SECRET-MARKER-4f1c9e"      # in the reference, the hidden tests, every copy
# How an attack spells it: never whole in its own source (which it may find and read).
SPELLED = 'SECRET = ("CVGRADE-SECRET-" + "MARKER-4f1c9e").encode()\n'

CAPSH = shutil.which("capsh")

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox's privileged paths need root")


def _public_folder(prefix: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    os.chmod(folder, 0o755)
    return folder


@pytest.fixture(scope="module")
def course(toy_root: Path) -> Path:
    """The toy course, world-readable, with .git, dist/ and a second copy elsewhere on disk."""
    root = _public_folder("cvgrade-course-")
    shutil.copytree(toy_root, root, dirs_exist_ok=True)
    # Attacks take their time (a walk of the disk, ten processes): a per-call limit that lets them.
    (root / "course.yaml").write_text((root / "course.yaml").read_text().replace("per_call_s: 2", "per_call_s: 20"))
    (root / "solutions/hw0/other.py").write_text(f"# {MARKER}\n" + OTHER_REFERENCE)
    (root / "solutions/hw0/tests/test_toy_hidden.py").write_text(f"# {MARKER}\n" + HIDDEN_TESTS)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q", str(root)], check=True)
    subprocess.run([*git, "-C", str(root), "add", "solutions", "course.yaml"], check=True)
    subprocess.run([*git, "-C", str(root), "commit", "-q", "-m", "course"], check=True)
    (root / "dist").mkdir()
    with zipfile.ZipFile(root / "dist/hw0-autograder.zip", "w") as archive:      # stored, not deflated
        archive.writestr("source/solutions/hw0/other.py", f"# {MARKER}\n")
    copy = _public_folder("cvgrade-copy-")
    shutil.copytree(root / "solutions", copy / "solutions")
    victim = _public_folder("cvgrade-sandbox-victim-")
    (victim / "submission").mkdir(mode=0o755)
    (victim / "submission/toy.py").write_text(f"# {MARKER} (another student's staged file)\n")
    for path in [root, copy, victim, *root.rglob("*"), *copy.rglob("*"), *victim.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    yield root
    for folder in (root, copy, victim):
        shutil.rmtree(folder, ignore_errors=True)


def grade(course: Path, tmp_path: Path, add_body: str, *, path: str = "privileged", env: dict | None = None,
          prefix: str = "") -> tuple[dict, subprocess.CompletedProcess]:
    """Grade the reference with ``add`` replaced by ``add_body``; (results.json, the process)."""
    submission = tmp_path / "submission"
    submission.mkdir(parents=True, exist_ok=True)
    body = textwrap.indent(textwrap.dedent(add_body).strip(), "    ")
    (submission / "toy.py").write_text(prefix + TOY_REFERENCE.replace("    return a + b", body))
    (submission / "other.py").write_text(OTHER_REFERENCE)
    out = tmp_path / "results.json"
    command = [sys.executable, "-m", "autograder", "--root", str(course), "grade", "hw0", str(submission),
               "--json", str(out)]
    if path == "capsh":
        command = [CAPSH, "--drop=cap_sys_admin", "--", "-c", 'exec "$@"', "sh", *command]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)
    assert out.is_file(), proc.stderr[-2000:]
    document = json.loads(out.read_text())
    validate_results(document)
    return document, proc


def found_nothing(document: dict) -> None:
    assert document["score"] == 10, "\n".join([document["output"]] + [t["output"][:600] for t in document["tests"]
                                                                        if t["score"] < t["max_score"]])
    everything = document["output"] + "".join(t["output"] for t in document["tests"])
    assert MARKER not in everything


PATHS = ["privileged", pytest.param("capsh", marks=pytest.mark.skipif(CAPSH is None, reason="capsh is not installed"))]

# Each returns a + b when the attack found nothing; else prints what it found and returns None.
ATTACKS = {
    "read .git objects of the course root": """
        import os, zlib
        found = []
        for folder, _, files in os.walk("{root}/.git"):
            for name in files:
                try:
                    data = open(os.path.join(folder, name), "rb").read()
                    found += [name] if b"MARKER" in zlib.decompress(data) or b"MARKER" in data else []
                except Exception:
                    pass
        if found or os.path.exists("{root}/.git/HEAD"):
            print("found", found, os.path.exists("{root}/.git/HEAD"))
            return None
        return a + b
    """,
    "read dist/*.zip of the course root": """
        import glob
        for path in glob.glob("{root}/dist/*") + ["{root}/dist/hw0-autograder.zip"]:
            try:
                if b"MARKER" in open(path, "rb").read():
                    print("found", path)
                    return None
            except OSError:
                pass
        return a + b
    """,
    "find the course root and read it": """
        import glob, os, sys
        places = [sys.prefix, sys.base_prefix, os.path.dirname(sys.executable)]
        for path in glob.glob("/proc/*/cmdline") + ["/proc/self/mountinfo"]:
            try:
                places += open(path, "rb").read().decode(errors="replace").replace("\\0", " ").split()
            except OSError:
                pass
        for place in places:
            while place.startswith("/") and len(place) > 1:
                for name in ("solutions", "assignments", "course.yaml", ".git"):
                    if os.path.exists(os.path.join(place, name)):
                        print("found", os.path.join(place, name))
                        return None
                place = os.path.dirname(place)
        return a + b
    """,
    "walk the disk for the reference": """
        import os, sys
        skip = ("/proc", "/sys", "/dev", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", sys.base_prefix, sys.prefix)
        for folder, dirs, files in os.walk("/"):
            if folder.startswith(skip):
                dirs[:] = []
                continue
            for name in files:
                path = os.path.join(folder, name)
                try:
                    if os.path.getsize(path) < 1 << 20 and b"MARKER" in open(path, "rb").read():
                        print("found", path)
                        return None
                except OSError:
                    pass
        return a + b
    """,
    "see other processes": """
        import os
        seen = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    seen.append(open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode())
                except OSError:
                    pass
        strangers = [c for c in seen if "autograder" in c or "pytest" in c or "grade-one" in c]
        if strangers or len(seen) > 8:
            print("found", strangers, len(seen))
            return None
        return a + b
    """,
    "read another staged sandbox": """
        import glob
        for path in glob.glob("/tmp/cvgrade-sandbox-*/submission/*.py"):
            try:
                if b"MARKER" in open(path, "rb").read():
                    print("found", path)
                    return None
            except OSError:
                pass
        return a + b
    """,
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_attack_finds_nothing(course, tmp_path, attack, path):
    body = SPELLED + textwrap.dedent(ATTACKS[attack]).replace("{root}", str(course)).replace('b"MARKER"', "SECRET")
    document, proc = grade(course, tmp_path, body, path=path)
    found_nothing(document)
    assert proc.returncode == 0
    mode = "namespaces" if path == "privileged" else "user-namespace"
    assert f"Isolation ({mode})" in document["output"]


@pytest.mark.parametrize("path", PATHS)
def test_shm_sysv_and_tmp_are_private_and_gone_after_grading(course, tmp_path, path):
    tag = uuid.uuid4().hex[:12]
    key = int(tag[:7], 16)
    body = f"""
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        shmid = libc.shmget({key}, 1 << 20, 0o1666)                 # IPC_CREAT, left behind on purpose
        if shmid < 0 or libc.shmat(shmid, None, 0) in (None, ctypes.c_void_p(-1).value):
            print("no SysV shm", ctypes.get_errno())
            return None
        for folder in ("/dev/shm", "/tmp"):
            with open(os.path.join(folder, "cvgrade-attack-{tag}"), "wb") as handle:
                handle.write(b"x" * (1 << 20))
        return a + b
    """
    document, _ = grade(course, tmp_path, body, path=path)
    found_nothing(document)
    assert not Path(f"/dev/shm/cvgrade-attack-{tag}").exists()
    assert not Path(f"/tmp/cvgrade-attack-{tag}").exists()
    keys = [line.split()[0] for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]]
    assert str(key) not in keys


@pytest.mark.xdist_group(MACHINE_WIDE)      # measures /tmp's disk usage: not beside another grading of ours
@pytest.mark.parametrize("path", PATHS)
def test_filling_tmp_is_bounded_and_private(course, tmp_path, path):
    before = shutil.disk_usage("/tmp").used
    body = """
        import os
        written = 0
        try:
            for i in range(40):                                       # up to 40 x 32 MB = 1.25 GB
                with open(f"/tmp/fill-{i}", "wb") as handle:
                    handle.write(b"x" * (32 << 20))
                written += 32 << 20
        except OSError:
            pass
        if written > 512 << 20:
            print("wrote", written >> 20, "MB")
            return None
        return a + b
    """
    document, _ = grade(course, tmp_path, body, path=path)
    found_nothing(document)
    assert shutil.disk_usage("/tmp").used - before < 256 << 20    # nothing of it reached the real /tmp


@pytest.mark.parametrize("path", PATHS)
def test_memory_is_bounded_for_the_whole_grading_not_per_process(course, tmp_path, path):
    """Ten processes of 150 MB each (each within RLIMIT_AS) would hold 1.5 GB; memory_mb is 1024."""
    body = """
        import os, time
        held, children = [], []
        for _ in range(10):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                try:
                    block = b"x" * (150 << 20)
                    os.write(write, b"1")
                    time.sleep(30)
                finally:
                    os._exit(0)
            os.close(write)
            children.append((pid, read))
        import select
        deadline, waiting = time.monotonic() + 12, [read for _, read in children]
        while waiting and time.monotonic() < deadline:
            ready, _, _ = select.select(waiting, [], [], max(0.0, deadline - time.monotonic()))
            for read in ready:
                if os.read(read, 1) == b"1":           # b"": killed (out of memory) before holding it
                    held.append(next(pid for pid, r in children if r == read))
                waiting.remove(read)
        time.sleep(1.0)             # a child the kernel chose to kill last needs a moment to be gone
        alive = [pid for pid in held if os.waitpid(pid, os.WNOHANG)[0] == 0]   # holding it, not killed since
        for pid, _ in children:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        if len(alive) * 150 > 1024:
            print(len(alive), "processes held 150 MB each at once")
            return None
        return a + b
    """
    document, _ = grade(course, tmp_path, body, path=path)
    found_nothing(document)


EXEC_IMPORTS = """
    import builtins, code, importlib, types
    import numpy
    name = "sci" + "py"
    attempts = {
        "exec with a borrowed __name__": lambda: exec("imp" + "ort " + name, {"__name__": "helpers"}),
        "__import__ restored": lambda: (setattr(builtins, "__import__", getattr(builtins.__import__, "original",
                                                                                  builtins.__import__)),
                                        exec("imp" + "ort " + name)),
        "importlib": lambda: importlib.import_module(name),
        "compiled under a library's file name": lambda: exec(compile("imp" + "ort " + name, numpy.__file__, "exec"),
                                                             {"__name__": "numpy"}),
        "interactive interpreter": lambda: code.InteractiveInterpreter().runcode(
            compile("imp" + "ort " + name, "<input>", "exec")),
        "code object renamed to a library file": lambda: types.FunctionType(
            _grab.__code__.replace(co_filename=numpy.__file__), {"target": name, "__builtins__": builtins})(),
    }
    import sys
    for label, attempt in attempts.items():
        sys.modules.pop(name, None)
        try:
            attempt()
        except ImportError:
            continue
        if name in sys.modules:
            print("imported scipy by", label)
            return None
    return a + b
"""


@pytest.mark.parametrize("path", PATHS)
def test_forbidden_import_by_exec_is_refused(course, tmp_path, path):
    grab = "def _grab():\n    return __import__(target)  # noqa: F821 - its globals are given when it is called\n"
    document, _ = grade(course, tmp_path, EXEC_IMPORTS, path=path, prefix=grab)
    found_nothing(document)


def test_exec_import_in_an_allowed_module_still_works(course, tmp_path):
    """other.py may import scipy (only toy.py may not): the same exec there is not refused."""
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "toy.py").write_text(TOY_REFERENCE)
    (submission / "other.py").write_text("def triple(x):\n    exec('imp' + 'ort scipy', {'__name__': 'toy'})\n"
                                         "    return 3 * x\n")
    out = tmp_path / "r.json"
    subprocess.run([sys.executable, "-m", "autograder", "--root", str(course), "grade", "hw0", str(submission),
                    "--json", str(out)], capture_output=True, timeout=300, cwd=REPO)
    assert json.loads(out.read_text())["score"] == 10


def test_static_check_sees_literal_exec_and_sys_modules():
    from shared.source_checks import module_problem

    for source in ['exec("import torch", {"__name__": "helpers"})',
                   'eval(compile("__import__(\'torch\')", "f", "eval"))',
                   'import sys\nx = sys.modules["torch"]',
                   'import importlib.util\nimportlib.util.find_spec("torch.nn")',
                   'import importlib\nimportlib.import_module("torch")']:
        problem = module_problem("filters.py", source.encode(), ["torch"])
        assert problem is not None and "imports torch" in problem, source
    assert module_problem("filters.py", b'exec("x = 1")\nimport numpy\n', ["torch"]) is None


# ------------------------------------------------------------------ degraded mode: safe and loud
def _world_readable(path: Path) -> bool:
    """Could a uid with no rights but "other" read ``path``?"""
    return os.stat(path).st_mode & 0o005 == 0o005 and all(os.stat(p).st_mode & 0o001 for p in path.parents)


def test_no_namespaces_and_an_unreadable_interpreter_is_a_grader_error(course, tmp_path):
    """The worker drops to the sandbox uid and cannot read the stdlib (here under /root, 0700): not zeros."""
    if _world_readable(Path(os.path.realpath(sys.base_prefix))):
        pytest.skip("this interpreter is readable by every user; the unreadable case cannot happen here")
    document, proc = grade(course, tmp_path, "return a + b", env={"CVGRADE_NAMESPACES": "off"})
    assert proc.returncode == 1
    assert document["output"].startswith("GRADER ERROR") and "Python installation" in document["output"]
    assert document["tests"] == [] and document["score"] == 0


@pytest.fixture(scope="module")
def readable_python(tmp_path_factory) -> Path:
    """An interpreter every uid can read: the system python3 with this venv's packages (numpy) on its path."""
    system = Path("/usr/bin/python3")
    if not system.is_file():
        pytest.skip("no /usr/bin/python3 to run the worker as a readable interpreter")
    version = subprocess.run([str(system), "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                             text=True).stdout.strip()
    if version != str(sys.version_info[:2]):
        pytest.skip(f"/usr/bin/python3 is {version}, the venv's packages are for {sys.version_info[:2]}")
    site = Path(__import__("numpy").__file__).parents[1]
    if not _world_readable(site):
        pytest.skip(f"{site} is not readable by other users")
    folder = _public_folder("cvgrade-python-")
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(folder / "venv")], check=True)
    lib = next((folder / "venv/lib").glob("python3*")) / "site-packages"
    (lib / "course.pth").write_text(f"{site}\n")
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, os.stat(path).st_mode | 0o005)
    yield folder / "venv/bin/python3"
    shutil.rmtree(folder, ignore_errors=True)


def test_no_namespaces_and_a_readable_course_is_a_grader_error_naming_it(course, tmp_path, readable_python):
    document, proc = grade(course, tmp_path, "return a + b",
                           env={"CVGRADE_NAMESPACES": "off", "CVGRADE_WORKER_PYTHON": str(readable_python)})
    assert proc.returncode == 1
    assert document["output"].startswith("GRADER ERROR") and document["tests"] == []
    assert "solutions" in document["output"] and "chmod 700" in document["output"]


def test_no_namespaces_and_a_private_course_grades_with_the_uid_only(toy_root, tmp_path, readable_python):
    """The course in a 0700 folder (pytest's own temporary folder): the canary proves it unreadable."""
    assert os.stat(toy_root.parent).st_mode & 0o077 == 0 or os.stat(toy_root.parent.parent).st_mode & 0o077 == 0
    document, proc = grade(toy_root, tmp_path, "return a + b",
                           env={"CVGRADE_NAMESPACES": "off", "CVGRADE_WORKER_PYTHON": str(readable_python)})
    assert proc.returncode == 0, document["output"]
    assert document["score"] == 10 and "Isolation (uid-only)" in document["output"]


@pytest.mark.skipif(CAPSH is None, reason="capsh is not installed")
def test_reference_scores_full_marks_without_cap_sys_admin(course, tmp_path):
    document, proc = grade(course, tmp_path, "return a + b", path="capsh")
    assert proc.returncode == 0 and document["score"] == 10, document["output"]
    assert "Isolation (user-namespace)" in document["output"]


def test_staged_folders_are_private_to_the_grading_uid(tmp_path):
    from autograder.isolation.users import prepare_folders

    (tmp_path / "s/submission").mkdir(parents=True)
    (tmp_path / "s/submission/toy.py").write_text("x = 1\n")
    prepare_folders(tmp_path / "s", 61077)
    for path in [tmp_path / "s", *(tmp_path / "s").rglob("*")]:
        info = path.stat()
        assert (info.st_uid, info.st_gid) == (61077, 61077), path
        assert info.st_mode & 0o077 == 0, f"{path} is {oct(info.st_mode)}"


# ------------------------------------------------------------------ not root: a laptop, a normal user's batch
NOT_ROOT_UID = 65534


def test_worker_of_an_ordinary_user_gets_its_own_view_in_a_user_namespace(readable_python, course, monkeypatch):
    """The worker started as an ordinary user (through setpriv): a user namespace, the same view."""
    from autograder.isolation.client import Sandbox, SandboxSettings
    from autograder.isolation.users import prepare_folders

    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv is not installed")
    if Path("/proc/sys/user/max_user_namespaces").read_text().strip() == "0":
        pytest.skip("this machine allows no user namespaces (the worker would say mode 'none')")
    wrapper = _public_folder("cvgrade-as-user-") / "python"
    wrapper.write_text(f"#!/bin/sh\nexec {setpriv} --reuid={NOT_ROOT_UID} --regid={NOT_ROOT_UID} --clear-groups "
                       f"{readable_python} \"$@\"\n")
    os.chmod(wrapper, 0o755)
    os.chmod(wrapper.parent, 0o755)
    monkeypatch.setenv("CVGRADE_WORKER_PYTHON", str(wrapper))
    staged = wrapper.parent / "sandbox"                   # pytest's own folders are private to root
    (staged / "submission").mkdir(parents=True)
    (staged / "submission/toy.py").write_text(
        "import os\n\ndef look():\n    return [sorted(os.listdir('/')), os.getuid(),\n"
        "            len([p for p in os.listdir('/proc') if p.isdigit()])]\n")
    submission, runtime = prepare_folders(staged, NOT_ROOT_UID)       # the user's own folders, as on a laptop
    sandbox = Sandbox(SandboxSettings(submission_dir=submission, runtime_dir=runtime, private=[course],
                                      view_dir=staged / "view", tmp_dir=staged / "tmp"))
    try:
        assert sandbox.canary(["numpy"], [course / "solutions", course / ".git/HEAD"]) is None
        assert sandbox.isolation["mode"] == "user-namespace", sandbox.isolation
        top, uid, processes = sandbox.call({"op": "call", "module": "toy", "name": "look"})
        assert uid == NOT_ROOT_UID and processes <= 3
        assert "work" not in top or "main" not in os.listdir("/"), top
        assert not any(name.startswith("cvgrade-course") for name in top)
    finally:
        sandbox.close()
        shutil.rmtree(wrapper.parent, ignore_errors=True)
