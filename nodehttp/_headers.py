"""Header bookkeeping as Node 24 does it: incoming header objects and the outgoing store.

Incoming (``IncomingMessage``): the parser hands over ``raw`` = ``[name, value, ...]``
(``rawHeaders``/``rawTrailers``); ``build_headers`` makes ``headers``/``trailers`` and
``build_headers_distinct`` makes ``headersDistinct``/``trailersDistinct``, by Node's rules
(``matchKnownFields`` and ``_addHeaderLine`` in ``_http_incoming.js``), observed from the
reference binary:

* keys are lowercased and appear in first-seen order;
* ``set-cookie`` is always a list;
* ``cookie`` duplicates are joined with ``"; "``;
* the first value wins, later ones are dropped, for ``age``, ``authorization``,
  ``content-length``, ``content-type``, ``etag``, ``expires``, ``from``, ``host``,
  ``if-modified-since``, ``if-unmodified-since``, ``last-modified``, ``location``,
  ``max-forwards``, ``proxy-authorization``, ``referer``, ``retry-after``, ``server``,
  ``user-agent`` -- unless ``joinDuplicateHeaders`` is set, which joins these with
  ``", "`` too (set-cookie stays a list, cookie still joins with ``"; "``);
* every other name joins duplicates with ``", "`` (an empty value still joins:
  ``["x", "", "x", "b"]`` gives ``", b"``);
* JavaScript object quirks Node shows: a header named ``__proto__`` (any case) never
  reaches ``headers`` (assigning ``obj.__proto__`` a string does nothing) but does reach
  ``headersDistinct`` (a null-prototype object); names that are array indices
  (``"0"``..``"4294967294"`` without leading zeros) come first, in numeric order.

Outgoing (``OutgoingMessage``): :class:`OutgoingHeaders` is ``kOutHeaders`` with
``setHeader``/``appendHeader``/``getHeader``/... and :meth:`OutgoingHeaders.render`, the
header-line loop of ``_storeHeader`` (``processHeader``/``storeHeader``/``matchHeader``)
returning a :class:`HeaderState` with the lines and the flags Node's framing reads.
:func:`render_headers` is the same loop for headers given straight to ``writeHead``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Final, TypeAlias, Union

from ._common import (
    CHUNK_EXPRESSION,
    CONN_CLOSE_EXPRESSION,
    describe_received,
    js_inspect,
    js_number_to_string,
    js_string,
    to_int32,
    to_js_number,
    validate_header_name,
    validate_header_value,
    validate_string,
)
from ._constants import MAX_HEADER_PAIRS
from ._http_errors import InvalidArgTypeError, InvalidArgValueError

__all__ = [
    "HeaderState",
    "HeaderValue",
    "OutgoingHeaders",
    "build_headers",
    "build_headers_distinct",
    "limit_raw_headers",
    "max_header_pairs_for",
    "parse_unique_headers_option",
    "render_headers",
]

#: What ``setHeader`` takes: a string, a number, or a list/tuple of them (one header line
#: per element). Node stores the value as given and turns it into text only when the
#: header block is written (``js_string``).
HeaderValue: TypeAlias = Union[str, int, float, bytes, list[Any], tuple[Any, ...]]

# --- incoming --------------------------------------------------------------------------

# How _addHeaderLine treats a (lowercased) field name.
_JOIN: Final = 0  # join duplicates with ", "
_SET_COOKIE: Final = 1  # always a list
_COOKIE: Final = 2  # join duplicates with "; "
_FIRST: Final = 3  # first wins (joined with ", " under joinDuplicateHeaders)
_DROP: Final = 4  # "__proto__": never lands on Node's plain-object headers
_INDEX: Final = 5  # an array index: joins like _JOIN, but sorts first in a JS object

_FIRST_WINS: Final = (
    "age", "authorization", "content-length", "content-type", "etag", "expires", "from",
    "host", "if-modified-since", "if-unmodified-since", "last-modified", "location",
    "max-forwards", "proxy-authorization", "referer", "retry-after", "server", "user-agent",
)  # fmt: skip
_SPECIAL: Final[dict[str, int]] = {
    **dict.fromkeys(_FIRST_WINS, _FIRST),
    "set-cookie": _SET_COOKIE,
    "cookie": _COOKIE,
    "__proto__": _DROP,
}

# Raw name -> (lowercase name, treatment). Names repeat across requests, so remembering
# them saves a lower() and a lookup per header; the cap keeps a client that invents names
# from growing it without bound (past it, names are classified afresh each time).
_FIELDS: dict[str, tuple[str, int]] = {}
_FIELDS_MAX: Final = 4096


def _is_array_index(s: str) -> bool:
    # A canonical array index: what a JavaScript object enumerates before other keys.
    return (
        s.isascii()
        and s.isdigit()
        and (s[0] != "0" or len(s) == 1)
        and int(s) <= 4294967294
    )


def _classify(name: str) -> tuple[str, int]:
    lower = name.lower()
    flag = _SPECIAL.get(lower)
    if flag is None:
        flag = _INDEX if lower[:1].isdigit() and _is_array_index(lower) else _JOIN
    entry = (lower, flag)
    if len(_FIELDS) < _FIELDS_MAX:
        _FIELDS[name] = entry
    return entry


def _seed_fields() -> None:
    # The spellings Node's matchKnownFields recognises without lowercasing, plus a few
    # common ones, so a typical request never reaches _classify.
    extra = (
        "Accept", "Accept-Encoding", "Accept-Language", "Cache-Control", "Connection",
        "Content-Encoding", "Date", "Expect", "If-Match", "If-None-Match", "Origin",
        "Transfer-Encoding", "Upgrade", "Vary", "X-Forwarded-For", "X-Forwarded-Host",
        "X-Forwarded-Proto", "Keep-Alive", "Upgrade-Insecure-Requests", "Pragma", "DNT",
        "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-User", "Sec-Fetch-Dest", "Range",
        "Access-Control-Request-Method", "Access-Control-Request-Headers",
    )  # fmt: skip
    for lower in (*_SPECIAL, *(e.lower() for e in extra)):
        _classify(lower)
        _classify("-".join(part[:1].upper() + part[1:] for part in lower.split("-")))
    for name in ("ETag", "Set-Cookie", *extra):
        _classify(name)


_seed_fields()


def _js_object_order(dest: dict[str, Any]) -> None:
    # Re-insert so that array-index keys come first in ascending order, as a JavaScript
    # object enumerates them; the other keys keep their insertion order.
    index_keys = sorted((k for k in dest if _is_array_index(k)), key=int)
    if not index_keys:
        return
    rest = [(k, v) for k, v in dest.items() if not _is_array_index(k)]
    items = [(k, dest[k]) for k in index_keys]
    dest.clear()
    dest.update(items)
    dest.update(rest)


def _counted(raw: Sequence[str], count: int | None) -> Sequence[str]:
    """``raw`` as far as Node's kHeadersCount reaches: its loop reads a pair while the
    index is below the count, so an odd count still takes the pair it starts."""
    if count is not None and count < len(raw):
        return raw[: count + (count & 1)]
    return raw


def build_headers(
    raw: Sequence[str],
    join_duplicates: bool = False,
    count: int | None = None,
    dest: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``IncomingMessage.headers`` (or ``.trailers``) from the raw ``[name, value, ...]`` list.

    Values are ``str`` except ``set-cookie``, a ``list[str]``. ``join_duplicates`` is
    Node's ``joinDuplicateHeaders``. ``count`` is Node's ``kHeadersCount``: only
    ``raw[:count]`` is used (see :func:`limit_raw_headers`). ``dest`` adds to an existing
    object, as Node does when ``trailers`` was read before the trailers arrived (its lazy
    getter cached ``{}`` and ``_addHeaderLines`` then fills that same object).
    """
    raw = _counted(raw, count)
    if dest is None:
        dest = {}
    get = dest.get
    fields = _FIELDS
    reorder = False
    it = iter(raw)
    for name, value in zip(it, it):
        try:
            key, flag = fields[name]
        except KeyError:
            key, flag = _classify(name)
        # The flags as literals: this loop runs per header, and a global costs a lookup.
        if not flag:  # _JOIN
            prev = get(key)
            dest[key] = value if prev is None else f"{prev}, {value}"
        elif flag == 3:  # _FIRST
            prev = get(key)
            if prev is None:
                dest[key] = value
            elif join_duplicates:
                dest[key] = f"{prev}, {value}"
        elif flag == 2:  # _COOKIE
            prev = get(key)
            dest[key] = value if prev is None else f"{prev}; {value}"
        elif flag == 1:  # _SET_COOKIE
            prev = get(key)
            if prev is None:
                dest[key] = [value]
            else:
                prev.append(value)
        elif flag == 5:  # _INDEX
            prev = get(key)
            dest[key] = value if prev is None else f"{prev}, {value}"
            reorder = True
        # _DROP (4): nothing
    if reorder:
        _js_object_order(dest)
    return dest


