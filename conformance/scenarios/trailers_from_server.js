// Trailers from the server: a chunked response with addTrailers; the client reads rawTrailers and trailers after 'end'.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => {
    res.setHeader('Trailer', 'X-Sum, X-Note');
    res.write('abc');
    res.addTrailers({ 'X-Sum': '42', 'X-Note': 'done' });
    res.end('def');
  });
  listen(server, (port) => {
    http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      log('client', 'response', res.statusCode, res.headers['transfer-encoding'], res.headers.trailer);
      log('client', 'trailers-before-end', res.rawTrailers);
      let body = '';
      res.on('data', (d) => { body += d.toString('latin1'); });
      res.on('end', () => {
        log('client', 'end', body, res.rawTrailers, res.trailers);
        server.close(() => log('server', 'closed'));
      });
    });
  });
});
