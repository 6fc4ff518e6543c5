"""nodehttp.https on both backends, with certificates from trustme.

Every expected error code, message and socket property below was observed from the
reference Node 24.21.0 in the same situation: a Node https server and client built with
the same kinds of certificates (a trustme CA; a leaf it issued for localhost and
127.0.0.1; a leaf of another CA; a leaf for example.org only; a self-signed leaf),
and, for each server-side case, a Node client against a nodehttp server and the reverse,
which gave the same codes as Node against Node (except where a test says otherwise).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import pytest
import trustme
from anyio.streams.tls import TLSStream
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

import nodehttp
from nodehttp import IncomingMessage, ServerResponse, https
from nodehttp._net import Socket
from nodehttp._tls import CertificateError, TLSError, TLSSocket, _pem_paths, client_context, server_context

from ._loopback import close, listen

pytestmark = pytest.mark.anyio

LOOPBACK = "127.0.0.1"
TIMEOUT = 10


class Certs:
    """PEM material: a trusted CA, an untrusted one, and leaves for each case."""

    def __init__(self) -> None:
        self.ca = trustme.CA()
        self.other_ca = trustme.CA()
        self.ca_pem = self.ca.cert_pem.bytes()
        self.server = self._pair(self.ca.issue_cert("localhost", "127.0.0.1"))
        self.untrusted = self._pair(self.other_ca.issue_cert("localhost", "127.0.0.1"))
        self.mismatch = self._pair(self.ca.issue_cert("example.org"))
        self.client = self._pair(self.ca.issue_cert("client@example.org", common_name="client"))
        self.other_client = self._pair(self.other_ca.issue_cert("client@example.org", common_name="client"))
        self.self_signed = _self_signed()

    @staticmethod
    def _pair(cert: trustme.LeafCert) -> dict[str, bytes]:
        return {"key": cert.private_key_pem.bytes(), "cert": b"".join(p.bytes() for p in cert.cert_chain_pems)}


def _self_signed() -> dict[str, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOOPBACK))]), critical=False)
            .sign(key, hashes.SHA256()))
    return {
        "key": key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()),
        "cert": cert.public_bytes(serialization.Encoding.PEM),
    }


@pytest.fixture(scope="module")
def certs() -> Certs:
    return Certs()


class Result:
    """What one request produced."""

    def __init__(self) -> None:
        self.res: IncomingMessage | None = None
        self.body = b""
        self.error: BaseException | None = None
        self.socket: Any = None
        self.done = anyio.Event()


def fetch(url: str | None = None, /, **options: Any) -> tuple[Any, Result]:
    """``https.get(url, options)`` (or ``https.get(options)``); the Result fills in, ``done``
    at the request's 'close'."""
    result = Result()

    def on_response(res: IncomingMessage) -> None:
        result.res = res
        chunks: list[bytes] = []
        res.on("data", chunks.append)
        res.on("end", lambda: setattr(result, "body", b"".join(chunks)))

    req = https.get(url, options, on_response) if url is not None else https.get(options, on_response)
    req.on("error", lambda err: setattr(result, "error", err))
    req.on("socket", lambda sock: setattr(result, "socket", sock))
    req.on("close", result.done.set)
    return req, result


def describe(req: IncomingMessage, res: ServerResponse) -> None:
    """Answers with what the server knows of the connection."""
    sock = req.socket
    assert isinstance(sock, TLSSocket)
    peer = sock.get_peer_certificate()
    res.set_header("X-Authorized", str(sock.authorized))
    res.set_header("X-Authorization-Error", str(sock.authorization_error))
    res.set_header("X-Peer-CN", str(peer.get("subject", {}).get("CN")))
    res.set_header("X-Encrypted", str(sock.encrypted))
    res.set_header("X-Servername", str(sock.servername))
    res.end(f"{req.method} {req.url} {req.headers.get('host')}")


