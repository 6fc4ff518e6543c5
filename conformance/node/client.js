'use strict';
// The client category's reference half: Node's http client against the harness's raw
// peer. Reads {"case", "port"} JSON lines on stdin, makes each case's request (agent:
// false, so Connection: close) one at a time, and writes one {"id", "log"} line per case.
// Keep in step with conformance/py_client.py: the same events, in the same schema.
const http = require('http');
const readline = require('readline');

const CASE_TIMEOUT_MS = 1500;  // conformance.client_category.DRIVER_TIMEOUT_S
const GRACE_MS = 30;           // conformance.client_category.DRIVER_GRACE_S

const queue = [];
let busy = false;

function runCase(c, port, done) {
  const log = [];
  let body = '';
  let res = null;
  let reqClosed = false;
  let resClosed = false;
  let finished = false;
  let graceTimer = null;
  let req = null;
  const flush = () => {
    if (body) {
      log.push(['body', body]);
      body = '';
    }
  };
  const finish = (extra) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    flush();
    if (extra) log.push(extra);
    if (req && extra) req.destroy();
    done(log);
  };
  const check = () => {
    if (!finished && graceTimer === null && reqClosed && (res === null || resClosed)) {
      graceTimer = setTimeout(() => finish(null), GRACE_MS);
    }
  };
  const ev = (...e) => {
    if (finished) return;
    flush();
    log.push(e);
  };
  const timer = setTimeout(() => finish(['driver-timeout']), CASE_TIMEOUT_MS);
  const r = c.request;
  const options = {host: '127.0.0.1', port, method: r.method, path: r.path, agent: false};
  if (r.headers.length) {
    options.headers = {};
    for (const [k, v] of r.headers) options.headers[k] = v;
  }
  try {
    req = http.request(options);
  } catch (e) {
    ev('throw', e.code === undefined ? null : e.code, e.message);
    finish(null);
    return;
  }
  req.on('response', (m) => {
    res = m;
    ev('response', m.statusCode, m.statusMessage, m.httpVersion, m.rawHeaders);
    m.on('data', (d) => {
      if (!finished) body += d.toString('latin1');
    });
    m.on('end', () => ev('end', m.rawTrailers));
    m.on('aborted', () => ev('aborted'));
    m.on('error', (e) => ev('res-error', e.code === undefined ? null : e.code, e.message));
    m.on('close', () => {
      ev('res-close');
      resClosed = true;
      check();
    });
  });
  req.on('information', (i) => ev('information', i.statusCode, i.statusMessage, i.httpVersion,
                                  i.rawHeaders));
  req.on('continue', () => ev('continue'));
  req.on('error', (e) => ev('error', e.code === undefined ? null : e.code, e.message));
  req.on('close', () => {
    ev('close');
    reqClosed = true;
    check();
  });
  if (r.body === null) req.end();
  else req.end(Buffer.from(r.body, 'latin1'));
}

function next() {
  if (busy || !queue.length) return;
  busy = true;
  const item = queue.shift();
  runCase(item.case, item.port, (log) => {
    process.stdout.write(JSON.stringify({id: item.case.id, log}) + '\n');
    busy = false;
    next();
  });
}

readline.createInterface({input: process.stdin}).on('line', (line) => {
  if (!line.trim()) return;
  queue.push(JSON.parse(line));
  next();
});
