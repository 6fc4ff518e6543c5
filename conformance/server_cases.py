"""The built-in server cases, generated deterministically (see :mod:`conformance.server_category`).

Bytes are latin-1 ``str``, one character per byte. Every group is a function adding cases
to a :class:`Builder`; ids are ``<group>-<what>``, stable (``known-differences`` names
them), and name a CVE when the case is about one. Requests carry ``Host`` unless the case
is about its absence, since Node answers an HTTP/1.1 request without one with 400.
"""

from __future__ import annotations

from typing import Any

from .parser_cases import METHODS, awkward_positions, split_at

Case = dict[str, Any]

DEFAULT_LIMIT = 16384  # Node's --max-http-header-size default
NEXT = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"  # a follower that shows where framing ended
HELLO_CHUNKED = "5\r\nhello\r\n0\r\n\r\n"
WS_TAIL = "\x81\x05hello"
# Chunks whose reply depends on how the server's reads cut them (clientError's
# bytesParsed and rawPacket, the head of an upgrade) are sent this far apart.
SLOW_PAUSE_MS = 60

# The response shapes both servers implement (node/server.js, py_server.py), plus two
# that answer before reading the body and one neither knows (the default answer).
SHAPES = (
    "content-length", "chunked", "chunked-pieces", "trailers", "trailers-array",
    "custom-reason", "status-message", "unknown-status", "204", "204-body", "304",
    "304-write", "set-cookie-array", "multi-value", "latin1-header", "numeric-header",
    "write-head-array", "write-head-object", "write-head-merge", "early-hints",
    "early-hints-multi", "processing", "continue", "no-body", "empty-write",
    "explicit-length", "explicit-te", "connection-close", "connection-keep-alive", "no-date",
    "remove-header", "flush-headers", "dump", "destroy", "no-such-shape",
)

# Node's IncomingMessage rules for duplicate request headers (matchKnownFields).
FIRST_WINS = (
    "age", "authorization", "content-type", "etag", "expires", "from", "host",
    "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards",
    "proxy-authorization", "referer", "retry-after", "server", "user-agent",
)
JOINED = (
    "accept", "accept-encoding", "cache-control", "date", "vary", "origin", "if-match",
    "x-forwarded-for", "x-custom", "connection", "expect", "upgrade",
)


class Builder:
    """Collects cases and refuses duplicate ids (known-differences relies on them)."""

    def __init__(self) -> None:
        self.cases: list[Case] = []
        self._ids: set[str] = set()

    def add(self, cid: str, chunks: str | list[str], **opts: Any) -> Case:
        if cid in self._ids:
            raise ValueError(f"duplicate generated case id {cid!r}")
        self._ids.add(cid)
        case: Case = {"id": cid, "chunks": [chunks] if isinstance(chunks, str) else list(chunks)}
        case.update(opts)
        self.cases.append(case)
        return case


def get(url: str = "/", head: str = "Host: a\r\n", method: str = "GET",
        version: str = "HTTP/1.1", body: str = "") -> str:
    return f"{method} {url} {version}\r\n{head}\r\n{body}"


# Groups ---------------------------------------------------------------------------------


def shapes(b: Builder) -> None:
    """Each response shape for GET, HEAD, HTTP/1.0 (with and without keep-alive),
    Connection: close, and a POST whose body the handler reads (or does not)."""
    for shape in SHAPES:
        x = f"X-Shape: {shape}\r\n"
        b.add(f"shape-{shape}", get("/s", "Host: a\r\n" + x))
        b.add(f"shape-{shape}-head", get("/s", "Host: a\r\n" + x, "HEAD"))
        b.add(f"shape-{shape}-http10", get("/s", x, version="HTTP/1.0"))
        b.add(f"shape-{shape}-http10-keep-alive",
              get("/s", "Connection: keep-alive\r\n" + x, version="HTTP/1.0"))
        b.add(f"shape-{shape}-close", get("/s", "Host: a\r\nConnection: close\r\n" + x))
        b.add(f"shape-{shape}-post-then-get",
              get("/s", "Host: a\r\nContent-Length: 5\r\n" + x, "POST", body="hello") + NEXT)


def methods(b: Builder) -> None:
    for method in METHODS:
        b.add(f"method-{method}", get("/m", method=method))
    for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "GET", "QUERY", "PROPFIND"):
        b.add(f"method-{method}-body", get("/m", "Host: a\r\nContent-Length: 5\r\n", method,
                                           body="hello"))
    for name, method in [
        ("lowercase", "get"), ("mixed-case", "Get"), ("unknown", "FOO"), ("extra-letter", "GETS"),
        ("prefix-only", "PROP"), ("connect-extra", "CONNECTX"), ("digit", "G3T"),
        ("latin1", "G\xc9T"), ("nul", "GE\x00T"), ("empty", ""), ("long", "X" * 300),
    ]:
        b.add(f"method-invalid-{name}", get("/m", method=method))
    b.add("method-leading-crlf", "\r\n\r\n" + get("/m"))
    b.add("method-leading-space", " " + get("/m"))
    b.add("method-rtsp-describe", "DESCRIBE /m RTSP/1.0\r\nCSeq: 1\r\n\r\n")
    b.add("method-rtsp-version-on-get", "GET /m RTSP/1.0\r\nHost: a\r\n\r\n")
    b.add("method-PRI-preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    b.add("method-PRI-preface-client-error", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
          server={"client_error": True})
    b.add("method-PRI-http11", "PRI /m HTTP/1.1\r\nHost: a\r\n\r\n" + NEXT)