@asynccontextmanager
async def https_server(options: dict[str, Any], handler: Callable[..., Any] = describe
                       ) -> AsyncIterator[tuple[https.Server, int, list[BaseException]]]:
    """A listening https.Server; yields it, its port and the 'tlsClientError' errors."""
    server = https.create_server(options, handler)
    tls_errors: list[BaseException] = []
    server.on("tlsClientError", lambda err, sock: tls_errors.append(err))
    port = await listen(server)
    try:
        yield server, port, tls_errors
    finally:
        await close(server)


async def wait_for(predicate: Callable[[], bool]) -> None:
    while not predicate():
        await anyio.sleep(0.005)


# Round trips --------------------------------------------------------------------------
async def test_round_trip(anyio_backend: str, certs: Certs) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(certs.server) as (server, port, tls_errors):
                secure: list[Socket] = []
                server.on("secureConnection", secure.append)
                _, result = fetch(f"https://localhost:{port}/a?b=c", ca=certs.ca_pem, agent=False)
                await result.done.wait()
                assert result.error is None and result.res is not None
                assert result.res.status_code == 200
                assert result.body == f"GET /a?b=c localhost:{port}".encode()
                headers = result.res.headers
                # Node's server-side socket without request_cert: not authorized, no error.
                assert headers["x-authorized"] == "False" and headers["x-authorization-error"] == "None"
                assert headers["x-encrypted"] == "True"
                assert headers["x-servername"] == "localhost"  # the SNI name the client sent
                client_socket = result.socket
                assert isinstance(client_socket, TLSSocket)
                assert client_socket.authorized is True and client_socket.authorization_error is None
                assert client_socket.get_protocol() == "TLSv1.3"
                # Node's client offers no ALPN; the server would have chosen http/1.1.
                assert client_socket.alpn_protocol is False
                peer = client_socket.get_peer_certificate()
                assert peer["subjectaltname"] == "DNS:localhost, IP Address:127.0.0.1"
                assert peer["raw"] == ssl.PEM_cert_to_DER_cert(certs.server["cert"].decode())
                assert len(secure) == 1 and isinstance(secure[0], TLSSocket)
                assert tls_errors == []


async def test_post_body_over_ip_with_str_pem(anyio_backend: str, certs: Certs) -> None:
    def echo(req: IncomingMessage, res: ServerResponse) -> None:
        chunks: list[bytes] = []
        req.on("data", chunks.append)
        req.on("end", lambda: res.end(b"echo:" + b"".join(chunks)))

    options = {"key": certs.server["key"].decode(), "cert": certs.server["cert"].decode()}
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(options, echo) as (_, port, _errors):
                result = Result()
                chunks: list[bytes] = []

                def on_response(res: IncomingMessage) -> None:
                    result.res = res
                    res.on("data", chunks.append)

                req = https.request({"host": LOOPBACK, "port": port, "method": "POST", "agent": False,
                                     "ca": certs.ca_pem.decode()}, on_response)
                req.on("close", result.done.set)
                req.on("error", lambda err: setattr(result, "error", err))
                req.write(b"x" * 100_000)
                req.end(b"!")
                await result.done.wait()
                assert result.error is None
                assert b"".join(chunks) == b"echo:" + b"x" * 100_000 + b"!"


async def test_secure_context_both_sides(anyio_backend: str, certs: Certs) -> None:
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certs.ca.issue_cert("localhost").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    certs.ca.configure_trust(client_ctx)
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server({"secure_context": server_ctx}) as (_, port, _errors):
                _, result = fetch(host="localhost", port=port, secure_context=client_ctx, agent=False)
                await result.done.wait()
                assert result.error is None and result.res is not None and result.res.status_code == 200
                _, aliased = fetch(host="localhost", port=port, ssl_context=client_ctx, agent=False)
                await aliased.done.wait()
                assert aliased.error is None


