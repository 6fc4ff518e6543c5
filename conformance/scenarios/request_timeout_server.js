// requestTimeout (200 ms, checked every 50 ms): a request whose body never completes is cut off; with a 'clientError' listener the server sees ERR_HTTP_REQUEST_TIMEOUT, answers and destroys the socket itself.
'use strict';
const http = require('http');
const net = require('net');
const { deferred, err, listen, log, start } = require('./harness');

start(() => {
  const serverLog = deferred('server');
  const server = http.createServer({ headersTimeout: 100, requestTimeout: 200, connectionsCheckingInterval: 50 },
    (req, res) => {
      serverLog('request', req.url, req.headers['content-length']);
      req.on('data', (d) => serverLog('data', d.toString('latin1')));
      req.on('aborted', () => serverLog('aborted'));
      req.on('close', () => serverLog('req-close'));
    });
  server.on('clientError', (e, socket) => {
    serverLog('clientError', ...err(e), socket.writable);
    socket.write('HTTP/1.1 408 Request Timeout\r\nX-Why: too slow\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });
  listen(server, (port) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhalf');
    });
    let got = '';
    socket.on('data', (d) => { got += d.toString('latin1'); });
    socket.on('end', () => {
      for (const line of got.split('\r\n')) log('client', 'line', line);
    });
    socket.on('close', () => {
      log('client', 'close');
      server.close();
    });
  });
});
