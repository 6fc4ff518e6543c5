// Observe what the reference Node makes of URL strings given to http.request:
// urlToHttpOptions(new URL(input)) as far as the request reads it, or the error code.
// Usage: node tests/data/url_options.js > tests/data/url_options.json
'use strict';
const { urlToHttpOptions } = require('url');
const inputs = [
  'http://127.0.0.1:1/a/b?c=d#frag', 'http://example.invalid/x', 'http://us%20er:p%40ss@127.0.0.1:1/',
  'not a url', '/path', '', 'https://127.0.0.1:1/', 'HTTP://127.0.0.1:1/', 'http://[::1]:1/v6', 'http://[::1]/v6',
  'http://127.0.0.1:80/', 'https://h:443/', 'https://h:80/', 'http://127.0.0.1:1/a b', 'http://127.0.0.1:1/é',
  'http://ü.invalid:1/', 'http://ÉX.com/', 'http://127.0.0.1:1?x=1', 'http://127.0.0.1:/', 'http://127.0.0.1:1/a/../b/./c',
  'http://127.0.0.1:1\\a\\b', 'http://127.0.0.1:1/a\tb', ' \x01http://h/\n', 'http://x/a^b|c`d{e}f"g<h>i',
  'http://x/?a^b|c`d{e}f"g<h>i\'j k', 'http://x/?é', 'http://0x7f.1/', 'http://127.1/', 'http://1.2.3.4.5/',
  'http://256.1.1.1/', 'http://1.2.3.256/', 'http://1.65536/', 'http://4294967295/', 'http://4294967296/',
  'http://x/%2e%2E/a/.%2e/b', 'http://Ex%41mple.COM/', 'http://[::FFFF:1.2.3.4]/', 'http://[1:0:0:2:0:0:0:3]/',
  'http://[::1', 'http://[x]/', 'http://a@b@c/', 'http://x:65536/', 'http://x:65535/', 'http://x:8a/', 'http:////x/y',
  'http:x/y', 'http://x/a%zz', 'http://ex ample/', 'http://a%00b/', 'http://x\\y?z\\w', 'http://x/a/..', 'http://x/a/.',
  'http://x#f?g', 'http://x.com./', 'http://09/', 'http://0x/', 'http://1.2.3.09/', 'http://x/\u0001',
  'http://us:pa:ss@x/', 'http://:p@x/', 'http://u@/', 'http://u:@x/', 'http://x/a//b', 'http://x/..', 'http://x/%2e',
  'http://x?', 'http://x/?#', 'http://x/\u00a0', 'http://x/\ud83d\ude00', 'http://a_b.example/', 'http://x:0/',
  'http://x:00080/', 'http://x/a?b?c', 'ftp://h/', 'foo://h/p', 'http://%41.com/', 'http://x/%2F', 'http://x/%7e',
];
const out = inputs.map((input) => {
  try {
    const o = urlToHttpOptions(new URL(input));
    return { input, protocol: o.protocol, hostname: o.hostname, port: o.port === undefined ? null : o.port,
             path: o.path, auth: o.auth === undefined ? null : o.auth };
  } catch (e) {
    return { input, error: e.code };
  }
});
process.stdout.write(JSON.stringify({ node: process.version, cases: out }, null, 1) + '\n');
