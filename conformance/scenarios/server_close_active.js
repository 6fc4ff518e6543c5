// server.close() while a request is in flight: no new connections are accepted, the busy connection finishes its response, and the close callback comes after (logged apart: Node runs it when the connection is destroyed, before its 'close').
'use strict';
const http = require('http');
const { deferred, err, listen, log, start } = require('./harness');

start(() => {
  const closeLog = deferred('server');
  const server = http.createServer((req, res) => {
    log('server', 'request', req.url);
    server.close((e) => closeLog('closed', e ? e.code : null));
    log('server', 'listening', server.listening);
    // A moment later, not in the same tick: on trio nodehttp's listening socket closes on
    // the next scheduling step, and a connection in between is reset rather than refused.
    setTimeout(() => {
      const late = http.get({ host: '127.0.0.1', port, path: '/late', agent: false });
      late.on('error', (e) => {
        log('late', 'error', e.code);
        res.end('finished anyway');
      });
    }, 50);
  });
  let port = 0;
  listen(server, (p) => {
    port = p;
    http.get({ host: '127.0.0.1', port, path: '/busy', agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d.toString('latin1'); });
      res.on('end', () => log('client', 'end', res.statusCode, body));
    }).on('error', (e) => log('client', 'error', ...err(e)));
  });
});
