"""The scenario category's harness: pairing scripts into cases, the driver that runs them and
turns their output into logs, `--cases DIR` for the server, client and scenario categories,
and a run of the whole pipeline with a fake reference. The last tests run real scenarios
against the reference Node when one is at hand ($NODEHTTP_REFERENCE_NODE or the cache);
they never install it.
"""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance import __main__ as cli
from conformance import cases as cases_mod
from conformance import (client_cases, parser_cases, reference, report, runner, scenario_category,
                         scenario_driver, server_cases)
from conformance.cases import CaseError
from conformance.registry import CATEGORIES
from conformance.scenario_category import CATEGORY as SCENARIO
from conformance.scenario_category import SCENARIO_DIR, builtin_cases, normalise_case
from conformance.scenarios import harness


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def pair(directory: Path, name: str, js: str = "// what it does\n", py: str = "") -> None:
    write(directory / f"{name}.js", js)
    write(directory / f"{name}.py", py)


# Pairing scripts into cases -----------------------------------------------------------------


def test_builtin_cases_pair_the_scripts(tmp_path: Path) -> None:
    pair(tmp_path, "b_second", js="'use strict';\n// Second, described.\n")
    pair(tmp_path, "a_first")
    write(tmp_path / "harness.js", "")
    write(tmp_path / "harness.py", "")
    write(tmp_path / "__init__.py", "")
    cs = builtin_cases(tmp_path)
    assert [c["id"] for c in cs] == ["a-first", "b-second"]
    assert cs[1] == {"id": "b-second", "js": str(tmp_path / "b_second.js"),
                     "py": str(tmp_path / "b_second.py"), "description": "Second, described."}


def test_a_lonely_half_is_an_error(tmp_path: Path) -> None:
    pair(tmp_path, "whole")
    write(tmp_path / "only_js.js", "")
    write(tmp_path / "only_py.py", "")
    with pytest.raises(CaseError, match="only_js.js, only_py.py"):
        builtin_cases(tmp_path)


def test_the_checked_in_scenarios() -> None:
    cs = builtin_cases()
    assert len(cs) >= 30
    for c in cs:
        assert normalise_case(c) == c
        assert c["description"], f"{c['js']}: the first comment line describes the scenario"
        js = Path(c["js"]).read_text(encoding="utf-8")
        py = Path(c["py"]).read_text(encoding="utf-8")
        assert "require('./harness')" in js and "start(" in js
        assert "from conformance.scenarios.harness import" in py and "start(main)" in py
        # Loopback only, on ephemeral ports: servers listen through the harness's listen().
        for text in (js, py):
            assert ".listen(" not in text
            assert not re.search(r"localhost|0\.0\.0\.0|::", text)
    # What the issue asks the scenarios to cover.
    ids = " ".join(c["id"] for c in cs)
    for topic in ("continue-auto", "continue-check", "check-expectation", "trailers-from-server",
                  "trailers-from-client", "keepalive-reuse", "max-sockets-queue",
                  "agent-scheduling", "free-socket-timeout", "client-abort-mid-body",
                  "server-drops-idle-pooled", "upgrade-tunnel", "connect-tunnel", "pipelining",
                  "drain-server-response", "drain-client-request", "server-timeout",
                  "request-timeout-client", "headers-timeout", "request-timeout-server"):
        assert topic in ids


def test_watchdogs_agree() -> None:
    js = (SCENARIO_DIR / "harness.js").read_text(encoding="utf-8")
    assert f"const WATCHDOG_MS = {harness.WATCHDOG_MS};" in js
    assert harness.WATCHDOG_MS / 1000 < scenario_driver.KILL_S < scenario_category.CASE_TIMEOUT_S


def test_registered_with_both_backends() -> None:
    assert CATEGORIES["scenario"] is SCENARIO
    assert SCENARIO.backends == ("asyncio", "trio")
    assert (runner.NODE_DIR / SCENARIO.node_script).is_file()
    assert SCENARIO.case_timeout == scenario_category.CASE_TIMEOUT_S


@pytest.mark.parametrize("bad, message", [
    ({"script": "x"}, "unknown keys"),
    ({"id": ""}, "'id'"),
    ({"js": None}, "'js' must be the path of a .js file"),
    ({"py": "a.js"}, "'py' must be the path of a .py file"),
    ({"js": "/nonexistent/x.js"}, "no such file"),
    ({"description": 3}, "'description'"),
])
def test_normalise_rejects(tmp_path: Path, bad: dict[str, Any], message: str) -> None:
    pair(tmp_path, "s")
    raw = {"id": "s", "js": str(tmp_path / "s.js"), "py": str(tmp_path / "s.py"), **bad}
    with pytest.raises(CaseError, match=message):
        normalise_case(raw)


def test_normalise_resolves_relative_paths(tmp_path: Path, monkeypatch: Any) -> None:
    pair(tmp_path, "s")
    monkeypatch.chdir(tmp_path)
    case = normalise_case({"id": "s", "js": "s.js", "py": "./s.py"})
    assert case["js"] == str(tmp_path / "s.js") and case["py"] == str(tmp_path / "s.py")


