"""TLS sockets: the parts of Node's ``tls`` module that ``https`` uses, over anyio's TLS streams.

A TLS connection runs over anyio streams on every backend (the asyncio Protocol fast
path of :mod:`._net` carries plain TCP only): the TCP stream is wrapped in a
:class:`_TLSStream` by the handshake, and the Socket above it is a :class:`TLSSocket`,
so everything from http's point of view is the same Socket.

Node's behaviour that shapes this module (each observed with Node 24.21.0):

* certificates, keys and CAs are PEM given in memory (``str`` or ``bytes``), not paths;
* a peer that closes without close_notify has simply ended (HTTP framing decides whether
  a message was cut short), and ``end()`` sends close_notify, then the TCP FIN, without
  waiting for the peer's close_notify;
* errors carry Node's codes: the X509 verification names (``DEPTH_ZERO_SELF_SIGNED_CERT``,
  ``UNABLE_TO_VERIFY_LEAF_SIGNATURE``...), ``ERR_TLS_CERT_ALTNAME_INVALID`` for a name
  mismatch, ``EPROTO`` for any other failed client handshake, ``ERR_SSL_<REASON>`` for an
  OpenSSL failure on the server's handshake or after a handshake, and ``ECONNRESET`` for
  a peer that went away during one.
"""

from __future__ import annotations

import errno
import hashlib
import ipaddress
import os
import shutil
import ssl
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import anyio
import anyio.abc
from anyio.streams.tls import TLSAttribute, TLSStream

from . import _net
from ._errors import NodeError

__all__ = [
    "CertificateError",
    "TLSError",
    "TLSSocket",
    "client_context",
    "server_context",
]

# Node's name for each OpenSSL verification result (``X509_V_ERR_<NAME>``): the codes
# Node's crypto layer names; anything else is "UNSPECIFIED", as in Node.
_X509_NAMES = (
    "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_CRL", "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
    "UNABLE_TO_DECRYPT_CRL_SIGNATURE", "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", "CERT_SIGNATURE_FAILURE",
    "CRL_SIGNATURE_FAILURE", "CERT_NOT_YET_VALID", "CERT_HAS_EXPIRED", "CRL_NOT_YET_VALID",
    "CRL_HAS_EXPIRED", "ERROR_IN_CERT_NOT_BEFORE_FIELD", "ERROR_IN_CERT_NOT_AFTER_FIELD",
    "ERROR_IN_CRL_LAST_UPDATE_FIELD", "ERROR_IN_CRL_NEXT_UPDATE_FIELD", "OUT_OF_MEM",
    "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "CERT_CHAIN_TOO_LONG", "CERT_REVOKED", "INVALID_CA",
    "PATH_LENGTH_EXCEEDED", "INVALID_PURPOSE", "CERT_UNTRUSTED", "CERT_REJECTED",
)
X509_ERROR_CODES: dict[int, str] = {2 + i: name for i, name in enumerate(_X509_NAMES)}
X509_ERROR_CODES[62] = "HOSTNAME_MISMATCH"
_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
_UNABLE_TO_VERIFY_LEAF_SIGNATURE = 21
_HOSTNAME_MISMATCH = 62
_IP_ADDRESS_MISMATCH = 64

_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
# Node's tls.DEFAULT_MIN_VERSION.
_DEFAULT_MIN_VERSION = "TLSv1.2"
# How long a server may spend telling a client why its handshake failed (seconds).
_ALERT_TIMEOUT = 1.0


# Errors ------------------------------------------------------------------------------
class TLSError(NodeError, ssl.SSLError):
    """An OpenSSL failure with Node's code.

    ``ERR_SSL_<REASON>`` (``reason`` as OpenSSL names it, e.g. ``ERR_SSL_HTTP_REQUEST``) on
    a server's handshake and after any handshake; ``EPROTO`` (with ``errno`` and
    ``syscall``) for a client handshake that failed other than on the certificate, as
    Node reports both.
    """

    def __init__(self, message: str, code: str, *, reason: str = "", library: str = "",
                 errno_: int | None = None, syscall: str | None = None) -> None:
        super().__init__(message, code)
        self.strerror = message  # what str() of an SSLError shows
        self.reason = reason
        self.library = library
        self.errno = errno_
        self.syscall = syscall


