"""A small nodehttp server: plain and ``async def`` handlers, JSON, streaming, echo.

    python examples/server.py [port] [asyncio|trio]

Listens on 127.0.0.1 (port 8080 by default; 0 picks a free one), prints the address and
serves until Ctrl-C (SIGINT) or SIGTERM, then closes the server and exits:

    curl http://127.0.0.1:8080/
    curl http://127.0.0.1:8080/json
    curl -N http://127.0.0.1:8080/stream
    curl --data-binary 'hello' http://127.0.0.1:8080/echo
"""

from __future__ import annotations

import json
import signal
import sys
from typing import Any

import anyio

import nodehttp
from nodehttp import IncomingMessage, ServerResponse


async def stream(res: ServerResponse) -> None:
    # No Content-Length: the body goes out chunked, one chunk per write.
    res.write_head(200, {"Content-Type": "text/plain"})
    for n in range(3):
        res.write(f"chunk {n}\n")
        await anyio.sleep(0.05)
    res.end("done\n")


async def echo(req: IncomingMessage, res: ServerResponse) -> None:
    body = b"".join([chunk async for chunk in req])
    res.set_header("Content-Type", req.headers.get("content-type", "application/octet-stream"))
    res.end(body)


def handler(req: IncomingMessage, res: ServerResponse) -> Any:
    """The 'request' listener. What it returns is ignored, unless it is an awaitable:
    the runtime then runs it as a task, so a route may be ``async``."""
    if req.url == "/" and req.method == "GET":
        res.set_header("Content-Type", "text/plain")
        res.end("Hello World\n")
    elif req.url == "/json":
        body = json.dumps({"method": req.method, "url": req.url, "headers": req.headers})
        res.write_head(200, {"Content-Type": "application/json"})
        res.end(body)
    elif req.url == "/stream":
        return stream(res)
    elif req.url == "/echo" and req.method == "POST":
        return echo(req, res)
    else:
        res.status_code = 404
        res.end(f"no route for {req.method} {req.url}\n")
    return None


async def main(port: int) -> None:
    server = nodehttp.create_server(handler)
    server.on("error", lambda err: print("server error:", err, file=sys.stderr))
    server.listen(port, "127.0.0.1")
    await nodehttp.once(server, "listening")
    address = server.address()
    assert isinstance(address, dict)
    print(f"listening on http://{address['address']}:{address['port']}/", flush=True)
    # Node's process.on('SIGINT', () => server.close()): stop accepting, let the requests
    # in progress finish; nodehttp.run returns once nothing is left open.
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for _ in signals:
            break
    server.close()
    await nodehttp.once(server, "close")
    print("stopped", flush=True)


if __name__ == "__main__":
    nodehttp.run(main, int(sys.argv[1]) if len(sys.argv) > 1 else 8080,
                 backend=sys.argv[2] if len(sys.argv) > 2 else "asyncio")
