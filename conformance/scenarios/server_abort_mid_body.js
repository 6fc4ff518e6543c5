// The server destroys its response mid-body: the client sees 'aborted', the response's 'error' (ECONNRESET "aborted") and the closes.
'use strict';
const http = require('http');
const { deferred, err, listen, log, start } = require('./harness');

start(() => {
  const serverLog = deferred('server');
  const server = http.createServer((req, res) => {
    res.on('close', () => serverLog('res-close', res.writableEnded, res.destroyed));
    res.on('error', (e) => serverLog('res-error', ...err(e)));
    req.on('close', () => serverLog('req-close'));
    res.writeHead(200, { 'Content-Length': '100' });
    res.write('0123456789', () => {
      serverLog('written');
      res.destroy();
      server.close();
    });
  });
  listen(server, (port) => {
    const req = http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      log('client', 'response', res.statusCode);
      let body = '';
      res.on('data', (d) => { body += d.toString('latin1'); });
      res.on('aborted', () => log('client', 'aborted', body, res.complete));
      res.on('error', (e) => log('client', 'res-error', ...err(e)));
      res.on('end', () => log('client', 'end'));
      res.on('close', () => log('client', 'res-close'));
    });
    req.on('error', (e) => log('client', 'error', ...err(e)));
    req.on('close', () => log('client', 'close'));
  });
});