class CertificateError(NodeError, ssl.SSLCertVerificationError):
    """The peer's certificate was refused.

    ``code`` is Node's: the X509 name (``DEPTH_ZERO_SELF_SIGNED_CERT``,
    ``UNABLE_TO_VERIFY_LEAF_SIGNATURE``, ``CERT_HAS_EXPIRED``...) or
    ``ERR_TLS_CERT_ALTNAME_INVALID`` when the name does not match (then ``reason`` and
    ``host`` are Node's too; otherwise ``reason`` is OpenSSL's ``CERTIFICATE_VERIFY_FAILED``);
    ``verify_code`` and ``verify_message`` are OpenSSL's.
    """

    def __init__(self, message: str, code: str, verify_code: int, verify_message: str, *,
                 reason: str = "CERTIFICATE_VERIFY_FAILED", host: str | None = None) -> None:
        super().__init__(message, code)
        self.strerror = message  # what str() of an SSLError shows
        self.verify_code = verify_code
        self.verify_message = verify_message
        self.library = "SSL"
        self.reason = reason
        self.host = host
        # Node attaches the peer's certificate object; Python has none for a refused peer.
        self.cert: Any = None


def _hang_up(message: str) -> _net.SocketError:
    return _net.SocketError(message, "ECONNRESET", -errno.ECONNRESET)


def _ssl_text(exc: ssl.SSLError) -> str:
    return str(exc.strerror or exc)


def ssl_error(exc: ssl.SSLError) -> NodeError:
    """An OpenSSL failure after the handshake (an alert from the peer...), as Node codes it."""
    if not exc.reason:
        return _hang_up("read ECONNRESET")
    return TLSError(_ssl_text(exc), f"ERR_SSL_{exc.reason}", reason=exc.reason, library=exc.library or "")


def client_handshake_error(exc: BaseException, host: str, port: int) -> NodeError:
    """Why a client's handshake failed, as Node's https client reports it."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _verification_error(exc, host)
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return TLSError(f"write EPROTO {_ssl_text(exc)}", "EPROTO", reason=exc.reason, library=exc.library or "",
                        errno_=-errno.EPROTO, syscall="write")
    err = _hang_up("Client network socket disconnected before secure TLS connection was established")
    err.host = host  # type: ignore[attr-defined]
    err.port = port  # type: ignore[attr-defined]
    return err


def server_handshake_error(exc: BaseException) -> NodeError:
    """A failed handshake as Node's TLS server reports it on 'tlsClientError'."""
    if isinstance(exc, TimeoutError):
        return NodeError("TLS handshake timeout", "ERR_TLS_HANDSHAKE_TIMEOUT")
    # A client certificate that does not verify: Node drops the connection and reports
    # a hang-up (observed: ECONNRESET "socket hang up"), not the verification code.
    if isinstance(exc, ssl.SSLError) and exc.reason and not isinstance(exc, ssl.SSLCertVerificationError):
        return TLSError(_ssl_text(exc), f"ERR_SSL_{exc.reason}", reason=exc.reason, library=exc.library or "")
    return _hang_up("socket hang up")


def _verification_error(exc: ssl.SSLCertVerificationError, host: str) -> CertificateError:
    code_number = int(exc.verify_code or 0)
    message = str(exc.verify_message or "")
    chain = getattr(exc, "nodehttp_chain", None)
    if code_number in (_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH):
        leaf = _certificate_info(chain[0]) if chain else {}
        reason = _altname_reason(host, leaf, code_number == _IP_ADDRESS_MISMATCH)
        return CertificateError(f"Hostname/IP does not match certificate's altnames: {reason}",
                                "ERR_TLS_CERT_ALTNAME_INVALID", code_number, message, reason=reason, host=host)
    if code_number == _UNABLE_TO_GET_ISSUER_CERT_LOCALLY and chain is not None and len(chain) == 1:
        # Node lets OpenSSL go on past the first error; with a leaf sent alone the last
        # error, the one Node reports, is "unable to verify the first certificate".
        code_number = _UNABLE_TO_VERIFY_LEAF_SIGNATURE
        message = "unable to verify the first certificate"
    return CertificateError(message, X509_ERROR_CODES.get(code_number, "UNSPECIFIED"), code_number, message)


def _certificate_info(cert: Any) -> dict[str, Any]:
    info = getattr(cert, "get_info", None)
    try:
        return dict(info()) if callable(info) else {}
    except Exception:  # noqa: BLE001 - only the message depends on it
        return {}


