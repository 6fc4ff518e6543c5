// Backpressure on a request: before the socket connects a small write returns true and a 16 MiB one false; 'drain' comes once, then the request ends.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

const SIZE = 16 * 1024 * 1024;

start(() => {
  const server = http.createServer((req, res) => {
    let total = 0;
    req.on('data', (d) => { total += d.length; });
    req.on('end', () => res.end(String(total)));
  });
  listen(server, (port) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'PUT', agent: false,
      headers: { 'Content-Length': String(SIZE + 8) },
    }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d.toString('latin1'); });
      res.on('end', () => {
        log('client', 'response', res.statusCode, body, drains);
        server.close();
      });
    });
    let drains = 0;
    req.on('drain', () => {
      drains += 1;
      log('client', 'drain', drains);
      if (drains === 1) req.end('end');
    });
    req.on('finish', () => log('client', 'finish'));
    log('client', 'write-small', req.write('small'));
    log('client', 'write', req.write(Buffer.alloc(SIZE, 0x62)));
  });
});
