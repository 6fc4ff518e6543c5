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
import sys

from server import add_load_options, check_load_options, measure

SERVERS = ("nodehttp-asgi", "uvicorn")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_load_options(parser)
    args = parser.parse_args(argv)
    wrk = check_load_options(parser, args)
    if wrk is None:
        return 2
    medians = measure(list(SERVERS), wrk, args.runs, args.duration, args.warmup, args.connections, args.threads)
    if medians["uvicorn"] > 0:
        print(f"ratio nodehttp-asgi/uvicorn={medians['nodehttp-asgi'] / medians['uvicorn']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
