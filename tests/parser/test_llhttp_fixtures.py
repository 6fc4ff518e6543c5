"""llhttp's own markdown cases, run against nodehttp's llhttp build and against its Node glue.

The cases live beside the checkout (``../shared/llhttp-tests``, llhttp tag v9.4.2) and are read in
place; without them every test here is skipped. ``NODEHTTP_LLHTTP_TESTS`` points elsewhere.

``test_trace`` replays each case as llhttp's runner does (the whole input, then cut into pieces of
every size unless the case says ``noScan``) and compares the callback log line for line.

``test_glue`` feeds the same input to :class:`nodehttp.HTTPParser` and checks what Node's binding
would hand to JavaScript against what the trace of that input implies: per message the method and
URL or status, headers and trailers (names and values joined across spans, values with trailing
SP/HTAB trimmed), the body, and how the input ends (bytes consumed at an upgrade, the error, or
what ``finish()`` says). Every way of cutting the input must give the same result.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from nodehttp import HTTPParser, ParseError

from .llhttp_md import (
    CB_HEADERS_COMPLETE,
    HPE_PAUSED_UPGRADE,
    LENIENT_BITS,
    MdCase,
    TraceResult,
    iter_cases,
    log_mismatch,
    normalize_spans,
    scan_sizes,
    trace,
)


def _tests_dir() -> Path:
    override = os.environ.get("NODEHTTP_LLHTTP_TESTS")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2].parent / "shared" / "llhttp-tests"


LLHTTP_TESTS = _tests_dir()
CASES: list[MdCase] = list(iter_cases(LLHTTP_TESTS)) if LLHTTP_TESTS.is_dir() else []

_URL_PARSER = (
    "a case for llhttp's standalone URL parser (llhttp's runner builds it on its own); nodehttp "
    "compiles only the HTTP parser, which hands the URL over as an opaque span"
)

# Cases that do not run here, with the reason.
NOT_APPLICABLE: dict[str, str] = {
    "url.md > Absolute URL": _URL_PARSER,
    "url.md > Relative URL": _URL_PARSER,
    "url.md > Failing on broken schema": _URL_PARSER,
    "url.md > Proxy request": _URL_PARSER,
    "url.md > Proxy request with port": _URL_PARSER,
    "url.md > Proxy IPv6 request": _URL_PARSER,
    "url.md > Proxy IPv6 request with port": _URL_PARSER,
    "url.md > IPv4 in IPv6 address": _URL_PARSER,
    "url.md > Extra ? in query string": _URL_PARSER,
    "url.md > URL encoded space": _URL_PARSER,
    "url.md > URL fragment": _URL_PARSER,
    "url.md > Complex URL fragment": _URL_PARSER,
    "url.md > Complex URL from node.js url parser doc": _URL_PARSER,
    "url.md > Complex URL with basic auth from node.js url parser doc": _URL_PARSER,
    "url.md > Double @": _URL_PARSER,
    "url.md > Proxy basic auth with url encoded space": _URL_PARSER,
    "url.md > Proxy basic auth with unreserved chars": _URL_PARSER,
    "url.md > IPv6 address with Zone ID": _URL_PARSER,
    "url.md > IPv6 address with Zone ID, but % is not percent-encoded": _URL_PARSER,
    "url.md > Disallow tab in URL": _URL_PARSER,
    "url.md > Disallow form-feed in URL": _URL_PARSER,
}

# Cases whose expected log (written for llhttp 9.4.2) no longer holds for the 9.4.3 that nodehttp
# compiles, with what changed. A listed case must still differ, so the list cannot go stale.
# Every request/ and response/ case of v9.4.2 gives its expected log with 9.4.3.
CHANGED_IN_9_4_3: dict[str, str] = {}

# Cases whose trace says nothing about what the glue must report, with the reason.
GLUE_NOT_APPLICABLE: dict[str, str] = {}

# The types llhttp's runner knows for http blocks; a new one must be taught to llhttp_md first.
HANDLED_TYPES = {
    f"{side}{suffix}"
    for side in ("request", "response")
    for suffix in ("", "-finish", "-lenient-all", *(f"-lenient-{name}" for name in LENIENT_BITS))
}

# Splitting in two at every boundary costs one parse per byte of input; the few long cases get the
# whole input and byte-by-byte feeding only.
TWO_PIECE_LIMIT = 512


def _params() -> list[Any]:
    if not CASES:
        return [
            pytest.param(
                None,
                id="llhttp-tests-absent",
                marks=pytest.mark.skip(
                    reason=f"llhttp's markdown cases are not at {LLHTTP_TESTS} "
                    "(set NODEHTTP_LLHTTP_TESTS to their folder)"
                ),
            )
        ]
    return [pytest.param(case, id=case.case_id) for case in CASES]


def _skip_if_not_applicable(case: MdCase | None) -> MdCase:
    assert case is not None
    if case.case_id in NOT_APPLICABLE:
        pytest.skip(f"not applicable: {NOT_APPLICABLE[case.case_id]}")
    assert case.block == "http", f"{case.case_id}: a `{case.block}` case must be in NOT_APPLICABLE"
    assert case.type in HANDLED_TYPES, f"{case.case_id}: unknown case type {case.type!r}"
    return case


# The trace ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _params())
def test_trace(case: MdCase | None) -> None:
    case = _skip_if_not_applicable(case)
    data = case.data
    expected = case.expected
    failures = []
    for size in scan_sizes(case, len(data)):
        # A run the runner gives up on (a pause that makes no progress) is compared as far as
        # it got, as the runner does.
        result = trace(case, data, size)
        problem = log_mismatch(normalize_spans(result.lines), expected)
        if problem is not None:
            failures.append(f"pieces of {size or len(data)} bytes: {problem}")
    if case.case_id in CHANGED_IN_9_4_3:
        assert failures, f"listed in CHANGED_IN_9_4_3 but passes: {CHANGED_IN_9_4_3[case.case_id]}"
        return
    assert not failures, "\n".join(failures[:5])


# The glue ---------------------------------------------------------------------------------------

Event = tuple[Any, ...]


@dataclass(frozen=True)
class GlueRun:
    """What the glue reports, in order: headers, body (joined) and completion events, then how
    the input ended: ("end", finish() error or None), ("error", code, reason, offset) or
    ("upgrade", offset where the upgraded stream starts); offsets are from the start of input."""

    events: tuple[Event, ...]
    outcome: tuple[Any, ...]


def _add_body(events: list[Event], chunk: bytes) -> None:
    # Node delivers the body in whatever pieces the input came in; only the bytes count.
    if not chunk:
        return
    if events and events[-1][0] == "body":
        events[-1] = ("body", events[-1][1] + chunk)
    else:
        events.append(("body", chunk))


def _latin1(data: bytes) -> str:
    return data.decode("latin-1")


def expected_glue(case: MdCase, result: TraceResult) -> GlueRun:
    """What Node's binding reports for an input, from llhttp's callbacks on it."""
    request = case.parser_type == 1
    events: list[Event] = []
    url = status = method = b""
    fields: list[bytes] = []
    values: list[bytes] = []

    def pairs() -> tuple[str, ...]:
        # Node pairs the n-th name with the n-th value; a name still waiting for its value is
        # dropped, and values lose trailing OWS.
        out: list[str] = []
        for name, value in zip(fields, values):
            out += [_latin1(name), _latin1(value).rstrip(" \t")]
        return tuple(out)

    for ev in result.events:
        if ev.kind == 0:
            url = status = method = b""
            fields, values = [], []
        elif ev.kind == 2:
            url += ev.data
        elif ev.kind == 3:
            status += ev.data
        elif ev.kind == 4:
            method += ev.data
        elif ev.kind == 6:
            # A name continues until a value starts, and a value until the next name starts.
            if len(fields) == len(values):
                fields.append(ev.data)
            else:
                fields[-1] += ev.data
        elif ev.kind == 7:
            if len(values) < len(fields) or not values:
                values.append(ev.data)
            else:
                values[-1] += ev.data
        elif ev.kind == CB_HEADERS_COMPLETE:
            h = ev.headers
            assert h is not None
            events.append((
                "headers", h.major, h.minor, pairs(),
                _latin1(method) if request else None,
                _latin1(url) if request else None,
                None if request else h.status,
                None if request else _latin1(status),
                h.upgrade, h.keep_alive,
            ))
            fields, values = [], []
        elif ev.kind == 11:
            _add_body(events, ev.data)
        elif ev.kind == 12:
            events.append(("complete", pairs()))
            fields, values = [], []

    error = result.error
    if error is not None:
        # Node treats llhttp's stop at an upgrade, and any error once the upgrade flag is set,
        # as the start of the upgraded stream.
        if error.code == HPE_PAUSED_UPGRADE or error.upgrade:
            return GlueRun(tuple(events), ("upgrade", error.offset))
        return GlueRun(tuple(events), ("error", error.name, error.reason, error.offset))
    if result.finish == 1:  # HTTP_FINISH_SAFE_WITH_CB: finish() completes the message
        events.append(("complete", pairs()))
    if result.finish == 2:  # HTTP_FINISH_UNSAFE
        return GlueRun(tuple(events), ("end", ("HPE_INVALID_EOF_STATE", "Invalid EOF state")))
    return GlueRun(tuple(events), ("end", None))


def runner_answer(case: MdCase) -> int:
    """What llhttp's runner answers from on_headers_complete (pausing there resumes as 0)."""
    return 1 if case.meta.get("skipBody") is True else 0


