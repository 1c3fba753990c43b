"""`cvgrade batch` on the toy course, and the warm start (fork server) it uses.

The toy course (10 points): public double 2, add 1, bad_arg 1; hidden double 3, triple 3.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from platform_helpers import MACHINE_WIDE, OTHER_REFERENCE, TOY_REFERENCE, TOY_STUB, cvgrade, grade_sources

from autograder.isolation.zygote_client import ENV_VAR, ForkServer, ForkServerError, spawn

HEADER = ["student", "email", "sid", "submission", "status", "double: a small array", "add: two numbers",
          "bad_arg: ValueError naming mode", "double: random input", "triple: an integer", "total"]


def write(folder: Path, sources: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, code in sources.items():
        (folder / name).write_text(textwrap.dedent(code))
    return folder


def zip_up(path: Path, sources: dict[str, str], top: str = "hw0") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, code in sources.items():
            archive.writestr(f"{top}/{name}", code)
    return path


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text())))


@pytest.fixture()
def class_folder(tmp_path: Path) -> Path:
    """Five students: full marks, a zip without other.py, a hostile one, a corrupt zip, a syntax error."""
    folder = tmp_path / "class"
    write(folder / "alice", {"toy.py": TOY_REFERENCE, "other.py": OTHER_REFERENCE})
    zip_up(folder / "bob.zip", {"toy.py": TOY_REFERENCE})
    write(folder / "carol", {"toy.py": "import os\nos._exit(1)\n", "other.py": OTHER_REFERENCE})
    (folder / "dave.zip").write_bytes(b"this is not a zip")
    write(folder / "erin", {"toy.py": TOY_REFERENCE, "other.py": "def triple(x)\n    return 3 * x\n"})
    (folder / "notes.txt").write_text("not a submission")
    return folder


def test_batch_grades_folders_and_zips_one_failure_never_stops_it(toy_root, class_folder, tmp_path):
    out = tmp_path / "grades.csv"
    proc = cvgrade("batch", "hw0", str(class_folder), "-j", "2", "--csv", str(out), root=toy_root)
    assert proc.returncode == 1, proc.stderr                 # dave.zip could not be graded
    assert "5 submissions: 4 graded, 0 reused from the cache, 1 not graded" in proc.stdout
    assert "not graded: dave.zip" in proc.stdout and "not a readable zip" in proc.stdout
    assert rows(out) == [
        HEADER,
        ["alice", "", "", "alice", "graded", "2", "1", "1", "3", "3", "10"],
        ["bob", "", "", "bob.zip", "graded", "2", "1", "1", "3", "0", "7"],
        ["carol", "", "", "carol", "graded", "0", "0", "0", "0", "3", "3"],
        ["dave", "", "", "dave.zip", "not graded", "0", "0", "0", "0", "0", "0"],
        ["erin", "", "", "erin", "graded", "2", "1", "1", "3", "0", "7"],
    ]
    assert "warm start: " in proc.stdout and "workers forked" in proc.stdout
    assert "it/s" in proc.stderr or "submission/s" in proc.stderr or "s/submission" in proc.stderr   # tqdm


def test_cold_batch_gives_the_same_csv(toy_root, class_folder, tmp_path):
    warm, cold = tmp_path / "warm.csv", tmp_path / "cold.csv"
    cvgrade("batch", "hw0", str(class_folder), "--csv", str(warm), "--no-cache", root=toy_root)
    proc = cvgrade("batch", "hw0", str(class_folder), "--csv", str(cold), "--no-cache", "--cold", root=toy_root)
    assert "warm start" not in proc.stdout
    assert warm.read_text() == cold.read_text()


METADATA = """\
submission_111:
  :submitters:
  - :name: Ada Lovelace
    :email: ada@example.edu
    :sid: '1001'
  :created_at: 2027-02-05 20:00:00.000000000 -05:00
  :score: 0.0
submission_222:
  :submitters:
  - :name: "<b onmouseover=alert(1)>Mallory</b>"
    :email: mallory@example.edu
    :sid: '1002'
  - :name: =HYPERLINK("http://evil")
    :email: trent@example.edu
    :sid: '1003'
