"""Every llhttp error a raw request can cause in http.Server, against the reference Node.

``tests/data/server_errors.json`` holds, per bad request, what Node 24.21.0 did: the reply and
the close without a ``'clientError'`` listener, the text a listener wrote back
(``code|message|bytesParsed|rawPacket length``, ``-`` for an absent field), and the reply a good
keep-alive connection got when it finished its POST afterwards. ``tests/data/server_errors.js``
produced it; the same steps run here on both backends:

1. a good connection sends the first half of a POST (headers and half the body);
2. the bad connection sends its writes, each read by the server before the next is sent
   (so bytes_parsed and raw_packet are those of one write), half-closes if the case says so,
   and reads until the server closes;
3. the good connection sends the rest of its body and must be answered as usual.

Codes no request can trigger, so absent here: HPE_INTERNAL, HPE_INVALID_STATUS (responses
only), HPE_PAUSED and HPE_PAUSED_UPGRADE (not errors for a server), HPE_USER (Node reports
its header limit, the only user error, as HPE_HEADER_OVERFLOW) and the HPE_CB_* callback codes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from nodehttp import IncomingMessage, Server, ServerResponse, create_server, runtime

pytestmark = pytest.mark.anyio

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "server_errors.json").read_text())["cases"]
DATE = re.compile(rb"Date: [^\r]*\r\n")
GOOD_HEAD = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab"
GOOD_TAIL = b"cd"


def expand(chunk: str | list[Any]) -> str:
    """A chunk is a string, or a list of strings and ``[string, times]`` repeats."""
    if isinstance(chunk, str):
        return chunk
    return "".join(part if isinstance(part, str) else part[0] * part[1] for part in chunk)


def writes_of(case: dict[str, Any]) -> list[bytes]:
    data = [expand(chunk).encode("latin-1") for chunk in case["chunks"]]
    size = case.get("split")
    if not size:
        return data
    joined = b"".join(data)
    return [joined[i:i + size] for i in range(0, len(joined), size)]


def snake(name: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "_" + m.group().lower(), name)


def answer_after_body(req: IncomingMessage, res: ServerResponse) -> None:
    req.on("end", lambda: res.end("ok"))
    req.resume()


def report(err: Any, socket: Any) -> None:
    bytes_parsed = getattr(err, "bytes_parsed", None)
    raw_packet = getattr(err, "raw_packet", None)
    socket.end(f"{err.code}|{err}|{'-' if bytes_parsed is None else bytes_parsed}|"
               f"{'-' if raw_packet is None else len(raw_packet)}".encode())


async def until(condition: Callable[[], bool]) -> None:
    with anyio.fail_after(5):
        while not condition():
            await anyio.sleep(0.005)


async def start(server: Server) -> int:
    ready = anyio.Event()
    server.listen(0, "127.0.0.1", ready.set)
    with anyio.fail_after(5):
        await ready.wait()
    address = server.address()
    assert isinstance(address, dict)
    return int(address["port"])


async def read_to_close(stream: anyio.abc.ByteStream) -> tuple[bytes, bool]:
    """Everything until the server closes (True) or 5 s pass (False)."""
    data = b""
    with anyio.move_on_after(5):
        while True:
            try:
                data += await stream.receive()
            except anyio.EndOfStream:
                return data, True
    return data, False


async def read_reply(stream: anyio.abc.ByteStream, size: int) -> bytes:
    data = b""
    with anyio.fail_after(5):
        while len(DATE.sub(b"Date: <date>\r\n", data)) < size:
            data += await stream.receive()
    return DATE.sub(b"Date: <date>\r\n", data)


@pytest.mark.parametrize("listener", [False, True], ids=["reply", "clientError"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_bad_request_is_answered_as_node_does(anyio_backend: str, case: dict[str, Any],
                                                    listener: bool) -> None:
    expected = (case["listener"] if listener else case["reply"]).encode("latin-1")
    good_expected = case["good"].encode("latin-1")
    async with runtime():
        options = {snake(key): value for key, value in case.get("options", {}).items()}
        server = create_server(options, answer_after_body)
        for key, value in case.get("properties", {}).items():
            setattr(server, snake(key), value)
        if listener:
            server.on("clientError", report)
        accepted: list[Any] = []
        server.on("connection", accepted.append)
        port = await start(server)
        async with await anyio.connect_tcp("127.0.0.1", port) as good:
            await good.send(GOOD_HEAD)
            await until(lambda: len(accepted) == 1 and accepted[0].bytes_read == len(GOOD_HEAD))
            async with await anyio.connect_tcp("127.0.0.1", port) as bad:
                await until(lambda: len(accepted) == 2)
                sent = 0
                for chunk in writes_of(case):
                    await bad.send(chunk)
                    sent += len(chunk)
                    await until(lambda: accepted[1].bytes_read >= sent or accepted[1].destroyed)
                if case.get("half_close"):
                    await bad.send_eof()
                reply, closed = await read_to_close(bad)
            await good.send(GOOD_TAIL)  # only now: the good request was open all along
            good_reply = await read_reply(good, len(good_expected))
        server.close()
    assert DATE.sub(b"Date: <date>\r\n", reply) == expected
    assert closed == (case["listener_closed"] if listener else case["closed"])
    assert good_reply == good_expected
