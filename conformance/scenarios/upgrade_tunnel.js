// An Upgrade handshake: the server's 'upgrade' listener answers 101 plus early bytes (the client's head), then both sides talk over the raw socket.
'use strict';
const http = require('http');
const { deferred, listen, log, start } = require('./harness');

start(() => {
  const serverLog = deferred('server');
  const server = http.createServer(() => log('server', 'request'));
  server.on('upgrade', (req, socket, head) => {
    log('server', 'upgrade', req.method, req.url, req.headers.upgrade, req.headers.connection, head.length);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\nwelcome;');
    let got = '';
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (got.endsWith('.')) socket.end(got.toUpperCase());
    });
    socket.on('close', () => serverLog('socket-close', got));
  });
  listen(server, (port) => {
    const req = http.request({
      host: '127.0.0.1', port, path: '/chat', agent: false,
      headers: { Connection: 'Upgrade', Upgrade: 'shout' },
    });
    req.on('response', () => log('client', 'response'));
    req.on('upgrade', (res, socket, head) => {
      log('client', 'upgrade', res.statusCode, res.statusMessage, res.headers.upgrade, head.toString('latin1'));
      let got = '';
      socket.on('data', (d) => {
        got += d.toString('latin1');
      });
      socket.on('end', () => log('client', 'socket-end', got));
      socket.on('close', () => {
        log('client', 'socket-close');
        server.close();
      });
      socket.write('hello there.');
    });
    req.on('close', () => log('client', 'req-close'));
    req.end();
  });
});
