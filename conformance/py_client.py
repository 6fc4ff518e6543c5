"""``python -m conformance.py_client BACKEND``: the client category's nodehttp half.

The same driver as ``node/client.js``, line for line: it reads ``{"case", "port"}`` JSON
lines on stdin, makes each case's request with nodehttp's client (``agent: False``, so
``Connection: close``) one at a time, and writes one ``{"id", "log"}`` line per case. The
log's events, in the order they happen::

    ["response", status, reason, httpVersion, rawHeaders]
    ["body", latin-1 text]          # the 'data' chunks since the previous event, joined
    ["end", rawTrailers]
    ["information", status, reason, httpVersion, rawHeaders]
    ["continue"]
    ["aborted"]                     # the response's 'aborted'
    ["res-error", code, message]    # the response's 'error'
    ["res-close"]
    ["error", code, message]        # the request's 'error'
    ["close"]                       # the request's 'close'
    ["throw", code, message]        # request() itself threw
    ["driver-timeout"]              # no 'close' within DRIVER_TIMEOUT_S

A case is over :data:`DRIVER_GRACE_S` after the request's 'close' (and the response's,
when there is one), so that late events are still seen.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import anyio
import anyio.to_thread

import nodehttp

from .client_category import DRIVER_GRACE_S, DRIVER_TIMEOUT_S

Case = dict[str, Any]
Log = list[list[Any]]


def _code(exc: Any) -> Any:
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else None


def _message(exc: Any) -> str:
    message = getattr(exc, "message", None)
    return message if isinstance(message, str) else str(exc)


async def run_case(case: Case, port: int) -> Log:
    log: Log = []
    body: list[str] = []
    state: dict[str, Any] = {"res": None, "req_closed": False, "res_closed": False,
                             "finished": False}
    settled = anyio.Event()

    def flush() -> None:
        if body:
            log.append(["body", "".join(body)])
            body.clear()

    def check() -> None:
        if state["req_closed"] and (state["res"] is None or state["res_closed"]):
            settled.set()

    def ev(*event: Any) -> None:
        if state["finished"]:
            return
        flush()
        log.append(list(event))

    def on_response(m: Any) -> None:
        state["res"] = m
        ev("response", m.status_code, m.status_message, m.http_version, list(m.raw_headers))

        def on_data(d: Any) -> None:
            if not state["finished"]:
                body.append(d.decode("latin-1") if isinstance(d, bytes) else str(d))

        def on_close(*_: Any) -> None:
            ev("res-close")
            state["res_closed"] = True
            check()

        m.on("data", on_data)
        m.on("end", lambda *_: ev("end", list(m.raw_trailers)))
        m.on("aborted", lambda *_: ev("aborted"))
        m.on("error", lambda e: ev("res-error", _code(e), _message(e)))
        m.on("close", on_close)

    def on_close(*_: Any) -> None:
        ev("close")
        state["req_closed"] = True
        check()

    r = case["request"]
    options: dict[str, Any] = {"host": "127.0.0.1", "port": port, "method": r["method"],
                               "path": r["path"], "agent": False}
    if r["headers"]:
        options["headers"] = {k: v for k, v in r["headers"]}
    try:
        req = nodehttp.request(options)
    except Exception as exc:  # noqa: BLE001 - Node throws too; the log says what
        ev("throw", _code(exc), _message(exc))
        return log
    req.on("response", on_response)
    req.on("information", lambda i: ev("information", i["status_code"], i["status_message"],
                                       i["http_version"], list(i["raw_headers"])))
    req.on("continue", lambda *_: ev("continue"))
    req.on("error", lambda e: ev("error", _code(e), _message(e)))
    req.on("close", on_close)
    if r["body"] is None:
        req.end()
    else:
        req.end(r["body"].encode("latin-1"))
    timed_out = True
    with anyio.move_on_after(DRIVER_TIMEOUT_S):
        await settled.wait()
        timed_out = False
        await anyio.sleep(DRIVER_GRACE_S)
    state["finished"] = True
    flush()
    if timed_out:
        log.append(["driver-timeout"])
        req.destroy()
    return log


async def serve() -> None:
    async with nodehttp.runtime():
        while True:
            line = await anyio.to_thread.run_sync(sys.stdin.readline)
            if not line:
                break
            if not line.strip():
                continue
            item = json.loads(line)
            log = await run_case(item["case"], int(item["port"]))
            sys.stdout.write(json.dumps({"id": item["case"]["id"], "log": log}) + "\n")
            sys.stdout.flush()


def main(argv: list[str]) -> int:
    anyio.run(serve, backend=argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
