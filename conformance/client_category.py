"""The client category: Node's http client and nodehttp's against the same scripted peer.

A raw TCP peer in the harness (:mod:`conformance.client_peer`, 127.0.0.1, port 0) reads
each request and answers with the case's canned bytes; in front of it runs a driver that
makes the case's request: ``node/client.js`` for the reference, ``python -m
conformance.py_client BACKEND`` for nodehttp (once per backend). The log is the request
bytes the peer received (``Host`` port replaced by ``<port>``) and the events the client
surfaced (see :mod:`conformance.py_client`). A case::

    {"id": "...",
     "request": {"method": "GET", "path": "/", "headers": [[name, value], ...],
                 "body": null},             # latin-1 text for req.end(body)
     "response": ["latin-1 text", ...],     # one send each, pause_ms apart; [] sends nothing
     "pause_ms": 5,
     "after": "wait",                       # "wait": until the client closes; "close": FIN
     "description": "..."}
"""

from __future__ import annotations

from typing import Any

from .cases import CaseError
from .category import Category

Case = dict[str, Any]

# The drivers' per-case limits (node/client.js has the same numbers).
DRIVER_TIMEOUT_S = 1.5
DRIVER_GRACE_S = 0.03

REQUEST_DEFAULTS: dict[str, Any] = {"method": "GET", "path": "/", "headers": [], "body": None}
DEFAULTS: dict[str, Any] = {"pause_ms": 5, "after": "wait"}
AFTER = ("wait", "close")
_KEYS = {"id", "request", "response", "description", *DEFAULTS}


def _latin1(text: str, what: str) -> None:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        raise CaseError(f"{what} is bytes written as latin-1 text: "
                        "no character above U+00FF") from None


def normalise_request(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CaseError("'request' must be an object")
    unknown = set(raw) - set(REQUEST_DEFAULTS)
    if unknown:
        raise CaseError(f"unknown request keys {sorted(unknown)}")
    req = {**REQUEST_DEFAULTS, **raw}
    for key in ("method", "path"):
        if not isinstance(req[key], str) or not req[key]:
            raise CaseError(f"request {key!r} must be a non-empty string")
    headers = req["headers"]
    if not isinstance(headers, list) or not all(
            isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h)
            for h in headers):
        raise CaseError("request 'headers' must be a list of [name, value] strings")
    names = [h[0].lower() for h in headers]
    if len(set(names)) != len(names):
        raise CaseError("request 'headers' names must be distinct (they become an object)")
    if req["body"] is not None:
        if not isinstance(req["body"], str):
            raise CaseError("request 'body' must be null or a string")
        _latin1(req["body"], "request 'body'")
    req["headers"] = [list(h) for h in headers]
    return req


def normalise_case(raw: Case) -> Case:
    """Check a client case and fill in its defaults; unknown keys are typos, so errors."""
    unknown = set(raw) - _KEYS
    if unknown:
        raise CaseError(f"unknown keys {sorted(unknown)}")
    case = {**DEFAULTS, **raw}
    if not isinstance(case.get("id"), str) or not case["id"]:
        raise CaseError("'id' must be a non-empty string")
    case["request"] = normalise_request(case.get("request", {}))
    chunks = case.get("response")
    if not isinstance(chunks, list) or not all(isinstance(c, str) and c for c in chunks):
        raise CaseError("'response' must be a list of non-empty strings")
    for chunk in chunks:
        _latin1(chunk, "'response'")
    pause = case["pause_ms"]
    if not isinstance(pause, (int, float)) or isinstance(pause, bool) or not 0 <= pause <= 200:
        raise CaseError("'pause_ms' must be a number from 0 to 200")
    if case["after"] not in AFTER:
        raise CaseError(f"'after' must be one of {list(AFTER)}")
    return case


def _builtin() -> list[Case]:
    from .client_cases import generate

    return generate()


CATEGORY = Category(
    name="client",
    description="http.request against a scripted raw peer (lib/_http_client.js)",
    builtin_cases=_builtin,
    normalise_case=normalise_case,
    node_script="client.js",
    backends=("asyncio", "trio"),
    client="conformance.client_peer",
    py_server="conformance.py_client",
)
