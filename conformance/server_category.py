"""The server category: raw requests to Node's http.Server and to nodehttp's, reply bytes compared.

Each half is a server process (``node/server.js``; ``python -m conformance.py_server
BACKEND``) with the same handler: it echoes what it parsed as JSON, and the request's
``X-Shape`` header picks how it answers (Content-Length, chunked, trailers, 204, early
hints...). The harness's own client (:mod:`conformance.server_client`) sends each case over
a fresh connection to both, and the logs are the normalised reply and whether the server
closed. A case::

    {"id": "...",
     "chunks": ["latin-1 text", ...],  # one send each, pause_ms apart
     "server": {...},                  # the server's configuration, see SERVER_DEFAULTS
     "pause_ms": 15,                   # between chunks
     "half_close": false,              # shut our side down after the last chunk
     "description": "..."}             # optional, for people

Every distinct ``server`` configuration is one listening server in each half's process.
"""

from __future__ import annotations

from typing import Any

from .cases import CaseError
from .category import Category

Case = dict[str, Any]

# The server configuration of a case: which listeners the server has and its options.
SERVER_DEFAULTS: dict[str, Any] = {
    "upgrade": False,            # an 'upgrade' listener: 101, the echo, then the head bytes
    "connect": False,            # a 'connect' listener: 200, the echo, then the head bytes
    "check_continue": None,      # a 'checkContinue' listener: "continue", "reject", "silent"
    "check_expectation": False,  # a 'checkExpectation' listener that answers as usual
    "client_error": False,       # a 'clientError' listener that replies with the error
    "max_header_size": None,     # the maxHeaderSize option
    "max_headers_count": None,   # server.maxHeadersCount
    "max_requests_per_socket": None,  # server.maxRequestsPerSocket
    "insecure_http_parser": False,
    "require_host_header": True,
    "join_duplicate_headers": False,
}
CHECK_CONTINUE = (None, "continue", "reject", "silent")
DEFAULTS: dict[str, Any] = {"pause_ms": 15, "half_close": False}
_KEYS = {"id", "chunks", "server", "description", *DEFAULTS}
_BOOLS = ("upgrade", "connect", "check_expectation", "client_error", "insecure_http_parser",
          "require_host_header", "join_duplicate_headers")
_COUNTS = ("max_header_size", "max_headers_count", "max_requests_per_socket")


def normalise_server(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CaseError("'server' must be an object")
    unknown = set(raw) - set(SERVER_DEFAULTS)
    if unknown:
        raise CaseError(f"unknown server keys {sorted(unknown)}")
    server = {**SERVER_DEFAULTS, **raw}
    for key in _BOOLS:
        if not isinstance(server[key], bool):
            raise CaseError(f"server {key!r} must be a boolean")
    for key in _COUNTS:
        value = server[key]
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 0):
            raise CaseError(f"server {key!r} must be null or a non-negative integer")
    if server["check_continue"] not in CHECK_CONTINUE:
        raise CaseError(f"server 'check_continue' must be one of {list(CHECK_CONTINUE)}")
    return server


def normalise_case(raw: Case) -> Case:
    """Check a server case and fill in its defaults; unknown keys are typos, so errors."""
    unknown = set(raw) - _KEYS
    if unknown:
        raise CaseError(f"unknown keys {sorted(unknown)}")
    case = {**DEFAULTS, **raw}
    if not isinstance(case.get("id"), str) or not case["id"]:
        raise CaseError("'id' must be a non-empty string")
    chunks = case.get("chunks")
    if (not isinstance(chunks, list) or not chunks
            or not all(isinstance(c, str) and c for c in chunks)):
        raise CaseError("'chunks' must be a non-empty list of non-empty strings")
    for chunk in chunks:
        try:
            chunk.encode("latin-1")
        except UnicodeEncodeError:
            raise CaseError("chunks are bytes written as latin-1 text: "
                            "no character above U+00FF") from None
    case["server"] = normalise_server(case.get("server", {}))
    pause = case["pause_ms"]
    if not isinstance(pause, (int, float)) or isinstance(pause, bool) or not 0 <= pause <= 500:
        raise CaseError("'pause_ms' must be a number from 0 to 500")
    if not isinstance(case["half_close"], bool):
        raise CaseError("'half_close' must be a boolean")
    return case


def _builtin() -> list[Case]:
    from .server_cases import generate

    return generate()


CATEGORY = Category(
    name="server",
    description="http.Server replies to raw requests (lib/_http_server.js, _http_outgoing.js)",
    builtin_cases=_builtin,
    normalise_case=normalise_case,
    node_script="server.js",
    backends=("asyncio", "trio"),
    client="conformance.server_client",
    py_server="conformance.py_server",
)
