#!/usr/bin/env python3
"""Hello-world keep-alive server throughput: nodehttp against Node and its Python peers.

Servers (each in its own process, started by bench/_servers.py, on 127.0.0.1):
  nodehttp-asyncio  nodehttp's create_server on run(backend="asyncio")
  nodehttp-uvloop   the same on asyncio with uvloop (skipped when uvloop is missing)
  nodehttp-trio     the same on run(backend="trio")
  node              the reference Node's http.createServer (a temp JS file)
  aiohttp           aiohttp.web_server.Server (the low-level server) via loop.create_server
  uvicorn           uvicorn with httptools on asyncio, a bare ASGI app, no access log
Each answers ``GET /`` with 200 and the 12-byte body ``Hello World\\n``; this is checked
with a raw socket request before any timing, so a broken server can't look fast.

Load: wrk, 1 thread, 64 connections, --latency. The server is pinned to core 0 and wrk
to core 1 (taskset), so they do not fight for a core. Each measurement is a 1 s warm-up
wrk run, then the timed run (--duration, 5 s by default). Repetitions (--runs, 3 by
default) go round-robin over the servers, the starting server rotated each repetition,
so slow drift of the machine hits every server alike. All servers are started once
and stay up (idle ones sleep in epoll); every process is stopped at the end.

Output (stdout), one line per server, medians over the repetitions:
  server=<name> rps=<requests/s> p99_ms=<99th percentile latency, ms>
then ratio lines:
  ratio nodehttp-asyncio/node=<x> ...
Per-run detail and wrk errors go to stderr.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

from _servers import (ALL_SERVERS, ServerProcess, check_hello, clean_load, find_node, free_port,
                      uvloop_available)

SERVER_CPU = 0
WRK_CPU = 1

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass
class WrkResult:
    rps: float
    p99_ms: float
    errors: str = ""  # wrk's "Socket errors" / "Non-2xx" lines, if any


@dataclass
class Samples:
    rps: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)


def parse_wrk(text: str) -> WrkResult:
    """Requests/sec and the 99% line of --latency's distribution."""
    rps_match = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    p99_match = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M)
    if rps_match is None or p99_match is None:
        raise RuntimeError(f"cannot parse wrk output:\n{text}")
    errors = "; ".join(
        line.strip() for line in text.splitlines()
        if line.strip().startswith(("Socket errors", "Non-2xx"))
    )
    return WrkResult(float(rps_match.group(1)),
                     float(p99_match.group(1)) * _UNITS_MS[p99_match.group(2)], errors)


def run_wrk(wrk: str, port: int, duration: int, connections: int, threads: int) -> WrkResult:
    cmd = ["taskset", "-c", str(WRK_CPU), wrk, f"-t{threads}", f"-c{connections}",
           f"-d{duration}s", "--latency", f"http://127.0.0.1:{port}/"]
    # Bounded: wrk stops itself after -d; the timeout is a guard against a hung server.
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr or out.stdout}")
    return parse_wrk(out.stdout)


def ensure_alive(srv: ServerProcess, when: str) -> bool:
    """Restart ``srv`` (and check its answer again) if it died; True if it had.

    A crashed server is reported on stderr and restarted so that the other servers
    still get measured."""
    if srv.alive():
        return False
    code = srv.proc.returncode if srv.proc is not None else None
    print(f"# {srv.name} died (exit {code}) {when}; restarting", file=sys.stderr, flush=True)
    srv.restart()
    problem = check_hello(srv.port)
    if problem is not None:
        raise RuntimeError(f"{srv.name} answered GET / wrongly after restart: {problem}")
    return True