def build_headers_distinct(
    raw: Sequence[str],
    count: int | None = None,
    dest: dict[str, list[str]] | None = None,
) -> dict[str, list[str]]:
    """``IncomingMessage.headersDistinct`` (or ``.trailersDistinct``): every value, listed.

    Keys are lowercased in first-seen order (array-index names first, as in Node), each
    with its values in order; ``__proto__`` is kept (Node uses a null-prototype object).
    ``count`` and ``dest`` are as for :func:`build_headers`.
    """
    raw = _counted(raw, count)
    if dest is None:
        dest = {}
    get = dest.get
    fields = _FIELDS
    reorder = False
    it = iter(raw)
    for name, value in zip(it, it):
        try:
            key, flag = fields[name]
        except KeyError:
            key, flag = _classify(name)
        prev = get(key)
        if prev is None:
            dest[key] = [value]
            if flag == 5:  # _INDEX
                reorder = True
        else:
            prev.append(value)
    if reorder:
        _js_object_order(dest)
    return dest


def max_header_pairs_for(max_headers_count: object) -> int:
    """The parser's ``maxHeaderPairs`` for a server's or request's ``maxHeadersCount``.

    ``None`` (Node's default ``null``) gives 2000; a number gives ``count << 1`` in 32-bit
    arithmetic, as Node computes it (``2.5`` gives 4). Zero or less means no limit.
    """
    if max_headers_count is None:
        return MAX_HEADER_PAIRS
    pairs = (to_int32(max_headers_count) << 1) & 0xFFFFFFFF
    return pairs - 0x100000000 if pairs >= 0x80000000 else pairs


