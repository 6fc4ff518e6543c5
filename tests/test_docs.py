"""The documentation against the code: docs/name-mapping.md's tables, the programs of
docs/quickstart.md and the examples under examples/.

The name tables are parsed and every row is checked by its kind:

* a class, function, constant, method or property marked implemented, partial or
  deprecated must exist on its object: the ``nodehttp`` module, or a real instance of
  Server, ServerResponse, IncomingMessage (a server request and a client response),
  ClientRequest or Agent taken from a loopback exchange (many properties are set per
  instance); one marked missing must not exist;
* an event marked implemented must be emitted somewhere in the package's http modules,
  and one marked missing nowhere;
* an option must be a keyword of ``Agent()`` or a key the named function's module reads
  from its options;
* every Python name must be the Node name under the snake_case rule;
* every entry of the v5.11.1 page's table of contents must have a row (when the spec is
  present next to the repository).
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import select
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest

import nodehttp

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
PACKAGE = ROOT / "nodehttp"
SPEC = ROOT.parent / "shared" / "spec" / "node-v5.11.1-http-docs.txt"
HEADER = ["Node", "Kind", "On", "Python", "Status", "Notes"]
KINDS = {"class", "function", "constant", "method", "property", "event", "option"}
STATUSES = {"implemented", "partial", "deprecated", "missing", "n/a"}
PRESENT = {"implemented", "partial", "deprecated"}
CLASSES = {"Agent", "ClientRequest", "Server", "ServerResponse", "IncomingMessage"}
# Which modules read the options of each function named in the On column. request()'s
# are ClientRequest's: the agent reads family/local_address/socket_path only for its
# pool key, which does not make them work.
OPTION_READERS = {
    "request()": ("_client.py", "_agent.py", "_net.py"),
    "get_name()": ("_agent.py",),
    "listen()": ("_net.py",),
    "create_server()": ("_server.py",),
}
RUN_TIMEOUT = 60
BACKENDS = ["asyncio", "trio"]


@dataclass(frozen=True)
class Row:
    node: str
    kind: str
    on: str
    python: str | None  # None for "—"
    status: str
    line: int

    def __str__(self) -> str:
        return f"name-mapping.md:{self.line}: {self.node} -> {self.python} ({self.status})"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _unquote(cell: str) -> str:
    return cell[1:-1] if len(cell) >= 2 and cell[0] == cell[-1] == "`" else cell


def load_rows() -> list[Row]:
    rows: list[Row] = []
    in_table = False
    lines = (DOCS / "name-mapping.md").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if not line.startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if cells == HEADER:
            in_table = True
            continue
        if not in_table or set(line) <= set("|-: "):
            continue
        assert len(cells) == len(HEADER), f"name-mapping.md:{number}: {len(cells)} cells"
        node, kind, on, python, status, _notes = cells
        assert kind in KINDS, f"name-mapping.md:{number}: kind {kind!r}"
        assert status in STATUSES, f"name-mapping.md:{number}: status {status!r}"
        name = None if python == "—" else _unquote(python)
        assert (name is None) == (status == "n/a"), f"name-mapping.md:{number}: Python {python!r}"
        rows.append(Row(_unquote(node), kind, on, name, status, number))
    return rows


ROWS = load_rows()


def test_tables_were_found() -> None:
    # Guards the parser: a changed header would otherwise leave nothing to check.
    assert len(ROWS) > 150
    assert {row.on for row in ROWS} >= {"nodehttp", *CLASSES, *OPTION_READERS, "Agent()"}


# --- the snake_case rule ---------------------------------------------------------------


def snake(identifier: str) -> str:
    """Node's camelCase name in Python, mechanically: capitals start a word, a run of
    capitals is one word; names in capitals stay as they are."""
    if identifier.upper() == identifier:
        return identifier
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", identifier)
    words = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", words)
    return words.lower()


def node_identifier(row: Row) -> str:
    """The identifier a row's Node column names: ``response.writeHead(...)`` ->
    ``writeHead``, ``Class: http.Agent`` -> ``Agent``, ``agent: false`` -> ``agent``."""
    text = row.node
    for prefix in ("Class: ", "new "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    text = text.split("(")[0].split(":")[0].strip()
    return text.rsplit(".", 1)[-1]


def test_python_names_follow_the_rule() -> None:
    wrong = []
    for row in ROWS:
        if row.python is None or row.node == "(none)":
            continue
        if row.kind == "event":
            expected = row.node.removeprefix("Event: ")
        elif row.kind == "class":
            expected = node_identifier(row)
        else:
            expected = snake(node_identifier(row))
        if row.python != expected:
            wrong.append(f"{row}: the rule gives {expected!r}")
    assert not wrong, "\n".join(wrong)


def test_snake_rule_examples() -> None:
    assert snake("createServer") == "create_server"
    assert snake("httpVersionMajor") == "http_version_major"
    assert snake("insecureHTTPParser") == "insecure_http_parser"
    assert snake("STATUS_CODES") == "STATUS_CODES"


# --- attributes --------------------------------------------------------------------------


async def _exchange() -> dict[str, list[Any]]:
    """Real objects of every public class, from one request over loopback."""
    seen: dict[str, list[Any]] = {}

    def handler(req: nodehttp.IncomingMessage, res: nodehttp.ServerResponse) -> None:
        seen["server_req"] = [req]
        seen["res"] = [res]
        res.end("ok")

    server = nodehttp.create_server(handler)
    server.listen(0, "127.0.0.1")
    await nodehttp.once(server, "listening")
    address = server.address()
    assert isinstance(address, dict)
    agent = nodehttp.Agent(keep_alive=True)
    req = nodehttp.get({"host": "127.0.0.1", "port": address["port"], "agent": agent})
    (response,) = await nodehttp.once(req, "response")
    assert b"".join([chunk async for chunk in response]) == b"ok"
    agent.destroy()
    server.close()
    await nodehttp.once(server, "close")
    return {
        "nodehttp": [nodehttp],
        "Server": [server],
        "ServerResponse": seen["res"],
        "IncomingMessage": [*seen["server_req"], response],
        "ClientRequest": [req],
        "Agent": [agent],
    }


@pytest.mark.anyio
async def test_attribute_names_resolve(anyio_backend: str) -> None:
    with anyio.fail_after(10):
        async with nodehttp.runtime():
            objects = await _exchange()
    wrong = []
    for row in ROWS:
        if row.kind in ("event", "option") or row.python is None:
            continue
        assert row.on in objects, f"{row}: unknown object {row.on!r}"
        for obj in objects[row.on]:
            present = hasattr(obj, row.python)
            if row.status in PRESENT and not present:
                wrong.append(f"{row}: not on {type(obj).__name__}")
            elif row.status == "missing" and present:
                wrong.append(f"{row}: exists on {type(obj).__name__}; update the table")
            elif present and row.kind in ("method", "function", "class") and not callable(getattr(obj, row.python)):
                wrong.append(f"{row}: not callable")
    assert not wrong, "\n".join(wrong)


def test_deprecated_functions_warn() -> None:
    deprecated = [row for row in ROWS if row.status == "deprecated"]
    assert deprecated
    for row in deprecated:
        assert row.on == "nodehttp" and row.kind == "function" and row.python is not None, str(row)
        with pytest.warns(DeprecationWarning):
            getattr(nodehttp, row.python)()


# --- events and options ------------------------------------------------------------------


def _trees() -> dict[str, ast.Module]:
    return {path.name: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.glob("*.py"))}


def _is_emit(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "emit"


def _strings(node: ast.AST) -> set[str]:
    return {str(n.value) for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def emitted_events() -> set[str]:
    """Every string emitted as an event: ``x.emit("name", ...)``, ``x.emit`` passed on
    with its event name (``next_tick(self.emit, "name")``), or a local variable holding
    the name (``event = "connect" if ... else "upgrade"``; ``x.emit(event, ...)``)."""
    events: set[str] = set()
    for tree in _trees().values():
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            assigned: dict[str, set[str]] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, set()).update(_strings(node.value))
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                args = list(node.args)
                names = [args[0]] if _is_emit(node.func) and args else []
                names += [second for first, second in zip(args, args[1:]) if _is_emit(first)]
                for name in names:
                    if isinstance(name, ast.Constant):
                        events.add(str(name.value))
                    elif isinstance(name, ast.Name):
                        events.update(assigned.get(name.id, ()))
    return events


def option_keys(modules: tuple[str, ...]) -> set[str]:
    """The keys ``modules`` read from mappings: ``x.get("key")`` and ``x["key"]``."""
    trees = _trees()
    keys: set[str] = set()
    for module in modules:
        for node in ast.walk(trees[module]):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "get" and node.args and isinstance(node.args[0], ast.Constant)):
                keys.add(str(node.args[0].value))
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                keys.add(str(node.slice.value))
    return keys


def test_events_are_emitted() -> None:
    emitted = emitted_events()
    wrong = []
    for row in ROWS:
        if row.kind != "event" or row.python is None:
            continue
        event = row.python.strip("'")
        if row.status in PRESENT and event not in emitted:
            wrong.append(f"{row}: never emitted")
        elif row.status == "missing" and event in emitted:
            wrong.append(f"{row}: emitted now; update the table")
    assert not wrong, "\n".join(wrong)


def test_options_are_read() -> None:
    agent_keywords = set(inspect.signature(nodehttp.Agent).parameters)
    wrong = []
    for row in ROWS:
        if row.kind != "option" or row.python is None or row.status not in PRESENT:
            continue
        if row.on == "Agent()":
            known = agent_keywords
        else:
            assert row.on in OPTION_READERS, f"{row}: unknown options owner {row.on!r}"
            known = option_keys(OPTION_READERS[row.on])
        if row.python not in known:
            wrong.append(f"{row}: not read by {row.on}")
    assert not wrong, "\n".join(wrong)


# --- the spec's table of contents ----------------------------------------------------------


def spec_entries() -> list[tuple[str, str]]:
    """``(object, heading)`` for each entry of the v5.11.1 page's table of contents."""
    lines = SPEC.read_text(encoding="utf-8").splitlines()
    start = lines.index("Table of Contents")
    entries: list[tuple[str, str]] = []
    context = "nodehttp"
    for line in lines[start + 1:]:
        if line.startswith("HTTP#"):
            break
        match = re.match(r"\s*- \[(.*)\]\(#\)\s*$", line)
        if match is None:
            continue
        text = re.sub(r"\\(.)", r"\1", match.group(1))
        if text == "HTTP":
            continue
        if text.startswith("Class: http."):
            context = text.removeprefix("Class: http.")
        elif text.startswith("http."):
            context = "nodehttp"
        entries.append((context, text))
    return entries


