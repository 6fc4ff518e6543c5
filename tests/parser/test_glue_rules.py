"""Node's parser glue rules, each at its boundary.

Every expected log below was observed from the reference Node (24.21.0, llhttp 9.4.3)
by feeding the same chunks to ``require('_http_common').HTTPParser`` with the same
skip-body answer; the conformance run (``python -m conformance``) checks many more.
"""

from __future__ import annotations

import pytest

from typing import Any

from nodehttp._parser import HTTPParser, LENIENT_FLAGS, ParseError

from ._record import record

pytestmark = pytest.mark.usefixtures("both_dispatchers")

REQ = HTTPParser.REQUEST
RES = HTTPParser.RESPONSE


def test_header_limit_counts_url_names_values_and_triggers_at_the_limit() -> None:
    # URL "/" + name "X" + value: 1 + 1 + 16381 = 16383 passes; 16384 is the default
    # limit and Node fails when the count reaches it.
    ok = record(REQ, [b"GET / HTTP/1.1\r\nX: " + b"v" * 16381 + b"\r\n\r\n"])
    assert ok[0][:3] == ["hc", 1, 1] and ok[-1] == ["ret", 16404]
    over = record(REQ, [b"GET / HTTP/1.1\r\nX: " + b"v" * 16382 + b"\r\n\r\n"])
    assert over == [["err", "HPE_HEADER_OVERFLOW", "Header overflow", 16402]]


def test_header_limit_on_the_url_alone() -> None:
    assert record(REQ, [b"GET /" + b"a" * 16383 + b" HTTP/1.1\r\n\r\n"]) == [
        ["err", "HPE_HEADER_OVERFLOW", "Header overflow", 16388]
    ]
    ok = record(REQ, [b"GET /" + b"a" * 16382 + b" HTTP/1.1\r\n\r\n"])
    assert ok[-1] == ["ret", 16400]


def test_custom_max_header_size() -> None:
    ok = record(REQ, [b"GET / HTTP/1.1\r\nX: " + b"v" * 97 + b"\r\n\r\n"], max_header_size=100)
    assert ok == [["hc", 1, 1, ["X", "v" * 97], "GET", "/", None, None, False, True], ["mc", []], ["ret", 120]]
    over = record(REQ, [b"GET / HTTP/1.1\r\nX: " + b"v" * 98 + b"\r\n\r\n"], max_header_size=100)
    assert over == [["err", "HPE_HEADER_OVERFLOW", "Header overflow", 118]]


def test_header_limit_holds_across_execute_calls() -> None:
    first = b"GET / HTTP/1.1\r\nX: " + b"v" * 50
    log = record(REQ, [first, b"v" * 46 + b"\r\n\r\n"], max_header_size=100)
    assert log == [["ret", 69], ["hc", 1, 1, ["X", "v" * 96], "GET", "/", None, None, False, True], ["mc", []], ["ret", 50]]
    # The same total split byte by byte overflows at the same byte.
    data = b"GET / HTTP/1.1\r\nX: " + b"v" * 98 + b"\r\n\r\n"
    split = record(REQ, [data[i:i + 1] for i in range(len(data))], max_header_size=100)
    # llhttp reports a span cut by the end of a 1-byte buffer at that buffer's end.
    assert split[-1] == ["err", "HPE_HEADER_OVERFLOW", "Header overflow", 1]
    assert split[:-1] == [["ret", 1]] * 116


def test_trailers_are_counted_again_from_zero() -> None:
    head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nT: "
    ok = record(REQ, [head + b"v" * 98 + b"\r\n\r\n"], max_header_size=100)
    assert ok[-2:] == [["mc", ["T", "v" * 98]], ["ret", 161]]
    over = record(REQ, [head + b"v" * 99 + b"\r\n\r\n"], max_header_size=100)
    assert over[-1][:3] == ["err", "HPE_HEADER_OVERFLOW", "Header overflow"]


