#!/usr/bin/env python3
"""The hello-world servers that bench/server.py and bench/idle_memory.py measure.

Every server answers any request with status 200 and the 12-byte body ``Hello World\\n``
on a keep-alive connection. One server per process, so the benchmark can pin it to a
core, read its RSS and kill its process group:

    python bench/_servers.py NAME PORT [--keep-alive-timeout MS]

NAME is one of ``nodehttp-asyncio``, ``nodehttp-uvloop``, ``nodehttp-trio``,
``aiohttp``, ``uvicorn``, ``nodehttp-asgi`` (Python servers), or ``node`` to print the
reference Node script (``node_script()``), which the benchmark writes to a temp file and
runs with the reference Node binary. Servers listen on 127.0.0.1 only. ``uvicorn`` and
``nodehttp-asgi`` serve the same ASGI application (:func:`hello_asgi_app`), lifespan off.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

BODY = "Hello World\n"
BODY_BYTES = BODY.encode()
PYTHON_SERVERS = ("nodehttp-asyncio", "nodehttp-uvloop", "nodehttp-trio", "aiohttp", "uvicorn", "nodehttp-asgi")
ALL_SERVERS = ("nodehttp-asyncio", "nodehttp-uvloop", "nodehttp-trio", "node", "aiohttp", "uvicorn")
ROOT = Path(__file__).resolve().parent.parent

# Node's http.createServer with the same handler. argv: PORT [KEEP_ALIVE_TIMEOUT_MS].
NODE_SCRIPT = """\
'use strict';
const http = require('http');
const port = Number(process.argv[2]);
const server = http.createServer((req, res) => res.end('Hello World\\n'));
if (process.argv[3]) server.keepAliveTimeout = Number(process.argv[3]);
server.listen(port, '127.0.0.1', () => console.log('listening ' + port));
"""


def node_script() -> str:
    return NODE_SCRIPT


def find_node() -> str | None:
    """The reference Node 24.21.0 binary: $NODEHTTP_REFERENCE_NODE, the conformance
    cache, the unpacked download, then PATH (in that order, the pinned version first)."""
    candidates = [
        os.environ.get("NODEHTTP_REFERENCE_NODE"),
        str(Path.home() / ".cache" / "nodehttp" / "node-v24.21.0" / "bin" / "node"),
        "/tmp/dl/package/bin/node",
        shutil.which("node"),
    ]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def uvloop_available() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


# Process control (used by the benchmarks) -----------------------------------------------


def free_port() -> int:
    """A port the kernel says is free on 127.0.0.1 now (the server binds it right after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_hello(port: int, timeout: float = 5.0) -> str | None:
    """GET / over a raw socket; None when the answer is 200 with the 12-byte body, else
    what was wrong. A raw request, so a server that answers wrongly can't look fast."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            data = b""
            deadline = time.monotonic() + timeout
            while b"\r\n\r\n" not in data and time.monotonic() < deadline:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if not sep:
                return f"no complete head: {data[:200]!r}"
            lines = head.split(b"\r\n")
            status = lines[0].split(b" ", 2)
            if len(status) < 2 or status[1] != b"200":
                return f"status line {lines[0]!r}"
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            if b"content-length" not in headers:
                return f"no Content-Length (headers {headers!r})"
            length = int(headers[b"content-length"])
            while len(body) < length and time.monotonic() < deadline:
                chunk = s.recv(65536)
                if not chunk:
                    break
                body += chunk
            if length != len(BODY_BYTES) or body != BODY_BYTES:
                return f"body {body!r} (Content-Length {length})"
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def read_response(sock: socket.socket, buf: bytes) -> tuple[int, bytes, bytes]:
    """Read one Content-Length response from ``sock`` (``buf``: bytes already read).
    Returns (status, body, leftover bytes); raises ConnectionError on EOF."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("EOF before the response head")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("EOF inside the body")
        rest += chunk
    return status, rest[:length], rest[length:]


def clean_load(port: int, seconds: float, connections: int = 16) -> int:
    """Keep-alive GET / on ``connections`` sockets for ``seconds``, one request in flight
    per socket, every response read before a clean close (FIN, never RST: no response is
    left unread). A warm-up for servers that wrk's resets at close would crash. Returns
    the number of responses."""
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(connections)]
    done = 0
    try:
        bufs = [b""] * connections
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for s in socks:
                s.sendall(request)
            for i, s in enumerate(socks):
                status, _, bufs[i] = read_response(s, bufs[i])
                if status != 200:
                    raise RuntimeError(f"status {status} during clean load")
                done += 1
    finally:
        for s in socks:
            s.close()
    return done


