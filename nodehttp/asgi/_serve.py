"""Serving an ASGI application as a program: :func:`serve`, :func:`run` and the command
``python -m nodehttp.asgi module:app``."""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import anyio
import anyio.abc

from .._runtime import Runtime, runtime
from .._server import Server
from ._handler import create_asgi_server
from ._lifespan import LIFESPAN_MODES, lifespan
from ._types import ASGIApp, LifespanFailureError

__all__ = ["import_app", "main", "run", "serve"]

logger = logging.getLogger("nodehttp.asgi")

BACKENDS = ("asyncio", "trio")

# Exit statuses of the command (uvicorn's for a failed startup).
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_STARTUP_FAILURE = 3

# How often a graceful shutdown closes the connections that have become idle since.
_IDLE_SWEEP_SECONDS = 0.1


async def serve(app: ASGIApp, host: str = "127.0.0.1", port: int = 8000, *, lifespan_mode: str = "auto",
                root_path: str = "", server_options: dict[str, Any] | None = None,
                shutdown_event: anyio.Event | None = None, handle_signals: bool = True,
                graceful_timeout: float | None = None,
                on_listening: Callable[[Server], Any] | None = None) -> None:
    """Serve ``app`` on ``host:port`` until SIGINT/SIGTERM (or ``shutdown_event``).

    Runs in its own nodehttp runtime on the running backend (asyncio or trio): lifespan
    startup (``lifespan_mode`` ``"auto"``, ``"on"`` or ``"off"``), then the server (port
    0 picks a free port; ``on_listening(server)`` is called once it listens), then on
    the first signal a graceful shutdown: stop accepting, close idle connections, let
    busy ones finish (at most ``graceful_timeout`` seconds when given), then lifespan
    shutdown. A second signal cancels whatever is still running.

    Signals can only be watched from the main thread: elsewhere pass
    ``handle_signals=False`` and stop through ``shutdown_event``.

    Raises :class:`LifespanFailureError` when lifespan startup or shutdown failed, and
    ``OSError`` when the address cannot be bound.
    """
    failure: BaseException | None = None
    async with runtime() as rt:
        # Errors leave the runtime's block unwrapped: raised from inside, anyio's task
        # group would put them in an exception group.
        try:
            stop = shutdown_event if shutdown_event is not None else anyio.Event()
            if handle_signals:
                await rt.task_group.start(_watch_signals, stop, rt)
            async with lifespan(app, lifespan_mode) as state:
                server = create_asgi_server(app, server_options, root_path=root_path, state=state)
                await _listen(server, host, port)
                address = server.address()
                if isinstance(address, dict):
                    shown = address["address"]
                    shown = f"[{shown}]" if ":" in shown else shown
                    logger.info("serving on http://%s:%s (%s)", shown, address["port"], rt.backend)
                if on_listening is not None:
                    on_listening(server)
                await stop.wait()
                logger.info("shutting down")
                await _close(server, graceful_timeout)
        except (LifespanFailureError, OSError) as exc:
            failure = exc
    if failure is not None:
        raise failure


