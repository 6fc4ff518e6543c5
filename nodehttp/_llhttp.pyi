# Stub for the cffi extension built by build_ffi.py (llhttp 9.4.3 + csrc/).
from typing import Any

ffi: Any
lib: Any

def execute(parser: Any, nh_address: int, data: Any, on_headers_complete: Any, on_body: Any,
            on_message_complete: Any, /) -> Any:
    """HTTPParser.execute's work: the bytes consumed, or what parser._execute_slow returns."""

def dispatch(parser: Any, nh_address: int, rc: int, data: bytes, /) -> int:
    """Call the parser's callbacks for one batch; return the last on_headers_complete answer."""
