'use strict';
// The reference half of the parser category: Node's own parser binding, driven the
// way lib/_http_common.js, lib/_http_server.js and lib/_http_client.js drive it.
//
// stdin: one case per line (JSON); stdout: one {"id", "log"} line per case, in order.
// Run with --expose-internals: the method index Node passes to kOnHeadersComplete is
// llhttp's method id, which lib/_http_common.js looks up in the binding's allMethods.
// The public `methods` list lacks PRI and the RTSP methods, so its indices differ.

const readline = require('readline');
const { HTTPParser } = require('_http_common');
const { internalBinding } = require('internal/test/binding');
const { allMethods } = internalBinding('http_parser');

const kOnHeaders = HTTPParser.kOnHeaders;
const kOnHeadersComplete = HTTPParser.kOnHeadersComplete;
const kOnBody = HTTPParser.kOnBody;
const kOnMessageComplete = HTTPParser.kOnMessageComplete;

// Node computes bytesParsed as llhttp_get_error_pos() - data. When llhttp set no error
// position (execute on a paused parser; finish(), where data is NULL) that is pointer
// arithmetic on NULL: an address-derived number that changes from run to run. Such a
// value is logged as "out-of-range", so reports stay stable; it is never a byte count.
function errorOf(e, length) {
  const n = e.bytesParsed;
  const bytesParsed = Number.isInteger(n) && n >= 0 && n <= length ? n : 'out-of-range';
  return { code: e.code, reason: e.reason, bytesParsed };
}

// The skip-body answer of Node's server (parserOnIncoming) and client
// (parserOnIncomingClient). A server says 2 only when it takes the upgrade.
function skipBodyAnswer(c, method, statusCode, upgrade) {
  if (c.type === 'request') {
    if (upgrade && (method === 'CONNECT' || c.upgrade_listener)) return 2;
    return 0;
  }
  if (upgrade) return 2;
  if (c.request_method === 'CONNECT') return 2;
  if (statusCode >= 100 && statusCode < 200) return 1;
  if (c.request_method === 'HEAD') return 1;
  if (statusCode === 304) return 1;
  return 0;
}

function runCase(c) {
  const log = [];
  const parser = new HTTPParser();
  const type = c.type === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE;
  parser.initialize(type, {}, c.max_header_size, c.lenient);

  // What parserOnHeaders accumulates (parser._headers, parser._url): header batches
  // flushed before headers complete (beyond 31 pairs) or at message complete
  // (trailers), and URL pieces. parser.maxHeaderPairs is left out (0, no cap): that
  // cap is the server's and client's maxHeadersCount, for those categories.
  let pendingHeaders = [];
  let pendingUrl = '';

  parser[kOnHeaders] = (headers, url) => {
    pendingHeaders.push(...headers);
    pendingUrl += url;
  };
  parser[kOnHeadersComplete] = (major, minor, headers, method, url, statusCode,
                                statusMessage, upgrade, keepAlive) => {
    if (headers === undefined) {
      headers = pendingHeaders;
      pendingHeaders = [];
    }
    if (url === undefined) {
      url = pendingUrl;
      pendingUrl = '';
    }
    const methodName = method === undefined ? null : allMethods[method];
    const isRequest = c.type === 'request';
    log.push(['headers', major, minor, headers.slice(), methodName,
              isRequest ? url : null,
              statusCode === undefined ? null : statusCode,
              statusMessage === undefined ? null : statusMessage,
              upgrade, keepAlive]);
    return skipBodyAnswer(c, methodName, statusCode, upgrade);
  };
  parser[kOnBody] = (buf) => {
    log.push(['body', buf.latin1Slice(0, buf.length)]);
  };
  parser[kOnMessageComplete] = () => {
    // As parserOnMessageComplete: only a non-empty trailer batch resets the URL pieces,
    // so a flush with no pairs leaves them for the next message.
    // The log holds a copy: when no trailers came, pendingHeaders lives on and the next
    // message's flushed headers would otherwise show up here when the log is written.
    const trailers = pendingHeaders.slice();
    if (pendingHeaders.length) {
      pendingHeaders = [];
      pendingUrl = '';
    }
    log.push(['complete', trailers]);
  };

  let stopped = false;
  for (let i = 0; i < c.chunks.length; i++) {
    if (c.pause_before === i) parser.pause();
    const buf = Buffer.from(c.chunks[i], 'latin1');
    const ret = parser.execute(buf);
    if (ret instanceof Error) {
      log.push(['execute', errorOf(ret, buf.length)]);
      stopped = true;
      break;
    }
    log.push(['execute', ret]);
    if (ret < buf.length) {  // the rest belongs to the upgraded protocol
      stopped = true;
      break;
    }
  }
  if (c.finish && !stopped) {
    const ret = parser.finish();
    log.push(['finish', ret instanceof Error ? errorOf(ret, 0) : null]);
  }
  parser.close();
  return log;
}

// One result line per case, each handed to the kernel before the next case starts: the
// runner watches the output to tell which case hangs, and a write still queued in
// libuv when a case blocks the event loop would never arrive.
function writeLine(text) {
  return new Promise((resolve, reject) => {
    process.stdout.write(text + '\n', (err) => (err ? reject(err) : resolve()));
  });
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const c = JSON.parse(line);
    let log;
    try {
      log = runCase(c);
    } catch (e) {
      log = [['exception', String(e && e.stack || e)]];
    }
    await writeLine(JSON.stringify({ id: c.id, log }));
  }
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exitCode = 1;
});