def limit_raw_headers(
    raw: list[str], max_header_pairs: int, *, trailers: bool = False
) -> tuple[list[str], int]:
    """``(rawHeaders, kHeadersCount)`` after Node's ``maxHeaderPairs`` cap, for responses.

    Observed from Node 24.21.0 (client side; a request over the limit never gets here,
    see below). With ``max_header_pairs <= 0`` nothing is cut. Otherwise Node's binding
    hands over up to 31 header fields in one batch, and ``rawHeaders`` keeps them all
    while ``headers`` uses only the first ``max_header_pairs`` entries; from 32 fields on
    (and always for trailers) the batches go through ``parserOnHeaders``, which cuts
    ``rawHeaders`` itself to ``max_header_pairs`` entries.

    Requests are different in Node 24.21.0: its parser refuses a request with more than
    ``max_header_pairs // 2`` header fields, or trailer fields, with
    ``HPE_HEADER_OVERFLOW``, so the server never cuts.
    """
    n = len(raw)
    if max_header_pairs <= 0 or n <= max_header_pairs:
        return raw, n
    if trailers or n >= 64:
        return raw[:max_header_pairs], max_header_pairs
    return raw, max_header_pairs


# --- outgoing --------------------------------------------------------------------------


class HeaderState:
    """What ``_storeHeader`` learns while writing the header lines (Node's ``state``).

    ``header`` is the text so far (first line plus ``"Name: value\\r\\n"`` per line). The
    flags are set per line written, as Node's ``matchHeader`` does; the framing code
    applies the side effects Node puts on the message:

    * ``connection``: a Connection line was written (Node: ``_removedConnection = false``);
      ``connection_close`` if one matched ``close`` (Node: ``_last = true``),
      ``connection_keep`` if one did not (Node: ``shouldKeepAlive = true``);
    * ``te``: a Transfer-Encoding line (``_removedTE = false``); ``chunked`` if one
      matched ``chunked`` (``chunkedEncoding = true``);
    * ``cont_len``: a Content-Length line (``_removedContLen = false``); ``content_length``
      is Node's ``_contentLength`` afterwards: the value passed in, replaced by ``+value``
      of each Content-Length line (``nan`` for text that is not a number);
    * ``date``, ``expect``, ``trailer``: such a line was written;
    * ``keep_alive``: a Keep-Alive line was written (``_defaultKeepAlive = false``).
    """

    # Class-level defaults, no __slots__: a state is made per message and most flags stay
    # False, so only what a header line changes is ever stored on the instance.
    connection: bool = False
    connection_close: bool = False
    connection_keep: bool = False
    te: bool = False
    chunked: bool = False
    cont_len: bool = False
    date: bool = False
    expect: bool = False
    trailer: bool = False
    keep_alive: bool = False

    _FLAGS = (
        "connection", "connection_close", "connection_keep", "te", "chunked", "cont_len",
        "date", "expect", "trailer", "keep_alive",
    )  # fmt: skip

    def __init__(self, header: str = "", content_length: float | None = None) -> None:
        self.header = header
        self.content_length = content_length

    def __repr__(self) -> str:
        flags = [name for name in self._FLAGS if getattr(self, name)]
        return f"HeaderState(header={self.header!r}, flags={flags}, content_length={self.content_length})"


