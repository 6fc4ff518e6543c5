"""Node's header validators and the JavaScript conversions behind them (``nodehttp._common``).

Expected values were observed from node 24.21.0 (``node -e`` snippets calling
``http.validateHeaderName``, ``http.validateHeaderValue``, ``OutgoingMessage.getHeader``,
``writeHead`` and ``String``/``+``/``|0`` on the same inputs); the last tests repeat the
comparisons against the reference binary over many generated inputs when it is at hand.
"""

from __future__ import annotations

import math
import random
import struct

import pytest

from nodehttp._common import (
    CHUNK_EXPRESSION,
    CONN_CLOSE_EXPRESSION,
    CONTINUE_EXPRESSION,
    check_invalid_header_char,
    check_is_http_token,
    describe_received,
    js_inspect,
    js_number_to_string,
    js_string,
    to_int32,
    to_js_number,
    validate_header_name,
    validate_header_value,
    validate_status_code,
    validate_status_message,
    validate_string,
)
from nodehttp._errors import NodeError
from nodehttp._events import InvalidArgTypeError
from nodehttp._http_errors import (
    HeadersSentError,
    InvalidArgValueError,
    InvalidCharError,
    InvalidHeaderValueError,
    InvalidHttpTokenError,
    InvalidStatusCodeError,
    TrailerInvalidError,
)
from tests.test_constants import run_node

TOKEN_CHARS = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


# --- the character checks --------------------------------------------------------------


def test_token_characters() -> None:
    for c in range(0x300):
        ch = chr(c)
        assert check_is_http_token(ch) is (ch in TOKEN_CHARS), hex(c)
        # Node switches from a table to a regex at 10 characters: same answer.
        assert check_is_http_token("a" * 12 + ch) is (ch in TOKEN_CHARS), hex(c)
    assert check_is_http_token("") is False
    assert check_is_http_token("Content-Type") is True
    assert check_is_http_token("x y") is False
    assert check_is_http_token("x:") is False
    assert check_is_http_token("\U0001f600") is False


def test_invalid_header_char_strict_and_lenient() -> None:
    for c in range(0x300):
        ch = chr(c)
        strict_ok = c == 9 or 0x20 <= c <= 0x7E or 0x80 <= c <= 0xFF
        lenient_ok = c not in (0, 10, 13) and c <= 0xFF
        assert check_invalid_header_char(f"ab{ch}cd") is (not strict_ok), hex(c)
        assert check_invalid_header_char(f"ab{ch}cd", True) is (not lenient_ok), hex(c)
    assert check_invalid_header_char("") is False
    assert check_invalid_header_char("\U0001f600") is True
    assert check_invalid_header_char("\U0001f600", lenient=True) is True


def test_framing_expressions() -> None:
    # Node's chunkExpression, continueExpression and RE_CONN_CLOSE.
    assert CHUNK_EXPRESSION.search("gzip, Chunked")
    assert not CHUNK_EXPRESSION.search("xchunked")
    assert not CHUNK_EXPRESSION.search("chunked_")
    assert CHUNK_EXPRESSION.search("chunked\n") is not None  # \n is \W
    assert CONTINUE_EXPRESSION.search("100-Continue")
    assert CONN_CLOSE_EXPRESSION.search("keep-alive, close")
    assert not CONN_CLOSE_EXPRESSION.search("closed")
    assert not CONN_CLOSE_EXPRESSION.search("clos\u0117")


# --- http.validateHeaderName / validateHeaderValue -------------------------------------

# observed from node 24.21.0: (arguments, code, message)
NAME_ERRORS = [
    (("x y",), "ERR_INVALID_HTTP_TOKEN", 'Header name must be a valid HTTP token ["x y"]'),
    (("",), "ERR_INVALID_HTTP_TOKEN", 'Header name must be a valid HTTP token [""]'),
    ((None,), "ERR_INVALID_HTTP_TOKEN", 'Header name must be a valid HTTP token ["undefined"]'),
    ((1,), "ERR_INVALID_HTTP_TOKEN", 'Header name must be a valid HTTP token ["1"]'),
    (("x y", "Foo"), "ERR_INVALID_HTTP_TOKEN", 'Foo must be a valid HTTP token ["x y"]'),
    (("x y", ""), "ERR_INVALID_HTTP_TOKEN", 'Header name must be a valid HTTP token ["x y"]'),
    (("é",), "ERR_INVALID_HTTP_TOKEN", 'Header name must be a valid HTTP token ["é"]'),
    (("x:",), "ERR_INVALID_HTTP_TOKEN", 'Header name must be a valid HTTP token ["x:"]'),
]


