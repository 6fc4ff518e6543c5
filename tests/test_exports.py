"""The public surface: exactly these names, each importable, typed."""

from __future__ import annotations

from pathlib import Path

import nodehttp

PUBLIC = {
    "Agent", "ClientRequest", "EventEmitter", "HTTPParser", "IncomingMessage", "LLHTTP_VERSION",
    "METHODS", "NodeError", "OutgoingMessage", "ParseError", "STATUS_CODES", "Server",
    "ServerResponse", "create_client", "create_server", "current_runtime", "get", "global_agent",
    "https", "max_header_size", "net", "Runtime", "once", "request", "run", "runtime", "validate_header_name",
    "validate_header_value",
}


def test_exports_are_exactly_the_public_api() -> None:
    assert set(nodehttp.__all__) == PUBLIC
    assert len(nodehttp.__all__) == len(PUBLIC)
    for name in PUBLIC:
        assert getattr(nodehttp, name) is not None


def test_public_callables_have_docstrings() -> None:
    for name in PUBLIC:
        value = getattr(nodehttp, name)
        if callable(value):
            assert (value.__doc__ or "").strip(), name


def test_package_is_typed() -> None:
    package = Path(nodehttp.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_llhttp.pyi").is_file()


# The submodules' own public lists (they are not imported by ``import nodehttp``'s names
# but are public: ``from nodehttp import https``, ``import nodehttp.asgi``).
SUBMODULES = {
    "nodehttp.https": {"Agent", "Server", "create_server", "get", "global_agent", "request"},
    "nodehttp.net": {"Server", "Socket", "SocketError", "connect", "create_connection", "create_server"},
    "nodehttp.asgi": {
        "ASGIApp", "ASGIHandler", "ClientDisconnectedError", "Lifespan", "LifespanFailureError",
        "Message", "Receive", "Scope", "Send", "create_asgi_server", "import_app", "lifespan",
        "main", "run", "serve",
    },
}


def test_submodule_exports_are_exactly_their_public_api() -> None:
    import importlib
    import inspect

    for name, public in SUBMODULES.items():
        module = importlib.import_module(name)
        assert set(module.__all__) == public, name
        for attr in public:
            value = getattr(module, attr)
            if inspect.isfunction(value) or inspect.isclass(value):
                assert (value.__doc__ or "").strip(), f"{name}.{attr}"
