// 100-continue refused: the 'checkContinue' listener answers 417 without writeContinue, so the client never sends its body.
'use strict';
const http = require('http');
const { err, listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer(() => log('server', 'request'));
  server.on('checkContinue', (req, res) => {
    log('server', 'checkContinue', req.url);
    req.on('close', () => log('server', 'req-close', req.complete));
    res.on('finish', () => log('server', 'finish'));
    res.on('close', () => log('server', 'res-close'));
    res.writeHead(417, { 'Content-Length': '4' });
    res.end('nope');
  });
  listen(server, (port) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/big', agent: false,
      headers: { Expect: '100-continue', 'Content-Length': '1000' },
    });
    req.on('continue', () => log('client', 'continue'));
    req.on('error', (e) => log('client', 'error', ...err(e)));
    req.on('response', (res) => {
      log('client', 'response', res.statusCode, res.headers.connection);
      let body = '';
      res.on('data', (d) => { body += d.toString('latin1'); });
      res.on('end', () => {
        log('client', 'end', body);
        req.destroy();
      });
    });
    req.on('close', () => {
      log('client', 'close');
      server.close(() => log('server', 'closed'));
    });
  });
});
