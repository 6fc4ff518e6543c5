// 100-continue with a 'checkContinue' listener: no 'request' event; the listener sends 100 with writeContinue, then answers.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer(() => log('server', 'request'));
  server.on('checkContinue', (req, res) => {
    log('server', 'checkContinue', req.method, req.headers.expect);
    res.writeContinue(() => log('server', 'continue-written'));
    let body = '';
    req.on('data', (d) => { body += d.toString('latin1'); });
    req.on('end', () => {
      log('server', 'end', body);
      res.writeHead(201, { 'Content-Type': 'text/plain' });
      res.end(body.toUpperCase());
    });
  });
  listen(server, (port) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'PUT', path: '/c', agent: false,
      headers: { Expect: '100-continue', 'Content-Length': '4' },
    });
    req.on('continue', () => {
      log('client', 'continue');
      req.write('ab');
      req.end('cd');
    });
    req.on('finish', () => log('client', 'finish'));
    req.on('response', (res) => {
      log('client', 'response', res.statusCode, res.headers['content-type']);
      let body = '';
      res.on('data', (d) => { body += d.toString('latin1'); });
      res.on('end', () => log('client', 'end', body));
      res.on('close', () => log('client', 'res-close'));
    });
    req.on('close', () => {
      log('client', 'close');
      server.close(() => log('server', 'closed'));
    });
  });
});
