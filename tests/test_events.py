"""EventEmitter and events.once against Node 24's behaviour.

Every expected value marked "Node 24.21.0" was observed by running the equivalent
JavaScript with the reference node binary; the snippet is quoted next to the test.
Node's ``this``, symbols and ``util.inspect`` have no Python counterpart: Python's
``repr`` stands in for ``inspect`` and ``None`` for ``undefined``/``null``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import anyio
import pytest
from anyio import wait_all_tasks_blocked

from nodehttp._errors import NodeError
from nodehttp._events import (
    EventEmitter,
    InvalidArgTypeError,
    MaxListenersExceededWarning,
    OutOfRangeError,
    UnhandledErrorEvent,
    once,
)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def noop(*args: Any) -> None:
    pass


def name_of(listener: Any) -> str:
    """A listener's function name, or 'wrapper(<name>)' for a once wrapper."""
    inner = getattr(listener, "listener", None)
    if inner is not None:
        return f"wrapper({inner.__name__})"
    return str(listener.__name__)


# -- emit: order and snapshot ------------------------------------------------------------


def test_emit_calls_a_snapshot_in_registration_order() -> None:
    # Node 24.21.0: a adds 'late' and removes b during the emit -> ["a","b"]; the next
    # emit -> ["a","late"]; both emits return true.
    e = EventEmitter()
    out: list[str] = []

    def b() -> None:
        out.append("b")

    def a() -> None:
        out.append("a")
        e.on("x", lambda: out.append("late"))
        e.remove_listener("x", b)

    e.on("x", a)
    e.on("x", b)
    assert e.emit("x") is True
    assert out == ["a", "b"]
    out.clear()
    assert e.emit("x") is True
    assert out == ["a", "late"]


def test_emit_without_listeners_returns_false() -> None:
    # Node 24.21.0: e.emit('nothing') === false
    assert EventEmitter().emit("nothing") is False


def test_emit_passes_arguments() -> None:
    e = EventEmitter()
    got: list[tuple[Any, ...]] = []
    e.on("x", lambda *args: got.append(args))
    e.emit("x", 1, "two", None)
    e.emit("x")
    assert got == [(1, "two", None), ()]


def test_listener_exception_propagates_and_stops_the_emit() -> None:
    # Node 24.21.0: the first listener throws 'L1'; emit throws it; the second is not called.
    e = EventEmitter()
    out: list[str] = []

    def l1() -> None:
        raise ValueError("L1")

    e.on("x", l1)
    e.on("x", lambda: out.append("L2"))
    with pytest.raises(ValueError, match="L1"):
        e.emit("x")
    assert out == []


def test_nested_emit_runs_a_once_listener_only_once() -> None:
    # Node 24.21.0: a re-emits until it ran three times; the once listener runs in the
    # innermost emit only -> ["a","a","a","once"]
    e = EventEmitter()
    out: list[str] = []

    def a() -> None:
        out.append("a")
        if len(out) < 3:
            e.emit("x")

    e.on("x", a)
    e.once("x", lambda: out.append("once"))
    e.emit("x")
    assert out == ["a", "a", "a", "once"]


# -- newListener / removeListener ---------------------------------------------------------


def test_new_listener_before_add_and_remove_listener_after_removal() -> None:
    # Node 24.21.0, recording [kind, event, listener name, listenerCount(event)]:
    # on(f), once(g), off(f), emit -> [["new","removeListener","",0],["new","x","f",0],
    # ["new","x","g",1],["rm","x","f",1],["rm","x","g",0]]
    e = EventEmitter()
    out: list[tuple[str, str, str, int]] = []

    def on_new(event: str, listener: Any) -> None:
        out.append(("new", event, name_of(listener), e.listener_count(event)))

    def on_rm(event: str, listener: Any) -> None:
        out.append(("rm", event, name_of(listener), e.listener_count(event)))

    def f() -> None:
        pass

    def g() -> None:
        pass

    e.on("newListener", on_new)
    e.on("removeListener", on_rm)
    e.on("x", f)
    e.once("x", g)
    e.off("x", f)
    e.emit("x")
    assert out == [
        ("new", "removeListener", "on_rm", 0),
        ("new", "x", "f", 0),
        ("new", "x", "g", 1),  # the unwrapped listener, not the once wrapper
        ("rm", "x", "f", 1),
        ("rm", "x", "g", 0),
    ]