def _match_header(state: HeaderState, lower: str, value: object) -> None:
    # matchHeader: only the names the framing decisions depend on.
    if lower == "connection":
        state.connection = True
        if CONN_CLOSE_EXPRESSION.search(js_string(value)):
            state.connection_close = True
        else:
            state.connection_keep = True
    elif lower == "content-length":
        state.cont_len = True
        state.content_length = to_js_number(value)
    elif lower == "transfer-encoding":
        state.te = True
        if CHUNK_EXPRESSION.search(js_string(value)):
            state.chunked = True
    elif lower == "date":
        state.date = True
    elif lower == "expect":
        state.expect = True
    elif lower == "trailer":
        state.trailer = True
    elif lower == "keep-alive":
        state.keep_alive = True


_MATCHED: Final = frozenset(
    ("connection", "content-length", "transfer-encoding", "date", "expect", "trailer", "keep-alive")
)
# The names render's inline path must hand on: the matched ones and content-disposition.
_SPECIAL_OUT: Final = _MATCHED | {"content-disposition"}

_BUFFER_FROM_TYPE_MESSAGE: Final = (
    "The first argument must be of type string or an instance of Buffer, ArrayBuffer, "
    "or Array or an Array-like Object."
)


def _buffer_from_latin1(value: object) -> str:
    # String(Buffer.from(value, 'latin1')): the text's low bytes read back as UTF-8 (with
    # U+FFFD for what is not UTF-8). A list is read as an Array-like of byte values.
    if isinstance(value, str):
        try:
            data = value.encode("latin-1")
        except UnicodeEncodeError:
            data = bytes(ord(c) & 0xFF for c in value)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
    elif isinstance(value, (list, tuple)):
        data = bytes(to_int32(v) & 0xFF for v in value)
    else:
        raise InvalidArgTypeError(f"{_BUFFER_FROM_TYPE_MESSAGE} {describe_received(value)}")
    return data.decode("utf-8", "replace")


def _process_header(
    parts: list[str],
    state: HeaderState,
    key: str,
    lower: str,
    value: Any,
    validate: bool,
    lenient: bool,
    unique: Collection[str] | None,
) -> None:
    # processHeader + storeHeader + matchHeader for one name.
    if lower == "content-disposition":
        # Node re-reads a Content-Disposition value as UTF-8 bytes (RFC 6266) when its
        # _contentLength is a non-zero number at this point.
        cl = state.content_length
        if cl and cl == cl:
            if isinstance(value, (list, tuple)):
                value = [_buffer_from_latin1(v) for v in value]
            else:
                value = _buffer_from_latin1(value)
    if isinstance(value, (list, tuple)):
        if (len(value) < 2 or lower != "cookie") and (not unique or lower not in unique):
            for item in value:
                _store_header(parts, state, key, lower, item, validate, lenient)
            return
        value = "; ".join("" if v is None else js_string(v) for v in value)
    _store_header(parts, state, key, lower, value, validate, lenient)


