// Writing to a finished response: 'error' ERR_STREAM_WRITE_AFTER_END while it is open; after its 'close' (destroyed) only a write callback hears of it.
'use strict';
const http = require('http');
const { err, listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => {
    res.on('error', (e) => log('server', 'res-error', ...err(e)));
    res.on('finish', () => log('server', 'finish'));
    res.end('body');
    log('server', 'end-again', res.end('more') === res);
    log('server', 'write', res.write('x', (e) => log('server', 'write-cb', ...err(e))));
    res.on('close', () => {
      log('server', 'close', res.destroyed);
      log('server', 'late-write', res.write('late', (e) => log('server', 'late-write-cb', ...err(e))));
      res.end('later');
      process.nextTick(() => log('server', 'tick'));
    });
  });
  listen(server, (port) => {
    http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d.toString('latin1'); });
      res.on('end', () => {
        log('client', 'end', body);
        server.close();
      });
    });
  });
});
