"""The built-in parser cases, generated (deterministically) rather than kept as a huge file.

Bytes are written as latin-1 ``str``: one character per byte, as the case format wants.
Every group below is a function adding cases to a :class:`Builder`; ids are
``<group>-<what>`` and must stay stable, since ``known-differences`` names them.
"""

from __future__ import annotations

from typing import Any, Iterable

Case = dict[str, Any]

CRLF = "\r\n"
DEFAULT_LIMIT = 16384  # Node's --max-http-header-size default

# llhttp 9.4.3's methods in id order (HTTP_ALL_METHOD_MAP), written out rather than read
# from nodehttp, so that the cases do not trust the code under test.
METHODS = (
    "DELETE", "GET", "HEAD", "POST", "PUT", "CONNECT", "OPTIONS", "TRACE", "COPY", "LOCK",
    "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND",
    "UNBIND", "ACL", "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY",
    "SUBSCRIBE", "UNSUBSCRIBE", "PATCH", "PURGE", "MKCALENDAR", "LINK", "UNLINK", "SOURCE",
    "PRI", "DESCRIBE", "ANNOUNCE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER",
    "SET_PARAMETER", "REDIRECT", "RECORD", "FLUSH", "QUERY",
)

LENIENT = {
    "headers": 0x1,
    "chunked_length": 0x2,
    "keep_alive": 0x4,
    "transfer_encoding": 0x8,
    "version": 0x10,
    "data_after_close": 0x20,
    "optional_lf_after_cr": 0x40,
    "optional_crlf_after_chunk": 0x80,
    "optional_cr_before_lf": 0x100,
    "spaces_after_chunk_size": 0x200,
    "header_value_relaxed": 0x400,
}
LENIENT_NODE_INSECURE = 0x3FF  # Node's kLenientAll, what insecureHTTPParser sets


class Builder:
    """Collects cases and refuses duplicate ids (known-differences relies on them)."""

    def __init__(self) -> None:
        self.cases: list[Case] = []
        self._ids: set[str] = set()

    def add(self, cid: str, kind: str, chunks: str | list[str], **opts: Any) -> Case:
        if cid in self._ids:
            raise ValueError(f"duplicate generated case id {cid!r}")
        self._ids.add(cid)
        case: Case = {"id": cid, "type": kind,
                      "chunks": [chunks] if isinstance(chunks, str) else list(chunks),
                      "finish": opts.pop("finish", True)}
        case.update(opts)
        self.cases.append(case)
        return case

    def req(self, cid: str, chunks: str | list[str], **opts: Any) -> Case:
        return self.add(cid, "request", chunks, **opts)

    def res(self, cid: str, chunks: str | list[str], **opts: Any) -> Case:
        return self.add(cid, "response", chunks, **opts)


def split_at(data: str, positions: Iterable[int]) -> list[str]:
    """``data`` cut at the given offsets (sorted, deduplicated, empty pieces dropped)."""
    cuts = sorted({p for p in positions if 0 < p < len(data)})
    edges = [0, *cuts, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:])]


