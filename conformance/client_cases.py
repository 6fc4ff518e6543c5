"""The built-in client cases: canned raw responses for Node's and nodehttp's clients.

Deterministic: the same list every run. Ids are ``<group>-<what>``; a case whose response
is one write also gets, for the groups in :data:`AWK_GROUPS`, a twin ``<id>-awk`` whose
response is cut at its fragile places (inside CRLF, inside header names, at colons,
inside chunk sizes), one write each, a few milliseconds apart.
"""

from __future__ import annotations

from typing import Any

Case = dict[str, Any]

GET: dict[str, Any] = {"method": "GET", "path": "/"}
HEAD: dict[str, Any] = {"method": "HEAD", "path": "/"}
POST: dict[str, Any] = {"method": "POST", "path": "/submit", "body": "hello"}
AWK_GROUPS = ("status", "length", "chunked", "dup", "info", "invalid", "head", "nobody")


def resp(status: str, headers: list[str], body: str = "") -> str:
    return status + "\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n" + body


def ok(body: str = "ok", status: str = "HTTP/1.1 200 OK", extra: list[str] | None = None) -> str:
    return resp(status, [f"Content-Length: {len(body)}", *(extra or [])], body)


def case(cid: str, response: list[str], request: dict[str, Any] | None = None,
         after: str = "wait", description: str = "") -> Case:
    c: Case = {"id": cid, "request": dict(request or GET), "response": response,
               "after": after}
    if description:
        c["description"] = description
    return c


def awkward_cuts(data: str) -> list[str]:
    """``data`` cut inside every CRLF, after the first byte of each header name, at each
    colon and after the first character of each chunk-size line."""
    cuts = set()
    line_start = True
    for i, ch in enumerate(data):
        if ch == "\r":
            cuts.add(i + 1)
        elif ch == ":":
            cuts.add(i)
        elif line_start and i + 1 < len(data):
            cuts.add(i + 1)
        line_start = ch == "\n"
    cuts.add(len("HTTP/1."))
    points = sorted(c for c in cuts if 0 < c < len(data))
    pieces, prev = [], 0
    for c in points:
        pieces.append(data[prev:c])
        prev = c
    pieces.append(data[prev:])
    return [p for p in pieces if p]


def _status() -> list[Case]:
    lines = {
        "ok": "HTTP/1.1 200 OK",
        "no-reason-space": "HTTP/1.1 200 ",
        "no-reason": "HTTP/1.1 200",
        "not-found": "HTTP/1.1 404 Not Found",
        "server-error": "HTTP/1.1 500 Internal Server Error",
        "custom-reason": "HTTP/1.1 299 Custom Reason Here",
        "reason-spaces": "HTTP/1.1 200 Very   spaced  reason ",
        "latin1-reason": "HTTP/1.1 200 Caf\xe9 \xff\xa0ok",
        "reason-tab": "HTTP/1.1 200 A\tB",
        "http10": "HTTP/1.0 200 OK",
        "status-999": "HTTP/1.1 999 Odd",
        "status-600": "HTTP/1.1 600 Beyond",
        "redirect": "HTTP/1.1 301 Moved Permanently",
        "status-201": "HTTP/1.1 201 Created",
    }
    out = [case(f"status-{k}", [ok(status=v)]) for k, v in lines.items()]
    out.append(case("status-redirect-location",
                    [ok(status="HTTP/1.1 302 Found", extra=["Location: /elsewhere"])]))
    return out


def _length() -> list[Case]:
    return [
        case("length-zero", [ok("")]),
        case("length-five", [ok("hello")]),
        case("length-large", [ok("x" * 5000)]),
        case("length-latin1-body", [ok("\x00\x01\xe9\xff\r\n")]),
        case("length-spaces", [resp("HTTP/1.1 200 OK", ["Content-Length:   3  "], "abc")]),
        case("length-leading-zeros", [resp("HTTP/1.1 200 OK", ["Content-Length: 003"], "abc")]),
        case("length-extra-bytes", [resp("HTTP/1.1 200 OK", ["Content-Length: 3"], "abcdef")],
             description="more bytes than Content-Length, on a Connection: close exchange"),
        case("length-extra-response", [ok("one") + ok("two")],
             description="a second response pipelined behind the first"),
        case("length-extra-304", [ok("one") + resp("HTTP/1.1 304 Not Modified", ["Content-Length: 5"], "hello")],
             description="a second response, a 304 announcing a length: Node answers it 0 and skips it"),
        case("length-connection-close", [ok(extra=["Connection: close"])], after="close"),
        case("length-keep-alive", [ok(extra=["Connection: keep-alive"])]),
        case("length-separate-body", [resp("HTTP/1.1 200 OK", ["Content-Length: 10"]),
                                      "01234", "56789"]),
    ]


