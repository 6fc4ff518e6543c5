#!/usr/bin/env python3
"""HTTP request parsing throughput: nodehttp against its peers, in one interleaved run.

Every peer parses the same buffer the way a server consumes it: method, URL, every
header name and value and the body end up as Python objects in lists, and the lists
are cleared after each buffer (a server hands the request on and drops it; letting
the lists grow would time the allocator instead of the parser).

Peers:
  nodehttp      ``nodehttp._parser.HTTPParser``; hands out ``str`` (latin-1).
  httptools     ``HttpRequestParser`` with on_url/on_header/on_body/on_message_complete
                (the method is read with get_method() at message complete); the main
                line decodes method, URL, names and values as latin-1 (the same Python
                objects as nodehttp); ``httptools_bytes`` keeps the bytes. Neither
                asks for the version or keep-alive, which nodehttp hands over anyway:
                if anything this favours httptools.
  h11           ``Connection(h11.SERVER)``; gives bytes (left as is). h11 only starts
                the next cycle once the server has answered, so every message costs
                h11 a minimal response (one prebuilt ``Response`` + ``EndOfMessage``).
  aiohttp       ``aiohttp._http_parser.HttpRequestParser`` (the Cython/C one; checked),
                constructed as ``web_protocol.RequestHandler`` does, with
                ``max_msg_queue_size=32``: a pipelined buffer is re-fed with ``b""``
                after each 32 messages are consumed, as the server does. Headers come
                out as ``CIMultiDictProxy`` (str) plus raw bytes, the body is read with
                ``payload.read_nowait()``. aiohttp parses trailers but drops them.
                On a reused parser, a message's last trailer shows up as the first
                header of the next message (an aiohttp bug; accepted by the check).
  llhttp_pypi   pallas/pyllhttp ``llhttp.Request`` subclass; its memoryviews become
                ``str`` (latin-1) / ``bytes`` inside the callbacks, as nodehttp's.
  c             bare llhttp (the sources nodehttp compiles, same flags) in a C loop
                whose callbacks only touch the spans: the ceiling. It copies no string,
                unlike nodehttp's glue, so it bounds what any binding can reach.

Corpora: browser_get (a browser GET, 11 headers, 584 bytes), post_1k (Content-Length
body of 1024 bytes), chunked (4 chunks of 256 bytes and one trailer), pipelined_100
(100 copies of the browser_get request in one buffer). Every peer keeps one parser for
all passes, as a keep-alive connection would.

Timing: time.perf_counter; the garbage collector is disabled during every timed run
for every peer alike (and a collection runs before each). Each run is calibrated to
about 0.2 s (0.05 s with --quick); the reported value is the median of the runs, and
the peers take turns within each repetition (starting peer rotated) so that the
machine's noise hits all of them alike.

Output (stdout), per corpus:
  corpus=<name> nodehttp=.. httptools=.. h11=.. aiohttp=.. llhttp_pypi=.. c=.. ratio_httptools=..
  corpus=<name> httptools_bytes=.. ratio_httptools_bytes=..
Notes, verification and build messages go to stderr.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
LLHTTP_DIR = ROOT / "vendor" / "llhttp"
LLHTTP_SOURCES = ("api.c", "http.c", "llhttp.c")
MAIN_PEERS = ("nodehttp", "httptools", "h11", "aiohttp", "llhttp_pypi", "c")
ALL_PEERS = MAIN_PEERS + ("httptools_bytes",)
# aiohttp.web_protocol.MAX_MSG_QUEUE_SIZE in the installed version; read at run time
# when possible so the emulation follows the server.
AIOHTTP_QUEUE_DEFAULT = 32


# Corpora ---------------------------------------------------------------------------

BROWSER_HEADERS: list[tuple[str, str]] = [
    ("Host", "www.example.com"),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/124.0.0.0 Safari/537.36"),
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
               "image/webp,*/*;q=0.8"),
    ("Accept-Language", "en-US,en;q=0.9,de;q=0.8"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Referer", "https://www.example.com/products/index.html"),
    ("Cookie", "session=8f2a61c4d9b04e2; theme=dark"),
    ("Connection", "keep-alive"),
    ("Upgrade-Insecure-Requests", "1"),
    ("Sec-Fetch-Mode", "navigate"),
    ("Cache-Control", "max-age=0"),
]


@dataclass
class Corpus:
    name: str
    data: bytes
    messages: int
    method: str
    url: str
    fields: int  # header + trailer name/value pairs per message
    body: bytes  # per message
    trailers: int  # trailer pairs per message (included in `fields`)
    notes: list[str] = field(default_factory=list)


def _head(method: str, url: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"{method} {url} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def make_corpora() -> list[Corpus]:
    get_url = "/products/catalog/item.html?id=48213&ref=home"
    get = _head("GET", get_url, BROWSER_HEADERS)

    body_1k = (b'{"items":[' + b'"abcdefghijklmnop",' * 56)[:1023] + b"]"
    post_headers = [
        ("Host", "api.example.com"),
        ("User-Agent", "python-requests/2.32.3"),
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body_1k))),
    ]
    post = _head("POST", "/v1/items", post_headers) + body_1k

    chunk = bytes(range(256))
    chunked_headers = [
        ("Host", "upload.example.com"),
        ("User-Agent", "curl/8.5.0"),
        ("Content-Type", "application/octet-stream"),
        ("Transfer-Encoding", "chunked"),
        ("Trailer", "X-Checksum"),
    ]
    chunked = (_head("POST", "/upload", chunked_headers)
               + b"100\r\n" + chunk + b"\r\n" + b"100\r\n" + chunk + b"\r\n"
               + b"100\r\n" + chunk + b"\r\n" + b"100\r\n" + chunk + b"\r\n"
               + b"0\r\nX-Checksum: 5f3a9c\r\n\r\n")

    return [
        Corpus("browser_get", get, 1, "GET", get_url, len(BROWSER_HEADERS), b"", 0),
        Corpus("post_1k", post, 1, "POST", "/v1/items", len(post_headers), body_1k, 0),
        Corpus("chunked", chunked, 1, "POST", "/upload", len(chunked_headers) + 1,
               chunk * 4, 1),
        Corpus("pipelined_100", get * 100, 100, "GET", get_url, len(BROWSER_HEADERS),
               b"", 0, notes=["100 x the browser_get request"]),
    ]


# Peers -------------------------------------------------------------------------------
#
# A peer factory takes a corpus and returns (step, summary) or raises ImportError.
# step() parses the corpus buffer once and drops what it collected; summary() parses
# it once and returns what was delivered, for the correctness check:
#   (methods, urls, header+trailer items (names and values), body, trailer pairs or None)
# where trailer pairs is None when the peer mixes trailers into the headers.
# Each step() clears its lists inline rather than through a helper, whose call would
# be timed as part of the peer.

Summary = tuple[list[str], list[str], int, bytes, int | None]
Factory = Callable[[Corpus], tuple[Callable[[], None], Callable[[], Summary]]]


def _latin1(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else str(value)


def nodehttp_peer(corpus: Corpus) -> tuple[Callable[[], None], Callable[[], Summary]]:
    from nodehttp._parser import HTTPParser

    data = corpus.data
    parser = HTTPParser(HTTPParser.REQUEST)
    requests: list[tuple[str, str, list[str]]] = []
    bodies: list[bytes] = []
    trailers: list[list[str]] = []
    add_request = requests.append

    def on_headers_complete(major: int, minor: int, headers: list[str], method: str,
                            url: str, status_code: Any, status_message: Any,
                            upgrade: bool, keep_alive: bool) -> int:
        add_request((method, url, headers))
        return 0

    parser.on_headers_complete = on_headers_complete
    parser.on_body = bodies.append
    parser.on_message_complete = trailers.append
    execute = parser.execute

    def step() -> None:
        execute(data)
        requests.clear()
        bodies.clear()
        trailers.clear()

    def summary() -> Summary:
        rc = execute(data)
        if not isinstance(rc, int):
            raise RuntimeError(f"nodehttp: {rc!r}")
        out: Summary = ([m for m, _, _ in requests], [u for _, u, _ in requests],
                        sum(len(h) for _, _, h in requests) + sum(len(t) for t in trailers),
                        b"".join(bodies), sum(len(t) for t in trailers) // 2)
        requests.clear()
        bodies.clear()
        trailers.clear()
        return out

    return step, summary


def _httptools_peer(corpus: Corpus, decode: bool) -> tuple[Callable[[], None], Callable[[], Summary]]:
    import httptools

    data = corpus.data
    urls: list[Any] = []
    headers: list[Any] = []
    bodies: list[bytes] = []
    methods: list[Any] = []
    add_url = urls.append
    add_header = headers.append
    add_method = methods.append

    class Callbacks:
        # Plain attributes, not methods: httptools looks the callbacks up once, and
        # a bound list.append is the cheapest callback a server could give it.
        pass

    proto = Callbacks()
    if decode:
        def on_url(url: bytes) -> None:
            add_url(url.decode("latin-1"))

        def on_header(name: bytes, value: bytes) -> None:
            add_header(name.decode("latin-1"))
            add_header(value.decode("latin-1"))

        def on_message_complete() -> None:
            add_method(get_method().decode("latin-1"))
    else:
        on_url = add_url  # type: ignore[assignment]

        def on_header(name: bytes, value: bytes) -> None:
            add_header(name)
            add_header(value)

        def on_message_complete() -> None:
            add_method(get_method())

    proto.on_url = on_url  # type: ignore[attr-defined]
    proto.on_header = on_header  # type: ignore[attr-defined]
    proto.on_body = bodies.append  # type: ignore[attr-defined]
    proto.on_message_complete = on_message_complete  # type: ignore[attr-defined]
    parser = httptools.HttpRequestParser(proto)
    get_method = parser.get_method
    feed = parser.feed_data

    def clear() -> None:
        urls.clear()
        headers.clear()
        bodies.clear()
        methods.clear()

    def step() -> None:
        feed(data)
        urls.clear()
        headers.clear()
        bodies.clear()
        methods.clear()

    def summary() -> Summary:
        feed(data)
        out: Summary = ([_latin1(m) for m in methods], [_latin1(u) for u in urls],
                        len(headers), b"".join(bodies), None)
        if decode and not all(type(x) is str for x in urls + headers + methods):
            raise RuntimeError("httptools (decoded) delivered non-str objects")
        clear()
        return out

    return step, summary


def httptools_peer(corpus: Corpus) -> tuple[Callable[[], None], Callable[[], Summary]]:
    return _httptools_peer(corpus, decode=True)


def httptools_bytes_peer(corpus: Corpus) -> tuple[Callable[[], None], Callable[[], Summary]]:
    return _httptools_peer(corpus, decode=False)


def h11_peer(corpus: Corpus) -> tuple[Callable[[], None], Callable[[], Summary]]:
    import h11

    data = corpus.data
    conn = h11.Connection(h11.SERVER)
    # Prebuilt: h11 must see the server answer before start_next_cycle(), and building
    # the event anew each time would time the response API rather than the parser.
    response = h11.Response(status_code=200, headers=[(b"content-length", b"0")])
    end = h11.EndOfMessage()
    Request, Data, EndOfMessage, NEED_DATA = h11.Request, h11.Data, h11.EndOfMessage, h11.NEED_DATA
    requests: list[Any] = []
    bodies: list[Any] = []
    trailers: list[Any] = []
    receive_data, next_event, send, start_next_cycle = (
        conn.receive_data, conn.next_event, conn.send, conn.start_next_cycle)

    def parse() -> None:
        receive_data(data)
        while True:
            event = next_event()
            kind = type(event)
            if kind is Data:
                bodies.append(event.data)
            elif kind is Request:
                requests.append(event)
            elif kind is EndOfMessage:
                trailers.append(event.headers)
                send(response)
                send(end)
                start_next_cycle()
            elif event is NEED_DATA:
                return
            else:
                raise RuntimeError(f"h11: unexpected {event!r}")

    def step() -> None:
        parse()
        requests.clear()
        bodies.clear()
        trailers.clear()

    def summary() -> Summary:
        parse()
        ntrailers = sum(len(t) for t in trailers)
        out: Summary = ([_latin1(r.method) for r in requests],
                        [_latin1(r.target) for r in requests],
                        2 * (sum(len(r.headers) for r in requests) + ntrailers),
                        b"".join(bytes(b) for b in bodies), ntrailers)
        requests.clear()
        bodies.clear()
        trailers.clear()
        return out

    return step, summary


def aiohttp_parser_class() -> tuple[Any, int]:
    """The C request parser and the server's message-queue size; ImportError if no C."""
    import aiohttp.http_parser as http_parser

    try:
        from aiohttp._http_parser import HttpRequestParser  # the Cython/C build
    except ImportError as exc:
        raise ImportError(f"aiohttp's C parser is not built: {exc}") from exc
    if http_parser.HttpRequestParser is not HttpRequestParser:
        # aiohttp picked its pure-Python fallback (AIOHTTP_NO_EXTENSIONS or similar):
        # what its server would use then is not the C parser this peer is about.
        raise ImportError("aiohttp's server would use the pure-Python parser")
    try:
        from aiohttp.web_protocol import MAX_MSG_QUEUE_SIZE as queue
    except ImportError:
        queue = AIOHTTP_QUEUE_DEFAULT
    return HttpRequestParser, int(queue)


