"""OutgoingMessage: its constructor, as its hot subclasses write it out, and when write
callbacks run."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import nodehttp
from nodehttp import ClientRequest, EventEmitter, IncomingMessage, OutgoingMessage, ServerResponse, runtime

from ._scenarios import node_log, run_scenario

pytestmark = pytest.mark.anyio


async def test_subclasses_that_inline_the_constructor_set_what_it_sets(anyio_backend: str) -> None:
    """ServerResponse and ClientRequest write OutgoingMessage.__init__ (and
    EventEmitter.__init__) out for speed; a field added there must be added to them."""
    async with runtime() as rt:
        base = OutgoingMessage()
        res = ServerResponse(IncomingMessage(None))
        req = ClientRequest({"host": "127.0.0.1", "port": 9, "agent": False})
        req.on("error", lambda *_: None)  # the connection is refused
        req.destroy()
        for message in (res, req):
            assert set(vars(base)) <= set(vars(message)), type(message).__name__
            for slot in ("_events", "_max_listeners", "_warned"):
                getattr(message, slot)  # set, or AttributeError
            assert message._runtime is rt
        # IncomingMessage writes EventEmitter.__init__ out too.
        emitter = EventEmitter()
        incoming = IncomingMessage(None)
        for slot in ("_events", "_max_listeners", "_warned"):
            assert getattr(incoming, slot) == getattr(emitter, slot)


async def test_remove_header_checks_the_name_first(anyio_backend: str) -> None:
    """Node 24.21.0: ``res.removeHeader(123)`` throws ERR_INVALID_ARG_TYPE, 'The "name"
    argument must be of type string. Received type number (123)', a TypeError; the
    framing flags are left alone."""
    async with runtime():
        res = ServerResponse(IncomingMessage(None))
        with pytest.raises(TypeError) as caught:
            res.remove_header(123)  # type: ignore[arg-type]
        assert getattr(caught.value, "code", None) == "ERR_INVALID_ARG_TYPE"
        assert str(caught.value) == 'The "name" argument must be of type string. Received type number (123)'
        assert not res._removed_connection and res.send_date


async def test_remove_header_notes_the_framing_removals(anyio_backend: str) -> None:
    """The removals framing cares about are the message's state (moved from the header
    store, which kept a copy nobody read): Node notes them even for a header never set."""
    async with runtime():
        res = ServerResponse(IncomingMessage(None))
        for name in ("Connection", "CONTENT-LENGTH", "transfer-encoding", "Date", "X"):
            res.remove_header(name)
        assert res._removed_connection and res._removed_cont_len
        assert res._removed_te and not res.send_date


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_write_callbacks_come_after_the_ticks_of_their_tick(backend: str) -> None:
    # write(chunk, callback) without an encoding, on both ends; node 24.21.0 corks the
    # socket for the tick, so the callback follows ticks queued after the write, and
    # end() uncorks at once: its callback and 'finish' follow the write's callback.
    assert run_scenario("write_callbacks", backend) == node_log("write_callbacks")


# node 24.21.0: what ServerResponse.write/end threw for these chunks, and what
# addTrailers left in res._trailer (None plays undefined; Node's null has no Python twin).
@pytest.mark.parametrize(("call", "code", "message"), [
    (lambda res: res.write(5), "ERR_INVALID_ARG_TYPE",
     'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received type number (5)'),
    (lambda res: res.write(True), "ERR_INVALID_ARG_TYPE",
     'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. '
     "Received type boolean (true)"),
    (lambda res: res.write({}), "ERR_INVALID_ARG_TYPE",
     'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. '
     "Received an instance of Object"),
    (lambda res: res.end(5), "ERR_INVALID_ARG_TYPE",
     'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received type number (5)'),
    (lambda res: res.write(None), "ERR_STREAM_NULL_VALUES", "May not write null values to stream"),
])
async def test_chunks_of_other_types_throw(anyio_backend: str, call: Any, code: str, message: str) -> None:
    async with nodehttp.runtime():
        res = ServerResponse(IncomingMessage(None))
        with pytest.raises(TypeError) as caught:
            call(res)
    assert getattr(caught.value, "code", None) == code and str(caught.value) == message


@pytest.mark.parametrize(("trailers", "text", "error"), [
    ({"X-A": None}, "X-A: undefined\r\n", None),
    ({"X-A": ["one"]}, "X-A: one\r\n", None),
    ({"X-A": ["one", "two"]}, "X-A: one\r\nX-A: two\r\n", None),
    ({"X-A": [None]}, "X-A: \r\n", None),
    ([["X-A", 1], ["x-a", 2]], "X-A: 1\r\nx-a: 2\r\n", None),
    ({"Set-Cookie": ["a=1", "b=2"], "Content-Length": 5}, "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5\r\n",
     None),
    ({"X-A": 1.5}, "X-A: 1.5\r\n", None),
    ({"X-A": "ok", "bad name": "x"}, "X-A: ok\r\n",
     ("ERR_INVALID_HTTP_TOKEN", 'Trailer name must be a valid HTTP token ["bad name"]')),
    ({"X-A": "ok", "X-B": ["fine", "bad\n"]}, "X-A: ok\r\nX-B: fine\r\n",
     ("ERR_INVALID_CHAR", 'Invalid character in trailer content ["X-B"]')),
])
async def test_add_trailers_as_node(anyio_backend: str, trailers: Any, text: str,
                                    error: tuple[str, str] | None) -> None:
    async with nodehttp.runtime():
        res = ServerResponse(IncomingMessage(None))
        if error is None:
            res.add_trailers(trailers)
        else:
            with pytest.raises(TypeError) as caught:
                res.add_trailers(trailers)
            assert (getattr(caught.value, "code", None), str(caught.value)) == error
    assert res._trailer == text


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_end_callbacks_come_before_finish_listeners(backend: str) -> None:
    # Node 24 calls end()'s callbacks (with null) just before 'finish', whenever 'finish'
    # listeners were added; a callback given after 'finish' gets ERR_STREAM_ALREADY_FINISHED.
    assert run_scenario("end_callbacks", backend) == node_log("end_callbacks")


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_write_after_destroy_tells_only_the_callback(backend: str) -> None:
    assert run_scenario("write_after_destroy", backend) == node_log("write_after_destroy")


async def test_set_headers_as_node(anyio_backend: str) -> None:
    # node 24.21.0: res.setHeaders(new Map([['X-A', '1'], ['Set-Cookie', ['a', 'b']]])) then
    # getHeaders() is {"x-a":"1","set-cookie":["a","b"]}; setHeaders(5) throws the message below;
    # an empty Map is accepted.
    async with nodehttp.runtime():
        res = ServerResponse(IncomingMessage(None))
        assert res.set_headers({"X-A": "1", "Set-Cookie": ["a", "b"]}) is res
        assert res.get_headers() == {"x-a": "1", "set-cookie": ["a", "b"]}
        res.set_headers({})
        res.set_headers({"set-cookie": "c", "X-B": 2})
        assert res.get_headers() == {"x-a": "1", "set-cookie": ["c"], "x-b": 2}
        with pytest.raises(TypeError) as caught:
            res.set_headers(5)
        assert getattr(caught.value, "code", None) == "ERR_INVALID_ARG_TYPE"
        assert str(caught.value) == ('The "headers" argument must be an instance of Headers or Map. '
                                     "Received type number (5)")


_STRICT_CASES: dict[str, Any] = {
    "/two-writes": lambda res: (res.set_header("Content-Length", 5), res.write("abc"), res.write("def")),
    "/end-short": lambda res: (res.set_header("Content-Length", 5), res.end("abc")),
    "/exact": lambda res: (res.set_header("Content-Length", 5), res.write("abcde"), res.end()),
    "/exact-end": lambda res: (res.set_header("Content-Length", 3), res.end("abc")),
    "/no-cl": lambda res: (res.write("x"), res.end()),
    "/writehead-over": lambda res: (res.write_head(200, {"Content-Length": 2}), res.write("abc")),
    "/end-empty": lambda res: (res.set_header("Content-Length", 5), res.end()),
    "/te": lambda res: (res.set_header("Content-Length", 5), res.set_header("Transfer-Encoding", "chunked"),
                        res.end("abc")),
    "/write-then-short-end": lambda res: (res.set_header("Content-Length", 5), res.write("ab"), res.end("c")),
    "/first-write-over": lambda res: (res.set_header("Content-Length", 2), res.write("abcdef"), res.end()),
    "/writehead-first-write-over": lambda res: (res.write_head(200, {"Content-Length": 2}), res.write("abcdef")),
    "/utf8": lambda res: (res.set_header("Content-Length", 2), res.end("é")),
    "/buffer": lambda res: (res.set_header("Content-Length", 4), res.end(b"abcd")),
}


def _mismatch(actual: int, expected: int) -> str:
    return (f"Response body's content-length of {actual} byte(s) does not match the content-length of "
            f"{expected} byte(s) set in header")


async def test_strict_content_length_as_node(anyio_backend: str) -> None:
    # What node 24.21.0 threw (code, message; headersSent was true each time) for the same
    # handler calls with res.strictContentLength = true: the first write is not checked
    # while the headers are not stored yet, end() compares the total.
    expected = {
        "/two-writes": _mismatch(6, 5), "/end-short": _mismatch(3, 5), "/writehead-over": _mismatch(3, 2),
        "/end-empty": _mismatch(0, 5), "/write-then-short-end": _mismatch(3, 5),
        "/first-write-over": _mismatch(6, 2), "/writehead-first-write-over": _mismatch(6, 2),
    }
    seen: dict[str, str | None] = {}

    def handler(req: IncomingMessage, res: ServerResponse) -> None:
        res.strict_content_length = True
        try:
            _STRICT_CASES[str(req.url)](res)
            seen[str(req.url)] = None
        except ValueError as error:
            assert getattr(error, "code", None) == "ERR_HTTP_CONTENT_LENGTH_MISMATCH" and res.headers_sent
            seen[str(req.url)] = str(error)
        if not res.writable_ended:
            res.destroy()

    with anyio.fail_after(10):
        async with nodehttp.runtime():
            server = nodehttp.create_server(handler)
            listening = anyio.Event()
            server.listen(0, "127.0.0.1", listening.set)
            await listening.wait()
            for path in _STRICT_CASES:
                done = anyio.Event()
                req = nodehttp.get({"host": "127.0.0.1", "port": server.address()["port"], "path": path,
                                    "agent": False},
                                   lambda res: (res.resume(), res.on("end", done.set), res.on("error", lambda *_: done.set())))
                req.on("error", lambda *_: done.set())
                await done.wait()
            server.close()
    assert seen == {path: expected.get(path) for path in _STRICT_CASES}
