"""A client with a keep-alive Agent: connections are pooled and reused.

    python examples/keep_alive_client.py [asyncio|trio]

It starts a local server that answers each request with the client port it came from,
then sends six requests at once through ``Agent(keep_alive=True, max_sockets=2)``: the
agent opens two connections and queues the other four until a socket is free. Once all
six are done both sockets wait in the agent's pool, and a seventh request takes one of
them (``req.reused_socket``). ``agent.destroy()`` closes the pool at the end.
"""

from __future__ import annotations

import sys

import anyio

import nodehttp
from nodehttp import Agent, ClientRequest, IncomingMessage, ServerResponse


def report_port(req: IncomingMessage, res: ServerResponse) -> None:
    res.set_header("Content-Type", "text/plain")
    res.end(str(req.socket.remote_port))


async def main() -> None:
    server = nodehttp.create_server(report_port)
    server.listen(0, "127.0.0.1")
    await nodehttp.once(server, "listening")
    address = server.address()  # a dict for TCP, the path for a unix socket
    assert isinstance(address, dict)
    port = address["port"]

    agent = Agent(keep_alive=True, max_sockets=2)
    name = agent.get_name({"host": "127.0.0.1", "port": port})   # "127.0.0.1:<port>:"
    ports: list[str] = []
    all_closed = anyio.Event()

    def send(path: str) -> ClientRequest:
        def on_response(res: IncomingMessage) -> None:
            chunks: list[bytes] = []
            res.on("data", chunks.append)
            res.on("end", lambda: ports.append(b"".join(chunks).decode()))

        req = nodehttp.get({"host": "127.0.0.1", "port": port, "path": path, "agent": agent},
                           on_response)
        req.on("error", lambda err: print("request failed:", err.code, err))
        return req

    requests = [send(f"/{n}") for n in range(6)]
    print("sockets:", len(agent.sockets[name]), "| queued requests:", len(agent.requests[name]))

    closed = 0

    def on_close() -> None:
        # A request's 'close' comes as its socket goes back to the agent.
        nonlocal closed
        closed += 1
        if closed == len(requests):
            all_closed.set()

    for req in requests:
        req.on("close", on_close)
    await all_closed.wait()
    print(f"{len(ports)} responses over {len(set(ports))} connections")
    print("idle sockets in the pool:", len(agent.free_sockets[name]))

    late = send("/late")
    await nodehttp.once(late, "close")
    print("seventh request reused a pooled socket:", late.reused_socket,
          "| same connection as before:", ports[-1] in ports[:-1])

    agent.destroy()
    server.close()


if __name__ == "__main__":
    nodehttp.run(main, backend=sys.argv[1] if len(sys.argv) > 1 else "asyncio")