def test_new_listener_handler_can_add_ahead_of_the_new_listener() -> None:
    # Node 24.21.0: once('newListener', ev => ev === 'x' && on('x', B)); on('x', A);
    # emit -> ["B","A"]
    e = EventEmitter()
    out: list[str] = []

    def on_new(event: str, listener: Any) -> None:
        if event == "x":
            e.on("x", lambda: out.append("B"))

    e.once("newListener", on_new)
    e.on("x", lambda: out.append("A"))
    e.emit("x")
    assert out == ["B", "A"]


def test_new_listener_gets_the_unwrapped_once_listener() -> None:
    # Node 24.21.0: once('a', g) and prependOnceListener('a', g) both report g.
    e = EventEmitter()
    seen: list[Any] = []
    e.on("newListener", lambda event, listener: seen.append(listener))

    def g() -> None:
        pass

    e.once("a", g)
    e.prepend_once_listener("a", g)
    assert seen == [g, g]


def test_remove_listener_event_argument_follows_node() -> None:
    # Node 24.21.0 reports what its two branches pass to 'removeListener':
    #   on(x,f); once(x,g); emit(x)              -> wrapper(g)  (array: the argument)
    #   once(y,g); emit(y)                       -> g           (single: list.listener)
    #   on(z,f); once(z,g); off(z,g)             -> g
    #   on(w,f); once(w,g); off(w, rawListeners(w)[1]) -> wrapper(g)
    e = EventEmitter()
    out: list[tuple[str, str]] = []
    e.on("removeListener", lambda event, listener: out.append((event, name_of(listener))))

    def f() -> None:
        pass

    def g() -> None:
        pass

    e.on("x", f)
    e.once("x", g)
    e.emit("x")
    e.once("y", g)
    e.emit("y")
    e.on("z", f)
    e.once("z", g)
    e.off("z", g)
    e.on("w", f)
    e.once("w", g)
    e.off("w", e.raw_listeners("w")[1])
    assert out == [("x", "wrapper(g)"), ("y", "g"), ("z", "g"), ("w", "wrapper(g)")]


# -- once ---------------------------------------------------------------------------------


def test_once_removes_itself_before_the_call() -> None:
    # Node 24.21.0: inside the once listener listenerCount('x') === 0, and the emit it
    # makes from there does not call it again -> [["in once, count",0]]
    e = EventEmitter()
    out: list[int] = []

    def f() -> None:
        out.append(e.listener_count("x"))
        e.emit("x")

    e.once("x", f)
    e.emit("x")
    assert out == [0]


def test_once_listener_removed_by_its_original_function() -> None:
    # Node 24.21.0: once('y', g); count 1; off('y', g); count 0; emit -> false
    e = EventEmitter()
    out: list[str] = []

    def g() -> None:
        out.append("g")

    e.once("y", g)
    assert e.listener_count("y") == 1
    e.off("y", g)
    assert e.listener_count("y") == 0
    assert e.emit("y") is False
    assert out == []


def test_listeners_unwrap_and_raw_listeners_keep_the_wrapper() -> None:
    # Node 24.21.0: listeners('z')[0] === g; rawListeners('z')[0] !== g and its .listener
    # === g; calling the raw wrapper removes it; calling a wrapper twice calls g once.
    e = EventEmitter()
    calls: list[str] = []

    def g() -> None:
        calls.append("g")

    e.once("z", g)
    assert e.listeners("z") == [g]
    (wrapper,) = e.raw_listeners("z")
    assert wrapper is not g
    assert wrapper.listener is g  # type: ignore[attr-defined]
    wrapper()
    assert e.listener_count("z") == 0
    assert calls == ["g"]
    e.once("z", g)
    (wrapper2,) = e.raw_listeners("z")
    wrapper2()
    wrapper2()
    assert calls == ["g", "g"]


# -- removal ------------------------------------------------------------------------------


