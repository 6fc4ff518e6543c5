// Readable state of an IncomingMessage on both ends, read at each step of a body's life:
// readable, readableFlowing, readableLength, readableEnded, readableEncoding, closed,
// readableAborted, errored (its code).
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

function state(m) {
  return [m.readable, m.readableFlowing, m.readableLength, m.readableEnded, m.readableEncoding, m.closed,
          m.readableAborted, m.errored && m.errored.code, m.readableHighWaterMark, m.readableObjectMode];
}

start(() => {
  const server = http.createServer((req, res) => {
    log('server', 'request', state(req));
    req.setEncoding('latin1');
    req.pause();
    log('server', 'paused', state(req));
    setTimeout(() => {
      log('server', 'buffered', state(req));
      req.on('data', () => log('server', 'data', state(req)));
      req.on('end', () => {
        log('server', 'end', state(req));
        res.end('reply');
      });
      req.on('close', () => log('server', 'close', state(req)));
      req.resume();
      log('server', 'resumed', state(req));
    }, 50);
  });
  listen(server, (port) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', agent: false }, (res) => {
      log('client', 'response', state(res));
      res.on('data', () => log('client', 'data', state(res)));
      res.on('end', () => log('client', 'end', state(res)));
      res.on('close', () => {
        log('client', 'close', state(res));
        const second = http.request({ host: '127.0.0.1', port, method: 'POST', agent: false }, (r2) => {
          r2.on('close', () => {
            log('client', 'destroyed-close', state(r2));
            server.close();
          });
          r2.destroy(Object.assign(new Error('gone'), { code: 'EGONE' }));
          log('client', 'destroyed', state(r2));
        });
        second.on('error', () => {});
        second.end('x');
      });
    });
    req.end('hello');
  });
});
