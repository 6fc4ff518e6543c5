// headersTimeout (100 ms, checked every 50 ms): a client that never finishes its headers gets 408 and the connection closes; one that finished its headers in time is answered.
'use strict';
const http = require('http');
const net = require('net');
const { listen, log, start } = require('./harness');

function raw(port, tag, data, done) {
  const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
  let got = '';
  socket.on('data', (d) => { got += d.toString('latin1'); });
  socket.on('end', () => {
    for (const line of got.split('\r\n')) log(tag, 'line', line);
  });
  socket.on('close', () => {
    log(tag, 'close');
    done();
  });
}

start(() => {
  const server = http.createServer({ headersTimeout: 100, requestTimeout: 1000, connectionsCheckingInterval: 50 },
    (req, res) => {
      log('server', 'request', req.url);
      res.sendDate = false;
      res.setHeader('Connection', 'close');
      res.end('in time');
    });
  server.on('timeout', () => log('server', 'timeout'));
  listen(server, (port) => {
    raw(port, 'slow', 'GET /slow HTTP/1.1\r\nHost: a\r\n', () => {
      raw(port, 'fast', 'GET /fast HTTP/1.1\r\nHost: a\r\n\r\n', () => server.close());
    });
  });
});
