// A 'readable' listener that never reads, removed later: the stream stays paused until then, and
// the 'data' listener it was holding back gets the body on the tick after the removal.
'use strict';
const http = require('http');
const { listen, log, sendRaw, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => {
    const onReadable = () => log('server', 'readable', req.complete);
    req.on('readable', onReadable);
    req.on('data', (d) => log('server', 'data', d.toString('latin1')));
    req.on('end', () => {
      log('server', 'end');
      res.end('ok');
    });
    setTimeout(() => {
      log('server', 'remove', req.isPaused());
      req.removeListener('readable', onReadable);
      process.nextTick(() => log('server', 'tick-after-remove', req.isPaused()));
    }, 20);
  });
  listen(server, (port) => sendRaw(port,
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nConnection: close\r\n\r\nabcdef',
    () => server.close()));
});