def _chunked() -> list[Case]:
    te = ["Transfer-Encoding: chunked"]
    return [
        case("chunked-simple", [resp("HTTP/1.1 200 OK", te, "5\r\nhello\r\n0\r\n\r\n")]),
        case("chunked-many", [resp("HTTP/1.1 200 OK", te,
                                   "1\r\na\r\n2\r\nbc\r\n3\r\ndef\r\n0\r\n\r\n")]),
        case("chunked-upper-hex", [resp("HTTP/1.1 200 OK", te,
                                        "A\r\n0123456789\r\n0\r\n\r\n")]),
        case("chunked-leading-zeros", [resp("HTTP/1.1 200 OK", te,
                                            "0005\r\nhello\r\n0\r\n\r\n")]),
        case("chunked-extension", [resp("HTTP/1.1 200 OK", te,
                                        "5;a=b\r\nhello\r\n0;last\r\n\r\n")]),
        case("chunked-quoted-extension", [resp("HTTP/1.1 200 OK", te,
                                               '5;name="v a;l"\r\nhello\r\n0\r\n\r\n')]),
        case("chunked-trailer", [resp("HTTP/1.1 200 OK", [*te, "Trailer: X-Sum"],
                                      "5\r\nhello\r\n0\r\nX-Sum: 42\r\n\r\n")]),
        case("chunked-trailers-many", [resp("HTTP/1.1 200 OK", te,
                                            "2\r\nhi\r\n0\r\nA: 1\r\nb: 2\r\nA: 3\r\n\r\n")]),
        case("chunked-empty", [resp("HTTP/1.1 200 OK", te, "0\r\n\r\n")]),
        case("chunked-latin1", [resp("HTTP/1.1 200 OK", te, "3\r\n\xe9\x00\xff\r\n0\r\n\r\n")]),
        case("chunked-mixed-case", [resp("HTTP/1.1 200 OK", ["transfer-encoding: Chunked"],
                                         "2\r\nok\r\n0\r\n\r\n")]),
        case("chunked-gzip-chunked", [resp("HTTP/1.1 200 OK",
                                           ["Transfer-Encoding: gzip, chunked"],
                                           "2\r\nok\r\n0\r\n\r\n")]),
        case("chunked-not-last", [resp("HTTP/1.1 200 OK", ["Transfer-Encoding: gzip"], "raw")],
             after="close", description="a coding other than chunked last: close-delimited"),
    ]


def _close_delimited() -> list[Case]:
    return [
        case("close-body", [resp("HTTP/1.1 200 OK", [], "until close")], after="close"),
        case("close-empty", [resp("HTTP/1.1 200 OK", [])], after="close"),
        case("close-http10", [resp("HTTP/1.0 200 OK", [], "ten")], after="close"),
        case("close-pieces", [resp("HTTP/1.1 200 OK", ["X: y"]), "part1,", "part2"],
             after="close"),
        case("close-connection-header", [resp("HTTP/1.1 200 OK", ["Connection: close"], "bye")],
             after="close"),
    ]


def _head() -> list[Case]:
    return [
        case("head-content-length", [resp("HTTP/1.1 200 OK", ["Content-Length: 10"])],
             HEAD),
        case("head-chunked", [resp("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"])], HEAD),
        case("head-no-framing", [resp("HTTP/1.1 200 OK", ["X-A: b"])], HEAD),
        case("head-with-body-sent", [resp("HTTP/1.1 200 OK", ["Content-Length: 4"], "oops")],
             HEAD, description="the peer sends a body to a HEAD anyway"),
        case("head-404", [resp("HTTP/1.1 404 Not Found", ["Content-Length: 9"])], HEAD),
        case("head-extra-response", [resp("HTTP/1.1 200 OK", ["Content-Length: 5"]) + ok("two")],
             HEAD, description="a second response behind a HEAD's: its body is read, not parsed as a head"),
    ]


def _nobody() -> list[Case]:
    return [
        case("nobody-204", [resp("HTTP/1.1 204 No Content", [])]),
        case("nobody-204-length-body", [resp("HTTP/1.1 204 No Content", ["Content-Length: 5"],
                                             "hello")]),
        case("nobody-204-chunked-body", [resp("HTTP/1.1 204 No Content",
                                              ["Transfer-Encoding: chunked"],
                                              "5\r\nhello\r\n0\r\n\r\n")]),
        case("nobody-304", [resp("HTTP/1.1 304 Not Modified", ["ETag: \"x\""])]),
        case("nobody-304-length-body", [resp("HTTP/1.1 304 Not Modified",
                                             ["Content-Length: 5"], "hello")]),
        case("nobody-304-close-body", [resp("HTTP/1.1 304 Not Modified", [], "stray")],
             after="close"),
        case("nobody-200-length-zero-body", [resp("HTTP/1.1 200 OK", ["Content-Length: 0"],
                                                  "stray")]),
    ]


