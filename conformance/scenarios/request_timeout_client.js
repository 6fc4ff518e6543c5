// Client timeouts on a silent server: req.setTimeout and the timeout option emit 'timeout' and leave the request alone; destroying it gives 'socket hang up'.
'use strict';
const http = require('http');
const { deferred, err, listen, log, start } = require('./harness');

start(() => {
  const serverLog = deferred('server');
  const server = http.createServer((req, res) => {
    serverLog('request', req.url);
  });
  listen(server, (port) => {
    const watch = (tag, req) => {
      req.on('socket', () => log(tag, 'socket'));
      req.on('error', (e) => log(tag, 'error', ...err(e)));
      req.on('close', () => log(tag, 'close'));
    };
    const viaMethod = http.get({ host: '127.0.0.1', port, path: '/method', agent: false });
    watch('method', viaMethod);
    viaMethod.setTimeout(100, () => {
      log('method', 'timeout', viaMethod.destroyed);
      viaMethod.destroy();
      const viaOption = http.get({ host: '127.0.0.1', port, path: '/option', agent: false, timeout: 100 });
      watch('option', viaOption);
      viaOption.on('timeout', () => {
        log('option', 'timeout', viaOption.destroyed);
        viaOption.destroy(new Error('gave up'));
        server.close();
      });
    });
  });
});