def awkward_positions(data: str) -> dict[str, list[int]]:
    """Named cut points where a parser's state is most fragile."""
    out: dict[str, list[int]] = {}
    crlf = [i + 1 for i in range(len(data) - 1) if data[i:i + 2] == CRLF]
    if crlf:
        out["in-crlf"] = crlf
    names: list[int] = []
    colons: list[int] = []
    for i in range(len(data) - 2):
        if data[i:i + 2] == CRLF and data[i + 2] not in "\r\n":
            end = data.find(":", i + 2)
            line_end = data.find(CRLF, i + 2)
            if end != -1 and (line_end == -1 or end < line_end):
                names.append(i + 2 + (end - i - 2) // 2 or i + 3)
                colons.append(end)
    if names:
        out["in-name"] = names
        out["at-colon"] = colons
    head_end = data.find(CRLF * 2)
    if head_end != -1:
        out["in-head-end"] = [head_end + 1, head_end + 2, head_end + 3]
    sizes = []
    for i in range(len(data) - 1):
        # A chunk-size line: after a CRLF, hex digits, then CRLF or ';' or space.
        if data[i:i + 2] == CRLF and i + 2 < len(data) and data[i + 2] in "0123456789abcdefABCDEF":
            j = i + 2
            while j < len(data) and data[j] in "0123456789abcdefABCDEF":
                j += 1
            if j < len(data) and data[j] in "\r; " and j - (i + 2) >= 2:
                sizes.append(i + 3)
    if sizes:
        out["in-chunk-size"] = sizes
    return out


def add_awkward_splits(b: Builder, cid: str, kind: str, data: str, **opts: Any) -> None:
    """The whole message in one chunk, then split at each fragile place, then bytewise."""
    b.add(cid, kind, data, **opts)
    for name, positions in awkward_positions(data).items():
        b.add(f"{cid}-split-{name}", kind, split_at(data, positions), **opts)
    b.add(f"{cid}-split-bytewise", kind, list(data), **opts)


def add_all_two_splits(b: Builder, cid: str, kind: str, data: str, **opts: Any) -> None:
    """Every way of cutting ``data`` into two execute calls."""
    for pos in range(1, len(data)):
        b.add(f"{cid}-split2-{pos:03d}", kind, [data[:pos], data[pos:]], **opts)


# Groups ---------------------------------------------------------------------------------


def methods(b: Builder) -> None:
    for method in METHODS:
        b.req(f"method-{method}-http11", f"{method} /p HTTP/1.1\r\nHost: a\r\n\r\n")
        b.req(f"method-{method}-rtsp10", f"{method} /p RTSP/1.0\r\nCSeq: 1\r\n\r\n")
    b.req("method-PRI-preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    b.req("method-CONNECT-origin-form", "CONNECT /p HTTP/1.1\r\nHost: a\r\n\r\n")
    for name, method in [
        ("lowercase", "get"), ("mixed-case", "Get"), ("unknown", "FOO"), ("extra-letter", "GETS"),
        ("prefix-only", "PROP"), ("connect-extra", "CONNECTX"), ("msearch-extra", "M-SEARCHX"),
        ("proppatch-extra", "PROPPATCHX"), ("underscore", "GET_"), ("dash", "GET-"),
        ("digit", "G3T"), ("latin1", "G\xc9T"), ("nul", "GE\x00T"), ("tab-in", "GE\tT"),
        ("http-as-method", "HTTP"), ("query-lower", "query"), ("empty", ""),
        ("long", "X" * 300), ("rtsp-only-on-http", "DESCRIBEX"), ("ice", "ICE"),
    ]:
        b.req(f"method-invalid-{name}", f"{method} /p HTTP/1.1\r\nHost: a\r\n\r\n")
    b.req("method-leading-crlf", "\r\n\r\nGET /p HTTP/1.1\r\nHost: a\r\n\r\n")
    b.req("method-leading-space", " GET /p HTTP/1.1\r\n\r\n")
    b.req("method-double-space", "GET  /p HTTP/1.1\r\n\r\n")
    b.req("method-tab-separator", "GET\t/p HTTP/1.1\r\n\r\n")
    b.res("method-response-parser-given-request", "GET / HTTP/1.1\r\n\r\n")
    b.req("method-request-parser-given-response", "HTTP/1.1 200 OK\r\n\r\n")


def urls(b: Builder) -> None:
    def get(cid: str, url: str, method: str = "GET", **opts: Any) -> None:
        b.req(f"url-{cid}", f"{method} {url} HTTP/1.1\r\nHost: a\r\n\r\n", **opts)

    get("origin-root", "/")
    get("origin-path-query-fragment", "/a/b;p?c=d&e=f#frag")
    get("origin-double-slash", "//a//b")
    get("query-only", "?a=b")
    get("absolute-http", "http://example.com/x?y=1")
    get("absolute-https-userinfo-port", "https://user:pa%20ss@example.com:8443/p?q#f")
    get("absolute-no-path", "http://example.com")
    get("absolute-ipv6", "http://[::1]:8080/p")
    get("absolute-ws", "ws://example.com/chat")
    get("absolute-bad-scheme-char", "ht_tp://example.com/")
    get("absolute-scheme-only", "http://")
    get("asterisk-options", "*", "OPTIONS")
    get("asterisk-get", "*")
    get("asterisk-extra", "*x", "OPTIONS")
    get("authority-connect", "example.com:443", "CONNECT", upgrade_listener=False)
    get("authority-connect-ipv6", "[::1]:443", "CONNECT")
    get("authority-connect-no-port", "example.com", "CONNECT")
    get("authority-get", "example.com:443")
    get("percent-encoded", "/%41%2f%zz%")
    get("sub-delims", "/!$&'()*+,;=:@")
    get("unwise-chars", "/a|b{c}d^e`f\\g")
    get("quote-lt-gt", '/a"b<c>d')
    get("hash-only", "#")
    get("empty", "")
    get("latin1", "/caf\xe9/\xff\x80")
    get("utf8-bytes", "/\xc3\xa9")
    get("control-0x01", "/a\x01b")
    get("control-0x7f", "/a\x7fb")
    get("nul", "/a\x00b")
    get("tab", "/a\tb")
    get("vertical-tab", "/a\x0bb")
    get("form-feed", "/a\x0cb")
    get("bare-cr", "/a\rb")
    get("bare-lf", "/a\nb")
    get("space-inside", "/a b")
    for n in (1000, 8000, DEFAULT_LIMIT - 10):
        get(f"long-{n}", "/" + "a" * (n - 1))
    b.req("url-long-split", ["GET /" + "b" * 5000, "c" * 5000, "d" * 5000 + " HTTP/1.1\r\n\r\n"])
    b.req("url-crlf-split-request-CVE-2018-12116",
          "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
          description="a client path whose characters became CRLF split the request; "
                      "the server must see two requests")
    # Versions
    for cid, version in [
        ("1.0", "HTTP/1.0"), ("0.9", "HTTP/0.9"), ("1.2", "HTTP/1.2"), ("2.0", "HTTP/2.0"),
        ("3.0", "HTTP/3.0"), ("1.10", "HTTP/1.10"), ("11", "HTTP/11"), ("lowercase", "http/1.1"),
        ("missing", ""), ("no-minor", "HTTP/1."), ("no-dot", "HTTP/1"), ("9.9", "HTTP/9.9"),
        ("trailing-space", "HTTP/1.1 "), ("icy", "ICY"), ("rtsp-on-get", "RTSP/1.0"),
    ]:
        sep = " " if version else ""
        b.req(f"version-{cid}", f"GET /{sep}{version}\r\nHost: a\r\n\r\n")
    b.req("version-http09-style", "GET /\r\n\r\n")


def headers(b: Builder) -> None:
    def one(cid: str, head: str, **opts: Any) -> None:
        b.req(f"header-{cid}", f"GET / HTTP/1.1\r\n{head}\r\n", **opts)

    one("duplicate-host", "Host: a\r\nHost: b\r\n")
    one("duplicate-mixed-case", "content-type: a\r\nContent-Type: b\r\nCONTENT-TYPE: c\r\n")
    one("duplicate-set-cookie", "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nset-cookie: c=3\r\n")
    one("duplicate-cookie", "Cookie: a=1\r\nCookie: b=2\r\n")
    one("duplicate-interleaved", "A: 1\r\nB: 2\r\nA: 3\r\nB: 4\r\nA: 5\r\n")
    one("duplicate-empty-and-full", "X: \r\nX: v\r\nX:\r\n")
    one("duplicate-content-length-same", "Content-Length: 0\r\nContent-Length: 0\r\n")
    one("duplicate-connection", "Connection: keep-alive\r\nConnection: close\r\n")
    one("order-and-case-preserved", "zZ: 1\r\nAa: 2\r\nx-Y-z: 3\r\nHOST: 4\r\n")
    for n in (30, 31, 32, 33, 62, 63, 64, 65, 100, 500):
        one(f"count-{n}", "".join(f"H{i}: v{i}\r\n" for i in range(n)))
    one("count-33-same-name", "X: 1\r\n" * 33)
    # Whitespace around values
    one("ws-none", "X:v\r\n")
    one("ws-one-space", "X: v\r\n")
    one("ws-many-spaces", "X:     v     \r\n")
    one("ws-tabs", "X:\t\tv\t\t\r\n")
    one("ws-mixed", "X: \t v \t \r\n")
    one("ws-inner", "X: a  b\t\tc\r\n")
    one("ws-only-spaces", "X:    \r\n")
    one("ws-only-tabs", "X:\t\t\r\n")
    one("empty-value", "X:\r\n")
    one("empty-value-then-more", "X:\r\nY: y\r\n")
    one("obs-fold-space", "X: a\r\n b\r\n")
    one("obs-fold-tab", "X: a\r\n\tb\r\n")
    one("obs-fold-empty-first", "X:\r\n b\r\n")
    one("obs-fold-lenient", "X: a\r\n b\r\n", lenient=LENIENT["headers"])
    one("first-line-folded", "  X: a\r\n")
    one("space-before-colon", "X : v\r\n")
    one("tab-before-colon", "X\t: v\r\n")
    one("space-before-colon-lenient", "X : v\r\n", lenient=LENIENT["headers"])
    one("empty-name", ": v\r\n")
    one("no-colon", "X\r\n")
    one("no-colon-lenient", "X\r\n", lenient=LENIENT["headers"])
    one("colon-in-value", "X: a:b:c\r\n")
    one("name-with-space", "X Y: v\r\n")
    one("name-latin1", "X\xe9: v\r\n")
    one("name-token-chars", "!#$%&'*+-.^_`|~09azAZ: v\r\n")
    one("name-separators", "X(Y): v\r\n")
    one("name-slash", "X/Y: v\r\n")
    one("name-at", "X@Y: v\r\n")
    one("name-nul", "X\x00Y: v\r\n")
    one("name-nul-lenient", "X\x00Y: v\r\n", lenient=LENIENT["headers"])
    one("name-del", "X\x7fY: v\r\n")
    one("value-latin1", "X: caf\xe9 \xff\x80\r\n")
    one("value-utf8", "X: \xc3\xa9\r\n")
    one("value-nul", "X: a\x00b\r\n")
    one("value-nul-lenient", "X: a\x00b\r\n", lenient=LENIENT["headers"])
    one("value-nul-relaxed", "X: a\x00b\r\n", lenient=LENIENT["header_value_relaxed"])
    one("value-nul-only-lenient", "X: \x00\r\n", lenient=LENIENT["headers"])
    one("value-control-0x01", "X: a\x01b\r\n")
    one("value-control-0x1f", "X: a\x1fb\r\n")
    one("value-del", "X: a\x7fb\r\n")
    one("value-vertical-tab", "X: a\x0bb\r\n")
    one("value-bare-cr", "X: a\rb\r\n")
    one("value-bare-lf", "X: a\nb: c\r\n")
    one("value-very-long", "X: " + "v" * 10000 + "\r\n")
    one("many-empty-values", "A:\r\nB:\r\nC:\r\n")
    b.req("header-value-split-trailing-ws", ["GET / HTTP/1.1\r\nX: v ", " \t", " \r\n\r\n"])
    b.req("header-name-split-many", ["GET / HTTP/1.1\r\nCo", "nt", "ent-Le", "ngth: 0\r\n\r\n"])
    b.req("header-33-split-at-each-line",
          split_at("GET / HTTP/1.1\r\n" + "".join(f"H{i}: v{i}\r\n" for i in range(33)) + "\r\n",
                   range(16, 16 + 33 * 9, 9)))
    # The 32-field flush keeps the URL: a long URL split with many headers.
    b.req("header-40-with-split-url",
          ["GET /" + "u" * 50, "u" * 50 + " HTTP/1.1\r\n" +
           "".join(f"H{i}: v{i}\r\n" for i in range(40)) + "\r\n"])


def invalid_chars(b: Builder) -> None:
    """Each suspicious byte in each position of a request and a response."""
    bad = {"nul": "\x00", "soh": "\x01", "vt": "\x0b", "cr": "\r", "lf": "\n", "sp": " ",
           "tab": "\t", "del": "\x7f", "x80": "\x80", "xff": "\xff", "dquote": '"', "colon": ":"}
    req_slots = [
        ("method", "G{}ET /p HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n"),
        ("after-method", "GET{} /p HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n"),
        ("url", "GET /{}p HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n"),
        ("after-url", "GET /p{} HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n"),
        ("version", "GET /p HT{}TP/1.1\r\nHost: a\r\nX: y\r\n\r\n"),
        ("after-version", "GET /p HTTP/1.1{}\r\nHost: a\r\nX: y\r\n\r\n"),
        ("name", "GET /p HTTP/1.1\r\nHo{}st: a\r\nX: y\r\n\r\n"),
        ("before-colon", "GET /p HTTP/1.1\r\nHost{}: a\r\nX: y\r\n\r\n"),
        ("value-start", "GET /p HTTP/1.1\r\nHost: {}a\r\nX: y\r\n\r\n"),
        ("value-end", "GET /p HTTP/1.1\r\nHost: a{}\r\nX: y\r\n\r\n"),
        ("line-start", "GET /p HTTP/1.1\r\nHost: a\r\n{}X: y\r\n\r\n"),
        ("head-end", "GET /p HTTP/1.1\r\nHost: a\r\nX: y\r\n{}\r\n"),
    ]
    for slot, template in req_slots:
        for name, char in bad.items():
            b.req(f"badchar-req-{slot}-{name}", template.format(char))
    res_slots = [
        ("version", "HT{}TP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        ("before-status", "HTTP/1.1 {}200 OK\r\nContent-Length: 0\r\n\r\n"),
        ("status", "HTTP/1.1 2{}00 OK\r\nContent-Length: 0\r\n\r\n"),
        ("reason", "HTTP/1.1 200 O{}K\r\nContent-Length: 0\r\n\r\n"),
        ("value", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX: a{}b\r\n\r\n"),
    ]
    for slot, template in res_slots:
        for name in ("nul", "soh", "cr", "lf", "tab", "del", "xff"):
            b.res(f"badchar-res-{slot}-{name}", template.format(bad[name]))


def framing(b: Builder) -> None:
    """Content-Length and Transfer-Encoding in every combination that has bitten someone."""
    def post(cid: str, head: str, body: str, **opts: Any) -> None:
        b.req(f"framing-{cid}", f"POST / HTTP/1.1\r\nHost: a\r\n{head}\r\n{body}", **opts)

    post("cl-5", "Content-Length: 5\r\n", "hello")
    post("cl-0", "Content-Length: 0\r\n", "")
    post("cl-leading-zeros", "Content-Length: 005\r\n", "hello")
    post("cl-plus", "Content-Length: +5\r\n", "hello")
    post("cl-negative", "Content-Length: -1\r\n", "hello")
    post("cl-hex", "Content-Length: 0x5\r\n", "hello")
    post("cl-empty", "Content-Length:\r\n", "hello")
    post("cl-trailing-space", "Content-Length: 5  \r\n", "hello")
    post("cl-trailing-tab", "Content-Length: 5\t\r\n", "hello")
    post("cl-inner-space-CVE-2018-7159", "Content-Length: 1 2\r\n", "x" * 12)
    post("cl-list-same", "Content-Length: 5, 5\r\n", "hello")
    post("cl-list-comma", "Content-Length: 5,5\r\n", "hello")
    post("cl-twice-same", "Content-Length: 5\r\nContent-Length: 5\r\n", "hello")
    post("cl-twice-different", "Content-Length: 5\r\nContent-Length: 6\r\n", "hello!")
    post("cl-twice-lenient", "Content-Length: 5\r\nContent-Length: 6\r\n", "hello!",
         lenient=LENIENT_NODE_INSECURE)
    post("cl-max-u64", "Content-Length: 18446744073709551615\r\n", "abc")
    post("cl-overflow-u64", "Content-Length: 18446744073709551616\r\n", "abc")
    post("cl-overflow-long", "Content-Length: 99999999999999999999999\r\n", "abc")
    post("cl-obs-fold", "Content-Length: 5\r\n 6\r\n", "hello")
    post("cl-letters", "Content-Length: five\r\n", "hello")
    post("cl-short-body-finish", "Content-Length: 10\r\n", "hello")
    post("cl-extra-bytes", "Content-Length: 2\r\n", "hello")
    post("cl-uppercase-name", "CONTENT-LENGTH: 5\r\n", "hello")
    post("cl-in-get", "Content-Length: 5\r\n", "hello")
    b.req("framing-cl-body-split", ["POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nab", "cdef",
                                    "ghij"])
    b.req("framing-cl-body-big", "POST / HTTP/1.1\r\nContent-Length: 70000\r\n\r\n" + "z" * 70000)
    # Transfer-Encoding values
    chunked_body = "5\r\nhello\r\n0\r\n\r\n"
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
        post(f"te-{cid}", f"Transfer-Encoding: {value}\r\n", chunked_body)
    post("te-twice-chunked", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
         chunked_body)
    post("te-gzip-then-chunked", "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
         chunked_body)
    post("te-chunked-then-other-CVE-2020-8287",
         "Transfer-Encoding: chunked\r\nTransfer-Encoding: eee\r\n", chunked_body)
    post("te-chunked-obs-fold-CVE-2022-32215", "Transfer-Encoding: chunked\r\n , identity\r\n",
         chunked_body)
    post("te-obs-fold-chunked-CVE-2022-32215", "Transfer-Encoding: identity\r\n chunked\r\n",
         chunked_body)
    post("te-chunkedchunked-CVE-2019-15605", "Transfer-Encoding: chunkedchunked\r\n",
         chunked_body)
    post("te-chunked-comma-garbage-CVE-2019-15605", "Transfer-Encoding: chunked , eee\r\n",
         chunked_body)
    post("te-ws-name-CVE-2022-32213", "Transfer-Encoding : chunked\r\n", chunked_body)
    post("te-space-before-colon-CVE-2021-22959", "Transfer-Encoding : chunked\r\n"
         "Content-Length: 3\r\n", chunked_body)
    post("te-cr-in-name-CVE-2020-8201", "Transfer-Encoding\r: chunked\r\n", chunked_body)
    post("te-cl-both", "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", chunked_body)
    post("cl-te-both", "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", chunked_body)
    post("cl-te-both-lenient", "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
         chunked_body, lenient=LENIENT["chunked_length"])
    post("te-in-http10", "Transfer-Encoding: chunked\r\n", chunked_body)
    b.req("framing-te-http10-request",
          "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body)
    b.req("framing-te-gzip-lenient",
          "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc",
          lenient=LENIENT["transfer_encoding"])
    # Chunk sizes and extensions
    def chunked(cid: str, body: str, **opts: Any) -> None:
        post(f"chunk-{cid}", "Transfer-Encoding: chunked\r\n", body, **opts)

    chunked("basic", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    chunked("hex-upper", "A\r\n0123456789\r\n0\r\n\r\n")
    chunked("hex-lower", "a\r\n0123456789\r\n0\r\n\r\n")
    chunked("leading-zeros", "0005\r\nhello\r\n0000\r\n\r\n")
    chunked("size-0x", "0x5\r\nhello\r\n0\r\n\r\n")
    chunked("size-negative", "-5\r\nhello\r\n0\r\n\r\n")
    chunked("size-empty", "\r\nhello\r\n0\r\n\r\n")
    chunked("size-leading-space", " 5\r\nhello\r\n0\r\n\r\n")
    chunked("size-trailing-space", "5 \r\nhello\r\n0\r\n\r\n")
    chunked("size-trailing-space-lenient", "5 \r\nhello\r\n0\r\n\r\n",
            lenient=LENIENT["spaces_after_chunk_size"])
    chunked("size-trailing-tab", "5\t\r\nhello\r\n0\r\n\r\n")
    chunked("size-letters", "g\r\nhello\r\n0\r\n\r\n")
    chunked("size-huge-u64", "ffffffffffffffff\r\nabc")
    chunked("size-huge-i64", "7fffffffffffffff\r\nabc")
    chunked("size-overflow", "10000000000000000\r\nabc")
    chunked("size-overflow-long", "fffffffffffffffffffff\r\nabc")
    chunked("size-bigger-than-data", "a\r\nhello\r\n0\r\n\r\n")
    chunked("size-smaller-than-data", "3\r\nhello\r\n0\r\n\r\n")
    chunked("ext-empty", "5;\r\nhello\r\n0\r\n\r\n")
    chunked("ext-name", "5;a\r\nhello\r\n0\r\n\r\n")
    chunked("ext-name-value", "5;a=b\r\nhello\r\n0\r\n\r\n")
    chunked("ext-many", "5;a=b;c=d;e\r\nhello\r\n0;z=1\r\n\r\n")
    chunked("ext-quoted", '5;a="b c"\r\nhello\r\n0\r\n\r\n')
    chunked("ext-quoted-semicolon", '5;a="b;c"\r\nhello\r\n0\r\n\r\n')
    chunked("ext-quoted-escape", '5;a="b\\"c"\r\nhello\r\n0\r\n\r\n')
    chunked("ext-quoted-unterminated", '5;a="b\r\nhello\r\n0\r\n\r\n')
    chunked("ext-quoted-crlf", '5;a="b\r\nc"\r\nhello\r\n0\r\n\r\n')
    chunked("ext-space-before-semicolon", "5 ;a=b\r\nhello\r\n0\r\n\r\n")
    chunked("ext-space-in-name", "5;a b\r\nhello\r\n0\r\n\r\n")
    chunked("ext-space-around-equals", "5;a = b\r\nhello\r\n0\r\n\r\n")
    chunked("ext-nul-CVE-2021-22960", "5;\x00a\r\nhello\r\n0\r\n\r\n")
    chunked("ext-bare-lf", "5;a\nhello\r\n0\r\n\r\n")
    chunked("ext-bare-cr-CVE-2021-22960", "5;a\rhello\r\n0\r\n\r\n")
    chunked("ext-latin1-value", "5;a=\xe9\r\nhello\r\n0\r\n\r\n")
    chunked("data-missing-crlf", "5\r\nhelloX0\r\n\r\n")
    chunked("data-missing-crlf-lenient", "5\r\nhelloX0\r\n\r\n",
            lenient=LENIENT["optional_crlf_after_chunk"])
    chunked("data-lf-only", "5\r\nhello\n0\r\n\r\n")
    chunked("lf-only-everywhere", "5\nhello\n0\n\n")
    chunked("lf-only-lenient", "5\nhello\n0\n\n", lenient=LENIENT["optional_cr_before_lf"])
    chunked("cr-only", "5\rhello\r0\r\r")
    chunked("last-chunk-missing-final-crlf", "5\r\nhello\r\n0\r\n")
    chunked("no-last-chunk-finish", "5\r\nhello\r\n")
    chunked("trailers", "5\r\nhello\r\n0\r\nX-T: 1\r\nY-T: 2 \r\n\r\n")
    chunked("trailers-duplicate", "0\r\nT: 1\r\nT: 2\r\nt: 3\r\n\r\n")
    chunked("trailers-40", "0\r\n" + "".join(f"T{i}: {i}\r\n" for i in range(40)) + "\r\n")
    chunked("trailers-invalid-name", "0\r\nX T: 1\r\n\r\n")
    chunked("trailers-obs-fold", "0\r\nT: 1\r\n 2\r\n\r\n")
    chunked("trailers-no-colon", "0\r\nT\r\n\r\n")
    chunked("trailers-empty-value", "0\r\nT:\r\n\r\n")
    chunked("zero-size-first", "0\r\n\r\n")
    chunked("many-small", "".join("1\r\nx\r\n" for _ in range(50)) + "0\r\n\r\n")
    chunked("big", "4000\r\n" + "y" * 0x4000 + "\r\n0\r\n\r\n")
    b.req("framing-chunk-body-split",
          ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\na\r\n01234", "56789\r\n0",
           "\r\n\r\n"])
    # Node's 16 KiB cap on chunk extensions (CVE-2024-22019), around the boundary.
    limit = 16384
    for cid, n in [("16383", limit - 1), ("16384", limit), ("16385", limit + 1),
                   ("64k", 65536)]:
        ext = ";" + "e" * (n - 1)  # the ";" is not counted, so this is n-1 bytes of name
        chunked(f"ext-size-{cid}-CVE-2024-22019", f"5{ext}\r\nhello\r\n0\r\n\r\n")
        ext_v = ";a=" + "v" * (n - 1)  # name "a" (1) + value (n-1) = n
        chunked(f"ext-value-size-{cid}-CVE-2024-22019", f"5{ext_v}\r\nhello\r\n0\r\n\r\n")
    big_ext = ";" + "e" * 20000
    b.req("framing-chunk-ext-overflow-split-CVE-2024-22019",
          split_at(f"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5{big_ext}\r\nhello"
                   "\r\n0\r\n\r\n", range(60, 20100, 4000)))
    # The counter restarts per chunk: many chunks each just under the cap are fine.
    per = ";" + "e" * (limit - 100)
    chunked("ext-per-chunk-reset-CVE-2024-22019",
            f"1{per}\r\na\r\n1{per}\r\nb\r\n0{per}\r\n\r\n")
    chunked("ext-last-chunk-overflow-CVE-2024-22019", "0;" + "e" * 17000 + "\r\n\r\n")


def smuggling(b: Builder) -> None:
    """One case per CVE class where a parser rule closed a smuggling or DoS hole."""
    def r(cid: str, data: str | list[str], **opts: Any) -> None:
        b.req(f"cve-{cid}", data, **opts)

    r("2022-32214-lf-only-header-end",
      "GET / HTTP/1.1\r\nHost: a\nContent-Length: 5\r\n\r\nhello")
    r("2022-32214-lf-only-everywhere", "GET / HTTP/1.1\nHost: a\n\n")
    r("2022-35256-cr-then-char-in-value", "GET / HTTP/1.1\r\nX: a\rContent-Length: 5\r\n\r\nhello")
    r("2022-35256-header-not-crlf-terminated", "GET / HTTP/1.1\r\nHost: a\r\nX: y\rZ\r\n\r\n")
    r("2023-30589-cr-only-line-end", "GET / HTTP/1.1\rHost: a\r\r")
    r("2023-30589-cr-only-header", "GET / HTTP/1.1\r\nHost: a\rContent-Length: 5\r\n\r\nhello")
    r("2023-30589-cr-only-lenient", "GET / HTTP/1.1\r\nHost: a\r\r\n",
      lenient=LENIENT["optional_lf_after_cr"])
    r("2024-27982-space-before-cl",
      "POST / HTTP/1.1\r\nHost: a\r\n Content-Length: 5\r\n\r\nhello")
    r("2024-27982-space-before-first-header",
      "POST / HTTP/1.1\r\n Content-Length: 5\r\nHost: a\r\n\r\nhello")
    r("2024-27982-tab-before-cl",
      "POST / HTTP/1.1\r\nHost: a\r\n\tContent-Length: 5\r\n\r\nhello")
    r("2025-23167-cr-x-header-end", "GET / HTTP/1.1\r\nHost: a\r\n\rXGET /x HTTP/1.1\r\n\r\n")
    r("2025-23167-cr-x-header-end-split", ["GET / HTTP/1.1\r\nHost: a\r\n\r", "X\r\n\r\n"])
    r("2025-23167-trailer-cr-x-end",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\rXGET / HTTP/1.1\r\n\r\n")
    r("2020-8287-te-chunked-then-identity",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n")
    r("2019-15605-te-chunked-and-cl",
      "POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    r("2019-15605-te-obs-chunked",
      "POST / HTTP/1.1\r\nTransfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n")
    r("2018-12116-latin1-url-bytes", "GET /\xc4\x8d\xc4\x8a HTTP/1.1\r\nHost: a\r\n\r\n")
    r("2018-12121-headers-across-chunks",
      ["GET / HTTP/1.1\r\n"] + [f"X{i}: " + "a" * 1000 + "\r\n" for i in range(20)] + ["\r\n"])
    r("2020-8201-cr-in-header-name",
      "POST / HTTP/1.1\r\nContent-Length\r: 5\r\n\r\nhello")
    r("2021-22959-space-before-colon-cl",
      "POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello")
    r("2021-22960-chunk-ext-invalid-char",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a\x01\r\nhello\r\n0\r\n\r\n")
    r("2022-32213-te-flawed-parsing",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, x\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    r("2022-32215-te-multiline",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n , chunked\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n")
    r("2024-22019-chunk-ext-slowloris",
      ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;"]
      + ["x" * 4096] * 5 + ["\r\nhello\r\n0\r\n\r\n"])
    b.req("pipe-flood-200-requests",
          "".join("GET /%d HTTP/1.1\r\nHost: a\r\n\r\n" % i for i in range(200)))


def header_size(b: Builder) -> None:
    """Node's limit: URL + status text + names + values, reached at >= max."""
    def request_of(total: int, url_len: int = 10) -> str:
        # URL (url_len) + name "X" (1) + value counts; method, version, ": " and CRLF do not.
        value_len = total - url_len - 1
        return f"GET /{'u' * (url_len - 1)} HTTP/1.1\r\nX: {'v' * value_len}\r\n\r\n"

    for limit in (DEFAULT_LIMIT, 100, 1000):
        opts = {} if limit == DEFAULT_LIMIT else {"max_header_size": limit}
        tag = "default" if limit == DEFAULT_LIMIT else str(limit)
        for delta in (-2, -1, 0, 1):
            total = limit + delta
            data = request_of(total)
            b.req(f"hsize-{tag}-req-{total}", data, **opts)
            b.req(f"hsize-{tag}-req-{total}-split", split_at(data, (limit // 3, limit // 2 + 7)),
                  **opts)
            status = "r" * (total - 1)  # + the header below, name "A" and value "" = 1
            b.res(f"hsize-{tag}-res-status-{total}", f"HTTP/1.1 200 {status}\r\nA: \r\n\r\n",
                  **opts)
            # Trailers are counted afresh after the last chunk.
            trailer = "t" * (total - 1)
            b.req(f"hsize-{tag}-trailer-{total}",
                  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                  f"3\r\nabc\r\n0\r\nT: {trailer}\r\n\r\n", **opts)
        # Only the URL: the limit hits before the headers.
        b.req(f"hsize-{tag}-url-only-at-limit", f"GET /{'u' * (limit - 1)} HTTP/1.1\r\n\r\n",
              **opts)
        b.req(f"hsize-{tag}-url-only-below", f"GET /{'u' * (limit - 2)} HTTP/1.1\r\n\r\n",
              **opts)
    # Many small headers add up; the count ignores ": " and CRLF.
    n = DEFAULT_LIMIT // 10
    many = "".join(f"H{i:04d}: {i:04d}\r\n" for i in range(n))  # 5 + 4 = 9 bytes each
    b.req("hsize-default-many-headers", f"GET / HTTP/1.1\r\n{many}\r\n")
    b.req("hsize-default-many-headers-split", ["GET / HTTP/1.1\r\n", many[:7777], many[7777:],
                                               "\r\n"])
    # The count continues across pipelined messages? It restarts at headers complete.
    half = request_of(DEFAULT_LIMIT - 1)
    b.req("hsize-default-pipelined-each-below", half + half)
    # The status line counts for responses; a 0 max means the default.
    b.res("hsize-zero-means-default",
          f"HTTP/1.1 200 OK\r\nX: {'v' * 16000}\r\nContent-Length: 0\r\n\r\n",
          max_header_size=0)
    b.req("hsize-huge-limit", "GET / HTTP/1.1\r\n" + "".join(
        f"X{i}: {'v' * 1000}\r\n" for i in range(40)) + "\r\n", max_header_size=1 << 40)
    b.req("hsize-1-tiny-limit", "GET / HTTP/1.1\r\n\r\n", max_header_size=1)
    b.req("hsize-2-tiny-limit", "GET / HTTP/1.1\r\n\r\n", max_header_size=2)
    # Chunk-size lines reset the count, so a trailer after chunks gets the full budget.
    b.req("hsize-100-headers-then-trailers",
          "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX: " + "v" * 40 + "\r\n\r\n"
          "3\r\nabc\r\n0\r\nT: " + "t" * 90 + "\r\n\r\n", max_header_size=100)


def connection(b: Builder) -> None:
    for cid, line, head in [
        ("http10", "HTTP/1.0", ""),
        ("http10-keep-alive", "HTTP/1.0", "Connection: keep-alive\r\n"),
        ("http10-keep-alive-upper", "HTTP/1.0", "Connection: Keep-Alive\r\n"),
        ("http11", "HTTP/1.1", ""),
        ("http11-close", "HTTP/1.1", "Connection: close\r\n"),
        ("http11-close-upper", "HTTP/1.1", "Connection: CLOSE\r\n"),
        ("http11-close-list", "HTTP/1.1", "Connection: keep-alive, close\r\n"),
        ("http11-closed-token", "HTTP/1.1", "Connection: closed\r\n"),
        ("http11-close-twice-headers", "HTTP/1.1", "Connection: x\r\nConnection: close\r\n"),
        ("http11-te-close", "HTTP/1.1", "Connection: TE, close\r\n"),
    ]:
        b.req(f"conn-req-{cid}", f"GET / {line}\r\nHost: a\r\n{head}\r\n")
        b.res(f"conn-res-{cid}", f"{line} 200 OK\r\n{head}Content-Length: 2\r\n\r\nok")
    b.req("conn-req-close-then-more", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
          "GET /2 HTTP/1.1\r\n\r\n")
    b.req("conn-req-close-then-more-lenient", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
          "GET /2 HTTP/1.1\r\n\r\n", lenient=LENIENT["keep_alive"])
    b.req("conn-req-http10-then-more", "GET / HTTP/1.0\r\n\r\nGET /2 HTTP/1.0\r\n\r\n")
    b.res("conn-res-http10-close-delimited", "HTTP/1.0 200 OK\r\n\r\nuntil close", finish=True)


def upgrade(b: Builder) -> None:
    ws = "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    tail = "\x81\x05hello"
    for listener in (False, True):
        tag = "listener" if listener else "no-listener"
        b.req(f"upgrade-ws-{tag}", ws, upgrade_listener=listener)
        b.req(f"upgrade-ws-{tag}-bytes-after", ws + tail, upgrade_listener=listener)
        b.req(f"upgrade-ws-{tag}-bytes-next-chunk", [ws, tail], upgrade_listener=listener)
        b.req(f"upgrade-ws-{tag}-with-body",
              "POST /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
              "Content-Length: 3\r\n\r\nabc" + tail, upgrade_listener=listener)
        b.req(f"upgrade-ws-{tag}-chunked-body",
              "POST /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
              "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + tail,
              upgrade_listener=listener)
        b.req(f"upgrade-h2c-{tag}",
              "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
              "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n" + tail,
              upgrade_listener=listener)
        b.req(f"upgrade-no-connection-header-{tag}",
              "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n" + tail, upgrade_listener=listener)
        b.req(f"upgrade-connection-only-{tag}",
              "GET / HTTP/1.1\r\nConnection: upgrade\r\n\r\n" + tail, upgrade_listener=listener)
        b.req(f"connect-{tag}", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n",
              upgrade_listener=listener)
        b.req(f"connect-{tag}-bytes-after",
              "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n\x16\x03\x01",
              upgrade_listener=listener)
        b.req(f"connect-{tag}-with-cl",
              "CONNECT example.com:443 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcdef",
              upgrade_listener=listener)
        b.req(f"upgrade-http10-{tag}",
              "GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n" + tail,
              upgrade_listener=listener)
        b.req(f"upgrade-then-request-{tag}", ws + "GET /next HTTP/1.1\r\n\r\n",
              upgrade_listener=listener)
    b.req("upgrade-ws-pipelined-after-get",
          "GET /a HTTP/1.1\r\n\r\n" + ws + tail, upgrade_listener=True)
    # Node reports no error once llhttp's upgrade flag is set, even for a broken body.
    up_post = "POST / HTTP/1.1\r\nUpgrade: ws\r\nConnection: upgrade\r\n"
    b.req("upgrade-no-listener-bad-chunk-size-swallowed",
          up_post + "Transfer-Encoding: chunked\r\n\r\nzz\r\n")
    b.req("upgrade-no-listener-bad-chunk-then-more",
          [up_post + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", "GET / HTTP/1.1\r\n\r\n"])
    b.req("upgrade-no-listener-short-body-finish", up_post + "Content-Length: 10\r\n\r\nabc")
    b.req("upgrade-no-listener-body-in-two", [up_post + "Content-Length: 6\r\n\r\nabc", "def"])
    b.req("upgrade-listener-body-next-chunk",
          ["GET / HTTP/1.1\r\nUpgrade: ws\r\nConnection: upgrade\r\nContent-Length: 3\r\n\r\n",
           "abc"], upgrade_listener=True)
    b.req("connect-then-request-next-chunk", ["CONNECT a:1 HTTP/1.1\r\n\r\n",
                                              "GET / HTTP/1.1\r\n\r\n"])
    b.res("upgrade-res-101-then-chunk", ["HTTP/1.1 101 OK\r\nUpgrade: ws\r\n"
                                         "Connection: upgrade\r\n\r\n", "more"])
    b.res("upgrade-res-connect-200-with-cl", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
          request_method="CONNECT")


def pipelining(b: Builder) -> None:
    g = "GET /%d HTTP/1.1\r\nHost: a\r\n\r\n"
    b.req("pipe-three-gets", "".join(g % i for i in range(3)))
    b.req("pipe-get-post-get", g % 1 + "POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" + g % 2)
    b.req("pipe-chunked-then-get",
          "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + g % 1)
    b.req("pipe-trailers-then-get",
          "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 1\r\n\r\n" + g % 1)
    b.req("pipe-split-across-messages",
          split_at("".join(g % i for i in range(4)), (5, 30, 31, 60, 90)))
    many = "".join(f"H{i}: {i}\r\n" for i in range(40))
    b.req("pipe-flushed-headers-then-small",
          f"GET /big HTTP/1.1\r\n{many}\r\n" + g % 1 + g % 2)
    b.req("pipe-trailers-40-then-small",
          "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
          + "".join(f"T{i}: {i}\r\n" for i in range(40)) + "\r\n" + g % 1)
    b.req("pipe-error-in-second", g % 1 + "GET /x HTTP/1.1\r\nBad Header: x\r\n\r\n" + g % 2)
    b.req("pipe-crlf-between", g % 1 + "\r\n" + g % 2)
    b.res("pipe-responses", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
          "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")


def responses(b: Builder) -> None:
    def res(cid: str, data: str | list[str], **opts: Any) -> None:
        b.res(f"res-{cid}", data, **opts)

    ok_tail = "Content-Length: 2\r\n\r\nok"
    res("status-no-reason", "HTTP/1.1 200\r\n" + ok_tail)
    res("status-empty-reason", "HTTP/1.1 200 \r\n" + ok_tail)
    res("status-reason-spaces", "HTTP/1.1 200   Very  OK  \r\n" + ok_tail)
    res("status-reason-tab", "HTTP/1.1 200 O\tK\r\n" + ok_tail)
    res("status-long-reason", "HTTP/1.1 200 " + "R" * 5000 + "\r\n" + ok_tail)
    res("status-latin1-reason", "HTTP/1.1 200 Tr\xe8s bien \xff\r\n" + ok_tail)
    res("status-utf8-reason", "HTTP/1.1 200 \xc3\xa9\r\n" + ok_tail)
    for cid, line in [
        ("two-digits", "HTTP/1.1 20 OK"), ("four-digits", "HTTP/1.1 2000 OK"),
        ("letters", "HTTP/1.1 abc OK"), ("099", "HTTP/1.1 099 X"), ("000", "HTTP/1.1 000 X"),
        ("600", "HTTP/1.1 600 X"), ("999", "HTTP/1.1 999 X"), ("double-space", "HTTP/1.1  200 OK"),
        ("no-space-reason", "HTTP/1.1 200OK"), ("lowercase-http", "http/1.1 200 OK"),
        ("http10", "HTTP/1.0 200 OK"), ("http09", "HTTP/0.9 200 OK"), ("http2", "HTTP/2 200 OK"),
        ("http20", "HTTP/2.0 200 OK"), ("http12", "HTTP/1.2 200 OK"), ("rtsp", "RTSP/1.0 200 OK"),
        ("icy", "ICY 200 OK"), ("no-status", "HTTP/1.1"), ("no-status-space", "HTTP/1.1 "),
        ("negative", "HTTP/1.1 -20 X"), ("plus", "HTTP/1.1 +200 X"), ("leading-space", " HTTP/1.1 200 OK"),
    ]:
        res(f"statusline-{cid}", f"{line}\r\n" + ok_tail)
    res("status-lf-only", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok")
    res("status-lf-only-lenient", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
        lenient=LENIENT["optional_cr_before_lf"])
    res("100-then-200", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n" + ok_tail)
    res("102-103-then-200", "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
        "Link: </a.css>; rel=preload\r\nLink: </b.js>; rel=preload\r\n\r\n"
        "HTTP/1.1 200 OK\r\n" + ok_tail)
    res("100-with-body-cl", "HTTP/1.1 100 Continue\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\n"
        + ok_tail)
    res("100-split", ["HTTP/1.1 100 Cont", "inue\r\n\r", "\nHTTP/1.1 200 OK\r\n", ok_tail])
    res("101-upgrade", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\n\r\n\x81\x02hi")
    res("101-no-upgrade-header", "HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x02hi")
    res("101-exact-end", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\n\r\n")
    res("200-with-upgrade-header", "HTTP/1.1 200 OK\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n"
        + ok_tail)
    res("204-with-cl-body", "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc")
    res("204-then-200", "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n" + ok_tail)
    res("204-chunked", "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    res("304-with-cl", "HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n")
    res("304-with-cl-body", "HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\nabc")
    res("304-then-200", "HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\nHTTP/1.1 200 OK\r\n" + ok_tail)
    res("head-with-cl", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
        request_method="HEAD")
    res("head-with-cl-then-next", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
        "HTTP/1.1 200 OK\r\n" + ok_tail, request_method="HEAD")
    res("head-chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        request_method="HEAD")
    res("head-no-framing", "HTTP/1.1 200 OK\r\n\r\n", request_method="HEAD")
    res("connect-200", "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01",
        request_method="CONNECT")
    res("connect-200-exact", "HTTP/1.1 200 Connection established\r\n\r\n",
        request_method="CONNECT")
    res("connect-407", "HTTP/1.1 407 Proxy Auth\r\nContent-Length: 2\r\n\r\nno",
        request_method="CONNECT")
    res("close-delimited", "HTTP/1.1 200 OK\r\n\r\nbody until close")
    res("close-delimited-chunks", ["HTTP/1.1 200 OK\r\n\r\nbody ", "until ", "close"])
    res("close-delimited-no-finish", "HTTP/1.1 200 OK\r\n\r\nbody", finish=False)
    res("close-delimited-connection-close", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody")
    res("cl-short-finish", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    res("cl-exact-finish", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
    res("headers-incomplete-finish", "HTTP/1.1 200 OK\r\nContent-Le")
    res("empty-finish", [], finish=True)
    res("chunked-incomplete-finish", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
    res("te-gzip-close-delimited", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc")
    res("te-chunked-gzip-close-delimited",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc")
    res("te-and-cl", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
        "2\r\nok\r\n0\r\n\r\n")
    res("cl-twice-different", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n"
        "\r\nok")
    res("data-after-close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n"
        "okEXTRA")
    res("data-after-close-lenient", "HTTP/1.1 200 OK\r\nConnection: close\r\n"
        "Content-Length: 2\r\n\r\nokEXTRA", lenient=LENIENT["data_after_close"])
    res("set-cookie-many", "HTTP/1.1 200 OK\r\n" + "".join(f"Set-Cookie: c{i}={i}\r\n"
                                                            for i in range(40)) + ok_tail)
    res("chunked-trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X\r\n\r\n"
        "2\r\nok\r\n0\r\nX: 1\r\n\r\n")
    res("head-100-then-200", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
        "Content-Length: 5\r\n\r\n", request_method="HEAD")
    res("304-chunked", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
        "HTTP/1.1 200 OK\r\n" + ok_tail)
    b.req("req-head-with-cl-body", "HEAD / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
    b.req("req-get-with-chunked-body", "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
          "3\r\nabc\r\n0\r\n\r\n")
    res("pause-before-first", ["HTTP/1.1 200 OK\r\n" + ok_tail], pause_before=0)
    b.req("pause-before-second", ["GET / HTTP/1.1\r\n", "Host: a\r\n\r\n"], pause_before=1)


def lenient_flags(b: Builder) -> None:
    """A message that breaks each lenient rule, with no flags, its flag, and Node's set."""
    targets: list[tuple[str, str, str]] = [
        ("headers", "request", "GET / HTTP/1.1\r\nX: a\x01b\r\nY: \x7f\r\n\r\n"),
        ("chunked_length", "request", "POST / HTTP/1.1\r\nContent-Length: 3\r\n"
         "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
        ("keep_alive", "request", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
         "GET /2 HTTP/1.1\r\n\r\n"),
        ("transfer_encoding", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"
         "abc"),
        ("version", "request", "GET / HTTP/5.7\r\nHost: a\r\n\r\n"),
        ("data_after_close", "response", "HTTP/1.1 200 OK\r\nConnection: close\r\n"
         "Content-Length: 2\r\n\r\nokMORE"),
        ("optional_lf_after_cr", "request", "GET / HTTP/1.1\rHost: a\rX: y\r\r"),
        ("optional_crlf_after_chunk", "request", "POST / HTTP/1.1\r\n"
         "Transfer-Encoding: chunked\r\n\r\n3\r\nabc3\r\ndef0\r\n\r\n"),
        ("optional_cr_before_lf", "request", "GET / HTTP/1.1\nHost: a\nX: y\n\n"),
        ("spaces_after_chunk_size", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked"
         "\r\n\r\n3  \r\nabc\r\n0 \r\n\r\n"),
        ("header_value_relaxed", "request", "GET / HTTP/1.1\r\nX: a\x01b\x1fc\x7f\r\n\r\n"),
    ]
    masks = {"none": 0, "insecure": LENIENT_NODE_INSECURE, "all": 0x7FF}
    for name, kind, data in targets:
        flag = LENIENT[name]
        variants = {**masks, "own": flag, "all-but-own": 0x7FF & ~flag}
        for vname, mask in variants.items():
            b.add(f"lenient-{name.replace('_', '-')}-{vname}", kind, data, lenient=mask)
    # Bits neither Node nor llhttp define are ignored.
    b.req("lenient-unknown-bits", "GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n", lenient=0x7FFFF800)
    # Node's insecure set on the messages the strict parser refuses elsewhere.
    for cid, data in [
        ("obs-fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"),
        ("space-before-colon", "GET / HTTP/1.1\r\nX : a\r\n\r\n"),
        ("cr-only-value-end", "GET / HTTP/1.1\r\nX: a\rY: b\r\n\r\n"),
        ("lf-after-chunk-data", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
         "3\r\nabc\n0\r\n\r\n"),
        ("cl-te", "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
         "0\r\n\r\n"),
        ("nul-in-value", "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n"),
        ("nul-in-name", "GET / HTTP/1.1\r\nX\x00: ab\r\n\r\n"),
        ("nul-in-url", "GET /a\x00b HTTP/1.1\r\n\r\n"),
        ("te-chunked-not-last", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc"),
        ("leading-space-header", "POST / HTTP/1.1\r\n Content-Length: 3\r\n\r\nabc"),
    ]:
        b.req(f"lenient-insecure-{cid}", data, lenient=LENIENT_NODE_INSECURE)


def splits(b: Builder) -> None:
    """Cuts at fragile places, bytewise, and (for some) at every possible position."""
    chunked_post = ("POST /upload?x=1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "1a;ext=\"q\"\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: v\r\n\r\n")
    response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX:  y \r\n\r\nhello"
    continue_then_ok = ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
    upgrade_req = "GET / HTTP/1.1\r\nUpgrade: ws\r\nConnection: upgrade\r\n\r\n\x00\x01after"
    add_all_two_splits(b, "split-chunked-post", "request", chunked_post)
    add_all_two_splits(b, "split-response", "response", response)
    add_all_two_splits(b, "split-100-then-201", "response", continue_then_ok)
    add_all_two_splits(b, "split-upgrade", "request", upgrade_req, upgrade_listener=True)
    add_all_two_splits(b, "split-lf-only-lenient", "request",
                       "GET / HTTP/1.1\nHost: a\nX: y\n\n",
                       lenient=LENIENT["optional_cr_before_lf"])
    for cid, kind, data, opts in [
        ("awk-get-headers", "request",
         "GET /a?b HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Long-Name: value \r\n\r\n",
         {}),
        ("awk-chunked-ext", "request",
         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10;a=b\r\n0123456789abcdef\r\n"
         "00a\r\n0123456789\r\n0\r\nTrailer-A: 1\r\n\r\n", {}),
        ("awk-pipelined", "request",
         "GET /1 HTTP/1.1\r\nH: 1\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
         "GET /3 HTTP/1.1\r\n\r\n", {}),
        ("awk-response-chunked", "response",
         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: x\r\n\r\n"
         "05\r\nhello\r\n006\r\n world\r\n0\r\n\r\n", {}),
        ("awk-response-close-delimited", "response",
         "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil the end", {}),
        ("awk-bad-chunk-size", "request",
         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1g\r\nx\r\n0\r\n\r\n", {}),
        ("awk-bad-header-late", "request",
         "GET / HTTP/1.1\r\nHost: a\r\nGood: 1\r\nBad\x01: 2\r\n\r\n", {}),
        ("awk-connect", "request",
         "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n\x16\x03", {}),
        ("awk-obs-fold-lenient", "request",
         "GET / HTTP/1.1\r\nX: a\r\n b\r\nY: c\r\n\r\n", {"lenient": LENIENT["headers"]}),
        ("awk-cr-only-lenient", "request", "GET / HTTP/1.1\rX: a\rY: b\r\r",
         {"lenient": LENIENT["optional_lf_after_cr"]}),
        ("awk-header-overflow", "request",
         "GET / HTTP/1.1\r\nAbc: " + "v" * 90 + "\r\nDef: " + "w" * 20 + "\r\n\r\n",
         {"max_header_size": 100}),
        ("awk-33-headers", "request",
         "GET / HTTP/1.1\r\n" + "".join(f"N{i}: v\r\n" for i in range(33)) + "\r\n", {}),
    ]:
        add_awkward_splits(b, cid, kind, data, **opts)


GROUPS = (methods, urls, headers, invalid_chars, framing, smuggling, header_size, connection,
          upgrade, pipelining, responses, lenient_flags, splits)


def add_split_variants(b: Builder) -> None:
    """For every one-chunk case, a twin cut at all its fragile places at once.

    Node's binding and the glue both keep state across execute calls (partial names,
    values, URL pieces, the header-size count); a twin whose log differs from Node's
    where the one-chunk case agrees points at that state.
    """
    for case in list(b.cases):
        if len(case["chunks"]) != 1 or "-split" in case["id"]:
            continue
        data = case["chunks"][0]
        cuts = sorted({p for ps in awkward_positions(data).values() for p in ps})
        if not cuts:
            continue
        twin = {**case, "id": f"{case['id']}-awk", "chunks": split_at(data, cuts)}
        b.add(twin.pop("id"), twin.pop("type"), twin.pop("chunks"), **twin)


def generate() -> list[Case]:
    """All built-in parser cases, in a fixed order."""
    b = Builder()
    for group in GROUPS:
        group(b)
    add_split_variants(b)
    return b.cases