def glue_default_answer(case: MdCase, headers: Event) -> int | None:
    """The glue's own on_headers_complete answer; None where it asks Python (upgrades)."""
    if headers[8]:
        return None
    if case.parser_type == 1:
        return 0
    status = headers[6]
    return 1 if 100 <= status < 200 or status == 304 else 0


def _upgrade_done(events: list[Event]) -> bool:
    # An upgrade that ends exactly at the end of a piece consumes the whole piece; the caller
    # knows from the completed upgrade message that no more HTTP follows.
    for n in range(len(events) - 1, -1, -1):
        if events[n][0] == "headers":
            return bool(events[n][8]) and any(e[0] == "complete" for e in events[n + 1:])
    return False


def run_glue(case: MdCase, data: bytes, cuts: list[int], *, ask: bool = False) -> GlueRun:
    """Feed ``data`` cut at ``cuts`` to a fresh HTTPParser, as Node's socket code would."""
    kind = HTTPParser.REQUEST if case.parser_type == 1 else HTTPParser.RESPONSE
    parser = HTTPParser(kind, 0, case.lenient_flags)
    parser.ask = ask
    answer = runner_answer(case)
    events: list[Event] = []

    def on_headers_complete(
        major: int, minor: int, headers: list[str], method: str | None, url: str | None,
        status_code: int | None, status_message: str | None, upgrade: bool, keep_alive: bool,
    ) -> int:
        events.append((
            "headers", major, minor, tuple(headers), method, url, status_code, status_message,
            upgrade, keep_alive,
        ))
        return answer

    def on_message_complete(trailers: list[str]) -> None:
        events.append(("complete", tuple(trailers)))

    parser.on_headers_complete = on_headers_complete
    parser.on_body = lambda chunk: _add_body(events, chunk)
    parser.on_message_complete = on_message_complete

    start = 0
    for end in [*cuts, len(data)]:
        piece = data[start:end]
        ret = parser.execute(piece)
        if isinstance(ret, ParseError):
            return GlueRun(tuple(events), ("error", ret.code, ret.reason, start + ret.bytes_parsed))
        if ret < len(piece) or _upgrade_done(events):
            return GlueRun(tuple(events), ("upgrade", start + ret))
        start = end
    err = parser.finish()
    return GlueRun(tuple(events), ("end", None if err is None else (err.code, err.reason)))


