// The client destroys its request while the response body streams: its events, then (logged apart, as they come from the other end) the server's.
'use strict';
const http = require('http');
const { deferred, err, listen, log, start } = require('./harness');

start(() => {
  const serverLog = deferred('server');
  const server = http.createServer((req, res) => {
    req.on('close', () => serverLog('req-close', req.complete));
    req.on('aborted', () => serverLog('req-aborted'));
    req.on('error', (e) => serverLog('req-error', ...err(e)));
    res.on('close', () => {
      serverLog('res-close', res.writableEnded, res.writableFinished);
      server.close();
    });
    res.on('finish', () => serverLog('finish'));
    res.on('error', (e) => serverLog('res-error', ...err(e)));
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('first part;');
  });
  listen(server, (port) => {
    const req = http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      log('client', 'response', res.statusCode, res.headers['transfer-encoding']);
      res.on('data', (d) => {
        log('client', 'data', d.toString('latin1'));
        req.destroy();
        log('client', 'destroyed', req.destroyed, res.destroyed, res.complete);
      });
      res.on('aborted', () => log('client', 'res-aborted'));
      res.on('error', (e) => log('client', 'res-error', ...err(e)));
      res.on('end', () => log('client', 'res-end'));
      res.on('close', () => log('client', 'res-close'));
    });
    req.on('error', (e) => log('client', 'error', ...err(e)));
    req.on('close', () => log('client', 'close'));
  });
});
