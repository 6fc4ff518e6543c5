'use strict';
// The reference half of the server category: Node's own http.Server, with the handler
// that conformance/py_server.py writes for nodehttp. Keep the two in step, line for line.
//
// argv[2]: a JSON list of server configurations (see conformance/server_category.py).
// One server per configuration listens on 127.0.0.1, port 0; once all listen, stdout
// gets one line {"ports": [...]}, in the order of the list. Later stdout lines are
// events the client attaches to its case by the connection's port:
// {"peer": remotePort, "event": "handler-error", "detail": "..."}.
// The process exits when stdin ends, so it never outlives the client that started it.

const http = require('http');

const configs = JSON.parse(process.argv[2]);

function event(socket, kind, detail) {
  const peer = socket && socket.remotePort !== undefined ? socket.remotePort : null;
  process.stdout.write(JSON.stringify({ peer, event: kind, detail }) + '\n');
}

// A listener that throws would end the process (Node's uncaught exception) and every
// later case with it; the error is reported against the case's connection instead.
function guarded(socket, fn) {
  return (...args) => {
    try {
      fn(...args);
    } catch (e) {
      // Node's error code where there is one: class names differ between the languages.
      const kind = e && e.code !== undefined ? e.code : e && e.name;
      event(socket, 'handler-error', `${kind}: ${e && e.message}`);
      if (socket) socket.destroy();
    }
  };
}

// [name, value] pairs sorted by name: a JSON object would put integer-like names first.
function sortedPairs(obj) {
  return Object.keys(obj).sort().map((k) => [k, obj[k]]);
}

// What the server parsed, as UTF-8 JSON. Keys are written in sorted order, as the
// Python half inserts them; header text is latin-1, so every char is below U+0100.
function echo(req, body) {
  return Buffer.from(JSON.stringify({
    body: body === null ? null : body.toString('latin1'),
    headers: sortedPairs(req.headers),
    headersDistinct: sortedPairs(req.headersDistinct),
    method: req.method,
    rawHeaders: req.rawHeaders,
    rawTrailers: req.rawTrailers,
    trailers: sortedPairs(req.trailers),
    url: req.url,
    version: req.httpVersion,
  }), 'utf8');
}

// The response shapes a request picks with its X-Shape header.
const SHAPES = {
  'content-length': (req, res, b) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(b);
  },
  'chunked': (req, res, b) => {
    res.setHeader('Content-Type', 'application/json');
    res.write(b);
    res.end();
  },
  'chunked-pieces': (req, res, b) => {
    const half = b.length >> 1;
    res.write(b.subarray(0, half));
    res.write('');
    res.end(b.subarray(half));
  },
  'trailers': (req, res, b) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Trailer': 'X-Body-Length' });
    res.write(b);
    res.addTrailers({ 'X-Body-Length': String(b.length) });
    res.end();
  },
  'trailers-array': (req, res, b) => {
    res.write(b);
    res.addTrailers([['X-T', '1'], ['x-t', '2']]);
    res.end();
  },
  'custom-reason': (req, res, b) => {
    res.writeHead(299, 'Custom Reason', { 'X-Reason': 'yes' });
    res.end(b);
  },
  'status-message': (req, res, b) => {
    res.statusCode = 404;
    res.statusMessage = 'Not Here';
    res.end(b);
  },
  'unknown-status': (req, res, b) => {
    res.writeHead(599);
    res.end(b);
  },
  '204': (req, res, b) => {
    res.writeHead(204);
    res.end();
  },
  '204-body': (req, res, b) => {
    res.statusCode = 204;
    res.end(b);
  },
  '304': (req, res, b) => {
    res.writeHead(304, { 'ETag': '"e"' });
    res.end();
  },
  '304-write': (req, res, b) => {
    res.statusCode = 304;
    res.write(b);
    res.end();
  },
  'set-cookie-array': (req, res, b) => {
    res.setHeader('Set-Cookie', ['a=1', 'b=2; Path=/']);
    res.end(b);
  },
  'multi-value': (req, res, b) => {
    res.setHeader('X-Multi', ['a', 'b']);
    res.appendHeader('X-Multi', 'c');
    res.appendHeader('X-Appended', 'd');
    res.end(b);
  },
  'latin1-header': (req, res, b) => {
    res.setHeader('X-Latin', 'caf\u00e9 \u00ff');
    res.end(b);
  },
  'numeric-header': (req, res, b) => {
    res.setHeader('X-Num', 42);
    res.end(b);
  },
  'write-head-array': (req, res, b) => {
    res.writeHead(200, ['X-A', '1', 'x-a', '2', 'Content-Type', 'application/json']);
    res.end(b);
  },
  'write-head-object': (req, res, b) => {
    res.writeHead(201, { 'X-Obj': 'v', 'Content-Type': 'application/json' });
    res.end(b);
  },
  'write-head-merge': (req, res, b) => {
    res.setHeader('X-Set', 'a');
    res.setHeader('X-Both', 'set');
    res.writeHead(200, { 'X-Both': 'head' });
    res.end(b);
  },
  'early-hints': (req, res, b) => {
    res.writeEarlyHints({ 'link': '</a.css>; rel=preload' });
    res.end(b);
  },
  'early-hints-multi': (req, res, b) => {
    res.writeEarlyHints({
      'link': ['</a.css>; rel=preload', '</b.js>; rel=preload'],
      'x-trace': 'abc',
    });
    res.end(b);
  },
  'processing': (req, res, b) => {
    res.writeProcessing();
    res.end(b);
  },
  'continue': (req, res, b) => {
    res.writeContinue();
    res.end(b);
  },
  'no-body': (req, res, b) => {
    res.end();
  },
  'empty-write': (req, res, b) => {
    res.write('');
    res.end();
  },
  'explicit-length': (req, res, b) => {
    res.setHeader('Content-Length', String(b.length));
    res.write(b);
    res.end();
  },
  'explicit-te': (req, res, b) => {
    res.setHeader('Transfer-Encoding', 'chunked');
    res.write(b);
    res.end();
  },
  'connection-close': (req, res, b) => {
    res.setHeader('Connection', 'close');
    res.end(b);
  },
  'connection-keep-alive': (req, res, b) => {
    res.setHeader('Connection', 'keep-alive');
    res.end(b);
  },
  'no-date': (req, res, b) => {
    res.sendDate = false;
    res.end(b);
  },
  'remove-header': (req, res, b) => {
    res.setHeader('X-Gone', '1');
    res.removeHeader('X-Gone');
    res.removeHeader('Date');
    res.end(b);
  },
  'flush-headers': (req, res, b) => {
    res.flushHeaders();
    res.end(b);
  },
};