def urls(b: Builder) -> None:
    for cid, url in [
        ("origin-root", "/"), ("origin-path-query-fragment", "/a/b;p?c=d&e=f#frag"),
        ("origin-double-slash", "//a//b"), ("query-only", "?a=b"),
        ("absolute-http", "http://example.com/x?y=1"),
        ("absolute-https-userinfo-port", "https://user:pa%20ss@example.com:8443/p?q#f"),
        ("absolute-no-path", "http://example.com"), ("absolute-ipv6", "http://[::1]:8080/p"),
        ("absolute-bad-scheme-char", "ht_tp://example.com/"), ("asterisk-get", "*"),
        ("authority-get", "example.com:443"), ("percent-encoded", "/%41%2f%zz%"),
        ("sub-delims", "/!$&'()*+,;=:@"), ("unwise-chars", "/a|b{c}d^e`f\\g"),
        ("quote-lt-gt", '/a"b<c>d'), ("hash-only", "#"), ("latin1", "/caf\xe9/\xff\x80"),
        ("utf8-bytes", "/\xc3\xa9"), ("control-0x01", "/a\x01b"), ("control-0x7f", "/a\x7fb"),
        ("nul", "/a\x00b"), ("tab", "/a\tb"), ("form-feed", "/a\x0cb"),
        ("long-8000", "/" + "a" * 7999),
    ]:
        b.add(f"url-{cid}", get(url))
    b.add("url-asterisk-options", get("*", method="OPTIONS"))
    b.add("url-empty", "GET  HTTP/1.1\r\nHost: a\r\n\r\n")
    b.add("url-space-inside", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n")
    b.add("url-long-split", ["GET /" + "b" * 3000, "c" * 3000, "d" * 3000 + " HTTP/1.1\r\nHost: a"
                             "\r\n\r\n"])
    b.add("url-crlf-split-request-CVE-2018-12116",
          get("/a") + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
          description="a path whose characters became CRLF split the request in two")
    b.add("url-latin1-bytes-CVE-2018-12116", get("/\xc4\x8d\xc4\x8a"))


def versions(b: Builder) -> None:
    for cid, version in [
        ("1.0", "HTTP/1.0"), ("0.9", "HTTP/0.9"), ("1.2", "HTTP/1.2"), ("2.0", "HTTP/2.0"),
        ("3.0", "HTTP/3.0"), ("1.10", "HTTP/1.10"), ("lowercase", "http/1.1"),
        ("no-minor", "HTTP/1."), ("9.9", "HTTP/9.9"), ("trailing-space", "HTTP/1.1 "),
        ("icy", "ICY"),
    ]:
        b.add(f"version-{cid}", get("/v", version=version))
    b.add("version-missing", "GET /v\r\nHost: a\r\n\r\n")
    b.add("version-1.2-keep-alive-probe", get("/v", version="HTTP/1.2") + NEXT)
    b.add("version-1.0-then-1.1", get("/v", "Connection: keep-alive\r\n", version="HTTP/1.0")
          + NEXT)


def host(b: Builder) -> None:
    b.add("host-missing-http11", get("/h", ""))
    b.add("host-missing-http11-then-next", get("/h", "") + NEXT)
    b.add("host-missing-http10", get("/h", "", version="HTTP/1.0"))
    b.add("host-missing-not-required", get("/h", ""), server={"require_host_header": False})
    b.add("host-empty", get("/h", "Host:\r\n"))
    b.add("host-twice", get("/h", "Host: a\r\nHost: b\r\n"))
    b.add("host-uppercase-name", get("/h", "HOST: a\r\n"))
    b.add("host-missing-expect-continue", get("/h", "Expect: 100-continue\r\n"))
    b.add("host-missing-http11-post-body", get("/h", "Content-Length: 5\r\n", "POST",
                                               body="hello") + NEXT)


def duplicates(b: Builder) -> None:
    """Node's rules for repeated request headers, and joinDuplicateHeaders."""
    for name in (*FIRST_WINS, *JOINED, "cookie", "set-cookie"):
        title = "-".join(p.capitalize() for p in name.split("-"))
        lines = f"{title}: one\r\n{name.upper()}: two\r\n{name}: three\r\n"
        head = lines if name == "host" else "Host: a\r\n" + lines
        b.add(f"dup-{name}", get("/d", head))
        b.add(f"dup-{name}-joined", get("/d", head), server={"join_duplicate_headers": True})
    b.add("dup-x-shape", get("/d", "Host: a\r\nX-Shape: chunked\r\nX-Shape: 204\r\n"))
    b.add("dup-empty-and-full", get("/d", "Host: a\r\nX: \r\nX: v\r\nX:\r\n"))
    b.add("dup-cookie-empty", get("/d", "Host: a\r\nCookie:\r\nCookie: a=1\r\n"))
    # Names that are properties of every JavaScript object.
    for name in ("__proto__", "constructor", "toString", "hasOwnProperty", "__defineGetter__"):
        b.add(f"header-name-js-{name.strip('_')}", get("/d", f"Host: a\r\n{name}: v\r\n{name}: w\r\n"))


def header_values(b: Builder) -> None:
    def one(cid: str, line: str, **opts: Any) -> None:
        b.add(f"header-{cid}", get("/h", f"Host: a\r\n{line}"), **opts)

    one("ws-none", "X:v\r\n")
    one("ws-many-spaces", "X:     v     \r\n")
    one("ws-tabs", "X:\t\tv\t\t\r\n")
    one("ws-inner", "X: a  b\t\tc\r\n")
    one("ws-only-spaces", "X:    \r\n")
    one("empty-value", "X:\r\n")
    one("value-latin1", "X: caf\xe9 \xff\x80\r\n")
    one("value-utf8", "X: \xc3\xa9\u00e2\x82\xac\r\n")
    one("value-del", "X: a\x7fb\r\n")
    one("value-quotes-backslash", 'X: "a\\b" \'c\'\r\n')
    one("value-json-specials", 'X: {"k": "\\u0000"}\r\n')
    one("value-control-0x01", "X: a\x01b\r\n")
    one("value-control-0x1f", "X: a\x1fb\r\n")
    one("value-nul", "X: a\x00b\r\n")
    one("value-vertical-tab", "X: a\x0bb\r\n")
    one("value-bare-cr", "X: a\rb\r\n")
    one("value-bare-lf", "X: a\nb: c\r\n")
    one("value-very-long", "X: " + "v" * 10000 + "\r\n")
    one("obs-fold", "X: a\r\n b\r\n")
    one("obs-fold-tab", "X: a\r\n\tb\r\n")
    one("space-before-colon", "X : v\r\n")
    one("empty-name", ": v\r\n")
    one("no-colon", "X\r\n")
    one("name-with-space", "X Y: v\r\n")
    one("name-latin1", "X\xe9: v\r\n")
    one("name-token-chars", "!#$%&'*+-.^_`|~09azAZ: v\r\n")
    one("name-separators", "X(Y): v\r\n")
    one("name-mixed-case", "X-MiXeD: v\r\nx-mixed: w\r\n")
    for cid, line in [("obs-fold", "X: a\r\n b\r\n"), ("space-before-colon", "X : v\r\n"),
                      ("value-control-0x01", "X: a\x01b\r\n"), ("no-colon", "X\r\n"),
                      ("value-nul", "X: a\x00b\r\n"), ("value-bare-cr", "X: a\rY: b\r\n")]:
        one(f"{cid}-insecure", line, server={"insecure_http_parser": True})
    for n in (30, 31, 32, 33, 63, 64, 65, 100):
        b.add(f"header-count-{n}", get("/h", "Host: a\r\n" + "".join(
            f"H{i}: v{i}\r\n" for i in range(n - 1))))
    b.add("header-33-split-at-each-line",
          split_at(get("/h", "Host: a\r\n" + "".join(f"H{i}: v{i}\r\n" for i in range(32))),
                   range(26, 26 + 32 * 9, 9)))
    b.add("header-40-with-split-url", ["GET /" + "u" * 50, "u" * 50 + " HTTP/1.1\r\nHost: a\r\n"
                                       + "".join(f"H{i}: v{i}\r\n" for i in range(40)) + "\r\n"])


def limits(b: Builder) -> None:
    """The header-size limit (default and maxHeaderSize) and the header-count limit."""
    def request_of(total: int) -> str:
        # Counted: URL "/uuuuuuuuu" (10), "Host" + "a" (5), "X" + value; nothing else.
        return f"GET /{'u' * 9} HTTP/1.1\r\nHost: a\r\nX: {'v' * (total - 16)}\r\n\r\n"

    for limit in (DEFAULT_LIMIT, 1000, 100):
        server = {} if limit == DEFAULT_LIMIT else {"max_header_size": limit}
        tag = "default" if limit == DEFAULT_LIMIT else str(limit)
        for delta in (-1, 0, 1):
            total = limit + delta
            data = request_of(total)
            b.add(f"hsize-{tag}-{total}", data, server=server)
            b.add(f"hsize-{tag}-{total}-client-error", data,
                  server={**server, "client_error": True})
            b.add(f"hsize-{tag}-{total}-split", split_at(data, (limit // 3, limit // 2 + 7)),
                  server=server)
        b.add(f"hsize-{tag}-url-only-at-limit", f"GET /{'u' * (limit - 1)} HTTP/1.1\r\n\r\n",
              server=server)
        b.add(f"hsize-{tag}-trailer-over", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
              f"chunked\r\n\r\n3\r\nabc\r\n0\r\nT: {'t' * limit}\r\n\r\n", server=server)
    b.add("hsize-default-pipelined-each-below", request_of(DEFAULT_LIMIT - 1) * 2)
    many = "".join(f"H{i:04d}: {i:04d}\r\n" for i in range(DEFAULT_LIMIT // 10))
    b.add("hsize-default-many-headers", f"GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n")
    # The header count: Node 24's parser refuses more than maxHeadersCount (1000 by default)
    # header lines of a request.
    for count, server in [(1000, {}), (1001, {}), (2, {"max_headers_count": 2}),
                          (3, {"max_headers_count": 2}), (10, {"max_headers_count": 10}),
                          (11, {"max_headers_count": 10}), (40, {"max_headers_count": 40}),
                          (41, {"max_headers_count": 40}), (1001, {"max_headers_count": 0}),
                          (3, {"max_headers_count": 2, "client_error": True})]:
        tag = "default" if not server else f"max-{server['max_headers_count']}"
        if server.get("client_error"):
            tag += "-client-error"
        lines = "Host: a\r\n" + "".join(f"H{i}: {i}\r\n" for i in range(count - 1))
        b.add(f"hcount-{tag}-{count}", get("/c", lines), server=server)
    b.add("hcount-max-2-trailers-3", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked"
          "\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", server={"max_headers_count": 2})
    b.add("hcount-max-2-trailers-2", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked"
          "\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n", server={"max_headers_count": 2})


def framing(b: Builder) -> None:
    """Content-Length and Transfer-Encoding in every combination that has bitten someone,
    each followed by a second request that shows where the server thinks the body ended."""
    def post(cid: str, head: str, body: str, **opts: Any) -> None:
        b.add(f"framing-{cid}", f"POST /f HTTP/1.1\r\nHost: a\r\n{head}\r\n{body}{NEXT}", **opts)

    for cid, value, body in [
        ("cl-5", "5", "hello"), ("cl-0", "0", ""), ("cl-leading-zeros", "005", "hello"),
        ("cl-plus", "+5", "hello"), ("cl-negative", "-1", "hello"), ("cl-hex", "0x5", "hello"),
        ("cl-empty", "", "hello"), ("cl-trailing-space", "5  ", "hello"),
        ("cl-trailing-tab", "5\t", "hello"), ("cl-inner-space-CVE-2018-7159", "1 2", "x" * 12),
        ("cl-list-same", "5, 5", "hello"), ("cl-list-comma", "5,5", "hello"),
        ("cl-max-u64", "18446744073709551615", "abc"),
        ("cl-overflow-u64", "18446744073709551616", "abc"), ("cl-letters", "five", "hello"),
        ("cl-extra-bytes", "2", "hello"),
    ]:
        post(cid, f"Content-Length: {value}\r\n", body)
    post("cl-twice-same", "Content-Length: 5\r\nContent-Length: 5\r\n", "hello")
    post("cl-twice-different", "Content-Length: 5\r\nContent-Length: 6\r\n", "hello!")
    post("cl-twice-insecure", "Content-Length: 5\r\nContent-Length: 6\r\n", "hello!",
         server={"insecure_http_parser": True})
    post("cl-obs-fold", "Content-Length: 5\r\n 6\r\n", "hello")
    post("cl-uppercase-name", "CONTENT-LENGTH: 5\r\n", "hello")
    b.add("framing-cl-in-get", get("/f", "Host: a\r\nContent-Length: 5\r\n", body="hello") + NEXT)
    b.add("framing-cl-body-split", ["POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab",
                                    "cdef", "ghij" + NEXT])
    b.add("framing-cl-body-big", "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 60000\r\n\r\n"
          + "z" * 60000)
    b.add("framing-cl-short-body-wait", "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n"
          "\r\nhello")
    for cid, value in [
        ("chunked", "chunked"), ("chunked-upper", "CHUNKED"), ("chunked-mixed", "ChUnKeD"),
        ("gzip-chunked", "gzip, chunked"), ("gzip-chunked-nospace", "gzip,chunked"),
        ("chunked-gzip", "chunked, gzip"), ("gzip", "gzip"), ("identity", "identity"),
        ("chunked-chunked", "chunked, chunked"), ("chunked-trailing-space", "chunked "),
        ("chunked-leading-comma", ",chunked"), ("chunked-trailing-comma", "chunked,"),
        ("chunkedx", "chunkedx"), ("xchunked", "xchunked"), ("empty", ""),
        ("chunked-params", "chunked;q=1"), ("chunked-tab", "\tchunked"),
        ("chunked-quoted", '"chunked"'), ("chunked-double-comma", "gzip,,chunked"),
    ]:
        post(f"te-{cid}", f"Transfer-Encoding: {value}\r\n", HELLO_CHUNKED)
    for cid, head in [
        ("te-twice-chunked", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
        ("te-gzip-then-chunked", "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
        ("te-chunked-then-other-CVE-2020-8287",
         "Transfer-Encoding: chunked\r\nTransfer-Encoding: eee\r\n"),
        ("te-chunked-obs-fold-CVE-2022-32215", "Transfer-Encoding: chunked\r\n , identity\r\n"),
        ("te-obs-fold-chunked-CVE-2022-32215", "Transfer-Encoding: identity\r\n chunked\r\n"),
        ("te-chunkedchunked-CVE-2019-15605", "Transfer-Encoding: chunkedchunked\r\n"),
        ("te-chunked-comma-garbage-CVE-2019-15605", "Transfer-Encoding: chunked , eee\r\n"),
        ("te-ws-name-CVE-2022-32213", "Transfer-Encoding : chunked\r\n"),
        ("te-space-before-colon-CVE-2021-22959",
         "Transfer-Encoding : chunked\r\nContent-Length: 3\r\n"),
        ("te-cr-in-name-CVE-2020-8201", "Transfer-Encoding\r: chunked\r\n"),
        ("te-cl-both", "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n"),
        ("cl-te-both", "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n"),
        ("te-vertical-tab-CVE-2019-15605", "Transfer-Encoding: \x0bchunked\r\n"),
    ]:
        post(cid, head, HELLO_CHUNKED)
    post("cl-te-both-insecure", "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
         HELLO_CHUNKED, server={"insecure_http_parser": True})
    post("te-gzip-insecure", "Transfer-Encoding: gzip\r\n", "abc",
         server={"insecure_http_parser": True})
    b.add("framing-te-http10", "POST /f HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
          + HELLO_CHUNKED)
    b.add("framing-te-in-get", get("/f", "Host: a\r\nTransfer-Encoding: chunked\r\n",
                                   body=HELLO_CHUNKED) + NEXT)
    b.add("framing-te-in-head", get("/f", "Host: a\r\nTransfer-Encoding: chunked\r\n", "HEAD",
                                    body=HELLO_CHUNKED) + NEXT)
    b.add("framing-cl-in-head", get("/f", "Host: a\r\nContent-Length: 3\r\n", "HEAD",
                                    body="abc") + NEXT)


def smuggling(b: Builder) -> None:
    """One case per CVE class where a parser or server rule closed a smuggling hole."""
    def r(cid: str, data: str | list[str], **opts: Any) -> None:
        b.add(f"cve-{cid}", data, **opts)

    r("2022-32214-lf-only-header-end", "POST / HTTP/1.1\r\nHost: a\nContent-Length: 5\r\n\r\n"
      "hello" + NEXT)
    r("2022-32214-lf-only-everywhere", "GET / HTTP/1.1\nHost: a\n\n" + NEXT)
    r("2022-35256-cr-then-char-in-value", "POST / HTTP/1.1\r\nHost: a\r\nX: a\rContent-Length: 5"
      "\r\n\r\nhello" + NEXT)
    r("2023-30589-cr-only-line-end", "GET / HTTP/1.1\rHost: a\r\r" + NEXT)
    r("2023-30589-cr-only-header", "POST / HTTP/1.1\r\nHost: a\rContent-Length: 5\r\n\r\nhello"
      + NEXT)
    r("2024-27982-space-before-cl", "POST / HTTP/1.1\r\nHost: a\r\n Content-Length: 5\r\n\r\n"
      "hello" + NEXT)
    r("2024-27982-space-before-first-header", "POST / HTTP/1.1\r\n Content-Length: 5\r\nHost: a"
      "\r\n\r\nhello" + NEXT)
    r("2024-27982-space-before-cl-insecure", "POST / HTTP/1.1\r\nHost: a\r\n Content-Length: 5"
      "\r\n\r\nhello" + NEXT, server={"insecure_http_parser": True})
    r("2025-23167-cr-x-header-end", "GET / HTTP/1.1\r\nHost: a\r\n\rXGET /x HTTP/1.1\r\n\r\n")
    r("2025-23167-cr-x-header-end-split", ["GET / HTTP/1.1\r\nHost: a\r\n\r", "X\r\n\r\n"])
    r("2025-23167-trailer-cr-x-end", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked"
      "\r\n\r\n0\r\n\rXGET / HTTP/1.1\r\n\r\n")
    r("2020-8287-te-chunked-then-identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
      "chunked\r\nTransfer-Encoding: identity\r\n\r\n" + HELLO_CHUNKED + NEXT)
    r("2019-15605-te-chunked-and-cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + NEXT)
    r("2018-12121-headers-across-chunks", ["GET / HTTP/1.1\r\nHost: a\r\n"]
      + [f"X{i}: " + "a" * 1000 + "\r\n" for i in range(20)] + ["\r\n"])
    r("2020-8201-cr-in-header-name", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length\r: 5\r\n\r\n"
      "hello" + NEXT)
    r("2021-22959-space-before-colon-cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n"
      "\r\nhello" + NEXT)
    r("2021-22960-chunk-ext-invalid-char", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
      "chunked\r\n\r\n5;a\x01\r\nhello\r\n0\r\n\r\n" + NEXT)
    r("2022-32213-te-flawed-parsing", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, "
      "x\r\n\r\n" + HELLO_CHUNKED + NEXT)
    r("2022-32215-te-multiline", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
      " , chunked\r\n\r\n" + HELLO_CHUNKED + NEXT)
    r("2024-22019-chunk-ext-slowloris", ["POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                                         "chunked\r\n\r\n5;"] + ["x" * 4096] * 5
      + ["\r\nhello\r\n0\r\n\r\n"])


def chunks(b: Builder) -> None:
    """Chunk sizes, extensions and trailers, each followed by a second request."""
    def chunked(cid: str, body: str, **opts: Any) -> None:
        b.add(f"chunk-{cid}", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
              + body + NEXT, **opts)

    for cid, body in [
        ("basic", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
        ("hex-upper", "A\r\n0123456789\r\n0\r\n\r\n"),
        ("hex-lower", "a\r\n0123456789\r\n0\r\n\r\n"),
        ("leading-zeros", "0005\r\nhello\r\n0000\r\n\r\n"),
        ("size-0x", "0x5\r\nhello\r\n0\r\n\r\n"), ("size-negative", "-5\r\nhello\r\n0\r\n\r\n"),
        ("size-empty", "\r\nhello\r\n0\r\n\r\n"),
        ("size-leading-space", " 5\r\nhello\r\n0\r\n\r\n"),
        ("size-trailing-space", "5 \r\nhello\r\n0\r\n\r\n"),
        ("size-trailing-tab", "5\t\r\nhello\r\n0\r\n\r\n"),
        ("size-letters", "g\r\nhello\r\n0\r\n\r\n"),
        ("size-overflow", "10000000000000000\r\nabc"),
        ("size-bigger-than-data", "a\r\nhello\r\n0\r\n\r\n"),
        ("size-smaller-than-data", "3\r\nhello\r\n0\r\n\r\n"),
        ("ext-empty", "5;\r\nhello\r\n0\r\n\r\n"), ("ext-name", "5;a\r\nhello\r\n0\r\n\r\n"),
        ("ext-name-value", "5;a=b\r\nhello\r\n0\r\n\r\n"),
        ("ext-many", "5;a=b;c=d;e\r\nhello\r\n0;z=1\r\n\r\n"),
        ("ext-quoted", '5;a="b c"\r\nhello\r\n0\r\n\r\n'),
        ("ext-quoted-semicolon", '5;a="b;c"\r\nhello\r\n0\r\n\r\n'),
        ("ext-quoted-unterminated", '5;a="b\r\nhello\r\n0\r\n\r\n'),
        ("ext-space-before-semicolon", "5 ;a=b\r\nhello\r\n0\r\n\r\n"),
        ("ext-space-around-equals", "5;a = b\r\nhello\r\n0\r\n\r\n"),
        ("ext-nul-CVE-2021-22960", "5;\x00a\r\nhello\r\n0\r\n\r\n"),
        ("ext-bare-cr-CVE-2021-22960", "5;a\rhello\r\n0\r\n\r\n"),
        ("ext-latin1-value", "5;a=\xe9\r\nhello\r\n0\r\n\r\n"),
        ("data-missing-crlf", "5\r\nhelloX0\r\n\r\n"),
        ("data-lf-only", "5\r\nhello\n0\r\n\r\n"),
        ("lf-only-everywhere", "5\nhello\n0\n\n"),
        ("trailers", "5\r\nhello\r\n0\r\nX-T: 1\r\nY-T: 2 \r\n\r\n"),
        ("trailers-duplicate", "0\r\nT: 1\r\nT: 2\r\nt: 3\r\nSet-Cookie: a\r\nset-cookie: b\r\n"
         "\r\n"),
        ("trailers-40", "0\r\n" + "".join(f"T{i}: {i}\r\n" for i in range(40)) + "\r\n"),
        ("trailers-invalid-name", "0\r\nX T: 1\r\n\r\n"),
        ("trailers-obs-fold", "0\r\nT: 1\r\n 2\r\n\r\n"),
        ("trailers-latin1", "0\r\nT: caf\xe9\r\n\r\n"),
        ("zero-size-first", "0\r\n\r\n"),
        ("many-small", "".join("1\r\nx\r\n" for _ in range(50)) + "0\r\n\r\n"),
        ("big", "4000\r\n" + "y" * 0x4000 + "\r\n0\r\n\r\n"),
        ("ext-per-chunk-reset-CVE-2024-22019", "1;" + "e" * 16000 + "\r\na\r\n0;" + "e" * 16000
         + "\r\n\r\n"),
    ]:
        chunked(cid, body)
    # Node counts the extension bytes after ";" and refuses more than 16 KiB of them.
    for n in (16383, 16384, 16385):
        chunked(f"ext-size-{n}-CVE-2024-22019", f"5;{'e' * n}\r\nhello\r\n0\r\n\r\n")
        chunked(f"ext-size-{n}-client-error-CVE-2024-22019", f"5;{'e' * n}\r\nhello\r\n0\r\n"
                "\r\n", server={"client_error": True})
    chunked("ext-last-chunk-overflow-CVE-2024-22019", "0;" + "e" * 17000 + "\r\n\r\n")
    chunked("size-trailing-space-insecure", "5 \r\nhello\r\n0\r\n\r\n",
            server={"insecure_http_parser": True})
    chunked("data-missing-crlf-insecure", "5\r\nhelloX0\r\n\r\n",
            server={"insecure_http_parser": True})
    b.add("chunk-body-split", ["POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "a\r\n01234", "56789\r\n0", "\r\n\r\n" + NEXT])
    b.add("chunk-size-split", ["POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "1", "0\r\n0123456789abcdef\r\n", "0\r\n", "\r\n"])


def pipelining(b: Builder) -> None:
    g = "GET /%d HTTP/1.1\r\nHost: a\r\n\r\n"
    b.add("pipe-three-gets", "".join(g % i for i in range(3)))
    b.add("pipe-three-gets-split-across", split_at("".join(g % i for i in range(3)), (5, 30, 31,
                                                                                    60, 80)))
    b.add("pipe-each-in-own-write", [g % i for i in range(3)])
    b.add("pipe-get-post-get", g % 1 + "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n"
          "abc" + g % 2)
    b.add("pipe-chunked-then-get", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked"
          "\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + g % 1)
    b.add("pipe-trailers-then-get", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked"
          "\r\n\r\n0\r\nT: 1\r\n\r\n" + g % 1)
    b.add("pipe-shapes", "".join(f"GET /{s} HTTP/1.1\r\nHost: a\r\nX-Shape: {s}\r\n\r\n"
                                 for s in ("chunked", "204", "304", "trailers", "content-length")))
    # Informational responses of a response still queued behind an earlier one.
    for shape in ("early-hints", "processing", "continue"):
        b.add(f"pipe-{shape}-queued", g % 1 + f"GET /i HTTP/1.1\r\nHost: a\r\nX-Shape: {shape}"
              "\r\n\r\n")
    b.add("pipe-head-then-get", get("/h", method="HEAD") + g % 1)
    b.add("pipe-dump-body-then-get", "POST /d HTTP/1.1\r\nHost: a\r\nX-Shape: dump\r\n"
          "Content-Length: 5\r\n\r\nhello" + g % 1)
    b.add("pipe-dump-body-later", ["POST /d HTTP/1.1\r\nHost: a\r\nX-Shape: dump\r\n"
                                   "Content-Length: 10\r\n\r\nhello", "world" + g % 1])
    b.add("pipe-close-in-middle", g % 1 + "GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
          "\r\n" + g % 2)
    b.add("pipe-close-shape-in-middle", g % 1 + "GET /c HTTP/1.1\r\nHost: a\r\nX-Shape: "
          "connection-close\r\n\r\n" + g % 2)
    b.add("pipe-http10-in-middle", g % 1 + "GET /10 HTTP/1.0\r\n\r\n" + g % 2)
    b.add("pipe-error-in-second", g % 1 + "GET /x HTTP/1.1\r\nBad Header: x\r\n\r\n" + g % 2)
    b.add("pipe-error-in-second-client-error", g % 1 + "GET /x HTTP/1.1\r\nBad Header: x\r\n\r\n"
          + g % 2, server={"client_error": True})
    b.add("pipe-error-in-second-write", [g % 1, "GET /x HTTP/1.1\r\nBad Header: x\r\n\r\n"],
          pause_ms=SLOW_PAUSE_MS)
    b.add("pipe-missing-host-in-second", g % 1 + "GET /nohost HTTP/1.1\r\n\r\n" + g % 2)
    b.add("pipe-crlf-between", g % 1 + "\r\n" + g % 2)
    b.add("pipe-destroy-in-middle", g % 1 + "GET /x HTTP/1.1\r\nHost: a\r\nX-Shape: destroy\r\n"
          "\r\n" + g % 2)
    b.add("pipe-flood-50", "".join(g % i for i in range(50)))
    b.add("pipe-max-requests-2", "".join(g % i for i in range(3)),
          server={"max_requests_per_socket": 2})
    b.add("pipe-max-requests-2-each-write", [g % i for i in range(3)],
          server={"max_requests_per_socket": 2})
    b.add("pipe-max-requests-1", g % 1, server={"max_requests_per_socket": 1})


def connection(b: Builder) -> None:
    for cid, version, head in [
        ("http10", "HTTP/1.0", ""),
        ("http10-keep-alive", "HTTP/1.0", "Connection: keep-alive\r\n"),
        ("http10-keep-alive-upper", "HTTP/1.0", "Connection: Keep-Alive\r\n"),
        ("http10-keep-alive-list", "HTTP/1.0", "Connection: foo, keep-alive\r\n"),
        ("http11", "HTTP/1.1", ""),
        ("http11-close", "HTTP/1.1", "Connection: close\r\n"),
        ("http11-close-upper", "HTTP/1.1", "Connection: CLOSE\r\n"),
        ("http11-close-list", "HTTP/1.1", "Connection: keep-alive, close\r\n"),
        ("http11-closed-token", "HTTP/1.1", "Connection: closed\r\n"),
        ("http11-close-twice-headers", "HTTP/1.1", "Connection: x\r\nConnection: close\r\n"),
        ("http11-keep-alive", "HTTP/1.1", "Connection: keep-alive\r\n"),
    ]:
        b.add(f"conn-{cid}", f"GET /k {version}\r\nHost: a\r\n{head}\r\n" + NEXT)
    b.add("conn-http10-te-chunked-shape", "GET /k HTTP/1.0\r\nTE: chunked\r\nX-Shape: chunked"
          "\r\n\r\n")
    b.add("conn-http10-keep-alive-chunked-shape", "GET /k HTTP/1.0\r\nConnection: keep-alive\r\n"
          "X-Shape: chunked\r\n\r\n" + NEXT)


def half_close(b: Builder) -> None:
    """The client shuts its side down after sending: Node's socketOnEnd and parser.finish()."""
    for cid, data, server in [
        ("complete-get", get("/e"), {}),
        ("complete-get-chunked-shape", get("/e", "Host: a\r\nX-Shape: chunked\r\n"), {}),
        ("headers-incomplete", "GET /e HTTP/1.1\r\nHost: a\r\n", {}),
        ("headers-incomplete-client-error", "GET /e HTTP/1.1\r\nHost: a\r\n",
         {"client_error": True}),
        ("body-short", "POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello", {}),
        ("body-short-client-error", "POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n"
         "hello", {"client_error": True}),
        ("chunked-incomplete", "POST /e HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5\r\nhel", {}),
        ("pipelined-two", get("/e") + NEXT, {}),
        ("nothing-sent-but-crlf", "\r\n", {}),
        ("http10-no-length-body", "POST /e HTTP/1.0\r\n\r\nabc", {}),
    ]:
        b.add(f"eof-{cid}", data, server=server, half_close=True)


def expect(b: Builder) -> None:
    post = ("POST /x HTTP/1.1\r\nHost: a\r\nExpect: {}\r\nContent-Length: 5\r\n\r\n", "hello")
    for cid, value, server in [
        ("100-continue", "100-continue", {}),
        ("100-continue-upper", "100-Continue", {}),
        ("100-continue-listener", "100-continue", {"check_continue": "continue"}),
        ("100-continue-listener-reject", "100-continue", {"check_continue": "reject"}),
        ("100-continue-listener-silent", "100-continue", {"check_continue": "silent"}),
        ("100-continue-in-list", "foo, 100-continue", {}),
        ("100-continue-with-params", "100-continue; a=b", {}),
        ("other", "fancy", {}),
        ("other-listener", "fancy", {"check_expectation": True}),
        ("other-and-continue-listener", "fancy", {"check_continue": "continue"}),
        ("empty", "", {}),
        ("102", "102-processing", {}),
    ]:
        b.add(f"expect-{cid}", [post[0].format(value), post[1] + NEXT], server=server)
    b.add("expect-100-continue-http10", ["POST /x HTTP/1.0\r\nExpect: 100-continue\r\n"
                                         "Content-Length: 5\r\n\r\n", "hello"])
    b.add("expect-100-continue-no-body", get("/x", "Host: a\r\nExpect: 100-continue\r\n"))
    b.add("expect-100-continue-body-same-write", post[0].format("100-continue") + post[1])
    b.add("expect-100-continue-reject-body-follows", [post[0].format("100-continue"),
                                                      post[1] + NEXT],
          server={"check_continue": "reject"}, pause_ms=SLOW_PAUSE_MS)
    b.add("expect-duplicate", get("/x", "Host: a\r\nExpect: fancy\r\nExpect: 100-continue\r\n"))
    # The server's own 100 Continue for a response queued behind an earlier one.
    b.add("expect-100-continue-pipelined-behind-get", get("/first") + post[0].format(
        "100-continue") + post[1])


def tunnels(b: Builder) -> None:
    """Upgrade and CONNECT, with and without their listeners."""
    ws = "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    connect = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
    for listening in (False, True):
        tag = "listener" if listening else "no-listener"
        up = {"upgrade": listening}
        con = {"connect": listening}
        b.add(f"upgrade-ws-{tag}", ws, server=up)
        b.add(f"upgrade-ws-{tag}-bytes-after", ws + WS_TAIL, server=up)
        b.add(f"upgrade-ws-{tag}-bytes-next-write", [ws, WS_TAIL], server=up,
              pause_ms=SLOW_PAUSE_MS)
        b.add(f"upgrade-ws-{tag}-with-body", "POST /chat HTTP/1.1\r\nHost: a\r\nUpgrade: "
              "websocket\r\nConnection: upgrade\r\nContent-Length: 3\r\n\r\nabc" + WS_TAIL,
              server=up)
        b.add(f"upgrade-h2c-{tag}", "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, "
              "HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
              server=up)
        b.add(f"upgrade-no-connection-header-{tag}", "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: "
              "websocket\r\n\r\n" + NEXT, server=up)
        b.add(f"upgrade-connection-only-{tag}", "GET / HTTP/1.1\r\nHost: a\r\nConnection: "
              "upgrade\r\n\r\n" + NEXT, server=up)
        b.add(f"upgrade-http10-{tag}", "GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: "
              "upgrade\r\n\r\n" + WS_TAIL, server=up)
        b.add(f"upgrade-missing-host-{tag}", "GET / HTTP/1.1\r\nUpgrade: websocket\r\n"
              "Connection: upgrade\r\n\r\n", server=up)
        b.add(f"upgrade-then-request-{tag}", ws + NEXT, server=up)
        b.add(f"upgrade-after-get-{tag}", get("/first") + ws + WS_TAIL, server=up)
        b.add(f"connect-{tag}", connect, server=con)
        b.add(f"connect-{tag}-bytes-after", connect + "\x16\x03\x01", server=con)
        b.add(f"connect-{tag}-bytes-next-write", [connect, "\x16\x03\x01"], server=con,
              pause_ms=SLOW_PAUSE_MS)
        b.add(f"connect-{tag}-with-cl", "CONNECT example.com:443 HTTP/1.1\r\nHost: a\r\n"
              "Content-Length: 3\r\n\r\nabcdef", server=con)
        b.add(f"connect-{tag}-ipv6", "CONNECT [::1]:443 HTTP/1.1\r\nHost: a\r\n\r\n", server=con)
        b.add(f"connect-{tag}-no-port", "CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n",
              server=con)
        b.add(f"connect-{tag}-http10", "CONNECT example.com:443 HTTP/1.0\r\n\r\nxyz", server=con)
    b.add("connect-with-upgrade-listener-only", connect + "xyz", server={"upgrade": True})
    b.add("upgrade-with-connect-listener-only", ws + WS_TAIL, server={"connect": True})
    b.add("upgrade-both-listeners-connect", connect + "xyz",
          server={"upgrade": True, "connect": True})
    b.add("upgrade-no-listener-bad-chunk-size-swallowed", "POST / HTTP/1.1\r\nHost: a\r\n"
          "Upgrade: ws\r\nConnection: upgrade\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + NEXT)


def bad_requests(b: Builder) -> None:
    """Each llhttp error a request can cause, without and with a 'clientError' listener."""
    for cid, data in [
        ("HPE_INVALID_METHOD", "BLAH\x00 / HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("HPE_INVALID_URL", "GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("HPE_INVALID_VERSION", "GET / HTTP/1.x\r\nHost: a\r\n\r\n"),
        ("HPE_INVALID_CONSTANT", "GET / HXTP/1.1\r\nHost: a\r\n\r\n"),
        ("HPE_INVALID_HEADER_TOKEN", "GET / HTTP/1.1\r\nHost: a\r\nBad\x01: x\r\n\r\n"),
        ("HPE_INVALID_HEADER_TOKEN-value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n"),
        ("HPE_LF_EXPECTED", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"),
        ("HPE_CR_EXPECTED", "GET / HTTP/1.1\r\nHost: a\n\n"),
        ("HPE_CR_EXPECTED-chunk-size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
         "chunked\r\n\r\n5\nhello\r\n0\r\n\r\n"),
        ("HPE_UNEXPECTED_SPACE", "GET / HTTP/1.1\r\n Host: a\r\n\r\n"),
        ("HPE_INVALID_HEADER_TOKEN-whitespace", "GET / HTTP/1.1\r\nHost: a\r\n Y: b\r\n\r\n"),
        ("HPE_STRICT-headers-end", "GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n\r\n"),
        ("HPE_STRICT-chunk-extension", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
         "chunked\r\n\r\n5;a =b\r\nhello\r\n0\r\n\r\n"),
        ("HPE_INVALID_CONTENT_LENGTH", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n"),
        ("HPE_UNEXPECTED_CONTENT_LENGTH", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
         "Content-Length: 2\r\n\r\n"),
        ("HPE_INVALID_TRANSFER_ENCODING", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
         "chunked, gzip\r\n\r\nabc"),
        ("HPE_INVALID_CHUNK_SIZE", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
         "\r\nzz\r\n"),
        ("HPE_STRICT-chunk-data", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
         "\r\n3\r\nabcX\r\n"),
        ("HPE_HEADER_OVERFLOW", "GET / HTTP/1.1\r\nHost: a\r\nX: " + "v" * 17000 + "\r\n\r\n"),
        ("HPE_CHUNK_EXTENSIONS_OVERFLOW", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
         "chunked\r\n\r\n5;" + "e" * 17000 + "\r\nhello\r\n0\r\n\r\n"),
        ("HPE_CLOSED_CONNECTION", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
         "GET /after HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("HPE_PAUSED_H2_UPGRADE", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        ("error-late-in-write", "GET / HTTP/1.1\r\nHost: a\r\nGood: 1\r\n" + "H: v\r\n" * 20
         + "Bad Name: 2\r\n\r\n"),
    ]:
        b.add(f"bad-{cid}", data)
        b.add(f"bad-{cid}-client-error", data, server={"client_error": True})
    # The error in a later write: bytesParsed and rawPacket are of that write.
    for cid, parts in [
        ("second-write", ["GET / HTTP/1.1\r\nHost: a\r\n", "Bad\x01: x\r\n\r\n"]),
        ("body-write", ["POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "5\r\nhello\r\nzz\r\n"]),
    ]:
        b.add(f"bad-{cid}", parts, pause_ms=SLOW_PAUSE_MS)
        b.add(f"bad-{cid}-client-error", parts, server={"client_error": True},
              pause_ms=SLOW_PAUSE_MS)


# Every one-chunk case of these groups also gets a twin cut at its fragile places.
AWKWARD_GROUPS = ("framing-", "cve-", "chunk-", "header-", "dup-", "expect-", "bad-")


def add_awkward_twins(b: Builder) -> None:
    """Twins ``<id>-awk`` cut inside CRLFs, names, colons and chunk sizes at once.

    Cases where a clientError listener reports the read that failed are left out: their
    reply names the server's read, which a twin changes by design.
    """
    for case in list(b.cases):
        if (len(case["chunks"]) != 1 or not case["id"].startswith(AWKWARD_GROUPS)
                or case.get("server", {}).get("client_error")):
            continue
        data = case["chunks"][0]
        cuts = sorted({p for ps in awkward_positions(data).values() for p in ps})
        if not cuts or len(cuts) > 40:
            continue
        twin = {k: v for k, v in case.items() if k not in ("id", "chunks")}
        b.add(f"{case['id']}-awk", split_at(data, cuts), **{**twin, "pause_ms": 10})


GROUPS = (shapes, methods, urls, versions, host, duplicates, header_values, limits, framing,
          smuggling, chunks, pipelining, connection, half_close, expect, tunnels, bad_requests)


def generate() -> list[Case]:
    """All built-in server cases, in a fixed order."""
    b = Builder()
    for group in GROUPS:
        group(b)
    add_awkward_twins(b)
    return b.cases
