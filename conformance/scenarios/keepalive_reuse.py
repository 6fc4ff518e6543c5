"""Keep-alive through an Agent: three requests in a row share one socket (the server sees
one connection; reused_socket after the first)."""

from __future__ import annotations

from typing import Any

from nodehttp import Agent, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, next_tick, start


def main() -> None:
    peers: list[Any] = []

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        if req.socket.remote_port not in peers:
            peers.append(req.socket.remote_port)
        log("server", "request", req.url, req.headers.get("connection"),
            peers.index(req.socket.remote_port))
        res.end(req.url)

    server = create_server(handler)
    server.on("connection", lambda sock: log("server", "connection"))

    def on_listening(port: int) -> None:
        agent = Agent(keep_alive=True)
        name = agent.get_name({"host": "127.0.0.1", "port": port})
        first_local: list[Any] = []

        def one(i: int) -> None:
            log("agent", "before", i, len(agent.free_sockets.get(name, [])),
                len(agent.sockets.get(name, [])))

            def on_response(res: IncomingMessage) -> None:
                if not first_local:
                    first_local.append(req.socket.local_port)
                log("client", "response", i, res.headers.get("connection"),
                    res.headers.get("keep-alive"), req.reused_socket,
                    req.socket.local_port == first_local[0])
                res.resume()
                res.on("end", lambda: log("client", "end", i))

            def after_close() -> None:
                if i < 3:
                    one(i + 1)
                    return
                log("agent", "after", len(agent.free_sockets.get(name, [])),
                    len(agent.sockets.get(name, [])))
                agent.destroy()
                server.close(lambda *_: log("server", "closed"))

            def on_close() -> None:
                log("client", "close", i)
                next_tick(after_close)

            req = get({"host": "127.0.0.1", "port": port, "path": f"/{i}", "agent": agent},
                      on_response)
            req.on("socket", lambda sock: log("client", "socket", i))
            req.on("close", on_close)

        one(1)

    listen(server, on_listening)


start(main)
