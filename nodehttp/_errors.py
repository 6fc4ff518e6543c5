"""Node's errors as Python exceptions: each carries Node's ``code``.

Every class subclasses the exception a Python user would catch for the same
failure (``ValueError`` for malformed input, ``TypeError`` where Node throws a
TypeError, ``OSError`` for socket errors).
"""

from __future__ import annotations


class NodeError(Exception):
    """Base of nodehttp's errors; ``code`` is Node's ``err.code``."""

    code: str = ""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class ParseError(NodeError, ValueError):
    """llhttp rejected the bytes: Node's ``Parse Error`` with its fields.

    ``str(err)`` is Node's ``err.message`` (``"Parse Error: Invalid method encountered"``),
    ``code`` the llhttp error name (``"HPE_INVALID_METHOD"``), ``reason`` llhttp's text,
    ``bytes_parsed`` the offset in the buffer given to ``execute`` where parsing stopped, and
    ``raw_packet`` that buffer.
    """

    def __init__(self, code: str, reason: str, bytes_parsed: int, raw_packet: bytes | None = None,
                 message: str | None = None) -> None:
        super().__init__(f"Parse Error: {reason}" if message is None else message, code)
        self.reason = reason
        self.bytes_parsed = bytes_parsed
        self.raw_packet = raw_packet

    def __repr__(self) -> str:
        return f"ParseError(code={self.code!r}, reason={self.reason!r}, bytes_parsed={self.bytes_parsed})"
