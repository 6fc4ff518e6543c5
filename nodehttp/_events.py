"""EventEmitter: Node 24's ``events.EventEmitter`` for Python.

The semantics are Node's (``lib/events.js`` of Node 24.21.0), with method names mapped
from camelCase to snake_case: ``on``/``add_listener``, ``once``, ``off``/``remove_listener``,
``remove_all_listeners``, ``prepend_listener``, ``prepend_once_listener``, ``emit``,
``listeners``, ``raw_listeners``, ``listener_count``, ``event_names``,
``set_max_listeners``/``get_max_listeners`` and the class attribute
``default_max_listeners``. Event names are ``'newListener'``, ``'removeListener'`` and
``'error'`` exactly as in Node, since Node's http code emits and listens by those names.

Listeners are called with the emitted arguments only: Python has no ``this``, so a
listener that needs the emitter closes over it or is a bound method. A listener is
matched for removal with ``==`` rather than identity, so that ``emitter.off('x', obj.meth)``
finds the ``obj.meth`` added earlier (each attribute access creates a new bound-method
object; for plain functions ``==`` is identity, as ``===`` is in Node).

Storage: ``_events`` maps an event name to a *tuple* of listeners and a name is deleted
once it has no listeners. Every change builds a new tuple, so ``emit`` iterates the
tuple it read without copying and a listener added or removed during an emit does not
change that emit: the snapshot semantics Node gets from its copy-on-write arrays
(``kEmitting``), at no per-emit cost.

Not carried over: ``captureRejections``/``Symbol.for('nodejs.rejection')``,
``errorMonitor`` (Node's http does not use it; supporting it would put a comparison on
every emit) and the ``AbortSignal`` option of ``events.once``.
"""

from __future__ import annotations

import inspect
import math
import os
import sys
import warnings
from collections.abc import Awaitable, Callable, Hashable
from types import GeneratorType
from typing import Any, ClassVar, TypeAlias

import anyio

from ._errors import NodeError

__all__ = [
    "EventEmitter",
    "MaxListenersExceededWarning",
    "UnhandledErrorEvent",
    "InvalidArgTypeError",
    "OutOfRangeError",
    "once",
]

Listener: TypeAlias = Callable[..., Any]
EventName: TypeAlias = Hashable

_isawaitable = inspect.isawaitable
# Types of listener results seen not to be awaitable (bounded: a cache, not a registry).
_NOT_AWAITABLE: set[type] = set()

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class UnhandledErrorEvent(NodeError):
    """``'error'`` was emitted with a value that is not an exception and nobody listened.

    Node's ``ERR_UNHANDLED_ERROR``: the message is ``Unhandled error. (<value>)`` with the
    value shown by ``repr`` (Node uses ``util.inspect``), and ``context`` is the value.
    """

    code = "ERR_UNHANDLED_ERROR"

    def __init__(self, context: Any) -> None:
        try:
            shown = repr(context)
        except Exception:  # Node falls back to the raw value when inspect throws
            shown = object.__repr__(context)
        super().__init__(f"Unhandled error. ({shown})")
        self.context = context


class InvalidArgTypeError(NodeError, TypeError):
    """Node's ``ERR_INVALID_ARG_TYPE`` (a ``TypeError``), e.g. a listener that is not callable."""

    code = "ERR_INVALID_ARG_TYPE"


class OutOfRangeError(NodeError, ValueError):
    """Node's ``ERR_OUT_OF_RANGE`` (a ``RangeError`` in Node, so a ``ValueError`` here)."""

    code = "ERR_OUT_OF_RANGE"


class MaxListenersExceededWarning(RuntimeWarning):
    """More listeners for one event than ``get_max_listeners()``: Node's leak warning.

    ``emitter``, ``event`` and ``count`` are the fields Node puts on its warning object
    (``emitter``, ``type``, ``count``).
    """

    def __init__(self, message: str, emitter: EventEmitter, event: EventName, count: int) -> None:
        super().__init__(message)
        self.emitter = emitter
        self.event = event
        self.count = count


def _check_listener(listener: object) -> None:
    if not callable(listener):
        # Imported here: nodehttp._common builds on this module, and this is an error path.
        from ._common import invalid_arg_type

        raise invalid_arg_type("listener", "of type function", listener)


def _error_from_args(args: tuple[Any, ...]) -> BaseException:
    # Node's getUnhandledErrorException: an Error is thrown as it is; any other value
    # (or none, which Node shows as `undefined` and Python as None) is wrapped.
    err = args[0] if args else None
    if isinstance(err, BaseException):
        return err
    return UnhandledErrorEvent(err)


