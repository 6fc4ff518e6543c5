// The server's Keep-Alive hint: timeout=1 leaves the agent no time (1 s minus its 1 s buffer), so the socket is closed rather than pooled; timeout=3 is pooled.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  let connections = 0;
  let done = false;  // socket closes at teardown race the server's 'close': not logged
  const server = http.createServer((req, res) => {
    res.setHeader('Keep-Alive', `timeout=${req.url.slice(1)}`);
    res.end('ok');
  });
  server.on('connection', () => { connections += 1; });
  listen(server, (port) => {
    const agent = new http.Agent({ keepAlive: true });
    const name = agent.getName({ host: '127.0.0.1', port });
    const get = (hint, then) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/${hint}`, agent }, (res) => {
        log('client', 'response', hint, res.headers['keep-alive'], req.reusedSocket, connections);
        res.resume();
      });
      req.on('socket', (socket) => {
        socket.on('close', () => { if (!done) log('client', 'socket-close', hint); });
      });
      req.on('close', () => {
        process.nextTick(() => {
          log('agent', 'free', hint, (agent.freeSockets[name] || []).length);
          then();
        });
      });
    };
    get(1, () => get(3, () => get(3, () => {
      done = true;
      agent.destroy();
      server.close(() => log('server', 'closed'));
    })));
  });
});