@pytest.mark.parametrize(("args", "code", "message"), NAME_ERRORS)
def test_validate_header_name_errors(args: tuple[object, ...], code: str, message: str) -> None:
    with pytest.raises(InvalidHttpTokenError) as info:
        validate_header_name(*args)  # type: ignore[arg-type]
    assert info.value.code == code
    assert str(info.value) == message
    assert isinstance(info.value, TypeError) and isinstance(info.value, NodeError)


def test_validate_header_name_accepts_tokens() -> None:
    for name in ("X-Foo", "a", "!#$%&'*+-.^_`|~", "1234567890abcdef"):
        validate_header_name(name)


# observed from node 24.21.0: (name, value, lenient, error class, message)
VALUE_ERRORS = [
    ("x", None, False, InvalidHeaderValueError, 'Invalid value "undefined" for header "x"'),
    (None, None, False, InvalidHeaderValueError, 'Invalid value "undefined" for header "undefined"'),
    ("x", "a\nb", False, InvalidCharError, 'Invalid character in header content ["x"]'),
    ("x", "a\x7f", False, InvalidCharError, 'Invalid character in header content ["x"]'),
    ("x", "a\u0100b", False, InvalidCharError, 'Invalid character in header content ["x"]'),
    ("x", ["a", "b\n"], False, InvalidCharError, 'Invalid character in header content ["x"]'),
    (None, "\n", False, InvalidCharError, "Invalid character in header content"),
    ("", "\n", False, InvalidCharError, 'Invalid character in header content [""]'),
    (1, "\n", False, InvalidCharError, 'Invalid character in header content ["1"]'),
    (False, "\n", False, InvalidCharError, 'Invalid character in header content ["false"]'),
    ("x", "a\rb", True, InvalidCharError, 'Invalid character in header content ["x"]'),
]


@pytest.mark.parametrize(("name", "value", "lenient", "cls", "message"), VALUE_ERRORS)
def test_validate_header_value_errors(
    name: object, value: object, lenient: bool, cls: type[NodeError], message: str
) -> None:
    with pytest.raises(cls) as info:
        validate_header_value(name, value, lenient)
    assert str(info.value) == message
    assert isinstance(info.value, TypeError)
    expected_code = (
        "ERR_HTTP_INVALID_HEADER_VALUE" if cls is InvalidHeaderValueError else "ERR_INVALID_CHAR"
    )
    assert info.value.code == expected_code


def test_validate_header_value_accepts() -> None:
    # observed from node 24.21.0: these pass
    for value in ("a\tb", "a\xffb", "", ["a", 1], 1, 1.5, True, [], [None]):
        validate_header_value("x", value)
    validate_header_value("x", "\x01", True)  # the undocumented lenient third argument
    validate_header_value("x", "\x7f", lenient=True)


# --- the other messages ----------------------------------------------------------------

# observed from node 24.21.0: OutgoingMessage.prototype.getHeader(value)
RECEIVED: list[tuple[object, str]] = [
    (1, 'The "name" argument must be of type string. Received type number (1)'),
    (None, 'The "name" argument must be of type string. Received undefined'),
    (True, 'The "name" argument must be of type string. Received type boolean (true)'),
    ([], 'The "name" argument must be of type string. Received an instance of Array'),
    ({}, 'The "name" argument must be of type string. Received an instance of Object'),
    (1.5, 'The "name" argument must be of type string. Received type number (1.5)'),
    (
        12345678901234567890.0,
        'The "name" argument must be of type string. Received type number (12345678901234567000)',
    ),
]


@pytest.mark.parametrize(("value", "message"), RECEIVED)
def test_validate_string_messages(value: object, message: str) -> None:
    with pytest.raises(InvalidArgTypeError) as info:
        validate_string(value, "name")
    assert str(info.value) == message
    assert info.value.code == "ERR_INVALID_ARG_TYPE"


