// The whole event sequence of one POST, both ends: socket, connection, request, data, end, finish, response, close.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => {
    log('server', 'request', req.method, req.url, req.httpVersion, req.headers['content-length']);
    req.on('data', (d) => log('server', 'data', d.toString('latin1')));
    req.on('end', () => {
      log('server', 'end', req.complete);
      res.setHeader('X-Echo', 'yes');
      res.end('thanks');
    });
    req.on('close', () => log('server', 'req-close'));
    res.on('finish', () => log('server', 'finish', res.writableFinished));
    res.on('close', () => log('server', 'res-close'));
  });
  server.on('connection', () => log('server', 'connection'));
  listen(server, (port) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/form', agent: false,
      headers: { 'Content-Type': 'text/plain' },
    }, (res) => {
      log('client', 'response', res.statusCode, res.headers['x-echo'], res.headers.connection);
      res.on('data', (d) => log('client', 'data', d.toString('latin1')));
      res.on('end', () => log('client', 'end', res.complete));
      res.on('close', () => {
        log('client', 'res-close');
        server.close();
      });
    });
    req.on('socket', () => log('client', 'socket'));
    req.on('finish', () => log('client', 'finish'));
    req.on('close', () => log('client', 'close'));
    req.end('name=value');
    log('client', 'ended', req.writableEnded, req.writableFinished);
  });
});
