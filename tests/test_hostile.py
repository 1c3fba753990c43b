"""Hostile and broken submissions: each gets exactly the score its honest part earns.

The toy course (10 points): public double 2, add 1, bad_arg 1; hidden double 3, triple 3
(other.py). Every case is graded in a real `cvgrade grade` process. For each: the exact score,
a valid results.json, grading within the course.yaml limits, no process of the sandbox left
behind, and nothing of the reference or hidden tests in what the student sees.
"""
from __future__ import annotations

import os
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from platform_helpers import MACHINE_WIDE, OTHER_REFERENCE, TOY_REFERENCE, cvgrade, grade_sources, validate_results

# One worker, in this order: "nothing left behind" counts every `sleep 4242.<pid>` on the machine, and
# the last tests read what the hostile gradings before them did (see conftest).
pytestmark = pytest.mark.xdist_group(MACHINE_WIDE)

# The detached process of a case below: its command line is this test run's own, so "nothing left
# behind" finds any it left anywhere on the machine, and never another run's (a shared machine).
DETACHED = f"sleep 4242.{os.getpid()}"

DOUBLE = "return 2 * np.asarray(x, dtype=np.float64)"
ADD = "return a + b"


def toy(**replace: str) -> str:
    """The reference toy.py with ``double``/``add`` bodies replaced, or code ``prefix``ed."""
    source = TOY_REFERENCE
    if "double" in replace:
        source = source.replace(DOUBLE, replace["double"])
    if "add" in replace:
        source = source.replace(ADD, replace["add"])
    return replace.get("prefix", "") + source


READ_SECRETS = """
import glob, os
leaked = []
for pattern in ["{root}/solutions/**/*.py", "/tmp/cvgrade-*/**", "/autograder/source/solutions/**"]:
    for path in glob.glob(pattern, recursive=True):
        if os.path.realpath(path).startswith(os.getcwd() + os.sep):
            continue                                   # its own staged files are not a leak
        try:
            leaked.append(open(path).read())
        except OSError:
            pass
print("LEAKED" if any("def triple" in text or "ref.toy" in text for text in leaked) else "nothing leaked")
"""

