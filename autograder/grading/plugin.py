"""The grader's pytest plugin: ``hw`` as a proxy into the sandbox, and one record per test.

``GraderBackend`` is what ``shared.pytest_plugin`` hands out as ``hw`` and ``ref`` when the
grader runs the tests. ``GraderPlugin`` reads each test's markers at collection (the
manifest: test id -> points), switches value-revealing messages off for hidden tests, gives
each test its seed and time limit, and turns setup/call/teardown reports into
``TestResult``s. A test passes only if all three phases passed; its score comes from the
manifest (times the partial-credit fraction), never from pytest's pass count.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from autograder.grading.results import TestResult
from autograder.isolation.client import Sandbox, StudentCodeError
from shared import asserts
from shared.calls import describe_call, record_call
from shared.pytest_plugin import BACKEND, PARTIAL, readable_name, test_seed


class RemoteFunction:
    def __init__(self, backend: GraderBackend, module: str, name: str):
        self._backend, self._module, self._name = backend, module, name
        self._cvgrade_qualname = f"{module}.{name}"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        description = describe_call(self._cvgrade_qualname, args, kwargs)
        record_call(description)
        return self._backend.call_function(self._module, self._name, args, kwargs, description)

    def __repr__(self) -> str:
        return f"<student function {self._cvgrade_qualname}>"


class RemoteModule:
    def __init__(self, backend: GraderBackend, module: str):
        self._backend, self._module = backend, module

    def __getattr__(self, name: str) -> RemoteFunction:
        if name.startswith("__"):
            raise AttributeError(name)
        return RemoteFunction(self._backend, self._module, name)


class RemoteHomework:
    """``hw`` in the grader: ``hw.filters.convolve2d(...)`` runs in the sandbox."""

    def __init__(self, backend: GraderBackend):
        self._backend = backend

    def __getattr__(self, name: str) -> RemoteModule:
        if name not in self._backend.modules:
            raise AttributeError(f"this homework has no module {name}.py")
        return RemoteModule(self._backend, name)

    def probe(self, name: str, *args: Any, **kwargs: Any) -> Any:
        description = describe_call(f"probe {name}", args, kwargs)
        record_call(description)
        return self._backend.call_probe(name, args, kwargs, description)


class GraderBackend:
    """Everything the tests reach: the sandboxed student modules and the reference."""

    def __init__(self, sandbox: Sandbox, modules: list[str], problems: dict[str, str],
                 load_reference: Callable[[], Any]):
        self.sandbox = sandbox
        self.modules = list(modules)
        self.problems = dict(problems)     # module -> why it cannot be used (static or import)
        self._imported: set[str] = set()
        self._load_reference = load_reference
        self._reference: Any = None
        self.seed = 0
        self.timeout: float | None = None
        self.hw = RemoteHomework(self)

    @property
    def ref(self) -> Any:
        if self._reference is None:
            self._reference = self._load_reference()
        return self._reference

    def _ensure_imported(self, module: str, description: str) -> None:
        problem = self.problems.get(module)
        if problem is not None:
            raise StudentCodeError(f"{description}: {problem}")
        if module in self._imported and self.sandbox.proc is not None:
            return
        try:
            self.sandbox.call({"op": "import", "module": module}, timeout=self.timeout,
                              description=f"importing {module}.py")
        except StudentCodeError as err:
            # Import failures are deterministic: remember them so later tests fail at once
            # instead of each waiting out a looping import.
            self.problems[module] = str(err)
            raise StudentCodeError(f"{description}: {err}") from None
        self._imported.add(module)

    def call_function(self, module: str, name: str, args: tuple, kwargs: dict, description: str) -> Any:
        self._ensure_imported(module, description)
        request = {"op": "call", "module": module, "name": name, "args": list(args), "kwargs": dict(kwargs),
                   "seed": self.seed}
        return self.sandbox.call(request, timeout=self.timeout, description=description)

    def call_probe(self, name: str, args: tuple, kwargs: dict, description: str) -> Any:
        request = {"op": "probe", "name": name, "args": list(args), "kwargs": dict(kwargs), "seed": self.seed}
        return self.sandbox.call(request, timeout=self.timeout, description=description)


def _marker_value(item: pytest.Item, name: str, default: Any = None) -> Any:
    marker = item.get_closest_marker(name)
    if marker is None or not marker.args:
        return default
    return marker.args[0]


class GraderPlugin:
    """Collects one ``TestResult`` per test and hands it to ``on_result`` as soon as it is final."""

    def __init__(self, backend: GraderBackend, public_dir: Path, hidden_visibility: str,
                 public_visibility: str, total_limit_s: float, on_result: Callable[[TestResult], None]):
        self.backend = backend
        self.public_dir = Path(public_dir).resolve()
        self.hidden_visibility = hidden_visibility
        self.public_visibility = public_visibility
        self.total_limit_s = total_limit_s
        self.on_result = on_result
        self.records: dict[str, TestResult] = {}
        self.collection_errors: list[str] = []
        self.leaderboard: list[dict] = []
        self.started = time.monotonic()
        backend.sandbox.grading_deadline = self.started + total_limit_s    # enforced inside calls too
        self._phase_start = 0.0
        self._phases: dict[str, dict[str, bool]] = {}
        self._earned: dict[str, float] = {}

    # ------------------------------------------------------------------ collection
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[BACKEND] = self.backend

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {str(report.longrepr)[-500:]}")

    # Last: after ``-m`` has deselected (check's narrowed runs), so only tests that will run are
    # recorded; a recorded test without a result is a grader error.
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        for number, item in enumerate(items, start=1):
            points = _marker_value(item, "points")
            if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
                self.collection_errors.append(f"{item.nodeid}: no valid @pytest.mark.points(n)")
                points = 0.0
            public = self.public_dir in Path(str(item.path)).resolve().parents
            visibility = _marker_value(item, "visibility",
                                       self.public_visibility if public else self.hidden_visibility)
            module = Path(str(item.path)).stem.removeprefix("test_").removesuffix("_hidden")
            self.records[item.nodeid] = TestResult(
                name=readable_name(item), number=str(number), max_score=float(points), visibility=visibility,
                tags=[module, "public" if public else "hidden"], nodeid=item.nodeid)

    # ------------------------------------------------------------------ running
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        record = self.records[item.nodeid]
        asserts.reveal_values("public" in record.tags)
        self.backend.seed = test_seed(item.nodeid)
        self.backend.timeout = _marker_value(item, "timeout")
        self.backend.sandbox.take_output()
        self._phase_start = time.monotonic()
        if time.monotonic() - self.started > self.total_limit_s:
            pytest.skip(f"not run: grading reached the total time limit of {self.total_limit_s:g} s")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Iterator[Any]:
        report = yield
        record = self.records.get(item.nodeid)
        if record is None:
            return report
        self._phases.setdefault(item.nodeid, {})[call.when] = report.passed
        if not report.passed and call.excinfo is not None:
            message = self._message(call.excinfo, "public" in record.tags)
            if message and message not in record.output:
                record.output += ("\n" if record.output else "") + message
        return report

    def pytest_runtest_logfinish(self, nodeid: str, location: tuple) -> None:
        record = self.records.get(nodeid)
        if record is None:
            return
        phases = self._phases.pop(nodeid, {})
        record.passed = all(phases.get(p) for p in ("setup", "call", "teardown"))
        record.duration_s = time.monotonic() - self._phase_start
        printed = self.backend.sandbox.take_output()
        if printed.strip():
            record.output += ("\n\n" if record.output else "") + "Your code printed:\n" + printed
        earned = self._earned.pop(nodeid, None)
        record.score = record.max_score if record.passed else record.max_score * (earned or 0.0)
        self.on_result(record)

    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        credit = item.stash.get(PARTIAL, None)
        record = self.records.get(item.nodeid)
        if credit is not None and record is not None and credit.parts:
            self._earned[item.nodeid] = credit.earned
            for name, value, order in credit.leaderboard_entries:
                self.leaderboard.append({"name": name, "value": value, "order": order})

    @staticmethod
    def _message(excinfo: pytest.ExceptionInfo, public: bool) -> str:
        err = excinfo.value
        if isinstance(err, pytest.skip.Exception):
            return str(err.msg)
        if isinstance(err, (AssertionError, StudentCodeError)):
            return str(err) or "a check failed"
        text = f"{type(err).__name__}: {err}"
        return text if public else text[:300]
