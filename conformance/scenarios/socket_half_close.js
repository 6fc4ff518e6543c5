// Half-close on an upgraded socket: the client writes and ends at once; the server answers after the client's 'end', and Node's client, half-closed, still reads it.
'use strict';
const http = require('http');
const { deferred, listen, log, start } = require('./harness');

start(() => {
  const serverLog = deferred('server');
  const server = http.createServer();
  server.on('upgrade', (req, socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n');
    let got = '';
    socket.on('data', (d) => { got += d.toString('latin1'); });
    socket.on('end', () => {
      serverLog('socket-end', got);
      socket.end('reply after your end');
    });
    socket.on('close', () => serverLog('socket-close'));
  });
  listen(server, (port) => {
    const req = http.request({
      host: '127.0.0.1', port, agent: false, headers: { Connection: 'Upgrade', Upgrade: 'x' },
    });
    req.on('upgrade', (res, socket) => {
      log('client', 'upgrade', res.statusCode);
      let got = '';
      socket.on('data', (d) => { got += d.toString('latin1'); });
      socket.on('end', () => log('client', 'socket-end', got));
      socket.on('close', () => {
        log('client', 'socket-close', got);
        server.close();
      });
      socket.end('request and goodbye');
      log('client', 'ended', socket.writable, socket.readable);
    });
    req.end();
  });
});
