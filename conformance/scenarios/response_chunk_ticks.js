// Ticks around a client response's body: the whole response in one packet, two chunks. The
// client's parser runs from JavaScript, so nothing drains between its callbacks; the body flows on
// a tick, and 'end' is scheduled before the last chunk's 'data' (Node's read()), so it comes
// between the ticks the two 'data' listeners queued.
'use strict';
const http = require('http');
const net = require('net');
const { listen, log, start } = require('./harness');

start(() => {
  const server = net.createServer((s) => {
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
      + '3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n'));
  });
  listen(server, (port) => {
    http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      log('client', 'response', res.complete);
      process.nextTick(() => log('client', 'tick-after-response', res.complete));
      res.on('data', (d) => {
        const text = d.toString('latin1');
        log('client', 'data', text, res.complete);
        process.nextTick(() => log('client', 'tick-after-data', text, res.complete));
      });
      res.on('end', () => {
        log('client', 'end');
        server.close();
      });
      res.on('close', () => log('client', 'res-close'));
    });
  });
});
