#!/usr/bin/env python3
"""Server memory per idle keep-alive connection: nodehttp against Node.

For each server (bench/_servers.py; started with a 60 s keep-alive timeout so that no
connection is closed by the server during the measurement, nodehttp's and Node's
default being 5 s):

1. start it, send one warm-up request (a raw GET / that must get 200 and the 12-byte
   body), let it settle, read its RSS (VmRSS of /proc/PID/status);
2. open N client connections (2,000 by default) from this process with asyncio, send
   one keep-alive ``GET /`` on each and read the whole response, so every connection
   has been through the parser and a response and now waits in keep-alive;
3. wait briefly (--settle, 1 s), check that no connection was closed and that the
   server holds N more file descriptors, read RSS again;
4. print ``server=<name> kib_per_conn=<(rss_after - rss_before) / N>``; close everything.

RLIMIT_NOFILE is raised (soft up to hard) before the servers start, so they inherit it.
With --runs > 1 the servers take turns and the median is printed. Detail on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time

from _servers import ServerProcess, check_hello, find_node, free_port, rss_kib, uvloop_available

DEFAULT_SERVERS = ("nodehttp-asyncio", "nodehttp-trio", "node")
KNOWN_SERVERS = DEFAULT_SERVERS + ("nodehttp-uvloop", "aiohttp", "uvicorn")
KEEP_ALIVE_MS = 60_000
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def raise_nofile(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        raise SystemExit(f"RLIMIT_NOFILE hard limit {hard} is below the {needed} descriptors needed")


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def open_one(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(REQUEST)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    if lines[0].split(b" ", 2)[1] != b"200":
        raise RuntimeError(f"status line {lines[0]!r}")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length)
    if body != b"Hello World\n":
        raise RuntimeError(f"body {body!r}")
    return reader, writer


async def measure_async(srv: ServerProcess, connections: int, batch: int, settle: float) -> float:
    pid = srv.pid
    fds_before = fd_count(pid)
    rss_before = rss_kib(pid)
    conns: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        # In batches: the listen backlog (511) and the accept loop must keep up.
        for start in range(0, connections, batch):
            n = min(batch, connections - start)
            conns += await asyncio.wait_for(
                asyncio.gather(*(open_one(srv.port) for _ in range(n))), timeout=30)
        await asyncio.sleep(settle)
        closed = sum(1 for reader, _ in conns if reader.at_eof())
        if closed:
            raise RuntimeError(f"{srv.name} closed {closed} of the idle connections")
        rss_after = rss_kib(pid)
        fds_after = fd_count(pid)
        per_conn = (rss_after - rss_before) / connections
        print(f"# {srv.name}: rss {rss_before} -> {rss_after} KiB, fds {fds_before} -> {fds_after} "
              f"({connections} connections): {per_conn:.2f} KiB/conn", file=sys.stderr, flush=True)
        if fds_after - fds_before < connections:
            raise RuntimeError(f"{srv.name} holds only {fds_after - fds_before} new descriptors")
        return per_conn
    finally:
        for _, writer in conns:
            writer.close()
        await asyncio.gather(*(w.wait_closed() for _, w in conns), return_exceptions=True)


def measure(name: str, connections: int, batch: int, settle: float) -> float:
    srv = ServerProcess(name, free_port(), keep_alive_timeout=KEEP_ALIVE_MS)
    try:
        srv.start()
        problem = check_hello(srv.port)  # also the warm-up request
        if problem is not None:
            raise RuntimeError(f"{name} answered GET / wrongly: {problem}")
        time.sleep(0.5)  # let the warm-up connection's close be processed
        return asyncio.run(measure_async(srv, connections, batch, settle))
    finally:
        srv.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200, help="connections opened concurrently (default 200)")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds to wait before the second RSS reading")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--servers", default=",".join(DEFAULT_SERVERS),
                        help="comma-separated subset of: " + ", ".join(KNOWN_SERVERS))
    args = parser.parse_args(argv)
    if args.connections < 1 or args.runs < 1 or args.batch < 1:
        parser.error("--connections, --runs and --batch must be >= 1")
    names = [n for n in args.servers.split(",") if n]
    for name in names:
        if name not in KNOWN_SERVERS:
            parser.error(f"unknown server {name!r}")
    if "node" in names and find_node() is None:
        print("note: reference node not found; skipping node", file=sys.stderr)
        names.remove("node")
    if "nodehttp-uvloop" in names and not uvloop_available():
        print("note: uvloop not installed; skipping nodehttp-uvloop", file=sys.stderr)
        names.remove("nodehttp-uvloop")

    # The client's sockets and the server's, plus room for the interpreter's own.
    raise_nofile(args.connections + 256)

    results: dict[str, list[float]] = {name: [] for name in names}
    for rep in range(args.runs):
        order = names[rep % len(names):] + names[:rep % len(names)]
        for name in order:
            results[name].append(measure(name, args.connections, args.batch, args.settle))
    for name in names:
        print(f"server={name} kib_per_conn={statistics.median(results[name]):.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