def _store_header(
    parts: list[str],
    state: HeaderState,
    key: str,
    lower: str,
    value: Any,
    validate: bool,
    lenient: bool,
) -> None:
    if validate:
        validate_header_value(key, value, lenient)
    parts.append(f"{key}: {value if value.__class__ is str else js_string(value)}\r\n")
    if lower in _MATCHED:
        _match_header(state, lower, value)


def _finish(parts: list[str], state: HeaderState) -> HeaderState:
    state.header = "".join(parts)
    return state


def parse_unique_headers_option(headers: object) -> frozenset[str] | None:
    """Node's ``parseUniqueHeadersOption``: the lowercased names of a ``uniqueHeaders`` list.

    Anything that is not a list (or tuple) means no such option (``None``). A unique
    header given as a list is written as one line joined with ``"; "``.
    """
    if not isinstance(headers, (list, tuple)):
        return None
    return frozenset(js_string(h).lower() for h in headers)


def render_headers(
    headers: Mapping[str, Any] | Sequence[Any] | OutgoingHeaders | None,
    first_line: str = "",
    *,
    lenient: bool = False,
    content_length: float | None = None,
    unique_headers: Collection[str] | None = None,
) -> HeaderState:
    """The header-line loop of ``_storeHeader`` for any of the shapes ``writeHead`` takes.

    ``headers`` is an :class:`OutgoingHeaders` (written without validation, as Node trusts
    its own store), a mapping (own keys; array-index names first, as a JavaScript object
    orders them), a list of ``[name, value]`` pairs, or a flat ``[name, value, ...]`` list
    (odd length: ``ERR_INVALID_ARG_VALUE``). All but the store are validated as they are
    written (``ERR_INVALID_HTTP_TOKEN``, ``ERR_HTTP_INVALID_HEADER_VALUE``,
    ``ERR_INVALID_CHAR``). ``lenient`` selects the relaxed value check;
    ``content_length`` is the message's ``_contentLength`` before the headers (it decides
    the Content-Disposition re-reading); ``unique_headers`` are lowercased names
    (:func:`parse_unique_headers_option`).

    Returns the :class:`HeaderState`; its ``header`` starts with ``first_line``. The
    Date, Connection, Content-Length and Transfer-Encoding lines Node may add after these
    are the framing code's business, as is the final ``"\\r\\n"``.
    """
    if isinstance(headers, OutgoingHeaders):
        return headers.render(
            first_line, lenient=lenient, content_length=content_length, unique_headers=unique_headers
        )
    state = HeaderState(first_line, content_length)
    parts = [first_line]
    if not headers:
        return _finish(parts, state)
    if isinstance(headers, (list, tuple)):
        if isinstance(headers[0], (list, tuple)):
            for entry in headers:
                key = entry[0] if len(entry) > 0 else None
                value = entry[1] if len(entry) > 1 else None
                _process_validated(parts, state, key, value, lenient, unique_headers)
        else:
            if len(headers) % 2:
                shown = js_inspect(headers)
                if len(shown) > 128:
                    shown = shown[:128] + "..."
                raise InvalidArgValueError("headers", shown)
            names = _VALID_NAMES
            for i in range(0, len(headers), 2):
                key = headers[i]
                value = headers[i + 1]
                # The usual line inline: a name already found to be a token, a printable
                # ASCII str value (valid under both checks). What _process_validated
                # would do with it, without its five calls.
                lower = names.get(key) if key.__class__ is str else None
                if (lower is not None and value.__class__ is str and value.isascii() and value.isprintable()
                        and lower != "content-disposition"):
                    parts.append(f"{key}: {value}\r\n")
                    if lower in _MATCHED:
                        _match_header(state, lower, value)
                    continue
                _process_validated(parts, state, key, value, lenient, unique_headers)
                if key.__class__ is str and len(names) < _VALID_NAMES_MAX:
                    names[key] = key.lower()  # validated just now
        return _finish(parts, state)
    if isinstance(headers, Mapping):
        items: Iterable[tuple[Any, Any]] = headers.items()
        if any(isinstance(k, str) and k[:1].isdigit() and _is_array_index(k) for k in headers):
            ordered = dict(headers)
            _js_object_order(ordered)
            items = ordered.items()
        for key, value in items:
            # A JavaScript object's keys are strings whatever they were written as.
            if not isinstance(key, str):
                key = js_string(key)
            _process_validated(parts, state, key, value, lenient, unique_headers)
        return _finish(parts, state)
    raise InvalidArgTypeError(
        f'The "headers" argument must be of type object. {describe_received(headers)}'
    )


