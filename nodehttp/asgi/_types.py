"""The ASGI 3 callable types, and the errors nodehttp.asgi raises."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .._errors import NodeError

__all__ = ["ASGIApp", "ClientDisconnectedError", "LifespanFailureError", "Message", "Receive", "Scope", "Send"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The versions the scopes announce: ASGI 3, HTTP spec 2.4 (send() raises an OSError once
# the client has gone, which spares frameworks a disconnect watcher per response), and
# lifespan spec 2.0 (startup/shutdown failed messages).
ASGI_VERSION = "3.0"
HTTP_SPEC_VERSION = "2.4"
LIFESPAN_SPEC_VERSION = "2.0"


class ClientDisconnectedError(NodeError, OSError):
    """``send()`` after the client went away (what ASGI HTTP spec 2.4 asks for: a
    server-specific ``OSError``). ``code`` is Node's for a write to a destroyed stream."""

    code = "ERR_STREAM_DESTROYED"

    def __init__(self, message: str = "the client disconnected") -> None:
        super().__init__(message)


class LifespanFailureError(NodeError, RuntimeError):
    """The application's lifespan ``phase`` (``"startup"`` or ``"shutdown"``) failed:
    ``lifespan.<phase>.failed`` was sent, or the application raised with
    ``lifespan="on"``. ``message`` is the application's text."""

    code = "ERR_ASGI_LIFESPAN_FAILED"

    def __init__(self, phase: str, message: str) -> None:
        super().__init__(f"application {phase} failed" + (f": {message}" if message else ""))
        self.phase = phase
        self.message = message