def _info() -> list[Case]:
    final = ok("done")
    expect = {**POST, "headers": [["Expect", "100-continue"]]}
    return [
        case("info-100", [resp("HTTP/1.1 100 Continue", []) + final]),
        case("info-100-post-expect", [resp("HTTP/1.1 100 Continue", []), final], expect),
        case("info-100-post", [resp("HTTP/1.1 100 Continue", []) + final], POST),
        case("info-102", [resp("HTTP/1.1 102 Processing", []) + final]),
        case("info-103-link", [resp("HTTP/1.1 103 Early Hints",
                                    ["Link: </style.css>; rel=preload; as=style"]) + final]),
        case("info-103-two-links", [resp("HTTP/1.1 103 Early Hints",
                                         ["Link: </a.css>; rel=preload",
                                          "Link: </b.js>; rel=preload"]) + final]),
        case("info-103-twice", [resp("HTTP/1.1 103 Early Hints", ["Link: </a>"]),
                                resp("HTTP/1.1 103 Early Hints", ["Link: </b>"]), final]),
        case("info-100-103-200", [resp("HTTP/1.1 100 Continue", [])
                                  + resp("HTTP/1.1 103 Early Hints", ["Link: </x>"]) + final]),
        case("info-199", [resp("HTTP/1.1 199 Odd", ["X: 1"]) + final]),
        case("info-only-then-close", [resp("HTTP/1.1 103 Early Hints", ["Link: </a>"])],
             after="close", description="a 1xx and no final response"),
        case("info-head", [resp("HTTP/1.1 103 Early Hints", ["Link: </a>"])
                           + resp("HTTP/1.1 200 OK", ["Content-Length: 7"])], HEAD),
    ]


def _upgrade() -> list[Case]:
    up = resp("HTTP/1.1 101 Switching Protocols", ["Upgrade: websocket",
                                                    "Connection: Upgrade"])
    upgrade_req = {**GET, "headers": [["Connection", "Upgrade"], ["Upgrade", "websocket"]]}
    return [
        case("upgrade-101-no-listener", [up]),
        case("upgrade-101-trailing-bytes", [up + "\x81\x02hi"]),
        case("upgrade-101-requested", [up], upgrade_req),
        case("upgrade-101-requested-close", [up + "data"], upgrade_req, after="close"),
        case("upgrade-101-plain", [resp("HTTP/1.1 101 Switching Protocols", [])]),
    ]


def _dup() -> list[Case]:
    return [
        case("dup-set-cookie", [ok(extra=["Set-Cookie: a=1", "Set-Cookie: b=2"])]),
        case("dup-content-type", [ok(extra=["Content-Type: text/plain",
                                            "Content-Type: text/html"])]),
        case("dup-custom-three", [ok(extra=["X-A: 1", "x-a: 2", "X-A: 3"])]),
        case("dup-mixed-case-names", [ok(extra=["cOnTeNt-TyPe: a", "X-UPPER: B"])]),
        case("dup-empty-value", [ok(extra=["X-Empty:", "X-Space: "])]),
        case("dup-value-whitespace", [ok(extra=["X-Pad: \t padded \t "])]),
        case("dup-latin1-value", [ok(extra=["X-Latin: caf\xe9 \xff"])]),
        case("dup-many", [ok(extra=[f"X-H{i}: v{i}" for i in range(40)])]),
        case("dup-obs-fold", [ok(extra=["X-Fold: a", " b"])]),
        case("dup-www-authenticate", [ok(extra=["WWW-Authenticate: Basic",
                                                "WWW-Authenticate: Bearer"])]),
    ]


