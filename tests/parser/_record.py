"""A recorder that turns HTTPParser callbacks into a flat, comparable log."""

from __future__ import annotations

from typing import Any

from nodehttp._errors import ParseError
from nodehttp._parser import HTTPParser

Log = list[list[Any]]


def record(
    kind: int,
    chunks: list[bytes],
    *,
    max_header_size: int = 0,
    lenient: int = 0,
    answer: int = 0,
    head_response: bool = False,
    connect_response: bool = False,
    finish: bool = False,
) -> Log:
    """Feed ``chunks`` to a fresh parser and log what it reports, as the Node checks did.

    Stops at the first error, like Node's server and client do.
    """
    out: Log = []
    parser = HTTPParser(kind, max_header_size, lenient)
    parser.head_response = head_response
    parser.connect_response = connect_response

    def on_headers_complete(*args: Any) -> int:
        out.append(["hc", *args])
        return answer

    parser.on_headers_complete = on_headers_complete
    parser.on_body = lambda chunk: out.append(["body", chunk])
    parser.on_message_complete = lambda trailers: out.append(["mc", trailers])
    for chunk in chunks:
        ret = parser.execute(chunk)
        if isinstance(ret, ParseError):
            out.append(["err", ret.code, ret.reason, ret.bytes_parsed])
            break
        out.append(["ret", ret])
    if finish:
        err = parser.finish()
        out.append(["finish", None if err is None else [err.code, err.reason, err.bytes_parsed]])
    return out
