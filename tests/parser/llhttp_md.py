"""llhttp's markdown test cases, replayed through nodehttp's trace binding.

llhttp documents its parser with markdown files: each case is an ``http`` (or ``url``) block with
a ``<!-- meta={...} -->`` line and a ``log`` block holding the callback trace that llhttp's own
runner prints. This module reads those files in place, prepares the input and the expected log as
that runner does, and produces the same log from nodehttp's compiled llhttp through
``nh_trace_init``/``nh_trace_cb``.

The trace binding hands non-span callbacks no input position, yet every log line carries one. Each
such callback therefore answers ``HPE_PAUSED``: llhttp then stops with ``error_pos`` at the exact
byte where the callback fired, the line is written with that offset, and parsing resumes from
there. llhttp resumes a pause at the state that answer 0 leads to, so the parse is unchanged; an
``on_headers_complete`` that must answer 1 (``skipBody``) gets ``F_SKIPBODY`` set before the
resume, which is what llhttp itself does for that answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Union

from nodehttp._llhttp import ffi, lib

HPE_PAUSED = 21
HPE_PAUSED_UPGRADE = 22
F_SKIPBODY = 0x40

# Index of each callback in llhttp_settings_t, as nh_trace_cb receives it.
SPAN_NAMES: dict[int, str] = {
    1: "protocol",
    2: "url",
    3: "status",
    4: "method",
    5: "version",
    6: "header_field",
    7: "header_value",
    8: "chunk_extension_name",
    9: "chunk_extension_value",
    11: "body",
}
EVENT_TEXT: dict[int, str] = {
    0: "message begin",
    12: "message complete",
    13: "protocol complete",
    14: "url complete",
    15: "status complete",
    16: "method complete",
    17: "version complete",
    18: "header_field complete",
    19: "header_value complete",
    20: "chunk_extension_name complete",
    21: "chunk_extension_value complete",
    23: "chunk complete",
    24: "reset",
}
CB_HEADERS_COMPLETE = 10
CB_CHUNK_HEADER = 22

# The runner's `pause` option names the callback whose return value becomes HPE_PAUSED; the two
# chunk-extension options act on the `_complete` callbacks, not on the spans.
PAUSE_OPTION: dict[str, int] = {
    "on_message_begin": 0,
    "on_message_complete": 12,
    "on_protocol_complete": 13,
    "on_url_complete": 14,
    "on_status_complete": 15,
    "on_method_complete": 16,
    "on_version_complete": 17,
    "on_header_field_complete": 18,
    "on_header_value_complete": 19,
    "on_headers_complete": 10,
    "on_chunk_extension_name": 20,
    "on_chunk_extension_value": 21,
    "on_chunk_header": 22,
    "on_chunk_complete": 23,
    "on_reset": 24,
}

# llhttp's lenient bits (llhttp_lenient_flags_t), with the setter of each.
LENIENT_BITS: dict[str, tuple[int, Any]] = {
    "headers": (0x1, lib.llhttp_set_lenient_headers),
    "chunked-length": (0x2, lib.llhttp_set_lenient_chunked_length),
    "keep-alive": (0x4, lib.llhttp_set_lenient_keep_alive),
    "transfer-encoding": (0x8, lib.llhttp_set_lenient_transfer_encoding),
    "version": (0x10, lib.llhttp_set_lenient_version),
    "data-after-close": (0x20, lib.llhttp_set_lenient_data_after_close),
    "optional-lf-after-cr": (0x40, lib.llhttp_set_lenient_optional_lf_after_cr),
    "optional-crlf-after-chunk": (0x80, lib.llhttp_set_lenient_optional_crlf_after_chunk),
    "optional-cr-before-lf": (0x100, lib.llhttp_set_lenient_optional_cr_before_lf),
    "spaces-after-chunk-size": (0x200, lib.llhttp_set_lenient_spaces_after_chunk_size),
    "header-value-relaxed": (0x400, lib.llhttp_set_lenient_header_value_relaxed),
}
# `-lenient-all`: every lenient flag. The `-lenient-all` cases of v9.4.2 give the same log with or
# without header_value_relaxed (0x400), the one flag Node's kLenientAll (0x3FF) leaves out.
LENIENT_ALL = 0x7FF

Expected = Union[str, re.Pattern[str]]


@dataclass(frozen=True)
class MdCase:
    """One case of a markdown file, as written."""

    case_id: str
    relpath: str
    line: int
    headings: tuple[str, ...]
    block: str  # "http" or "url"
    meta: dict[str, Any]
    raw_input: str
    raw_log: str

    @property
    def type(self) -> str:
        return str(self.meta.get("type", "url" if self.block == "url" else ""))

    @property
    def parser_type(self) -> int:
        """llhttp_type_t: 1 request, 2 response."""
        return 1 if self.type.startswith("request") else 2

    @property
    def lenient_flags(self) -> int:
        return lenient_flags_of(self.type)

    @property
    def data(self) -> bytes:
        return prepare_input(self.raw_input)

    @property
    def expected(self) -> list[Expected]:
        return prepare_log(self.raw_log)


def lenient_flags_of(case_type: str) -> int:
    """The lenient bits llhttp's runner sets for a case type such as ``request-lenient-headers``."""
    _, sep, name = case_type.partition("-lenient-")
    if not sep:
        return 0
    if name == "all":
        return LENIENT_ALL
    return LENIENT_BITS[name][0]


