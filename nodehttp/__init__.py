"""nodehttp: Node.js's ``http`` module for Python, parsing with llhttp exactly as Node does.

Names follow Node's, mapped mechanically (``createServer`` -> ``create_server``).
The runtime (:func:`run`, :func:`runtime`) hosts servers, sockets and timers on asyncio or
trio; see the README for what is implemented so far.
"""

from __future__ import annotations

from . import https, net
from ._agent import Agent, global_agent
from ._client import ClientRequest, create_client, get, request
from ._common import validate_header_name, validate_header_value
from ._constants import MAX_HEADER_SIZE as max_header_size
from ._constants import METHODS, STATUS_CODES
from ._errors import NodeError, ParseError
from ._events import EventEmitter, once
from ._incoming import IncomingMessage
from ._outgoing import OutgoingMessage
from ._parser import LLHTTP_VERSION, HTTPParser
from ._runtime import Runtime, current_runtime, run, runtime
from ._server import Server, ServerResponse, create_server

__all__ = [
    "LLHTTP_VERSION",
    "METHODS",
    "STATUS_CODES",
    "Agent",
    "ClientRequest",
    "EventEmitter",
    "HTTPParser",
    "IncomingMessage",
    "NodeError",
    "OutgoingMessage",
    "ParseError",
    "Runtime",
    "Server",
    "ServerResponse",
    "create_client",
    "create_server",
    "current_runtime",
    "get",
    "global_agent",
    "https",
    "max_header_size",
    "net",
    "once",
    "request",
    "run",
    "runtime",
    "validate_header_name",
    "validate_header_value",
]
