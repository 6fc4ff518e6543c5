"""``python -m conformance.server_client [--concurrency N] -- SERVER_CMD...``: the raw client.

The server category's halves are servers, so each half is this client in front of its
server: it speaks the worker protocol to the runner (cases as JSON lines on stdin, one
``{"id", "log"}`` line per case on stdout, in case order) and plays every case against the
server it starts with ``SERVER_CMD CONFIGS`` (``CONFIGS``: the JSON list of the distinct
server configurations of the cases). The very same client runs in front of Node and in
front of nodehttp, so both servers get the same bytes with the same segmentation and
timing.

A case is one fresh TCP connection: each chunk is one ``send`` (TCP_NODELAY), ``pause_ms``
apart; the reply is read until the server closes, or until it has been idle for
:data:`IDLE_S` after the last byte either way (:data:`FIRST_BYTE_S` while nothing has come
back), never longer than :data:`CASE_CAP_S`. Sending stops once the server has closed. The
log::

    [["recv", line], ...]          # the reply, Date values normalised, cut after each LF
    ["closed", bool]               # the server closed (FIN or reset) before we stopped
    ["server-event", kind, detail] # what the server reported about this connection
    ["server-exited", code, tail]  # the server process died while the case ran

Cases run :data:`DEFAULT_CONCURRENCY` at a time, as they share nothing but the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import sys
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

Case = dict[str, Any]
Log = list[list[Any]]

IDLE_S = 0.3
FIRST_BYTE_S = 1.0
CASE_CAP_S = 2.5
START_TIMEOUT_S = 20.0
DEFAULT_CONCURRENCY = 32
# Events are written by the server before it closes the connection; a closed case waits
# this long so that an event still in the pipe is attached to it.
EVENT_GRACE_S = 0.02

# Node's and nodehttp's Date values (IMF-fixdate); anything else in a Date line is data.
DATE = re.compile(rb"Date: (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d "
                  rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
                  rb"\d\d:\d\d:\d\d GMT\r\n")
DATE_PLACEHOLDER = b"Date: <date>\r\n"


def normalise(reply: bytes) -> bytes:
    """The reply with every Date header value replaced, so two runs can be compared."""
    return DATE.sub(DATE_PLACEHOLDER, reply)


def reply_lines(reply: bytes) -> list[str]:
    """The reply as latin-1 text cut after each LF (so a diff points at a line)."""
    text = reply.decode("latin-1")
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def config_key(config: dict[str, Any]) -> str:
    return json.dumps(config, sort_keys=True)


def distinct_configs(cases: list[Case]) -> list[dict[str, Any]]:
    """The cases' server configurations, each once, in order of first use."""
    seen: dict[str, dict[str, Any]] = {}
    for case in cases:
        seen.setdefault(config_key(case["server"]), case["server"])
    return list(seen.values())



async def pump_stderr(stream: asyncio.StreamReader, tail: deque[str]) -> None:
    """Echo a child's stderr and keep its last lines for the report."""
    async for raw in stream:
        line = raw.decode("utf-8", "replace")
        tail.append(line)
        sys.stderr.write(line)

@dataclass
class Exchange:
    reply: bytes
    closed: bool
    local_port: int


