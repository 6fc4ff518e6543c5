// maxRequestsPerSocket: 2 through a keep-alive agent: the second response says Connection: close with Keep-Alive max=2, so the third request needs a new socket.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  let connections = 0;
  const server = http.createServer((req, res) => res.end(req.url));
  server.maxRequestsPerSocket = 2;
  server.on('connection', () => { connections += 1; });
  server.on('dropRequest', () => log('server', 'dropRequest'));
  listen(server, (port) => {
    const agent = new http.Agent({ keepAlive: true });
    const get = (i, then) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/${i}`, agent }, (res) => {
        log('client', 'response', i, res.statusCode, res.headers.connection, res.headers['keep-alive'],
            req.reusedSocket, connections);
        res.resume();
      });
      req.on('close', () => process.nextTick(then));
    };
    get(1, () => get(2, () => get(3, () => {
      agent.destroy();
      server.close();
    })));
  });
});