# --cases DIR for the server, client and scenario categories --------------------------------


def test_extra_cases_for_every_category(tmp_path: Path) -> None:
    pair(tmp_path, "mine")
    write(tmp_path / "mine.json", json.dumps({
        "server": [{"id": "my-server", "chunks": ["GET / HTTP/1.1\r\nHost: a\r\n\r\n"],
                    "server": {"check_continue": "reject"}}],
        "client": [{"id": "my-client", "response": ["HTTP/1.1 200 OK\r\n\r\n"], "after": "close"}],
        "scenario": [{"id": "my-scenario", "js": str(tmp_path / "mine.js"),
                      "py": str(tmp_path / "mine.py")}],
    }))
    wanted = [CATEGORIES[n] for n in ("server", "client", "scenario")]
    loaded = cases_mod.load(wanted, [tmp_path])
    server, client, scenario = loaded["server"], loaded["client"], loaded["scenario"]
    # After the built-ins, with their defaults filled in.
    assert len(server) > 300 and server[-1]["id"] == "my-server"
    assert server[-1]["server"]["check_continue"] == "reject" and server[-1]["pause_ms"] == 15
    assert len(client) > 100 and client[-1]["id"] == "my-client"
    assert client[-1]["request"]["method"] == "GET" and client[-1]["after"] == "close"
    assert scenario[-1]["id"] == "my-scenario" and len(scenario) > 30


@pytest.mark.parametrize("content, message", [
    ({"server": [{"id": "x", "chunks": []}]}, "'x': 'chunks'"),
    ({"client": [{"id": "x", "response": ["ok"], "after": "linger"}]}, "'x': 'after'"),
    ({"client": [{"id": "status-ok", "response": ["HTTP/1.1 200 OK\r\n\r\n"]}]}, "duplicate"),
    ({"scenario": [{"id": "x", "js": "nope.js", "py": "nope.py"}]}, "no such file"),
])
def test_bad_extra_cases_name_the_file_and_case(tmp_path: Path, content: Any, message: str) -> None:
    write(tmp_path / "bad.json", json.dumps(content))
    wanted = [CATEGORIES[n] for n in ("server", "client", "scenario")]
    with pytest.raises(CaseError, match=message) as err:
        cases_mod.load(wanted, [tmp_path])
    assert "bad.json" in str(err.value)


# The driver: output to logs ---------------------------------------------------------------


def test_parse_output_reads_json_lines() -> None:
    assert scenario_driver.parse_output('["a", 1]\n\n{"k": [true]}\nnot json\n') == [
        ["a", 1], {"k": [True]}, ["unparsable", "not json"]]


@pytest.mark.parametrize("events, returncode, stderr, expected", [
    ([], 0, "", [["exit", 0]]),
    ([], None, "", [["timeout", "killed"]]),
    ([["timeout", "watchdog"]], 3, "", []),
    ([], 3, "boom", [["crashed", 3, "boom"]]),
    ([], 1, "x" * 1000, [["crashed", 1, "x" * scenario_driver.STDERR_TAIL]]),
])
def test_ending(events: list[Any], returncode: int | None, stderr: str,
                expected: list[Any]) -> None:
    assert scenario_driver.ending(events, returncode, stderr) == expected


def launcher(tmp_path: Path, body: str) -> list[str]:
    """A stand-in for a half's launcher: it gets JS_PATH PY_PATH and runs ``body``."""
    script = write(tmp_path / "launcher.py", f"import sys, time\njs, py = sys.argv[1:]\n{body}")
    return [sys.executable, str(script)]


def scenario_case(tmp_path: Path, cid: str) -> dict[str, Any]:
    return {"id": cid, "js": str(tmp_path / f"{cid}.js"), "py": str(tmp_path / f"{cid}.py")}


def test_run_scenario_logs_what_the_launcher_printed(tmp_path: Path) -> None:
    cmd = launcher(tmp_path, "print('[\"half\", ' + repr(py.rsplit('/', 1)[1]).replace(\"'\", '\"')"
                             " + ']')\nsys.stderr.write('noise')\n")
    assert scenario_driver.run_scenario(cmd, scenario_case(tmp_path, "s")) == [
        ["half", "s.py"], ["exit", 0]]


def test_run_scenario_kills_a_hang_and_reports_a_crash(tmp_path: Path) -> None:
    hang = launcher(tmp_path, "print('[1]', flush=True)\ntime.sleep(30)\n")
    assert scenario_driver.run_scenario(hang, scenario_case(tmp_path, "h"), kill_s=0.5) == [
        [1], ["timeout", "killed"]]
    crash = launcher(tmp_path, "raise SystemExit('bad things')\n")
    assert scenario_driver.run_scenario(crash, scenario_case(tmp_path, "c")) == [
        ["crashed", 1, "bad things\n"]]
    missing = [str(tmp_path / "no-such-launcher")]
    log = scenario_driver.run_scenario(missing, scenario_case(tmp_path, "m"))
    assert log[0][:2] == ["crashed", None] and "cannot start" in log[0][2]