CASES = {
    # name: (sources, expected score)
    "sys.exit at import": ({"toy.py": "import sys\nsys.exit(0)\n"}, 3),
    "os._exit at import": ({"toy.py": "import os\nos._exit(1)\n"}, 3),
    "KeyboardInterrupt at import": ({"toy.py": "raise KeyboardInterrupt\n"}, 3),
    "SIGSEGV at import": ({"toy.py": "import ctypes\nctypes.string_at(0)\n"}, 3),
    "SIGSEGV in a call": ({"toy.py": toy(double="import ctypes; ctypes.string_at(0)")}, 5),
    "SystemExit in a call": ({"toy.py": toy(add="raise SystemExit(0)")}, 9),
    "os._exit in a call": ({"toy.py": toy(add="import os\n    os._exit(0)")}, 9),
    "KeyboardInterrupt in a call": ({"toy.py": toy(add="raise KeyboardInterrupt")}, 9),
    "infinite loop at import": ({"toy.py": "while True:\n    pass\n"}, 3),
    "infinite loop in a call, SIGTERM ignored": (
        {"toy.py": toy(add="import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    while True:\n"
                           "        pass")}, 9),
    "memory hog": ({"toy.py": toy(double="return np.ones(4_000_000_000)")}, 5),
    "fork bomb": ({"toy.py": toy(add="import os\n    while True:\n        try:\n            os.fork()\n"
                                     "        except OSError:\n            pass")}, 9),
    "detached background process": (
        {"toy.py": toy(add=f"import subprocess; subprocess.Popen({DETACHED.split()!r}, start_new_session=True)\n"
                           "    return a + b")}, 10),
    "200 MB of output": ({"toy.py": toy(add="import sys\n    for _ in range(200):\n"
                                            "        sys.stdout.write('x' * 1_000_000)\n    return a + b")}, 10),
    "kill the parent process group": (
        {"toy.py": toy(add="import os, signal\n    for target in (os.getppid(), 0):\n        try:\n"
                           "            os.killpg(os.getpgid(target), signal.SIGKILL)\n        except OSError:\n"
                           "            pass\n    return a + b")}, 9),      # its own group dies with it
    "patch numpy, builtins and pytest at import": (
        {"toy.py": "import builtins, sys, numpy\nnumpy.allclose = lambda *a, **k: True\n"
                   "numpy.testing.assert_allclose = lambda *a, **k: None\nbuiltins.abs = lambda x: 0\n"
                   "sys.modules['pytest'] = None\n" + toy(double="return np.zeros(np.shape(x))")}, 5),
    # Breaking isinstance breaks the student's own interpreter: every call fails, the grader does not.
    "patch builtins.isinstance": ({"toy.py": "import builtins\nbuiltins.isinstance = lambda *a: True\n"
                                             + TOY_REFERENCE}, 0),
    "object that equals everything": (
        {"toy.py": toy(double="class Yes:\n        def __eq__(self, other):\n            return True\n"
                              "        __array_priority__ = 1000\n    return Yes()")}, 5),
    "ndarray subclass that equals everything": (
        {"toy.py": toy(double="class Yes(np.ndarray):\n        def __eq__(self, other):\n"
                              "            return np.ones(np.shape(other), bool)\n"
                              "    return np.zeros(np.shape(x)).view(Yes)")}, 5),
    "torch tensor subclass that equals everything": (
        {"toy.py": toy(double="import torch\n    class Yes(torch.Tensor):\n        def __eq__(self, other):\n"
                              "            return True\n    return torch.zeros(np.shape(x)).as_subclass(Yes)")}, 5),
    "pickle payload": (
        {"toy.py": toy(double="import os\n    class Boom:\n        def __reduce__(self):\n"
                              "            return (os.system, ('touch /tmp/cvgrade-pwned',))\n    return Boom()")}, 5),
    "scavenge expected values from frames and gc": (
        {"toy.py": toy(double="import gc, sys\n    found = [o for o in gc.get_objects() if isinstance(o, np.ndarray)"
                              " and o.shape == np.shape(x) and o is not x]\n    f = sys._getframe()\n"
                              "    while f.f_back is not None:\n        f = f.f_back\n"
                              "    return found[-1] if found else np.zeros(np.shape(x))")}, 5),
    "int subclass": ({"toy.py": TOY_REFERENCE, "other.py": "class I(int):\n    pass\n\n\ndef triple(x):\n"
                                                              "    return I(3 * x)\n"}, 7),
    "fake score lines on stdout": (
        {"toy.py": toy(prefix="print('{\"score\": 100, \"tests\": []}')\nprint('=== 5 passed in 0.1s ===')\n",
                       double="return np.zeros(np.shape(x))")}, 5),
    "conftest, sitecustomize, pytest.ini and numpy.py injected": (
        {"toy.py": toy(double="return np.zeros(np.shape(x))"),
         "conftest.py": "import pytest\n@pytest.hookimpl(hookwrapper=True)\n"
                        "def pytest_runtest_makereport(item, call):\n"
                        "    out = yield\n    out.get_result().outcome = 'passed'\n",
         "sitecustomize.py": "import numpy\nnumpy.allclose = lambda *a, **k: True\n",
         "pytest.ini": "[pytest]\naddopts = -p no:terminal\n", "numpy.py": "raise SystemExit\n",
         "test_toy.py": "def test_nothing():\n    pass\n"}, 5),
    "delete and rewrite test files": (
        {"toy.py": toy(prefix="import glob, os\nfor p in glob.glob('{root}/**/test_*.py', recursive=True):\n"
                              "    try:\n        open(p, 'w').write('')\n    except OSError:\n        pass\n",
                       double="return np.zeros(np.shape(x))")}, 5),
    "write results.json anywhere": (
        {"toy.py": toy(prefix="import glob, json, os\nfake = json.dumps({'score': 100, 'tests': []})\n"
                              "for d in ['/autograder/results', *glob.glob('/tmp/*/results'), '{root}']:\n"
                              "    try:\n        open(os.path.join(d, 'results.json'), 'w').write(fake)\n"
                              "    except OSError:\n        pass\n",
                       double="return np.zeros(np.shape(x))")}, 5),
    "read the reference and hidden tests": ({"toy.py": READ_SECRETS + TOY_REFERENCE}, 10),
    "NaN and empty arrays": ({"toy.py": toy(double="return np.array([]) if np.size(x) > 3 else np.full(3, np.nan)")},
                             5),
}


@pytest.fixture(scope="module", autouse=True)
def adopt_orphans() -> None:
    """Make this test process a child subreaper: whatever a grading leaves running is re-parented
    here when its parents exit, so "nothing left behind" is checked exactly, whatever else
    (another test run, an instructor's batch) is grading on the same machine."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER


def _process_table() -> dict[int, tuple[int, str]]:
    """{pid: (ppid, state)} of every process we can see."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            table[int(entry)] = (int(fields[1]), fields[0])
        except (OSError, IndexError, ValueError):
            continue
    return table


