// A CONNECT tunnel: the server's 'connect' listener answers 200 and relays bytes; the client's 'connect' event gets the socket and the head.
'use strict';
const http = require('http');
const { deferred, listen, log, start } = require('./harness');

start(() => {
  const serverLog = deferred('server');
  const server = http.createServer(() => log('server', 'request'));
  server.on('connect', (req, socket, head) => {
    log('server', 'connect', req.method, req.url, req.headers.host === `127.0.0.1:${server.address().port}`, head.length);
    socket.write('HTTP/1.1 200 Connection Established\r\nProxy-Agent: scenario\r\n\r\n');
    let got = '';
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (got.endsWith('!')) socket.end(`tunnelled:${got}`);
    });
    socket.on('close', () => serverLog('socket-close', got));
  });
  listen(server, (port) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'CONNECT', path: 'example.test:443', agent: false,
    });
    req.on('response', () => log('client', 'response'));
    req.on('connect', (res, socket, head) => {
      log('client', 'connect', res.statusCode, res.statusMessage, res.headers['proxy-agent'], head.length);
      let got = '';
      socket.on('data', (d) => {
        got += d.toString('latin1');
      });
      socket.on('end', () => log('client', 'socket-end', got));
      socket.on('close', () => {
        log('client', 'socket-close');
        server.close();
      });
      socket.write('GET / over the tunnel!');
    });
    req.on('close', () => log('client', 'req-close'));
    req.end();
  });
});
