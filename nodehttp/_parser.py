"""HTTPParser: the contract of Node's ``node_http_parser.cc`` over llhttp 9.4.3.

One ``execute(data)`` is one call into C. The C glue (``csrc/nh_parser.c``) runs llhttp
over the whole buffer, copies the URL or status text and every header name and value
into one block (each string followed by a NUL byte) and records events; Python then
decodes the block once as latin-1, splits it once and calls the callbacks in order:

``on_headers_complete(version_major, version_minor, headers, method, url, status_code,
status_message, upgrade, should_keep_alive)``
    ``headers`` is Node's flat ``rawHeaders`` list ``[name, value, name, value, ...]``
    with trailing whitespace trimmed from values. A request gives ``method`` and ``url``
    (``status_code`` and ``status_message`` are None); a response the other way round.
    The return value is Node's skip-body answer (0, 1 = no body, 2 = upgrade). It is used
    for upgrade messages and when ``ask`` is set; otherwise the glue answers as
    Node's server and client do: 0 for requests; for responses 2 when
    ``connect_response``, 1 for 1xx, when ``head_response``, and for 304.
``on_body(chunk: bytes)``
``on_message_complete(trailers)``
    ``trailers`` is the flat raw trailer list (empty when there are none).

``execute`` returns the number of bytes consumed (less than ``len(data)`` only where an
upgraded stream starts) or a :class:`ParseError`; ``finish`` returns None or a
:class:`ParseError`. Like Node, errors are returned, not raised. An exception raised by
a callback propagates out of ``execute``; the parser must then be initialised again.
"""

from __future__ import annotations

from typing import Any, Callable, Final

from ._errors import ParseError
from ._llhttp import ffi, lib

__all__ = ["HTTPParser", "LLHTTP_VERSION", "LENIENT_FLAGS", "LENIENT_ALL_NODE", "METHOD_NAMES"]

LLHTTP_VERSION: Final[str] = ffi.string(lib.nh_version()).decode("ascii")

# llhttp_method_t ids are dense from 0 to 46 (HTTP, RTSP and PRI); Node's allMethods is
# the same table.
METHOD_NAMES: Final[tuple[str, ...]] = tuple(
    ffi.string(lib.llhttp_method_name(i)).decode("ascii") for i in range(47)
)

# llhttp's own lenient bits; Node's kLenient* constants are the same bits.
LENIENT_FLAGS: Final[dict[str, int]] = {
    "headers": 0x1,
    "chunked_length": 0x2,
    "keep_alive": 0x4,
    "transfer_encoding": 0x8,
    "version": 0x10,
    "data_after_close": 0x20,
    "optional_lf_after_cr": 0x40,
    "optional_crlf_after_chunk": 0x80,
    "optional_cr_before_lf": 0x100,
    "spaces_after_chunk_size": 0x200,
    "header_value_relaxed": 0x400,
}
# What Node sets for insecureHTTPParser (kLenientAll): every flag but header_value_relaxed.
LENIENT_ALL_NODE: Final[int] = 0x3FF

_EV_HEADERS: Final = 1
_EV_BODY: Final = 2
_RC_DECIDE: Final = 1
_RC_UPGRADE: Final = 4
_RC_ERROR: Final = 8
_RC_BUSY: Final = 32
_NEV_MASK: Final = 0xFFFFFF
_BLK_MASK: Final = 0xFFFFFFFF

REQUEST: Final = 1
RESPONSE: Final = 2
DEFAULT_MAX_HEADER_SIZE: Final = 16384


def _ignore(*args: Any) -> None:
    return None


_Meta = tuple[int, int, str, bool, bool]
_META: dict[int, _Meta] = {}


def _meta(word: int) -> _Meta:
    """Unpack NH_META (see csrc/nh_parser.h) once per distinct value."""
    version = (word >> 8) & 0xFF
    meta = (version >> 4, version & 0xF, METHOD_NAMES[word & 0xFF], bool(word & 0x10000), bool(word & 0x20000))
    _META[word] = meta
    return meta


