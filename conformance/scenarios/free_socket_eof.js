// The server ends an idle pooled socket: the free socket reads EOF and is destroyed at once (Node 24 emits no 'end' for it) and leaves the pool.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const serverSockets = [];
  const server = http.createServer((req, res) => res.end('ok'));
  server.on('connection', (socket) => serverSockets.push(socket));
  listen(server, (port) => {
    const agent = new http.Agent({ keepAlive: true });
    const name = agent.getName({ host: '127.0.0.1', port });
    const req = http.get({ host: '127.0.0.1', port, agent }, (res) => res.resume());
    req.on('socket', (socket) => {
      socket.on('end', () => log('client', 'socket-end'));
      socket.on('close', (hadError) => {
        log('client', 'socket-close', hadError, (agent.freeSockets[name] || []).length);
        agent.destroy();
        server.close(() => log('server', 'closed'));
      });
    });
    req.on('close', () => {
      process.nextTick(() => {
        log('agent', 'free', (agent.freeSockets[name] || []).length);
        serverSockets[0].end();
      });
    });
  });
});
