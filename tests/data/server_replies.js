// Observe the reference Node's replies: each case = handler name + raw request chunks.
const http = require('http'); const net = require('net');
const handlers = {
  hello: (req, res) => { res.setHeader('Content-Type', 'text/plain'); res.end('Hello World\n'); },
  chunked: (req, res) => { res.write('hello '); res.end('world\n'); },
  status204: (req, res) => { res.writeHead(204); res.end(); },
  status304: (req, res) => { res.writeHead(304, {'ETag': '"x"'}); res.end(); },
  reason: (req, res) => { res.writeHead(201, 'Made It', ['X-A', '1', 'x-a', '2', 'Set-Cookie', 'a=1']); res.end('ok'); },
  cookies: (req, res) => { res.setHeader('Set-Cookie', ['a=1', 'b=2']); res.setHeader('X-Num', 42); res.end(); },
  trailers: (req, res) => { res.writeHead(200, {'Trailer': 'X-Checksum'}); res.write('data'); res.addTrailers({'X-Checksum': 'abc'}); res.end(); },
  echo: (req, res) => { const parts = []; req.on('data', d => parts.push(d)); req.on('end', () => { res.end(JSON.stringify({method: req.method, url: req.url, v: req.httpVersion, raw: req.rawHeaders, headers: req.headers, body: Buffer.concat(parts).toString('latin1'), trailers: req.rawTrailers})); }); },
  close: (req, res) => { res.setHeader('Connection', 'close'); res.end('bye'); },
  hints: (req, res) => { res.writeEarlyHints({link: ['</a.css>; rel=preload; as=style', '</b.js>; rel=preload; as=script'], 'x-trace': 'abc'}); res.end('ok'); },
  latin1: (req, res) => { res.setHeader('X-L', 'caf\u00e9'); res.end(Buffer.from('x')); },
  explicit_length: (req, res) => { res.setHeader('Content-Length', 2); res.end('ok'); },
};
const setups = {
  upgrade: (server) => server.on('upgrade', (req, socket, head) => {
    socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n' + req.url + '|' + head.toString('latin1')); }),
  connect: (server) => server.on('connect', (req, socket, head) => {
    socket.end('HTTP/1.1 200 Connection Established\r\n\r\n' + req.url + '|' + head.toString('latin1')); }),
  clientError: (server) => server.on('clientError', (err, socket) => {
    socket.end('HTTP/1.1 400 Custom\r\n\r\n' + err.code + '|' + err.message + '|' + err.bytesParsed + '|' + err.rawPacket.length); }),
  maxHeaders2: (server) => { server.maxHeadersCount = 2; },
  checkContinue: (server) => server.on('checkContinue', (req, res) => { res.writeHead(417, {'X-Why': 'no'}); res.end(); }),
  maxRequests2: (server) => { server.maxRequestsPerSocket = 2; },
};
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {};
let i = 0;
function next() {
  if (i >= cases.length) { console.log(JSON.stringify(out)); process.exit(0); }
  const c = cases[i++];
  const server = http.createServer(handlers[c.handler]);
  if (c.setup) setups[c.setup](server);
  server.listen(0, '127.0.0.1', () => {
    const sock = net.connect(server.address().port, '127.0.0.1');
    let data = Buffer.alloc(0); let closed = false;
    sock.on('data', d => { data = Buffer.concat([data, d]); });
    sock.on('close', () => { closed = true; });
    sock.on('error', () => {});
    let k = 0;
    const send = () => { if (k < c.chunks.length) { sock.write(Buffer.from(c.chunks[k++], 'latin1')); setTimeout(send, 20); } };
    sock.on('connect', send);
    setTimeout(() => {
      out[c.id] = {reply: data.toString('latin1').replace(/Date: [^\r]*\r\n/g, 'Date: <date>\r\n'), closed};
      sock.destroy(); server.close(); next();
    }, 60 + 20 * c.chunks.length + 150);
  });
}
next();
