// An Agent's timeout on a free socket: the idle pooled socket times out, is destroyed and leaves the pool; the next request opens a new one.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  let connections = 0;
  const server = http.createServer((req, res) => res.end('ok'));
  server.on('connection', () => { connections += 1; });
  listen(server, (port) => {
    const agent = new http.Agent({ keepAlive: true, timeout: 150 });
    const name = agent.getName({ host: '127.0.0.1', port });
    const req = http.get({ host: '127.0.0.1', port, agent }, (res) => {
      log('client', 'response', 1, res.statusCode);
      res.resume();
    });
    req.on('timeout', () => log('client', 'req-timeout', 1));
    req.on('socket', (socket) => {
      socket.on('timeout', () => log('socket', 'timeout', (agent.freeSockets[name] || []).length));
      socket.on('close', () => {
        log('socket', 'close', socket.destroyed);
        process.nextTick(() => {
          log('agent', 'free-after-close', (agent.freeSockets[name] || []).length,
              (agent.sockets[name] || []).length);
          const again = http.get({ host: '127.0.0.1', port, agent }, (res) => {
            log('client', 'response', 2, res.statusCode, again.reusedSocket, connections);
            res.resume();
            res.on('end', () => {
              agent.destroy();
              server.close(() => log('server', 'closed'));
            });
          });
        });
      });
    });
    req.on('close', () => process.nextTick(() => log('agent', 'free', (agent.freeSockets[name] || []).length)));
  });
});
