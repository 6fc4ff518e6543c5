"""Node's header and status-line validators, and the JavaScript conversions they rely on.

Node 24 behaviour, observed from the reference binary (``tests/test_common.py`` holds the
observations):

* ``check_is_http_token`` is RFC 7230's ``token``: one or more of
  ``^_`a-zA-Z-0-9!#$%&'*+.|~``.
* ``check_invalid_header_char`` is true when a value holds a character outside
  ``\\t``, ``\\x20-\\x7e`` and ``\\x80-\\xff``; with ``lenient`` (Node's ``httpValidation``
  other than ``'strict'``, or ``insecureHTTPParser``) only NUL, CR, LF and anything above
  U+00FF are refused.
* ``validate_header_name`` / ``validate_header_value`` are ``http.validateHeaderName`` /
  ``http.validateHeaderValue``; ``OutgoingMessage.setHeader`` runs the same checks.

Values reach Node's checks and its header lines through JavaScript's ``String(value)``;
``js_string`` is that conversion for the Python values nodehttp accepts (``None`` plays
``undefined``; see its docstring for the rest).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Final

from ._events import OutOfRangeError
from ._http_errors import (
    InvalidArgTypeError,
    InvalidArgValueError,
    InvalidCharError,
    InvalidHeaderValueError,
    InvalidHttpTokenError,
    InvalidStatusCodeError,
)

__all__ = [
    "CHUNK_EXPRESSION",
    "CONN_CLOSE_EXPRESSION",
    "CONTINUE_EXPRESSION",
    "check_invalid_header_char",
    "check_is_http_token",
    "describe_received",
    "js_inspect",
    "js_number_to_string",
    "js_string",
    "to_int32",
    "to_js_number",
    "MAX_SAFE_INTEGER",
    "invalid_arg_type",
    "out_of_range",
    "timer_duration",
    "validate_boolean",
    "validate_header_name",
    "validate_header_value",
    "validate_integer",
    "validate_number",
    "validate_one_of",
    "validate_status_code",
    "validate_status_message",
    "validate_string",
]

# A character that may not appear in a token; a search for one is faster than a
# fullmatch of the whole name for the short names headers have.
_non_token_char: Final = re.compile(r"[^\^_`a-zA-Z\-0-9!#$%&'*+.|~]").search

# Node's strictHeaderCharRegex and lenientHeaderCharRegex (searching for a bad character).
_strict_bad_char: Final = re.compile(r"[^\t\x20-\x7e\x80-\xff]").search
_lenient_bad_char: Final = re.compile("[\x00\n\r\u0100-\U0010ffff]").search

#: ``chunkExpression`` of ``_http_common.js``: a Transfer-Encoding value that ends in chunked
#: framing. JavaScript's ``\\W`` and case folding are ASCII-only, and its ``$`` is the end
#: of the string (Python's would also match before a final newline, hence ``\\Z``).
CHUNK_EXPRESSION: Final = re.compile(r"(?:^|\W)chunked(?:\Z|\W)", re.IGNORECASE | re.ASCII)
#: ``continueExpression``: an ``Expect`` value asking for ``100-continue``.
CONTINUE_EXPRESSION: Final = re.compile(r"(?:^|\W)100-continue(?:\Z|\W)", re.IGNORECASE | re.ASCII)
#: ``RE_CONN_CLOSE`` of ``_http_outgoing.js``: a ``Connection`` value that closes.
CONN_CLOSE_EXPRESSION: Final = re.compile(r"(?:^|\W)close(?:\Z|\W)", re.IGNORECASE | re.ASCII)


def check_is_http_token(s: str) -> bool:
    """True when ``s`` is a non-empty RFC 7230 token (Node's ``checkIsHttpToken``)."""
    return bool(s) and _non_token_char(s) is None


def check_invalid_header_char(s: str, lenient: bool = False) -> bool:
    """True when ``s`` holds a character Node refuses in a header value.

    Strict (the default): anything but HTAB, ``\\x20-\\x7e`` and ``\\x80-\\xff``. Lenient:
    NUL, CR, LF or a code point above U+00FF.
    """
    if lenient:
        return _lenient_bad_char(s) is not None
    # Most values are printable ASCII, which str methods written in C confirm fastest.
    if s.isascii() and s.isprintable():
        return False
    return _strict_bad_char(s) is not None


# --- JavaScript conversions ------------------------------------------------------------

_JS_WHITESPACE: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_JS_DECIMAL: Final = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_JS_RADIX: Final = {"x": (16, "0123456789abcdefABCDEF"), "o": (8, "01234567"), "b": (2, "01")}


def js_number_to_string(x: float) -> str:
    """``Number.prototype.toString()``: ``1e+21``, ``1e-7``, ``0.1``, ``NaN``, ``-Infinity``.

    Python's ``repr`` finds the same shortest round-tripping digits; only the layout
    (where the point goes, when to use an exponent, how it is spelt) differs.
    """
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"  # also -0, as String(-0) is "0"
    if x.is_integer() and abs(x) < 9007199254740992.0:
        # Below 2**53 doubles are at most 1 apart, so the shortest digits are the integer.
        return str(int(x))
    sign = "-" if x < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(x))).normalize().as_tuple()[1:]
    assert isinstance(exponent, int)
    digits = "".join(map(str, digits_tuple))
    k = len(digits)
    n = exponent + k  # the value is 0.<digits> * 10**n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def js_string(value: object) -> str:
    """JavaScript's ``String(value)`` for the values nodehttp takes where Node takes any.

    ``str`` as it is; ``None`` (``undefined``) is ``"undefined"``; ``True``/``False`` are
    ``"true"``/``"false"``; ``float`` as JavaScript prints a number; ``int`` exactly, as a
    BigInt prints (a Python int is not limited to a double's 53 bits, so it is never
    rounded); ``bytes`` as a Buffer does (UTF-8, invalid sequences replaced); a ``list``
    or ``tuple`` as an Array does, elements joined with ``,`` and ``None`` elements empty;
    anything else by ``str()``.
    """
    cls = value.__class__
    if cls is str:
        return value  # type: ignore[return-value]
    if value is None:
        return "undefined"
    if cls is bool:
        return "true" if value else "false"
    if cls is int:
        return str(value)
    if cls is float:
        return js_number_to_string(value)  # type: ignore[arg-type]
    if isinstance(value, (list, tuple)):
        try:
            return ",".join(value)  # all str: the common case, done in C
        except TypeError:
            return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return js_number_to_string(float(value))
    return str(value)


