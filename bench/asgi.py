#!/usr/bin/env python3
"""Hello-world ASGI throughput: nodehttp.asgi against uvicorn (httptools, asyncio).

Both servers run the same ASGI application (bench/_servers.py's ``hello_asgi_app``:
``200``, ``content-type`` and ``content-length`` headers, the 12-byte body
``Hello World\\n``), lifespan off, no access log, each in its own process on 127.0.0.1:
  nodehttp-asgi  nodehttp.asgi.run(app, backend="asyncio")
  uvicorn        uvicorn.run(app, http="httptools", loop="asyncio", access_log=False)

The method is bench/server.py's, with its helpers: every server's answer is checked
with a raw request before any timing; wrk, 1 thread, 64 connections, --latency; the
server pinned to core 0 and wrk to core 1; per measurement a warm-up run then the timed
run; repetitions round-robin over the servers, the starting server rotated each time;
medians over the repetitions.

Output (stdout):
  server=nodehttp-asgi rps=<median requests/s> p99_ms=<median 99th percentile, ms>
  server=uvicorn rps=<...> p99_ms=<...>
  ratio nodehttp-asgi/uvicorn=<x>
Per-run detail goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time

from _servers import ServerProcess, check_hello, clean_load, free_port
from server import SERVER_CPU, WRK_CPU, Samples, ensure_alive, run_wrk

SERVERS = ("nodehttp-asgi", "uvicorn")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds of each timed wrk run (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of the warm-up run (default 1; 0: none)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    if args.runs < 1 or args.duration < 1 or args.warmup < 0:
        parser.error("--runs and --duration must be >= 1, --warmup >= 0")

    wrk = shutil.which("wrk")
    if wrk is None or shutil.which("taskset") is None:
        print("wrk and taskset are needed", file=sys.stderr)
        return 2
    if (os.cpu_count() or 1) < 2:
        print("note: fewer than 2 cores; server and wrk share a core", file=sys.stderr)
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > WRK_CPU:
        os.sched_setaffinity(0, {WRK_CPU})

    servers: dict[str, ServerProcess] = {}
    samples = {name: Samples() for name in SERVERS}
    try:
        for name in SERVERS:
            srv = ServerProcess(name, free_port(), cpu=SERVER_CPU)
            servers[name] = srv
            srv.start()
            problem = check_hello(srv.port)
            if problem is not None:
                raise RuntimeError(f"{name} answered GET / wrongly: {problem}")
            print(f"# {name}: pid {srv.pid} port {srv.port}, GET / -> 200, 12-byte body", file=sys.stderr)

        for rep in range(args.runs):
            order = SERVERS[rep % len(SERVERS):] + SERVERS[:rep % len(SERVERS)]
            for name in order:
                srv = servers[name]
                ensure_alive(srv, "before the run")
                if args.warmup:
                    run_wrk(wrk, srv.port, args.warmup, args.connections, args.threads)
                    time.sleep(0.2)
                    if ensure_alive(srv, "after the warm-up"):
                        clean_load(srv.port, args.warmup)
                result = run_wrk(wrk, srv.port, args.duration, args.connections, args.threads)
                time.sleep(0.2)
                extra = f" ({result.errors})" if result.errors else ""
                if not srv.alive():
                    extra += " (server died when wrk closed its connections)"
                samples[name].rps.append(result.rps)
                samples[name].p99_ms.append(result.p99_ms)
                print(f"# run {rep + 1}/{args.runs} {name}: rps={result.rps:.0f} p99_ms={result.p99_ms:.2f}{extra}",
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

    medians = {}
    for name in SERVERS:
        medians[name] = statistics.median(samples[name].rps)
        p99 = statistics.median(samples[name].p99_ms)
        print(f"server={name} rps={medians[name]:.0f} p99_ms={p99:.2f}", flush=True)
    if medians["uvicorn"] > 0:
        print(f"ratio nodehttp-asgi/uvicorn={medians['nodehttp-asgi'] / medians['uvicorn']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