def test_describe_received_more() -> None:
    assert describe_received(-0.0) == "Received type number (-0)"
    assert describe_received(math.nan) == "Received type number (NaN)"
    assert describe_received(b"x") == "Received an instance of Buffer"
    assert describe_received("abc") == "Received type string ('abc')"
    assert describe_received("it's") == 'Received type string ("it\'s")'
    assert describe_received("a" * 30) == "Received type string ('" + "a" * 25 + "...')"


def test_error_classes() -> None:
    # observed from node 24.21.0: names, codes and messages of the errors framing raises
    e1 = InvalidStatusCodeError("99")
    assert (e1.code, str(e1)) == ("ERR_HTTP_INVALID_STATUS_CODE", "Invalid status code: 99")
    assert isinstance(e1, ValueError)  # a RangeError in Node
    e2 = HeadersSentError("set")
    assert (e2.code, str(e2)) == (
        "ERR_HTTP_HEADERS_SENT",
        "Cannot set headers after they are sent to the client",
    )
    e3 = TrailerInvalidError()
    assert (e3.code, str(e3)) == (
        "ERR_HTTP_TRAILER_INVALID",
        "Trailers are invalid with this transfer encoding",
    )
    e4 = InvalidArgValueError("headers", "[ 'a' ]")
    assert (e4.code, str(e4)) == (
        "ERR_INVALID_ARG_VALUE",
        "The argument 'headers' is invalid. Received [ 'a' ]",
    )
    assert isinstance(e4, TypeError)
    assert str(InvalidCharError("statusMessage")) == "Invalid character in statusMessage"


# --- status line ------------------------------------------------------------------------

# observed from node 24.21.0: [String(code), code | 0]
INT32 = [
    (200, 200), (200.7, 200), ("200", 200), ("abc", 0), (-1, -1), (2**32 + 200, 200),
    (None, 0), (math.nan, 0), (999, 999), (1000, 1000), (99, 99), ("1e3", 1000),
    (" 404 ", 404), ("0x1f4", 500), (True, 1), ([301], 301), (2**31 + 200, -2147483448),
    (-(2**32) + 200, 200), (math.inf, 0),
]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), INT32)
def test_to_int32(value: object, expected: int) -> None:
    assert to_int32(value) == expected


def test_validate_status_code() -> None:
    # observed from node 24.21.0: writeHead(code) -> statusCode, or the RangeError message
    assert validate_status_code(200.7) == 200
    assert validate_status_code("200") == 200
    assert validate_status_code(4294967496) == 200
    assert validate_status_code(100) == 100
    assert validate_status_code(999) == 999
    for bad, shown in [
        (99, "99"), (1000, "1000"), ("abc", "abc"), (-1, "-1"), (None, "undefined"),
        (math.nan, "NaN"), ("1e3", "1e3"),
    ]:  # fmt: skip
        with pytest.raises(InvalidStatusCodeError) as info:
            validate_status_code(bad)
        assert str(info.value) == f"Invalid status code: {shown}"
        assert info.value.code == "ERR_HTTP_INVALID_STATUS_CODE"


def test_validate_status_message() -> None:
    validate_status_message("OK")
    validate_status_message("caf\xe9")
    for bad in ("a\nb", "a\x7f", "a\rb"):
        with pytest.raises(InvalidCharError) as info:
            validate_status_message(bad)
        assert str(info.value) == "Invalid character in statusMessage"  # observed from node 24.21.0


# --- JavaScript conversions -------------------------------------------------------------

