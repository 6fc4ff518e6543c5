// Write callbacks against ticks, both ends: write(chunk, callback) without an encoding, a tick queued
// after it, then end(chunk, callback). Node corks the socket for the tick, so a write's callback
// comes after ticks queued meanwhile; end() uncorks at once, so its callback and 'finish' follow.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      log('server', 'write', res.write('a', () => log('server', 'write-callback')));
      process.nextTick(() => log('server', 'tick-after-write'));
      res.end('b', () => log('server', 'end-callback'));
      process.nextTick(() => log('server', 'tick-after-end'));
      res.on('finish', () => log('server', 'finish'));
      res.on('close', () => log('server', 'close'));
    });
  });
  listen(server, (port) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d.toString('latin1'); });
      res.on('end', () => {
        log('client', 'end', body);
        server.close();
      });
    });
    log('client', 'write', req.write('x', () => log('client', 'write-callback')));
    process.nextTick(() => log('client', 'tick-after-write'));
    req.end('y', () => log('client', 'end-callback'));
    req.on('finish', () => log('client', 'finish'));
    req.on('socket', () => log('client', 'socket'));
    req.on('close', () => log('client', 'close'));
  });
});
