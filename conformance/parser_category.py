"""The parser category: llhttp as Node's binding drives it, byte for byte.

A case::

    {"id": "...", "type": "request" | "response",
     "chunks": ["latin-1 text", ...],   # one execute() call each
     "finish": false,                   # call finish() after the last chunk
     "max_header_size": 0,              # 0 = Node's default (16384)
     "lenient": 0,                      # llhttp's / Node's lenient bit mask
     "request_method": "GET",           # response cases: what the client sent
     "upgrade_listener": false,         # request cases: the server listens for 'upgrade'
     "pause_before": null,              # index of a chunk to call pause() before
     "description": "..."}              # optional, for people

Both halves log the same events: ``["headers", major, minor, rawHeaders, method, url,
statusCode, statusMessage, upgrade, keepAlive]``, ``["body", latin-1]``, ``["complete",
rawTrailers]``, ``["execute", bytes | {code, reason, bytesParsed}]``, ``["finish", null |
{...}]``. After an execute error, or an execute that stops short (an upgrade), the case
stops: neither more chunks nor finish.
"""

from __future__ import annotations

from typing import Any

from .category import Category
from .cases import CaseError

Case = dict[str, Any]

DEFAULTS: dict[str, Any] = {
    "finish": False,
    "max_header_size": 0,
    "lenient": 0,
    "request_method": "GET",
    "upgrade_listener": False,
    "pause_before": None,
}
_KEYS = {"id", "type", "chunks", "description", *DEFAULTS}


def normalise_case(raw: Case) -> Case:
    """Check a parser case and fill in its defaults; unknown keys are typos, so errors."""
    unknown = set(raw) - _KEYS
    if unknown:
        raise CaseError(f"unknown keys {sorted(unknown)}")
    case = {**DEFAULTS, **raw}
    if not isinstance(case.get("id"), str) or not case["id"]:
        raise CaseError("'id' must be a non-empty string")
    if case.get("type") not in ("request", "response"):
        raise CaseError("'type' must be 'request' or 'response'")
    chunks = case.get("chunks")
    if not isinstance(chunks, list) or not all(isinstance(c, str) for c in chunks):
        raise CaseError("'chunks' must be a list of strings")
    for chunk in chunks:
        try:
            chunk.encode("latin-1")
        except UnicodeEncodeError:
            raise CaseError("chunks are bytes written as latin-1 text: "
                            "no character above U+00FF") from None
    for key in ("finish", "upgrade_listener"):
        if not isinstance(case[key], bool):
            raise CaseError(f"{key!r} must be a boolean")
    for key in ("max_header_size", "lenient"):
        if not isinstance(case[key], int) or isinstance(case[key], bool) or case[key] < 0:
            raise CaseError(f"{key!r} must be a non-negative integer")
    if case["lenient"] >= 1 << 31:
        raise CaseError("'lenient' must fit Node's Int32")
    if not isinstance(case["request_method"], str):
        raise CaseError("'request_method' must be a string")
    pause = case["pause_before"]
    if pause is not None and (not isinstance(pause, int) or isinstance(pause, bool)
                              or not 0 <= pause < len(chunks)):
        raise CaseError("'pause_before' must be null or the index of a chunk")
    return case


def _builtin() -> list[Case]:
    from .parser_cases import generate

    return generate()


def _run_ours(case: Case, backend: str) -> list[Any]:
    from .py_parser import run_case

    return run_case(case)


CATEGORY = Category(
    name="parser",
    description="llhttp through Node's binding rules (node_http_parser.cc + _http_common.js)",
    builtin_cases=_builtin,
    normalise_case=normalise_case,
    node_script="parser.js",
    node_args=("--expose-internals",),
    run_ours=_run_ours,
)