_LOOPS: list[Any] = []


def aiohttp_peer(corpus: Corpus) -> tuple[Callable[[], None], Callable[[], Summary]]:
    import asyncio

    from aiohttp.base_protocol import BaseProtocol
    from aiohttp.http_exceptions import BadHttpMessage
    from aiohttp.web_protocol import RequestPayloadError

    parser_cls, queue = aiohttp_parser_class()
    data = corpus.data
    # Never run: the parser only needs it to create payload streams.
    loop = asyncio.new_event_loop()
    _LOOPS.append(loop)
    protocol = BaseProtocol(loop)
    # Arguments of aiohttp.web_protocol.RequestHandler.__init__ (defaults of 3.x).
    parser = parser_cls(
        protocol, loop, 2**16, max_line_size=8190, max_field_size=8190, max_headers=128,
        payload_exception=RequestPayloadError, auto_decompress=True,
        max_msg_queue_size=queue,
    )
    feed_data = parser.feed_data
    consumed = parser.message_consumed
    requests: list[Any] = []
    bodies: list[bytes] = []

    def parse() -> None:
        messages, upgraded, tail = feed_data(data)
        while True:
            for message, payload in messages:
                requests.append(message)
                bodies.append(payload.read_nowait())
                consumed()
            if len(messages) < queue:
                break
            # The server re-feeds nothing once it has drained a full queue; the
            # parser resumes from the tail it kept.
            messages, upgraded, tail = feed_data(b"")

    def step() -> None:
        parse()
        requests.clear()
        bodies.clear()

    def summary() -> Summary:
        try:
            parse()
        except BadHttpMessage as exc:
            raise RuntimeError(f"aiohttp: {exc}") from exc
        out: Summary = ([m.method for m in requests], [m.path for m in requests],
                        2 * sum(len(m.raw_headers) for m in requests), b"".join(bodies), 0)
        requests.clear()
        bodies.clear()
        return out

    return step, summary


