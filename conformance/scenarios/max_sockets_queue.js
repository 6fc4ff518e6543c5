// maxSockets: 2 with five requests at once: three wait in agent.requests and get the freed sockets in order.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

const TOTAL = 5;

start(() => {
  const pending = [];
  // Answer the lowest pending request while two wait (both sockets busy), and the last one
  // once the client has the one before: an order that does not depend on which connection
  // is faster.
  let last = false;
  const answer = () => {
    while (pending.length === 2 || (pending.length && last)) {
      pending.sort((a, b) => a[0] - b[0]);
      const [n, res] = pending.shift();
      log('server', 'answer', n);
      res.end(String(n));
    }
  };
  const server = http.createServer((req, res) => {
    pending.push([Number(req.url.slice(1)), res]);
    answer();
  });
  listen(server, (port) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const name = agent.getName({ host: '127.0.0.1', port });
    const reqs = [];
    let closed = 0;
    for (let i = 1; i <= TOTAL; i++) {
      const req = http.get({ host: '127.0.0.1', port, path: `/${i}`, agent }, (res) => {
        const label = req.socket === reqs[0].socket ? 'A' : req.socket === reqs[1].socket ? 'B' : '?';
        log('client', 'response', i, label, req.reusedSocket);
        res.resume();
        if (i === TOTAL - 1) {
          res.on('end', () => {
            last = true;
            answer();
          });
        }
      });
      req.on('socket', () => log('client', 'socket', i, (agent.requests[name] || []).length));
      req.on('close', () => {
        closed += 1;
        if (closed === TOTAL) {
          process.nextTick(() => {
            log('agent', 'after', (agent.freeSockets[name] || []).length,
                (agent.sockets[name] || []).length, (agent.requests[name] || []).length);
            agent.destroy();
            server.close(() => log('server', 'closed'));
          });
        }
      });
      reqs.push(req);
    }
    log('agent', 'queued', (agent.requests[name] || []).length, (agent.sockets[name] || []).length);
  });
});
