"""Lets plain `pytest` in this folder test your modules (fixtures in shared/pytest_plugin.py)."""
import sys
from pathlib import Path

_here = Path(__file__).resolve().parent
for _root in (_here, *_here.parents):
    if (_root / "shared" / "pytest_plugin.py").is_file():
        if str(_root) not in sys.path:
            sys.path.insert(0, str(_root))
        break

from shared.pytest_plugin import *  # noqa: E402,F401,F403
