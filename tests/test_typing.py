"""The public API in typed user code: examples/typed_app.py is clean under
``mypy --strict`` and runs, on both backends, to a successful exit by itself.

A second mypy run on a deliberately wrong program shows that mypy really sees
nodehttp's annotations (a package without them would make every check pass).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TYPED_APP = ROOT / "examples" / "typed_app.py"
MYPY_TIMEOUT = 100
RUN_TIMEOUT = 60

needs_mypy = pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")


def mypy(target: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    # A private cache: other runs of mypy in the same tree must not share its files.
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(cache), str(target)],
        capture_output=True, text=True, timeout=MYPY_TIMEOUT, cwd=ROOT,
    )


@needs_mypy
def test_typed_app_is_clean_under_mypy_strict(tmp_path: Path) -> None:
    done = mypy(TYPED_APP, tmp_path / "cache")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


@needs_mypy
def test_mypy_sees_nodehttp_types(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "from nodehttp import IncomingMessage, ServerResponse\n"
        "\n"
        "def handler(req: IncomingMessage, res: ServerResponse) -> None:\n"
        "    code: int = req.status_code  # int | None\n"
        "    res.write_head('200')\n",
        encoding="utf-8",
    )
    done = mypy(wrong, tmp_path / "cache")
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'wrong.py:4: error: Incompatible types in assignment (expression has type "int | None"' in done.stdout
    assert 'wrong.py:5: error: Argument 1 to "write_head" of "ServerResponse" has incompatible type' in done.stdout


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_typed_app_runs(backend: str) -> None:
    if backend == "trio":
        pytest.importorskip("trio")
    done = subprocess.run(
        [sys.executable, str(TYPED_APP), backend], capture_output=True, text=True, timeout=RUN_TIMEOUT,
        cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == f"ok ({backend})\n"
    assert done.stderr == ""
