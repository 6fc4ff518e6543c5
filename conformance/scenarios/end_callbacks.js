// end()'s callback against 'finish' listeners added before it, both ends: Node 24 queues end
// callbacks apart and calls them (with null) just before 'finish', so they come first; an end
// callback given after 'finish' gets ERR_STREAM_ALREADY_FINISHED at once.
'use strict';
const http = require('http');
const { err, listen, log, start } = require('./harness');

start(() => {
  const server = http.createServer((req, res) => {
    const url = req.url;
    res.on('finish', () => {
      log('server', url, 'finish-1');
      res.end((e) => log('server', url, 'late-end-callback', err(e)));
      log('server', url, 'after-late-end');
    });
    if (url === '/chunk') res.end('ok', (e) => log('server', url, 'end-callback', e === null));
    else if (url === '/empty') res.end((e) => log('server', url, 'end-callback', e === null));
    else { res.write('a'); res.end((e) => log('server', url, 'end-callback', e === null)); }
    res.on('finish', () => log('server', url, 'finish-2'));
  });
  listen(server, (port) => {
    const paths = ['/chunk', '/empty', '/written'];
    const next = () => {
      const path = paths.shift();
      if (path === undefined) {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', agent: false }, (res) => {
          res.resume();
          res.on('end', () => server.close());
        });
        req.on('finish', () => log('client', 'finish'));
        req.end('body', (e) => log('client', 'end-callback', e === null));
        return;
      }
      http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        res.resume();
        res.on('end', next);
      });
    };
    next();
  });
});
