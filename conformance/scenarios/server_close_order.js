// server.close() with an idle keep-alive connection: the connection is closed at once and the server's 'close' follows; the order against the socket's own 'close' is Node's.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => res.end('ok'));
  server.on('connection', (socket) => socket.on('close', () => log('server', 'socket-close')));
  server.on('close', () => log('server', 'close-event'));
  listen(server, (port) => {
    const agent = new http.Agent({ keepAlive: true });
    const req = http.get({ host: '127.0.0.1', port, agent }, (res) => {
      res.resume();
      res.on('end', () => log('client', 'end'));
    });
    req.on('close', () => process.nextTick(() => {
      log('client', 'pooled');
      server.close(() => log('server', 'close-callback'));
      log('server', 'close-called', server.listening);
      process.nextTick(() => log('tick'));
      agent.destroy();
    }));
  });
});
