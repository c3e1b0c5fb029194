#!/usr/bin/env python3
"""The platform's credential endpoint for benchmarks: POST /openapi/auth/credential with clientId,
secret and userType=2 as query parameters answers the platform's JSON envelope with a new token
(48 hex digits) after an optional delay. GET /calls answers how many tokens it issued.

Usage: platform_stand_in.py PORT CLIENT_ID SECRET [DELAY_SECONDS]
"""
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT, CLIENT_ID, SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3]
DELAY = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
calls = 0
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global calls
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path != "/openapi/auth/credential":
            return self.answer(404, {"ok": False, "code": 404, "message": "not found"})
        time.sleep(DELAY)
        valid = (query.get("clientId") == CLIENT_ID and query.get("secret") == SECRET
                 and query.get("userType") == "2")
        if not valid:
            return self.answer(200, {"ok": False, "code": 401, "message": "invalid clientId or secret",
                                     "data": None, "_status": "FAIL"})
        with lock:
            calls += 1
        self.answer(200, {"ok": True, "code": 200, "message": "success", "trackId": secrets.token_hex(8),
                          "data": secrets.token_hex(24), "extr": None,
                          "timestamp": int(time.time() * 1000), "_status": "SUCCESS"})

    def do_GET(self):
        if self.path == "/calls":
            return self.answer(200, {"calls": calls})
        self.answer(404, {"ok": False, "code": 404})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
