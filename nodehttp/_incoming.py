"""IncomingMessage (Node's ``lib/_http_incoming.js``): a request on the server, a
response on the client; a readable stream of body chunks.

The stream keeps Node's observable rules that http relies on: a ``'data'`` listener
starts the flow, ``pause()``/``resume()`` stop and restart it (and reading from the
socket, for backpressure), ``'end'`` comes on a later tick once the body is complete and
consumed, and ``_dump()`` discards an unread body so the connection can go on.
Headers are built from ``raw_headers`` on first access, as Node 24 does.
"""

from __future__ import annotations

import codecs
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio

from ._events import EventEmitter
from ._headers import build_headers, build_headers_distinct
from ._runtime import Runtime, current_runtime

__all__ = ["IncomingMessage"]

# Node 24's Readable highWaterMark for IncomingMessage (getDefaultHighWaterMark(): 64 KiB
# since Node 22; 16 KiB before).
HIGH_WATER_MARK = 65536

# Node's encoding names that Python spells otherwise.
_PY_ENCODINGS = {"latin1": "latin-1", "binary": "latin-1", "ucs2": "utf-16-le", "utf16le": "utf-16-le"}


class IncomingMessage(EventEmitter):
    """Node's ``http.IncomingMessage``."""

    # Defaults live on the class: one is made per request, and most stay untouched.
    http_version_major = 1
    http_version_minor = 1
    http_version = "1.1"
    method: str | None = None
    url = ""
    status_code: int | None = None
    status_message: str | None = None
    join_duplicate_headers = False
    complete = False
    aborted = False
    upgrade = False
    _headers: dict[str, Any] | None = None
    _trailers: dict[str, Any] | None = None
    # Readable state.
    _buffered = 0
    _stopped = False  # _push asked the server to stop reading the socket
    _flowing: bool | None = None  # None: nobody asked yet (Node's readableFlowing)
    _ended = False  # the body is complete (push(null))
    readable_ended = False  # 'end' was emitted
    readable_encoding: str | None = None  # what set_encoding was given
    readable_high_water_mark = HIGH_WATER_MARK
    readable_object_mode = False
    closed = False  # 'close' was emitted
    errored: BaseException | None = None  # the error destroy() was given
    _consuming = False
    _dumped = False
    _end_scheduled = False
    destroyed = False
    on_resume: Callable[[], Any] | None = None  # the server's readStart
    _decoder: codecs.IncrementalDecoder | None = None  # set_encoding's
    _skip_pending_data = False  # Node's kSkipPendingData: a broken server's extra message
    # Node's Readable: chunks pushed before the first read are buffered (state.sync) and a
    # resume runs on the next tick (resumeScheduled).
    _sync = True
    _resume_scheduled = False
    _on_end: Callable[[IncomingMessage], Any] | None = None  # runs before the 'end' listeners
    _req_ref: weakref.ref[Any] | None = None
    # 'readable' (Node's readableListening, needReadable, emittedReadable).
    _readable_listening = False
    _need_readable = False
    _emitted_readable = False

    def __init__(self, socket: Any, runtime: Runtime | None = None) -> None:
        # EventEmitter.__init__ written out: one message is made per request.
        self._events = {}
        self._max_listeners = None
        self._warned = None
        self._runtime = runtime or current_runtime()
        self.socket = socket
        self.raw_headers: list[str] = []
        self.raw_trailers: list[str] = []
        # A list, not a deque: every request has one and it is rarely more than a chunk or
        # two long, while an empty deque weighs ten times an empty list.
        self._buffer: list[bytes] = []
        self._read_waiters: list[anyio.Event] = []

    @property
    def req(self) -> Any:
        """A client response's ClientRequest (Node's internal ``res.req``), while anything
        else holds that request; None on the server and once the request is gone.

        Held weakly: the request holds its response (``req.res``), and a link back as
        strong as Node's would make every exchange a reference cycle, left for Python's
        cyclic collector instead of being freed when the program drops it.
        """
        ref = self._req_ref
        return None if ref is None else ref()

    @req.setter
    def req(self, value: Any) -> None:
        self._req_ref = None if value is None else weakref.ref(value)

    # Headers ---------------------------------------------------------------------------
    @property
    def headers(self) -> dict[str, Any]:
        """Lower-cased names; duplicates joined by Node's rules (see ``_headers``)."""
        if self._headers is None:
            self._headers = build_headers(self.raw_headers, self.join_duplicate_headers)
        return self._headers

    @headers.setter
    def headers(self, value: dict[str, Any]) -> None:
        self._headers = value

    @property
    def headers_distinct(self) -> dict[str, list[str]]:
        return build_headers_distinct(self.raw_headers)

    @property
    def trailers(self) -> dict[str, Any]:
        if self._trailers is None:
            self._trailers = build_headers(self.raw_trailers, self.join_duplicate_headers)
        return self._trailers

    @property
    def trailers_distinct(self) -> dict[str, list[str]]:
        return build_headers_distinct(self.raw_trailers)

    @property
    def connection(self) -> Any:
        return self.socket

    def set_timeout(self, msecs: float, callback: Callable[..., Any] | None = None) -> IncomingMessage:
        if callback is not None:
            self.on("timeout", callback)
        if self.socket is not None:
            self.socket.set_timeout(msecs)
        return self

    # Readable, as the parser feeds it ----------------------------------------------------
    def _push(self, chunk: bytes) -> bool:
        """A body chunk from the parser; False asks the caller to stop reading the socket."""
        if self._dumped or self.destroyed:
            return True  # a destroyed Readable drops what is pushed to it, as Node's does
        if self._flowing and not self._buffer and not self._sync:
            self._data(chunk)
            return True
        self._buffer.append(chunk)
        self._buffered += len(chunk)
        if self._read_waiters:
            self._wake_readers()
        if self._need_readable:
            self._emit_readable()
        if self._buffered >= HIGH_WATER_MARK:
            self._stopped = True
            return False
        return True

    def _take(self) -> bytes:
        chunk = self._buffer.pop(0)
        self._buffered -= len(chunk)
        if self._stopped and self._buffered < HIGH_WATER_MARK:
            self._stopped = False
            if self.on_resume is not None:
                self.on_resume()
        return chunk

    def _push_end(self) -> None:
        """The body is complete."""
        self._ended = True
        if self._read_waiters:
            self._wake_readers()
        if self._readable_listening:
            # Node's onEofChunk: 'readable' says the end is there; read() then ends it.
            if self._sync:
                self._emit_readable()
            else:
                self._need_readable = False
                self._emitted_readable = True
                self._emit_readable_now()
            return
        # _maybe_end, written out: this runs once per request.
        if (not self._buffer and not self.readable_ended and not self._end_scheduled
                and (self._flowing or self._dumped or self._consuming)):
            self._end_scheduled = True
            self._runtime.next_tick(self._emit_end)

    def _maybe_end(self) -> None:
        # Node emits 'end' on a later tick, once the body is complete and consumed.
        if self._ended and not self._buffer and not self.readable_ended and not self._end_scheduled:
            if self._flowing or self._dumped or self._consuming:
                self._end_scheduled = True
                self._runtime.next_tick(self._emit_end)

    def _emit_end(self) -> None:
        self.readable_ended = True
        if self._decoder is not None:
            tail = self._decoder.decode(b"", final=True)
            if tail:
                self.emit("data", tail)
        hook = self._on_end
        if hook is not None:
            # The client's responseOnEnd: Node's first 'end' listener (added before anyone
            # saw the message), called here without a listener per response.
            self._on_end = None
            hook(self)
        self.emit("end")
        # Node's autoDestroy: a message read to its end is destroyed once the 'end'
        # listeners have run, so 'close' follows two ticks on (a server's request too).
        if not self.destroyed:
            self.destroy()

    def on(self, event: Any, listener: Any) -> IncomingMessage:
        self._add_listener(event, listener, False)  # EventEmitter.on's body
        if event == "data":
            if self._flowing is not False:
                self.resume()
        elif event == "readable" and not self.readable_ended and not self._readable_listening:
            # Node: a 'readable' listener takes the stream out of flowing mode; read()
            # hands out what is buffered, 'readable' says when there is more (or the end).
            self._readable_listening = self._need_readable = True
            self._flowing = False
            self._emitted_readable = False
            if self._buffer:
                self._emit_readable()
            else:
                self._runtime.next_tick(self._read, 0)
        return self

    add_listener = on

    def remove_listener(self, event: Any, listener: Any) -> IncomingMessage:
        super().remove_listener(event, listener)
        if event == "readable":
            self._runtime.next_tick(self._update_readable_listening)
        return self

    off = remove_listener

    def remove_all_listeners(self, event: Any = None) -> IncomingMessage:
        super().remove_all_listeners(event)
        if event == "readable" or event is None:
            self._runtime.next_tick(self._update_readable_listening)
        return self

    def _update_readable_listening(self) -> None:
        # Node's updateReadableListening: without 'readable' listeners, 'data' ones flow.
        self._readable_listening = self.listener_count("readable") > 0
        if not self._readable_listening:
            # Back to the 'data' flow, which hands out the buffer by itself.
            self._need_readable = self._emitted_readable = False
        if self._resume_scheduled and self._flowing is not False:
            self._flowing = True
        elif self.listener_count("data"):
            self.resume()
        elif not self._readable_listening:
            self._flowing = None

    def _emit_readable(self) -> None:
        self._need_readable = False
        if not self._emitted_readable:
            self._emitted_readable = True
            self._runtime.next_tick(self._emit_readable_now)

    def _emit_readable_now(self) -> None:
        if not self.destroyed and (self._buffer or self._ended):
            self.emit("readable")
            self._emitted_readable = False
        self._need_readable = not self._flowing and not self._ended and self._buffered <= HIGH_WATER_MARK
        while self._flowing and self._read(None) is not None:
            pass

    def resume(self) -> IncomingMessage:
        """Flowing mode: buffered and future chunks go to 'data' listeners, starting on a
        later tick (Node's resume is scheduled: data that came with the head is seen after
        whatever else that read brings, such as a parse error)."""
        self._consuming = True
        if not self._flowing:
            self._flowing = not self._readable_listening
            if not self._resume_scheduled:
                self._resume_scheduled = True
                self._runtime.next_tick(self._flow)
        return self

    def _flow(self) -> None:
        self._resume_scheduled = False
        self._sync = False
        buffer = self._buffer
        while buffer and self._flowing:
            if self._stopped:
                chunk = self._take()
            else:
                chunk = buffer.pop(0)  # _take, written out for the usual chunk
                self._buffered -= len(chunk)
            if not buffer and self._ended:
                # Node's read() schedules the end before it hands out the last chunk: ticks
                # the last 'data' listeners queue run after 'end'.
                self._end_readable()
            if self._decoder is None:
                self.emit("data", chunk)
            else:
                self._data(chunk)
        if self._ended and not buffer and not self.readable_ended and not self._end_scheduled:
            # _maybe_end, written out.
            if self._flowing or self._dumped or self._consuming:
                self._end_scheduled = True
                self._runtime.next_tick(self._emit_end)

    def pause(self) -> IncomingMessage:
        """Stop 'data' events; chunks are buffered until the high-water mark, then the
        socket stops being read."""
        self._flowing = False
        return self

    def is_paused(self) -> bool:
        return self._flowing is False

    def set_encoding(self, encoding: str) -> IncomingMessage:
        """Deliver 'data' as ``str`` decoded with ``encoding`` (a multi-byte character cut
        between chunks is decoded whole, as Node's StringDecoder does)."""
        self._decoder = codecs.getincrementaldecoder(_PY_ENCODINGS.get(encoding, encoding))()
        self.readable_encoding = encoding
        return self

    # Node's Readable state, read-only -------------------------------------------------
    @property
    def readable(self) -> bool:
        """True until 'end' was emitted or the message was destroyed."""
        return not self.readable_ended and not self.destroyed

    @property
    def readable_flowing(self) -> bool | None:
        """None until 'data' is listened to or resume()/pause() is called; then whether
        'data' flows (False while paused)."""
        return self._flowing

    @property
    def readable_length(self) -> int:
        """Bytes received and not yet handed out."""
        return self._buffered

    @property
    def readable_aborted(self) -> bool:
        """Destroyed before 'end' was emitted."""
        return self.destroyed and not self.readable_ended

    def _data(self, chunk: bytes) -> None:
        decoder = self._decoder
        if decoder is None:
            self.emit("data", chunk)
        else:
            text = decoder.decode(chunk)
            if text:
                self.emit("data", text)

    def pipe(self, destination: Any, end: bool = True) -> Any:
        """Write every chunk to ``destination`` (anything with ``write``/``end`` and a
        'drain' event), pausing while it asks to, and end it at the end (Node's pipe)."""
        def on_data(chunk: Any) -> None:
            if destination.write(chunk) is False:
                self.pause()
                destination.once("drain", self.resume)

        self.on("data", on_data)
        if end:
            self.once("end", destination.end)
        return destination

    def read(self) -> bytes | str | None:
        """Everything buffered (also handed to the 'data' listeners), or None (Node's
        ``read()`` with no size); ``str`` after :meth:`set_encoding`. Once the body is
        complete and read, 'end' follows."""
        if not self._readable_listening:
            self._consuming = True
            self._sync = False
            data = b"".join(self._take() for _ in range(len(self._buffer))) if self._buffer else None
            self._maybe_end()
            return None if data is None else self._hand_out(data)
        return self._read(None)

    def _hand_out(self, data: bytes) -> bytes | str:
        # What read() returns is also what its 'data' listeners get.
        if self._decoder is None:
            self.emit("data", data)
            return data
        text = self._decoder.decode(data)
        self.emit("data", text)
        return text

    def _read(self, size: int | None) -> bytes | str | None:
        # Node's Readable.read(n), for n None (everything) or 0 (no data, only the
        # side effects: a 'readable' or the end), while 'readable' has listeners.
        if size is None:
            self._emitted_readable = False
        length = self._buffered
        ended = self._ended
        if size == 0 and self._need_readable and (length > 0 or ended):
            if length == 0 and ended:
                self._end_readable()
            else:
                self._emit_readable()
            return None
        wanted = 0 if size == 0 or (length == 0 and ended) else length
        if wanted == 0 and ended:
            if length == 0:
                self._end_readable()
            return None
        if not ended and not self.destroyed:
            # Node calls _read here: the message is being consumed, the socket may read.
            if length == 0:
                self._need_readable = True
            self._consuming = True
            self._sync = False
            if self._stopped and self.on_resume is not None:
                self._stopped = False
                self.on_resume()
        data: bytes | None = None
        if wanted > 0:
            data = b"".join(self._take() for _ in range(len(self._buffer)))
        else:
            self._need_readable = self._buffered <= HIGH_WATER_MARK
        if self._buffered == 0:
            if not self._ended:
                self._need_readable = True
            if size is None and self._ended:
                self._end_readable()
        return None if data is None else self._hand_out(data)

    def _end_readable(self) -> None:
        # Node's endReadable: 'end' on a later tick, once.
        if not self.readable_ended and not self._end_scheduled:
            self._end_scheduled = True
            self._runtime.next_tick(self._emit_end)

    def _dump(self) -> None:
        """Discard the body nobody read, so that the connection can go on (Node's _dump)."""
        if not self._dumped:
            self._dumped = True
            while self._buffer:
                self._take()
            self.resume()

    def destroy(self, error: BaseException | None = None) -> IncomingMessage:
        """Node's destroy: 'aborted' unless the body was read to its end (the socket goes
        with it then), and 'error' (when given and listened to) and 'close' two ticks on."""
        if not self.destroyed:
            self.destroyed = True
            if error is not None:
                self.errored = error
            if not self.readable_ended or not self.complete:
                self.aborted = True
                self.emit("aborted")
            if self._read_waiters:
                self._wake_readers()
            if self.socket is not None and self.aborted:
                self.socket.destroy(error)
            self._runtime.next_tick(self._runtime.next_tick, self._emit_destroyed, error)
        return self

    def _emit_destroyed(self, error: BaseException | None) -> None:
        if error is not None and self.listener_count("error"):
            self.emit("error", error)
        self.closed = True
        self.emit("close")

    # Python conveniences ---------------------------------------------------------------
    def _wake_readers(self) -> None:
        waiters, self._read_waiters = self._read_waiters, []
        for event in waiters:
            event.set()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """``async for chunk in req``: the body chunks, with backpressure to the socket."""
        self._consuming = True
        while True:
            if self._buffer:
                yield self._take()
                continue
            if self._ended:
                self._maybe_end()
                return
            if self.destroyed:
                return
            event = anyio.Event()
            self._read_waiters.append(event)
            await event.wait()