def leftover_processes() -> list[int]:
    """Live processes descended from this test process: after a grading has returned, none."""
    table = _process_table()
    for pid, (ppid, state) in table.items():      # reap exited orphans re-parented to us
        if ppid == os.getpid() and state == "Z":
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
    alive, frontier = [], [os.getpid()]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, state) in table.items() if ppid == parent and state != "Z"]
        alive += children
        frontier += children
    return alive


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_submission(toy_root, tmp_path, case):
    sources, expected = CASES[case]
    sources = {name: code.replace("{root}", str(toy_root)) for name, code in sources.items()}
    sources.setdefault("other.py", OTHER_REFERENCE)
    started = time.monotonic()
    doc = grade_sources(toy_root, tmp_path, sources)
    elapsed = time.monotonic() - started
    assert doc["score"] == expected, doc["output"] + "\n".join(t["output"][:300] for t in doc["tests"])
    assert elapsed < 60                                   # the toy course's total_s
    everything = doc["output"] + "".join(t["output"] for t in doc["tests"])
    assert "LEAKED" not in everything and "def triple" not in everything
    assert not os.path.exists("/tmp/cvgrade-pwned")
    assert not (toy_root / "results.json").exists()
    assert leftover_processes() == []
    if os.geteuid() == 0:
        assert "unprivileged user" in doc["output"]
    leftovers = subprocess.run(["pgrep", "-f", DETACHED], capture_output=True, text=True).stdout.split()
    assert leftovers == []


def test_test_files_are_untouched_after_hostile_grading(toy_root):
    assert "def test_double" in (toy_root / "assignments/hw0/tests/test_toy.py").read_text()


def test_hostile_zip_upload(toy_root, tmp_path):
    path = tmp_path / "upload.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../evil/toy.py", "raise SystemExit\n")
        archive.writestr("/abs/other.py", OTHER_REFERENCE)
        info = zipfile.ZipInfo("hw0/link.py")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
        archive.writestr("hw0/toy.py", TOY_REFERENCE)
        archive.writestr("hw0/big.txt", b"\0" * (50 << 20))
    out = tmp_path / "r.json"
    proc = cvgrade("grade", "hw0", str(path), "--json", str(out), root=toy_root)
    assert proc.returncode == 0, proc.stderr
    import json

    doc = json.loads(out.read_text())
    validate_results(doc)
    assert doc["score"] == 10
    assert not (tmp_path.parent / "evil").exists()


# Without root (a laptop): no privilege drop, the same process split and limits. Simulated here
# on a root machine (the fork bomb is left out, since root is not bound by RLIMIT_NPROC): with a
# user namespace (the worker keeps the grading user's uid, without capabilities, in its own
# view), and with none at all (nothing hides the grader's files; the results say so).
LAPTOP_CASES = ["os._exit at import", "SIGSEGV in a call", "infinite loop in a call, SIGTERM ignored",
                "memory hog", "detached background process", "200 MB of output",
                "conftest, sitecustomize, pytest.ini and numpy.py injected", "pickle payload",
                "ndarray subclass that equals everything", "read the reference and hidden tests"]
NO_NAMESPACE_CASES = ["SIGSEGV in a call", "detached background process", "pickle payload"]


@pytest.mark.parametrize("case", LAPTOP_CASES)
def test_hostile_submission_without_privilege_drop(toy_root, tmp_path, case):
    sources, expected = CASES[case]
    sources = {name: code.replace("{root}", str(toy_root)) for name, code in sources.items()}
    sources.setdefault("other.py", OTHER_REFERENCE)
    doc = grade_sources(toy_root, tmp_path, sources, env={"CVGRADE_SANDBOX_USER": "none", "CVGRADE_NAMESPACES": "user"})
    assert doc["score"] == expected, doc["output"]
    assert "Isolation (user-namespace): your code ran without privileges" in doc["output"]
    assert "LEAKED" not in doc["output"] + "".join(t["output"] for t in doc["tests"])
    assert leftover_processes() == []
    leftovers = subprocess.run(["pgrep", "-f", DETACHED], capture_output=True, text=True).stdout.split()
    assert leftovers == []


@pytest.mark.parametrize("case", NO_NAMESPACE_CASES)
def test_hostile_submission_without_privilege_drop_or_namespaces(toy_root, tmp_path, case):
    sources, expected = CASES[case]
    sources = {name: code.replace("{root}", str(toy_root)) for name, code in sources.items()}
    sources.setdefault("other.py", OTHER_REFERENCE)
    doc = grade_sources(toy_root, tmp_path, sources, env={"CVGRADE_SANDBOX_USER": "none", "CVGRADE_NAMESPACES": "off"})
    assert doc["score"] == expected, doc["output"]
    assert "Isolation (none)" in doc["output"] and "were not isolated from one another" in doc["output"]
    assert leftover_processes() == []
    leftovers = subprocess.run(["pgrep", "-f", DETACHED], capture_output=True, text=True).stdout.split()
    assert leftovers == []