def test_driver_answers_in_case_order_with_jobs(tmp_path: Path) -> None:
    # The first scenario is the slowest: with two jobs its answer still comes first.
    cmd = launcher(tmp_path, "name = py.rsplit('/', 1)[1]\n"
                             "time.sleep(0.4 if name == 'a.py' else 0)\n"
                             "print('[\"ran\"]')\n")
    cs = [scenario_case(tmp_path, cid) for cid in ("a", "b", "c")]
    out = subprocess.run(
        [sys.executable, "-m", "conformance.scenario_driver", "--jobs", "2", "--", *cmd],
        input="".join(json.dumps(c) + "\n" for c in cs), capture_output=True, text=True,
        env=runner.python_env(), timeout=60, check=True)
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["a", "b", "c"]
    assert all(a["log"] == [["ran"], ["exit", 0]] for a in answers)


def test_logs_compare_line_for_line() -> None:
    case = {"id": "s", "js": "/x/s.js", "py": "/x/s.py"}
    same = runner.Outcome("scenario", "trio", case, [["a", 1], ["exit", 0]],
                          runner.canonical([("a", 1), ("exit", 0)]))
    assert same.identical
    differ = runner.Outcome("scenario", "trio", case, [["a", 1], ["b"], ["exit", 0]],
                            [["a", 1], ["exit", 0]])
    judgement = report.judge([same, differ], cli.known_mod.parse(""))
    assert (judgement.identical, judgement.total, judgement.unexpected) == (1, 2, 1)
    diff = judgement.differences[0]
    assert diff["first_difference"] == 1
    # Scenario cases have no chunks: the diff text shows their paths instead.
    text = report.diff_text(diff)
    assert '"js": "/x/s.js"' in text and '!   1   node:     ["b"]' in text
    hung = runner.Outcome("scenario", "asyncio", case, [["exit", 0]], [["timeout", "watchdog"]])
    assert report.judge([hung], cli.known_mod.parse("")).anomalies[0]["nodehttp"] == "timeout"


# The whole pipeline with a fake reference ----------------------------------------------------


# Asked to run the scenario launcher, the fake reference runs nodehttp's half instead, so a
# run compares nodehttp with itself (on asyncio) and must find every case identical.
FAKE_NODE = """
import json, os, sys
if sys.argv[1:2] == ["-e"]:
    print(json.dumps({"node": "v24.21.0", "llhttp": "9.4.3"}))
    sys.exit(0)
assert sys.argv[1].endswith("scenario.js"), sys.argv
os.execv(sys.executable, [sys.executable, "-m", "conformance.scenario_py", "asyncio",
                          *sys.argv[2:]])
"""

SMALL = ["continue_auto", "trailers_from_server", "keepalive_reuse"]


def test_main_end_to_end_with_fake_reference(monkeypatch: Any, tmp_path: Path,
                                             capsys: Any) -> None:
    node = write(tmp_path / "node", f"#!{sys.executable}\n{FAKE_NODE}")
    node.chmod(node.stat().st_mode | stat.S_IXUSR)
    picked = [c for c in builtin_cases() if c["id"].replace("-", "_") in SMALL]
    monkeypatch.setattr(scenario_category, "builtin_cases", lambda: picked)
    monkeypatch.setattr(parser_cases, "generate", lambda: [])
    monkeypatch.setattr(server_cases, "generate", lambda: [])
    monkeypatch.setattr(client_cases, "generate", lambda: [])
    monkeypatch.setattr(cases_mod, "CHECKED_IN_DIR", tmp_path / "none")
    report_path = tmp_path / "report.json"
    rc = cli.main(["--node", str(node), "--category", "scenario", "--report", str(report_path)])
    out = capsys.readouterr().out
    data = json.loads(report_path.read_text())
    assert rc == 0, out
    assert [(r["backend"], r["total"], r["identical"]) for r in data["categories"]] == [
        ("asyncio", 3, 3), ("trio", 3, 3)]
    assert out.rstrip().splitlines()[-1] == "parity: 6/6 identical"
    assert data["anomalies"] == []


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
def test_a_few_scenarios_match_the_reference() -> None:
    assert REAL is not None
    wanted = ("continue-check", "max-sockets-queue", "agent-scheduling", "upgrade-tunnel",
              "drain-client-request")
    cs = [c for c in builtin_cases() if c["id"] in wanted]
    assert len(cs) == len(wanted)
    outcomes = runner.run_category(REAL, SCENARIO, cs)
    assert [(o.case["id"], o.backend) for o in outcomes if not o.identical] == []
    # Not vacuous: each reference log has events and ends with a clean exit.
    for o in outcomes:
        assert len(o.reference) > 3 and o.reference[-1] == ["exit", 0]
