"""ASGI 3 on nodehttp: any ASGI application (HTTP and lifespan scopes) on a nodehttp Server.

Three levels, each built on the one before:

* :class:`ASGIHandler` / :func:`create_asgi_server`: a nodehttp ``Server`` whose
  ``'request'`` listener runs the application, one runtime task per request, with
  request and response bodies streamed under backpressure;
* :func:`lifespan`: the lifespan protocol (startup, shutdown, ``state``) around it;
* :func:`serve` / :func:`run` / ``python -m nodehttp.asgi module:app``: both, as a
  program that stops gracefully on SIGINT or SIGTERM.
"""

from __future__ import annotations

from ._handler import ASGIHandler, create_asgi_server
from ._lifespan import Lifespan, lifespan
from ._serve import import_app, main, run, serve
from ._types import ASGIApp, ClientDisconnectedError, LifespanFailureError, Message, Receive, Scope, Send

__all__ = [
    "ASGIApp",
    "ASGIHandler",
    "ClientDisconnectedError",
    "Lifespan",
    "LifespanFailureError",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "create_asgi_server",
    "import_app",
    "lifespan",
    "main",
    "run",
    "serve",
]
