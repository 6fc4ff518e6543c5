// An Expect other than 100-continue: a 'checkExpectation' listener answers it; a server without one answers 417 by itself.
'use strict';
const http = require('http');
const { listen, log, start } = require('./harness');

function ask(port, tag, done) {
  const req = http.request({
    host: '127.0.0.1', port, path: `/${tag}`, agent: false, headers: { Expect: 'x-fancy' },
  });
  req.on('response', (res) => {
    log(tag, 'response', res.statusCode, res.statusMessage, res.headers['x-seen']);
    res.resume();
    res.on('end', () => log(tag, 'end'));
  });
  req.on('close', () => {
    log(tag, 'close');
    done();
  });
  req.end();
}

start(() => {
  const withListener = http.createServer(() => log('with', 'request'));
  withListener.on('checkExpectation', (req, res) => {
    log('with', 'checkExpectation', req.headers.expect);
    res.setHeader('X-Seen', req.headers.expect);
    res.end('ok');
  });
  const without = http.createServer(() => log('without', 'request'));
  listen(withListener, (port1) => {
    listen(without, (port2) => {
      ask(port1, 'with', () => {
        ask(port2, 'without', () => {
          withListener.close(() => {
            log('with', 'closed');
            without.close(() => log('without', 'closed'));
          });
        });
      });
    });
  });
});
