"""A fully typed nodehttp program: a server and a client round trip, checked by mypy --strict.

Run it with ``python examples/typed_app.py [asyncio|trio]``. It starts a server on a free
port of 127.0.0.1, sends it two requests through a keep-alive :class:`nodehttp.Agent`
with one socket (the second goes over the first one's connection), checks the answers, closes everything
and exits: status 0 when every check held, 1 otherwise.
"""

from __future__ import annotations

import sys

import nodehttp
from nodehttp import Agent, ClientRequest, IncomingMessage, NodeError, Server, ServerResponse


async def read_body(message: IncomingMessage) -> bytes:
    """The whole body of a request or response, read with ``async for``."""
    return b"".join([chunk async for chunk in message])


async def handle(req: IncomingMessage, res: ServerResponse) -> None:
    """Answer ``POST /reverse`` with the body reversed and anything else with its URL.

    ``X-Client-Port`` tells the client which of its connections the request came on.
    """
    res.set_header("X-Client-Port", str(req.socket.remote_port))
    if req.method == "POST" and req.url == "/reverse":
        body = await read_body(req)
        res.write_head(200, {"Content-Type": "application/octet-stream"})
        res.end(body[::-1])
        return
    text = f"{req.method} {req.url} over HTTP/{req.http_version}\n"
    res.set_header("Content-Type", "text/plain; charset=utf-8")
    res.end(text)


async def listen(server: Server) -> int:
    """Listen on a free loopback port and return it once the server is listening."""
    server.listen(0, "127.0.0.1")
    await nodehttp.once(server, "listening")
    address = server.address()
    if not isinstance(address, dict):
        raise RuntimeError(f"expected a TCP address, got {address!r}")
    return int(address["port"])


async def fetch(agent: Agent, port: int, method: str, path: str,
                body: bytes = b"") -> tuple[IncomingMessage, bytes]:
    """One request through ``agent``; its response and the response body."""
    req: ClientRequest = nodehttp.request({"host": "127.0.0.1", "port": port, "method": method,
                                           "path": path, "agent": agent})
    req.end(body)
    (res,) = await nodehttp.once(req, "response")
    if not isinstance(res, IncomingMessage):
        raise TypeError(f"'response' gave {res!r}")
    return res, await read_body(res)


async def main() -> list[str]:
    """Run the round trip; the list of failed checks (empty when all held)."""
    failures: list[str] = []
    server = nodehttp.create_server(handle)
    port = await listen(server)
    agent = Agent(keep_alive=True, max_sockets=1)
    try:
        res1, body1 = await fetch(agent, port, "GET", "/hello")
        if res1.status_code != 200 or body1 != b"GET /hello over HTTP/1.1\n":
            failures.append(f"GET: {res1.status_code} {body1!r}")
        if res1.headers.get("content-type") != "text/plain; charset=utf-8":
            failures.append(f"GET content-type: {res1.headers.get('content-type')!r}")
        res2, body2 = await fetch(agent, port, "POST", "/reverse", b"nodehttp")
        if res2.status_code != 200 or body2 != b"ptthedon":
            failures.append(f"POST: {res2.status_code} {body2!r}")
        ports = [res.headers.get("x-client-port") for res in (res1, res2)]
        if ports[0] is None or ports[0] != ports[1]:
            failures.append(f"keep-alive: the requests came from ports {ports}")
    except NodeError as exc:  # a socket or parse error, with Node's code
        failures.append(f"{exc.code}: {exc}")
    finally:
        agent.destroy()
        server.close()
    await nodehttp.once(server, "close")
    return failures


def run(backend: str) -> int:
    """Run :func:`main` on ``backend``; the process exit status."""
    failures: list[str] = nodehttp.run(main, backend=backend)
    for failure in failures:
        print("FAILED", failure, file=sys.stderr)
    print("ok" if not failures else f"{len(failures)} check(s) failed", f"({backend})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1] if len(sys.argv) > 1 else "asyncio"))
