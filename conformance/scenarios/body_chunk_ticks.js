// Ticks between body chunks on the server: two pipelined POSTs in one write, one with a chunked body
// of two chunks. A tick queued in 'data' runs before the parser goes on (Node's parser hands each
// chunk over with a callback that drains the tick queue), so it sees the message not yet complete;
// the head and the message's end do not drain it, so the second request comes before the first's 'end'.
'use strict';
const http = require('http');
const { listen, log, sendRaw, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => {
    const url = req.url;
    log('server', 'request', url);
    process.nextTick(() => log('server', 'tick-after-request', url, req.complete));
    req.on('data', (d) => {
      const text = d.toString('latin1');
      log('server', 'data', url, text, req.complete);
      process.nextTick(() => log('server', 'tick-after-data', url, text, req.complete));
    });
    req.on('end', () => {
      log('server', 'end', url, req.complete);
      res.end('ok');
    });
  });
  listen(server, (port) => sendRaw(port,
    'POST /1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n'
      + 'POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\nxyz',
    () => server.close()));
});
