"""What a category of the differential run is (the registry is :mod:`conformance.registry`).

A category brings its cases, a Node script that produces the reference logs for a batch
of cases (one process per category and run) and a Python function that produces
nodehttp's log of one case on one backend (run in ``conformance.worker`` processes).
Categories that do not touch an event loop (the parser) run once, under the backend label
:data:`INDEPENDENT`; the others list ``("asyncio", "trio")``.

A category whose halves are servers (``server``) has no per-case Python function: each
half is a server process, the Node script or ``python -m <py_server> BACKEND``, and the
harness's own client (``python -m <client> -- SERVER_CMD``) speaks the worker protocol in
front of it, so that both servers get the very same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

Case = dict[str, Any]
Log = list[Any]

INDEPENDENT = "backend-independent"


@dataclass(frozen=True)
class Category:
    name: str
    description: str
    builtin_cases: Callable[[], list[Case]]
    normalise_case: Callable[[Case], Case]
    node_script: str  # file name under conformance/node/
    # (case, backend) -> log, in conformance.worker; None for a server category
    run_ours: Callable[[Case, str], Log] | None = None
    backends: tuple[str, ...] = (INDEPENDENT,)
    node_args: tuple[str, ...] = field(default_factory=tuple)
    client: str | None = None  # the client module in front of both servers
    py_server: str | None = None  # the module serving nodehttp's half
    # The least silence that means a half hangs, for categories whose cases run long
    # (a scenario may take seconds); --case-timeout applies when it is longer.
    case_timeout: float = 0.0