# Verification failures (codes and messages observed from Node) ---------------------------
@pytest.mark.parametrize(("leaf", "options", "code", "message"), [
    ("self_signed", {}, "DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"),
    ("self_signed", {"ca": "ca"}, "DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"),
    ("untrusted", {"ca": "ca"}, "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"),
    ("server", {}, "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"),
    ("mismatch", {"ca": "ca", "host": "localhost"}, "ERR_TLS_CERT_ALTNAME_INVALID",
     "Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: "
     "DNS:example.org"),
    ("mismatch", {"ca": "ca"}, "ERR_TLS_CERT_ALTNAME_INVALID",
     "Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: "),
    ("server", {"ca": "ca", "servername": "example.org"}, "ERR_TLS_CERT_ALTNAME_INVALID",
     "Hostname/IP does not match certificate's altnames: Host: example.org. is not in the cert's altnames: "
     "DNS:localhost, IP Address:127.0.0.1"),
], ids=["self-signed", "self-signed-other-ca", "unknown-ca", "default-cas", "name", "ip", "servername"])
async def test_refused_certificate(anyio_backend: str, certs: Certs, leaf: str, options: dict[str, Any],
                                   code: str, message: str) -> None:
    options = {"host": LOOPBACK, "agent": False, **options}
    if options.get("ca") == "ca":
        options["ca"] = certs.ca_pem
    served: list[str] = []
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(getattr(certs, leaf), lambda q, s: served.append(q.url)) as (_, port, errors):
                _, result = fetch(port=port, **options)
                await result.done.wait()
                assert isinstance(result.error, CertificateError)
                assert isinstance(result.error, ssl.SSLCertVerificationError)
                assert result.error.code == code
                assert str(result.error) == message
                assert result.res is None and served == []
                # Node's server, whose client hung up on it: ECONNRESET "socket hang up".
                await wait_for(lambda: bool(errors))
                assert [(getattr(e, "code", None), str(e)) for e in errors] == [("ECONNRESET", "socket hang up")]


async def test_reject_unauthorized_false_accepts_any_certificate(anyio_backend: str, certs: Certs) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(certs.untrusted) as (_, port, _errors):
                _, result = fetch(host="localhost", port=port, ca=certs.ca_pem, reject_unauthorized=False,
                                  agent=False)
                await result.done.wait()
                assert result.error is None and result.res is not None and result.res.status_code == 200
                assert result.socket.authorized is False
                # Without verification Python decodes nothing of the certificate.
                assert set(result.socket.get_peer_certificate()) == {
                    "fingerprint", "fingerprint256", "fingerprint512", "raw"}


# Client certificates --------------------------------------------------------------------
async def test_client_certificate_required(anyio_backend: str, certs: Certs) -> None:
    options = {**certs.server, "ca": certs.ca_pem, "request_cert": True, "reject_unauthorized": True}
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(options) as (_, port, errors):
                _, good = fetch(host="localhost", port=port, ca=certs.ca_pem, agent=False, **certs.client)
                await good.done.wait()
                assert good.error is None and good.res is not None
                assert good.res.headers["x-authorized"] == "True"
                assert good.res.headers["x-authorization-error"] == "None"
                assert good.res.headers["x-peer-cn"] == "client"

                # No certificate (TLS 1.3: the client learns it from the server's alert).
                _, none = fetch(host="localhost", port=port, ca=certs.ca_pem, agent=False)
                await none.done.wait()
                assert isinstance(none.error, TLSError)
                assert none.error.code == "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"
                await wait_for(lambda: len(errors) == 1)
                assert getattr(errors[0], "code", None) == "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE"

                # A certificate from another CA: Node's server hangs up without an alert.
                _, other = fetch(host="localhost", port=port, ca=certs.ca_pem, agent=False, **certs.other_client)
                await other.done.wait()
                assert getattr(other.error, "code", None) == "ECONNRESET"
                await wait_for(lambda: len(errors) == 2)
                assert (getattr(errors[1], "code", None), str(errors[1])) == ("ECONNRESET", "socket hang up")


