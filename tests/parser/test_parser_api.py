"""HTTPParser's own contract: inputs, reuse, pause, callbacks, errors."""

from __future__ import annotations

from typing import Any

import pytest

import nodehttp
from nodehttp._parser import LENIENT_ALL_NODE, METHOD_NAMES, HTTPParser, ParseError

from ._record import record

pytestmark = pytest.mark.usefixtures("both_dispatchers")

REQ = HTTPParser.REQUEST
RES = HTTPParser.RESPONSE
GET = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"


def test_version_comes_from_the_compiled_library() -> None:
    assert nodehttp.LLHTTP_VERSION == "9.4.3"


def test_method_table_is_nodes_all_methods() -> None:
    # Node 24's internalBinding('http_parser').allMethods has 47 entries indexed by
    # llhttp's method id (observed): DELETE at 0, PRI at 34, QUERY at 46.
    assert len(METHOD_NAMES) == 47
    assert (METHOD_NAMES[0], METHOD_NAMES[24], METHOD_NAMES[34], METHOD_NAMES[46]) == (
        "DELETE", "M-SEARCH", "PRI", "QUERY")


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview])
def test_accepts_any_buffer(wrap: Any) -> None:
    body = b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
    log = record(REQ, [wrap(body)])
    assert log[1] == ["body", b"abc"] and type(log[1][1]) is bytes
    assert log[-1] == ["ret", len(body)]


def test_reused_across_keep_alive_messages_and_pipelining() -> None:
    log = record(REQ, [GET * 3, GET])
    assert [entry[0] for entry in log] == ["hc", "mc"] * 3 + ["ret"] + ["hc", "mc", "ret"]


def test_initialize_switches_kind() -> None:
    parser = HTTPParser(REQ)
    seen: list[Any] = []
    parser.on_headers_complete = lambda *a: seen.append(a)
    assert parser.execute(GET) == len(GET)
    parser.initialize(RES)
    assert parser.execute(b"HTTP/1.1 204 No Content\r\n\r\n") == 27
    assert seen[-1][5:7] == (204, "No Content")


def test_initialize_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError):
        HTTPParser(0)


def test_pause_and_resume() -> None:
    parser = HTTPParser(REQ)
    parser.pause()
    err = parser.execute(GET)
    assert isinstance(err, ParseError)
    assert (err.code, err.reason, str(err)) == ("HPE_PAUSED", "Paused", "Parse Error: Paused")
    parser.resume()
    assert parser.execute(GET) == len(GET)


def test_an_error_is_sticky_until_initialize() -> None:
    parser = HTTPParser(REQ)
    first = parser.execute(b"XX")
    again = parser.execute(GET)
    assert isinstance(first, ParseError) and isinstance(again, ParseError)
    assert first.code == again.code == "HPE_INVALID_METHOD"
    assert first.bytes_parsed == 0 and first.raw_packet == b"XX"
    parser.initialize(REQ)
    assert parser.execute(GET) == len(GET)


def test_parse_error_is_a_value_error_with_nodes_message() -> None:
    err = HTTPParser(REQ).execute(b"GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n")
    assert isinstance(err, ValueError) and isinstance(err, ParseError)
    assert err.code == "HPE_INVALID_HEADER_TOKEN"
    assert str(err) == f"Parse Error: {err.reason}"


def test_ask_uses_the_callbacks_answer_for_every_message() -> None:
    # Answer 1 (no body) to a request with a body: the body bytes are parsed as
    # the next request line and fail.
    parser = HTTPParser(REQ)
    parser.ask = True
    parser.on_headers_complete = lambda *a: 1
    err = parser.execute(b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab")
    assert isinstance(err, ParseError) and err.code == "HPE_INVALID_METHOD"


def test_an_invalid_answer_is_a_callback_error() -> None:
    parser = HTTPParser(REQ)
    parser.ask = True
    parser.on_headers_complete = lambda *a: 7
    err = parser.execute(GET)
    assert isinstance(err, ParseError)
    assert (err.code, err.reason) == ("HPE_CB_HEADERS_COMPLETE", "User callback error")


def test_a_raising_callback_propagates() -> None:
    parser = HTTPParser(REQ)

    def boom(*args: Any) -> None:
        raise RuntimeError("handler failed")

    parser.on_headers_complete = boom
    with pytest.raises(RuntimeError, match="handler failed"):
        parser.execute(GET)


def test_connect_response_is_an_upgrade_whatever_the_status() -> None:
    log = record(RES, [b"HTTP/1.1 200 Connection established\r\n\r\nTUNNEL"], connect_response=True)
    assert log[-2:] == [["mc", []], ["ret", 39]]


def test_not_modified_response_has_no_body() -> None:
    log = record(RES, [b"HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n"])
    assert [e[0] for e in log] == ["hc", "mc", "ret"]


def test_insecure_parser_accepts_what_strict_rejects() -> None:
    data = b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n"
    assert record(REQ, [data])[-1][:2] == ["err", "HPE_INVALID_HEADER_TOKEN"]
    log = record(REQ, [data], lenient=LENIENT_ALL_NODE)
    assert log[0][3] == ["Host", "x", "X", "a\x01b"]


def test_nul_inside_a_lenient_value_keeps_strings_apart() -> None:
    data = b"GET / HTTP/1.1\r\nX: a\x00b\r\nY: c\r\n\r\n" + GET
    log = record(REQ, [data], lenient=LENIENT_ALL_NODE)
    headers = [entry[3] for entry in log if entry[0] == "hc"]
    if log[-1][0] == "err":
        pytest.fail(f"llhttp rejected the NUL: {log[-1]}")
    assert headers == [["X", "a\x00b", "Y", "c"], ["Host", "x"]]


def test_using_the_parser_from_its_own_callback_is_refused() -> None:
    parser = HTTPParser(REQ)
    errors: list[BaseException] = []

    def reenter(*args: Any) -> None:
        try:
            parser.execute(GET)
        except RuntimeError as exc:
            errors.append(exc)

    parser.on_headers_complete = reenter
    assert parser.execute(GET * 2) == 2 * len(GET)
    assert len(errors) == 2
    # The parser is intact afterwards.
    parser.on_headers_complete = lambda *a: None
    assert parser.execute(GET) == len(GET)
