// Backpressure on a response: a 16 MiB write returns false, 'drain' follows once the client has read enough, and the server ends then.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

const SIZE = 16 * 1024 * 1024;

start(() => {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Length': String(SIZE + 4) });
    let drains = 0;
    res.on('drain', () => {
      drains += 1;
      log('server', 'drain', drains);
      if (drains === 1) log('server', 'write-tail', res.end('tail') === res);
    });
    res.on('finish', () => log('server', 'finish', drains));
    log('server', 'write', res.write(Buffer.alloc(SIZE, 0x61)));
  });
  listen(server, (port) => {
    http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      let total = 0;
      let tail = '';
      res.on('data', (d) => {
        total += d.length;
        tail = (tail + d.toString('latin1')).slice(-6);
      });
      res.on('end', () => {
        log('client', 'end', total, tail);
        server.close();
      });
    });
  });
});
