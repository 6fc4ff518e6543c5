// 1xx responses before the final one: writeProcessing, writeEarlyHints (two links) and writeContinue reach the client as 'information' (and 'continue'), in order.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => {
    res.writeProcessing(() => log('server', 'processing-written'));
    res.writeEarlyHints({ link: ['</a.css>; rel=preload; as=style', '</b.js>; rel=preload; as=script'], 'x-hint': 'h' },
      () => log('server', 'hints-written'));
    res.writeContinue(() => log('server', 'continue-written'));
    res.end('final');
  });
  listen(server, (port) => {
    const req = http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      log('client', 'response', res.statusCode);
      res.resume();
      res.on('end', () => server.close());
    });
    req.on('information', (info) => log('client', 'information', info.statusCode, info.statusMessage,
                                        info.httpVersion, info.rawHeaders, info.headers));
    req.on('continue', () => log('client', 'continue'));
  });
});