def test_remove_listener_removes_the_most_recent_instance() -> None:
    # Node 24.21.0: on f, g, f; off f -> [f, g]
    #               on f, once f; off f -> [plain]
    #               once f, on f; off f -> [wrapper]
    e = EventEmitter()

    def f() -> None:
        pass

    def g() -> None:
        pass

    e.on("x", f)
    e.on("x", g)
    e.on("x", f)
    e.off("x", f)
    assert e.listeners("x") == [f, g]

    e.on("q", f)
    e.once("q", f)
    e.off("q", f)
    assert e.raw_listeners("q") == [f]

    e.once("r", f)
    e.on("r", f)
    e.off("r", f)
    (left,) = e.raw_listeners("r")
    assert left is not f and left.listener is f  # type: ignore[attr-defined]


def test_removing_an_absent_listener_is_a_no_op() -> None:
    # Node 24.21.0: e.off('nope', f) === e
    e = EventEmitter()
    assert e.off("nope", noop) is e
    e.on("x", noop)
    assert e.off("x", lambda: None) is e
    assert e.listener_count("x") == 1


def test_bound_methods_are_removed_by_equality() -> None:
    # Python-specific: each `obj.meth` is a new object; removal must still find it.
    class Handler:
        def __init__(self) -> None:
            self.calls = 0

        def meth(self) -> None:
            self.calls += 1

    h = Handler()
    e = EventEmitter()
    e.on("x", h.meth)
    assert e.listener_count("x", h.meth) == 1
    e.off("x", h.meth)
    assert e.emit("x") is False
    e.once("y", h.meth)
    e.off("y", h.meth)
    assert e.listener_count("y") == 0


def test_remove_all_listeners_of_one_event_goes_last_first() -> None:
    # Node 24.21.0: removeListener listener rl; on(x,f); once(x,g); on(y,h);
    # removeAllListeners('x') -> [["x","wrapper"],["x","f"]], eventNames ['removeListener','y']
    e = EventEmitter()
    out: list[tuple[str, str]] = []

    def rl(event: str, listener: Any) -> None:
        out.append((event, name_of(listener)))

    def f() -> None:
        pass

    def g() -> None:
        pass

    def h() -> None:
        pass

    e.on("removeListener", rl)
    e.on("x", f)
    e.once("x", g)
    e.on("y", h)
    assert e.remove_all_listeners("x") is e
    assert out == [("x", "wrapper(g)"), ("x", "f")]
    assert e.event_names() == ["removeListener", "y"]

    # Node 24.21.0: then on(x,f); removeAllListeners() -> [["y","h"],["x","f"]], eventNames []
    out.clear()
    e.on("x", f)
    assert e.remove_all_listeners() is e
    assert out == [("y", "h"), ("x", "f")]
    assert e.event_names() == []


def test_remove_all_listeners_without_remove_listener_listeners() -> None:
    e = EventEmitter()
    e.on("a", noop)
    e.on("b", noop)
    e.remove_all_listeners("a")
    assert e.event_names() == ["b"]
    e.remove_all_listeners("missing")
    e.remove_all_listeners()
    assert e.event_names() == []
    assert e.emit("b") is False


# -- prepend, counts, names ---------------------------------------------------------------


def test_prepend_and_listener_count() -> None:
    # Node 24.21.0: on(x,f); prependListener(x,g); prependOnceListener(x,h) ->
    # listeners [h,g,f], raw [wrapper,g,f]; listenerCount(x,f) 1, (x,h) 1, (x) 3, (zz) 0;
    # after another on(x,f): listenerCount(x,f) 2
    e = EventEmitter()

    def f() -> None:
        pass

    def g() -> None:
        pass

    def h() -> None:
        pass

    e.on("x", f)
    e.prepend_listener("x", g)
    e.prepend_once_listener("x", h)
    assert e.listeners("x") == [h, g, f]
    assert [name_of(x) for x in e.raw_listeners("x")] == ["wrapper(h)", "g", "f"]
    assert e.listener_count("x", f) == 1
    assert e.listener_count("x", h) == 1
    assert e.listener_count("x") == 3
    assert e.listener_count("zz") == 0
    e.on("x", f)
    assert e.listener_count("x", f) == 2


