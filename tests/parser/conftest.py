"""The parser has two dispatchers: C (CPython) and pure Python (other interpreters).

Modules that use the ``both_dispatchers`` fixture run every test with each.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nodehttp import _parser


@pytest.fixture(params=["c", "python"])
def both_dispatchers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "python":
        monkeypatch.setattr(_parser, "_dispatch", _parser._py_dispatch)
        monkeypatch.setattr(_parser, "_execute", _parser._py_execute)
    elif _parser._dispatch is _parser._py_dispatch:
        pytest.skip("the C dispatch is not available on this interpreter")
    yield request.param