def _string_to_number(s: str) -> float:
    # ECMAScript StringToNumber: no underscores, no "inf"/"nan" words, 0x/0o/0b prefixes
    # without a sign, and an empty (or all-whitespace) string is 0.
    s = s.strip(_JS_WHITESPACE)
    if not s:
        return 0.0
    if _JS_DECIMAL.fullmatch(s):
        return float(s.replace("Infinity", "inf"))
    if len(s) > 2 and s[0] == "0" and s[1] in "xXoObB":
        radix, alphabet = _JS_RADIX[s[1].lower()]
        body = s[2:]
        if body.strip(alphabet) == "":
            return float(int(body, radix))
    return math.nan


def to_js_number(value: object) -> float:
    """JavaScript's unary ``+value`` (``ToNumber``), as ``_storeHeader`` applies to Content-Length.

    ``None`` is NaN (``undefined``), booleans 1 and 0, strings by JavaScript's grammar
    (``" 12 "`` is 12, ``"0x10"`` 16, ``""`` 0, ``"12abc"`` NaN), lists through their
    string form as JavaScript arrays go.
    """
    if value.__class__ is str and value.isascii() and value.isdigit():
        return float(value)  # the usual Content-Length
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:  # an int beyond a double is Infinity in JavaScript
            return math.inf if value > 0 else -math.inf
    return _string_to_number(js_string(value))


