"""A URL string as ``http.request(url)`` reads it: the WHATWG URL parser Node 24 uses.

Only what ``urlToHttpOptions`` takes from the parsed URL is produced (protocol, hostname,
port, path with query, auth), for the special schemes (``http:``, ``https:``, ``ws:``,
``wss:``, ``ftp:``) whose rules differ from a generic URI's:

- leading and trailing C0 controls and spaces are dropped, tabs and newlines removed;
- any number of ``/`` or ``\\`` may follow the scheme, and ``\\`` separates path segments;
- the host is percent-decoded, lower-cased and IDNA-encoded, a host that ends in a number
  is an IPv4 address in any of its old spellings (``127.1``, ``0x7f.1``), and an IPv6
  address is written in its shortest form;
- ``.`` and ``..`` segments (``%2e`` too) are resolved; the path and the query are
  percent-encoded with the URL standard's sets (UTF-8 for anything beyond ASCII);
- a port equal to the scheme's default is dropped; the fragment is ignored.

Anything the standard rejects raises ``ERR_INVALID_URL`` ("Invalid URL", a TypeError).
Other schemes are split only far enough to report the protocol, which the request then
refuses.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from ._errors import NodeError

__all__ = ["InvalidUrlError", "http_options_of_url"]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*:")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
# Characters the URL standard percent-encodes, beyond C0 controls and non-ASCII.
_PATH_SET = frozenset(' "#<>?^`{}')
_SPECIAL_QUERY_SET = frozenset(" \"#<>'")
_FORBIDDEN_DOMAIN = frozenset("\x00\t\n\r #/:<>?@[\\]^|%\x7f") | frozenset(map(chr, range(0x20)))
_SINGLE_DOTS = frozenset((".", "%2e"))
_DOUBLE_DOTS = frozenset(("..", ".%2e", "%2e.", "%2e%2e"))


class InvalidUrlError(NodeError, TypeError):
    """``ERR_INVALID_URL``: a string the WHATWG URL parser rejects; ``input`` is the string."""

    code = "ERR_INVALID_URL"

    def __init__(self, text: str) -> None:
        super().__init__("Invalid URL")
        self.input = text


def http_options_of_url(text: str) -> dict[str, Any]:
    """Node's ``urlToHttpOptions(new URL(text))``, as far as ``http.request`` reads it."""
    text = text.strip(_C0_OR_SPACE).replace("\t", "").replace("\n", "").replace("\r", "")
    match = _SCHEME.match(text)
    if match is None:
        raise InvalidUrlError(text)  # a relative reference, with no base to resolve it
    scheme = match.group()[:-1].lower()
    if scheme not in _DEFAULT_PORTS:
        return _other_scheme(text, scheme)
    rest = text[match.end():].lstrip("/\\")
    end = len(rest)
    for stop in "/\\?#":
        found = rest.find(stop)
        if found != -1:
            end = min(end, found)
    authority, rest = rest[:end], rest[end:]
    rest = rest.partition("#")[0]
    raw_path, _, raw_query = rest.partition("?")
    options: dict[str, Any] = {"protocol": f"{scheme}:"}
    userinfo, at, hostport = authority.rpartition("@")
    if at:
        username, _, password = userinfo.partition(":")
        # urlToHttpOptions: decodeURIComponent of what the parser kept (encoded).
        options["auth"] = f"{unquote(username)}:{unquote(password)}"
    host, port = _split_port(hostport, text)
    options["hostname"] = _host(host, text)
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        options["port"] = port
    # URL.search is "" for an empty query: no "?" then.
    options["path"] = _path(raw_path) + (f"?{_encode(raw_query, _SPECIAL_QUERY_SET)}" if raw_query else "")
    return options


def _other_scheme(text: str, scheme: str) -> dict[str, Any]:
    # Enough for ClientRequest to name the protocol it refuses.
    parts = urlsplit(text)
    return {"protocol": f"{scheme}:", "hostname": parts.hostname or "", "path": parts.path or "/"}


def _split_port(hostport: str, text: str) -> tuple[str, int | None]:
    colon = hostport.rfind(":")
    if colon == -1 or "]" in hostport[colon:]:
        return hostport, None
    host, digits = hostport[:colon], hostport[colon + 1:]
    if not digits:
        return host, None
    if not (digits.isascii() and digits.isdigit()) or int(digits) > 0xFFFF:
        raise InvalidUrlError(text)
    return host, int(digits)


def _host(host: str, text: str) -> str:
    """The serialized host, brackets taken off an IPv6 address (as urlToHttpOptions does)."""
    if host.startswith("["):
        if not host.endswith("]"):
            raise InvalidUrlError(text)
        try:
            if "%" in host:
                raise ValueError("a zone identifier")  # the URL standard has none
            return ipaddress.IPv6Address(host[1:-1]).compressed
        except ValueError:
            raise InvalidUrlError(text) from None
    if not host:
        raise InvalidUrlError(text)
    try:
        domain = unquote_to_bytes(host).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidUrlError(text) from None
    if domain.isascii():
        ascii_domain = domain.lower()
    else:
        try:
            ascii_domain = ".".join(
                label.encode("idna").decode("ascii") if label else "" for label in domain.split(".")
            ).lower()
        except UnicodeError:
            raise InvalidUrlError(text) from None
    if not ascii_domain or any(ch in _FORBIDDEN_DOMAIN for ch in ascii_domain):
        raise InvalidUrlError(text)
    if _ends_in_a_number(ascii_domain):
        return _ipv4(ascii_domain, text)
    return ascii_domain


def _ends_in_a_number(domain: str) -> bool:
    labels = domain.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    last = labels[-1]
    if last.isascii() and last.isdigit():
        return True
    return last[:2] in ("0x", "0X") and all(ch in "0123456789abcdefABCDEF" for ch in last[2:])


def _ipv4(domain: str, text: str) -> str:
    parts = domain.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        raise InvalidUrlError(text)
    numbers = [_ipv4_number(part, text) for part in parts]
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise InvalidUrlError(text)
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n << (8 * (3 - i))
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def _ipv4_number(part: str, text: str) -> int:
    if part == "":
        raise InvalidUrlError(text)
    radix = 10
    if part[:2] in ("0x", "0X"):
        part, radix = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        part, radix = part[1:], 8
    if part == "":
        return 0
    try:
        return int(part, radix)
    except ValueError:
        raise InvalidUrlError(text) from None


def _path(raw: str) -> str:
    segments: list[str] = []
    pieces = re.split(r"[/\\]", raw)[1:] if raw else []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        lowered = piece.lower()
        if lowered in _DOUBLE_DOTS:
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif lowered in _SINGLE_DOTS:
            if last:
                segments.append("")
        else:
            segments.append(_encode(piece, _PATH_SET))
    return "/" + "/".join(segments)


def _encode(text: str, extra: frozenset[str]) -> str:
    if text.isascii() and text.isprintable() and not any(ch in extra for ch in text):
        return text
    out = []
    for ch in text:
        if ch in extra or ord(ch) < 0x20 or ord(ch) > 0x7E:
            out.append("".join(f"%{byte:02X}" for byte in ch.encode("utf-8", "surrogatepass")))
        else:
            out.append(ch)
    return "".join(out)
