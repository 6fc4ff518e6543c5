"""``nodehttp._constants`` against Node 24.21.0's ``http.STATUS_CODES`` and ``http.METHODS``.

The tables are literals pasted from the reference binary; the known-entry tests need no
Node, the comparison runs whenever the reference binary can be found (it is never
installed from here). ``reference_node``/``run_node`` are shared with the other header tests.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nodehttp._constants import MAX_HEADER_PAIRS, MAX_HEADER_SIZE, METHODS, STATUS_CODES

REFERENCE_VERSION = "v24.21.0"


def _candidates() -> list[Path]:
    found = []
    env = os.environ.get("NODEHTTP_REFERENCE_NODE")
    if env:
        found.append(Path(env))
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    found.append(Path(cache) / "nodehttp" / "node-v24.21.0" / "bin" / "node")
    found.append(Path.home() / ".cache" / "nodehttp" / "node-v24.21.0" / "bin" / "node")
    found.append(Path("/tmp/dl/package/bin/node"))
    return found


_reference: list[Path | None] = []


def reference_node() -> Path | None:
    """The reference Node 24.21.0 if one is at hand (env var, cache, /tmp/dl), else None."""
    if not _reference:
        chosen = None
        for path in _candidates():
            if path.is_file() and os.access(path, os.X_OK):
                try:
                    version = subprocess.run(
                        [str(path), "--version"], capture_output=True, text=True, timeout=30
                    ).stdout.strip()
                except (OSError, subprocess.SubprocessError):
                    continue
                if version == REFERENCE_VERSION:
                    chosen = path
                    break
        _reference.append(chosen)
    return _reference[0]


def run_node(script: str, data: Any = None) -> Any:
    """Run ``script`` in the reference Node with ``data`` as JSON on stdin; parse its stdout.

    Skips the calling test when no reference Node 24.21.0 is available.
    """
    node = reference_node()
    if node is None:
        pytest.skip(
            "reference Node 24.21.0 not found (set NODEHTTP_REFERENCE_NODE or put it at "
            "~/.cache/nodehttp/node-v24.21.0/bin/node)"
        )
    prelude = "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
    done = subprocess.run(
        [str(node), "-e", prelude + script],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# --- without Node ----------------------------------------------------------------------


def test_status_codes_known_entries() -> None:
    # observed from node 24.21.0
    assert len(STATUS_CODES) == 63
    assert STATUS_CODES[100] == "Continue"
    assert STATUS_CODES[200] == "OK"
    assert STATUS_CODES[404] == "Not Found"
    assert STATUS_CODES[413] == "Payload Too Large"
    assert STATUS_CODES[418] == "I'm a Teapot"
    assert STATUS_CODES[425] == "Too Early"
    assert STATUS_CODES[509] == "Bandwidth Limit Exceeded"
    assert STATUS_CODES[511] == "Network Authentication Required"
    assert 306 not in STATUS_CODES and 419 not in STATUS_CODES
    assert list(STATUS_CODES) == sorted(STATUS_CODES)  # a JS object orders integer keys
    assert all(isinstance(k, int) and isinstance(v, str) for k, v in STATUS_CODES.items())


def test_methods_known_entries() -> None:
    # observed from node 24.21.0
    assert len(METHODS) == 35
    assert METHODS[:3] == ["ACL", "BIND", "CHECKOUT"]
    assert METHODS[-1] == "UNSUBSCRIBE"
    assert "QUERY" in METHODS and "M-SEARCH" in METHODS and "SOURCE" in METHODS
    assert "PRI" not in METHODS  # llhttp knows PRI, but http.METHODS leaves it out
    assert METHODS == sorted(METHODS)


def test_limits() -> None:
    assert MAX_HEADER_SIZE == 16384  # observed from node 24.21.0: http.maxHeaderSize
    assert MAX_HEADER_PAIRS == 2000


# --- against the reference binary ------------------------------------------------------


def test_tables_match_reference_node() -> None:
    observed = run_node(
        "const h = require('http');"
        "process.stdout.write(JSON.stringify({codes: Object.entries(h.STATUS_CODES),"
        " methods: h.METHODS, maxHeaderSize: h.maxHeaderSize}));"
    )
    assert [[str(k), v] for k, v in STATUS_CODES.items()] == observed["codes"]
    assert METHODS == observed["methods"]
    assert MAX_HEADER_SIZE == observed["maxHeaderSize"]
