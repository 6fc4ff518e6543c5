"""scheduling 'lifo' and 'fifo': two sockets freed in a known order (A, then B); the next
request gets B under lifo, A under fifo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nodehttp import Agent, ClientRequest, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, next_tick, start


def main() -> None:
    held: dict[str, ServerResponse] = {}

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        held[req.url] = res
        # Both sockets busy: answer the first request; the second waits for release().
        if req.url != "/3" and "/1" in held and "/2" in held:
            held["/1"].end("1")
        if req.url == "/3":
            res.end("3")

    server = create_server(handler)

    def release() -> None:
        held["/2"].end("2")

    def on_listening(port: int) -> None:
        def run(scheduling: str, done: Callable[[], object]) -> None:
            held.clear()
            agent = Agent(keep_alive=True, scheduling=scheduling)
            name = agent.get_name({"host": "127.0.0.1", "port": port})
            sockets: dict[str, Any] = {}

            def send(i: int, on_close: Callable[[], None]) -> ClientRequest:
                def on_response(res: IncomingMessage) -> None:
                    def on_end() -> None:
                        label = "?"
                        for key, sock in sockets.items():
                            if sock is req.socket:
                                label = key
                        log(scheduling, "response", i, label, req.reused_socket)

                    res.resume()
                    res.on("end", on_end)

                req = get({"host": "127.0.0.1", "port": port, "path": f"/{i}", "agent": agent},
                          on_response)
                req.on("close", lambda: next_tick(on_close))
                return req

            def free_count() -> int:
                return len(agent.free_sockets.get(name, []))

            def first_closed() -> None:
                log(scheduling, "free", free_count())
                release()

            def third_closed() -> None:
                log(scheduling, "free", free_count())
                agent.destroy()
                done()

            def second_closed() -> None:
                log(scheduling, "free", free_count())
                send(3, third_closed)

            r1 = send(1, first_closed)
            r2 = send(2, second_closed)
            r1.on("socket", lambda s: sockets.__setitem__("A", s))
            r2.on("socket", lambda s: sockets.__setitem__("B", s))

        run("lifo", lambda: run("fifo", lambda: server.close(lambda *_: log("server", "closed"))))

    listen(server, on_listening)


start(main)