def test_event_names_order_and_listeners_copy() -> None:
    # Node 24.21.0 (string names; Node lists symbols after strings): x, a; after
    # removeAllListeners('x') and on('x') -> a, x. listeners() is a copy.
    e = EventEmitter()
    e.on("x", noop)
    e.on("a", noop)
    assert e.event_names() == ["x", "a"]
    e.remove_all_listeners("x")
    e.on("x", noop)
    assert e.event_names() == ["a", "x"]
    e.listeners("a").append(noop)
    e.raw_listeners("a").append(noop)
    assert e.listener_count("a") == 1


def test_methods_chain() -> None:
    # Node 24.21.0: on, once, prependListener, prependOnceListener, removeAllListeners(y),
    # removeAllListeners(), setMaxListeners all return the emitter.
    e = EventEmitter()
    assert e.on("y", noop) is e
    assert e.add_listener("y", noop) is e
    assert e.once("y", noop) is e
    assert e.prepend_listener("y", noop) is e
    assert e.prepend_once_listener("y", noop) is e
    assert e.remove_listener("y", noop) is e
    assert e.off("y", noop) is e
    assert e.remove_all_listeners("y") is e
    assert e.remove_all_listeners() is e
    assert e.set_max_listeners(3) is e


@pytest.mark.parametrize(
    ("method", "value", "message"),
    [
        # Node 24.21.0's messages for on('x', 5), once('x', undefined), off('x', 'a'),
        # prependListener('x', 1.5), prependOnceListener('x', [1]), on('x', {}), on('x', true).
        ("on", 5, "The \"listener\" argument must be of type function. Received type number (5)"),
        ("once", None, "The \"listener\" argument must be of type function. Received undefined"),
        ("off", "a", "The \"listener\" argument must be of type function. Received type string ('a')"),
        ("prepend_listener", 1.5, "The \"listener\" argument must be of type function. Received type number (1.5)"),
        ("prepend_once_listener", [1],
         "The \"listener\" argument must be of type function. Received an instance of Array"),
        ("on", {}, "The \"listener\" argument must be of type function. Received an instance of Object"),
        ("on", True, "The \"listener\" argument must be of type function. Received type boolean (true)"),
    ],
)
def test_listener_must_be_callable(method: str, value: Any, message: str) -> None:
    e = EventEmitter()
    with pytest.raises(InvalidArgTypeError) as info:
        getattr(e, method)("x", value)
    assert isinstance(info.value, TypeError)
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    assert str(info.value) == message
    assert e.event_names() == []


# -- 'error' --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message", "context"),
    [
        # Node 24.21.0: emit('error') -> "Unhandled error. (undefined)", context undefined
        ((), "Unhandled error. (None)", None),
        # Node 24.21.0: emit('error', 'boom') -> "Unhandled error. ('boom')"
        (("boom",), "Unhandled error. ('boom')", "boom"),
        # Node 24.21.0: emit('error', 42) -> "Unhandled error. (42)"
        ((42,), "Unhandled error. (42)", 42),
        # Node 24.21.0: emit('error', {a: 1}) -> "Unhandled error. ({ a: 1 })" (inspect)
        (({"a": 1},), "Unhandled error. ({'a': 1})", {"a": 1}),
        # Node 24.21.0: emit('error', null) -> "Unhandled error. (null)"
        ((None,), "Unhandled error. (None)", None),
    ],
)
def test_unhandled_error_with_a_non_exception(args: tuple[Any, ...], message: str, context: Any) -> None:
    e = EventEmitter()
    with pytest.raises(UnhandledErrorEvent) as info:
        e.emit("error", *args)
    assert isinstance(info.value, NodeError)
    assert info.value.code == "ERR_UNHANDLED_ERROR"
    assert str(info.value) == message
    assert info.value.context == context


def test_unhandled_error_with_an_exception_raises_it() -> None:
    # Node 24.21.0: emit('error', new Error('real')) throws that same object;
    # emit('error', new TypeError('t'), 2) too.
    e = EventEmitter()
    err = ValueError("real")
    with pytest.raises(ValueError) as info:
        e.emit("error", err)
    assert info.value is err
    err2 = TypeError("t")
    with pytest.raises(TypeError) as info2:
        e.emit("error", err2, 2)
    assert info2.value is err2