# Markdown ------------------------------------------------------------------------------------

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_META = re.compile(r"^<!--\s*meta=(\{.*\})\s*-->\s*$")
_FENCE = re.compile(r"^```\s*(\S*)\s*$")


def _heading_text(text: str) -> str:
    return text.replace("`", "").strip()


def parse_md(path: Path, relpath: str) -> list[MdCase]:
    """Every case of one markdown file, in file order."""
    lines = path.read_text(encoding="utf-8").split("\n")
    stack: list[tuple[int, str]] = []
    cases: list[MdCase] = []
    blocks: dict[str, tuple[str, int, dict[str, Any] | None]] = {}
    case_line = 0
    pending_meta: dict[str, Any] | None = None

    def flush() -> None:
        nonlocal blocks
        kind = "url" if "url" in blocks else "http"
        if kind in blocks and "log" in blocks:
            text, line, meta = blocks[kind]
            names = tuple(_heading_text(t) for level, t in stack if level > 1) or tuple(
                _heading_text(t) for _, t in stack
            )
            cases.append(
                MdCase(
                    case_id=f"{relpath} > " + " > ".join(names),
                    relpath=relpath,
                    line=case_line or line,
                    headings=names,
                    block=kind,
                    meta=dict(meta or {}),
                    raw_input=text,
                    raw_log=blocks["log"][0],
                )
            )
        blocks = {}

    def heading(level: int, text: str, line: int) -> None:
        nonlocal case_line
        flush()
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
        case_line = line

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            lang = fence.group(1)
            start = i
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            blocks[lang] = ("".join(b + "\n" for b in body), start + 1, pending_meta)
            pending_meta = None
            i += 1
            continue
        meta = _META.match(line)
        if meta:
            pending_meta = json.loads(meta.group(1))
        elif _ATX.match(line):
            m = _ATX.match(line)
            assert m is not None
            heading(len(m.group(1)), m.group(2), i + 1)
        elif (
            i + 1 < len(lines)
            and line.strip()
            and _SETEXT.match(lines[i + 1])
            and not line.startswith(("<!--", "```"))
        ):
            heading(1 if lines[i + 1].startswith("=") else 2, line.strip(), i + 1)
            i += 1
        i += 1
    flush()

    # Headings repeat within a file in a few places; the line keeps the ids apart.
    seen: dict[str, int] = {}
    for case in cases:
        seen[case.case_id] = seen.get(case.case_id, 0) + 1
    out = []
    for case in cases:
        if seen[case.case_id] > 1:
            case = replace(case, case_id=f"{case.case_id} (line {case.line})")
        out.append(case)
    return out


def iter_cases(root: Path) -> Iterator[MdCase]:
    """The cases of ``request/*.md``, ``response/*.md`` and ``url.md`` under ``root``."""
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        yield from parse_md(path, rel)


def prepare_input(raw: str) -> bytes:
    """The bytes llhttp's runner parses for an ``http`` block.

    The runner builds a JavaScript string and hands it to the parser process as an argument, so a
    ``\\xHH`` or octal escape above 0x7f reaches the parser as that code point in UTF-8.
    """
    text = raw[:-1] if raw.endswith("\n") else raw
    text = re.sub(r"\\(\r\n|\r|\n)", "", text)
    text = re.sub(r"\r\n|\r|\n", "\r\n", text)
    text = text.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\f", "\f")
    text = re.sub(r"\\x([0-9a-fA-F]+)", lambda m: chr(int(m.group(1), 16) & 0xFFFF), text)
    text = re.sub(r"\\([0-7]{1,3})", lambda m: chr(int(m.group(1), 8)), text)
    if re.search(r"\$\{(.+?)\}", text):
        raise ValueError("inline JavaScript in a case's input is not supported")
    return text.encode("utf-8")


