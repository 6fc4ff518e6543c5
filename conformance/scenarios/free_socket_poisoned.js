// Bytes arriving on an idle pooled socket (a stray response): Node 24 destroys the socket rather than keep it for the next request.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const serverSockets = [];
  const server = http.createServer((req, res) => res.end(`ok ${serverSockets.length}`));
  server.on('connection', (socket) => serverSockets.push(socket));
  listen(server, (port) => {
    const agent = new http.Agent({ keepAlive: true });
    const name = agent.getName({ host: '127.0.0.1', port });
    const again = () => {
      const req = http.get({ host: '127.0.0.1', port, agent }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d.toString('latin1'); });
        res.on('end', () => {
          log('client', 'response', 2, body, req.reusedSocket);
          agent.destroy();
          server.close(() => log('server', 'closed'));
        });
      });
    };
    const req = http.get({ host: '127.0.0.1', port, agent }, (res) => {
      log('client', 'response', 1, res.statusCode);
      res.resume();
    });
    req.on('socket', (socket) => {
      socket.on('end', () => log('client', 'socket-end'));
      socket.on('error', (e) => log('client', 'socket-error', e.code));
      socket.on('close', () => {
        log('client', 'socket-close', (agent.freeSockets[name] || []).length);
        again();
      });
    });
    req.on('close', () => {
      process.nextTick(() => {
        log('agent', 'free', (agent.freeSockets[name] || []).length);
        serverSockets[0].write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nstray!');
      });
    });
  });
});
