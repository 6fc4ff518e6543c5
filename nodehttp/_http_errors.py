"""The errors Node's ``http`` module throws about headers and status lines.

Each class carries Node's ``code`` and builds Node's message from the arguments Node's
own error constructor takes, already turned into text the way JavaScript would show them
(``nodehttp._common.js_string``; Python ``None`` plays ``undefined``). Every class also
subclasses the builtin a Python user would catch: ``TypeError`` where Node throws a
``TypeError``, ``ValueError`` for Node's ``RangeError`` and for a bad combination of
headers, ``RuntimeError`` for an operation that is too late (headers already sent).
"""

from __future__ import annotations

from ._errors import NodeError
from ._events import InvalidArgTypeError

__all__ = [
    "HeadersSentError",
    "InvalidArgTypeError",
    "InvalidArgValueError",
    "InvalidCharError",
    "InvalidHeaderValueError",
    "InvalidHttpTokenError",
    "InvalidStatusCodeError",
    "TrailerInvalidError",
]

# ERR_INVALID_ARG_TYPE is the class nodehttp._events already raises, so that one
# ``except InvalidArgTypeError`` catches it whichever module complained.


class InvalidHttpTokenError(NodeError, TypeError):
    """``ERR_INVALID_HTTP_TOKEN``: ``'<label> must be a valid HTTP token ["<name>"]'``."""

    code = "ERR_INVALID_HTTP_TOKEN"

    def __init__(self, label: str, name: str) -> None:
        super().__init__(f'{label} must be a valid HTTP token ["{name}"]')


class InvalidHeaderValueError(NodeError, TypeError):
    """``ERR_HTTP_INVALID_HEADER_VALUE``: ``'Invalid value "<value>" for header "<name>"'``.

    Node throws it only for an ``undefined`` value, so ``value`` is ``"undefined"``.
    """

    code = "ERR_HTTP_INVALID_HEADER_VALUE"

    def __init__(self, value: str, name: str) -> None:
        super().__init__(f'Invalid value "{value}" for header "{name}"')


class InvalidCharError(NodeError, TypeError):
    """``ERR_INVALID_CHAR``: ``'Invalid character in <what> ["<field>"]'``.

    The bracketed part is left out when ``field`` is ``None`` (Node: ``undefined``), as for
    ``'Invalid character in statusMessage'``.
    """

    code = "ERR_INVALID_CHAR"

    def __init__(self, what: str, field: str | None = None) -> None:
        message = f"Invalid character in {what}"
        if field is not None:
            message += f' ["{field}"]'
        super().__init__(message)


class InvalidArgValueError(NodeError, TypeError):
    """``ERR_INVALID_ARG_VALUE``: ``"The argument '<name>' is invalid. Received <shown>"``."""

    code = "ERR_INVALID_ARG_VALUE"

    def __init__(self, name: str, shown: str, reason: str = "is invalid") -> None:
        kind = "property" if "." in name else "argument"
        super().__init__(f"The {kind} '{name}' {reason}. Received {shown}")


class InvalidStatusCodeError(NodeError, ValueError):
    """``ERR_HTTP_INVALID_STATUS_CODE`` (a ``RangeError``): ``'Invalid status code: <code>'``."""

    code = "ERR_HTTP_INVALID_STATUS_CODE"

    def __init__(self, status_code: str) -> None:
        super().__init__(f"Invalid status code: {status_code}")


class HeadersSentError(NodeError, RuntimeError):
    """``ERR_HTTP_HEADERS_SENT``: ``'Cannot <action> headers after they are sent to the client'``.

    ``action`` is Node's word for the call: ``set``, ``append``, ``remove``, ``render``
    or ``write``.
    """

    code = "ERR_HTTP_HEADERS_SENT"

    def __init__(self, action: str) -> None:
        super().__init__(f"Cannot {action} headers after they are sent to the client")


class TrailerInvalidError(NodeError, ValueError):
    """``ERR_HTTP_TRAILER_INVALID``: a ``Trailer`` header on a message that is not chunked."""

    code = "ERR_HTTP_TRAILER_INVALID"

    def __init__(self) -> None:
        super().__init__("Trailers are invalid with this transfer encoding")


class RequestTimeoutError(NodeError, TimeoutError):
    """``ERR_HTTP_REQUEST_TIMEOUT``: headers or request not received within the server's
    ``headers_timeout``/``request_timeout``."""

    code = "ERR_HTTP_REQUEST_TIMEOUT"

    def __init__(self) -> None:
        super().__init__("Request timeout")