def _altname_reason(host: str, leaf: Mapping[str, Any], is_ip: bool) -> str:
    """Node's checkServerIdentity reason text for a name the certificate does not cover."""
    altnames = leaf.get("subjectAltName") or ()
    if is_ip:
        ips = [str(value).strip() for kind, value in altnames if kind == "IP Address"]
        return f"IP: {host} is not in the cert's list: {', '.join(ips)}"
    dns = [value for kind, value in altnames if kind == "DNS"]
    if dns:
        return f"Host: {host}. is not in the cert's altnames: {_subjectaltname(altnames)}"
    cn = _name(leaf.get("subject")).get("CN")
    if cn:
        return f"Host: {host}. is not cert's CN: {cn}"
    return "Cert does not contain a DNS name"


# The SSLObject of nodehttp's connections ---------------------------------------------
class _SSLObject(ssl.SSLObject):
    """What a failed handshake leaves behind, on the exception, for Node's behaviour:

    * on a refused certificate, the chain the peer sent (``nodehttp_chain``): Node's code
      for an unknown issuer depends on whether the leaf came alone, and its name-mismatch
      message lists the certificate's names;
    * on a server's other failures, the alert OpenSSL wrote (``nodehttp_alert``), which
      anyio's stream does not send: Node's server sends it, and its clients report it
      (``ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED``, ``EPROTO``).

    It also records the server name a client asked for (``nodehttp_servername``), Node's
    ``socket.servername``.
    """

    nodehttp_servername: str | None = None
    nodehttp_outgoing: ssl.MemoryBIO | None = None

    @classmethod
    def _create(cls, incoming: ssl.MemoryBIO, outgoing: ssl.MemoryBIO, *args: Any, **kwargs: Any) -> Any:
        # SSLContext.wrap_bio's constructor (private to ssl, the same since Python 3.7):
        # the only place the outgoing BIO is seen.
        obj = getattr(super(), "_create")(incoming, outgoing, *args, **kwargs)
        obj.nodehttp_outgoing = outgoing
        return obj

    def do_handshake(self) -> None:
        try:
            super().do_handshake()
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            raise  # the handshake goes on; what is in the BIO is the stream's to send
        except ssl.SSLCertVerificationError as exc:
            setattr(exc, "nodehttp_chain", _unverified_chain(self))
            raise
        except ssl.SSLError as exc:
            outgoing = self.nodehttp_outgoing
            if self.server_side and outgoing is not None and outgoing.pending:
                setattr(exc, "nodehttp_alert", outgoing.read())
            raise


def _unverified_chain(obj: ssl.SSLObject) -> list[Any] | None:
    # The C object has had get_unverified_chain since Python 3.10 (public on
    # SSLObject only from 3.13, and there as DER without the decoded form).
    getter = getattr(getattr(obj, "_sslobj", None), "get_unverified_chain", None)
    if getter is None:
        return None
    try:
        chain = getter()
    except Exception:  # noqa: BLE001 - the chain only refines the error code
        return None
    return list(chain) if chain is not None else None


def _record_servername(obj: Any, name: str | None, context: ssl.SSLContext) -> None:
    if isinstance(obj, _SSLObject):
        obj.nodehttp_servername = name


def _adopt(context: ssl.SSLContext) -> ssl.SSLContext:
    """Give ``context`` nodehttp's SSLObject class, unless its owner chose their own."""
    if context.sslobject_class is ssl.SSLObject:
        context.sslobject_class = _SSLObject
    return context


# Contexts ----------------------------------------------------------------------------
def _given_context(options: Mapping[str, Any]) -> ssl.SSLContext | None:
    context = options.get("secure_context")
    alias = options.get("ssl_context")
    if context is not None and alias is not None and context is not alias:
        raise TypeError("give either secure_context or ssl_context, not both")
    context = context if context is not None else alias
    if context is not None and not isinstance(context, ssl.SSLContext):
        raise TypeError(f'The "secure_context" option must be an ssl.SSLContext. Received {context!r}')
    return context