def _invalid() -> list[Case]:
    te = ["Transfer-Encoding: chunked"]
    return [
        case("invalid-status-letters", [ok(status="HTTP/1.1 2OO OK")]),
        case("invalid-status-short", [ok(status="HTTP/1.1 20 OK")]),
        case("invalid-constant", [ok(status="HTTX/1.1 200 OK")]),
        case("invalid-not-http", ["hello world\r\n\r\n"], after="close"),
        case("invalid-version", [ok(status="HTTP/2.0 200 OK")]),
        case("invalid-version-09", [ok(status="HTTP/0.9 200 OK")]),
        case("invalid-chunk-size", [resp("HTTP/1.1 200 OK", te, "zz\r\nhello\r\n0\r\n\r\n")]),
        case("invalid-chunk-no-crlf", [resp("HTTP/1.1 200 OK", te, "5\r\nhelloX0\r\n\r\n")]),
        case("invalid-chunk-huge", [resp("HTTP/1.1 200 OK", te,
                                         "ffffffffffffffffff\r\nx\r\n")]),
        case("invalid-cl-and-te", [resp("HTTP/1.1 200 OK", ["Content-Length: 5", *te],
                                        "5\r\nhello\r\n0\r\n\r\n")]),
        case("invalid-multiple-cl", [resp("HTTP/1.1 200 OK", ["Content-Length: 5",
                                                              "Content-Length: 6"], "hello!")]),
        case("invalid-multiple-cl-same", [resp("HTTP/1.1 200 OK", ["Content-Length: 5",
                                                                   "Content-Length: 5"],
                                               "hello")]),
        case("invalid-cl-list", [resp("HTTP/1.1 200 OK", ["Content-Length: 5, 5"], "hello")]),
        case("invalid-cl-letters", [resp("HTTP/1.1 200 OK", ["Content-Length: 5a"], "hello")]),
        case("invalid-header-no-colon", [ok(extra=["NoColonHere"])]),
        case("invalid-space-before-colon", [ok(extra=["X-Bad : v"])]),
        case("invalid-header-name-char", [ok(extra=["X\x01Bad: v"])]),
        case("invalid-header-value-nul", [ok(extra=["X-Bad: a\x00b"])]),
        case("invalid-lf-only", ["HTTP/1.1 200 OK\nContent-Length: 2\n\nok"]),
        case("invalid-header-too-large", [ok(extra=["X-Big: " + "a" * 17000])]),
    ]


def _hangup() -> list[Case]:
    return [
        case("hangup-before-response", [], after="close"),
        case("hangup-partial-status", ["HTTP/1.1 20"], after="close"),
        case("hangup-partial-headers", ["HTTP/1.1 200 OK\r\nContent-Le"], after="close"),
        case("hangup-after-headers-no-body-framing-http10", ["HTTP/1.0 200 OK\r\n\r\n"],
             after="close"),
        case("hangup-post-before-response", [], POST, after="close"),
        case("hangup-head-before-response", [], HEAD, after="close"),
    ]


def _aborted() -> list[Case]:
    te = ["Transfer-Encoding: chunked"]
    return [
        case("aborted-length", [resp("HTTP/1.1 200 OK", ["Content-Length: 10"], "hello")],
             after="close"),
        case("aborted-length-no-body", [resp("HTTP/1.1 200 OK", ["Content-Length: 10"])],
             after="close"),
        case("aborted-chunk-mid", [resp("HTTP/1.1 200 OK", te, "a\r\nhello")], after="close"),
        case("aborted-chunk-before-last", [resp("HTTP/1.1 200 OK", te, "5\r\nhello\r\n")],
             after="close"),
        case("aborted-in-trailers", [resp("HTTP/1.1 200 OK", te, "0\r\nX-T: 1\r\n")],
             after="close"),
    ]


def _requests() -> list[Case]:
    return [
        case("request-post-body", [ok()], POST),
        case("request-post-latin1-body", [ok()], {**POST, "body": "caf\xe9\x00\xff"}),
        case("request-post-empty", [ok()], {"method": "POST", "path": "/p", "body": ""}),
        case("request-put-no-body", [ok()], {"method": "PUT", "path": "/p"}),
        case("request-delete", [ok()], {"method": "DELETE", "path": "/d?x=1"}),
        case("request-options", [ok()], {"method": "OPTIONS", "path": "*"}),
        case("request-headers", [ok()], {**GET, "headers": [["X-Foo", "bar"],
                                                            ["accept", "*/*"],
                                                            ["User-Agent", "test"]]}),
        case("request-host-header", [ok()], {**GET, "headers": [["Host", "example.com"]]}),
        case("request-custom-connection", [ok()],
             {**GET, "headers": [["Connection", "keep-alive"]]}),
        case("request-query-path", [ok()], {**GET, "path": "/a/b?c=d&e=%20f#frag"}),
        case("request-patch-body", [ok()], {"method": "PATCH", "path": "/x", "body": "{}"}),
    ]


GROUPS = [("status", _status), ("length", _length), ("chunked", _chunked),
          ("close", _close_delimited), ("head", _head), ("nobody", _nobody),
          ("info", _info), ("upgrade", _upgrade), ("dup", _dup), ("invalid", _invalid),
          ("hangup", _hangup), ("aborted", _aborted), ("request", _requests)]


def generate() -> list[Case]:
    cases: list[Case] = []
    for name, make in GROUPS:
        group = make()
        cases += group
        if name in AWK_GROUPS:
            for c in group:
                if len(c["response"]) == 1 and len(c["response"][0]) < 400:
                    pieces = awkward_cuts(c["response"][0])
                    if len(pieces) > 1:
                        cases.append({**c, "id": c["id"] + "-awk", "response": pieces,
                                      "pause_ms": 2})
    return cases