class ServerProcess:
    """One server in its own process group (so it and any child die together)."""

    def __init__(self, name: str, port: int, *, cpu: int | None = None,
                 keep_alive_timeout: int | None = None, python: str = sys.executable) -> None:
        self.name = name
        self.port = port
        self._port_arg = port
        self.proc: subprocess.Popen[bytes] | None = None
        self._script: str | None = None
        if name == "node":
            node = find_node()
            if node is None:
                raise RuntimeError("reference node binary not found (set NODEHTTP_REFERENCE_NODE)")
            fd, self._script = tempfile.mkstemp(prefix="nodehttp-bench-", suffix=".js")
            with os.fdopen(fd, "w") as f:
                f.write(node_script())
            cmd = [node, self._script, str(port)]
            if keep_alive_timeout is not None:
                cmd.append(str(keep_alive_timeout))
        else:
            # nodehttp/_net.py asserts isinstance(transport, asyncio.Transport) in
            # connection_made, which uvloop's TCPTransport is not (it implements the
            # interface without subclassing): every uvloop connection is reset. Until
            # that assert is gone, the uvloop server runs with -O (asserts off) so the
            # benchmark measures the loop rather than the assert.
            flags = ["-O"] if name == "nodehttp-uvloop" else []
            cmd = [python, *flags, str(Path(__file__).resolve()), name, str(port)]
            if keep_alive_timeout is not None:
                cmd += ["--keep-alive-timeout", str(keep_alive_timeout)]
        if cpu is not None and shutil.which("taskset"):
            cmd = ["taskset", "-c", str(cpu)] + cmd  # taskset execs: same pid
        self.cmd = cmd
        self._log: Any = None
        self.restarts = 0

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def restart(self) -> None:
        """Start again after the process died, on a fresh port (the old one may linger)."""
        self.stop(keep_script=True)
        self.restarts += 1
        self.port = free_port()
        self.cmd[self.cmd.index(str(self._port_arg))] = str(self.port)
        self._port_arg = self.port
        self.start()

    def stderr_tail(self, lines: int = 5) -> tuple[int, list[str]]:
        """How many lines the server wrote to stderr, and the last ``lines`` of them."""
        if self._log is None:
            return 0, []
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").splitlines()
        self._log.seek(0, os.SEEK_END)
        return len(text), text[-lines:]

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, ready_timeout: float = 15.0) -> None:
        """Start and wait until the port accepts connections."""
        # stderr goes to a file: a server that prints tracebacks under load (nodehttp-trio
        # on client resets, at the time of writing) must not drown the report, but what
        # it printed is kept for stderr_tail().
        if self._log is None:
            self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self._log, start_new_session=True)
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before listening")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not listen on {self.port} within {ready_timeout} s")

    def stop(self, keep_script: bool = False) -> None:
        """SIGTERM the process group, SIGKILL after 3 s; removes the temp script and log
        (unless ``keep_script``: a restart follows)."""
        try:
            if self.proc is not None and self.proc.poll() is None:
                for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
                    try:
                        os.killpg(self.proc.pid, sig)
                    except ProcessLookupError:
                        break
                    try:
                        self.proc.wait(wait)
                        break
                    except subprocess.TimeoutExpired:
                        continue
        finally:
            if keep_script:
                return
            if self._log is not None:
                self._log.close()
                self._log = None
            if self._script is not None:
                try:
                    os.unlink(self._script)
                except OSError:
                    pass
                self._script = None