def test_error_with_a_listener_is_an_ordinary_event() -> None:
    # Node 24.21.0: with an 'error' listener, emit('error', 'x') calls it and returns true;
    # after once('error') fired, the next emit('error', 2) throws "Unhandled error. (2)".
    e = EventEmitter()
    seen: list[Any] = []
    e.once("error", seen.append)
    assert e.emit("error", "x") is True
    assert seen == ["x"]
    with pytest.raises(UnhandledErrorEvent, match=r"^Unhandled error\. \(2\)$"):
        e.emit("error", 2)


# -- max listeners --------------------------------------------------------------------------


def test_max_listeners_defaults_and_validation() -> None:
    # Node 24.21.0: default 10; setMaxListeners(0) -> 0; (Infinity) -> Infinity; (1.5)
    # accepted; (-1) and (NaN) RangeError ERR_OUT_OF_RANGE 'The value of "setMaxListeners"
    # is out of range. It must be >= 0. Received -1'; ('3') TypeError ERR_INVALID_ARG_TYPE.
    e = EventEmitter()
    assert EventEmitter.default_max_listeners == 10
    assert e.get_max_listeners() == 10
    e.set_max_listeners(0)
    assert e.get_max_listeners() == 0
    e.set_max_listeners(math.inf)
    assert e.get_max_listeners() == math.inf
    e.set_max_listeners(1.5)
    assert e.get_max_listeners() == 1.5
    with pytest.raises(OutOfRangeError) as info:
        e.set_max_listeners(-1)
    assert info.value.code == "ERR_OUT_OF_RANGE"
    assert isinstance(info.value, ValueError)
    assert str(info.value) == 'The value of "set_max_listeners" is out of range. It must be >= 0. Received -1'
    with pytest.raises(OutOfRangeError, match="Received NaN$"):
        e.set_max_listeners(math.nan)
    for bad in ("3", None, True):
        with pytest.raises(InvalidArgTypeError) as info2:
            e.set_max_listeners(bad)  # type: ignore[arg-type]
        assert info2.value.code == "ERR_INVALID_ARG_TYPE"
    # Node 24.21.0: setMaxListeners('3') says 'The "setMaxListeners" argument must be of type
    # number. Received type string ('3')'.
    with pytest.raises(InvalidArgTypeError) as info3:
        e.set_max_listeners("3")  # type: ignore[arg-type]
    assert str(info3.value) == "The \"set_max_listeners\" argument must be of type number. Received type string ('3')"
    assert e.get_max_listeners() == 1.5


def test_class_default_applies_to_existing_emitters(monkeypatch: pytest.MonkeyPatch) -> None:
    # Node 24.21.0: an emitter created before EventEmitter.defaultMaxListeners = 5 reports 5.
    e = EventEmitter()
    monkeypatch.setattr(EventEmitter, "default_max_listeners", 5)
    assert e.get_max_listeners() == 5
    assert EventEmitter().get_max_listeners() == 5
    e.set_max_listeners(7)
    assert e.get_max_listeners() == 7


def _leak_message(count: int, event: str, cls: str, m: int) -> str:
    # Node 24.21.0's text, with setMaxListeners spelled set_max_listeners.
    return (
        f"Possible EventEmitter memory leak detected. {count} {event} listeners added to [{cls}]. "
        f"MaxListeners is {m}. Use emitter.set_max_listeners() to increase limit"
    )