async def test_client_certificate_over_tls12(anyio_backend: str, certs: Certs) -> None:
    options = {**certs.server, "ca": certs.ca_pem, "request_cert": True}
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(options) as (_, port, errors):
                _, result = fetch(host="localhost", port=port, ca=certs.ca_pem, max_version="TLSv1.2", agent=False)
                await result.done.wait()
                # A failed client handshake is EPROTO in Node, whatever OpenSSL's reason.
                assert isinstance(result.error, TLSError) and isinstance(result.error, ssl.SSLError)
                assert result.error.code == "EPROTO" and result.error.syscall == "write"
                assert str(result.error).startswith("write EPROTO ")
                await wait_for(lambda: bool(errors))
                assert getattr(errors[0], "code", None) == "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE"


async def test_client_certificate_optional(anyio_backend: str, certs: Certs) -> None:
    options = {**certs.server, "ca": certs.ca_pem, "request_cert": True, "reject_unauthorized": False}
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(options) as (_, port, _errors):
                _, none = fetch(host="localhost", port=port, ca=certs.ca_pem, agent=False)
                await none.done.wait()
                assert none.error is None and none.res is not None
                assert none.res.headers["x-authorized"] == "False"
                assert none.res.headers["x-authorization-error"] == "UNABLE_TO_GET_ISSUER_CERT"
                assert none.res.headers["x-peer-cn"] == "None"


# Keep-alive, upgrade, close -------------------------------------------------------------
async def test_keep_alive_agent_reuses_the_tls_socket(anyio_backend: str, certs: Certs) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(certs.server) as (server, port, _errors):
                connections: list[Socket] = []
                server.on("secureConnection", connections.append)
                agent = https.Agent(keep_alive=True, ca=certs.ca_pem)
                first_req, first = fetch(host="localhost", port=port, agent=agent)
                await first.done.wait()
                name = agent.get_name({"host": "localhost", "port": port, "ca": certs.ca_pem,
                                       "servername": "localhost"})
                await wait_for(lambda: name in agent.free_sockets)
                second_req, second = fetch(host="localhost", port=port, agent=agent)
                await second.done.wait()
                assert first.error is None and second.error is None
                assert first_req.reused_socket is False and second_req.reused_socket is True
                assert first.socket is second.socket and isinstance(first.socket, TLSSocket)
                assert len(connections) == 1
                agent.destroy()


async def test_upgrade_over_tls(anyio_backend: str, certs: Certs) -> None:
    server_sockets: list[Socket] = []

    def on_upgrade(req: IncomingMessage, sock: Socket, head: bytes) -> None:
        server_sockets.append(sock)
        sock.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
        if head:
            sock.write(b"head:" + head)
        sock.on("data", lambda data: sock.write(b"echo:" + data))

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(certs.server) as (server, port, _errors):
                server.on("upgrade", on_upgrade)
                got: list[bytes] = []
                done = anyio.Event()
                upgraded: dict[str, Any] = {}

                def on_data(data: bytes) -> None:
                    got.append(data)
                    if b"".join(got) == b"echo:ping":
                        done.set()

                def on_client_upgrade(res: IncomingMessage, sock: Socket, head: bytes) -> None:
                    upgraded.update(status=res.status_code, socket=sock, head=head)
                    sock.on("data", on_data)
                    sock.write(b"ping")

                req = https.request({"host": "localhost", "port": port, "ca": certs.ca_pem, "agent": False,
                                     "headers": {"Connection": "Upgrade", "Upgrade": "echo"}})
                req.on("upgrade", on_client_upgrade)
                req.end()
                await done.wait()
                assert upgraded["status"] == 101 and upgraded["head"] == b""
                assert isinstance(upgraded["socket"], TLSSocket)
                assert b"".join(got) == b"echo:ping"
                assert len(server_sockets) == 1 and isinstance(server_sockets[0], TLSSocket)
                # An upgraded socket is the application's: server.close() leaves it be (Node).
                upgraded["socket"].destroy()
                server_sockets[0].destroy()