// Shapes that answer at once, without reading the body (the server then discards it).
const EARLY = {
  'dump': (req, res) => res.end('not read'),
  'destroy': (req, res) => res.destroy(),
};

function onRequest(req, res) {
  const socket = req.socket;
  const shape = req.headers['x-shape'];
  if (Object.hasOwn(EARLY, shape)) {
    guarded(socket, EARLY[shape])(req, res);
    return;
  }
  const respond = Object.hasOwn(SHAPES, shape) ? SHAPES[shape] : SHAPES['content-length'];
  const parts = [];
  req.on('data', guarded(socket, (d) => parts.push(d)));
  req.on('end', guarded(socket, () => respond(req, res, echo(req, Buffer.concat(parts)))));
}

const TUNNEL_REPLY = {
  upgrade: 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n',
  connect: 'HTTP/1.1 200 Connection Established\r\n\r\n',
};

function tunnel(kind) {
  return (req, socket, head) => guarded(socket, () => {
    socket.end(Buffer.concat([Buffer.from(TUNNEL_REPLY[kind], 'latin1'), echo(req, null),
                              Buffer.from('\n|', 'latin1'), head]));
  })();
}

function onClientError(err, socket) {
  guarded(socket, () => {
    const info = Buffer.from(JSON.stringify({
      bytesParsed: err.bytesParsed === undefined ? null : err.bytesParsed,
      code: err.code === undefined ? null : err.code,
      message: err.message,
      rawPacket: err.rawPacket ? err.rawPacket.toString('latin1') : null,
      reason: err.reason === undefined ? null : err.reason,
    }), 'utf8');
    if (socket.writable) {
      socket.end(Buffer.concat([
        Buffer.from('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nX-Client-Error: 1\r\n\r\n',
                    'latin1'), info]));
    } else {
      socket.destroy();
    }
  })();
}

const CONTINUE = {
  // Send 100 Continue, then answer as any request.
  continue: (req, res) => {
    res.writeContinue();
    onRequest(req, res);
  },
  // Refuse the body.
  reject: (req, res) => {
    res.writeHead(417, { 'X-Rejected': '1' });
    res.end();
  },
  // Answer without a 100 Continue (the client sends its body anyway).
  silent: (req, res) => onRequest(req, res),
};

function makeServer(c) {
  const options = {};
  if (c.max_header_size !== null) options.maxHeaderSize = c.max_header_size;
  if (c.insecure_http_parser) options.insecureHTTPParser = true;
  if (!c.require_host_header) options.requireHostHeader = false;
  if (c.join_duplicate_headers) options.joinDuplicateHeaders = true;
  const server = http.createServer(options, onRequest);
  if (c.max_headers_count !== null) server.maxHeadersCount = c.max_headers_count;
  if (c.max_requests_per_socket !== null) server.maxRequestsPerSocket = c.max_requests_per_socket;
  if (c.upgrade) server.on('upgrade', tunnel('upgrade'));
  if (c.connect) server.on('connect', tunnel('connect'));
  if (c.client_error) server.on('clientError', onClientError);
  if (c.check_continue !== null) {
    const listener = CONTINUE[c.check_continue];
    server.on('checkContinue', (req, res) => guarded(req.socket, listener)(req, res));
  }
  if (c.check_expectation) {
    server.on('checkExpectation', (req, res) => guarded(req.socket, () => {
      res.setHeader('X-Expectation', String(req.headers.expect));
      onRequest(req, res);
    })());
  }
  return server;
}

const ports = new Array(configs.length).fill(null);
let listening = 0;
configs.forEach((c, i) => {
  const server = makeServer(c);
  server.listen(0, '127.0.0.1', () => {
    ports[i] = server.address().port;
    if (++listening === configs.length) {
      process.stdout.write(JSON.stringify({ ports }) + '\n');
    }
  });
});

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
