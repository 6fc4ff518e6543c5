"""``python -m conformance.py_server BACKEND CONFIGS``: nodehttp's half of the server category.

The twin of ``node/server.js``, line for line: the same handler, response shapes and
listeners, written against nodehttp. ``CONFIGS`` is a JSON list of server configurations
(see :mod:`conformance.server_category`); one server per configuration listens on
127.0.0.1, port 0, and stdout gets ``{"ports": [...]}`` once all listen, then event lines
``{"peer", "event", "detail"}``. The process exits when stdin ends.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

import nodehttp
from nodehttp import IncomingMessage, Server, ServerResponse

Shape = Callable[[IncomingMessage, ServerResponse, bytes], None]


def event(socket: Any, kind: str, detail: str) -> None:
    peer = getattr(socket, "remote_port", None) if socket is not None else None
    sys.stdout.write(json.dumps({"peer": peer, "event": kind, "detail": detail}) + "\n")
    sys.stdout.flush()


def guarded(socket: Any, fn: Callable[..., None]) -> Callable[..., None]:
    # An exception would end the runtime (as an uncaught one ends Node) and every later
    # case with it; it is reported against the case's connection instead.
    def run(*args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - reported, as node/server.js does
            # Node's error code where there is one: class names differ between the languages.
            kind = getattr(exc, "code", None) or type(exc).__name__
            event(socket, "handler-error", f"{kind}: {exc}")
            if socket is not None:
                socket.destroy()

    return run


def sorted_pairs(obj: dict[str, Any]) -> list[list[Any]]:
    return [[k, obj[k]] for k in sorted(obj)]


def dumps(obj: Any) -> bytes:
    """JSON as JavaScript's JSON.stringify writes it, as UTF-8."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def echo(req: IncomingMessage, body: bytes | None) -> bytes:
    # Keys inserted in sorted order, as server.js writes them.
    return dumps({
        "body": None if body is None else body.decode("latin-1"),
        "headers": sorted_pairs(req.headers),
        "headersDistinct": sorted_pairs(req.headers_distinct),
        "method": req.method,
        "rawHeaders": req.raw_headers,
        "rawTrailers": req.raw_trailers,
        "trailers": sorted_pairs(req.trailers),
        "url": req.url,
        "version": req.http_version,
    })