def to_int32(value: object) -> int:
    """JavaScript's ``value | 0`` (``ToInt32``): truncate, wrap modulo 2**32, NaN is 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    else:
        x = to_js_number(value)
        if x != x or x in (math.inf, -math.inf):
            return 0
        n = int(x)
    n &= 0xFFFFFFFF
    return n - 0x100000000 if n >= 0x80000000 else n


# --- util.inspect, for error messages ---------------------------------------------------

_INSPECT_ESCAPES: Final = {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x27: "\\'",
    0x5C: "\\\\",
}
_NEEDS_ESCAPE: Final = re.compile(r"[\x00-\x1f\x27\x5c\x7f-\x9f]")


def _inspect_str(s: str) -> str:
    # util.inspect picks single quotes, then double, then backticks, to avoid escaping.
    quote = "'"
    if "'" in s:
        if '"' not in s:
            quote = '"'
        elif "`" not in s and "${" not in s:
            quote = "`"

    def escape(m: re.Match[str]) -> str:
        c = ord(m.group())
        if c == 0x27 and quote != "'":
            return "'"
        return _INSPECT_ESCAPES.get(c) or f"\\x{c:02X}"

    return quote + _NEEDS_ESCAPE.sub(escape, s) + quote


class _InspectContext:
    # The part of util.inspect's ctx these values need: the indentation of the entry
    # being formatted, and the depth of the array formatted last (ctx.currentDepth).
    __slots__ = ("indentation", "current_depth")

    def __init__(self) -> None:
        self.indentation = 0
        self.current_depth = 0


_BREAK_LENGTH: Final = 80
_COMPACT: Final = 3


def _width(s: str) -> int:
    # getStringWidth: control characters (the newlines of a nested multi-line entry)
    # take no room; what inspect prints otherwise is escaped to ASCII or latin-1 text.
    return len(s) - s.count("\n")


def _group_array_elements(
    ctx: _InspectContext, output: list[str], value: list[object] | tuple[object, ...]
) -> list[str]:
    # util.inspect's groupArrayElements: many short entries are set out in columns.
    separator_space = 2
    data_len = [_width(o) for o in output]
    total_length = sum(data_len) + separator_space * len(output)
    max_length = max(data_len)
    actual_max = max_length + separator_space
    if actual_max * 3 + ctx.indentation < _BREAK_LENGTH and (
        total_length / actual_max > 5 or max_length <= 6
    ):
        average_bias = math.sqrt(actual_max - total_length / len(output))
        biased_max = max(actual_max - 3 - average_bias, 1)
        columns = min(
            _js_round(math.sqrt(2.5 * biased_max * len(output)) / biased_max),
            (_BREAK_LENGTH - ctx.indentation) // actual_max,
            _COMPACT * 4,
            15,
        )
        if columns <= 1:
            return output
        max_line_length = [
            max(data_len[j] for j in range(i, len(output), columns)) + separator_space
            for i in range(columns)
        ]
        pad_start = all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
        )
        grouped = []
        for i in range(0, len(output), columns):
            last = min(i + columns, len(output)) - 1
            line = ""
            for j in range(i, last):
                cell = output[j] + ", "
                width = max_line_length[j - i] + len(output[j]) - data_len[j]
                line += cell.rjust(width) if pad_start else cell.ljust(width)
            if pad_start:
                width = max_line_length[last - i] + len(output[last]) - data_len[last] - separator_space
                line += output[last].rjust(width)
            else:
                line += output[last]
            grouped.append(line)
        return grouped
    return output


def _js_round(x: float) -> int:
    return math.floor(x + 0.5)  # Math.round: halves go up, unlike Python's round


def _inspect_list(ctx: _InspectContext, value: list[object] | tuple[object, ...], depth: int) -> str:
    if not value:
        return "[]"  # before the depth limit, and not recorded as ctx.currentDepth
    if depth > 2:  # util.inspect's default depth
        return "[Array]"
    ctx.current_depth = depth
    ctx.indentation += 2
    output = [_inspect(ctx, v, depth + 1) for v in value]
    ctx.indentation -= 2
    entries = len(output)
    if entries > 6:
        output = _group_array_elements(ctx, output, value)
    if ctx.current_depth - depth < _COMPACT and entries == len(output):
        # Node's isBelowBreakLength, with its allowance of 10 plus one per entry.
        start = len(output) + ctx.indentation + 1 + 10
        total = len(output) + start
        if total + len(output) <= _BREAK_LENGTH:
            for o in output:
                total += len(o)
                if total > _BREAK_LENGTH:
                    break
            else:
                joined = ", ".join(output)
                if "\n" not in joined:
                    return f"[ {joined} ]"
    indentation = "\n" + " " * ctx.indentation
    return f"[{indentation}  " + f",{indentation}  ".join(output) + f"{indentation}]"


def _inspect(ctx: _InspectContext, value: object, depth: int) -> str:
    if isinstance(value, str):
        return _inspect_str(value)
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    if isinstance(value, (int, float)):
        return js_string(value)
    if isinstance(value, (list, tuple)):
        return _inspect_list(ctx, value, depth)
    return repr(value)


def js_inspect(value: object) -> str:
    """``util.inspect(value)`` for strings, numbers, booleans, ``None`` and lists of them.

    Enough for the values Node's errors show; other Python objects appear as ``repr``.
    """
    return _inspect(_InspectContext(), value, 0)


def describe_received(value: object) -> str:
    """The ``Received ...`` tail of Node's ``ERR_INVALID_ARG_TYPE`` message.

    JavaScript's view of the value: ``None`` is ``undefined``, lists are Arrays, dicts
    Objects, bytes Buffers (``Received an instance of Array``).
    """
    if value is None:
        return "Received undefined"
    if isinstance(value, bool):
        return f"Received type boolean ({'true' if value else 'false'})"
    if isinstance(value, float) and value == 0:
        return f"Received type number ({'-0' if math.copysign(1.0, value) < 0 else '0'})"
    if isinstance(value, (int, float)):
        return f"Received type number ({js_string(value)})"
    if isinstance(value, str):
        if len(value) > 28:
            value = value[:25] + "..."
        if "'" not in value:
            return f"Received type string ('{value}')"
        return f"Received type string ({_json_string(value)})"
    if isinstance(value, (list, tuple)):
        return "Received an instance of Array"
    if isinstance(value, dict):
        return "Received an instance of Object"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "Received an instance of Buffer"
    if callable(value):
        return f"Received function {getattr(value, '__name__', '')}"
    return f"Received an instance of {type(value).__name__}"


def _json_string(s: str) -> str:
    # JSON.stringify of a string: only ", \ and controls escaped; non-ASCII kept.
    out = []
    for ch in s:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif c < 0x20:
            out.append({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}.get(c, f"\\u{c:04x}"))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# --- validators ------------------------------------------------------------------------


def validate_string(value: object, name: str) -> None:
    """Node's ``validateString``: ``ERR_INVALID_ARG_TYPE`` unless ``value`` is a ``str``."""
    if not isinstance(value, str):
        raise InvalidArgTypeError(
            f'The "{name}" argument must be of type string. {describe_received(value)}'
        )


