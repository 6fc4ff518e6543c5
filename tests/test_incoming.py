"""IncomingMessage as a Readable: 'readable' and read(), and when a request's body chunks
reach it, on both backends.

The expected logs are what the reference Node 24.21.0 printed for the same programs: the
JavaScript halves of conformance/scenarios/readable_request, readable_response,
readable_removed, body_chunk_ticks, response_chunk_ticks and readable_state, whose Python
halves run here
(tests/data/scenario_logs.json).
"""

from __future__ import annotations

import anyio
import pytest

import nodehttp
from nodehttp import IncomingMessage, ServerResponse, current_runtime

from ._loopback import LOOPBACK, close, listen
from ._scenarios import node_log, run_scenario


# Each scenario, with what it shows.
SCENARIOS = {
    # A GET, a POST in two parts, and the same with a 'data' listener as well: 'readable'
    # per chunk and at the end, read() handing chunks to 'data' too, ticks between chunks.
    "readable_request": "server reads bodies with 'readable'",
    "readable_response": "client reads a response with 'readable'",
    "readable_removed": "removing the 'readable' listener lets 'data' flow",
    # Node's server parser drains the tick queue after each body chunk, not after a head
    # or a message's end: a tick queued in 'data' sees the message still incomplete.
    "body_chunk_ticks": "ticks run between request body chunks",
    # A client response read whole in one go: 'end' is scheduled before the last chunk's
    # 'data', so it runs between the ticks the 'data' listeners queued.
    "response_chunk_ticks": "'end' comes before the last chunk's ticks",
    # readable, readable_flowing, readable_length, readable_encoding, closed, errored... at
    # each step, and res.destroy(error) inside the 'response' callback (which crashed once:
    # the socket's 'error' came from inside the parser's callback, not on a tick as Node's).
    "readable_state": "the Readable state properties step by step",
}


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("scenario", list(SCENARIOS), ids=list(SCENARIOS.values()))
def test_matches_node(scenario: str, backend: str) -> None:
    assert run_scenario(scenario, backend) == node_log(scenario)


@pytest.mark.anyio
async def test_read_in_paused_mode_decodes_after_set_encoding(anyio_backend: str) -> None:
    # node 24.21.0, the same program: read() 20 ms after the request gave the string 'aé'
    # (the two bytes of é decoded together), then 'end'.
    events: list[object] = []
    done = anyio.Event()

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        req.set_encoding("utf8")

        def later() -> None:
            data = req.read()
            events.append(("read", data, type(data).__name__))

        def on_end() -> None:
            events.append("end")
            res.end("ok")
            done.set()

        current_runtime().set_timeout(later, 20)
        req.on("end", on_end)

    with anyio.fail_after(5):
        async with nodehttp.runtime():
            server = nodehttp.create_server(handler)
            port = await listen(server)
            async with await anyio.connect_tcp(LOOPBACK, port) as stream:
                await stream.send(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\na\xc3\xa9")
                await done.wait()
            await close(server)
    assert events == [("read", "aé", "str"), "end"]
