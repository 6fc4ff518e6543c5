// A server reads request bodies with 'readable' and read(): a GET, a POST whose body comes in two
// parts (the second sent once the server has answered the first), and the same with a 'data'
// listener too. Ticks after each chunk, 'complete' at each 'readable', 'end' and 'close'.
'use strict';
const http = require('http');
const { deferred, listen, log, start } = require('./harness');

start(() => {
  const client = deferred('client');
  const server = http.createServer((req, res) => {
    const url = req.url;
    log('server', 'request', req.method, url);
    if (url === '/both') req.on('data', (d) => log('server', 'data', url, d.toString('latin1')));
    req.on('readable', () => {
      log('server', 'readable', url, req.complete);
      let chunk;
      while ((chunk = req.read()) !== null) {
        const text = chunk.toString('latin1');
        log('server', 'read', url, text);
        if (text === 'abc') res.write('got abc');
      }
      log('server', 'read-null', url);
    });
    req.on('end', () => {
      log('server', 'end', url, req.complete);
      res.end('done');
    });
    req.on('close', () => log('server', 'req-close', url));
    res.on('finish', () => log('server', 'finish', url));
    process.nextTick(() => log('server', 'tick-after-request', url));
  });
  listen(server, (port) => {
    const paths = ['/get', '/post', '/both'];
    const next = () => {
      const path = paths.shift();
      if (path === undefined) {
        server.close();
        return;
      }
      const method = path === '/get' ? 'GET' : 'POST';
      const req = http.request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d.toString('latin1');
          if (method === 'POST' && body === 'got abc') req.end('def');
        });
        res.on('end', () => {
          client('response', path, res.statusCode, body);
          next();
        });
      });
      if (method === 'GET') req.end();
      else req.write('abc');
    };
    next();
  });
});
