// Pipelining: three requests in one write; the first is answered last, yet the responses leave in request order and 'Connection: close' on the third ends the connection.
'use strict';
const http = require('http');
const net = require('net');
const { listen, log, start } = require('./harness');

start(() => {
  let slow = null;
  const server = http.createServer((req, res) => {
    log('server', 'request', req.url, req.headers.connection || null);
    res.sendDate = false;
    res.on('finish', () => log('server', 'finish', req.url));
    if (req.url === '/slow') slow = res;
    else res.end(`body of ${req.url}`);
    if (req.url === '/last') slow.end('slow body');
  });
  listen(server, (port) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n'
        + 'GET /fast HTTP/1.1\r\nHost: a\r\n\r\n'
        + 'GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    });
    let got = '';
    socket.on('data', (d) => { got += d.toString('latin1'); });
    socket.on('end', () => {
      for (const line of got.split('\r\n')) log('client', 'line', line);
    });
    socket.on('close', () => server.close());
  });
});