def _segmentations(size: int) -> list[tuple[str, list[int]]]:
    out: list[tuple[str, list[int]]] = []
    if size <= TWO_PIECE_LIMIT:
        out += [(f"cut at {i}", [i]) for i in range(1, size)]
    out.append(("byte by byte", list(range(1, size))))
    return out


def _answer_differs_at(case: MdCase, events: tuple[Event, ...]) -> int | None:
    """Index of the first headers event the glue answers otherwise than llhttp's runner."""
    answer = runner_answer(case)
    for n, ev in enumerate(events):
        if ev[0] == "headers":
            own = glue_default_answer(case, ev)
            if own is not None and own != answer:
                return n
    return None


@pytest.mark.parametrize("case", _params())
def test_glue(case: MdCase | None) -> None:
    case = _skip_if_not_applicable(case)
    if case.case_id in GLUE_NOT_APPLICABLE:
        pytest.skip(f"glue comparison not applicable: {GLUE_NOT_APPLICABLE[case.case_id]}")
    data = case.data
    result = trace(case, data)
    assert not result.stuck, "the trace stopped at a pause that made no progress"
    want = expected_glue(case, result)
    whole = run_glue(case, data, [])
    differs = _answer_differs_at(case, want.events)
    if differs is None:
        assert whole == want
    else:
        # The glue answers 1 (no body) for 1xx and 304 responses, as Node's client does, where
        # llhttp's runner answers 0 (or 1 for every message under skipBody). What follows that
        # answer may rightly differ, so the glue's own policy is held to the trace up to that
        # message's headers, and a run where Python gives the runner's answer (`ask`) in full.
        assert whole.events[: differs + 1] == want.events[: differs + 1]
        for label, cuts in (("whole", []), ("byte by byte", list(range(1, len(data))))):
            asked = run_glue(case, data, cuts, ask=True)
            assert asked == want, f"ask, {label}"
    for label, cuts in _segmentations(len(data)):
        got = run_glue(case, data, cuts)
        assert got == whole, label


def test_lists_name_cases() -> None:
    if not CASES:
        pytest.skip(f"llhttp's markdown cases are not at {LLHTTP_TESTS}")
    ids = {case.case_id for case in CASES}
    for name, table in (
        ("NOT_APPLICABLE", NOT_APPLICABLE),
        ("CHANGED_IN_9_4_3", CHANGED_IN_9_4_3),
        ("GLUE_NOT_APPLICABLE", GLUE_NOT_APPLICABLE),
    ):
        stale = sorted(set(table) - ids)
        assert not stale, f"{name} names cases that do not exist: {stale}"
    assert not set(NOT_APPLICABLE) & (set(CHANGED_IN_9_4_3) | set(GLUE_NOT_APPLICABLE))