def prepare_log(raw: str) -> list[Expected]:
    text = raw.replace("\\t", "\t").replace("\\f", "\f")
    out: list[Expected] = []
    for line in text.split("\n")[:-1]:
        if line.startswith("/"):
            out.append(re.compile(line.strip()[1:-1]))
        else:
            out.append(line)
    return out


# Log comparison -----------------------------------------------------------------------------

_SPAN_LINE = re.compile(r'^off=(\d+)\s+len=(\d+)\s+span\[([^\]]+)\]="(.*)"$')


def normalize_spans(lines: Sequence[str]) -> list[str]:
    """Join span lines that continue one another, as llhttp's runner does before comparing.

    A span cut by the end of an ``execute`` call continues at the next call; the runner merges
    the pieces (moving the merged line to where the last piece was) so that every way of cutting
    the input must give the expected log.
    """
    out: list[list[Any]] = []
    last: dict[str, list[Any]] = {}
    for line in lines:
        if not line:
            continue
        m = _SPAN_LINE.match(line)
        if m is None:
            out.append(["raw", line])
            continue
        off, length, name, value = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        prev = last.get(name)
        if prev is not None and prev[1] + prev[2] == off:
            prev[2] += length
            prev[4] += value
            out.remove(prev)
            out.append(prev)
            continue
        item = ["span", off, length, name, value]
        out.append(item)
        last[name] = item
    return [
        item[1] if item[0] == "raw" else f'off={item[1]} len={item[2]} span[{item[3]}]="{item[4]}"'
        for item in out
    ]


def log_mismatch(actual: Sequence[str], expected: Sequence[Expected]) -> str | None:
    """None when ``actual`` matches ``expected`` line for line, else a description."""
    for n in range(max(len(actual), len(expected))):
        got = actual[n] if n < len(actual) else None
        want = expected[n] if n < len(expected) else None
        if got is None or want is None:
            ok = False
        elif isinstance(want, str):
            ok = got == want
        else:
            ok = want.search(got) is not None
        if not ok:
            shown = want.pattern if isinstance(want, re.Pattern) else want
            return f"line {n + 1}: got {got!r}, expected {shown!r}"
    return None


# Tracing ----------------------------------------------------------------------------------------


@dataclass
class HeadersInfo:
    """llhttp's state at ``on_headers_complete``."""

    method: int
    status: int
    major: int
    minor: int
    upgrade: bool
    keep_alive: bool


@dataclass
class TraceEvent:
    kind: int
    offset: int
    data: bytes = b""
    headers: HeadersInfo | None = None


@dataclass
class TraceError:
    code: int
    name: str
    reason: str
    offset: int
    upgrade: bool


@dataclass
class TraceResult:
    lines: list[str]
    events: list[TraceEvent]
    error: TraceError | None = None
    finish: int = 0  # llhttp_t.finish after the last byte
    stuck: bool = False  # the runner's "can't make progress after pause"