def _caller_stacklevel() -> int:
    # Point the warning at the first frame outside nodehttp (the user's `on` call), the
    # way skip_file_prefixes does on 3.12+; this runs only when a warning is issued.
    frame = sys._getframe(1)  # the function calling warnings.warn: stacklevel 1
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


class _OnceWrapper:
    """The listener ``once`` registers: removes itself, then calls ``listener`` once.

    Node's ``_onceWrap``. ``listener`` is public as in Node (``wrapper.listener``), and
    ``raw_listeners`` returns these objects.
    """

    __slots__ = ("target", "event", "listener", "fired")

    def __init__(self, target: EventEmitter, event: EventName, listener: Listener) -> None:
        self.target = target
        self.event = event
        self.listener = listener
        self.fired = False

    def __call__(self, *args: Any) -> Any:
        # `fired` matters when an emit's snapshot still holds this wrapper after a nested
        # emit already ran it, and when the raw wrapper is called by hand.
        if self.fired:
            return None
        self.fired = True
        # Removed before the call, through the (possibly overridden) method, as Node does.
        target = self.target
        events = target._events
        if (type(target).remove_listener is EventEmitter.remove_listener and events.get(self.event) == (self,)
                and target._warned is None and "removeListener" not in events):
            del events[self.event]  # what that method does for a lone listener nobody watches
        else:
            target.remove_listener(self.event, self)
        # The result goes back to emit so an awaitable is not lost.
        return self.listener(*args)

    def __repr__(self) -> str:
        return f"<once wrapper of {self.listener!r}>"


