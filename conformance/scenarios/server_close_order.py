"""server.close() with an idle keep-alive connection: the connection is closed at once and
the server's 'close' follows; the order against the socket's own 'close' is Node's."""

from __future__ import annotations

from nodehttp import Agent, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, next_tick, start


def main() -> None:
    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.end("ok")

    server = create_server(handler)
    server.on("connection",
              lambda socket: socket.on("close", lambda *_: log("server", "socket-close")))
    server.on("close", lambda: log("server", "close-event"))

    def on_listening(port: int) -> None:
        agent = Agent(keep_alive=True)

        def on_response(res: IncomingMessage) -> None:
            res.resume()
            res.on("end", lambda: log("client", "end"))

        def pooled() -> None:
            log("client", "pooled")
            server.close(lambda *_: log("server", "close-callback"))
            log("server", "close-called", server.listening)
            next_tick(lambda: log("tick"))
            agent.destroy()

        req = get({"host": "127.0.0.1", "port": port, "agent": agent}, on_response)
        req.on("close", lambda: next_tick(pooled))

    listen(server, on_listening)


start(main)
