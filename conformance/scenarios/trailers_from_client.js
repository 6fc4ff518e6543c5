// Trailers from the client: a chunked POST with addTrailers; the server reads rawTrailers and trailers after 'end'.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => {
    log('server', 'request', req.headers['transfer-encoding'], req.headers.trailer);
    let body = '';
    req.on('data', (d) => { body += d.toString('latin1'); });
    req.on('end', () => {
      log('server', 'end', body, req.rawTrailers, req.trailers);
      res.end();
    });
  });
  listen(server, (port) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', agent: false, headers: { Trailer: 'X-Check' },
    }, (res) => {
      log('client', 'response', res.statusCode);
      res.resume();
      res.on('end', () => server.close(() => log('server', 'closed')));
    });
    req.write('one,');
    req.write('two');
    req.addTrailers([['X-Check', 'ok'], ['X-Check', 'again']]);
    req.end();
  });
});