def test_max_listeners_warning_once_per_event_until_rearmed() -> None:
    # Node 24.21.0, 12 x on('foo'): one warning, "11 foo listeners added to [EventEmitter].
    # MaxListeners is 10" (type 'foo', count 11). Removing down to 1 re-arms it (warns again
    # when re-added past 10); removing down to 2 does not; removeAllListeners re-arms it.
    e = EventEmitter()
    with pytest.warns(MaxListenersExceededWarning) as record:
        for _ in range(12):
            e.on("foo", noop)
    assert len(record) == 1
    w = record[0].message
    assert isinstance(w, MaxListenersExceededWarning)
    assert str(w) == _leak_message(11, "foo", "EventEmitter", 10)
    assert (w.emitter, w.event, w.count) == (e, "foo", 11)
    assert record[0].filename == __file__  # points at the caller, not at nodehttp

    for _ in range(11):
        e.off("foo", noop)
    assert e.listener_count("foo") == 1
    with pytest.warns(MaxListenersExceededWarning) as record:
        for _ in range(11):
            e.on("foo", noop)
    assert [str(r.message) for r in record] == [_leak_message(11, "foo", "EventEmitter", 10)]

    for _ in range(10):
        e.off("foo", noop)
    assert e.listener_count("foo") == 2
    for _ in range(10):  # filterwarnings=error: any warning here fails the test
        e.on("foo", noop)

    e.remove_all_listeners("foo")
    with pytest.warns(MaxListenersExceededWarning) as record:
        for _ in range(11):
            e.on("foo", noop)
    assert [str(r.message) for r in record] == [_leak_message(11, "foo", "EventEmitter", 10)]


def test_max_listeners_warning_variants() -> None:
    # Node 24.21.0: subclass Server -> "[Server]"; setMaxListeners(1) + 2 listeners ->
    # "2 a listeners ... MaxListeners is 1"; 11 once -> "11 o"; 11 prependListener -> "11 pp";
    # setMaxListeners(2) with x, y, x, x -> only "3 x ... MaxListeners is 2".
    class Server(EventEmitter):
        __slots__ = ()

    with pytest.warns(MaxListenersExceededWarning) as record:
        s = Server()
        for _ in range(11):
            s.on("bar", noop)
        o = EventEmitter().set_max_listeners(1)
        o.on("a", noop)
        o.on("a", noop)
        p = EventEmitter()
        for _ in range(11):
            p.once("o", noop)
        for _ in range(11):
            p.prepend_listener("pp", noop)
        q = EventEmitter().set_max_listeners(2)
        q.on("x", noop)
        q.on("y", noop)
        q.on("x", noop)
        q.on("x", noop)
    assert [str(r.message) for r in record] == [
        _leak_message(11, "bar", "Server", 10),
        _leak_message(2, "a", "EventEmitter", 1),
        _leak_message(11, "o", "EventEmitter", 10),
        _leak_message(11, "pp", "EventEmitter", 10),
        _leak_message(3, "x", "EventEmitter", 2),
    ]
    assert all(r.filename == __file__ for r in record)