# observed from node 24.21.0: String(x)
NUMBERS = [
    (0.1, "0.1"), (1e21, "1e+21"), (1e-7, "1e-7"), (1e-6, "0.000001"), (123.456, "123.456"),
    (-1.5e-10, "-1.5e-10"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
    (2.0**53, "9007199254740992"), (2.0**60, "1152921504606847000"), (1e20, "100000000000000000000"),
    (0.000001234, "0.000001234"), (3e-7, "3e-7"), (1 / 3, "0.3333333333333333"), (100.0, "100"),
    (-0.0, "0"), (4.35, "4.35"), (0.1 + 0.2, "0.30000000000000004"), (1e16, "10000000000000000"),
    (12345678.9, "12345678.9"), (1.5e300, "1.5e+300"), (-2.5, "-2.5"),
    (123456789012345680000.0, "123456789012345680000"), (math.nan, "NaN"),
    (math.inf, "Infinity"), (-math.inf, "-Infinity"),
]  # fmt: skip


@pytest.mark.parametrize(("x", "expected"), NUMBERS)
def test_js_number_to_string(x: float, expected: str) -> None:
    assert js_number_to_string(x) == expected
    assert js_string(x) == expected


def test_js_string() -> None:
    assert js_string("é") == "é"
    assert js_string(None) == "undefined"
    assert js_string(True) == "true"
    assert js_string(12345678901234567890) == "12345678901234567890"  # ints stay exact
    # observed from node 24.21.0: String([['a','b'], 'c', [undefined], null]) with null as None
    assert js_string([["a", "b"], "c", [None], None]) == "a,b,c,,"
    assert js_string(("a", 1, 1.5)) == "a,1,1.5"
    assert js_string(b"\xc3\xa9\xff") == "é\ufffd"


# observed from node 24.21.0: +s (None marks NaN)
STRING_NUMBERS = [
    ("5", 5), (" 5 ", 5), ("\t\n5\u00a0\ufeff", 5), ("0x10", 16), ("0X1f", 31), ("0o17", 15),
    ("0b101", 5), ("-0x10", None), ("+5", 5), ("-5.5e3", -5500), (".5", 0.5), ("5.", 5),
    ("1e3", 1000), ("1E+3", 1000), ("Infinity", math.inf), ("-Infinity", -math.inf),
    ("+Infinity", math.inf), ("inf", None), ("NaN", None), ("", 0), ("   ", 0), ("abc", None),
    ("12abc", None), ("1_000", None), ("0x", None), ("1e", None), ("0.0000001", 1e-7),
    ("00012", 12), ("1,2", None), ("\u20001", 1),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), STRING_NUMBERS)
def test_to_js_number(text: str, expected: float | None) -> None:
    got = to_js_number(text)
    if expected is None:
        assert math.isnan(got)
    else:
        assert got == expected


def test_to_js_number_other_values() -> None:
    assert math.isnan(to_js_number(None))
    assert to_js_number(True) == 1
    assert to_js_number([7]) == 7
    assert math.isnan(to_js_number(["1", "2"]))
    assert to_js_number([]) == 0
    assert to_js_number(10**400) == math.inf


# observed from node 24.21.0: util.inspect(value)
INSPECT = [
    (["a"], "[ 'a' ]"),
    (["a", "b", "c"], "[ 'a', 'b', 'c' ]"),
    (list("abcdefg"), "[\n  'a', 'b', 'c',\n  'd', 'e', 'f',\n  'g'\n]"),
    (["a", 1, None, None, True, ["x"], 1.5], "[ 'a', 1, undefined, undefined, true, [ 'x' ], 1.5 ]"),
    (["it's", 'q"', "b`'\""], "[ \"it's\", 'q\"', 'b`\\'\"' ]"),
    (["abc"] * 25, "[\n" + ",\n".join(["  'abc', 'abc', 'abc', 'abc'"] * 6) + ",\n  'abc'\n]"),
    (["x" * 80], "[\n  '" + "x" * 80 + "'\n]"),
    ([], "[]"),
    ([[]], "[ [] ]"),
    (["a\nb\x00\x7f\\"], "[ 'a\\nb\\x00\\x7F\\\\' ]"),
    ([-0.0, 0, math.nan], "[ -0, 0, NaN ]"),
]


@pytest.mark.parametrize(("value", "expected"), INSPECT)
def test_js_inspect(value: object, expected: str) -> None:
    assert js_inspect(value) == expected


# --- against the reference binary ------------------------------------------------------


def _random_doubles(rng: random.Random, n: int) -> list[float]:
    out: list[float] = []
    while len(out) < n:
        kind = rng.random()
        if kind < 0.4:
            x = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        elif kind < 0.7:
            x = rng.uniform(-1e6, 1e6) * 10.0 ** rng.randint(-30, 30)
        else:
            x = round(rng.uniform(-1e4, 1e4), rng.randint(0, 8)) * 10.0 ** rng.randint(-8, 25)
        if math.isfinite(x):
            out.append(x)
    return out


