"""http.Server against the reference Node's replies, byte for byte, on both backends.

``tests/data/server_replies.json`` holds what Node 24.21.0 answered to each raw request
(Date values replaced by ``<date>``); ``tests/data/server_replies.js`` produced it:
``node tests/data/server_replies.js < cases.json`` with the handlers below written in JS.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import anyio
import pytest

from nodehttp._incoming import IncomingMessage
from nodehttp._runtime import runtime
from nodehttp._server import Server, ServerResponse, create_server

pytestmark = pytest.mark.anyio

CASES = json.loads((Path(__file__).parent / "data" / "server_replies.json").read_text())["cases"]
DATE = re.compile(rb"Date: [^\r]*\r\n")


def hello(req: IncomingMessage, res: ServerResponse) -> None:
    res.set_header("Content-Type", "text/plain")
    res.end("Hello World\n")


def chunked(req: IncomingMessage, res: ServerResponse) -> None:
    res.write("hello ")
    res.end("world\n")


def status204(req: IncomingMessage, res: ServerResponse) -> None:
    res.write_head(204)
    res.end()


def status304(req: IncomingMessage, res: ServerResponse) -> None:
    res.write_head(304, {"ETag": '"x"'})
    res.end()


def reason(req: IncomingMessage, res: ServerResponse) -> None:
    res.write_head(201, "Made It", ["X-A", "1", "x-a", "2", "Set-Cookie", "a=1"])
    res.end("ok")


def cookies(req: IncomingMessage, res: ServerResponse) -> None:
    res.set_header("Set-Cookie", ["a=1", "b=2"])
    res.set_header("X-Num", 42)
    res.end()


def trailers(req: IncomingMessage, res: ServerResponse) -> None:
    res.write_head(200, {"Trailer": "X-Checksum"})
    res.write("data")
    res.add_trailers({"X-Checksum": "abc"})
    res.end()


def echo(req: IncomingMessage, res: ServerResponse) -> None:
    parts: list[bytes] = []
    req.on("data", parts.append)

    def done() -> None:
        res.end(json.dumps({
            "method": req.method, "url": req.url, "v": req.http_version, "raw": req.raw_headers,
            "headers": req.headers, "body": b"".join(parts).decode("latin-1"),
            "trailers": req.raw_trailers,
        }, separators=(",", ":"), ensure_ascii=False))

    req.on("end", done)


def close(req: IncomingMessage, res: ServerResponse) -> None:
    res.set_header("Connection", "close")
    res.end("bye")


def hints(req: IncomingMessage, res: ServerResponse) -> None:
    res.write_early_hints({"link": ["</a.css>; rel=preload; as=style", "</b.js>; rel=preload; as=script"],
                           "x-trace": "abc"})
    res.end("ok")


def latin1(req: IncomingMessage, res: ServerResponse) -> None:
    res.set_header("X-L", "caf\u00e9")
    res.end(b"x")


def explicit_length(req: IncomingMessage, res: ServerResponse) -> None:
    res.set_header("Content-Length", 2)
    res.end("ok")


def setup_upgrade(server: Server) -> None:
    server.on("upgrade", lambda req, socket, head: socket.end(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n" + req.url.encode() + b"|" + head))


def setup_connect(server: Server) -> None:
    server.on("connect", lambda req, socket, head: socket.end(
        b"HTTP/1.1 200 Connection Established\r\n\r\n" + req.url.encode() + b"|" + head))


def setup_client_error(server: Server) -> None:
    server.on("clientError", lambda err, socket: socket.end(
        f"HTTP/1.1 400 Custom\r\n\r\n{err.code}|{err}|{err.bytes_parsed}|{len(err.raw_packet)}".encode()))


def setup_max_headers2(server: Server) -> None:
    server.max_headers_count = 2


def setup_check_continue(server: Server) -> None:
    def reject(req: IncomingMessage, res: ServerResponse) -> None:
        res.write_head(417, {"X-Why": "no"})
        res.end()

    server.on("checkContinue", reject)


def setup_max_requests2(server: Server) -> None:
    server.max_requests_per_socket = 2


SETUPS = {"upgrade": setup_upgrade, "connect": setup_connect, "clientError": setup_client_error,
          "maxHeaders2": setup_max_headers2, "checkContinue": setup_check_continue,
          "maxRequests2": setup_max_requests2}

HANDLERS = {f.__name__: f for f in (hello, chunked, status204, status304, reason, cookies, trailers,
                                    echo, close, latin1, hints, explicit_length)}


async def exchange(port: int, chunks: list[str], expected: bytes, closed: bool) -> tuple[bytes, bool]:
    """Send the chunks as separate writes; read until the expected length (and EOF if the
    server is expected to close)."""
    got = b""
    eof = False
    async with await anyio.connect_tcp("127.0.0.1", port) as client:
        for chunk in chunks:
            await client.send(chunk.encode("latin-1"))
            await anyio.sleep(0.01)
        with anyio.fail_after(5):
            while not eof and (closed or len(DATE.sub(b"Date: <date>\r\n", got)) < len(expected)):
                try:
                    got += await client.receive()
                except (anyio.EndOfStream, anyio.BrokenResourceError):
                    eof = True
    return DATE.sub(b"Date: <date>\r\n", got), eof


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_reply_is_nodes(anyio_backend: str, case: dict[str, Any]) -> None:
    expected = case["expected"].encode("latin-1")
    async with runtime():
        server = create_server(HANDLERS[case["handler"]])
        if "setup" in case:
            SETUPS[case["setup"]](server)
        ready = anyio.Event()
        server.listen(0, "127.0.0.1", ready.set)
        with anyio.fail_after(5):
            await ready.wait()
        port = server.address()["port"]  # type: ignore[index]
        reply, eof = await exchange(port, case["chunks"], expected, case["closed"])
        server.close()
        server.close_all_connections()
    assert reply == expected
    assert eof == case["closed"]


async def test_a_reset_racing_a_destroy_does_not_end_the_program(anyio_backend: str) -> None:
    # An idle keep-alive connection whose client closes with the reply unread (a reset)
    # while the server destroys it: on trio the reader's ECONNRESET and the destroy's
    # cancellation came out together and took the whole runtime down.
    answered = anyio.Event()
    closed = anyio.Event()

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        req.socket.on("close", lambda *_: closed.set())
        res.end("ok")
        answered.set()

    with anyio.fail_after(10):
        async with runtime():
            server = create_server(handler)
            ready = anyio.Event()
            server.listen(0, "127.0.0.1", ready.set)
            await ready.wait()
            port = server.address()["port"]  # type: ignore[index]
            async with await anyio.connect_tcp("127.0.0.1", port) as stream:
                await stream.send(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                await answered.wait()
            # The reply was never read: closing the client sent a reset.
            done = anyio.Event()
            server.close(done.set)
            server.close_all_connections()
            await closed.wait()
            await done.wait()


# node 24.21.0's http.createServer({camelCaseOption: value}) threw these (names in snake_case).
_RANGE = "is out of range. It must be >= 0 && <= 9007199254740991. Received "


@pytest.mark.parametrize(("options", "error", "code", "message"), [
    ({"max_header_size": -1}, ValueError, "ERR_OUT_OF_RANGE", f'The value of "max_header_size" {_RANGE}-1'),
    ({"max_header_size": 1.5}, ValueError, "ERR_OUT_OF_RANGE",
     'The value of "max_header_size" is out of range. It must be an integer. Received 1.5'),
    ({"max_header_size": 2**53}, ValueError, "ERR_OUT_OF_RANGE",
     f'The value of "max_header_size" {_RANGE}9_007_199_254_740_992'),
    ({"max_header_size": "x"}, TypeError, "ERR_INVALID_ARG_TYPE",
     "The \"max_header_size\" argument must be of type number. Received type string ('x')"),
    ({"request_timeout": True}, TypeError, "ERR_INVALID_ARG_TYPE",
     'The "request_timeout" argument must be of type number. Received type boolean (true)'),
    ({"request_timeout": -1}, ValueError, "ERR_OUT_OF_RANGE", f'The value of "request_timeout" {_RANGE}-1'),
    ({"headers_timeout": 1.5}, ValueError, "ERR_OUT_OF_RANGE",
     'The value of "headers_timeout" is out of range. It must be an integer. Received 1.5'),
    ({"headers_timeout": 2000, "request_timeout": 1000}, ValueError, "ERR_OUT_OF_RANGE",
     'The value of "headers_timeout" is out of range. It must be <= request_timeout. Received 2000'),
    ({"keep_alive_timeout": -1}, ValueError, "ERR_OUT_OF_RANGE", f'The value of "keep_alive_timeout" {_RANGE}-1'),
    ({"keep_alive_timeout_buffer": "x"}, TypeError, "ERR_INVALID_ARG_TYPE",
     "The \"keep_alive_timeout_buffer\" argument must be of type number. Received type string ('x')"),
    ({"connections_checking_interval": -1}, ValueError, "ERR_OUT_OF_RANGE",
     f'The value of "connections_checking_interval" {_RANGE}-1'),
    ({"insecure_http_parser": 1}, TypeError, "ERR_INVALID_ARG_TYPE",
     'The "options.insecure_http_parser" property must be of type boolean. Received type number (1)'),
    ({"require_host_header": 0}, TypeError, "ERR_INVALID_ARG_TYPE",
     'The "options.require_host_header" property must be of type boolean. Received type number (0)'),
    ({"join_duplicate_headers": "x"}, TypeError, "ERR_INVALID_ARG_TYPE",
     "The \"options.join_duplicate_headers\" property must be of type boolean. Received type string ('x')"),
])
async def test_options_are_checked(anyio_backend: str, options: dict[str, Any], error: type[Exception], code: str,
                                   message: str) -> None:
    async with runtime():
        with pytest.raises(error) as caught:
            create_server(options)
    assert getattr(caught.value, "code", None) == code
    assert str(caught.value) == message


async def test_timeouts_as_node_derives_them(anyio_backend: str) -> None:
    # node 24.21.0: [headersTimeout, requestTimeout] for each createServer options object.
    async with runtime():
        for options, expected in [({}, (60_000, 300_000)), ({"request_timeout": 1000}, (1000, 1000)),
                                  ({"request_timeout": 0}, (0, 0)), ({"headers_timeout": 0}, (0, 300_000)),
                                  ({"headers_timeout": 2000, "request_timeout": 0}, (2000, 0))]:
            server = create_server(options)
            assert (server.headers_timeout, server.request_timeout) == expected, options


_LINK = ("The argument 'hints' must be an array or string of format \"</styles.css>; rel=preload; as=style\". "
         "Received ")


@pytest.mark.parametrize(("call", "outcome"), [
    # node 24.21.0: writeInformation/writeContinue/writeProcessing/writeEarlyHints on a fresh
    # ServerResponse: the interim head it queued, or (code, message) of what it threw.
    (lambda r: r.write_information(101), ("ERR_HTTP_INVALID_STATUS_CODE", "Invalid status code: 101")),
    (lambda r: r.write_information(200), ("ERR_OUT_OF_RANGE", 'The value of "status_code" is out of range. '
                                          "It must be >= 100 && <= 199. Received 200")),
    (lambda r: r.write_information("102"), ("ERR_INVALID_ARG_TYPE", 'The "status_code" argument must be of '
                                            "type number. Received type string ('102')")),
    (lambda r: r.write_information(103, ["a"]), ("ERR_INVALID_ARG_VALUE",
                                                 "The argument 'headers' is invalid. Received [ 'a' ]")),
    (lambda r: r.write_information(103, ["X-A", "1", "X-B", 2]), "HTTP/1.1 103 Early Hints\r\nX-A: 1\r\nX-B: 2\r\n\r\n"),
    (lambda r: r.write_information(199, [["X-A", "1"]]), "HTTP/1.1 199 unknown\r\nX-A: 1\r\n\r\n"),
    (lambda r: r.write_information(103, {"X-A": ["1", "2"]}), "HTTP/1.1 103 Early Hints\r\nX-A: 1,2\r\n\r\n"),
    (lambda r: r.write_information(103, {"X-A": "a\nb"}), ("ERR_INVALID_CHAR",
                                                          'Invalid character in header content ["X-A"]')),
    (lambda r: r.write_information(103, {"X-A": None}), ("ERR_HTTP_INVALID_HEADER_VALUE",
                                                        'Invalid value "undefined" for header "X-A"')),
    (lambda r: r.write_information(103, "x"), ("ERR_INVALID_ARG_TYPE", 'The "headers" argument must be of type '
                                               "object. Received type string ('x')")),
    (lambda r: (r.write_head(200), r.write_continue()), ("ERR_HTTP_HEADERS_SENT",
                                                        "Cannot write headers after they are sent to the client")),
    (lambda r: r.write_processing(), "HTTP/1.1 102 Processing\r\n\r\n"),
    (lambda r: r.write_early_hints({"Link": "</a>"}), ""),
    (lambda r: r.write_early_hints({"link": []}), ""),
    (lambda r: r.write_early_hints({"link": "a\nb"}), ("ERR_INVALID_ARG_VALUE", _LINK + "'a\\nb'")),
    (lambda r: r.write_early_hints({"link": ["</a>", "bad"]}), ("ERR_INVALID_ARG_VALUE", _LINK + "'bad'")),
    (lambda r: r.write_early_hints({"link": 5}), ("ERR_INVALID_ARG_VALUE", _LINK + "5")),
    (lambda r: r.write_early_hints({"link": '</a>; rel="pre load"'}),
     ("ERR_INVALID_ARG_VALUE", _LINK + "'</a>; rel=\"pre load\"'")),
    (lambda r: r.write_early_hints({"link": '</a>; rel="preload"; as=style'}),
     'HTTP/1.1 103 Early Hints\r\nLink: </a>; rel="preload"; as=style\r\n\r\n'),
    (lambda r: r.write_early_hints({"link": ["</a.css>; rel=preload", "</b.js>; rel=preload"], "x-extra": "v"}),
     "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload, </b.js>; rel=preload\r\nx-extra: v\r\n\r\n"),
])
async def test_interim_responses_as_node(anyio_backend: str, call: Any, outcome: Any) -> None:
    async with runtime():
        res = ServerResponse(IncomingMessage(None))
        if isinstance(outcome, str):
            call(res)
            assert b"".join(res._output).decode("latin-1").split("HTTP/1.1 200 OK")[0] == outcome
        else:
            with pytest.raises(Exception) as caught:
                call(res)
            assert (getattr(caught.value, "code", None), str(caught.value)) == outcome
