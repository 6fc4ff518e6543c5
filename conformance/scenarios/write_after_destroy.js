// Writing to a destroyed response: write() returns false and only its callback hears of it
// (ERR_STREAM_DESTROYED, on a tick, no 'error'); end()'s callback never comes.
'use strict';
const http = require('http');
const { err, listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => {
    res.on('error', (e) => log('server', 'error', err(e)));
    res.destroy();
    log('server', 'write', res.write('x', (e) => log('server', 'write-callback', err(e))), res.destroyed);
    res.end('y', (e) => log('server', 'end-callback', err(e)));
    log('server', 'ended', res.finished, res.writableEnded);
    process.nextTick(() => log('server', 'tick'));
  });
  listen(server, (port) => {
    const req = http.get({ host: '127.0.0.1', port, agent: false });
    req.on('error', (e) => {
      log('client', 'error', err(e));
      server.close();
    });
  });
});