def test_numbers_against_reference_node() -> None:
    rng = random.Random(5)
    doubles = _random_doubles(rng, 3000)
    texts = [
        rng.choice(["", " ", "+", "-", "0x", "0b", "\t"])
        + "".join(rng.choice("0123456789.eE+-xabfInity_ ") for _ in range(rng.randint(0, 8)))
        for _ in range(2000)
    ]
    got = run_node(
        "const f = (n) => Number.isNaN(n) ? 'NaN' : String(n);"
        "process.stdout.write(JSON.stringify({"
        " strings: input.doubles.map(String),"
        " numbers: input.texts.map((s) => f(+s)),"
        " int32: input.doubles.map((d) => d | 0)}));",
        {"doubles": doubles, "texts": texts},
    )
    assert [js_number_to_string(x) for x in doubles] == got["strings"]
    assert [js_number_to_string(to_js_number(s)) for s in texts] == got["numbers"]
    assert [to_int32(x) for x in doubles] == got["int32"]


def test_character_checks_against_reference_node() -> None:
    chars = [chr(c) for c in range(0x200)] + ["\u2028", "\ufffd", "\U0001f600"]
    samples = chars + ["a" * 11 + c for c in chars]  # Node's regex path for long names
    got = run_node(
        "const c = require('_http_common');"
        "process.stdout.write(JSON.stringify({"
        " token: input.map((s) => c._checkIsHttpToken(s)),"
        " strict: input.map((s) => c._checkInvalidHeaderChar(s)),"
        " lenient: input.map((s) => c._checkInvalidHeaderChar(s, true))}));",
        samples,
    )
    assert [check_is_http_token(s) for s in samples] == got["token"]
    assert [check_invalid_header_char(s) for s in samples] == got["strict"]
    assert [check_invalid_header_char(s, True) for s in samples] == got["lenient"]


def test_validator_messages_against_reference_node() -> None:
    names = ["x y", "", "é", "ok", "a\u0100", "1", "x:"]
    values = ["ok", "a\nb", "\x7f", "\t", "\xff", "\u0100", "\x01"]
    got = run_node(
        "const h = require('http');"
        "const r = (f) => { try { f(); return null; } catch (e) { return [e.code, e.message]; } };"
        "process.stdout.write(JSON.stringify({"
        " names: input.names.map((n) => r(() => h.validateHeaderName(n))),"
        " values: input.values.map((v) => r(() => h.validateHeaderValue('X-Y', v))),"
        " lenient: input.values.map((v) => r(() => h.validateHeaderValue('X-Y', v, true)))}));",
        {"names": names, "values": values},
    )

    def ours(f: object) -> list[str] | None:
        try:
            f()  # type: ignore[operator]
        except NodeError as e:
            return [e.code, str(e)]
        return None

    assert [ours(lambda n=n: validate_header_name(n)) for n in names] == got["names"]
    assert [ours(lambda v=v: validate_header_value("X-Y", v)) for v in values] == got["values"]
    assert [ours(lambda v=v: validate_header_value("X-Y", v, True)) for v in values] == got["lenient"]


def test_inspect_against_reference_node() -> None:
    rng = random.Random(9)
    atoms: list[object] = ["a", "it's", "x" * 30, "a\nb", "\xe9", 1, 1.5, -0.0, 1e21, True, None]

    def value(depth: int) -> list[object]:
        out: list[object] = []
        for _ in range(rng.choice([0, 1, 2, 3, 5, 7, 9, 14, 30])):
            if depth < 4 and rng.random() < 0.2:
                out.append(value(depth + 1))
            else:
                out.append(rng.choice(atoms))
        return out

    samples = [value(0) for _ in range(400)]
    got = run_node(
        "const u = require('util');"
        # JSON has no undefined: null stands for Python's None here
        "const fix = (v) => Array.isArray(v) ? v.map(fix) : (v === null ? undefined : v);"
        "process.stdout.write(JSON.stringify(input.map((v) => u.inspect(fix(v)))));",
        samples,
    )
    assert [js_inspect(v) for v in samples] == got