def rss_kib(pid: int) -> int:
    """VmRSS of ``pid`` in KiB, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


# Servers -----------------------------------------------------------------------------


def serve_nodehttp(port: int, backend: str, use_uvloop: bool, keep_alive_timeout: int | None) -> None:
    # The repository checkout, not whatever nodehttp an environment may hold.
    sys.path.insert(0, str(ROOT))
    from nodehttp._runtime import run
    from nodehttp._server import create_server

    def handler(req: Any, res: Any) -> None:
        res.end(BODY)

    def main() -> None:
        options: dict[str, Any] = {}
        if keep_alive_timeout is not None:
            options["keep_alive_timeout"] = keep_alive_timeout
        server = create_server(options, handler)
        server.listen(port, "127.0.0.1")

    backend_options: dict[str, Any] | None = {"use_uvloop": True} if use_uvloop else None
    run(main, backend=backend, backend_options=backend_options)


def serve_aiohttp(port: int, keep_alive_timeout: int | None) -> None:
    # aiohttp's low-level server: no router, no middlewares, only the protocol and
    # BaseRequest/Response (the fastest way aiohttp serves).
    import asyncio

    from aiohttp import web, web_server

    async def handler(request: web.BaseRequest) -> web.Response:
        return web.Response(text=BODY)

    async def main() -> None:
        kwargs: dict[str, Any] = {}
        if keep_alive_timeout is not None:
            kwargs["keepalive_timeout"] = keep_alive_timeout / 1000
        server = web_server.Server(handler, **kwargs)
        loop = asyncio.get_running_loop()
        await loop.create_server(server, "127.0.0.1", port)
        await asyncio.Event().wait()  # until killed

    asyncio.run(main())


_HELLO_HEADERS = [(b"content-type", b"text/plain; charset=utf-8"),
                  (b"content-length", str(len(BODY_BYTES)).encode())]


async def hello_asgi_app(scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]],
                         send: Callable[[MutableMapping[str, Any]], Awaitable[None]]) -> None:
    """The ASGI hello world both ASGI servers run."""
    if scope["type"] != "http":
        return  # lifespan: "off" for both servers, so never reached
    await send({"type": "http.response.start", "status": 200, "headers": _HELLO_HEADERS})
    await send({"type": "http.response.body", "body": BODY_BYTES})


def serve_uvicorn(port: int, keep_alive_timeout: int | None) -> None:
    import uvicorn

    kwargs: dict[str, Any] = {}
    if keep_alive_timeout is not None:
        kwargs["timeout_keep_alive"] = max(1, keep_alive_timeout // 1000)
    uvicorn.run(hello_asgi_app, host="127.0.0.1", port=port, http="httptools", loop="asyncio",
                log_level="warning", access_log=False, lifespan="off", **kwargs)


def serve_nodehttp_asgi(port: int, keep_alive_timeout: int | None) -> None:
    sys.path.insert(0, str(ROOT))
    from nodehttp.asgi import run

    options: dict[str, Any] = {}
    if keep_alive_timeout is not None:
        options["keep_alive_timeout"] = keep_alive_timeout
    run(hello_asgi_app, "127.0.0.1", port, backend="asyncio", lifespan_mode="off", server_options=options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=PYTHON_SERVERS + ("node",))
    parser.add_argument("port", type=int, nargs="?", default=0)
    parser.add_argument("--keep-alive-timeout", type=int, default=None, metavar="MS",
                        help="keep-alive timeout in milliseconds (default: the server's own)")
    args = parser.parse_args(argv)
    name: str = args.name
    if name == "node":
        sys.stdout.write(node_script())
        return 0
    if name == "nodehttp-asyncio":
        serve_nodehttp(args.port, "asyncio", False, args.keep_alive_timeout)
    elif name == "nodehttp-uvloop":
        serve_nodehttp(args.port, "asyncio", True, args.keep_alive_timeout)
    elif name == "nodehttp-trio":
        serve_nodehttp(args.port, "trio", False, args.keep_alive_timeout)
    elif name == "aiohttp":
        serve_aiohttp(args.port, args.keep_alive_timeout)
    elif name == "uvicorn":
        serve_uvicorn(args.port, args.keep_alive_timeout)
    elif name == "nodehttp-asgi":
        serve_nodehttp_asgi(args.port, args.keep_alive_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