@dataclass
class _Tracer:
    base: int
    lines: list[str] = field(default_factory=list)
    events: list[TraceEvent] = field(default_factory=list)
    pending: tuple[int, str, HeadersInfo | None] | None = None

    def callback(self, p: Any, kind: int, at: Any, length: int) -> int:
        name = SPAN_NAMES.get(kind)
        if name is not None:
            # llhttp's runner prints the method span of requests only.
            if kind == 4 and p.type != 1:
                return 0
            off = int(ffi.cast("uintptr_t", at)) - self.base
            data = ffi.buffer(at, length)[:] if length else b""
            self.events.append(TraceEvent(kind, off, data))
            self._span_lines(name, off, data)
            return 0
        info = None
        if kind == CB_HEADERS_COMPLETE:
            info = HeadersInfo(
                method=p.method,
                status=p.status_code,
                major=p.http_major,
                minor=p.http_minor,
                upgrade=bool(p.upgrade),
                keep_alive=bool(lib.llhttp_should_keep_alive(p)),
            )
            if p.type == 1:
                text = (
                    f"headers complete method={p.method} v={p.http_major}/{p.http_minor} "
                    f"flags={p.flags:x} content_length={p.content_length}"
                )
            elif p.type == 2:
                text = (
                    f"headers complete status={p.status_code} v={p.http_major}/{p.http_minor} "
                    f"flags={p.flags:x} content_length={p.content_length}"
                )
            else:
                text = "invalid headers complete"
        elif kind == CB_CHUNK_HEADER:
            # The runner prints `(int) content_length`.
            n = p.content_length & 0xFFFFFFFF
            text = f"chunk header len={n - (1 << 32) if n >= 1 << 31 else n}"
        else:
            text = EVENT_TEXT[kind]
        self.pending = (kind, text, info)
        return HPE_PAUSED

    def _span_lines(self, name: str, off: int, data: bytes) -> None:
        # The runner prints a span in pieces cut before each CR and LF, each of which gets a line
        # of its own; it prints with "%.*s", which stops at a NUL byte.
        pos = 0
        end = len(data)
        while True:
            cut = min((i for i in (data.find(b"\r", pos), data.find(b"\n", pos)) if i >= 0), default=-1)
            piece_end = end if cut < 0 else cut
            if piece_end != pos or cut < 0:
                text = data[pos:piece_end].split(b"\0", 1)[0].decode("utf-8", "replace")
                self.lines.append(f'off={off + pos} len={piece_end - pos} span[{name}]="{text}"')
                pos = piece_end
            if cut >= 0:
                self.lines.append(f"off={off + pos} len=1 span[{name}]={'cr' if data[pos] == 13 else 'lf'}")
                pos += 1
            if pos == end:
                break


_current: _Tracer | None = None


@ffi.def_extern()  # type: ignore[misc]
def nh_trace_cb(p: Any, kind: int, at: Any, length: int) -> int:
    tracer = _current
    if tracer is None:
        return 0
    return tracer.callback(p, kind, at, length)


def _addr(ptr: Any) -> int:
    return int(ffi.cast("uintptr_t", ptr))


def trace(case: MdCase, data: bytes, chunk: int | None = None) -> TraceResult:
    """Run llhttp's runner over ``data`` cut into pieces of ``chunk`` bytes (None: one piece)."""
    global _current
    parser = ffi.new("llhttp_t *")
    lib.nh_trace_init(parser, case.parser_type)
    flags = case.lenient_flags
    for bit, setter in LENIENT_BITS.values():
        if flags & bit:
            setter(parser, 1)
    pause_kind = PAUSE_OPTION[case.meta["pause"]] if "pause" in case.meta else None
    skip_body = case.meta.get("skipBody") is True
    buf = ffi.from_buffer(data)
    base = _addr(buf)
    tracer = _Tracer(base)
    result = TraceResult(tracer.lines, tracer.events)
    size = len(data)
    step = size if chunk is None else chunk
    previous = _current
    _current = tracer
    try:
        start = 0
        while start < size:
            end = min(start + step, size)
            pos = start
            resumed_at: int | None = None
            while True:
                rc = lib.llhttp_execute(parser, buf + pos, end - pos)
                if rc != HPE_PAUSED or tracer.pending is None:
                    break
                kind, text, info = tracer.pending
                tracer.pending = None
                off = _addr(lib.llhttp_get_error_pos(parser)) - base
                tracer.lines.append(f"off={off} {text}")
                tracer.events.append(TraceEvent(kind, off, headers=info))
                if kind == CB_HEADERS_COMPLETE and skip_body:
                    tracer.lines.append(f"off={off} skip body")
                    parser.flags |= F_SKIPBODY
                if kind == pause_kind:
                    if resumed_at == off:
                        result.stuck = True
                        return result
                    tracer.lines.append(f"off={off} pause")
                    resumed_at = off
                lib.llhttp_resume(parser)
                pos = off
            if rc != 0:
                off = _addr(lib.llhttp_get_error_pos(parser)) - base
                reason = ffi.string(lib.llhttp_get_error_reason(parser)).decode("latin-1")
                tracer.lines.append(f'off={off} error code={rc} reason="{reason}"')
                result.error = TraceError(
                    rc, ffi.string(lib.llhttp_errno_name(rc)).decode("ascii"), reason, off,
                    bool(parser.upgrade),
                )
                return result
            start = end
        if case.type.endswith("-finish"):
            tracer.lines.append(f"off=NULL finish={parser.finish}")
        result.finish = parser.finish
        return result
    finally:
        _current = previous


def scan_sizes(case: MdCase, size: int) -> list[int | None]:
    """The piece sizes llhttp's runner checks: every size from 1 to the input's length."""
    if case.meta.get("noScan") is True:
        return [None]
    return [None, *range(1, size)]
