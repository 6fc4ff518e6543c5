"""nodehttp's half of the parser category: the same cases through ``nodehttp._parser``.

The log schema is the one ``node/parser.js`` writes; see :mod:`conformance.parser_cases`
for the case format.
"""

from __future__ import annotations

from typing import Any

from nodehttp._errors import ParseError
from nodehttp._parser import HTTPParser

Log = list[list[Any]]


def _error(err: ParseError) -> dict[str, Any]:
    return {"code": err.code, "reason": err.reason, "bytesParsed": err.bytes_parsed}


def skip_body_answer(case: dict[str, Any], method: str | None, status_code: int | None,
                     upgrade: bool) -> int:
    """Node's server and client answer to on_headers_complete (parser.js has the twin)."""
    if case["type"] == "request":
        if upgrade and (method == "CONNECT" or case["upgrade_listener"]):
            return 2
        return 0
    if upgrade or case["request_method"] == "CONNECT":
        return 2
    assert status_code is not None
    if 100 <= status_code < 200 or case["request_method"] == "HEAD" or status_code == 304:
        return 1
    return 0


def run_case(case: dict[str, Any]) -> Log:
    """Feed one case to a fresh parser and return its event log."""
    log: Log = []
    kind = HTTPParser.REQUEST if case["type"] == "request" else HTTPParser.RESPONSE
    parser = HTTPParser(kind, case["max_header_size"], case["lenient"])
    # The glue answers non-upgrade messages itself, as Node's client would for the
    # request in flight; leaving `ask` off keeps that part of the glue under test.
    parser.head_response = case["request_method"] == "HEAD"
    parser.connect_response = case["request_method"] == "CONNECT"

    def on_headers_complete(major: int, minor: int, headers: list[str], method: str | None,
                            url: str | None, status_code: int | None,
                            status_message: str | None, upgrade: bool,
                            keep_alive: bool) -> int:
        log.append(["headers", major, minor, list(headers), method, url, status_code,
                    status_message, upgrade, keep_alive])
        return skip_body_answer(case, method, status_code, upgrade)

    def on_body(chunk: bytes) -> None:
        log.append(["body", bytes(chunk).decode("latin-1")])

    def on_message_complete(trailers: list[str]) -> None:
        log.append(["complete", list(trailers)])

    parser.on_headers_complete = on_headers_complete
    parser.on_body = on_body
    parser.on_message_complete = on_message_complete

    stopped = False
    for i, chunk in enumerate(case["chunks"]):
        if case["pause_before"] == i:
            parser.pause()
        data = chunk.encode("latin-1")
        ret = parser.execute(data)
        if isinstance(ret, ParseError):
            log.append(["execute", _error(ret)])
            stopped = True
            break
        log.append(["execute", ret])
        if ret < len(data):  # the rest belongs to the upgraded protocol
            stopped = True
            break
    if case["finish"] and not stopped:
        err = parser.finish()
        log.append(["finish", None if err is None else _error(err)])
    return log