"""


def test_gradescope_export_layout_with_metadata_and_a_self_contained_escaped_report(toy_root, tmp_path):
    export = tmp_path / "assignment_export"
    write(export / "submission_111", {"toy.py": TOY_REFERENCE, "other.py": OTHER_REFERENCE})
    hostile = TOY_REFERENCE.replace("return a + b", "raise ValueError('<script>alert(\"x\")</script>')")
    write(export / "submission_222" / "nested", {"toy.py": hostile, "other.py": OTHER_REFERENCE})
    (export / "submission_metadata.yml").write_text(METADATA)
    out, report = tmp_path / "grades.csv", tmp_path / "report.html"
    proc = cvgrade("batch", "hw0", str(export), "--csv", str(out), "--report", str(report), root=toy_root)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert rows(out) == [
        HEADER,
        ["Ada Lovelace", "ada@example.edu", "1001", "submission_111", "graded", "2", "1", "1", "3", "3", "10"],
        ["<b onmouseover=alert(1)>Mallory</b>", "mallory@example.edu", "1002", "submission_222", "graded",
         "2", "0", "1", "3", "3", "9"],
        ["'=HYPERLINK(\"http://evil\")", "trent@example.edu", "1003", "submission_222", "graded",
         "2", "0", "1", "3", "3", "9"],
    ]
    page = report.read_text()
    lowered = page.lower()
    assert "<svg" in lowered and "score histogram" in lowered and "per-test pass rates" in lowered
    assert "slowest tests" in lowered and "failure messages by test" in lowered
    assert "<script" not in lowered and "onmouseover=alert" not in lowered.replace("&lt;b onmouseover=alert", "")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page            # the message, escaped
    assert "&lt;b onmouseover=alert(1)&gt;Mallory&lt;/b&gt;" in page
    for external in ("src=", "<link", "@import", "<iframe", "<object", "<!doctype svg"):
        assert external not in lowered, external
    assert all(target.startswith("#") for target in re.findall(r"url\(([^)]*)\)", page))     # only inside the SVG
    assert all(target.startswith("#") for target in re.findall(r"href=\"([^\"]*)\"", page))
    assert "http://evil" not in page.replace("&quot;http://evil&quot;", "")
    assert "raised ValueError" in page                                             # grouped under add


def test_rerun_reuses_unchanged_submissions_and_regrades_changed_ones(toy_root, tmp_path):
    folder = tmp_path / "class"
    write(folder / "alice", {"toy.py": TOY_REFERENCE, "other.py": OTHER_REFERENCE})
    write(folder / "bob", {"toy.py": TOY_STUB, "other.py": OTHER_REFERENCE})
    out = tmp_path / "grades.csv"
    first = cvgrade("batch", "hw0", str(folder), "--csv", str(out), root=toy_root)
    assert "2 graded, 0 reused" in first.stdout
    before = out.read_text()
    second = cvgrade("batch", "hw0", str(folder), "--csv", str(out), root=toy_root)
    assert "0 graded, 2 reused" in second.stdout and "warm start" not in second.stdout   # no server needed
    assert out.read_text() == before.replace(",graded,", ",reused,")
    (folder / "bob" / "toy.py").write_text(TOY_REFERENCE + "\n# fixed\n")                 # bob fixes his code
    third = cvgrade("batch", "hw0", str(folder), "--csv", str(out), root=toy_root)
    assert "1 graded, 1 reused" in third.stdout
    assert rows(out)[2][-1] == "10"
    assert (folder / ".cvgrade-cache" / "hw0").is_dir()


def test_cache_is_invalidated_when_the_tests_change(toy_root, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(toy_root, root)
    folder = tmp_path / "class"
    write(folder / "alice", {"toy.py": TOY_REFERENCE, "other.py": OTHER_REFERENCE})
    cache = tmp_path / "cache"
    assert "1 graded" in cvgrade("batch", "hw0", str(folder), "--cache", str(cache), root=root).stdout
    assert "1 reused" in cvgrade("batch", "hw0", str(folder), "--cache", str(cache), root=root).stdout
    hidden = root / "solutions/hw0/tests/test_toy_hidden.py"
    hidden.write_text(hidden.read_text().replace("(4, 5)", "(5, 4)"))
    assert "1 graded, 0 reused" in cvgrade("batch", "hw0", str(folder), "--cache", str(cache), root=root).stdout


def test_batch_user_errors_are_one_line(toy_root, tmp_path):
    (tmp_path / "empty").mkdir()
    proc = cvgrade("batch", "hw0", str(tmp_path / "empty"), root=toy_root)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "no submissions" in proc.stderr
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "s1").mkdir()
    (tmp_path / "bad" / "submission_metadata.yml").write_text("- [unclosed\n")
    proc = cvgrade("batch", "hw0", str(tmp_path / "bad"), root=toy_root)
    assert proc.returncode == 2 and "submission_metadata.yml" in proc.stderr and "Traceback" not in proc.stderr


# ----------------------------------------------------------------------------- warm start
@pytest.fixture(scope="module")
def fork_server():
    with ForkServer(["numpy"]) as server:
        yield server


def server_descendants(server: ForkServer) -> list[int]:
    """Processes below the fork server (shepherds, workers, their children)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [], [server.proc.pid]
    while frontier:
        children = [pid for pid, ppid in parents.items() if ppid in frontier]
        found += children
        frontier = children
    return found