async def test_server_end_sends_close_notify(anyio_backend: str, certs: Certs) -> None:
    """A response with Connection: close ends with close_notify, then the FIN: a strict
    TLS peer sees a clean end of stream, not a truncation."""
    client_ctx = ssl.create_default_context()
    certs.ca.configure_trust(client_ctx)
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(certs.server) as (_, port, _errors):
                tcp = await anyio.connect_tcp(LOOPBACK, port)
                stream = await TLSStream.wrap(tcp, hostname="localhost", ssl_context=client_ctx,
                                              standard_compatible=True)
                await stream.send(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                received = b""
                with pytest.raises(anyio.EndOfStream):
                    while True:
                        received += await stream.receive()
                assert received.startswith(b"HTTP/1.1 200 OK\r\n")
                assert received.endswith(b"GET / localhost")
                await stream.aclose()


@pytest.mark.parametrize(("response", "complete"), [
    (b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello", True),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nhello", False),
], ids=["read-until-close", "cut-short"])
async def test_peer_closing_without_close_notify(anyio_backend: str, certs: Certs, response: bytes,
                                                 complete: bool) -> None:
    """As Node: an EOF without close_notify is an ordinary end; a body it cuts short is
    'aborted' (observed with a server that closed TCP without close_notify)."""
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certs.ca.issue_cert("localhost").configure_cert(server_ctx)

    async def handle(tcp: anyio.abc.SocketStream) -> None:
        stream = await TLSStream.wrap(tcp, server_side=True, ssl_context=server_ctx, standard_compatible=False)
        data = b""
        while b"\r\n\r\n" not in data:
            data += await stream.receive()
        await stream.send(response)
        await tcp.aclose()  # the TCP socket, without close_notify

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            listener = await anyio.create_tcp_listener(local_host=LOOPBACK, local_port=0)
            port = listener.extra(anyio.abc.SocketAttribute.local_port)
            async with listener, anyio.create_task_group() as tg:
                tg.start_soon(listener.serve, handle)
                events: list[str] = []
                req, result = fetch(host="localhost", port=port, ca=certs.ca_pem, agent=False)

                def on_response(res: IncomingMessage) -> None:
                    res.on("end", lambda: events.append("end"))
                    res.on("aborted", lambda: events.append("aborted"))
                    res.on("error", lambda err: events.append(f"error {err.code} {err}"))

                req.on("response", on_response)
                await result.done.wait()
                assert result.error is None and result.res is not None
                assert result.res.complete is complete
                if complete:
                    assert result.body == b"hello" and events == ["end"]
                else:
                    await wait_for(lambda: len(events) == 2)
                    assert events == ["aborted", "error ECONNRESET aborted"]
                tg.cancel_scope.cancel()


# Handshake failures on either side --------------------------------------------------------
async def test_plain_http_to_https_server(anyio_backend: str, certs: Certs) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(certs.server) as (server, port, errors):
                client_errors: list[tuple[BaseException, Any]] = []
                server.on("clientError", lambda err, sock: client_errors.append((err, sock)))
                done = anyio.Event()
                failure: list[Any] = []

                def on_error(err: Any) -> None:
                    failure.append(err.code)
                    done.set()

                req = nodehttp.get({"host": LOOPBACK, "port": port, "agent": False})
                req.on("error", on_error)
                await done.wait()
                assert failure == ["ECONNRESET"]
                await wait_for(lambda: bool(errors))
                assert getattr(errors[0], "code", None) == "ERR_SSL_HTTP_REQUEST"
                assert isinstance(errors[0], ssl.SSLError)
                # https.Server's own 'tlsClientError' listener hands the error to 'clientError'.
                assert [e for e, _ in client_errors] == errors
                assert isinstance(client_errors[0][1], TLSSocket)
                assert client_errors[0][1].remote_address == LOOPBACK


async def test_https_to_plain_http_server(anyio_backend: str, certs: Certs) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = nodehttp.create_server(lambda req, res: res.end("plain"))
            port = await listen(server)
            _, result = fetch(host=LOOPBACK, port=port, ca=certs.ca_pem, agent=False)
            await result.done.wait()
            assert isinstance(result.error, TLSError)
            assert result.error.code == "EPROTO" and result.error.reason == "WRONG_VERSION_NUMBER"
            await close(server)


async def test_server_closing_during_handshake(anyio_backend: str, certs: Certs) -> None:
    async def handle(tcp: anyio.abc.SocketStream) -> None:
        await tcp.receive()
        await tcp.aclose()

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            listener = await anyio.create_tcp_listener(local_host=LOOPBACK, local_port=0)
            port = listener.extra(anyio.abc.SocketAttribute.local_port)
            async with listener, anyio.create_task_group() as tg:
                tg.start_soon(listener.serve, handle)
                _, result = fetch(host=LOOPBACK, port=port, ca=certs.ca_pem, agent=False)
                await result.done.wait()
                assert getattr(result.error, "code", None) == "ECONNRESET"
                assert str(result.error) == ("Client network socket disconnected before secure TLS connection "
                                             "was established")
                tg.cancel_scope.cancel()


async def test_handshake_timeout(anyio_backend: str, certs: Certs) -> None:
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server({**certs.server, "handshake_timeout": 200}) as (_, port, errors):
                async with await anyio.connect_tcp(LOOPBACK, port) as tcp:
                    await wait_for(lambda: bool(errors))
                    assert (getattr(errors[0], "code", None), str(errors[0])) == (
                        "ERR_TLS_HANDSHAKE_TIMEOUT", "TLS handshake timeout")
                    # The server closed the connection.
                    with pytest.raises((anyio.EndOfStream, anyio.BrokenResourceError)):
                        await tcp.receive()


# Options, names and protocols -----------------------------------------------------------
def test_agent_get_name_matches_node() -> None:
    agent = https.Agent()
    every = {
        "host": "a", "port": 1, "local_address": "la", "family": 4, "ca": "CA", "cert": "CERT", "ciphers": "CIPH",
        "client_cert_engine": "CCE", "crl": "CRL", "dhparam": "DH", "ecdh_curve": "EC", "honor_cipher_order": True,
        "key": "KEY", "max_version": "MAXV", "min_version": "MINV", "pfx": "PFX", "reject_unauthorized": False,
        "secure_options": 7, "secure_protocol": "SP", "session_id_context": "SID", "sigalgs": "SIG",
        "private_key_identifier": "PKI", "private_key_engine": "PKE", "servername": "sn", "passphrase": "PASS",
    }
    # new https.Agent().getName({...}) in Node 24.21.0 with the same values (camelCase keys).
    assert agent.get_name(every) == 'a:1:la:4:CA:CERT:CCE:CIPH:KEY:PFX:false:sn:MINV:MAXV:SP:CRL:true:EC:DH:7:SID:"SIG":PKI:PKE'
    assert agent.get_name({"host": "a", "port": 1}) == "a:1:" + ":" * 20
    assert agent.get_name({}) == "localhost::" + ":" * 20
    assert agent.get_name({"host": "a", "port": 1, "servername": "a"}) == "a:1:" + ":" * 20
    assert agent.get_name({"host": "a", "port": 1, "reject_unauthorized": True}) == "a:1::::::::true:::::::::::::"
    assert agent.get_name({"host": "a", "port": 1, "ca": ["x", "y"]}) == "a:1::x,y:::::::::::::::::::"
    assert agent.get_name({"host": "a", "port": 1, "honor_cipher_order": False, "secure_options": 0}) == \
        "a:1::::::::::::::false:::0::::"
    assert agent.get_name({"host": "a", "port": 1, "sigalgs": ["a", "b"]}) == 'a:1:::::::::::::::::::["a","b"]::'
    # Buffers are their text in Node's string concatenation.
    assert agent.get_name({"host": "a", "port": 1, "ca": b"x"}) == "a:1::x:::::::::::::::::::"


def test_agent_defaults_match_node() -> None:
    agent = https.Agent()
    assert (agent.default_port, agent.protocol, agent.max_cached_sessions, agent.keep_alive) == (443, "https:", 100,
                                                                                                 False)
    glob = https.global_agent
    assert (glob.keep_alive, glob.scheduling, glob.options.get("timeout"), glob.protocol) == (True, "lifo", 5000,
                                                                                             "https:")


async def test_request_defaults_match_node(anyio_backend: str) -> None:
    async with nodehttp.runtime():
        # Node 24: Host has no port for 443, https: protocol, the https global agent.
        req = https.request({"host": "localhost", "port": 443})
        req.on("error", lambda err: None)
        assert req.get_header("host") == "localhost"
        assert req.protocol == "https:" and req.agent is https.global_agent
        req.destroy()
        other = https.request({"host": "localhost", "port": 8443})
        other.on("error", lambda err: None)
        assert other.get_header("host") == "localhost:8443"
        other.destroy()
        own = https.request({"host": "localhost", "agent": False})
        own.on("error", lambda err: None)
        assert isinstance(own.agent, https.Agent) and own.agent.keep_alive is False
        own.destroy()


@pytest.mark.parametrize(("call", "message"), [
    (lambda: nodehttp.request("https://localhost/"), 'Protocol "https:" not supported. Expected "http:"'),
    (lambda: https.request("http://localhost/"), 'Protocol "http:" not supported. Expected "https:"'),
    (lambda: https.request({"host": "localhost", "agent": nodehttp.Agent()}),
     'Protocol "https:" not supported. Expected "http:"'),
    (lambda: nodehttp.request({"host": "localhost", "agent": https.Agent()}),
     'Protocol "http:" not supported. Expected "https:"'),
], ids=["http-https-url", "https-http-url", "https-http-agent", "http-https-agent"])
async def test_protocol_mismatch(anyio_backend: str, call: Callable[[], Any], message: str) -> None:
    async with nodehttp.runtime():
        with pytest.raises(nodehttp.NodeError) as info:
            call()
        assert info.value.code == "ERR_INVALID_PROTOCOL" and str(info.value) == message


async def test_passphrase_and_pfx(anyio_backend: str, certs: Certs) -> None:
    key = serialization.load_pem_private_key(certs.server["key"], None)
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"secret"))
    leaf = x509.load_pem_x509_certificate(certs.server["cert"])
    bundle = pkcs12.serialize_key_and_certificates(b"srv", key, leaf, None,  # type: ignore[arg-type]
                                                   serialization.BestAvailableEncryption(b"secret"))
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            for options in ({"key": encrypted, "cert": certs.server["cert"], "passphrase": "secret"},
                            {"pfx": bundle, "passphrase": "secret"}):
                async with https_server(options) as (_, port, _errors):
                    _, result = fetch(host="localhost", port=port, ca=certs.ca_pem, agent=False)
                    await result.done.wait()
                    assert result.error is None and result.res is not None and result.res.status_code == 200


