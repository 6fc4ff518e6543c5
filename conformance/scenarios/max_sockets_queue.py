"""max_sockets=2 with five requests at once: three wait in agent.requests and get the freed
sockets in order."""

from __future__ import annotations

from nodehttp import Agent, ClientRequest, IncomingMessage, ServerResponse, create_server, get

from conformance.scenarios.harness import listen, log, next_tick, start

TOTAL = 5


def main() -> None:
    pending: list[tuple[int, ServerResponse]] = []
    last = [False]

    # Answer the lowest pending request while two wait (both sockets busy), and the last one
    # once the client has the one before: an order that does not depend on which connection
    # is faster.
    def answer() -> None:
        while len(pending) == 2 or (pending and last[0]):
            pending.sort(key=lambda item: item[0])
            n, res = pending.pop(0)
            log("server", "answer", n)
            res.end(str(n))

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        pending.append((int(req.url[1:]), res))
        answer()

    server = create_server(handler)

    def on_listening(port: int) -> None:
        agent = Agent(keep_alive=True, max_sockets=2)
        name = agent.get_name({"host": "127.0.0.1", "port": port})
        reqs: list[ClientRequest] = []
        closed = [0]

        def after() -> None:
            log("agent", "after", len(agent.free_sockets.get(name, [])),
                len(agent.sockets.get(name, [])), len(agent.requests.get(name, [])))
            agent.destroy()
            server.close(lambda *_: log("server", "closed"))

        def release_last() -> None:
            last[0] = True
            answer()

        def send(i: int) -> ClientRequest:
            def on_response(res: IncomingMessage) -> None:
                label = ("A" if req.socket is reqs[0].socket else
                         "B" if req.socket is reqs[1].socket else "?")
                log("client", "response", i, label, req.reused_socket)
                res.resume()
                if i == TOTAL - 1:
                    res.on("end", release_last)

            def on_close() -> None:
                closed[0] += 1
                if closed[0] == TOTAL:
                    next_tick(after)

            req = get({"host": "127.0.0.1", "port": port, "path": f"/{i}", "agent": agent},
                      on_response)
            req.on("socket", lambda sock: log("client", "socket", i,
                                              len(agent.requests.get(name, []))))
            req.on("close", on_close)
            return req

        for i in range(1, TOTAL + 1):
            reqs.append(send(i))
        log("agent", "queued", len(agent.requests.get(name, [])), len(agent.sockets.get(name, [])))

    listen(server, on_listening)


start(main)
