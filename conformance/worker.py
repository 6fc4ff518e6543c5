"""``python -m conformance.worker CATEGORY BACKEND``: nodehttp's half as a subprocess.

It reads cases as JSON lines on stdin and writes one ``{"id", "log"}`` line per case,
flushed at once, exactly like the Node scripts. Running it out of process lets the
runner survive a case that hangs or crashes inside C code: nothing in-process can stop a
loop inside llhttp.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    from .registry import CATEGORIES

    category = CATEGORIES[argv[0]]
    backend = argv[1]
    if category.run_ours is None:
        sys.stderr.write(f"{category.name}: a server category, run by {category.client}\n")
        return 2
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        try:
            log = category.run_ours(case, backend)
        except Exception as exc:  # noqa: BLE001 - a crash is a result to compare, not to hide
            log = [["exception", f"{type(exc).__name__}: {exc}"]]
        out.write(json.dumps({"id": case["id"], "log": log}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