def llhttp_pypi_peer(corpus: Corpus) -> tuple[Callable[[], None], Callable[[], Summary]]:
    import llhttp

    data = corpus.data
    urls: list[str] = []
    headers: list[str] = []
    bodies: list[bytes] = []
    methods: list[str] = []
    add_url = urls.append
    add_header = headers.append
    add_body = bodies.append
    add_method = methods.append

    class Parser(llhttp.Request):
        # The memoryviews are only valid during the callback: convert there.
        def on_url(self, url: memoryview) -> None:
            add_url(str(url, "latin-1"))

        def on_header_field(self, name: memoryview) -> None:
            add_header(str(name, "latin-1"))

        def on_header_value(self, value: memoryview) -> None:
            add_header(str(value, "latin-1"))

        def on_body(self, body: memoryview) -> None:
            add_body(bytes(body))

        def on_message_complete(self) -> None:
            add_method(self.method)

    parser = Parser()
    execute = parser.execute

    def step() -> None:
        execute(data)
        urls.clear()
        headers.clear()
        bodies.clear()
        methods.clear()

    def summary() -> Summary:
        execute(data)
        out: Summary = (list(methods), list(urls), len(headers), b"".join(bodies), None)
        urls.clear()
        headers.clear()
        bodies.clear()
        methods.clear()
        return out

    return step, summary


