"""Importing a homework's modules from a folder, as a student's checkout does.

``LocalModules`` is what the ``hw`` fixture is in a student's checkout: attribute access
imports the module from the folder (``hw.filters`` is ``import filters``) and calls are
recorded for failure messages. ``load_private`` imports a set of modules under private names,
so the reference solution never shadows the student's modules of the same name.
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

from shared.calls import describe_call, record_call


def _recording(qualname: str, fn: Any) -> Any:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        record_call(describe_call(qualname, args, kwargs))
        return fn(*args, **kwargs)

    call._cvgrade_qualname = qualname  # type: ignore[attr-defined]
    return call


class _RecordingModule:
    """A student module whose functions record their calls (attributes pass through)."""

    def __init__(self, module: types.ModuleType):
        self._module = module

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        short = self._module.__name__.rsplit(".", 1)[-1]
        if isinstance(value, types.FunctionType):
            return _recording(f"{short}.{name}", value)
        return value

    def __repr__(self) -> str:
        return f"<student module {self._module.__name__} from {self._module.__file__}>"


class LocalModules:
    """``hw`` in a student's checkout: ``hw.<module>`` imports ``<module>.py`` from ``directory``."""

    def __init__(self, directory: Path, probes: Path | None = None):
        self._directory = Path(directory).resolve()
        self._probes = probes

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        path = self._directory / f"{name}.py"
        if not path.is_file():
            raise AttributeError(f"no module {name}.py in {self._directory}")
        directory = str(self._directory)
        if directory not in sys.path:
            sys.path.insert(0, directory)
        module = sys.modules.get(name)
        if module is None or Path(getattr(module, "__file__", "") or "").resolve() != path:
            sys.modules.pop(name, None)
            module = importlib.import_module(name)
        return _RecordingModule(module)

    def probe(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run probe ``name`` from the homework's probes module against these modules."""
        if self._probes is None:
            raise RuntimeError("this homework has no probes module")
        probes = load_private(self._probes.parent, [self._probes.stem], "_cvgrade_probes")[self._probes.stem]
        record_call(describe_call(f"probe {name}", args, kwargs))
        return getattr(probes, name)(self, *args, **kwargs)


class ReferenceModules:
    """``ref`` in hidden tests: the reference modules, and ``ref.probe`` running a probe on them."""

    def __init__(self, modules: dict[str, types.ModuleType], probes: Path | None = None):
        self.__dict__.update(modules)
        self._probes = probes

    def probe(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """The same probe the student's code gets, run on the reference in this process."""
        if self._probes is None:
            raise RuntimeError("this homework has no probes module")
        probes = load_private(self._probes.parent, [self._probes.stem], "_cvgrade_ref_probes")[self._probes.stem]
        return getattr(probes, name)(self, *args, **kwargs)


def load_private(directory: Path, names: list[str], prefix: str) -> dict[str, types.ModuleType]:
    """Import ``names`` from ``directory`` without leaving them in ``sys.modules``.

    The modules may import each other by their plain names (``from filters import ...``);
    those imports resolve inside ``directory`` while loading. Returns ``{name: module}``.
    """
    directory = Path(directory).resolve()
    saved = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    sys.path.insert(0, str(directory))
    loaded: dict[str, types.ModuleType] = {}
    try:
        for name in names:
            if name not in sys.modules:
                importlib.import_module(name)
        for name in names:
            module = sys.modules[name]
            module.__name__ = f"{prefix}.{name}"
            loaded[name] = module
    finally:
        sys.path.remove(str(directory))
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
    return loaded