@pytest.mark.skipif(not SPEC.is_file(), reason=f"the v5.11.1 spec is not at {SPEC}")
def test_every_spec_heading_has_a_row() -> None:
    entries = spec_entries()
    assert len(entries) >= 75
    names = {row.node for row in ROWS}
    events = {(row.on, row.node) for row in ROWS if row.kind == "event"}
    missing = [
        f"{context}: {text}" for context, text in entries
        if (text.startswith("Event: ") and (context, text) not in events) or text not in names
    ]
    assert not missing, "no row for:\n" + "\n".join(missing)


# --- programs ----------------------------------------------------------------------------


def _python(*args: str, timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "PYTHONWARNINGS": "error"})


def quickstart_programs() -> list[tuple[str, str]]:
    """Each ``python`` block of the quick start with the ``text`` block after it (what it
    prints)."""
    text = (DOCS / "quickstart.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```\n\nIt prints:\n\n```text\n(.*?)```", text, re.S)


def test_quickstart_has_programs() -> None:
    blocks = (DOCS / "quickstart.md").read_text(encoding="utf-8").count("```python\n")
    assert blocks >= 4 and len(quickstart_programs()) == blocks


@pytest.mark.parametrize("index", range(len(quickstart_programs())))
def test_quickstart_program(index: int) -> None:
    code, output = quickstart_programs()[index]
    done = _python("-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == output


def _needs(backend: str) -> None:
    if backend == "trio":
        pytest.importorskip("trio")


@pytest.mark.parametrize("backend", BACKENDS)
def test_keep_alive_client_example(backend: str) -> None:
    _needs(backend)
    done = _python(str(EXAMPLES / "keep_alive_client.py"), backend)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "sockets: 2 | queued requests: 4",
        "6 responses over 2 connections",
        "idle sockets in the pool: 2",
        "seventh request reused a pooled socket: True | same connection as before: True",
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_example(backend: str) -> None:
    _needs(backend)
    done = _python(str(EXAMPLES / "upgrade.py"), backend)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["upgraded: 101 echo", "echoed: b'ping'"]


def _first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the server printed nothing"
    return proc.stdout.readline()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and select on pipes")
@pytest.mark.parametrize("backend", BACKENDS)
def test_server_example(backend: str) -> None:
    _needs(backend)
    proc = subprocess.Popen([sys.executable, str(EXAMPLES / "server.py"), "0", backend], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = _first_line(proc, RUN_TIMEOUT)
        match = re.fullmatch(r"listening on (http://127\.0\.0\.1:\d+/)\n", line)
        assert match, line
        url = match.group(1)

        def fetch(path: str, data: bytes | None = None) -> tuple[int, str, bytes]:
            request = urllib.request.Request(url + path, data=data, headers={"Content-Type": "text/x-test"})
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    return answer.status, answer.headers.get("Content-Type", ""), answer.read()
            except urllib.error.HTTPError as error:
                return error.code, error.headers.get("Content-Type", ""), error.read()

        assert fetch("") == (200, "text/plain", b"Hello World\n")
        status, kind, body = fetch("json")
        assert (status, kind) == (200, "application/json") and b'"url": "/json"' in body
        assert fetch("stream") == (200, "text/plain", b"chunk 0\nchunk 1\nchunk 2\ndone\n")
        assert fetch("echo", b"hello") == (200, "text/x-test", b"hello")
        assert fetch("nope")[0] == 404
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
        assert proc.returncode == 0, err
        assert out == "stopped\n"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_docs_link_targets_exist() -> None:
    missing = []
    for page in DOCS.glob("*.md"):
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text(encoding="utf-8")):
            if "://" not in target and not (page.parent / target).exists():
                missing.append(f"{page.name}: {target}")
    assert not missing