def test_pfx_without_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.serialization", None)
    with pytest.raises(ImportError, match="pfx option needs the 'cryptography' package"):
        server_context({"pfx": b"\x30\x00"})


def test_pem_files_without_memfd(monkeypatch: pytest.MonkeyPatch, tmp_path: Any, certs: Certs) -> None:
    """Where there is no memfd, PEM goes through a private directory that is gone after."""
    monkeypatch.delattr(os, "memfd_create", raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with _pem_paths([b"one", b"two"]) as paths:
        assert os.stat(os.path.dirname(paths[0])).st_mode & 0o777 == 0o700
        contents = []
        for path in paths:
            assert os.stat(path).st_mode & 0o777 == 0o600
            with open(path, "rb") as file:
                contents.append(file.read())
        assert contents == [b"one", b"two"]
    assert list(tmp_path.iterdir()) == []
    context = server_context(certs.server)
    assert isinstance(context, ssl.SSLContext)
    assert list(tmp_path.iterdir()) == []


def test_context_options() -> None:
    context = client_context({"reject_unauthorized": False, "min_version": "TLSv1.3"})
    assert context.verify_mode == ssl.CERT_NONE and context.check_hostname is False
    assert context.minimum_version == ssl.TLSVersion.TLSv1_3
    assert client_context({}).minimum_version == ssl.TLSVersion.TLSv1_2  # Node's default
    with pytest.raises(nodehttp.NodeError) as info:
        client_context({"max_version": "TLSv9"})
    assert info.value.code == "ERR_TLS_INVALID_PROTOCOL_VERSION"
    with pytest.raises(TypeError):
        client_context({"secure_context": "not a context"})


# Connection options, as http's ----------------------------------------------------------
async def test_socket_path(anyio_backend: str, certs: Certs, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = str(tmp_path_factory.mktemp("nh", numbered=True) / "s.sock")
    if len(path) > 100:
        pytest.skip("temp path too long for a unix socket")
    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            server = https.create_server(certs.server, describe)
            ready = anyio.Event()
            server.listen(path, ready.set)
            await ready.wait()
            agent = https.Agent(keep_alive=True)
            _, first = fetch(socket_path=path, path="/unix", ca=certs.ca_pem, agent=agent)
            await first.done.wait()
            _, second = fetch(socket_path=path, path="/again", ca=certs.ca_pem, agent=agent)
            await second.done.wait()
            agent.destroy()
            await close(server)
    assert first.error is None and second.error is None
    assert first.res is not None and first.res.headers["x-encrypted"] == "True"
    # The Host header names localhost (Node's default host), whose certificate this is.
    assert (first.body, second.body) == (b"GET /unix localhost", b"GET /again localhost")
    assert second.socket is first.socket  # kept alive through the https.Agent


async def test_local_address_family_and_lookup(anyio_backend: str, certs: Certs) -> None:
    resolved: list[str] = []

    def lookup(host: str, options: dict[str, Any], callback: Callable[..., Any]) -> None:
        resolved.append(host)
        callback(None, [{"address": LOOPBACK, "family": 4}])  # options ask for all addresses

    with anyio.fail_after(TIMEOUT):
        async with nodehttp.runtime():
            async with https_server(certs.server, lambda req, res: res.end(str(req.socket.remote_address))) as (
                    _, port, _):
                _, bound = fetch(host=LOOPBACK, port=port, local_address=LOOPBACK, ca=certs.ca_pem, agent=False)
                await bound.done.wait()
                _, four = fetch(host="localhost", port=port, family=4, ca=certs.ca_pem, agent=False)
                await four.done.wait()
                # servername: the certificate is for localhost, the looked-up name is not.
                _, looked = fetch(host="example.test", port=port, lookup=lookup, servername="localhost",
                                  ca=certs.ca_pem, agent=False)
                await looked.done.wait()
                _, unbindable = fetch(host=LOOPBACK, port=port, local_address="::1", ca=certs.ca_pem, agent=False)
                await unbindable.done.wait()
    assert (bound.error, four.error, looked.error) == (None, None, None)
    assert bound.body == four.body == looked.body == LOOPBACK.encode()
    assert four.socket.remote_family == "IPv4" and resolved == ["example.test"]
    # node 24.21.0 (https.get, localAddress ::1 to 127.0.0.1): "bind EINVAL ::1", code EINVAL.
    assert isinstance(unbindable.error, OSError) and getattr(unbindable.error, "code", None) == "EINVAL"
