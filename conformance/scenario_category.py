"""The scenario category: paired scripts, one for the reference Node and one for nodehttp.

A scenario is ``scenarios/NAME.js`` and ``scenarios/NAME.py``: the same program written
twice, line for line, that starts servers and clients on 127.0.0.1 and prints its events
(one JSON array per line). The JS half runs on the reference Node, the Python half on
nodehttp once per backend, each in its own process (:mod:`conformance.scenario_driver`),
and the logs are compared line for line. A case::

    {"id": "continue-auto",                  # NAME with "_" as "-" for built-ins
     "js": "/path/to/continue_auto.js",      # the reference half
     "py": "/path/to/continue_auto.py",      # nodehttp's half, run as `python PY BACKEND`
     "description": "..."}                   # optional; built-ins take the JS's first line

Built-in scenarios are every pair in ``scenarios/``; a name with only one half is an
error, so that a half cannot be silently skipped. User scenarios come from ``--cases DIR``
files (``{"scenario": [case, ...]}``), with paths absolute or relative to the current
directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .cases import CaseError
from .category import Category

Case = dict[str, Any]

SCENARIO_DIR = Path(__file__).parent / "scenarios"
# Helpers shared by the scenarios, not scenarios themselves.
_NOT_SCENARIOS = {"harness", "__init__"}
_KEYS = {"id", "js", "py", "description"}
# The driver kills a scenario after KILL_S; a driver silent longer than this hangs.
CASE_TIMEOUT_S = 12.0
# Scenarios that run at once in each half (three halves run side by side).
JOBS = 1


def _description(js: Path) -> str:
    """A scenario's description: the first comment line of its JS half."""
    for line in js.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("//"):
            return line.lstrip("/ ").strip()
    return ""


def builtin_cases(directory: Path = SCENARIO_DIR) -> list[Case]:
    """One case per ``NAME.js`` + ``NAME.py`` pair in ``directory``, sorted by name."""
    js = {p.stem for p in directory.glob("*.js")} - _NOT_SCENARIOS
    py = {p.stem for p in directory.glob("*.py")} - _NOT_SCENARIOS
    lonely = sorted(js ^ py)
    if lonely:
        raise CaseError(f"{directory}: scenarios without their other half: "
                        + ", ".join(f"{n}.{'js' if n in js else 'py'}" for n in lonely))
    return [{"id": name.replace("_", "-"), "js": str(directory / f"{name}.js"),
             "py": str(directory / f"{name}.py"),
             "description": _description(directory / f"{name}.js")}
            for name in sorted(js)]


def normalise_case(raw: Case) -> Case:
    """Check a scenario case; its paths become absolute and must name files."""
    unknown = set(raw) - _KEYS
    if unknown:
        raise CaseError(f"unknown keys {sorted(unknown)}")
    case = dict(raw)
    if not isinstance(case.get("id"), str) or not case["id"]:
        raise CaseError("'id' must be a non-empty string")
    for key, suffix in (("js", ".js"), ("py", ".py")):
        value = case.get(key)
        if not isinstance(value, str) or not value.endswith(suffix):
            raise CaseError(f"{key!r} must be the path of a {suffix} file")
        path = Path(value).resolve()
        if not path.is_file():
            raise CaseError(f"{key!r}: no such file {value}")
        case[key] = str(path)
    if not isinstance(case.get("description", ""), str):
        raise CaseError("'description' must be a string")
    return case


def _builtin() -> list[Case]:
    return builtin_cases()


CATEGORY = Category(
    name="scenario",
    description="paired JS/Python programs: agents, timeouts, 100-continue, tunnels...",
    builtin_cases=_builtin,
    normalise_case=normalise_case,
    node_script="scenario.js",
    backends=("asyncio", "trio"),
    client="conformance.scenario_driver",
    py_server="conformance.scenario_py",
    case_timeout=CASE_TIMEOUT_S,
)