PYTHON_PEERS: dict[str, Factory] = {
    "nodehttp": nodehttp_peer,
    "httptools": httptools_peer,
    "httptools_bytes": httptools_bytes_peer,
    "h11": h11_peer,
    "aiohttp": aiohttp_peer,
    "llhttp_pypi": llhttp_pypi_peer,
}


# The C ceiling -------------------------------------------------------------------------

C_LOOP = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "llhttp.h"

/* Callbacks only touch the spans (and count), so what is left is llhttp itself. */
static unsigned long long msgs, fields, url_bytes, body_bytes, touch;

static int on_url(llhttp_t* p, const char* at, size_t n) {
  (void)p; url_bytes += n; touch += (unsigned char)at[0]; return 0;
}
static int on_field(llhttp_t* p, const char* at, size_t n) {
  (void)p; fields++; touch += (unsigned char)at[0] + n; return 0;
}
static int on_value(llhttp_t* p, const char* at, size_t n) {
  (void)p; touch += (unsigned char)at[0] + n; return 0;
}
static int on_body(llhttp_t* p, const char* at, size_t n) {
  (void)p; body_bytes += n; touch += (unsigned char)at[n - 1]; return 0;
}
static int on_complete(llhttp_t* p) { (void)p; msgs++; return 0; }

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s corpus seconds\n", argv[0]); return 2; }
  FILE* f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* buf = malloc((size_t)len);
  if (fread(buf, 1, (size_t)len, f) != (size_t)len) { perror("read"); return 2; }
  fclose(f);
  double seconds = atof(argv[2]);

  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_url = on_url;
  s.on_header_field = on_field;
  s.on_header_value = on_value;
  s.on_body = on_body;
  s.on_message_complete = on_complete;
  llhttp_t p;
  llhttp_init(&p, HTTP_REQUEST, &s);

  if (seconds <= 0) { /* one pass, for the correctness check */
    int err = llhttp_execute(&p, buf, (size_t)len);
    if (err != HPE_OK) { fprintf(stderr, "llhttp: %s\n", llhttp_get_error_reason(&p)); return 1; }
    printf("%llu %llu %llu %llu\n", msgs, fields, url_bytes, body_bytes);
    return 0;
  }
  /* Warm the caches and the branch predictor for a tenth of the run, untimed. */
  double t0 = now(), t;
  do {
    for (int i = 0; i < 16; i++) llhttp_execute(&p, buf, (size_t)len);
  } while (now() - t0 < seconds / 10);
  msgs = 0;
  t0 = now();
  do {
    /* The clock is read every 16 passes: cheap next to 16 parses. */
    for (int i = 0; i < 16; i++) {
      if (llhttp_execute(&p, buf, (size_t)len) != HPE_OK) {
        fprintf(stderr, "llhttp: %s\n", llhttp_get_error_reason(&p));
        return 1;
      }
    }
    t = now();
  } while (t - t0 < seconds);
  printf("%llu %.9f %llu\n", msgs, t - t0, touch);
  return 0;
}
"""


class CLoop:
    """The compiled C loop in a temporary directory (removed by close())."""

    def __init__(self, corpora: list[Corpus]) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="nodehttp-bench-"))
        self.exe: Path | None = None
        self.paths: dict[str, Path] = {}
        self.problem = self._build()
        for corpus in corpora:
            path = self.tmp / f"{corpus.name}.bin"
            path.write_bytes(corpus.data)
            self.paths[corpus.name] = path

    def _build(self) -> str | None:
        include = LLHTTP_DIR / "include"
        sources = [LLHTTP_DIR / "src" / name for name in LLHTTP_SOURCES]
        missing = [str(p) for p in [include / "llhttp.h", *sources] if not p.is_file()]
        if missing:
            return ("llhttp sources are not materialised (build nodehttp first, e.g. "
                    "`python build_ffi.py`): missing " + ", ".join(missing))
        cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
        cc_argv = cc.split()
        if not shutil.which(cc_argv[0]):
            return f"no C compiler ({cc_argv[0]})"
        main = self.tmp / "llhttp_loop.c"
        main.write_text(C_LOOP)
        exe = self.tmp / "llhttp_loop"
        # The flags nodehttp's extension is built with (Python's CFLAGS, then cffi's
        # -O3 from build_ffi.py), so the ceiling is the same machine code of llhttp.
        cflags = (sysconfig.get_config_var("CFLAGS") or "").split() + ["-O3"]
        cmd = [*cc_argv, *cflags, "-I", str(include), "-o", str(exe), str(main),
               *map(str, sources)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            return f"C build failed: {' '.join(cmd)}\n{result.stderr}"
        self.exe = exe
        return None

    def summary(self, corpus: Corpus) -> tuple[int, int, int, int]:
        assert self.exe is not None
        out = subprocess.run([str(self.exe), str(self.paths[corpus.name]), "0"],
                             capture_output=True, text=True, check=True).stdout.split()
        msgs, fields, url_bytes, body_bytes = map(int, out)
        return msgs, fields, url_bytes, body_bytes

    def run(self, corpus: Corpus, seconds: float) -> float:
        assert self.exe is not None
        out = subprocess.run([str(self.exe), str(self.paths[corpus.name]), str(seconds)],
                             capture_output=True, text=True, check=True).stdout.split()
        return int(out[0]) / float(out[1])

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


# Checking -------------------------------------------------------------------------------

def check(name: str, corpus: Corpus, got: Summary) -> list[str]:
    """Problems with what a peer delivered for one pass over the corpus (empty if none)."""
    methods, urls, items, body, trailers = got
    n = corpus.messages
    problems = []
    if methods != [corpus.method] * n:
        problems.append(f"methods {methods[:3]}... ({len(methods)})")
    if urls != [corpus.url] * n:
        problems.append(f"urls {urls[:3]}... ({len(urls)})")
    expected_items = 2 * corpus.fields * n
    dropped_trailers = name == "aiohttp" and corpus.trailers
    if dropped_trailers:
        # aiohttp (3.14.5 checked) has nowhere to put trailers. On a fresh parser they
        # vanish; on a reused one the last trailer of the previous message surfaces as
        # the first header of the next (its pending name/value is flushed by the next
        # header field): same parsing work, so both counts are accepted.
        accepted = {expected_items - 2 * corpus.trailers * n,
                    expected_items - 2 * (corpus.trailers - 1) * n}
    else:
        accepted = {expected_items}
    if items not in accepted:
        problems.append(f"{items} header/trailer items, expected {sorted(accepted)}")
    if trailers is not None and not dropped_trailers and trailers != corpus.trailers * n:
        problems.append(f"{trailers} trailers, expected {corpus.trailers * n}")
    if body != corpus.body * n:
        problems.append(f"body of {len(body)} bytes, expected {len(corpus.body) * n}")
    return problems


def verify(name: str, corpus: Corpus, summary: Callable[[], Summary]) -> list[str]:
    """check() of one more pass; a peer that raises is as wrong as one that misparses."""
    try:
        got = summary()
    except Exception as exc:  # noqa: BLE001 - any failure disqualifies the peer
        return [f"{type(exc).__name__}: {exc}"]
    return check(name, corpus, got)


def check_c(corpus: Corpus, got: tuple[int, int, int, int]) -> list[str]:
    msgs, fields, url_bytes, body_bytes = got
    n = corpus.messages
    want = (n, corpus.fields * n, len(corpus.url) * n, len(corpus.body) * n)
    return [] if got == want else [f"(msgs, fields, url bytes, body bytes) = {got}, expected {want}"]


# Timing ---------------------------------------------------------------------------------

def timed(step: Callable[[], None], iterations: int) -> float:
    """Seconds for `iterations` steps, with the collector off (for every peer alike)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(iterations):
            step()
        return time.perf_counter() - start
    finally:
        gc.enable()


