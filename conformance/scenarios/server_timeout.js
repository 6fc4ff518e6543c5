// server.setTimeout: with a callback the server leaves the idle socket to it (here it destroys it); with no listener at all the socket is destroyed for it.
'use strict';
const http = require('http');
const { deferred, err, listen, log, start } = require('./harness');

function ask(port, tag, done) {
  const req = http.get({ host: '127.0.0.1', port, path: `/${tag}`, agent: false });
  req.on('response', () => log(tag, 'response'));
  req.on('error', (e) => log(tag, 'error', ...err(e)));
  req.on('close', () => {
    log(tag, 'close');
    done();
  });
}

start(() => {
  const serverLog = deferred('server');
  const silent = (req, res) => {
    serverLog('request', req.url);
    res.on('close', () => serverLog('res-close', req.url, res.headersSent));
  };
  const withCallback = http.createServer(silent);
  withCallback.setTimeout(100, (socket) => {
    serverLog('timeout-callback', socket.destroyed);
    socket.destroy();
  });
  const bare = http.createServer(silent);
  bare.timeout = 100;
  listen(withCallback, (port1) => {
    listen(bare, (port2) => {
      ask(port1, 'callback', () => ask(port2, 'bare', () => {
        withCallback.close();
        bare.close();
      }));
    });
  });
});
