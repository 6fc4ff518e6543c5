#!/usr/bin/env python3
"""HTTP client throughput: nodehttp's http.get against Node's and its Python peers.

The server is the reference Node's hello server (``http.createServer((q, r) =>
r.end('Hello World\\n'))``, bench/_servers.py), pinned to core 0 with taskset and
checked with a raw socket request before any timing. Clients (each its own process,
pinned to core 1, so none shares a process or a core with the server or the harness):

  nodehttp-asyncio  nodehttp.get with nodehttp.Agent(keep_alive=True), run(backend="asyncio")
  nodehttp-trio     the same on run(backend="trio")
  node              the reference Node's http.get with a keep-alive http.Agent (a temp JS file)
  aiohttp           aiohttp.ClientSession (TCPConnector(limit=concurrency)), await resp.read()
  httpx             httpx.AsyncClient (Limits(max_connections=concurrency)), response.content

Modes: ``seq`` -- one request at a time over one keep-alive connection (the next
request is sent from the previous response's end); ``c32`` -- 32 requests in flight
(the agent / pool limited to 32 sockets). Each client process first does a warm-up
batch (--warmup requests, default requests/10) on the same agent/session, then times
--requests GETs itself and prints ``elapsed=<s> ok=<n> errors=<n>``; a response counts
as ok only when it is 200 with exactly the 12-byte body. A client with fewer than
--requests ok responses (or that exits badly / times out) is n/a for that run.
Repetitions (--runs) go round-robin over the clients and modes, the starting client
rotated each repetition.

Output (stdout), medians of requests/s over the repetitions:
  client=<name> mode=<seq|c32> rps=<median or n/a>
then ratio lines:
  ratio nodehttp-asyncio/node mode=seq=<x> ...
Per-run detail goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _servers import BODY_BYTES, ROOT, ServerProcess, check_hello, find_node, free_port

SERVER_CPU = 0
CLIENT_CPU = 1
ALL_CLIENTS = ("nodehttp-asyncio", "nodehttp-trio", "node", "aiohttp", "httpx")
MODES = {"seq": 1, "c32": 32}

# Node's http.get with a keep-alive Agent. argv: PORT CONCURRENCY REQUESTS WARMUP.
NODE_CLIENT_SCRIPT = """\
'use strict';
const http = require('http');
const port = Number(process.argv[2]);
const conc = Number(process.argv[3]);
const n = Number(process.argv[4]);
const warm = Number(process.argv[5]);
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
let errors = 0;
function batch(count, done) {
  let started = 0, finished = 0, ok = 0;
  if (count === 0) { done(0); return; }
  function next() {
    finished++;
    if (started < count) issue();
    else if (finished === count) done(ok);
  }
  function issue() {
    started++;
    let settled = false;
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode === 200 && body.length === 12 && body.toString() === 'Hello World\\n') ok++;
        if (!settled) { settled = true; next(); }
      });
    });
    req.on('error', () => { errors++; if (!settled) { settled = true; next(); } });
  }
  for (let i = 0; i < Math.min(conc, count); i++) issue();
}
batch(warm, () => {
  const t0 = process.hrtime.bigint();
  batch(n, (ok) => {
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`elapsed=${elapsed} ok=${ok} errors=${errors}`);
    agent.destroy();
  });
});
"""


# Client workers (run in the client subprocess) ----------------------------------------


def _report(elapsed: float, ok: int, errors: int) -> None:
    print(f"elapsed={elapsed} ok={ok} errors={errors}", flush=True)


def worker_nodehttp(backend: str, port: int, conc: int, n: int, warm: int) -> None:
    # The repository checkout, not whatever nodehttp an environment may hold.
    sys.path.insert(0, str(ROOT))
    import nodehttp

    errors = 0
    out: dict[str, float | int] = {}

    def main() -> None:
        agent = nodehttp.Agent(keep_alive=True, max_sockets=conc)

        def batch(count: int, done: Callable[[int], None]) -> None:
            started = finished = ok = 0
            if count == 0:
                done(0)
                return

            def advance() -> None:
                nonlocal finished
                finished += 1
                if started < count:
                    issue()
                elif finished == count:
                    done(ok)

            def issue() -> None:
                nonlocal started
                started += 1
                settled = False

                def settle() -> None:
                    nonlocal settled
                    if not settled:
                        settled = True
                        advance()

                def on_response(res: Any) -> None:
                    chunks: list[bytes] = []

                    def on_data(chunk: bytes | str) -> None:
                        chunks.append(chunk.encode() if isinstance(chunk, str) else chunk)

                    def on_end(*_: Any) -> None:
                        nonlocal ok
                        if res.status_code == 200 and b"".join(chunks) == BODY_BYTES:
                            ok += 1
                        settle()

                    res.on("data", on_data)
                    res.on("end", on_end)

                def on_error(*_: Any) -> None:
                    nonlocal errors
                    errors += 1
                    settle()

                req = nodehttp.get({"host": "127.0.0.1", "port": port, "path": "/", "agent": agent}, on_response)
                req.on("error", on_error)

            for _ in range(min(conc, count)):
                issue()

        def timed(_: int) -> None:
            t0 = time.perf_counter()

            def finished(ok: int) -> None:
                out["elapsed"] = time.perf_counter() - t0
                out["ok"] = ok
                agent.destroy()

            batch(n, finished)

        batch(warm, timed)

    nodehttp.run(main, backend=backend)
    _report(float(out.get("elapsed", 0.0)), int(out.get("ok", 0)), errors)


async def _pump(conc: int, count: int, one: Callable[[], Any]) -> tuple[int, int]:
    """``count`` calls of the coroutine function ``one`` (True: ok), ``conc`` at a time."""
    import asyncio

    remaining = count
    ok = errors = 0

    async def lane() -> None:
        nonlocal remaining, ok, errors
        while remaining > 0:
            remaining -= 1
            try:
                if await one():
                    ok += 1
            except Exception:
                errors += 1

    await asyncio.gather(*(lane() for _ in range(min(conc, count))))
    return ok, errors


def worker_aiohttp(port: int, conc: int, n: int, warm: int) -> None:
    import asyncio

    import aiohttp

    url = f"http://127.0.0.1:{port}/"

    async def main() -> None:
        connector = aiohttp.TCPConnector(limit=conc)
        async with aiohttp.ClientSession(connector=connector) as session:
            async def one() -> bool:
                async with session.get(url) as resp:
                    body = await resp.read()
                    return resp.status == 200 and body == BODY_BYTES

            await _pump(conc, warm, one)
            t0 = time.perf_counter()
            ok, errors = await _pump(conc, n, one)
            _report(time.perf_counter() - t0, ok, errors)

    asyncio.run(main())


def worker_httpx(port: int, conc: int, n: int, warm: int) -> None:
    import asyncio

    import httpx

    url = f"http://127.0.0.1:{port}/"

    async def main() -> None:
        limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
        async with httpx.AsyncClient(limits=limits) as client:
            async def one() -> bool:
                resp = await client.get(url)
                return resp.status_code == 200 and resp.content == BODY_BYTES

            await _pump(conc, warm, one)
            t0 = time.perf_counter()
            ok, errors = await _pump(conc, n, one)
            _report(time.perf_counter() - t0, ok, errors)

    asyncio.run(main())


def run_worker(name: str, port: int, conc: int, n: int, warm: int) -> None:
    if name == "nodehttp-asyncio":
        worker_nodehttp("asyncio", port, conc, n, warm)
    elif name == "nodehttp-trio":
        worker_nodehttp("trio", port, conc, n, warm)
    elif name == "aiohttp":
        worker_aiohttp(port, conc, n, warm)
    elif name == "httpx":
        worker_httpx(port, conc, n, warm)
    else:
        raise ValueError(f"no Python worker {name!r}")


# Harness -----------------------------------------------------------------------------


_RESULT = re.compile(r"^elapsed=([\d.eE+-]+) ok=(\d+) errors=(\d+)\s*$", re.M)


def run_client(cmd: list[str], n: int, timeout: float) -> tuple[float | None, str]:
    """Run one client process (pinned to CLIENT_CPU) in its own process group; returns
    (requests/s or None, detail). The group is killed whatever happens."""
    cmd = ["taskset", "-c", str(CLIENT_CPU), *cmd]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"timed out after {timeout:.0f} s"
    finally:
        if proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(3)
                    break
                except subprocess.TimeoutExpired:
                    continue
    text = stdout.decode("utf-8", "replace")
    match = _RESULT.search(text)
    if proc.returncode != 0 or match is None:
        tail = " | ".join(stderr.decode("utf-8", "replace").strip().splitlines()[-3:])
        return None, f"exit {proc.returncode}, stdout {text.strip()[:200]!r}, stderr: {tail}"
    elapsed, ok, errors = float(match.group(1)), int(match.group(2)), int(match.group(3))
    detail = f"elapsed={elapsed:.3f}s ok={ok} errors={errors}"
    if ok != n or elapsed <= 0:
        return None, detail + " (failed)"
    return n / elapsed, detail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10_000, help="timed GETs per client run (default 10000)")
    parser.add_argument("--warmup", type=int, default=None,
                        help="untimed GETs before the timed ones (default requests/10)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--clients", default=",".join(ALL_CLIENTS),
                        help="comma-separated subset of: " + ", ".join(ALL_CLIENTS))
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated subset of: seq, c32")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a client run is killed")
    # Internal: run one client in this process.
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    warm: int = args.requests // 10 if args.warmup is None else args.warmup
    if args.requests < 1 or args.runs < 1 or warm < 0:
        parser.error("--requests and --runs must be >= 1, --warmup >= 0")

    if args.worker is not None:
        run_worker(args.worker, args.port, args.concurrency, args.requests, warm)
        return 0

    names = [c for c in args.clients.split(",") if c]
    modes = [m for m in args.modes.split(",") if m]
    for name in names:
        if name not in ALL_CLIENTS:
            parser.error(f"unknown client {name!r}")
    for mode in modes:
        if mode not in MODES:
            parser.error(f"unknown mode {mode!r}")
    node = find_node()
    if node is None:
        print("the reference node binary is needed (set NODEHTTP_REFERENCE_NODE)", file=sys.stderr)
        return 2
    if (os.cpu_count() or 1) < 2:
        print("note: fewer than 2 cores; server and clients share a core", file=sys.stderr)
    # The harness stays off the server's core (it only waits while a client runs).
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > CLIENT_CPU:
        os.sched_setaffinity(0, {CLIENT_CPU})

    samples: dict[tuple[str, str], list[float | None]] = {(c, m): [] for c in names for m in modes}
    fd, script = tempfile.mkstemp(prefix="nodehttp-bench-client-", suffix=".js")
    with os.fdopen(fd, "w") as f:
        f.write(NODE_CLIENT_SCRIPT)
    server: ServerProcess | None = None
    try:
        server = ServerProcess("node", free_port(), cpu=SERVER_CPU)
        server.start()
        problem = check_hello(server.port)
        if problem is not None:
            raise RuntimeError(f"node server answered GET / wrongly: {problem}")
        print(f"# server node: pid {server.pid} port {server.port}, GET / -> 200, 12-byte body", file=sys.stderr)

        combos = [(c, m) for c in names for m in modes]
        for rep in range(args.runs):
            shift = (rep * len(modes)) % len(combos)
            for name, mode in combos[shift:] + combos[:shift]:
                if not server.alive():
                    print("# node server died; restarting", file=sys.stderr)
                    server.restart()
                conc = MODES[mode]
                if name == "node":
                    cmd = [node, script, str(server.port), str(conc), str(args.requests), str(warm)]
                else:
                    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name,
                           "--port", str(server.port), "--concurrency", str(conc),
                           "--requests", str(args.requests), "--warmup", str(warm)]
                rps, detail = run_client(cmd, args.requests, args.timeout)
                samples[(name, mode)].append(rps)
                shown = f"{rps:.0f}" if rps is not None else "n/a"
                print(f"# run {rep + 1}/{args.runs} client={name} mode={mode}: rps={shown} {detail}",
                      file=sys.stderr, flush=True)
                time.sleep(0.1)
        count, tail = server.stderr_tail()
        if server.restarts or count:
            print(f"# server: {server.restarts} restart(s), {count} stderr line(s); last:", file=sys.stderr)
            for line in tail:
                print(f"#   {line}", file=sys.stderr)
    finally:
        if server is not None:
            server.stop()
        try:
            os.unlink(script)
        except OSError:
            pass

    medians: dict[tuple[str, str], float] = {}
    for mode in modes:
        for name in names:
            runs = samples[(name, mode)]
            if runs and all(r is not None for r in runs):
                medians[(name, mode)] = statistics.median(r for r in runs if r is not None)
                print(f"client={name} mode={mode} rps={medians[(name, mode)]:.0f}", flush=True)
            else:
                print(f"client={name} mode={mode} rps=n/a", flush=True)
    for name in ("nodehttp-asyncio", "nodehttp-trio"):
        for peer in ("node", "aiohttp", "httpx"):
            for mode in modes:
                a, b = medians.get((name, mode)), medians.get((peer, mode))
                if a is not None and b is not None and b > 0:
                    print(f"ratio {name}/{peer} mode={mode}={a / b:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
