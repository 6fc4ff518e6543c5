"""nodehttp: Node.js's ``http`` module for Python, parsing with llhttp exactly as Node does."""

from __future__ import annotations

from ._errors import NodeError, ParseError
from ._parser import LLHTTP_VERSION, HTTPParser

__all__ = ["LLHTTP_VERSION", "HTTPParser", "NodeError", "ParseError"]
