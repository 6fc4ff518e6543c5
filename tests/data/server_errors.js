// Observe the reference Node's answer to each bad raw request, with a good keep-alive
// connection kept half-way through a POST meanwhile.
// Usage: node server_errors.js < server_errors.json > new.json  (cases in, cases + observations out)
// Each case runs twice: without a 'clientError' listener ("reply", "closed"), and with one
// that writes back code|message|bytesParsed|rawPacket length, "-" for an absent field
// ("listener", "listener_closed"). "good" is the good connection's reply in the first run.
const http = require('http'); const net = require('net');

const GOOD_HEAD = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab';
const GOOD_TAIL = 'cd';

// A chunk is a string, or a list of strings and [string, times] repeats.
const expand = (chunk) => typeof chunk === 'string' ? chunk
  : chunk.map(p => typeof p === 'string' ? p : p[0].repeat(p[1])).join('');
function writesOf(c) {
  const chunks = c.chunks.map(expand);
  if (!c.split) return chunks;
  const all = chunks.join(''); const out = [];
  for (let i = 0; i < all.length; i += c.split) out.push(all.slice(i, i + c.split));
  return out;
}
const norm = (buf) => buf.toString('latin1').replace(/Date: [^\r]*\r\n/g, 'Date: <date>\r\n');

// Polls until pred() holds, for at most 3 s (a case whose socket stays open shows it).
async function until(pred) {
  const started = Date.now();
  while (!pred() && Date.now() - started < 3000) await new Promise((r) => setTimeout(r, 5));
}
const connected = (sock) => new Promise((resolve) => sock.once('connect', resolve));

async function run(c, listener) {
  const server = http.createServer(c.options || {}, (req, res) => {
    req.on('end', () => res.end('ok')); req.resume();
  });
  Object.assign(server, c.properties || {});
  if (listener) {
    server.on('clientError', (err, socket) => {
      const bytes = err.bytesParsed === undefined ? '-' : err.bytesParsed;
      const raw = err.rawPacket === undefined ? '-' : err.rawPacket.length;
      socket.end(`${err.code}|${err.message}|${bytes}|${raw}`);
    });
  }
  const accepted = [];
  server.on('connection', (sock) => accepted.push(sock));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;

  const good = net.connect(port, '127.0.0.1');
  let goodData = Buffer.alloc(0);
  good.on('data', (d) => { goodData = Buffer.concat([goodData, d]); });
  await connected(good);
  good.write(GOOD_HEAD);
  await until(() => accepted.length === 1 && accepted[0].bytesRead === GOOD_HEAD.length);

  const bad = net.connect(port, '127.0.0.1');
  let data = Buffer.alloc(0); let closed = false; let reset = false;
  bad.on('data', (d) => { data = Buffer.concat([data, d]); });
  bad.on('end', () => { closed = true; });
  bad.on('error', () => { reset = true; });
  await connected(bad);
  await until(() => accepted.length === 2);
  // Each write reaches the server as a read of its own: the next waits for it.
  let sent = 0;
  for (const chunk of writesOf(c)) {
    bad.write(Buffer.from(chunk, 'latin1'));
    sent += chunk.length;
    await until(() => accepted[1].bytesRead >= sent || accepted[1].destroyed);
  }
  if (c.half_close) bad.end();
  await until(() => bad.destroyed);

  good.write(GOOD_TAIL);
  await until(() => goodData.includes('\r\n\r\nok'));
  good.destroy(); bad.destroy(); server.close();
  return {reply: norm(data), closed, reset, good: norm(goodData)};
}

(async () => {
  const doc = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  for (const c of doc.cases) {
    const plain = await run(c, false);
    const custom = await run(c, true);
    if (plain.reset || custom.reset) throw new Error(`${c.id}: connection reset`);
    c.reply = plain.reply; c.closed = plain.closed; c.good = plain.good;
    c.listener = custom.reply; c.listener_closed = custom.closed;
    if (custom.good !== plain.good) throw new Error(`${c.id}: good reply differs with a listener`);
  }
  console.log(JSON.stringify(doc, null, 1));
})();