class HTTPParser:
    """An llhttp parser with Node's glue rules. See the module docstring for callbacks."""

    REQUEST: Final = REQUEST
    RESPONSE: Final = RESPONSE

    __slots__ = (
        "_nh", "_addr", "kind", "max_header_size", "lenient_flags",
        "on_headers_complete", "on_body", "on_message_complete",
    )

    def __init__(
        self,
        kind: int = REQUEST,
        max_header_size: int = 0,
        lenient_flags: int = 0,
    ) -> None:
        self._nh = ffi.gc(lib.nh_new(), lib.nh_free)
        if self._nh == ffi.NULL:
            raise MemoryError("llhttp parser")
        self._addr = int(ffi.cast("uintptr_t", self._nh))
        self.on_headers_complete: Callable[..., Any] = _ignore
        self.on_body: Callable[[bytes], Any] = _ignore
        self.on_message_complete: Callable[[list[str]], Any] = _ignore
        self.initialize(kind, max_header_size, lenient_flags)

    def initialize(self, kind: int, max_header_size: int = 0, lenient_flags: int = 0) -> None:
        """Reset for a new stream, as Node's ``parser.initialize``.

        ``max_header_size`` 0 means Node's default (16384); ``lenient_flags`` is a mask of
        :data:`LENIENT_FLAGS` (:data:`LENIENT_ALL_NODE` is Node's ``insecureHTTPParser``).
        """
        if kind not in (REQUEST, RESPONSE):
            raise ValueError(f"kind must be HTTPParser.REQUEST or HTTPParser.RESPONSE, not {kind!r}")
        if max_header_size < 0:
            raise ValueError("max_header_size must be >= 0")
        self.kind = kind
        self.max_header_size = max_header_size or DEFAULT_MAX_HEADER_SIZE
        self.lenient_flags = lenient_flags
        lib.nh_init(self._nh, kind, self.max_header_size, lenient_flags)

    def initialize_response(self, max_header_size: int, lenient_flags: int, method: str,
                            max_header_pairs: int) -> None:
        """Ready for the response to a ``method`` request on a client socket: what
        ``initialize(RESPONSE, ...)`` and setting ``ask_after_final``, ``head_response``,
        ``connect_response`` and ``max_header_pairs`` do, in one call per request."""
        if max_header_size < 0:
            raise ValueError("max_header_size must be >= 0")
        self.kind = RESPONSE
        self.max_header_size = max_header_size or DEFAULT_MAX_HEADER_SIZE
        self.lenient_flags = lenient_flags
        nh = self._nh
        lib.nh_init(nh, RESPONSE, self.max_header_size, lenient_flags)
        nh.ask_after_final = 1
        if method == "HEAD":
            nh.head_response = 1
        elif method == "CONNECT":
            nh.connect_response = 1
        nh.max_fields = max_header_pairs // 2 if max_header_pairs > 0 else -1

    # Skip-body inputs of the client (see the module docstring).
    @property
    def head_response(self) -> bool:
        """Response parser: the request in flight is a HEAD (no body follows)."""
        return bool(self._nh.head_response)

    @head_response.setter
    def head_response(self, value: bool) -> None:
        self._nh.head_response = 1 if value else 0

    @property
    def connect_response(self) -> bool:
        """Response parser: the request in flight is a CONNECT (the response is an upgrade)."""
        return bool(self._nh.connect_response)

    @connect_response.setter
    def connect_response(self, value: bool) -> None:
        self._nh.connect_response = 1 if value else 0

    @property
    def max_header_pairs(self) -> int:
        """Node's ``parser.maxHeaderPairs``: header and trailer lines are limited to half
        of it each (more is ``HPE_HEADER_OVERFLOW``); 0 or less means no limit."""
        fields = int(self._nh.max_fields)
        return 0 if fields < 0 else fields * 2

    @max_header_pairs.setter
    def max_header_pairs(self, pairs: float) -> None:
        self._nh.max_fields = int(pairs) // 2 if pairs > 0 else -1

    @property
    def ask(self) -> bool:
        """Use on_headers_complete's return value for every message, not only upgrades."""
        return bool(self._nh.ask)

    @ask.setter
    def ask(self, value: bool) -> None:
        self._nh.ask = 1 if value else 0

    @property
    def ask_after_final(self) -> bool:
        """Response parser: once a final (non-1xx) head was answered, use
        on_headers_complete's return value for every later message (the client's answer
        to a broken server's second response differs from the default)."""
        return bool(self._nh.ask_after_final)

    @ask_after_final.setter
    def ask_after_final(self, value: bool) -> None:
        self._nh.ask_after_final = 1 if value else 0

    def execute(self, data: bytes | bytearray | memoryview) -> int | ParseError:
        """Parse ``data``; return the bytes consumed, or the :class:`ParseError`."""
        return _execute(self, self._addr, data, self.on_headers_complete, self.on_body,
                        self.on_message_complete)

    def _execute_slow(self, rc: int, data: bytes, size: int) -> int | ParseError:
        nh = self._nh
        while True:
            flags = rc >> 56
            if flags & _RC_BUSY:
                raise RuntimeError("HTTPParser used from inside one of its own callbacks")
            answer = _dispatch(self, self._addr, rc, data) if rc & _NEV_MASK else 0
            if flags & _RC_DECIDE:
                rc = lib.nh_decide(nh, answer, data, size)
                continue
            if flags & _RC_ERROR:
                return self._error(data)
            if flags & _RC_UPGRADE:
                return int(nh.nread)
            return size

    def finish(self) -> ParseError | None:
        """End of input (Node's ``parser.finish()``): completes an EOF-delimited message."""
        rc = lib.nh_finish(self._nh)
        if (rc >> 56) & _RC_BUSY:
            raise RuntimeError("HTTPParser used from inside one of its own callbacks")
        if rc & _NEV_MASK:
            _dispatch(self, self._addr, rc, b"")
        if (rc >> 56) & _RC_ERROR:
            return self._error(None)
        return None

    def pause(self) -> None:
        """Pause: the next ``execute`` returns an ``HPE_PAUSED`` error until ``resume``."""
        lib.nh_pause(self._nh)

    def resume(self) -> None:
        """Undo :meth:`pause`."""
        lib.nh_resume(self._nh)

    def _error(self, data: bytes | None) -> ParseError:
        nh = self._nh
        reason = ffi.string(nh.reason).decode("latin-1") if nh.reason != ffi.NULL else ""
        if nh.err == 24:  # HPE_USER: the glue's own "CODE:reason" errors, as Node splits them
            code, _, reason = reason.partition(":")
        else:
            code = ffi.string(lib.llhttp_errno_name(nh.err)).decode("ascii")
        return ParseError(code, reason, int(nh.nread), data)


