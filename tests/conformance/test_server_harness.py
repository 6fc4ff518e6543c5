"""The server category's harness logic: case format and generator, normalisation, the raw
client, and the two servers implementing the same handler. None of it needs Node, except
the last test, which runs a few cases against the real reference when one is at hand.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance import (parser_cases, py_server, reference, report, runner, server_cases,
                         server_client)
from conformance.cases import CaseError
from conformance.server_category import CATEGORY as SERVER
from conformance.server_category import SERVER_DEFAULTS, normalise_case

GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"


def case(**kw: Any) -> dict[str, Any]:
    return normalise_case({"id": "t", "chunks": [GET], **kw})


# Case format ---------------------------------------------------------------------------


def test_normalise_fills_defaults() -> None:
    c = case()
    assert c["server"] == SERVER_DEFAULTS and c["pause_ms"] == 15 and c["half_close"] is False
    assert case(server={"upgrade": True})["server"] == {**SERVER_DEFAULTS, "upgrade": True}


@pytest.mark.parametrize("bad, message", [
    ({"chunkz": []}, "unknown keys"),
    ({"chunks": []}, "'chunks'"),
    ({"chunks": [""]}, "'chunks'"),
    ({"chunks": ["\u0100"]}, "latin-1"),
    ({"server": {"upgrades": True}}, "unknown server keys"),
    ({"server": {"upgrade": 1}}, "'upgrade'"),
    ({"server": {"max_header_size": -1}}, "'max_header_size'"),
    ({"server": {"max_headers_count": True}}, "'max_headers_count'"),
    ({"server": {"check_continue": "yes"}}, "'check_continue'"),
    ({"server": []}, "'server' must be an object"),
    ({"pause_ms": 1000}, "'pause_ms'"),
    ({"half_close": "no"}, "'half_close'"),
    ({"id": ""}, "'id'"),
])
def test_normalise_rejects(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(CaseError, match=message):
        case(**bad)


# The generator ---------------------------------------------------------------------------


def test_generation_is_deterministic_valid_and_ids_unique() -> None:
    first, second = server_cases.generate(), server_cases.generate()
    assert first == second
    ids = [c["id"] for c in first]
    assert len(ids) == len(set(ids)) >= 300
    for c in first:
        normalise_case(c)


def test_generator_covers_what_the_brief_names() -> None:
    cases = server_cases.generate()
    ids = " ".join(c["id"] for c in cases)
    for method in parser_cases.METHODS:
        assert f"method-{method} " in ids + " "
    for shape in server_cases.SHAPES:
        assert f"shape-{shape}-head" in ids
    for cve in ("2022-32214", "2022-32215", "2023-30589", "2024-27982", "2024-22019",
                "2025-23167", "2019-15605", "2020-8287", "2018-12116", "2020-8201"):
        assert f"CVE-{cve}" in ids or f"cve-{cve}" in ids, cve
    for code in ("INVALID_METHOD", "INVALID_URL", "INVALID_VERSION", "INVALID_CONSTANT",
                 "INVALID_HEADER_TOKEN", "LF_EXPECTED", "CR_EXPECTED", "UNEXPECTED_SPACE",
                 "INVALID_CONTENT_LENGTH", "UNEXPECTED_CONTENT_LENGTH",
                 "INVALID_TRANSFER_ENCODING", "INVALID_CHUNK_SIZE", "HEADER_OVERFLOW",
                 "CHUNK_EXTENSIONS_OVERFLOW", "CLOSED_CONNECTION", "PAUSED_H2_UPGRADE"):
        assert f"bad-HPE_{code}" in ids and f"bad-HPE_{code}-client-error" in ids, code
    for name in server_cases.FIRST_WINS + ("cookie", "set-cookie"):
        assert f"dup-{name}-joined" in ids
    # Each listener and option shows up both set and unset.
    servers = [c.get("server", {}) for c in cases]
    for key in ("upgrade", "connect", "client_error", "check_expectation",
                "insecure_http_parser", "join_duplicate_headers"):
        assert any(s.get(key) for s in servers) and any(not s.get(key) for s in servers), key
    assert {s.get("check_continue") for s in servers} >= {None, "continue", "reject", "silent"}
    for key in ("max_header_size", "max_headers_count", "max_requests_per_socket"):
        assert any(s.get(key) is not None for s in servers), key
    assert any(s.get("require_host_header") is False for s in servers)
    assert any(c.get("half_close") for c in cases)
    assert any(c["id"].endswith("-awk") and len(c["chunks"]) > 3 for c in cases)
    assert any(c["id"].startswith("pipe-") and len(c["chunks"]) > 1 for c in cases)


def test_awkward_twins_keep_the_bytes_and_skip_read_dependent_cases() -> None:
    by_id = {c["id"]: c for c in server_cases.generate()}
    twin = by_id["framing-te-chunked-awk"]
    assert "".join(twin["chunks"]) == by_id["framing-te-chunked"]["chunks"][0]
    assert "bad-HPE_INVALID_METHOD-client-error-awk" not in by_id
    assert "bad-HPE_INVALID_METHOD-awk" in by_id


def test_builder_refuses_duplicate_ids() -> None:
    b = server_cases.Builder()
    b.add("x", GET)
    with pytest.raises(ValueError, match="duplicate"):
        b.add("x", GET)


# Normalising replies -----------------------------------------------------------------------


def test_normalise_replaces_only_real_dates() -> None:
    reply = (b"HTTP/1.1 200 OK\r\nDate: Thu, 27 Nov 2025 17:38:01 GMT\r\nX: 1\r\n\r\n"
             b"Date: not a date\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n")
    assert server_client.normalise(reply) == (
        b"HTTP/1.1 200 OK\r\nDate: <date>\r\nX: 1\r\n\r\nDate: not a date\r\nDate: <date>\r\n")


def test_reply_lines_cut_after_lf_only() -> None:
    reply = b"HTTP/1.1 200 OK\r\nA: \x0b\x0c\x1c\x85\r\n\r\nbody\rmore\nend"
    lines = server_client.reply_lines(reply)
    assert lines == ["HTTP/1.1 200 OK\r\n", "A: \x0b\x0c\x1c\x85\r\n", "\r\n",
                     "body\rmore\n", "end"]
    assert "".join(lines).encode("latin-1") == reply
    assert server_client.reply_lines(b"") == []
    assert server_client.reply_lines(b"a\n") == ["a\n"]


def test_distinct_configs_in_order_of_first_use() -> None:
    a, b = case()["server"], case(server={"upgrade": True})["server"]
    cs = [{"server": a}, {"server": b}, {"server": dict(a)}]
    assert server_client.distinct_configs(cs) == [a, b]


def test_diff_settings_name_what_is_set() -> None:
    c = case(server={"upgrade": True}, half_close=True)
    assert report.settings(c) == {"pause_ms": 15, "half_close": True,
                                  "server": {"upgrade": True, "require_host_header": True}}


def test_a_dead_server_is_an_anomaly_and_a_handler_error_is_not() -> None:
    assert report.anomaly([["closed", True], ["server-exited", 3, "x"]]) == "server-exited"
    assert report.anomaly([["connect-failed", "ConnectionRefusedError"]]) == "connect-failed"
    assert report.anomaly([["closed", True], ["server-event", "handler-error", "x"]]) is None


def test_python_json_is_javascripts() -> None:
    # JSON.stringify's output for the same value, written out: control characters escaped
    # with lowercase hex or their short forms, DEL and everything above U+001F raw.
    value = {"b": "\x00\x08\t\n\x0c\r\x1f\x7f\"\\/\xe9\xff", "a": [None, ["x", "y"]]}
    assert py_server.dumps(value) == (
        '{"b":"\\u0000\\b\\t\\n\\f\\r\\u001f\x7f\\"\\\\/\xe9\xff","a":[null,["x","y"]]}'
    ).encode("utf-8")


# The two servers ------------------------------------------------------------------------------


def test_both_servers_implement_the_same_shapes_and_listeners() -> None:
    js = (runner.NODE_DIR / "server.js").read_text()

    def keys(name: str) -> set[str]:
        block = js[js.index(f"const {name} = {{"):]
        block = block[:block.index("\n};")]
        return set(re.findall(r"^  '?([\w-]+)'?: ", block, re.M))

    assert keys("SHAPES") == set(py_server.SHAPES)
    assert keys("EARLY") == set(py_server.EARLY)
    assert keys("CONTINUE") == set(py_server.CONTINUE)
    assert set(server_cases.SHAPES) - {"no-such-shape"} == set(py_server.SHAPES) | set(
        py_server.EARLY)
    for key in SERVER_DEFAULTS:
        assert f"c.{key}" in js and f'c["{key}"]' in Path(py_server.__file__).read_text(), key


def test_commands_put_the_client_in_front_of_each_server() -> None:
    cmd, env = runner.ours_command(SERVER, "trio")
    assert cmd[1:5] == ["-m", "conformance.server_client", "--", sys.executable]
    assert cmd[5:] == ["-m", "conformance.py_server", "trio"]
    assert str(runner.PROJECT_DIR) in env["PYTHONPATH"]
    ref = reference.Reference(Path("/x/node"), "--node")
    cmd, env2 = runner.reference_worker(ref, SERVER)
    assert cmd[-2:] == ["/x/node", str(runner.NODE_DIR / "server.js")] and env2 is not None


# The raw client -------------------------------------------------------------------------------


async def _serve(handler: Any) -> tuple[asyncio.AbstractServer, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_exchange_reads_until_close_or_idle() -> None:
    async def main() -> None:
        async def closer(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            data = await r.readuntil(b"\r\n\r\n")
            w.write(b"got " + data[:3])
            await w.drain()
            w.close()

        async def keeper(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            while data := await r.read(100):
                w.write(data.upper())
            w.write(b"EOF")  # only after we shut our side down
            w.close()

        server, port = await _serve(closer)
        got = await server_client.exchange(port, [b"GET / ", b"HTTP/1.1\r\n\r\n", b"late"],
                                           0.05, False)
        assert (got.reply, got.closed) == (b"got GET", True)  # "late" never sent
        server.close()
        server, port = await _serve(keeper)
        got = await server_client.exchange(port, [b"ab", b"cd"], 0.02, False, idle_s=0.1)
        assert (got.reply, got.closed) == (b"ABCD", False)
        got = await server_client.exchange(port, [b"ab"], 0.02, True, idle_s=0.5)
        assert (got.reply, got.closed) == (b"ABEOF", True)
        server.close()

    asyncio.run(main())


FAKE_SERVER = r"""
import json, os, socket, sys, threading
configs = json.loads(sys.argv[-1])
listeners = []
for c in configs:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); listeners.append(s)
print(json.dumps({"ports": [s.getsockname()[1] for s in listeners]}), flush=True)