class EventEmitter:
    """Node's ``EventEmitter``: named events, listeners called synchronously in order.

    Subclasses must call ``super().__init__()``. The class has ``__slots__`` so that
    slotted subclasses (Server, IncomingMessage, ...) stay free of ``__dict__``.
    Subclasses overriding ``on`` or ``remove_listener`` should rebind the aliases
    (``add_listener = on``, ``off = remove_listener``), as Node's Readable does.
    """

    __slots__ = ("_events", "_max_listeners", "_warned")

    #: Max listeners for emitters that did not call ``set_max_listeners``; read at check
    #: time, so changing it affects existing emitters (as in Node). Node has one global
    #: default; here a subclass may shadow it for its own instances.
    default_max_listeners: ClassVar[int | float] = 10

    _events: dict[EventName, tuple[Listener, ...]]
    _max_listeners: int | float | None
    # Event names already warned about; Node keeps the flag on the listener array, so it
    # resets when the event drops to one listener or none. None until the first warning.
    _warned: set[EventName] | None

    def __init__(self) -> None:
        self._events = {}
        self._max_listeners = None
        self._warned = None

    # -- emitting ---------------------------------------------------------------------

    def emit(self, event: EventName, /, *args: Any) -> bool:
        """Call every listener of ``event`` with ``args``, in order; True if there were any.

        The listeners are those registered when the emit starts. ``'error'`` with no
        listener raises: the first argument when it is an exception, otherwise
        :class:`UnhandledErrorEvent`. A listener's exception propagates and the remaining
        listeners are not called. A listener that returns an awaitable is handed to
        ``_spawn``.
        """
        handlers = self._events.get(event)
        if handlers is None:
            if event == "error":
                raise _error_from_args(args)
            return False
        for listener in handlers:
            result = listener(*args)
            # Most listeners return None or a value of a type already seen not to be
            # awaitable (Node-style handlers often return ``res.end()``'s response).
            if result is not None and type(result) not in _NOT_AWAITABLE:
                if _isawaitable(result):
                    self._spawn(result)
                elif len(_NOT_AWAITABLE) < 64 and not isinstance(result, GeneratorType):
                    # (A generator's awaitability is per object: @types.coroutine.)
                    _NOT_AWAITABLE.add(type(result))
        return True

    def _spawn(self, awaitable: Awaitable[Any]) -> None:
        """Run an awaitable a listener returned, as a task of the nodehttp runtime.

        Node runs an async listener up to its first ``await`` and lets its promise float;
        a Python coroutine does nothing until scheduled, so dropping it would silently skip
        the listener. Without a runtime that is an error.
        """
        from ._runtime import current_runtime

        try:
            runtime = current_runtime()
        except RuntimeError:
            close = getattr(awaitable, "close", None)
            if close is not None:
                close()  # no "coroutine was never awaited" warning on top of this error
            raise TypeError(
                f"an EventEmitter listener returned an awaitable ({type(awaitable).__name__}); "
                "async listeners need the nodehttp runtime (nodehttp.run or nodehttp.runtime), "
                "which runs them as tasks"
            ) from None
        runtime.run_listener(awaitable)

    # -- adding -----------------------------------------------------------------------

    def _add_listener(self, event: EventName, listener: Listener, prepend: bool) -> EventEmitter:
        # Node's _addListener.
        if not callable(listener):
            _check_listener(listener)
        if "newListener" in self._events:
            # Before adding, so a 'newListener' listener can add its own listener for this
            # event ahead of the new one (Node documents this use).
            self.emit("newListener", event, listener.listener if type(listener) is _OnceWrapper else listener)
        # Re-read after the emit: the 'newListener' listeners may have changed anything.
        events = self._events
        existing = events.get(event)
        if existing is None:
            events[event] = (listener,)
            return self
        handlers = (listener, *existing) if prepend else (*existing, listener)
        events[event] = handlers
        m = self._max_listeners
        if m is None:
            m = self.default_max_listeners
        if m > 0 and len(handlers) > m and (self._warned is None or event not in self._warned):
            self._warn_max_listeners(event, len(handlers), m)
        return self

    def _warn_max_listeners(self, event: EventName, count: int, m: int | float) -> None:
        if self._warned is None:
            self._warned = set()
        self._warned.add(event)
        shown_m = _number(m)
        # Node 24's text; `[EventEmitter]` is util.inspect(emitter, {depth: -1}), which
        # shows the class name, and the method is named as Python spells it.
        message = (
            f"Possible EventEmitter memory leak detected. {count} {event} listeners added to "
            f"[{type(self).__name__}]. MaxListeners is {shown_m}. "
            "Use emitter.set_max_listeners() to increase limit"
        )
        warnings.warn(
            MaxListenersExceededWarning(message, self, event, count), stacklevel=_caller_stacklevel()
        )

    def on(self, event: EventName, listener: Listener) -> EventEmitter:
        """Add ``listener`` at the end of ``event``'s listeners; returns self.

        Emits ``'newListener'`` first. The same listener may be added more than once.
        """
        return self._add_listener(event, listener, False)

    add_listener = on

    def prepend_listener(self, event: EventName, listener: Listener) -> EventEmitter:
        """Add ``listener`` at the start of ``event``'s listeners; returns self."""
        return self._add_listener(event, listener, True)

    def once(self, event: EventName, listener: Listener) -> EventEmitter:
        """Add ``listener`` to be called at most once, at the end; returns self.

        It is removed before it is called. ``remove_listener(event, listener)`` with the
        original function removes it.
        """
        if not callable(listener):
            _check_listener(listener)
        # Through self.on, as Node does, so subclasses that override `on` see it.
        if type(self).on is EventEmitter.on:
            return self._add_listener(event, _OnceWrapper(self, event, listener), False)
        return self.on(event, _OnceWrapper(self, event, listener))

    def prepend_once_listener(self, event: EventName, listener: Listener) -> EventEmitter:
        """Add a once-listener at the start of ``event``'s listeners; returns self."""
        _check_listener(listener)
        return self.prepend_listener(event, _OnceWrapper(self, event, listener))

    # -- removing ---------------------------------------------------------------------

    def remove_listener(self, event: EventName, listener: Listener) -> EventEmitter:
        """Remove the most recently added instance of ``listener`` from ``event``; returns self.

        A once-listener is found by its original function too. Emits ``'removeListener'``
        after the removal. Removing a listener that is not there does nothing.
        """
        if not callable(listener):
            _check_listener(listener)
        handlers = self._events.get(event)
        if handlers is None:
            return self
        # Node searches from the end: the latest registration goes first.
        for i in range(len(handlers) - 1, -1, -1):
            entry = handlers[i]
            if entry == listener or (type(entry) is _OnceWrapper and entry.listener == listener):
                break
        else:
            return self
        if len(handlers) == 1:
            del self._events[event]
            if self._warned is not None:
                self._unwarn(event)
            # Node's single-listener branch reports `list.listener || listener`: the
            # original function even when the wrapper itself was passed.
            removed = entry.listener if type(entry) is _OnceWrapper else listener
        else:
            rest = handlers[:i] + handlers[i + 1 :]
            self._events[event] = rest
            if len(rest) == 1 and self._warned is not None:
                # Node collapses a one-element array to the function, dropping its flag.
                self._unwarn(event)
            # Node's array branch reports the argument as passed: a once wrapper removing
            # itself (or remove_all_listeners passing raw entries) reports the wrapper.
            removed = listener
        if "removeListener" in self._events:
            self.emit("removeListener", event, removed)
        return self

    off = remove_listener

    def _unwarn(self, event: EventName) -> None:
        if self._warned is not None:
            self._warned.discard(event)

    def remove_all_listeners(self, event: EventName | None = None) -> EventEmitter:
        """Remove all listeners of ``event``, or of every event when it is None; returns self.

        With ``'removeListener'`` listeners present, each removal emits it: for one event
        the listeners go last-added first; for all events, event by event in registration
        order, ``'removeListener'``'s own listeners last.
        """
        events = self._events
        if "removeListener" not in events:
            # Nobody to tell: drop the storage directly.
            if event is None:
                self._events = {}
                self._warned = None
            elif events.pop(event, None) is not None:
                self._unwarn(event)
            return self
        if event is None:
            for name in list(events):
                if name != "removeListener":
                    self.remove_all_listeners(name)
            self.remove_all_listeners("removeListener")
            self._events = {}
            self._warned = None
            return self
        handlers = events.get(event)
        if handlers is not None:
            for entry in reversed(handlers):
                self.remove_listener(event, entry)
        return self

    # -- inspecting -------------------------------------------------------------------

    def listeners(self, event: EventName) -> list[Listener]:
        """A copy of ``event``'s listeners, once-listeners as their original functions."""
        return [
            entry.listener if type(entry) is _OnceWrapper else entry
            for entry in self._events.get(event, ())
        ]

    def raw_listeners(self, event: EventName) -> list[Listener]:
        """A copy of ``event``'s listeners as stored: once-listeners as their wrappers.

        A wrapper has ``.listener`` (the original); calling it removes it and calls that.
        """
        return list(self._events.get(event, ()))

    def listener_count(self, event: EventName, listener: Listener | None = None) -> int:
        """How many listeners ``event`` has; with ``listener``, how many are that listener."""
        handlers = self._events.get(event, ())
        if listener is None:
            return len(handlers)
        return sum(
            1
            for entry in handlers
            if entry == listener or (type(entry) is _OnceWrapper and entry.listener == listener)
        )

    def event_names(self) -> list[EventName]:
        """The events that have listeners, in the order they first got one."""
        return list(self._events)

    def set_max_listeners(self, n: int | float) -> EventEmitter:
        """Warn when one event gets more than ``n`` listeners (0 or ``math.inf``: never)."""
        from ._common import validate_number  # (see _check_listener)

        self._max_listeners = validate_number(n, "set_max_listeners", 0)
        return self

    def get_max_listeners(self) -> int | float:
        """The limit set by ``set_max_listeners``, else the class's ``default_max_listeners``."""
        m = self._max_listeners
        return self.default_max_listeners if m is None else m


