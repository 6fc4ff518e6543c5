"""``python -m conformance.client_peer -- DRIVER_CMD...``: the client category's raw peer.

The client category's halves are clients, so each half is this peer with a driver behind
it: the peer speaks the worker protocol to the runner (cases as JSON lines on stdin, one
``{"id", "log"}`` line per case on stdout), listens on 127.0.0.1 (port 0), and for each
case, one at a time, hands the driver ``{"case", "port"}`` on its stdin, accepts the
driver's connection, reads the request (head, then Content-Length bytes or up to the last
chunk), sends the case's ``response`` chunks one ``send`` each, ``pause_ms`` apart, then
either shuts its side down (``after: "close"``) or waits for the client to close, and
reads on until the client closes (at most :data:`LINGER_S`). The very same peer runs in
front of Node's driver and nodehttp's, so both clients get the same bytes and timing.
The log::

    [["sent", line], ...]      # what the client sent, Host port as <port>, cut after LF
    ["client-closed", bool]    # the client closed the connection before we gave up
    ...the driver's events...  # see conformance.py_client
    ["no-connection"]          # the driver never connected
    ["driver-silent"] / ["driver-exited", status, stderr tail]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .client_category import DRIVER_TIMEOUT_S
from .server_client import pump_stderr

Case = dict[str, Any]
Log = list[list[Any]]

ACCEPT_S = 1.5
REQUEST_S = 1.0
LINGER_S = 1.0
RESULT_S = DRIVER_TIMEOUT_S + 1.0
START_TIMEOUT_S = 20.0

_CL = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)")
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[ \t]*chunked")


def request_complete(data: bytes) -> bool:
    """Whether ``data`` holds a whole request: the head, then its body by its framing."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    head, body = data[:end + 2].lower(), data[end + 4:]
    m = _CL.search(head)
    if m:
        return len(body) >= int(m.group(1))
    if _CHUNKED.search(head):
        return body == b"0\r\n\r\n" or body.endswith(b"\r\n0\r\n\r\n")
    return True


def normalise(request: bytes, port: int) -> bytes:
    """The request with this run's port replaced, so two runs can be compared."""
    return request.replace(b":%d\r\n" % port, b":<port>\r\n")


def lines(data: bytes) -> list[str]:
    text = data.decode("latin-1")
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


@dataclass
class Served:
    request: bytes
    client_closed: bool


async def _recv(loop: asyncio.AbstractEventLoop, sock: socket.socket,
                timeout: float) -> bytes | None:
    """Some bytes; b"" at EOF or reset; None when nothing came within ``timeout``."""
    try:
        return await asyncio.wait_for(loop.sock_recv(sock, 65536), max(0.0, timeout))
    except asyncio.TimeoutError:
        return None
    except OSError:
        return b""


async def serve_one(listener: socket.socket, case: Case) -> Served | None:
    """Play one case's peer side on the next connection; None if nobody connects."""
    loop = asyncio.get_running_loop()
    try:
        sock, _ = await asyncio.wait_for(loop.sock_accept(listener), ACCEPT_S)
    except asyncio.TimeoutError:
        return None
    sock.setblocking(False)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    received = bytearray()
    closed = False
    try:
        deadline = loop.time() + REQUEST_S
        while not request_complete(bytes(received)):
            data = await _recv(loop, sock, deadline - loop.time())
            if not data:
                closed = data == b""
                break
            received += data
        for i, chunk in enumerate(case["response"]):
            if closed:
                break
            if i:
                await asyncio.sleep(case["pause_ms"] / 1000)
            try:
                await loop.sock_sendall(sock, chunk.encode("latin-1"))
            except OSError:
                break
        if case["after"] == "close" and not closed:
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        deadline = loop.time() + LINGER_S
        while not closed:
            data = await _recv(loop, sock, deadline - loop.time())
            if data is None:
                break
            if not data:
                closed = True
                break
            received += data
    finally:
        sock.close()
    return Served(bytes(received), closed)


@dataclass
class Driver:
    """The driver process, restarted when it dies or falls silent."""

    cmd: list[str]
    proc: asyncio.subprocess.Process | None = None
    stderr_tail: deque[str] = field(default_factory=lambda: deque(maxlen=20))
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def ensure(self) -> asyncio.subprocess.Process:
        if self.proc is None or self.proc.returncode is not None:
            self.proc = await asyncio.create_subprocess_exec(
                *self.cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE)
            assert self.proc.stderr is not None
            self._tasks.append(asyncio.create_task(pump_stderr(self.proc.stderr, self.stderr_tail)))
        return self.proc

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self.proc = None

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except asyncio.TimeoutError:
                await self.kill()
        for task in self._tasks:
            task.cancel()

    async def result(self, case: Case, port: int) -> Log:
        """Hand the driver the case and wait for its log."""
        proc = await self.ensure()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write((json.dumps({"case": case, "port": port}) + "\n").encode())
            await proc.stdin.drain()
            line = await asyncio.wait_for(proc.stdout.readline(), RESULT_S)
        except asyncio.TimeoutError:
            await self.kill()
            return [["driver-silent"]]
        except (BrokenPipeError, ConnectionResetError):
            line = b""
        if not line:
            await asyncio.sleep(0.2)
            status = proc.returncode if proc.returncode is not None else await proc.wait()
            self.proc = None
            return [["driver-exited", status, "".join(self.stderr_tail)[-2000:]]]
        item = json.loads(line)
        if item.get("id") != case["id"]:
            await self.kill()
            return [["driver-confused", item.get("id")]]
        log: Log = item["log"]
        return log


async def run_case(listener: socket.socket, port: int, driver: Driver, case: Case) -> Log:
    served, events = await asyncio.gather(serve_one(listener, case), driver.result(case, port))
    log: Log = []
    if served is None:
        log.append(["no-connection"])
    else:
        log += [["sent", line] for line in lines(normalise(served.request, port))]
        log.append(["client-closed", served.client_closed])
    return log + events


async def drive(cmd: list[str], cases: list[Case]) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    driver = Driver(cmd)
    try:
        await asyncio.wait_for(driver.ensure(), START_TIMEOUT_S)
        for case in cases:
            log = await run_case(listener, port, driver, case)
            sys.stdout.write(json.dumps({"id": case["id"], "log": log}) + "\n")
            sys.stdout.flush()
    finally:
        await driver.stop()
        listener.close()


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m conformance.client_peer")
    p.add_argument("driver", nargs=argparse.REMAINDER, help="-- then the driver command")
    args = p.parse_args(argv)
    cmd = args.driver[1:] if args.driver[:1] == ["--"] else args.driver
    if not cmd:
        p.error("no driver command")
    cases = [json.loads(line) for line in sys.stdin if line.strip()]
    if not cases:
        return 0
    started = time.monotonic()
    asyncio.run(drive(cmd, cases))
    sys.stderr.write(f"client_peer: {len(cases)} cases in {time.monotonic() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
