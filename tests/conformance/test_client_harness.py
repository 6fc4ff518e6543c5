"""The client category's harness: case format and generator, the raw peer's helpers, and
the peer in front of nodehttp's driver (and of drivers that die). None of it needs Node,
except the last test, which runs a few cases through the reference when one is at hand.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest

from conformance import client_cases, client_peer, runner
from conformance.cases import CaseError
from conformance.client_category import (CATEGORY as CLIENT, DRIVER_GRACE_S, DRIVER_TIMEOUT_S,
                                         normalise_case)
from conformance.registry import CATEGORIES

from .test_harness import REAL, needs_reference


def case(**kw: Any) -> dict[str, Any]:
    return normalise_case({"id": "t", "response": ["HTTP/1.1 200 OK\r\n\r\n"], **kw})


def test_normalise_fills_defaults() -> None:
    c = case()
    assert c["request"] == {"method": "GET", "path": "/", "headers": [], "body": None}
    assert c["pause_ms"] == 5 and c["after"] == "wait"
    assert case(request={"method": "POST", "body": "x"})["request"]["body"] == "x"


@pytest.mark.parametrize("bad, message", [
    ({"responze": []}, "unknown keys"),
    ({"response": [""]}, "'response'"),
    ({"response": "HTTP/1.1"}, "'response'"),
    ({"response": ["\u0100"]}, "latin-1"),
    ({"request": {"verb": "GET"}}, "unknown request keys"),
    ({"request": {"method": ""}}, "'method'"),
    ({"request": {"headers": {"a": "b"}}}, "'headers'"),
    ({"request": {"headers": [["a", "b"], ["A", "c"]]}}, "distinct"),
    ({"request": {"body": 5}}, "'body'"),
    ({"request": {"body": "\u0100"}}, "latin-1"),
    ({"request": []}, "'request' must be an object"),
    ({"pause_ms": 1000}, "'pause_ms'"),
    ({"after": "linger"}, "'after'"),
    ({"id": ""}, "'id'"),
])
def test_normalise_rejects(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(CaseError, match=message):
        case(**bad)


def test_registered_with_both_backends() -> None:
    assert CATEGORIES["client"] is CLIENT
    assert CLIENT.backends == ("asyncio", "trio")
    assert (runner.NODE_DIR / CLIENT.node_script).is_file()


def test_generation_is_deterministic_and_ids_unique() -> None:
    first, second = client_cases.generate(), client_cases.generate()
    assert first == second
    ids = [c["id"] for c in first]
    assert len(ids) == len(set(ids)) and len(ids) >= 100
    for c in first:
        normalise_case(c)


def test_generator_covers_what_the_brief_names() -> None:
    cases = {c["id"]: c for c in client_cases.generate()}
    groups = {cid.split("-")[0] for cid in cases}
    assert {"status", "length", "chunked", "close", "head", "nobody", "info", "upgrade", "dup",
            "invalid", "hangup", "aborted", "request"} <= groups
    texts = ["".join(c["response"]) for c in cases.values()]
    assert any("\xe9" in t.split("\r\n")[0] for t in texts)  # a latin-1 reason
    assert any("103 Early Hints\r\nLink:" in t for t in texts)
    assert cases["hangup-before-response"]["response"] == []
    assert {c["request"]["method"] for c in cases.values()} >= {"GET", "HEAD", "POST"}
    assert any(cid.endswith("-awk") for cid in cases)


def test_awkward_cuts_rejoin_and_cut_crlf_and_colons() -> None:
    data = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    pieces = client_cases.awkward_cuts(data)
    assert "".join(pieces) == data and all(pieces)
    assert any(p.endswith("\r") for p in pieces) and any(p.startswith(":") for p in pieces)
    for c in client_cases.generate():
        if c["id"].endswith("-awk"):
            base = next(b for b in client_cases.generate() if b["id"] == c["id"][:-4])
            assert "".join(c["response"]) == base["response"][0]


@pytest.mark.parametrize("data, complete", [
    (b"GET / HTTP/1.1\r\nHost: a\r\n", False),
    (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", True),
    (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel", False),
    (b"POST / HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello", True),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", False),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", True),
])
def test_request_complete(data: bytes, complete: bool) -> None:
    assert client_peer.request_complete(data) is complete


def test_normalise_port_and_lines() -> None:
    got = client_peer.normalise(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:4567\r\n\r\n", 4567)
    assert got == b"GET / HTTP/1.1\r\nHost: 127.0.0.1:<port>\r\n\r\n"
    assert client_peer.lines(b"a\r\nb\xe9") == ["a\r\n", "b\xe9"]


def test_driver_limits_match_the_js_driver() -> None:
    js = (runner.NODE_DIR / "client.js").read_text()
    assert re.search(rf"CASE_TIMEOUT_MS = {round(DRIVER_TIMEOUT_S * 1000)};", js)
    assert re.search(rf"GRACE_MS = {round(DRIVER_GRACE_S * 1000)};", js)


def peer(cases: list[dict[str, Any]], driver: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "conformance.client_peer", "--", *driver],
        input="".join(json.dumps(c) + "\n" for c in cases), capture_output=True, text=True,
        env=runner.python_env(), timeout=60, check=True)
    return {item["id"]: item["log"] for item in map(json.loads, out.stdout.splitlines())}


SAMPLE = ["status-ok", "chunked-trailer", "info-103-link", "hangup-before-response",
          "aborted-length", "request-post-body"]


def sample() -> list[dict[str, Any]]:
    return [normalise_case(c) for c in client_cases.generate() if c["id"] in SAMPLE]


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_peer_in_front_of_nodehttp(backend: str) -> None:
    logs = peer(sample(), [sys.executable, "-m", "conformance.py_client", backend])
    assert list(logs) == SAMPLE
    sent = [e[1] for e in logs["status-ok"] if e[0] == "sent"]
    assert sent == ["GET / HTTP/1.1\r\n", "Host: 127.0.0.1:<port>\r\n",
                    "Connection: close\r\n", "\r\n"]
    events = [e for e in logs["status-ok"] if e[0] != "sent"]
    assert events == [["client-closed", True], ["response", 200, "OK", "1.1",
                                                ["Content-Length", "2"]],
                      ["body", "ok"], ["end", []], ["res-close"], ["close"]]
    assert ["end", ["X-Sum", "42"]] in logs["chunked-trailer"]
    assert ["information", 103, "Early Hints", "1.1",
            ["Link", "</style.css>; rel=preload; as=style"]] in logs["info-103-link"]
    assert ["error", "ECONNRESET", "socket hang up"] in logs["hangup-before-response"]
    assert ["aborted"] in logs["aborted-length"]
    assert ["sent", "hello"] in logs["request-post-body"]


def test_peer_survives_a_dying_driver() -> None:
    dying = [sys.executable, "-c", "import sys; sys.stdin.readline(); sys.exit(3)"]
    logs = peer(sample()[:2], dying)
    for log in logs.values():
        assert log[0] == ["no-connection"]
        assert log[1][:2] == ["driver-exited", 3]


@needs_reference
def test_node_driver_agrees_on_a_sample() -> None:
    assert REAL is not None
    ref = peer(sample(), [str(REAL.path), str(runner.NODE_DIR / "client.js")])
    ours = peer(sample(), [sys.executable, "-m", "conformance.py_client", "asyncio"])
    assert ref == ours