async def exchange(port: int, chunks: list[bytes], pause_s: float, half_close: bool,
                   idle_s: float = IDLE_S, first_byte_s: float = FIRST_BYTE_S,
                   cap_s: float = CASE_CAP_S) -> Exchange:
    """One case over a fresh connection (see the module docstring)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    received = bytearray()
    last = [started]
    closed = [False]
    try:
        await loop.sock_connect(sock, ("127.0.0.1", port))
        local_port = sock.getsockname()[1]

        async def read() -> None:
            while True:
                try:
                    data = await loop.sock_recv(sock, 65536)
                except OSError:  # a reset: the server closed with our bytes unread
                    data = b""
                if not data:
                    closed[0] = True
                    return
                received.extend(data)
                last[0] = loop.time()

        reader = asyncio.create_task(read())
        try:
            for i, chunk in enumerate(chunks):
                if i:
                    await asyncio.sleep(pause_s)
                if reader.done():
                    break
                try:
                    await loop.sock_sendall(sock, chunk)
                except OSError:
                    break
                last[0] = loop.time()
            if half_close and not reader.done():
                try:
                    sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            while not reader.done():
                now = loop.time()
                wait = min((idle_s if received else first_byte_s) - (now - last[0]),
                           started + cap_s - now)
                if wait <= 0:
                    break
                await asyncio.wait({reader}, timeout=wait)
        finally:
            reader.cancel()
            try:
                await reader
            except asyncio.CancelledError:
                pass
    finally:
        sock.close()
    return Exchange(bytes(received), closed[0], local_port)


@dataclass
class ServerProcess:
    """The server half, restarted when it dies so that one crash costs only its cases."""

    cmd: list[str]
    configs: list[dict[str, Any]]
    proc: asyncio.subprocess.Process | None = None
    ports: dict[str, int] = field(default_factory=dict)
    generation: int = 0
    events: dict[int, list[list[Any]]] = field(default_factory=lambda: defaultdict(list))
    stderr_tail: deque[str] = field(default_factory=lambda: deque(maxlen=20))
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def ensure(self) -> int:
        """A running server; the generation number a case records to spot a crash."""
        async with self._lock:
            if self.proc is None or self.proc.returncode is not None:
                await self._start()
            return self.generation

    def died(self, generation: int) -> int | None:
        """The exit status if the server of ``generation`` is gone."""
        if generation != self.generation or self.proc is None:
            return -1
        return self.proc.returncode

    async def _start(self) -> None:
        self.generation += 1
        proc = await asyncio.create_subprocess_exec(
            *self.cmd, json.dumps(self.configs), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        self.proc = proc
        assert proc.stdout is not None and proc.stderr is not None
        self._tasks.append(asyncio.create_task(pump_stderr(proc.stderr, self.stderr_tail)))
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT_S)
            ports = json.loads(line)["ports"]
        except (asyncio.TimeoutError, ValueError, KeyError, TypeError) as exc:
            await asyncio.sleep(0.2)  # let the server's last words reach stderr
            raise RuntimeError(f"server {' '.join(self.cmd)!r} did not start ({exc!r}):\n"
                               + "".join(self.stderr_tail)) from None
        self.ports = {config_key(c): int(p) for c, p in zip(self.configs, ports)}
        self._tasks.append(asyncio.create_task(self._pump_events(proc.stdout)))

    async def _pump_events(self, stream: asyncio.StreamReader) -> None:
        async for line in stream:
            try:
                item = json.loads(line)
                self.events[int(item["peer"])].append(
                    ["server-event", item["event"], item["detail"]])
            except (ValueError, KeyError, TypeError):
                sys.stderr.write(f"server said: {line!r}\n")

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        for task in self._tasks:
            task.cancel()


async def run_case(server: ServerProcess, case: Case) -> Log:
    generation = await server.ensure()
    port = server.ports[config_key(case["server"])]
    chunks = [c.encode("latin-1") for c in case["chunks"]]
    log: Log
    try:
        result = await exchange(port, chunks, case["pause_ms"] / 1000, case["half_close"])
    except OSError as exc:  # the server is not there to connect to
        log = [["connect-failed", type(exc).__name__]]
    else:
        log = [["recv", line] for line in reply_lines(normalise(result.reply))]
        log.append(["closed", result.closed])
        if result.closed:
            await asyncio.sleep(EVENT_GRACE_S)
        log += server.events.pop(result.local_port, [])
    status = server.died(generation)
    if status is not None:
        log.append(["server-exited", status, "".join(server.stderr_tail)[-2000:]])
    return log


async def drive(cmd: list[str], cases: list[Case], concurrency: int) -> None:
    server = ServerProcess(cmd, distinct_configs(cases))
    limit = asyncio.Semaphore(concurrency)

    async def one(case: Case) -> Log:
        async with limit:
            return await run_case(server, case)

    try:
        await server.ensure()
        tasks = [asyncio.create_task(one(case)) for case in cases]
        for case, task in zip(cases, tasks):
            log = await task
            sys.stdout.write(json.dumps({"id": case["id"], "log": log}) + "\n")
            sys.stdout.flush()
    finally:
        await server.stop()


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m conformance.server_client")
    p.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    p.add_argument("server", nargs=argparse.REMAINDER,
                   help="-- then the server command (it gets the configurations as last argument)")
    args = p.parse_args(argv)
    cmd = args.server[1:] if args.server[:1] == ["--"] else args.server
    if not cmd:
        p.error("no server command")
    cases = [json.loads(line) for line in sys.stdin if line.strip()]
    if not cases:
        return 0
    started = time.monotonic()
    asyncio.run(drive(cmd, cases, args.concurrency))
    sys.stderr.write(f"server_client: {len(cases)} cases in {time.monotonic() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