def _number(n: int | float) -> str:
    # JavaScript's spelling of the numbers Node prints: 10, 1.5, Infinity, NaN.
    if isinstance(n, float):
        if math.isnan(n):
            return "NaN"
        if math.isinf(n):
            return "Infinity" if n > 0 else "-Infinity"
        if n.is_integer():
            return str(int(n))
    return str(n)


async def once(emitter: EventEmitter, event: EventName) -> tuple[Any, ...]:
    """Wait for ``emitter`` to emit ``event``; return the emitted arguments as a tuple.

    Node's ``events.once``. If ``'error'`` is emitted first (and ``event`` is not
    ``'error'``), raise its first argument, or :class:`UnhandledErrorEvent` when that is
    not an exception. While waiting, the ``'error'`` listener counts as handling errors, as
    in Node. Cancelling the wait removes both listeners. Works on asyncio and trio.
    """
    done = anyio.Event()
    outcome: list[Any] = []  # [args] on the event, [exception] on 'error'

    def on_event(*args: Any) -> None:
        if event != "error":
            emitter.remove_listener("error", on_error)
        outcome.append(args)
        done.set()

    def on_error(*args: Any) -> None:
        emitter.remove_listener(event, on_event)
        outcome.append(_error_from_args(args))
        done.set()

    emitter.once(event, on_event)
    if event != "error":
        emitter.once("error", on_error)
    try:
        await done.wait()
    finally:
        if not outcome:
            # Cancelled (or the wait failed) before anything was emitted: leave no
            # listener behind, in particular no 'error' listener swallowing errors.
            emitter.remove_listener(event, on_event)
            if event != "error":
                emitter.remove_listener("error", on_error)
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result  # type: ignore[no-any-return]
