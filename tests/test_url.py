"""URL strings as http.request reads them, against node 24.21.0's urlToHttpOptions(new URL(s)).

``tests/data/url_options.json`` is what ``node tests/data/url_options.js`` printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nodehttp._url import InvalidUrlError, http_options_of_url

CASES = json.loads((Path(__file__).parent / "data" / "url_options.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[repr(case["input"]) for case in CASES])
def test_as_node_reads_it(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(InvalidUrlError) as caught:
            http_options_of_url(case["input"])
        assert caught.value.code == case["error"] and str(caught.value) == "Invalid URL"
        assert isinstance(caught.value, TypeError)
        return
    options = http_options_of_url(case["input"])
    if case["protocol"] not in ("http:", "https:", "ws:", "wss:", "ftp:"):
        assert options["protocol"] == case["protocol"]  # refused by the request; nothing more read
        return
    got = {key: options.get(key) for key in ("protocol", "hostname", "port", "path", "auth")}
    assert got == {key: case[key] for key in got}
