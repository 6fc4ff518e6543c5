"""Running a conformance scenario's Python half and the log Node printed for its JavaScript
half (tests/data/scenario_logs.json, recorded from node 24.21.0)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_NODE_LOGS = json.loads((Path(__file__).parent / "data" / "scenario_logs.json").read_text())


def node_log(name: str) -> list[list[object]]:
    """The events node 24.21.0 printed for ``conformance/scenarios/NAME.js``."""
    log: list[list[object]] = _NODE_LOGS[name]
    return log


def run_scenario(name: str, backend: str) -> list[list[object]]:
    """The events ``conformance/scenarios/NAME.py`` prints on ``backend``."""
    done = subprocess.run([sys.executable, "-m", f"conformance.scenarios.{name}", backend], cwd=ROOT,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]
