// 100-continue without a 'checkContinue' listener: the server answers 100 by itself and the client sends its body on 'continue'.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => {
    log('server', 'request', req.method, req.url, req.headers.expect);
    let body = '';
    req.on('data', (d) => { body += d.toString('latin1'); });
    req.on('end', () => {
      log('server', 'end', body);
      res.end(`got ${body}`);
    });
  });
  listen(server, (port) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/upload', agent: false,
      headers: { Expect: '100-continue', 'Content-Length': '5' },
    });
    req.on('continue', () => {
      log('client', 'continue');
      req.end('hello');
    });
    req.on('information', (info) => log('client', 'information', info.statusCode, info.statusMessage));
    req.on('response', (res) => {
      log('client', 'response', res.statusCode);
      let body = '';
      res.on('data', (d) => { body += d.toString('latin1'); });
      res.on('end', () => log('client', 'end', body));
    });
    req.on('close', () => {
      log('client', 'close');
      server.close(() => log('server', 'closed'));
    });
  });
});
