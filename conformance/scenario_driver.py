"""``python -m conformance.scenario_driver [--jobs N] -- LAUNCHER...``: one half of the
scenario category.

It speaks the worker protocol to the runner (cases as JSON lines on stdin, one ``{"id",
"log"}`` line per case on stdout, in case order) and runs each scenario as its own
process, ``LAUNCHER... JS_PATH PY_PATH``: ``node node/scenario.js`` for the reference,
``python -m conformance.scenario_py BACKEND`` for nodehttp; each launcher runs its own
half. Up to ``--jobs`` scenarios run at once. The log is what the scenario printed, one
JSON value per line, then how it ended::

    ...the scenario's events...
    ["exit", 0]                      # it exited by itself, status 0
    ["crashed", status, stderr tail] # it exited with another status (an uncaught error)
    ["timeout", "killed"]            # still running after KILL_S: killed
    ["unparsable", line]             # a stdout line that is not JSON

A scenario's own watchdog logs ``["timeout", "watchdog"]`` and exits with status 3; no
``crashed`` event follows it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .scenario_category import JOBS

Case = dict[str, Any]
Log = list[Any]

# The scenarios' own watchdog fires after 4 s (harness.WATCHDOG_MS); this is the backstop
# for a process that cannot even run its timers.
KILL_S = 8.0
WATCHDOG_EXIT = 3
STDERR_TAIL = 600


def parse_output(stdout: str) -> Log:
    """The events a scenario printed, one JSON value per non-empty line."""
    events: Log = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except ValueError:
            events.append(["unparsable", line[:200]])
    return events


def ending(events: Log, returncode: int | None, stderr: str) -> Log:
    """How the scenario ended, as events for its log."""
    if returncode is None:
        return [["timeout", "killed"]]
    if returncode == 0:
        return [["exit", 0]]
    if returncode == WATCHDOG_EXIT and ["timeout", "watchdog"] in events:
        return []
    return [["crashed", returncode, stderr[-STDERR_TAIL:]]]


def run_scenario(launcher: list[str], case: Case, kill_s: float = KILL_S) -> Log:
    """One scenario's log, from a fresh process."""
    cmd = [*launcher, case["js"], case["py"]]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                errors="replace")
    except OSError as exc:
        return [["crashed", None, f"cannot start {cmd[0]}: {exc}"]]
    try:
        out, err = proc.communicate(timeout=kill_s)
        returncode: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        returncode = None
    events = parse_output(out)
    return events + ending(events, returncode, err)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m conformance.scenario_driver")
    p.add_argument("--jobs", type=int, default=JOBS)
    p.add_argument("launcher", nargs="+")
    args = p.parse_args(argv)
    lock = threading.Lock()
    pending: list[tuple[str, Future[Log]]] = []

    def flush_ready() -> None:
        # Results go out in case order, each as soon as it and those before it are done.
        with lock:
            while pending and pending[0][1].done():
                cid, fut = pending.pop(0)
                sys.stdout.write(json.dumps({"id": cid, "log": fut.result()}) + "\n")
                sys.stdout.flush()

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for line in sys.stdin:
            if not line.strip():
                continue
            case = json.loads(line)
            fut = pool.submit(run_scenario, args.launcher, case)
            with lock:
                pending.append((case["id"], fut))
            fut.add_done_callback(lambda _: flush_ready())
    flush_ready()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
