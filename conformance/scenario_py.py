"""``python -m conformance.scenario_py BACKEND JS_PATH PY_PATH``: the scenario category's
nodehttp launcher.

It runs the Python half of one scenario as ``__main__`` with ``sys.argv`` set to
``[PY_PATH, BACKEND]``, as ``python PY_PATH BACKEND`` would (``node/scenario.js`` is the
reference's launcher and takes the JS path).
"""

from __future__ import annotations

import runpy
import sys


def main(argv: list[str]) -> int:
    backend, _js, py = argv
    sys.argv = [py, backend]
    runpy.run_path(py, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
