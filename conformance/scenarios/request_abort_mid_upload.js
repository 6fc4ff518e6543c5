// The client destroys its request halfway through a Content-Length upload: the server's request sees 'aborted', 'error' (ECONNRESET "aborted") and 'close'.
'use strict';
const http = require('http');
const { err, listen, log, start } = require('./harness');

start(() => {
  let clientReq = null;
  const server = http.createServer((req, res) => {
    log('server', 'request', req.headers['content-length']);
    req.on('data', (d) => {
      log('server', 'data', d.toString('latin1'));
      clientReq.destroy();
    });
    req.on('aborted', () => log('server', 'aborted', req.complete));
    req.on('error', (e) => log('server', 'req-error', ...err(e)));
    req.on('end', () => log('server', 'end'));
    req.on('close', () => {
      log('server', 'req-close', req.destroyed);
      server.close();
    });
    res.on('close', () => log('server', 'res-close', res.headersSent));
  });
  listen(server, (port) => {
    clientReq = http.request({
      host: '127.0.0.1', port, method: 'POST', agent: false, headers: { 'Content-Length': '20' },
    });
    clientReq.on('error', (e) => log('client', 'error', ...err(e)));
    clientReq.on('close', () => log('client', 'close'));
    clientReq.write('first half');
  });
});