def measure(names: list[str], wrk: str, runs: int, duration: int, warmup: int, connections: int,
            threads: int) -> dict[str, float]:
    """Start ``names`` (bench/_servers.py), check each answers GET / correctly, run wrk
    against them round-robin ``runs`` times, stop them; print the per-run detail to stderr
    and ``server=<name> rps=<median> p99_ms=<median>`` per server to stdout; return the
    median requests/s per server. bench/asgi.py measures its servers with it too."""
    # This process (the checks, the clean warm-up client) stays off the server's core.
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > WRK_CPU:
        os.sched_setaffinity(0, {WRK_CPU})

    servers: dict[str, ServerProcess] = {}
    samples = {name: Samples() for name in names}
    try:
        for name in names:
            srv = ServerProcess(name, free_port(), cpu=SERVER_CPU)
            servers[name] = srv
            srv.start()
            problem = check_hello(srv.port)
            if problem is not None:
                raise RuntimeError(f"{name} answered GET / wrongly: {problem}")
            print(f"# {name}: pid {srv.pid} port {srv.port}, GET / -> 200, 12-byte body", file=sys.stderr)

        for rep in range(runs):
            order = names[rep % len(names):] + names[:rep % len(names)]
            for name in order:
                srv = servers[name]
                ensure_alive(srv, "before the run")
                if warmup:
                    run_wrk(wrk, srv.port, warmup, connections, threads)
                    time.sleep(0.2)
                    if ensure_alive(srv, "after the warm-up"):
                        # wrk resets the connections that still have a request in flight
                        # when it stops; a server that crashes on that was restarted
                        # cold, so it is warmed again by a client that closes cleanly.
                        clean_load(srv.port, warmup)
                result = run_wrk(wrk, srv.port, duration, connections, threads)
                # wrk closes its connections at the end; let the server settle before the next one.
                time.sleep(0.2)
                extra = f" ({result.errors})" if result.errors else ""
                if not srv.alive():
                    # The numbers of the run stand (the server served until wrk closed);
                    # the crash is reported and the server restarted before its next turn.
                    extra += " (server died when wrk closed its connections)"
                samples[name].rps.append(result.rps)
                samples[name].p99_ms.append(result.p99_ms)
                print(f"# run {rep + 1}/{runs} {name}: rps={result.rps:.0f} p99_ms={result.p99_ms:.2f}{extra}",
                      file=sys.stderr, flush=True)
        for name, srv in servers.items():
            count, tail = srv.stderr_tail()
            if srv.restarts or count:
                print(f"# {name}: {srv.restarts} restart(s), {count} stderr line(s); last:", file=sys.stderr)
                for line in tail:
                    print(f"#   {line}", file=sys.stderr)
    finally:
        for srv in servers.values():
            srv.stop()

    medians: dict[str, float] = {}
    for name in names:
        rps = statistics.median(samples[name].rps)
        p99 = statistics.median(samples[name].p99_ms)
        medians[name] = rps
        print(f"server={name} rps={rps:.0f} p99_ms={p99:.2f}", flush=True)

    return medians


def add_load_options(parser: argparse.ArgumentParser) -> None:
    """The wrk options bench/server.py and bench/asgi.py share."""
    # wrk takes whole seconds only.
    parser.add_argument("--duration", type=int, default=5, help="seconds of each timed wrk run (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of the warm-up run (default 1; 0: none)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)


def check_load_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """Validate the shared options; the wrk binary, or None (said on stderr) without it."""
    if args.runs < 1 or args.duration < 1 or args.warmup < 0:
        parser.error("--runs and --duration must be >= 1, --warmup >= 0")
    wrk = shutil.which("wrk")
    if wrk is None or shutil.which("taskset") is None:
        print("wrk and taskset are needed", file=sys.stderr)
        return None
    if (os.cpu_count() or 1) < 2:
        print("note: fewer than 2 cores; server and wrk share a core", file=sys.stderr)
    return wrk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_load_options(parser)
    parser.add_argument("--servers", default=",".join(ALL_SERVERS),
                        help="comma-separated subset of: " + ", ".join(ALL_SERVERS))
    args = parser.parse_args(argv)
    wrk = check_load_options(parser, args)
    if wrk is None:
        return 2

    names = [n for n in args.servers.split(",") if n]
    for name in names:
        if name not in ALL_SERVERS:
            parser.error(f"unknown server {name!r}")
    if "nodehttp-uvloop" in names and not uvloop_available():
        print("note: uvloop not installed; skipping nodehttp-uvloop", file=sys.stderr)
        names.remove("nodehttp-uvloop")
    if "node" in names and find_node() is None:
        print("note: reference node not found; skipping node", file=sys.stderr)
        names.remove("node")

    medians = measure(names, wrk, args.runs, args.duration, args.warmup, args.connections, args.threads)

    for name in ("nodehttp-asyncio", "nodehttp-uvloop", "nodehttp-trio"):
        if name not in medians:
            continue
        for peer in ("node", "aiohttp", "uvicorn"):
            if peer in medians and medians[peer] > 0:
                print(f"ratio {name}/{peer}={medians[name] / medians[peer]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