MAX_SAFE_INTEGER: Final = 9007199254740991


def _is_number(value: object) -> bool:
    # JavaScript's typeof value === 'number': Python's bool is an int, JavaScript's is not.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def invalid_arg_type(name: str, expected: str, value: object) -> InvalidArgTypeError:
    """``ERR_INVALID_ARG_TYPE``: ``The "<name>" argument must be <expected>. Received ...``;
    a dotted name (``options.port``) is a "property", as in Node's message."""
    kind = "property" if "." in name else "argument"
    return InvalidArgTypeError(f'The "{name}" {kind} must be {expected}. {describe_received(value)}')


def out_of_range(name: str, expected: str, value: object) -> OutOfRangeError:
    """``ERR_OUT_OF_RANGE`` (Node's ``RangeError``): ``The value of "<name>" is out of range.
    It must be <expected>. Received <value>``. Integers beyond 2**32 are shown with Node's
    ``_`` digit separators."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        shown = js_inspect(value)
    elif isinstance(value, int) or (math.isfinite(value) and value == int(value)):
        shown = f"{int(value):_}" if abs(value) > 2**32 else str(int(value))
    else:
        shown = js_number_to_string(value)
    return OutOfRangeError(f'The value of "{name}" is out of range. It must be {expected}. Received {shown}')


def validate_integer(value: object, name: str, minimum: int = -MAX_SAFE_INTEGER,
                     maximum: int = MAX_SAFE_INTEGER) -> int:
    """Node's ``validateInteger``: a number (else ``ERR_INVALID_ARG_TYPE``) that is a whole
    number between the bounds (else ``ERR_OUT_OF_RANGE``). Returns it as an ``int``."""
    if not _is_number(value):
        raise invalid_arg_type(name, "of type number", value)
    assert isinstance(value, (int, float))
    if isinstance(value, float) and not (math.isfinite(value) and value == int(value)):
        raise out_of_range(name, "an integer", value)
    if not minimum <= value <= maximum:
        raise out_of_range(name, f">= {minimum} && <= {maximum}", value)
    return int(value)


def validate_number(value: object, name: str, minimum: float | None = None,
                    maximum: float | None = None) -> float:
    """Node's ``validateNumber``: a number, within the bounds that are given (NaN is out of
    any bound)."""
    if not _is_number(value):
        raise invalid_arg_type(name, "of type number", value)
    assert isinstance(value, (int, float))
    if minimum is None and maximum is None:
        return value
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum) or value != value:
        expected = " && ".join(part for part in (
            None if minimum is None else f">= {js_string(minimum)}",
            None if maximum is None else f"<= {js_string(maximum)}") if part)
        raise out_of_range(name, expected, value)
    return value


def timer_duration(value: object, name: str) -> float:
    """Node's ``getTimerDuration``: a number of milliseconds, non-negative and finite."""
    msecs = validate_number(value, name)
    if not 0 <= msecs < math.inf:
        raise out_of_range(name, "a non-negative finite number", msecs)
    return msecs


