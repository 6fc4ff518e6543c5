"""The ASGI lifespan protocol: startup before serving, shutdown after."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio

from .._runtime import current_runtime
from ._types import ASGI_VERSION, LIFESPAN_SPEC_VERSION, ASGIApp, LifespanFailureError, Message

__all__ = ["LIFESPAN_MODES", "Lifespan", "lifespan"]

logger = logging.getLogger("nodehttp.asgi")

LIFESPAN_MODES = ("auto", "on", "off")


class Lifespan:
    """One application's lifespan, run as a task of the current nodehttp runtime.

    ``mode`` is uvicorn's: ``"auto"`` runs the protocol and carries on without it when
    the application raises before completing startup (it does not speak lifespan);
    ``"on"`` makes such an exception a startup failure; ``"off"`` skips the protocol.
    ``state`` is the namespace the application fills during startup (ASGI's
    ``scope["state"]``); each request's scope gets a shallow copy of it.
    """

    def __init__(self, app: ASGIApp, mode: str = "auto") -> None:
        if mode not in LIFESPAN_MODES:
            raise ValueError(f"lifespan mode must be one of {', '.join(LIFESPAN_MODES)}, not {mode!r}")
        self.app = app
        self.mode = mode
        self.state: dict[str, Any] = {}
        self.started = False  # lifespan.startup.complete was received
        self._messages: deque[Message] = deque()
        self._message_ready = anyio.Event()
        self._startup_done = anyio.Event()
        self._shutdown_requested = False
        self._shutdown_done = anyio.Event()
        self._startup_failure: str | None = None
        self._shutdown_failure: str | None = None
        self._error: BaseException | None = None
        self._finished = False

    async def startup(self) -> dict[str, Any]:
        """Send ``lifespan.startup`` and wait for the answer; returns :attr:`state`.

        Raises :class:`LifespanFailureError` on ``lifespan.startup.failed``, or on an
        exception when the mode is ``"on"``.
        """
        if self.mode == "off":
            return self.state
        # Not ref'd: the lifespan task never keeps the program alive by itself.
        current_runtime().task_group.start_soon(self._main, name="nodehttp.asgi lifespan")
        self._push({"type": "lifespan.startup"})
        await self._startup_done.wait()
        if self._startup_failure is not None:
            raise LifespanFailureError("startup", self._startup_failure)
        if self._error is not None and not self.started and self.mode == "on":
            raise LifespanFailureError("startup", f"{type(self._error).__name__}: {self._error}") from self._error
        return self.state

    async def shutdown(self) -> None:
        """Send ``lifespan.shutdown`` and wait for the answer (nothing to do when startup
        did not complete). Raises :class:`LifespanFailureError` on
        ``lifespan.shutdown.failed``, or on an exception when the mode is ``"on"``."""
        if not self.started or self._shutdown_requested:
            return
        self._shutdown_requested = True
        if not self._finished:
            self._push({"type": "lifespan.shutdown"})
            await self._shutdown_done.wait()
        if self._shutdown_failure is not None:
            raise LifespanFailureError("shutdown", self._shutdown_failure)
        if self._error is not None and self.mode == "on":
            raise LifespanFailureError("shutdown", f"{type(self._error).__name__}: {self._error}") from self._error

    def _push(self, message: Message) -> None:
        self._messages.append(message)
        self._message_ready.set()

    async def _main(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": ASGI_VERSION, "spec_version": LIFESPAN_SPEC_VERSION},
                 "state": self.state}
        try:
            await self.app(scope, self._receive, self._send)
        except Exception as exc:  # noqa: BLE001 - reported through startup()/shutdown()
            self._error = exc
            if not self.started and self._startup_failure is None and self.mode == "auto":
                logger.info("ASGI 'lifespan' protocol appears unsupported.")
            else:
                logger.error("Exception in 'lifespan' protocol", exc_info=exc)
        finally:
            self._finished = True
            self._startup_done.set()
            self._shutdown_done.set()

    async def _receive(self) -> Message:
        while not self._messages:
            self._message_ready = anyio.Event()
            await self._message_ready.wait()
        return self._messages.popleft()

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind in ("lifespan.startup.complete", "lifespan.startup.failed"):
            if self._startup_done.is_set():
                raise RuntimeError(f"unexpected ASGI message {kind!r} after startup")
            if kind == "lifespan.startup.complete":
                self.started = True
            else:
                self._startup_failure = str(message.get("message", ""))
            self._startup_done.set()
        elif kind in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            if not self._shutdown_requested or self._shutdown_done.is_set():
                raise RuntimeError(f"unexpected ASGI message {kind!r} before lifespan.shutdown")
            if kind == "lifespan.shutdown.failed":
                self._shutdown_failure = str(message.get("message", ""))
            self._shutdown_done.set()
        else:
            raise RuntimeError(f"unexpected ASGI message {kind!r} in the lifespan scope")


@asynccontextmanager
async def lifespan(app: ASGIApp, mode: str = "auto") -> AsyncIterator[dict[str, Any]]:
    """``async with lifespan(app) as state:`` startup on entry, shutdown on exit.

    Needs a nodehttp runtime (:func:`nodehttp.run` or ``async with nodehttp.runtime()``).
    ``state`` is the lifespan namespace to hand to :func:`create_asgi_server`. Shutdown
    runs even when the block raises (shielded from cancellation, and over once the
    application's lifespan task ends).
    """
    span = Lifespan(app, mode)
    state = await span.startup()
    try:
        yield state
    finally:
        with anyio.CancelScope(shield=True):
            await span.shutdown()
