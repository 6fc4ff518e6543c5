// A client reads a response with 'readable' and read(): the server sends "abc", and "def" with the
// end only once the client, having read "abc", has finished its request. Ticks, 'complete' at each
// 'readable', 'end' and 'close' on the client's side.
'use strict';
const http = require('http');
const { deferred, listen, log, start } = require('./harness');

start(() => {
  const srv = deferred('server');
  const server = http.createServer((req, res) => {
    let got = '';
    res.write('abc');
    req.on('data', (d) => { got += d.toString('latin1'); });
    req.on('end', () => {
      srv('request-body', got);
      res.end('def');
      server.close();
    });
  });
  listen(server, (port) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/stream', agent: false }, (res) => {
      log('client', 'response', res.statusCode, res.complete);
      process.nextTick(() => log('client', 'tick-after-response'));
      res.on('readable', () => {
        log('client', 'readable', res.complete);
        let chunk;
        while ((chunk = res.read()) !== null) {
          const text = chunk.toString('latin1');
          log('client', 'read', text);
          if (text === 'abc') req.end('go');
        }
        log('client', 'read-null');
      });
      res.on('end', () => log('client', 'end', res.complete));
      res.on('close', () => log('client', 'res-close'));
    });
    req.on('close', () => log('client', 'req-close'));
    req.write('x');
  });
});