def _process_validated(
    parts: list[str],
    state: HeaderState,
    key: object,
    value: Any,
    lenient: bool,
    unique: Collection[str] | None,
) -> None:
    validate_header_name(key)
    assert isinstance(key, str)
    _process_header(parts, state, key, key.lower(), value, True, lenient, unique)


# Names already found to be tokens -> their lowercase form: a response sets the same few
# names over and over, and one lookup replaces the token check and lower(). Capped like
# _FIELDS, for programs that invent names.
_VALID_NAMES: dict[str, str] = {}
_VALID_NAMES_MAX: Final = 4096


def _valid_name_lower(name: object) -> str:
    # validate_header_name, returning name.lower().
    if name.__class__ is str:
        try:
            return _VALID_NAMES[name]
        except KeyError:
            pass
    validate_header_name(name)
    assert isinstance(name, str)
    lower = name.lower()
    if name.__class__ is str and len(_VALID_NAMES) < _VALID_NAMES_MAX:
        _VALID_NAMES[name] = lower
    return lower


class OutgoingHeaders:
    """``OutgoingMessage[kOutHeaders]``: the headers set before they are written.

    Per lowercase name it keeps the name as last given to ``set_header`` (``append_header``
    keeps the existing one) and the value exactly as given: ``set_header("X", ["a", "b"])``
    stores the list, and lists become one header line per element when rendered. Names
    keep their first-set position (setting again replaces in place; removing and setting
    again moves to the end); array-index names (``"2"``, ``"10"``) come first in numeric
    order, as they do in Node's JavaScript object.

    The methods raise Node's errors (``ERR_INVALID_HTTP_TOKEN``,
    ``ERR_HTTP_INVALID_HEADER_VALUE``, ``ERR_INVALID_CHAR``, ``ERR_INVALID_ARG_TYPE``); the
    ``ERR_HTTP_HEADERS_SENT`` check belongs to the message that owns the store.

    ``created`` is Node's ``kOutHeaders !== null``: true once anything was set, even if it
    was removed again (``writeHead`` then merges its headers through set/append rather than
    writing them as given). The removals framing cares about (Node's
    ``_removedConnection``, ``_removedContLen``, ``_removedTE``, ``sendDate = false``) are
    the owning message's state, set by its ``remove_header``.
    """

    __slots__ = (
        "_names",
        "_values",
        "_has_index",
        "created",
    )

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._values: dict[str, Any] = {}
        self._has_index = False
        self.created = False

    @classmethod
    def of_valid(cls, name: str, lower: str, value: Any) -> OutgoingHeaders:
        """A store holding one header its caller has already checked: a client request
        that sets nothing but its Host line makes one of these per request."""
        out = cls.__new__(cls)
        out._names = {lower: name}
        out._values = {lower: value}
        out._has_index = False
        out.created = True
        return out

    def _store(self, name: str, lower: str, value: Any) -> None:
        self._names[lower] = name
        self._values[lower] = value
        self.created = True
        if not self._has_index and lower[:1].isdigit() and _is_array_index(lower):
            self._has_index = True

    def _keys(self) -> Iterable[str]:
        if not self._has_index:
            return self._names
        index_keys = sorted((k for k in self._names if _is_array_index(k)), key=int)
        return index_keys + [k for k in self._names if not _is_array_index(k)]

    def set_header(self, name: str, value: HeaderValue, *, lenient: bool = False) -> None:
        """``setHeader(name, value)``: validate, then store under ``name.lower()``.

        ``lenient`` is the relaxed value check Node uses under ``httpValidation`` other
        than ``'strict'`` or ``insecureHTTPParser``.
        """
        lower = _valid_name_lower(name)
        cls = value.__class__
        # Numbers always print as valid header text; a printable ASCII str is valid too.
        if not (
            (cls is str and value.isascii() and value.isprintable())  # type: ignore[union-attr]
            or cls is int
            or cls is float
        ):
            validate_header_value(name, value, lenient)
        # _store, inlined: this is the call a response makes per header.
        self._names[lower] = name
        self._values[lower] = value
        self.created = True
        if not self._has_index and lower[:1].isdigit() and _is_array_index(lower):
            self._has_index = True

    def append_header(self, name: str, value: HeaderValue, *, lenient: bool = False) -> None:
        """``appendHeader(name, value)``: add values after the existing ones.

        With no such header it is ``set_header``. Otherwise the stored value becomes a list
        (a stored list is extended in place, as Node pushes onto the array it was given),
        ``value`` is added (a list's elements one by one) and the stored name is kept.
        """
        lower = _valid_name_lower(name)
        validate_header_value(name, value, lenient)
        values = self._values
        if lower not in values:
            self._store(name, lower, value)
            return
        existing = values[lower]
        if not isinstance(existing, list):
            existing = list(existing) if isinstance(existing, tuple) else [existing]
            values[lower] = existing
        if isinstance(value, (list, tuple)):
            existing.extend(value)
        else:
            existing.append(value)

    def get_header(self, name: str) -> Any:
        """``getHeader(name)``: the value as stored, or ``None``. ``name`` must be a ``str``."""
        validate_string(name, "name")
        return self._values.get(name.lower())

    def has_header(self, name: str) -> bool:
        """``hasHeader(name)``, case-insensitive. ``name`` must be a ``str``."""
        validate_string(name, "name")
        return name.lower() in self._values

    def remove_header(self, name: str) -> None:
        """``removeHeader(name)``: forget it."""
        validate_string(name, "name")
        lower = name.lower()
        if lower in self._values:
            del self._names[lower]
            del self._values[lower]

    def get_header_names(self) -> list[str]:
        """``getHeaderNames()``: the lowercase names, in Node's order."""
        return list(self._keys())

    def get_raw_header_names(self) -> list[str]:
        """``getRawHeaderNames()``: the names as given, in Node's order."""
        names = self._names
        return [names[k] for k in self._keys()]

    def get_headers(self) -> dict[str, Any]:
        """``getHeaders()``: a shallow copy, lowercase name to value as stored."""
        if not self._has_index:
            return dict(self._values)
        values = self._values
        return {k: values[k] for k in self._keys()}

    def raw_items(self) -> list[tuple[str, Any]]:
        """``(name as given, value)`` pairs in order: Node's ``_renderHeaders`` as a list."""
        names, values = self._names, self._values
        return [(names[k], values[k]) for k in self._keys()]

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, lower: object) -> bool:
        """Whether a header with this (already lowercase) name is set: a fast check."""
        return lower in self._values

    def render(
        self,
        first_line: str = "",
        *,
        lenient: bool = False,
        content_length: float | None = None,
        unique_headers: Collection[str] | None = None,
    ) -> HeaderState:
        """Write the stored headers as ``_storeHeader`` does: ``"Name: value\\r\\n"`` each.

        A list value gives one line per element, except that two or more ``Cookie``
        values, and a list for a name in ``unique_headers``, are joined into one line with
        ``"; "``; an empty list gives no line. Values are turned into text the JavaScript
        way (``js_string``: ``None`` elements read ``undefined``, floats as JavaScript
        prints them). Nothing is validated again (Node trusts values it validated when
        they were set). ``content_length`` is the message's ``_contentLength`` before the
        headers: while it is a non-zero number a Content-Disposition value is re-read as
        UTF-8 (Node's ``Buffer.from(value, 'latin1')``); a Content-Length line written
        before it counts too. The text is ``str`` with code points up to U+00FF, except
        for U+FFFD from that re-reading.
        """
        state = HeaderState(first_line, content_length)
        parts = [first_line]
        names, values = self._names, self._values
        matched = _SPECIAL_OUT
        for lower in self._keys() if self._has_index else names:
            key = names[lower]
            value = values[lower]
            cls = value.__class__
            # The common cases inline: a str or a number is one line, nothing else to do.
            if cls is str:
                text = value
            elif cls is int:
                text = str(value)
            elif cls is float:
                text = js_number_to_string(value)
            else:
                _process_header(parts, state, key, lower, value, False, lenient, unique_headers)
                continue
            if lower in matched:
                if lower == "content-disposition":
                    _process_header(parts, state, key, lower, value, False, lenient, unique_headers)
                    continue
                _match_header(state, lower, value)
            parts.append(f"{key}: {text}\r\n")
        state.header = "".join(parts)
        return state