async def _watch_signals(stop: anyio.Event, rt: Runtime, *,
                         task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        task_status.started()
        async for _signum in signals:
            if not stop.is_set():
                stop.set()
            else:
                logger.warning("second signal: cancelling what is still running")
                rt.task_group.cancel_scope.cancel()
                return


async def _listen(server: Server, host: str, port: int) -> None:
    done = anyio.Event()
    errors: list[BaseException] = []

    def on_error(error: BaseException) -> None:
        errors.append(error)
        done.set()

    server.on("error", on_error)
    server.listen(port, host, done.set)
    await done.wait()
    server.remove_listener("error", on_error)
    server.remove_listener("listening", done.set)
    if errors:
        raise errors[0]


async def _close(server: Server, graceful_timeout: float | None) -> None:
    closed = anyio.Event()
    server.close(lambda *_: closed.set())
    # Connections busy at close() become idle one by one; each is closed once it is.
    with anyio.move_on_after(graceful_timeout):
        while not closed.is_set():
            with anyio.move_on_after(_IDLE_SWEEP_SECONDS):
                await closed.wait()
            server.close_idle_connections()
    if not closed.is_set():
        logger.warning("graceful shutdown timed out: closing the remaining connections")
        server.close_all_connections()
        with anyio.move_on_after(graceful_timeout or 1):
            await closed.wait()


def run(app: ASGIApp, host: str = "127.0.0.1", port: int = 8000, *, backend: str = "asyncio",
        gc_freeze: bool = True, **options: Any) -> None:
    """Run :func:`serve` as a program on ``backend`` (``"asyncio"`` or ``"trio"``);
    ``options`` are :func:`serve`'s keyword arguments.

    With ``gc_freeze`` (the default), once the server listens (after lifespan startup)
    everything the program holds by then is moved to the cyclic collector's permanent
    generation (:func:`gc.freeze`). Requests in flight across event-loop passes (each runs
    as a task) keep triggering collections; the full ones would otherwise walk the
    application's whole startup heap each time, a pause of milliseconds that shows in the
    response-time tail. Objects frozen are never collected, so a program that drops
    startup objects in reference cycles later keeps them: pass ``gc_freeze=False`` then.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if gc_freeze:
        given = options.get("on_listening")

        def on_listening(server: Server) -> None:
            gc.freeze()
            if given is not None:
                given(server)

        options["on_listening"] = on_listening
    anyio.run(partial(serve, app, host, port, **options), backend=backend)


def import_app(spec: str, *, app_dir: str | None = ".", factory: bool = False) -> ASGIApp:
    """The object ``"package.module:attribute"`` names (the attribute may be dotted),
    imported with ``app_dir`` first on ``sys.path``; with ``factory``, the result of
    calling it. Raises ``ImportError`` or ``AttributeError`` (with the spec in the
    message) when it cannot be found."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ImportError(f'ASGI app {spec!r} must be given as "module:attribute"')
    if app_dir is not None and app_dir not in sys.path:
        sys.path.insert(0, app_dir)
    module = importlib.import_module(module_name)
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise AttributeError(f"attribute {attribute!r} not found in module {module_name!r}") from None
    if factory:
        target = target()
    if not callable(target):
        raise ImportError(f"{spec!r} is not callable")
    return target  # type: ignore[no-any-return]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m nodehttp.asgi",
        description="Serve an ASGI 3 application (HTTP and lifespan) on a nodehttp server.")
    parser.add_argument("app", help='the application, as "module:attribute"')
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one (default 8000)")
    parser.add_argument("--backend", choices=BACKENDS, default="asyncio", help="event loop (default asyncio)")
    parser.add_argument("--lifespan", choices=LIFESPAN_MODES, default="auto",
                        help="ASGI lifespan protocol (default auto: used when the application speaks it)")
    parser.add_argument("--root-path", default="", help="ASGI root_path, for an application mounted below a prefix")
    parser.add_argument("--app-dir", default=".", help="directory put first on sys.path to import the application "
                        "(default: the current directory)")
    parser.add_argument("--factory", action="store_true", help="the attribute is a factory returning the application")
    parser.add_argument("--timeout-graceful-shutdown", type=float, default=None, metavar="SECONDS",
                        help="how long busy connections may take to finish at shutdown (default: no limit)")
    parser.add_argument("--no-gc-freeze", action="store_true",
                        help="do not move the startup heap to the collector's permanent generation (see run())")
    parser.add_argument("--log-level", choices=("critical", "error", "warning", "info", "debug"), default="info")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The command ``python -m nodehttp.asgi module:app [options]``; returns the exit status."""
    args = _parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(args.log_level.upper())
    logger.propagate = False
    try:
        app = import_app(args.app, app_dir=args.app_dir, factory=args.factory)
    except (ImportError, AttributeError) as exc:
        logger.error("cannot load the ASGI application: %s", exc)
        return EXIT_ERROR
    try:
        run(app, args.host, args.port, backend=args.backend, lifespan_mode=args.lifespan,
            root_path=args.root_path, graceful_timeout=args.timeout_graceful_shutdown,
            gc_freeze=not args.no_gc_freeze)
    except LifespanFailureError as exc:
        logger.error("%s", exc)
        return EXIT_STARTUP_FAILURE if exc.phase == "startup" else EXIT_ERROR
    except OSError as exc:
        logger.error("cannot listen on %s:%s: %s", args.host, args.port, exc)
        return EXIT_ERROR
    except KeyboardInterrupt:
        pass
    return EXIT_OK