def _py_dispatch(parser: HTTPParser, addr: int, rc: int, data: bytes) -> int:
    """What nodehttp._llhttp.dispatch does in C, for interpreters without it."""
    nh = parser._nh
    ev = ffi.unpack(nh.ev, rc & _NEV_MASK)
    text = ffi.unpack(nh.blk, (rc >> 24) & _BLK_MASK).decode("latin-1")
    strs = []
    pos = 0
    for length in ffi.unpack(nh.lens, nh.lens_report):
        strs.append(text[pos:pos + length])
        pos += length + 1
    request = parser.kind == REQUEST
    answer: Any = 0
    i = 0
    s = 0
    nh.busy = 1
    try:
        while i < len(ev):
            kind = ev[i]
            if kind == _EV_HEADERS:
                n = ev[i + 1]
                major, minor, method, upgrade, keep_alive = _META.get(ev[i + 2]) or _meta(ev[i + 2])
                if request:
                    answer = parser.on_headers_complete(
                        major, minor, strs[s + 1:s + n], method, strs[s], None, None, upgrade, keep_alive)
                else:
                    answer = parser.on_headers_complete(
                        major, minor, strs[s + 1:s + n], None, None, ev[i + 3], strs[s], upgrade, keep_alive)
                s += n
                i += 4
            elif kind == _EV_BODY:
                off = ev[i + 1]
                length = ev[i + 2]
                parser.on_body(data if off == 0 and length == len(data) else data[off:off + length])
                i += 3
            else:
                n = ev[i + 1]
                parser.on_message_complete(strs[s:s + n])
                s += n
                i += 2
    finally:
        nh.busy = 0
    return int(answer or 0)


def _py_execute(parser: HTTPParser, addr: int, data: Any, *callbacks: Any) -> int | ParseError:
    """What nodehttp._llhttp.execute does in C, for interpreters without it."""
    if type(data) is not bytes:
        data = bytes(data)
    rc: int = lib.nh_execute(parser._nh, data, len(data))
    if rc >> 56:
        return parser._execute_slow(rc, data, len(data))
    if rc:
        _dispatch(parser, addr, rc, data)
    return len(data)


_dispatch: Callable[[HTTPParser, int, int, bytes], int] = _py_dispatch
_execute: Callable[..., int | ParseError] = _py_execute
# The C versions (csrc/nh_dispatch.c) where the CPython API is available.
if lib.nh_export_dispatch() == 0:
    from ._llhttp import dispatch as _dispatch
    from ._llhttp import execute as _execute
