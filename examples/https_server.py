"""An https server and client with throwaway certificates made by trustme.

    pip install trustme
    python examples/https_server.py [asyncio|trio]

trustme makes a private certificate authority and a certificate for 127.0.0.1 signed by
it, all in memory. The server gets the certificate and its key, the client trusts the CA
(``ca``), exactly as Node's ``https.createServer({key, cert})`` and
``https.request({ca})`` take PEM text. Never use such certificates outside tests.
"""

from __future__ import annotations

import sys

import trustme

import nodehttp
from nodehttp import IncomingMessage, ServerResponse, https


def hello(req: IncomingMessage, res: ServerResponse) -> None:
    res.set_header("Content-Type", "text/plain")
    res.end(f"hello over TLS, {req.url}\n")


def main() -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    key_pem = cert.private_key_pem.bytes()
    cert_pem = b"".join(blob.bytes() for blob in cert.cert_chain_pems)
    ca_pem = ca.cert_pem.bytes()

    server = https.create_server({"key": key_pem, "cert": cert_pem}, hello)

    def on_listening() -> None:
        address = server.address()  # a dict for TCP, the path for a unix socket
        assert isinstance(address, dict)
        port = address["port"]

        def on_response(res: IncomingMessage) -> None:
            chunks: list[bytes] = []
            res.on("data", chunks.append)

            def on_end() -> None:
                print(res.status_code, b"".join(chunks))
                server.close()

            res.on("end", on_end)

        req = https.request({"host": "127.0.0.1", "port": port, "path": "/secure", "ca": ca_pem,
                             "agent": False}, on_response)
        req.on("error", lambda err: (print("request failed:", err), server.close()))
        req.end()

    server.listen(0, "127.0.0.1", on_listening)


if __name__ == "__main__":
    nodehttp.run(main, backend=sys.argv[1] if len(sys.argv) > 1 else "asyncio")
