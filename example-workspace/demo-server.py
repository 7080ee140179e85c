#!/usr/bin/env python3
"""A tiny payments-like HTTP service for the journey demo and tests, on 127.0.0.1 only.

  GET  /health       -> 200 "ok"
  POST /v1/payments  -> 201 {"id": ..., "amount": ...} with a valid bearer token, else 401
  POST /echo         -> 200, echoes the Authorization header and the body back as JSON
                        (so the demo shows that a credential echoed by a server is masked)

The expected token comes from the environment variable DEMO_API_TOKEN (never from argv); when
it is unset any bearer token is accepted. With --record FILE, the credential of every request
is appended to FILE, one per line (tests use it to prove which value a run sent).

Usage: demo-server.py [--port N] [--port-file FILE] [--record FILE]
"""
import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser(description="journey demo service (127.0.0.1 only)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free port)")
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    parser.add_argument("--record", help="append each request's bearer credential to this file")
    args = parser.parse_args()
    expected = os.environ.get("DEMO_API_TOKEN")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *rest):
            pass  # request lines would hold nothing secret, but keep demo output quiet

        def credential(self):
            header = self.headers.get("Authorization", "")
            token = header[len("Bearer "):] if header.startswith("Bearer ") else None
            if args.record is not None:
                with open(args.record, "a", encoding="utf-8") as record:
                    record.write((token or "") + "\n")
            return header, token

        def reply(self, status, payload):
            body = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if isinstance(payload, str) else "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length).decode("utf-8", "replace") if length else ""

        def do_GET(self):
            if self.path == "/health":
                self.reply(200, "ok")
            else:
                self.reply(404, {"error": "no such path"})

        def do_POST(self):
            header, token = self.credential()
            body = self.body()
            if self.path == "/echo":
                self.reply(200, {"authorization": header, "body": body})
                return
            if self.path != "/v1/payments":
                self.reply(404, {"error": "no such path"})
                return
            if token is None or (expected is not None and token != expected):
                self.reply(401, {"error": "missing or wrong bearer token"})
                return
            try:
                amount = json.loads(body or "{}").get("amount", 0)
            except ValueError:
                self.reply(400, {"error": "body is not JSON"})
                return
            self.reply(201, {"id": "pay_%d" % (os.getpid() % 10000), "amount": amount, "status": "created"})

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as handle:
            handle.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    print("demo server listening on http://127.0.0.1:%d" % port, file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