def client_context(options: Mapping[str, Any]) -> ssl.SSLContext:
    """The context for a client connection: ``secure_context`` as given, else one built from
    ``ca``, ``cert``, ``key``, ``passphrase``, ``pfx``, ``reject_unauthorized``, ``ciphers``,
    ``min_version`` and ``max_version`` as Node's ``tls.connect`` reads them."""
    given = _given_context(options)
    if given is not None:
        return _adopt(given)
    context = _adopt(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    if options.get("reject_unauthorized", True) is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    _configure(context, options, ssl.Purpose.SERVER_AUTH)
    return context


def server_context(options: Mapping[str, Any]) -> ssl.SSLContext:
    """The context for a server: ``secure_context`` as given, else one built from ``key``,
    ``cert``, ``passphrase``, ``pfx``, ``ca``, ``request_cert``, ``reject_unauthorized``,
    ``ciphers``, ``min_version``, ``max_version`` and ``alpn_protocols`` (Node's
    ``ALPNProtocols``; https's default is ``["http/1.1"]``)."""
    given = _given_context(options)
    if given is not None:
        return _adopt(given)
    context = _adopt(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    if options.get("request_cert"):
        # Python cannot ask for a certificate without checking it: a client's certificate
        # that does not verify fails the handshake even with reject_unauthorized false.
        rejecting = options.get("reject_unauthorized", True) is not False
        context.verify_mode = ssl.CERT_REQUIRED if rejecting else ssl.CERT_OPTIONAL
    _configure(context, options, ssl.Purpose.CLIENT_AUTH)
    context.sni_callback = _record_servername
    protocols = options.get("alpn_protocols")
    context.set_alpn_protocols(list(protocols) if protocols is not None else ["http/1.1"])
    return context


def _configure(context: ssl.SSLContext, options: Mapping[str, Any], purpose: ssl.Purpose) -> None:
    context.minimum_version = _version(options.get("min_version") or _DEFAULT_MIN_VERSION)
    if options.get("max_version"):
        context.maximum_version = _version(options["max_version"])
    if options.get("ciphers"):
        context.set_ciphers(str(options["ciphers"]))
    ca = options.get("ca")
    if ca is not None:
        # Node: ``ca`` replaces the default trusted CAs.
        context.load_verify_locations(cadata=_pem_text(ca, "ca"))
    elif context.verify_mode != ssl.CERT_NONE:
        context.load_default_certs(purpose)
    passphrase = options.get("passphrase")
    if options.get("pfx") is not None:
        key_pem, cert_pem, extra = _pfx(options["pfx"], passphrase)
        _load_cert_chain(context, cert_pem, key_pem, None)
        if extra:
            # Node trusts the extra certificates of a PFX as well as sending them.
            context.load_verify_locations(cadata=extra.decode("ascii"))
    if options.get("cert") is not None or options.get("key") is not None:
        cert = options.get("cert")
        if cert is None:
            raise TypeError('The "key" option needs a "cert" to go with it')
        key = options.get("key")
        _load_cert_chain(context, _pem_bytes(cert, "cert"), None if key is None else _pem_bytes(key, "key"),
                         passphrase)


def _version(name: Any) -> ssl.TLSVersion:
    try:
        return _VERSIONS[str(name)]
    except KeyError:
        raise NodeError(f"Unknown TLS version: {name}. Expected one of {', '.join(_VERSIONS)}",
                        "ERR_TLS_INVALID_PROTOCOL_VERSION") from None


def _pem_bytes(value: Any, name: str) -> bytes:
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise TypeError(f'The "{name}" option takes one PEM value here (a list of {len(value)} was given)')
        value = value[0]
    if isinstance(value, str):
        return value.encode("ascii")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f'The "{name}" option must be PEM as str or bytes. Received {type(value).__name__}')


def _pem_text(value: Any, name: str) -> str:
    values = value if isinstance(value, (list, tuple)) else [value]
    return "\n".join(_pem_bytes(v, name).decode("ascii") for v in values)


def _load_cert_chain(context: ssl.SSLContext, cert: bytes, key: bytes | None, passphrase: Any) -> None:
    with _pem_paths([cert] if key is None else [cert, key]) as paths:
        context.load_cert_chain(paths[0], paths[1] if key is not None else None, passphrase)


@contextmanager
def _pem_paths(blobs: list[bytes]) -> Iterator[list[str]]:
    """Paths where OpenSSL can read ``blobs``, gone when the block ends.

    Python's ssl loads a certificate chain and its key only from files. On Linux the
    files are anonymous memory (memfd), never on a disk; elsewhere they are written in a
    fresh directory only this user may enter and removed as soon as OpenSSL has read them.
    """
    memfd_create = getattr(os, "memfd_create", None)
    if memfd_create is not None and os.path.isdir("/proc/self/fd"):
        fds: list[int] = []
        try:
            for blob in blobs:
                fd = memfd_create("nodehttp-pem", getattr(os, "MFD_CLOEXEC", 0))
                fds.append(fd)
                os.write(fd, blob)
            yield [f"/proc/self/fd/{fd}" for fd in fds]
        finally:
            for fd in fds:
                os.close(fd)
        return
    directory = tempfile.mkdtemp(prefix="nodehttp-")  # mode 0o700
    try:
        paths = []
        for i, blob in enumerate(blobs):
            path = os.path.join(directory, f"{i}.pem")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(blob)
            paths.append(path)
        yield paths
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _pfx(data: Any, passphrase: Any) -> tuple[bytes, bytes, bytes]:
    """A PKCS#12 bundle as PEM: key, certificate chain, extra certificates (``cryptography``)."""
    try:
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12
    except ImportError as exc:
        raise ImportError("the pfx option needs the 'cryptography' package; install it, or give key and cert "
                          "as PEM") from exc
    password = passphrase.encode() if isinstance(passphrase, str) else passphrase
    key, cert, extra = pkcs12.load_key_and_certificates(_pem_bytes(data, "pfx"), password)
    if key is None or cert is None:
        raise ValueError("the pfx bundle has no private key or no certificate")
    key_pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    extra_pem = b"".join(c.public_bytes(Encoding.PEM) for c in extra)
    return key_pem, cert.public_bytes(Encoding.PEM) + extra_pem, extra_pem


# The stream --------------------------------------------------------------------------
class _TLSStream(TLSStream):
    """anyio's TLS stream with Node's ``end()``: close_notify, then the TCP FIN."""

    async def send(self, item: bytes) -> None:
        try:
            await super().send(item)
        except anyio.EndOfStream:
            # Without close_notify checks anyio reports an EOF met while writing as the
            # end of the stream; for a writer it is a broken connection.
            raise anyio.BrokenResourceError from None

    async def send_eof(self) -> None:
        """Send close_notify and shut the TCP write side; the peer's close_notify is not
        awaited (reading goes on until the peer closes), as Node's TLS socket does."""
        try:
            self._ssl_object.unwrap()
        except ssl.SSLWantReadError:
            pass  # close_notify is written; the peer's answer is the reader's business
        except ssl.SSLError:
            pass  # a broken session: nothing more can go out on it, the FIN still can
        write_bio = getattr(self, "_write_bio", None)
        if write_bio is not None and write_bio.pending:
            await self.transport_stream.send(write_bio.read())
        await self.transport_stream.send_eof()


async def handshake(stream: anyio.abc.ByteStream, context: ssl.SSLContext, *, server_side: bool,
                    hostname: str | None = None) -> _TLSStream:
    """Wrap ``stream`` in TLS; on any failure the TCP stream is closed and the error raised.

    ``standard_compatible=False``: a peer that closes without close_notify has ended, as
    Node sees it; the HTTP framing above tells a complete message from a cut one.
    """
    try:
        wrapped = await _TLSStream.wrap(stream, server_side=server_side, hostname=hostname or None,
                                        ssl_context=context, standard_compatible=False)
    except BaseException as exc:
        with anyio.CancelScope(shield=True):
            alert = getattr(exc, "nodehttp_alert", None)
            if alert:
                with anyio.move_on_after(_ALERT_TIMEOUT):
                    try:
                        await stream.send(alert)
                    except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
                        pass  # the peer is gone: nobody to tell
            await anyio.aclose_forcefully(stream)
        raise
    assert isinstance(wrapped, _TLSStream)
    return wrapped


# Sockets -----------------------------------------------------------------------------
_SUBJECT_KEYS = {
    "commonName": "CN", "countryName": "C", "stateOrProvinceName": "ST", "localityName": "L",
    "organizationName": "O", "organizationalUnitName": "OU", "emailAddress": "emailAddress",
}


def _name(rdns: Any) -> dict[str, Any]:
    """A certificate name as Node shows it: ``{"CN": ..., "O": ...}``; repeated keys are lists."""
    result: dict[str, Any] = {}
    for rdn in rdns or ():
        for key, value in rdn:
            key = _SUBJECT_KEYS.get(key, key)
            if key in result:
                previous = result[key]
                result[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                result[key] = value
    return result


def _subjectaltname(altnames: Any) -> str:
    return ", ".join(f"{kind}:{str(value).strip()}" for kind, value in altnames or ())


def _fingerprint(algorithm: str, der: bytes) -> str:
    return ":".join(f"{b:02X}" for b in hashlib.new(algorithm, der).digest())


class TLSSocket(_net.Socket):
    """Node's ``tls.TLSSocket`` (the parts https uses): a Socket whose bytes go through TLS.

    ``authorized`` is True when the peer's certificate was verified, with
    ``authorization_error`` (a Node code) saying why not when it was asked for;
    ``encrypted`` is True; ``alpn_protocol`` is the negotiated protocol or False;
    ``servername`` the name the client asked for (server side) or verified (client side).
    """

    __slots__ = ("authorized", "authorization_error", "alpn_protocol", "servername", "_ssl_object",
                 "_context", "_host", "_port")

    encrypted = True
    _tls = True

    def __init__(self, context: ssl.SSLContext | None = None, host: str = "", port: int = 0,
                 servername: str | None = None) -> None:
        super().__init__()
        self.authorized = False
        self.authorization_error: str | None = None
        self.alpn_protocol: str | bool = False
        self.servername: str | None = servername
        self._ssl_object: ssl.SSLObject | None = None
        self._context = context  # a client socket's: the handshake runs on connect
        self._host = host
        self._port = port

    async def _secure_stream(self, stream: Any) -> Any:
        """The client handshake, on the TCP stream just connected."""
        assert self._context is not None
        hostname = self.servername or self._host
        try:
            wrapped = await handshake(stream, self._context, server_side=False, hostname=hostname)
        except Exception as exc:
            raise client_handshake_error(exc, hostname, self._port) from exc
        self._secured(wrapped)
        if self._context.verify_mode != ssl.CERT_NONE:
            self.authorized = True
        return wrapped

    def _secured(self, stream: _TLSStream) -> None:
        ssl_object = stream.extra(TLSAttribute.ssl_object)
        self._ssl_object = ssl_object
        self.alpn_protocol = ssl_object.selected_alpn_protocol() or False
        if ssl_object.server_side:
            self.servername = getattr(ssl_object, "nodehttp_servername", None)
            if ssl_object.context.verify_mode != ssl.CERT_NONE:
                if ssl_object.getpeercert(True) is not None:
                    self.authorized = True
                else:
                    # Node's verdict on a client that sent no certificate (observed).
                    self.authorization_error = "UNABLE_TO_GET_ISSUER_CERT"

    def _connected(self) -> None:
        super()._connected()
        self.emit("secureConnect")

    # Node's API ----------------------------------------------------------------------
    def get_peer_certificate(self, detailed: bool = False) -> dict[str, Any]:
        """The peer's certificate as Node shows it (``subject``, ``issuer``,
        ``subjectaltname``, ``valid_from``, ``valid_to``, ``serial_number``, ``fingerprint``,
        ``fingerprint256``, ``fingerprint512``, ``raw``); ``{}`` when there is none.

        When the certificate was not verified (``reject_unauthorized=False``) Python
        decodes nothing of it: only ``raw`` and the fingerprints are there.
        ``detailed`` (Node's issuer chain) is accepted and ignored.
        """
        ssl_object = self._ssl_object
        der = ssl_object.getpeercert(True) if ssl_object is not None else None
        if ssl_object is None or der is None:
            return {}
        info: Mapping[str, Any] = ssl_object.getpeercert() or {}
        cert: dict[str, Any] = {}
        if info:
            cert["subject"] = _name(info.get("subject"))
            cert["issuer"] = _name(info.get("issuer"))
            if info.get("subjectAltName"):
                cert["subjectaltname"] = _subjectaltname(info["subjectAltName"])
            cert["valid_from"] = info.get("notBefore")
            cert["valid_to"] = info.get("notAfter")
            cert["serial_number"] = info.get("serialNumber")
        cert["fingerprint"] = _fingerprint("sha1", der)
        cert["fingerprint256"] = _fingerprint("sha256", der)
        cert["fingerprint512"] = _fingerprint("sha512", der)
        cert["raw"] = der
        return cert

    def get_protocol(self) -> str | None:
        """The negotiated TLS version (``"TLSv1.3"``), None before the handshake."""
        return self._ssl_object.version() if self._ssl_object is not None else None

    def get_cipher(self) -> dict[str, Any] | None:
        """The negotiated cipher: ``{"name": ..., "version": ...}`` (OpenSSL's names)."""
        cipher = self._ssl_object.cipher() if self._ssl_object is not None else None
        if cipher is None:
            return None
        return {"name": cipher[0], "version": cipher[1]}


def is_ip(host: str) -> bool:
    """Node's ``net.isIP(host) != 0``."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
