// maxFreeSockets: 1: of two sockets freed in a known order, the first stays in the pool and the second is destroyed.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const held = new Map();
  const server = http.createServer((req, res) => {
    held.set(req.url, res);
    if (held.size === 2) held.get('/1').end('1');
  });
  listen(server, (port) => {
    const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 1 });
    const name = agent.getName({ host: '127.0.0.1', port });
    const counts = () => [(agent.freeSockets[name] || []).length, (agent.sockets[name] || []).length];
    const get = (i) => http.get({ host: '127.0.0.1', port, path: `/${i}`, agent }, (res) => res.resume());
    const r1 = get(1);
    const r2 = get(2);
    r1.on('close', () => process.nextTick(() => {
      log('agent', 'free', 1, ...counts());
      held.get('/2').end('2');
    }));
    r2.on('close', () => process.nextTick(() => log('agent', 'free', 2, ...counts())));
    r2.on('socket', (socket) => {
      socket.on('close', () => {
        log('client', 'socket-close', 2, r1.socket.destroyed, ...counts());
        agent.destroy();
        server.close(() => log('server', 'closed'));
      });
    });
  });
});