def test_max_listeners_zero_and_infinity_never_warn() -> None:
    # Node 24.21.0: setMaxListeners(0) then 20 listeners: no warning.
    z = EventEmitter().set_max_listeners(0)
    i = EventEmitter().set_max_listeners(math.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(20):
            z.on("q", noop)
            i.on("q", noop)
    assert z.listener_count("q") == 20


# -- async listeners and slots --------------------------------------------------------------


def test_async_listener_without_runtime_raises_type_error() -> None:
    e = EventEmitter()
    ran: list[str] = []

    async def listener() -> None:
        ran.append("ran")  # pragma: no cover

    e.on("x", listener)
    # filterwarnings=error would also turn a "never awaited" RuntimeWarning into a failure
    with pytest.raises(TypeError, match="async listeners need the nodehttp runtime"):
        e.emit("x")
    assert ran == []


def test_spawn_hook_receives_awaitables() -> None:
    spawned: list[Any] = []

    class Runtime(EventEmitter):
        __slots__ = ()

        def _spawn(self, awaitable: Any) -> None:
            spawned.append(awaitable)
            awaitable.close()

    e = Runtime()

    async def a() -> None:
        pass  # pragma: no cover

    e.on("x", a)
    e.once("x", a)  # the once wrapper passes the listener's result through
    e.on("x", lambda: 5)  # a non-awaitable result is ignored, as Node ignores it
    assert e.emit("x") is True
    assert len(spawned) == 2


def test_slotted_subclasses_have_no_dict() -> None:
    class IncomingMessage(EventEmitter):
        __slots__ = ("url",)

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    m = IncomingMessage("/")
    assert not hasattr(m, "__dict__")
    assert not hasattr(EventEmitter(), "__dict__")
    m.on("data", noop)
    assert m.emit("data", b"x") is True


# -- events.once ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_once_resolves_with_the_args_and_cleans_up() -> None:
    # Node 24.21.0: while waiting listenerCount x 1, error 1; emit('x', 1, 2) returns true;
    # afterwards x 0, error 0; resolves [1,2]. A second emit with no args resolves [].
    e = EventEmitter()
    result: list[tuple[Any, ...]] = []

    async def waiter() -> None:
        result.append(await once(e, "x"))

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await wait_all_tasks_blocked()
        assert (e.listener_count("x"), e.listener_count("error")) == (1, 1)
        assert e.emit("x", 1, 2) is True
        assert (e.listener_count("x"), e.listener_count("error")) == (0, 0)
    assert result == [(1, 2)]

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await wait_all_tasks_blocked()
        e.emit("x")
    assert result[1] == ()


@pytest.mark.anyio
async def test_once_first_emit_wins() -> None:
    # Node 24.21.0: emit('x','first'); emit('x','second') -> ["first"]
    e = EventEmitter()
    result: list[tuple[Any, ...]] = []

    async def waiter() -> None:
        result.append(await once(e, "x"))

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await wait_all_tasks_blocked()
        e.emit("x", "first")
        assert e.emit("x", "second") is False
    assert result == [("first",)]


@pytest.mark.anyio
async def test_once_raises_when_error_comes_first() -> None:
    # Node 24.21.0: emit('error', err) returns true (the once 'error' listener handles it);
    # afterwards x 0, error 0; the promise rejects with the same err.
    e = EventEmitter()
    err = OSError("bad")
    caught: list[BaseException] = []

    async def waiter() -> None:
        try:
            await once(e, "x")
        except OSError as exc:
            caught.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await wait_all_tasks_blocked()
        assert e.emit("error", err) is True
        assert (e.listener_count("x"), e.listener_count("error")) == (0, 0)
    assert caught == [err]
    assert caught[0] is err


@pytest.mark.anyio
async def test_once_with_a_non_exception_error_value() -> None:
    # Node 24.21.0: emit('error', 'notanerror') rejects with the string itself; Python
    # cannot raise a string, so it is wrapped as emit wraps it, with the value as context.
    e = EventEmitter()
    caught: list[UnhandledErrorEvent] = []

    async def waiter() -> None:
        try:
            await once(e, "x")
        except UnhandledErrorEvent as exc:
            caught.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await wait_all_tasks_blocked()
        e.emit("error", "notanerror")
    assert [c.context for c in caught] == ["notanerror"]
    assert str(caught[0]) == "Unhandled error. ('notanerror')"


@pytest.mark.anyio
async def test_once_for_the_error_event_resolves() -> None:
    # Node 24.21.0: once(e, 'error') -> listenerCount('error') 1 while waiting; emit('error',
    # 'E') resolves ["E"], count 0 after.
    e = EventEmitter()
    result: list[tuple[Any, ...]] = []

    async def waiter() -> None:
        result.append(await once(e, "error"))

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await wait_all_tasks_blocked()
        assert e.listener_count("error") == 1
        assert e.emit("error", "E") is True
    assert result == [("E",)]
    assert e.listener_count("error") == 0


@pytest.mark.anyio
async def test_once_cancelled_removes_its_listeners() -> None:
    e = EventEmitter()
    removed: list[tuple[str, Any]] = []
    e.on("removeListener", lambda event, listener: removed.append((event, listener)))
    with anyio.move_on_after(0.01) as scope:
        await once(e, "x")
    assert scope.cancelled_caught
    assert (e.listener_count("x"), e.listener_count("error")) == (0, 0)
    assert [event for event, _ in removed] == ["x", "error"]
    # Without the leftover 'error' listener, an error is unhandled again.
    with pytest.raises(UnhandledErrorEvent):
        e.emit("error", "after")
    assert e.emit("x") is False


@pytest.mark.anyio
async def test_once_cancelled_from_a_task_group() -> None:
    e = EventEmitter()
    async with anyio.create_task_group() as tg:
        tg.start_soon(once, e, "x")
        tg.start_soon(once, e, "y")
        await wait_all_tasks_blocked()
        assert set(e.event_names()) == {"error", "x", "y"}  # task start order varies
        assert e.listener_count("error") == 2
        tg.cancel_scope.cancel()
    assert e.event_names() == []