def serve(s, config):
    while True:
        conn, peer = s.accept()
        data = conn.recv(1000)
        if b"event" in data:
            print(json.dumps({"peer": peer[1], "event": "handler-error", "detail": "boom"}),
                  flush=True)
        if b"die" in data:
            sys.stderr.write("dying\n"); sys.stderr.flush(); os._exit(3)
        conn.sendall(b"HTTP/1.1 200 OK\r\nDate: Thu, 27 Nov 2025 17:38:01 GMT\r\n\r\n"
                     + json.dumps(config, sort_keys=True).encode())
        conn.close()

for s, c in zip(listeners, configs):
    threading.Thread(target=serve, args=(s, c), daemon=True).start()
sys.stdin.read()
"""


def test_client_speaks_the_worker_protocol(tmp_path: Path) -> None:
    server = tmp_path / "fake_server.py"
    server.write_text(FAKE_SERVER)
    cases = [case(id="plain"), case(id="upgrade", server={"upgrade": True}),
             case(id="event", chunks=["event"]), case(id="die", chunks=["die"]),
             case(id="after", chunks=["GET"])]
    # One at a time, so that the death is attributed to its own case only.
    proc = subprocess.run(
        [sys.executable, "-m", "conformance.server_client", "--concurrency", "1", "--",
         sys.executable, str(server)],
        input="".join(json.dumps(c) + "\n" for c in cases), capture_output=True, text=True,
        timeout=60, env=runner.python_env())
    assert proc.returncode == 0, proc.stderr
    logs = {item["id"]: item["log"] for item in map(json.loads, proc.stdout.splitlines())}
    assert list(logs) == [c["id"] for c in cases]
    assert logs["plain"][:2] == [["recv", "HTTP/1.1 200 OK\r\n"], ["recv", "Date: <date>\r\n"]]
    assert logs["plain"][-1] == ["closed", True]
    assert '"upgrade": true' in logs["upgrade"][-2][1]
    assert logs["event"][-1] == ["server-event", "handler-error", "boom"]
    assert logs["die"][-1][:2] == ["server-exited", 3] and "dying" in logs["die"][-1][2]
    assert logs["after"][-1] == ["closed", True]  # a fresh server answered


def test_client_with_no_cases_starts_no_server() -> None:
    proc = subprocess.run([sys.executable, "-m", "conformance.server_client", "--", "false"],
                          input="", capture_output=True, text=True, timeout=30,
                          env=runner.python_env())
    assert (proc.returncode, proc.stdout) == (0, "")


# Against the real reference, when one is at hand ------------------------------------------


def available_reference() -> reference.Reference | None:
    try:
        return reference.probe(reference.find(None, install=False))
    except reference.ReferenceProblem:
        return None


REAL = available_reference()


@pytest.mark.skipif(REAL is None, reason="no reference Node (see test_harness.py)")
def test_a_handful_of_server_cases_match_the_reference() -> None:
    assert REAL is not None
    wanted = ("shape-trailers", "shape-early-hints-multi-http10", "dup-cookie-joined",
              "framing-te-chunked-awk", "upgrade-ws-listener-bytes-after",
              "bad-HPE_INVALID_METHOD-client-error", "hcount-max-2-3", "expect-100-continue",
              "header-value-latin1", "pipe-max-requests-2")
    by_id = {c["id"]: c for c in server_cases.generate()}
    cs = [normalise_case(by_id[i]) for i in wanted]
    outcomes = [o for o in runner.run_category(REAL, SERVER, cs) if o.backend == "asyncio"]
    assert [o.case["id"] for o in outcomes if not o.identical] == []
    assert all(o.reference[0][0] == "recv" for o in outcomes)

