"""Running both halves of a category and pairing their logs per case.

Both halves are worker processes that read cases as JSON lines on stdin and write one
``{"id", "log"}`` line per case: a Node script for the reference, ``conformance.worker``
for nodehttp. A worker that falls silent for ``timeout`` seconds is killed and the case it
was on gets the log ``[["timeout"]]``; a worker that dies gets ``[["crashed", exit
status]]`` for its case. Either way the run goes on with the next case in a new process.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .category import Case, Category, Log
from .reference import Reference

NODE_DIR = Path(__file__).parent / "node"
PROJECT_DIR = Path(__file__).parent.parent
DEFAULT_CASE_TIMEOUT_S = 3.0
# Consecutive fresh workers that produced nothing before the run is declared broken
# (rather than so many cases in a row hanging).
_MAX_SILENT_STARTS = 5


class HarnessError(Exception):
    """A half failed as a whole (not one case): the run cannot be judged."""


@dataclass(frozen=True)
class Outcome:
    category: str
    backend: str
    case: Case
    reference: Log
    ours: Log

    @property
    def identical(self) -> bool:
        return self.reference == self.ours


def canonical(log: Any) -> Any:
    """The JSON form of a log, so tuples, lists and ints compare as Node wrote them."""
    return json.loads(json.dumps(log))


@dataclass
class _Attempt:
    results: list[tuple[str, Log]]
    status: str  # "done", "timeout" or "crashed"
    returncode: int | None
    stderr: str


def _attempt(cmd: Sequence[str], cases: Sequence[Case], timeout: float,
             env: dict[str, str] | None) -> _Attempt:
    """One worker process over ``cases``, until it finishes, falls silent or dies."""
    with tempfile.TemporaryFile(mode="w+b") as err:
        proc = subprocess.Popen(list(cmd), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=err, env=env)
        assert proc.stdin is not None and proc.stdout is not None
        payload = "".join(json.dumps(c, ensure_ascii=True) + "\n" for c in cases).encode()

        def feed() -> None:
            try:
                proc.stdin.write(payload)  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except (BrokenPipeError, OSError):
                pass  # the worker died or was killed; its exit tells the story

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        results: list[tuple[str, Log]] = []
        status = "done"
        buf = b""
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        try:
            while len(results) < len(cases):
                if not sel.select(max(0.0, deadline - time.monotonic())):
                    status = "timeout"
                    break
                data = os.read(proc.stdout.fileno(), 1 << 20)
                if not data:
                    status = "crashed"
                    break
                buf += data
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    if line.strip():
                        item = json.loads(line)
                        results.append((item["id"], item["log"]))
                if lines:
                    deadline = time.monotonic() + timeout
        finally:
            sel.close()
            if proc.poll() is None and status != "done":
                proc.kill()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover - a worker ignoring SIGKILL
                proc.kill()
            proc.stdout.close()
            writer.join(timeout=5)
        if status == "done" and len(results) == len(cases) and proc.returncode not in (0, None):
            status = "crashed"
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return _Attempt(results, status, proc.returncode, stderr)


def run_worker(cmd: Sequence[str], cases: Sequence[Case], timeout: float = DEFAULT_CASE_TIMEOUT_S,
               env: dict[str, str] | None = None) -> dict[str, Log]:
    """Every case's log from workers started with ``cmd``, surviving hangs and crashes.

    Workers write each result as soon as it is done, so the first case without one is
    the case the worker hangs or died on.
    """
    logs: dict[str, Log] = {}
    pending = list(cases)
    silent_starts = 0
    while pending:
        attempt = _attempt(cmd, pending, timeout, env)
        for (cid, log), case in zip(attempt.results, pending):
            if cid != case["id"]:
                raise HarnessError(f"{cmd[-1]}: answered {cid!r} where {case['id']!r} was due")
            logs[cid] = log
        pending = pending[len(attempt.results):]
        if not pending:
            break
        if attempt.status == "done":
            raise HarnessError(f"{' '.join(cmd)} stopped early:\n{attempt.stderr[-4000:]}")
        silent_starts = 0 if attempt.results else silent_starts + 1
        if silent_starts >= _MAX_SILENT_STARTS:
            raise HarnessError(f"{' '.join(cmd)} gives no results "
                               f"(exit {attempt.returncode}):\n{attempt.stderr[-4000:]}")
        culprit = pending.pop(0)
        logs[culprit["id"]] = ([["timeout"]] if attempt.status == "timeout"
                               else [["crashed", attempt.returncode]])
    return logs


def reference_command(ref: Reference, category: Category) -> list[str]:
    return [str(ref.path), *category.node_args, str(NODE_DIR / category.node_script)]


def python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_DIR),
                                                      env.get("PYTHONPATH")]))
    return env


def client_command(category: Category, server_cmd: list[str]) -> tuple[list[str], dict[str, str]]:
    """A server category's half: the harness's client in front of ``server_cmd``."""
    assert category.client is not None
    return [sys.executable, "-m", category.client, "--", *server_cmd], python_env()


def reference_worker(ref: Reference, category: Category) -> tuple[list[str], dict[str, str] | None]:
    if category.client is not None:
        return client_command(category, reference_command(ref, category))
    return reference_command(ref, category), None


def ours_command(category: Category, backend: str) -> tuple[list[str], dict[str, str]]:
    if category.client is not None:
        assert category.py_server is not None
        return client_command(category, [sys.executable, "-m", category.py_server, backend])
    return [sys.executable, "-m", "conformance.worker", category.name, backend], python_env()


def run_category(ref: Reference, category: Category, cases: list[Case],
                 timeout: float = DEFAULT_CASE_TIMEOUT_S) -> list[Outcome]:
    """Both halves over every case; the workers run side by side, as they share nothing."""
    timeout = max(timeout, category.case_timeout)
    with ThreadPoolExecutor(max_workers=1 + len(category.backends)) as pool:
        ref_cmd, ref_env = reference_worker(ref, category)
        reference_job = pool.submit(run_worker, ref_cmd, cases, timeout, ref_env)
        jobs = {}
        for backend in category.backends:
            cmd, env = ours_command(category, backend)
            jobs[backend] = pool.submit(run_worker, cmd, cases, timeout, env)
        reference = reference_job.result()
        ours = {backend: job.result() for backend, job in jobs.items()}
    return [Outcome(category.name, backend, case, canonical(reference[case["id"]]),
                    canonical(ours[backend][case["id"]]))
            for backend in category.backends for case in cases]
