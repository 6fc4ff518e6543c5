// Keep-alive through an Agent: three requests in a row share one socket (the server sees one connection; reusedSocket after the first).
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const peers = [];
  const server = http.createServer((req, res) => {
    if (!peers.includes(req.socket.remotePort)) peers.push(req.socket.remotePort);
    log('server', 'request', req.url, req.headers.connection, peers.indexOf(req.socket.remotePort));
    res.end(req.url);
  });
  server.on('connection', () => log('server', 'connection'));
  listen(server, (port) => {
    const agent = new http.Agent({ keepAlive: true });
    const name = agent.getName({ host: '127.0.0.1', port });
    let firstLocal = null;
    const one = (i) => {
      log('agent', 'before', i, (agent.freeSockets[name] || []).length, (agent.sockets[name] || []).length);
      const req = http.get({ host: '127.0.0.1', port, path: `/${i}`, agent }, (res) => {
        if (firstLocal === null) firstLocal = req.socket.localPort;
        log('client', 'response', i, res.headers.connection, res.headers['keep-alive'],
            req.reusedSocket, req.socket.localPort === firstLocal);
        res.resume();
        res.on('end', () => log('client', 'end', i));
      });
      req.on('socket', () => log('client', 'socket', i));
      req.on('close', () => {
        log('client', 'close', i);
        process.nextTick(() => {
          if (i < 3) {
            one(i + 1);
            return;
          }
          log('agent', 'after', (agent.freeSockets[name] || []).length, (agent.sockets[name] || []).length);
          agent.destroy();
          server.close(() => log('server', 'closed'));
        });
      });
    };
    one(1);
  });
});