def no_descendants_soon(server: ForkServer) -> bool:
    deadline = time.monotonic() + 3
    while server_descendants(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    return server_descendants(server) == []


def _hostile_cases() -> dict:
    from test_hostile import CASES

    return CASES


@pytest.mark.xdist_group(MACHINE_WIDE)          # the corpus starts `sleep 4242.<pid>` (test_hostile)
@pytest.mark.parametrize("case", list(_hostile_cases()))
def test_hostile_corpus_through_the_fork_server(toy_root, tmp_path, fork_server, case):
    """Every hostile case scores exactly as with a cold start, and leaves nothing behind."""
    sources, expected = _hostile_cases()[case]
    sources = {name: code.replace("{root}", str(toy_root)) for name, code in sources.items()}
    sources.setdefault("other.py", OTHER_REFERENCE)
    before = fork_server.forks()
    doc = grade_sources(toy_root, tmp_path, sources, env={ENV_VAR: fork_server.address})
    assert fork_server.forks() > before                                  # the warm path was taken
    assert doc["score"] == expected, doc["output"] + "\n".join(t["output"][:300] for t in doc["tests"])
    everything = doc["output"] + "".join(t["output"] for t in doc["tests"])
    assert "LEAKED" not in everything and "def triple" not in everything
    assert not os.path.exists("/tmp/cvgrade-pwned")
    if os.geteuid() == 0:
        assert "unprivileged user" in doc["output"]
    assert no_descendants_soon(fork_server)
    assert fork_server.alive()


def test_fork_server_without_privilege_drop(toy_root, tmp_path, fork_server):
    source = TOY_REFERENCE.replace("return a + b", "import subprocess; subprocess.Popen(['sleep', '4243'], "
                                                   "start_new_session=True)\n    return a + b")
    doc = grade_sources(toy_root, tmp_path, {"toy.py": source, "other.py": OTHER_REFERENCE},
                        env={ENV_VAR: fork_server.address, "CVGRADE_SANDBOX_USER": "none"})
    assert doc["score"] == 10
    assert no_descendants_soon(fork_server)
    assert subprocess.run(["pgrep", "-f", "sleep 4243"], capture_output=True, text=True).stdout.split() == []


def test_falls_back_to_a_cold_start_when_the_server_is_gone(toy_root, tmp_path):
    sources = {"toy.py": TOY_REFERENCE, "other.py": OTHER_REFERENCE}
    doc = grade_sources(toy_root, tmp_path / "a", sources, env={ENV_VAR: str(tmp_path / "no-such.sock")})
    assert doc["score"] == 10
    server = ForkServer(["numpy"])
    address = server.start()
    server.close()                                                         # killed before the grading
    doc = grade_sources(toy_root, tmp_path / "b", sources, env={ENV_VAR: address})
    assert doc["score"] == 10


def test_fork_server_answers_only_its_parent_and_its_children(fork_server, tmp_path):
    """A grandchild (here: python under a shell, as a worker's own child would be) is refused."""
    code = textwrap.dedent(f"""
        import socket, sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
        from autograder.isolation.zygote_client import spawn, ForkServerError
        a, b = socket.socketpair()
        try:
            spawn({fork_server.address!r}, b, "/", {{}})
            print("SERVED")
        except ForkServerError as err:
            print("REFUSED", err)
    """)
    script = tmp_path / "ask.py"
    script.write_text(code)
    proc = subprocess.run(["sh", "-c", f"{sys.executable} {script}; true"], capture_output=True, text=True,
                          timeout=60)
    assert "REFUSED" in proc.stdout, proc.stdout + proc.stderr
    direct = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert "SERVED" in direct.stdout, direct.stdout + direct.stderr


def test_spawn_error_is_a_fork_server_error(tmp_path):
    import socket

    a, b = socket.socketpair()
    with pytest.raises(ForkServerError):
        spawn(str(tmp_path / "none.sock"), b, "/", {})
