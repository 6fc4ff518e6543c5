// The client destroys the response (not the request) mid-body: the socket goes, and the events are those of a response torn down by its reader.
'use strict';
const http = require('http');
const { deferred, err, listen, log, start } = require('./harness');

start(() => {
  const serverLog = deferred('server');
  const server = http.createServer((req, res) => {
    res.on('close', () => {
      serverLog('res-close', res.writableEnded);
      server.close();
    });
    res.write('chunk one;');
  });
  listen(server, (port) => {
    const req = http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      log('client', 'response', res.statusCode);
      res.once('data', (d) => {
        log('client', 'data', d.toString('latin1'));
        res.destroy();
        log('client', 'destroyed', res.destroyed, req.destroyed);
      });
      res.on('aborted', () => log('client', 'aborted'));
      res.on('error', (e) => log('client', 'res-error', ...err(e)));
      res.on('end', () => log('client', 'end'));
      res.on('close', () => log('client', 'res-close', res.aborted));
    });
    req.on('error', (e) => log('client', 'error', ...err(e)));
    req.on('close', () => log('client', 'close'));
  });
});
