"""The runtime: what keeps a nodehttp program alive, and Node's timers, on anyio.

Node's process lives while something is "ref'd": a listening server, an open socket, a
pending timer. :func:`run` gives a Python program the same life: it runs ``main`` and
returns once ``main`` is done and nothing ref'd remains. Every task the runtime starts
belongs to its task group, so nothing outlives it (structured concurrency); the runtime
is found through a context variable, so Node-style code needs no handle to it.

Timers are one task per runtime over a heap of deadlines, whatever the backend: a
keep-alive timer that is re-armed on every request costs a heap push, not a task.
"""

from __future__ import annotations

import asyncio
import heapq
import inspect
import itertools
import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import anyio
import anyio.abc
import sniffio

__all__ = ["Runtime", "Timer", "current_runtime", "run", "runtime"]

T = TypeVar("T")

_current: ContextVar[Runtime] = ContextVar("nodehttp_runtime")


def current_runtime() -> Runtime:
    """The runtime hosting the calling code; RuntimeError outside :func:`run`/:func:`runtime`."""
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError(
            "no nodehttp runtime: call this inside nodehttp.run(...) or `async with nodehttp.runtime()`"
        ) from None


class Timer:
    """A Node timer (``setTimeout``'s result): ``cancel()`` is ``clearTimeout``."""

    __slots__ = ("_runtime", "callback", "args", "deadline", "delay", "active", "_ref", "_seq", "_entry")

    def __init__(self, runtime: Runtime, delay: float, callback: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self._runtime = runtime
        self.callback = callback
        self.args = args
        self.delay = delay
        self.deadline = 0.0
        self.active = False
        self._ref = True
        self._seq = 0
        self._entry: float | None = None  # the deadline of its heap entry, if it has one

    def cancel(self) -> None:
        """Stop the timer (Node's ``clearTimeout``)."""
        if self.active:
            self.active = False
            if self._ref:
                self._runtime.unref()

    def refresh(self) -> Timer:
        """Restart the countdown with the same delay (Node's ``timeout.refresh()``)."""
        self._runtime._arm(self)
        return self

    def unref(self) -> Timer:
        """Let the runtime end while this timer is pending."""
        if self._ref:
            self._ref = False
            if self.active:
                self._runtime.unref()
        return self

    def ref(self) -> Timer:
        """Undo :meth:`unref`."""
        if not self._ref:
            self._ref = True
            if self.active:
                self._runtime.ref()
        return self

    def has_ref(self) -> bool:
        return self._ref


class Runtime:
    """Owns the tasks, timers and keep-alive count of one nodehttp program."""

    def __init__(self, task_group: anyio.abc.TaskGroup, backend: str) -> None:
        self.task_group = task_group
        self.backend = backend
        self._refs = 0
        self._idle = anyio.Event()
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._timer_scope: anyio.CancelScope | None = None
        self._timer_wake = float("inf")
        self.errors: list[BaseException] = []
        # Open sockets: whatever is still open when the runtime ends is destroyed.
        self.sockets: set[Any] = set()
        # Callback, args, callback, args...: flat, so a tick costs no pair tuple (a request
        # queues half a dozen, and every tuple is one more object for the cyclic collector).
        self._ticks: deque[Any] = deque()
        self._tick_scheduled = False
        self._io_depth = 0
        self._tick_wake = anyio.Event()
        # asyncio has call_soon; other backends get one task that runs queued ticks.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] | None = None  # spawn()'s, on asyncio
        # The backend's own clock (what anyio's deadlines use), without anyio's dispatch.
        self._clock: Callable[[], float]
        if backend == "asyncio":
            self._loop = asyncio.get_running_loop()
            # The stdlib loop's time() is time.monotonic(); calling that directly saves a
            # Python frame per timer refresh (a socket refreshes on every read and write).
            base_time = asyncio.BaseEventLoop.time
            self._clock = time.monotonic if getattr(type(self._loop), "time", None) is base_time else self._loop.time
            # spawn() makes the loop's own tasks: anyio's start_soon costs about 10 us a
            # task, as much as the rest of a request. _reap keeps them structured: when
            # the task group ends, it cancels and awaits them.
            self._tasks = set()
            task_group.start_soon(self._reap)
        else:
            self._clock = anyio.current_time
            if backend == "trio":
                import trio

                self._clock = trio.current_time
            task_group.start_soon(self._tick_task)

    # Keep-alive count --------------------------------------------------------------
    def ref(self) -> None:
        """Something that keeps the program alive has started."""
        self._refs += 1

    def unref(self) -> None:
        """Something that kept the program alive has ended."""
        self._refs -= 1
        if self._refs <= 0:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Return once nothing ref'd remains."""
        while self._refs > 0:
            self._idle = anyio.Event()
            await self._idle.wait()

    # Tasks ---------------------------------------------------------------------------
    def spawn(self, func: Callable[..., Awaitable[Any]], *args: Any, name: str | None = None) -> None:
        """Start ``func(*args)`` as a task of the runtime; it counts as ref'd while it runs."""
        self.ref()
        tasks = self._tasks
        if tasks is not None:
            # _run_task removes it (a done callback would cost a loop callback per task).
            tasks.add(self._loop.create_task(self._run_task(func, args), name=name))  # type: ignore[union-attr]
        else:
            self.task_group.start_soon(self._run_task, func, args, name=name)

    async def _reap(self) -> None:
        try:
            await anyio.sleep_forever()
        finally:
            tasks = self._tasks
            assert tasks is not None
            # From now on spawn() goes to the task group, cancelled by now as well.
            self._tasks = None
            with anyio.CancelScope(shield=True):
                pending = [task for task in tasks if not task.done()]
                while pending:
                    for task in pending:
                        task.cancel()
                    # Cancelled again while they last, as a task group's cancellation is:
                    # a task that swallowed one CancelledError still ends.
                    await asyncio.wait(pending, timeout=0.1)
                    pending = [task for task in pending if not task.done()]

    async def _run_task(self, func: Callable[..., Awaitable[Any]], args: tuple[Any, ...]) -> None:
        try:
            await func(*args)
        except Exception as exc:  # noqa: BLE001 - reported like Node's uncaught exception
            self.report_error(exc)
        finally:
            self.unref()
            tasks = self._tasks
            if tasks is not None:
                tasks.discard(asyncio.current_task())

    def run_listener(self, result: Any) -> None:
        """Start the awaitable an ``async def`` listener returned, owned by the runtime."""
        if inspect.isawaitable(result):
            self.spawn(_await, result)

    def report_error(self, exc: BaseException) -> None:
        """An exception no listener handled: Node prints it and exits; nodehttp prints it,
        records it and stops the program, so it is never lost silently. Only the first is
        printed: what fails while the program is being stopped for it (a request cut
        short, say) is a consequence, and Node would have exited before it happened."""
        self.errors.append(exc)
        if len(self.errors) == 1:
            import traceback

            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        self.task_group.cancel_scope.cancel()

    # Ticks ---------------------------------------------------------------------------
    def next_tick(self, callback: Callable[..., Any], *args: Any) -> None:
        """Call ``callback(*args)`` soon, after the current callback returns (Node's
        ``process.nextTick``/``setImmediate`` rolled into one: nodehttp needs only the
        ordering "after this synchronous code, before more I/O of this connection")."""
        ticks = self._ticks
        ticks.append(callback)
        ticks.append(args)
        if not self._tick_scheduled:
            self._tick_scheduled = True
            if self._io_depth:
                pass  # the I/O callback running now drains the queue when it returns
            elif self._loop is not None:
                self._loop.call_soon(self._run_ticks)
            else:
                self._tick_wake.set()

    def io_callback(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run a transport callback (bytes arrived, peer ended...), then the ticks it
        queued: they come "after the current callback", with no task switch for them."""
        self._io_depth += 1
        try:
            callback(*args)
        except Exception as exc:  # noqa: BLE001 - a listener's bug, reported as Node would
            self.report_error(exc)
        finally:
            self._io_depth -= 1
        if self._ticks and not self._io_depth:
            self._run_ticks()

    def _run_ticks(self) -> None:
        ticks = self._ticks
        popleft = ticks.popleft
        # Ticks queued by ticks run in the same pass, as Node drains its nextTick queue.
        while ticks:
            callback = popleft()
            args = popleft()
            try:
                callback(*args)
            except Exception as exc:  # noqa: BLE001
                self.report_error(exc)
        self._tick_scheduled = False

    async def _tick_task(self) -> None:
        # Started before runtime() sets the context variable, so this task's copy of the
        # context lacks it: ticks run here would find no current runtime.
        _current.set(self)
        while True:
            await self._tick_wake.wait()
            self._tick_wake = anyio.Event()
            self._run_ticks()

    # Timers --------------------------------------------------------------------------
    def set_timeout(self, callback: Callable[..., Any], delay_ms: float, *args: Any) -> Timer:
        """Node's ``setTimeout(callback, delay_ms, ...args)``."""
        timer = Timer(self, max(delay_ms, 1.0) / 1000.0, callback, args)
        self._arm(timer)
        return timer

    def _arm(self, timer: Timer) -> None:
        if not timer.active:
            timer.active = True
            if timer._ref:
                self.ref()
        deadline = self._clock() + timer.delay
        timer.deadline = deadline
        # Lazy heap: a re-armed timer keeps its entry, which is moved when it comes up; a
        # keep-alive timer refreshed on every request costs an assignment, not a push.
        if timer._entry is None or deadline < timer._entry:
            timer._seq = next(self._seq)
            timer._entry = deadline
            heapq.heappush(self._heap, (deadline, timer._seq, timer))
        if self._timer_scope is None:
            self._timer_scope = anyio.CancelScope()
            self._timer_wake = deadline
            try:
                self.task_group.start_soon(self._timers)
            except RuntimeError:
                # The runtime has ended (a connection accepted during its teardown, say):
                # no timer fires any more.
                self._timer_scope = None
        elif deadline < self._timer_wake:
            self._timer_wake = deadline
            self._timer_scope.deadline = deadline

    async def _timers(self) -> None:
        heap = self._heap
        while heap:
            entry, seq, timer = heap[0]
            if timer._seq != seq:
                heapq.heappop(heap)  # superseded by an earlier entry
                continue
            if not timer.active:
                heapq.heappop(heap)
                timer._entry = None
                continue
            if timer.deadline > entry:
                heapq.heapreplace(heap, (timer.deadline, seq, timer))  # refreshed since
                timer._entry = timer.deadline
                continue
            now = self._clock()
            if entry > now:
                self._timer_wake = entry
                with anyio.CancelScope(deadline=entry) as sleep_scope:
                    self._timer_scope = sleep_scope
                    await anyio.sleep_forever()
                continue
            heapq.heappop(heap)
            timer._entry = None
            timer.cancel()
            # As an I/O callback: the ticks it queues run as soon as it returns, before
            # anything else the loop has pending (Node drains nextTick after each timer).
            self.io_callback(timer.callback, *timer.args)
        self._timer_scope = None
        self._timer_wake = float("inf")


async def _await(awaitable: Awaitable[Any]) -> None:
    await awaitable


@asynccontextmanager
async def runtime() -> AsyncIterator[Runtime]:
    """Host nodehttp inside an existing anyio program.

    Everything started inside the block belongs to it; leaving the block waits until
    nothing ref'd remains (close your servers to leave), as :func:`run` does. An
    exception no listener handled stops the block and is raised from it, as an uncaught
    exception ends a Node process.
    """
    backend = sniffio.current_async_library()
    async with anyio.create_task_group() as tg:
        rt = Runtime(tg, backend)
        token = _current.set(rt)
        # asyncio runs protocol and timer callbacks outside any task, where sniffio finds
        # no library unless its variable says so (anyio.run sets it; asyncio.run does not).
        # Callbacks registered from here on inherit this context, so anyio calls made in
        # them (a cancel scope for a timer) work in a plain asyncio.run program too.
        library_token = sniffio.current_async_library_cvar.set(backend)
        try:
            yield rt
            await rt.wait_idle()
        finally:
            for sock in list(rt.sockets):
                sock.destroy()
            sniffio.current_async_library_cvar.reset(library_token)
            _current.reset(token)
            tg.cancel_scope.cancel()
    if rt.errors:
        raise rt.errors[0]


def run(main: Callable[..., Any], *args: Any, backend: str = "asyncio", backend_options: dict[str, Any] | None = None) -> Any:
    """Run ``main(*args)`` (a plain or ``async`` function) like a Node program.

    Returns ``main``'s result once ``main`` is done and nothing that keeps Node's process
    alive remains (a listening server, an open socket, a pending request, a ref'd timer).
    ``backend`` is ``"asyncio"`` or ``"trio"``.
    """

    async def entry() -> Any:
        async with runtime():
            result = main(*args)
            if inspect.isawaitable(result):
                result = await result
        return result

    try:
        return anyio.run(entry, backend=backend, backend_options=backend_options)
    except BaseExceptionGroup as group:
        # Ctrl-C: trio delivers it inside the task group, asyncio outside. Either way the
        # caller gets the plain KeyboardInterrupt it would catch around any other program.
        interrupt, rest = group.split(KeyboardInterrupt)
        if interrupt is not None and rest is None:
            raise KeyboardInterrupt from None
        raise