def _content_length(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("Content-Type", "application/json")
    res.end(b)


def _chunked(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("Content-Type", "application/json")
    res.write(b)
    res.end()


def _chunked_pieces(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    half = len(b) >> 1
    res.write(b[:half])
    res.write("")
    res.end(b[half:])


def _trailers(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write_head(200, {"Content-Type": "application/json", "Trailer": "X-Body-Length"})
    res.write(b)
    res.add_trailers({"X-Body-Length": str(len(b))})
    res.end()


def _trailers_array(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write(b)
    res.add_trailers([["X-T", "1"], ["x-t", "2"]])
    res.end()


def _custom_reason(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write_head(299, "Custom Reason", {"X-Reason": "yes"})
    res.end(b)


def _status_message(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.status_code = 404
    res.status_message = "Not Here"
    res.end(b)


def _unknown_status(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write_head(599)
    res.end(b)


def _204(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write_head(204)
    res.end()


def _204_body(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.status_code = 204
    res.end(b)


def _304(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write_head(304, {"ETag": '"e"'})
    res.end()


def _304_write(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.status_code = 304
    res.write(b)
    res.end()


def _set_cookie_array(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("Set-Cookie", ["a=1", "b=2; Path=/"])
    res.end(b)


def _multi_value(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("X-Multi", ["a", "b"])
    res.append_header("X-Multi", "c")
    res.append_header("X-Appended", "d")
    res.end(b)


def _latin1_header(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("X-Latin", "caf\u00e9 \u00ff")
    res.end(b)


def _numeric_header(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("X-Num", 42)
    res.end(b)


def _write_head_array(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write_head(200, ["X-A", "1", "x-a", "2", "Content-Type", "application/json"])
    res.end(b)


def _write_head_object(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write_head(201, {"X-Obj": "v", "Content-Type": "application/json"})
    res.end(b)


def _write_head_merge(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("X-Set", "a")
    res.set_header("X-Both", "set")
    res.write_head(200, {"X-Both": "head"})
    res.end(b)


def _early_hints(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write_early_hints({"link": "</a.css>; rel=preload"})
    res.end(b)


def _early_hints_multi(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write_early_hints({
        "link": ["</a.css>; rel=preload", "</b.js>; rel=preload"],
        "x-trace": "abc",
    })
    res.end(b)


def _processing(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write_processing()
    res.end(b)


def _continue(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write_continue()
    res.end(b)


def _no_body(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.end()


def _empty_write(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.write("")
    res.end()


def _explicit_length(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("Content-Length", str(len(b)))
    res.write(b)
    res.end()


def _explicit_te(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("Transfer-Encoding", "chunked")
    res.write(b)
    res.end()


def _connection_close(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("Connection", "close")
    res.end(b)


def _connection_keep_alive(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("Connection", "keep-alive")
    res.end(b)


def _no_date(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.send_date = False
    res.end(b)


def _remove_header(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.set_header("X-Gone", "1")
    res.remove_header("X-Gone")
    res.remove_header("Date")
    res.end(b)


def _flush_headers(req: IncomingMessage, res: ServerResponse, b: bytes) -> None:
    res.flush_headers()
    res.end(b)


# The response shapes a request picks with its X-Shape header (server.js's SHAPES).
SHAPES: dict[str, Shape] = {
    "content-length": _content_length,
    "chunked": _chunked,
    "chunked-pieces": _chunked_pieces,
    "trailers": _trailers,
    "trailers-array": _trailers_array,
    "custom-reason": _custom_reason,
    "status-message": _status_message,
    "unknown-status": _unknown_status,
    "204": _204,
    "204-body": _204_body,
    "304": _304,
    "304-write": _304_write,
    "set-cookie-array": _set_cookie_array,
    "multi-value": _multi_value,
    "latin1-header": _latin1_header,
    "numeric-header": _numeric_header,
    "write-head-array": _write_head_array,
    "write-head-object": _write_head_object,
    "write-head-merge": _write_head_merge,
    "early-hints": _early_hints,
    "early-hints-multi": _early_hints_multi,
    "processing": _processing,
    "continue": _continue,
    "no-body": _no_body,
    "empty-write": _empty_write,
    "explicit-length": _explicit_length,
    "explicit-te": _explicit_te,
    "connection-close": _connection_close,
    "connection-keep-alive": _connection_keep_alive,
    "no-date": _no_date,
    "remove-header": _remove_header,
    "flush-headers": _flush_headers,
}

# Shapes that answer at once, without reading the body (the server then discards it).
EARLY: dict[str, Callable[[IncomingMessage, ServerResponse], Any]] = {
    "dump": lambda req, res: res.end("not read"),
    "destroy": lambda req, res: res.destroy(),
}


def on_request(req: IncomingMessage, res: ServerResponse) -> None:
    socket = req.socket
    shape = req.headers.get("x-shape")
    if isinstance(shape, str) and shape in EARLY:
        guarded(socket, EARLY[shape])(req, res)
        return
    respond = SHAPES.get(shape, _content_length) if isinstance(shape, str) else _content_length
    parts: list[bytes] = []
    req.on("data", guarded(socket, parts.append))
    req.on("end", guarded(socket, lambda: respond(req, res, echo(req, b"".join(parts)))))


TUNNEL_REPLY = {
    "upgrade": b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n",
    "connect": b"HTTP/1.1 200 Connection Established\r\n\r\n",
}


def tunnel(kind: str) -> Callable[[IncomingMessage, Any, bytes], None]:
    def listener(req: IncomingMessage, socket: Any, head: bytes) -> None:
        guarded(socket, lambda: socket.end(TUNNEL_REPLY[kind] + echo(req, None) + b"\n|"
                                           + bytes(head)))()

    return listener


def on_client_error(err: BaseException, socket: Any) -> None:
    def reply() -> None:
        raw = getattr(err, "raw_packet", None)
        info = dumps({
            "bytesParsed": getattr(err, "bytes_parsed", None),
            "code": getattr(err, "code", None),
            "message": str(err),
            "rawPacket": bytes(raw).decode("latin-1") if raw else None,
            "reason": getattr(err, "reason", None),
        })
        if socket.writable:
            socket.end(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nX-Client-Error: 1\r\n\r\n"
                       + info)
        else:
            socket.destroy()

    guarded(socket, reply)()


def _continue_then_answer(req: IncomingMessage, res: ServerResponse) -> None:
    res.write_continue()
    on_request(req, res)


def _reject(req: IncomingMessage, res: ServerResponse) -> None:
    res.write_head(417, {"X-Rejected": "1"})
    res.end()


CONTINUE: dict[str, Callable[[IncomingMessage, ServerResponse], None]] = {
    "continue": _continue_then_answer,
    "reject": _reject,
    "silent": on_request,
}


def _on_expectation(req: IncomingMessage, res: ServerResponse) -> None:
    def answer() -> None:
        res.set_header("X-Expectation", str(req.headers.get("expect")))
        on_request(req, res)

    guarded(req.socket, answer)()


def make_server(c: dict[str, Any]) -> Server:
    options: dict[str, Any] = {}
    if c["max_header_size"] is not None:
        options["max_header_size"] = c["max_header_size"]
    if c["insecure_http_parser"]:
        options["insecure_http_parser"] = True
    if not c["require_host_header"]:
        options["require_host_header"] = False
    if c["join_duplicate_headers"]:
        options["join_duplicate_headers"] = True
    server = nodehttp.create_server(options, on_request)
    if c["max_headers_count"] is not None:
        server.max_headers_count = c["max_headers_count"]
    if c["max_requests_per_socket"] is not None:
        server.max_requests_per_socket = c["max_requests_per_socket"]
    if c["upgrade"]:
        server.on("upgrade", tunnel("upgrade"))
    if c["connect"]:
        server.on("connect", tunnel("connect"))
    if c["client_error"]:
        server.on("clientError", on_client_error)
    if c["check_continue"] is not None:
        listener = CONTINUE[c["check_continue"]]
        server.on("checkContinue", lambda req, res: guarded(req.socket, listener)(req, res))
    if c["check_expectation"]:
        server.on("checkExpectation", _on_expectation)
    return server


def serve(configs: list[dict[str, Any]]) -> None:
    ports: list[int | None] = [None] * len(configs)
    listening = 0

    def on_listening(i: int, server: Server) -> None:
        nonlocal listening
        address = server.address()
        assert isinstance(address, dict)
        ports[i] = int(address["port"])
        listening += 1
        if listening == len(configs):
            sys.stdout.write(json.dumps({"ports": ports}) + "\n")
            sys.stdout.flush()

    for i, c in enumerate(configs):
        server = make_server(c)
        server.listen(0, "127.0.0.1", lambda i=i, server=server: on_listening(i, server))


def _exit_when_stdin_ends() -> None:
    # os._exit: the runtime is busy serving and has no stdin to watch on either backend.
    sys.stdin.buffer.read()
    os._exit(0)


def main(argv: list[str]) -> int:
    backend, configs = argv[0], json.loads(argv[1])
    threading.Thread(target=_exit_when_stdin_ends, daemon=True).start()
    nodehttp.run(serve, configs, backend=backend)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
