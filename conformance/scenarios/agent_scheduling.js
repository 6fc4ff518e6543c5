// scheduling 'lifo' and 'fifo': two sockets freed in a known order (A, then B); the next request gets B under lifo, A under fifo.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

start(() => {
  const held = new Map();
  const server = http.createServer((req, res) => {
    held.set(req.url, res);
    // Both sockets busy: answer the first request; the second waits for release().
    if (req.url !== '/3' && held.has('/1') && held.has('/2')) held.get('/1').end('1');
    if (req.url === '/3') res.end('3');
  });
  const release = () => held.get('/2').end('2');
  listen(server, (port) => {
    const run = (scheduling, done) => {
      held.clear();
      const agent = new http.Agent({ keepAlive: true, scheduling });
      const name = agent.getName({ host: '127.0.0.1', port });
      const sockets = {};
      const get = (i, onClose) => {
        const req = http.get({ host: '127.0.0.1', port, path: `/${i}`, agent }, (res) => {
          res.resume();
          res.on('end', () => {
            let label = '?';
            for (const k of Object.keys(sockets)) if (sockets[k] === req.socket) label = k;
            log(scheduling, 'response', i, label, req.reusedSocket);
          });
        });
        req.on('close', () => process.nextTick(onClose));
        return req;
      };
      const r1 = get(1, () => {
        log(scheduling, 'free', (agent.freeSockets[name] || []).length);
        release();
      });
      const r2 = get(2, () => {
        log(scheduling, 'free', (agent.freeSockets[name] || []).length);
        get(3, () => {
          log(scheduling, 'free', (agent.freeSockets[name] || []).length);
          agent.destroy();
          done();
        });
      });
      r1.on('socket', (s) => { sockets.A = s; });
      r2.on('socket', (s) => { sockets.B = s; });
    };
    run('lifo', () => run('fifo', () => server.close(() => log('server', 'closed'))));
  });
});