def test_chunk_extensions_are_capped_at_16_kib() -> None:
    def chunked(ext: bytes) -> list[bytes]:
        return [b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;" + ext + b"\r\na\r\n0\r\n\r\n"]

    assert record(REQ, chunked(b"a" * 16384))[-1] == ["ret", 16443]
    assert record(REQ, chunked(b"a" * 16385))[-1] == [
        "err", "HPE_CHUNK_EXTENSIONS_OVERFLOW", "Chunk extensions overflow", 16435]
    # Names and values add up.
    assert record(REQ, chunked(b"a" * 8192 + b"=" + b"b" * 8193))[-1] == [
        "err", "HPE_CHUNK_EXTENSIONS_OVERFLOW", "Chunk extensions overflow", 16436]


def test_trailing_whitespace_is_trimmed_from_values_only() -> None:
    log = record(REQ, [b"GET / HTTP/1.1\r\nA: \t x \t \r\nB:y\t\r\nX:\r\nZ:   \r\n\r\n"])
    assert log[0][3] == ["A", "x", "B", "y", "X", "", "Z", ""]


def test_more_than_32_headers_arrive_whole() -> None:
    # Node flushes every 32 pairs to JS; the observable list is the same.
    raw = b"".join(b"H%d: %d\r\n" % (i, i) for i in range(40))
    log = record(REQ, [b"GET / HTTP/1.1\r\n" + raw + b"\r\n"])
    assert log[0][3] == [x for i in range(40) for x in (f"H{i}", str(i))]


def test_upgrade_stops_where_the_new_protocol_starts() -> None:
    data = b"GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nNEXTBYTES"
    expected = [
        ["hc", 1, 1, ["Connection", "Upgrade", "Upgrade", "websocket"], "GET", "/", None, None, True, True],
        ["mc", []],
        ["ret", 59],
    ]
    # With or without an upgrade listener (answer 2 or 0), llhttp stops there.
    assert record(REQ, [data], answer=2) == expected
    assert record(REQ, [data], answer=0) == expected


def test_connect_is_an_upgrade() -> None:
    log = record(REQ, [b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\nTUNNEL"], answer=2)
    assert log == [["hc", 1, 1, ["Host", "a:443"], "CONNECT", "a:443", None, None, True, True], ["mc", []], ["ret", 39]]


def test_head_response_skips_the_body_its_content_length_announces() -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab"
    log = record(RES, [data], head_response=True)
    assert log == [
        ["hc", 1, 1, ["Content-Length", "5"], None, None, 200, "OK", False, True],
        ["mc", []],
        ["hc", 1, 1, ["Content-Length", "2"], None, None, 200, "OK", False, True],
        ["mc", []],
        ["err", "HPE_INVALID_CONSTANT", "Expected HTTP/, RTSP/ or ICE/", 76],
    ]


def test_informational_response_then_final() -> None:
    data = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
    log = record(RES, [data])
    assert log == [
        ["hc", 1, 1, [], None, None, 100, "Continue", False, True],
        ["mc", []],
        ["hc", 1, 1, ["Content-Length", "1"], None, None, 200, "OK", False, True],
        ["body", b"x"],
        ["mc", []],
        ["ret", 64],
    ]


def test_switching_protocols_response() -> None:
    data = b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: ws\r\n\r\nWSDATA"
    log = record(RES, [data], answer=2)
    assert log[-1] == ["ret", 70]
    assert log[0][-2:] == [True, True]


def test_close_delimited_response_completes_at_finish() -> None:
    log = record(RES, [b"HTTP/1.1 200 OK\r\n\r\nbody..."], finish=True)
    assert log == [
        ["hc", 1, 1, [], None, None, 200, "OK", False, False],
        ["body", b"body..."],
        ["ret", 26],
        ["mc", []],
        ["finish", None],
    ]


def test_finish_in_the_middle_of_a_body() -> None:
    log = record(REQ, [b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"], finish=True)
    assert log[-1] == ["finish", ["HPE_INVALID_EOF_STATE", "Invalid EOF state", 0]]


def test_keep_alive_rules_of_http_1_0() -> None:
    assert record(REQ, [b"GET / HTTP/1.0\r\n\r\n"])[0][2:] == [0, [], "GET", "/", None, None, False, False]
    log = record(REQ, [b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"])
    assert log[0][-1] is True


def test_smuggling_shapes_are_errors() -> None:
    assert record(REQ, [b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"]) == [
        ["err", "HPE_UNEXPECTED_CONTENT_LENGTH", "Duplicate Content-Length", 52]]
    te_cl = b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    assert record(REQ, [te_cl]) == [
        ["err", "HPE_INVALID_TRANSFER_ENCODING", "Transfer-Encoding can't be present with Content-Length", 54]]


def test_space_before_colon_is_rejected_even_when_lenient() -> None:
    for lenient in (0, LENIENT_FLAGS["headers"]):
        assert record(REQ, [b"GET / HTTP/1.1\r\nA : b\r\n\r\n"], lenient=lenient) == [
            ["err", "HPE_INVALID_HEADER_TOKEN", "Invalid header token", 17]]


def _pairs_log(pairs: float, chunks: list[bytes]) -> list[Any]:
    parser = HTTPParser(REQ)
    parser.max_header_pairs = pairs
    out: list[Any] = []
    parser.on_headers_complete = lambda *a: out.append(["hc", len(a[2])])
    parser.on_message_complete = lambda t: out.append(["mc", len(t)])
    for chunk in chunks:
        ret = parser.execute(chunk)
        if isinstance(ret, ParseError):
            out.append([ret.code, ret.bytes_parsed])
            break
        out.append(ret)
    return out


THREE = b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"


@pytest.mark.parametrize(
    "pairs, expected",
    [  # observed from node 24.21.0: HTTPParser with parser.maxHeaderPairs = pairs
        (4, [["HPE_HEADER_OVERFLOW", 30]]),
        (5, [["HPE_HEADER_OVERFLOW", 30]]),
        (4.5, [["HPE_HEADER_OVERFLOW", 30]]),
        (6, [["hc", 6], ["mc", 0], 36]),
        (3, [["HPE_HEADER_OVERFLOW", 24]]),
        (2, [["HPE_HEADER_OVERFLOW", 24]]),
        (1, [["HPE_HEADER_OVERFLOW", 18]]),
        (0, [["hc", 6], ["mc", 0], 36]),
        (-1, [["hc", 6], ["mc", 0], 36]),
    ],
)
def test_header_count_limit_is_half_of_max_header_pairs(pairs: float, expected: list[Any]) -> None:
    assert _pairs_log(pairs, [THREE]) == expected


def test_header_count_limit_split_and_in_trailers() -> None:
    # observed from node 24.21.0
    assert _pairs_log(4, [THREE[:29], THREE[29:]]) == [["HPE_HEADER_OVERFLOW", 29]]
    assert _pairs_log(4, [THREE[:28], THREE[28:]]) == [28, ["HPE_HEADER_OVERFLOW", 2]]
    chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT1: a\r\nT2: b\r\nT3: c\r\n\r\n"
    assert _pairs_log(4, [chunked]) == [["hc", 2], ["HPE_HEADER_OVERFLOW", 67]]


def test_ask_after_final_hands_a_second_final_head_to_python() -> None:
    """The client's rule for a broken server: once a final response head was answered,
    later heads take on_headers_complete's answer (the client's is 0, so a HEAD's second
    response has its body read); 1xx heads before the final one do not count."""
    parser = HTTPParser(RES)
    parser.head_response = True
    parser.ask_after_final = True
    log: list[Any] = []

    def on_headers_complete(*args: Any) -> int:
        # Always 0: where it counted for the first final head (a HEAD's, Content-Length
        # 5), the next head would be read as its body.
        log.append(["hc", args[5]])
        return 0

    parser.on_headers_complete = on_headers_complete
    parser.on_body = lambda chunk: log.append(["body", chunk])
    parser.on_message_complete = lambda trailers: log.append(["mc"])
    data = (b"HTTP/1.1 100 Continue\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab")
    assert parser.execute(data) == len(data)
    assert log == [["hc", 100], ["mc"], ["hc", 200], ["mc"], ["hc", 200], ["body", b"ab"], ["mc"]]