def test_broken_sandbox_is_a_loud_grader_error_not_a_zero(toy_root, tmp_path):
    doc = grade_sources(toy_root, tmp_path, {"toy.py": TOY_REFERENCE, "other.py": OTHER_REFERENCE},
                        env={"CVGRADE_WORKER_PYTHON": "/bin/false"})
    assert doc["output"].startswith("GRADER ERROR") and "not your fault" in doc["output"]
    assert doc["tests"] == []


def _process_named(name: str) -> bool:
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and Path(f"/proc/{entry}/comm").read_text().strip() == name:
                return True
        except OSError:
            continue
    return False


def test_sigterm_stops_grading_with_partial_results_flagged(toy_root, tmp_path):
    import json
    import signal
    import sys
    import uuid

    # add() announces that it is running (its process name, the one thing the sandbox shows
    # the host), then sleeps: the signal arrives inside a call of student code however loaded
    # the machine is.
    name = f"sigterm{uuid.uuid4().hex[:8]}"
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "toy.py").write_text(toy(add=f"import ctypes, time\n    ctypes.CDLL(None).prctl(15, "
                                               f"{name.encode()!r})\n    time.sleep(1.5)\n    return a + b"))
    (submission / "other.py").write_text(OTHER_REFERENCE)
    out = tmp_path / "results.json"
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "--root", str(toy_root), "grade", "hw0",
                             str(submission), "--json", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _process_named(name):
        time.sleep(0.02)
    assert _process_named(name), "the call of add() never started"
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    doc = json.loads(out.read_text())
    validate_results(doc)
    assert doc["output"].startswith("INCOMPLETE")
    assert len(doc["tests"]) == 5 and doc["score"] < 10
    assert any("grading was stopped" in t["output"] for t in doc["tests"])
    assert leftover_processes() == []


def test_concurrent_gradings_do_not_kill_each_other(toy_root, tmp_path):
    """A timeout in one grading kills its own sandbox uid's processes, never another grading's worker."""
    from concurrent.futures import ThreadPoolExecutor

    slow_but_right = toy(double="import time\n    time.sleep(1.2)\n    return 2 * np.asarray(x, dtype=np.float64)")
    looping = toy(double="while True:\n        pass")
    with ThreadPoolExecutor(max_workers=2) as pool:
        good = pool.submit(grade_sources, toy_root, tmp_path / "good", {"toy.py": slow_but_right,
                                                                         "other.py": OTHER_REFERENCE})
        bad = pool.submit(grade_sources, toy_root, tmp_path / "bad", {"toy.py": looping, "other.py": OTHER_REFERENCE})
        good_doc, bad_doc = good.result(), bad.result()
    assert good_doc["score"] == 10, [t["output"] for t in good_doc["tests"]]
    assert bad_doc["score"] == 5


def test_a_folder_thousands_deep_left_behind_is_cleaned_up(toy_root, tmp_path):
    """Clean-up never recurses: a tree deeper than Python's recursion limit is removed, results valid."""
    deep = toy(prefix="import os as _os\n"
                      "try:\n"
                      "    _fd = _os.open('.', _os.O_RDONLY)\n"
                      "    for _ in range(1500):\n"
                      "        _os.mkdir('d', dir_fd=_fd)\n"
                      "        _next = _os.open('d', _os.O_RDONLY, dir_fd=_fd)\n"
                      "        _os.close(_fd)\n"
                      "        _fd = _next\n"
                      "except OSError:\n"
                      "    pass\n")
    scratch = tmp_path / "tmp"
    if Path("/dev/shm").is_dir():          # rmdir on tmpfs is fast; on disk 1500 levels take seconds
        import tempfile
        scratch = Path(tempfile.mkdtemp(dir="/dev/shm"))
    scratch.mkdir(exist_ok=True)
    doc = grade_sources(toy_root, tmp_path, {"toy.py": deep, "other.py": OTHER_REFERENCE},
                        env={"CVGRADE_SANDBOX_USER": "none", "CVGRADE_NAMESPACES": "off", "TMPDIR": str(scratch)})
    assert doc["score"] == 10, doc["output"]
    assert list(scratch.iterdir()) == [], "the grading left its folders behind"
    scratch.rmdir()