def calibrate(step: Callable[[], None], seconds: float) -> int:
    """Iterations that take about `seconds`; also warms the peer up."""
    n = 1
    while True:
        elapsed = timed(step, n)
        if elapsed >= min(0.02, seconds / 2):
            return max(1, round(n * seconds / elapsed))
        n *= 4 if elapsed < 0.002 else 2


def fmt_rate(rate: float | None) -> str:
    return "n/a" if rate is None else str(int(round(rate)))


def fmt_ratio(a: float | None, b: float | None) -> str:
    return "n/a" if not a or not b else f"{a / b:.2f}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=None,
                    help="timed runs per peer and corpus (default 7; 5 with --quick)")
    ap.add_argument("--quick", action="store_true",
                    help="about 0.05 s per run instead of 0.2 s, and 5 runs")
    ap.add_argument("--seconds", type=float, default=None,
                    help="target duration of one run (default 0.2, or 0.05 with --quick)")
    ap.add_argument("--corpus", action="append", default=None,
                    help="only this corpus (repeatable)")
    args = ap.parse_args(argv)
    runs = args.runs if args.runs is not None else (5 if args.quick else 7)
    if runs < 1:
        ap.error("--runs must be >= 1")
    seconds = args.seconds if args.seconds is not None else (0.05 if args.quick else 0.2)

    corpora = make_corpora()
    if args.corpus:
        unknown = set(args.corpus) - {c.name for c in corpora}
        if unknown:
            ap.error(f"unknown corpus {sorted(unknown)}")
        corpora = [c for c in corpora if c.name in args.corpus]
    for corpus in corpora:
        extra = f" ({'; '.join(corpus.notes)})" if corpus.notes else ""
        log(f"# corpus {corpus.name}: {len(corpus.data)} bytes, {corpus.messages} message(s){extra}")
    try:
        cls, queue = aiohttp_parser_class()
        log(f"# aiohttp: {cls.__module__}.{cls.__qualname__} (C), max_msg_queue_size={queue}")
    except ImportError as exc:
        log(f"# aiohttp: n/a ({exc})")

    cloop = CLoop(corpora)
    if cloop.problem:
        log(f"# c: n/a ({cloop.problem})")
    else:
        log(f"# c: bare llhttp from {LLHTTP_DIR}/{{include,src}}, built in {cloop.tmp}")
    started = time.perf_counter()
    try:
        for corpus in corpora:
            steps: dict[str, Callable[[], None]] = {}
            summaries: dict[str, Callable[[], Summary]] = {}
            for name, factory in PYTHON_PEERS.items():
                try:
                    step, summary = factory(corpus)
                except ImportError as exc:
                    log(f"# {corpus.name} {name}: n/a ({exc})")
                    continue
                problems = verify(name, corpus, summary)
                if problems:
                    # A peer that misparses must not be timed: it could look fast.
                    log(f"# {corpus.name} {name}: WRONG RESULT, not timed: {'; '.join(problems)}")
                    continue
                steps[name] = step
                summaries[name] = summary
            if not cloop.problem:
                problems = check_c(corpus, cloop.summary(corpus))
                if problems:
                    log(f"# {corpus.name} c: WRONG RESULT, not timed: {'; '.join(problems)}")
                else:
                    # Timed by cloop in its own process; the entry only reserves its turn.
                    steps["c"] = lambda: None

            iterations = {name: calibrate(step, seconds)
                          for name, step in steps.items() if name != "c"}
            rates: dict[str, list[float]] = {name: [] for name in steps}
            order = list(steps)
            for rep in range(runs):
                # Rotate the order so no peer always runs first (cold) or last.
                k = rep % len(order)
                for name in order[k:] + order[:k]:
                    if name == "c":
                        try:
                            rates[name].append(cloop.run(corpus, seconds))
                        except (subprocess.CalledProcessError, ValueError, IndexError) as exc:
                            log(f"# {corpus.name} c: run failed, dropped: {exc}")
                            order.remove("c")
                            rates.pop("c")
                            break
                    else:
                        n = iterations[name]
                        rates[name].append(n * corpus.messages / timed(steps[name], n))
            for name, summary in summaries.items():
                # The same parser object again, after every timed pass: a parser that
                # had fallen into an error state would have been timed doing nothing.
                problems = verify(name, corpus, summary)
                if problems:
                    log(f"# {corpus.name} {name}: WRONG RESULT after timing, dropped: "
                        f"{'; '.join(problems)}")
                    rates.pop(name)
            med: dict[str, float | None] = {
                name: (statistics.median(rates[name]) if name in rates else None)
                for name in ALL_PEERS
            }
            main_line = " ".join(f"{name}={fmt_rate(med[name])}" for name in MAIN_PEERS)
            print(f"corpus={corpus.name} {main_line} "
                  f"ratio_httptools={fmt_ratio(med['nodehttp'], med['httptools'])}", flush=True)
            print(f"corpus={corpus.name} httptools_bytes={fmt_rate(med['httptools_bytes'])} "
                  f"ratio_httptools_bytes={fmt_ratio(med['nodehttp'], med['httptools_bytes'])}",
                  flush=True)
            spread = " ".join(
                f"{name}={min(r) / statistics.median(r):.2f}-{max(r) / statistics.median(r):.2f}"
                for name, r in rates.items() if r)
            log(f"# {corpus.name} run spread (min-max / median): {spread}")
    finally:
        cloop.close()
        for loop in _LOOPS:
            loop.close()
    log(f"# {runs} runs of ~{seconds} s per peer and corpus; gc disabled during timed runs "
        f"for every peer; total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
