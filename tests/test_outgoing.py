"""OutgoingMessage's constructor, as its hot subclasses write it out."""

from __future__ import annotations

import pytest

from nodehttp import ClientRequest, EventEmitter, IncomingMessage, OutgoingMessage, ServerResponse, runtime

pytestmark = pytest.mark.anyio


async def test_subclasses_that_inline_the_constructor_set_what_it_sets(anyio_backend: str) -> None:
    """ServerResponse and ClientRequest write OutgoingMessage.__init__ (and
    EventEmitter.__init__) out for speed; a field added there must be added to them."""
    async with runtime() as rt:
        base = OutgoingMessage()
        res = ServerResponse(IncomingMessage(None))
        req = ClientRequest({"host": "127.0.0.1", "port": 9, "agent": False})
        req.on("error", lambda *_: None)  # the connection is refused
        req.destroy()
        for message in (res, req):
            assert set(vars(base)) <= set(vars(message)), type(message).__name__
            for slot in ("_events", "_max_listeners", "_warned"):
                getattr(message, slot)  # set, or AttributeError
            assert message._runtime is rt
        # IncomingMessage writes EventEmitter.__init__ out too.
        emitter = EventEmitter()
        message = IncomingMessage(None)
        for slot in ("_events", "_max_listeners", "_warned"):
            assert getattr(message, slot) == getattr(emitter, slot)