def validate_boolean(value: object, name: str) -> bool:
    """Node's ``validateBoolean``: ``True`` or ``False`` and nothing else."""
    if not isinstance(value, bool):
        raise invalid_arg_type(name, "of type boolean", value)
    return value


def validate_one_of(value: object, name: str, allowed: tuple[object, ...]) -> None:
    """Node's ``validateOneOf``: ``ERR_INVALID_ARG_VALUE`` unless ``value`` is one of ``allowed``
    (strings shown quoted, as ``util.inspect`` shows them)."""
    if any(value == choice and type(value) is type(choice) for choice in allowed):
        return
    listed = ", ".join(js_inspect(choice) for choice in allowed)
    raise InvalidArgValueError(name, js_inspect(value), f"must be one of: {listed}")


def validate_header_name(name: object, label: str = "Header name") -> None:
    """``http.validateHeaderName(name[, label])``: ``name`` must be a non-empty token.

    Raises :class:`~nodehttp._http_errors.InvalidHttpTokenError` (``ERR_INVALID_HTTP_TOKEN``,
    a ``TypeError``) with ``'<label> must be a valid HTTP token ["<name>"]'``; an empty
    ``label`` means the default, as in Node.
    """
    if isinstance(name, str) and name and _non_token_char(name) is None:
        return
    raise InvalidHttpTokenError(label or "Header name", js_string(name))


def validate_header_value(name: object, value: object, lenient: bool = False) -> None:
    """``http.validateHeaderValue(name, value)``: refuse ``None`` and invalid characters.

    ``None`` (``undefined``) raises ``ERR_HTTP_INVALID_HEADER_VALUE``; a value whose
    string form (``js_string``: numbers, lists joined with ``,``) holds a character
    ``check_invalid_header_char`` refuses raises ``ERR_INVALID_CHAR``. Both are
    ``TypeError``. ``lenient`` is Node's undocumented third argument (the relaxed rule).
    """
    if value is None:
        raise InvalidHeaderValueError("undefined", js_string(name))
    text = value if isinstance(value, str) else js_string(value)
    if check_invalid_header_char(text, lenient):
        raise InvalidCharError("header content", None if name is None else js_string(name))


def validate_status_code(status_code: object) -> int:
    """``writeHead``'s status check: ``status_code | 0`` must lie in 100..999.

    Returns the code as Node uses it (``200.7`` and ``"200"`` give 200; ``2**32 + 200``
    wraps to 200). Otherwise raises :class:`~nodehttp._http_errors.InvalidStatusCodeError`
    (``ERR_HTTP_INVALID_STATUS_CODE``, Node's ``RangeError``) naming the value as given.
    """
    code = to_int32(status_code)
    if code < 100 or code > 999:
        raise InvalidStatusCodeError(js_string(status_code))
    return code


def validate_status_message(status_message: object) -> None:
    """``writeHead``'s reason-phrase check: ``ERR_INVALID_CHAR`` ('Invalid character in statusMessage')."""
    text = js_string(status_message)
    if check_invalid_header_char(text):
        raise InvalidCharError("statusMessage")
