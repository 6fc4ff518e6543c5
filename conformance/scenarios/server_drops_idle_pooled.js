// The server closes an idle pooled socket (keepAliveTimeout 100 ms, no buffer) while the agent believes a longer hint: the pool drops it and the next request connects anew.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  let connections = 0;
  const server = http.createServer((req, res) => {
    res.setHeader('Keep-Alive', 'timeout=5');
    res.end('ok');
  });
  server.keepAliveTimeout = 100;
  server.keepAliveTimeoutBuffer = 0;
  server.on('connection', (socket) => {
    connections += 1;
    const n = connections;
    socket.on('timeout', () => log('server', 'socket-timeout', n));
  });
  listen(server, (port) => {
    const agent = new http.Agent({ keepAlive: true });
    const name = agent.getName({ host: '127.0.0.1', port });
    const req = http.get({ host: '127.0.0.1', port, agent }, (res) => {
      log('client', 'response', 1, res.headers['keep-alive']);
      res.resume();
    });
    req.on('close', () => process.nextTick(() => log('agent', 'free', (agent.freeSockets[name] || []).length)));
    req.on('socket', (socket) => {
      socket.on('close', () => {
        log('client', 'socket-close');
        process.nextTick(() => {
          log('agent', 'free-after-close', (agent.freeSockets[name] || []).length);
          const again = http.get({ host: '127.0.0.1', port, agent }, (res) => {
            log('client', 'response', 2, again.reusedSocket, connections);
            res.resume();
            res.on('end', () => {
              agent.destroy();
              server.close(() => log('server', 'closed'));
            });
          });
        });
      });
    });
  });
});
