"""A tiny stand-in for HashiCorp Vault's KV v2 read API, for tests/helpers-test.sh.

Usage: vault-stub.py PORT_FILE TOKEN LOG

Listens on 127.0.0.1 (a free port, written to PORT_FILE), answers
GET /v1/<path> from SECRETS below when the X-Vault-Token header equals TOKEN
(403 otherwise, 404 for an unknown path), and appends "<path> <namespace>" to
LOG for every request.  Runs until killed.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRETS = {
    "secret/data/registry/registry.example.com": {"username": "robot", "password": 's3"cr\\et<'},
    "secret/data/registry/localhost:5000": {"username": "local", "password": "lpw"},
    "secret/data/registry/docker.io": {"username": "hub", "password": "hubpw"},
    "secret/data/registry/nopass.example.com": {"username": "x", "password": ""},
    "kv/data/ci/registry.example.com": {"username": "ci", "password": "cipw"},
}


class Handler(BaseHTTPRequestHandler):
    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path[len("/v1/"):] if self.path.startswith("/v1/") else ""
        with open(LOG, "a") as log:
            log.write("%s %s\n" % (path, self.headers.get("X-Vault-Namespace", "-")))
        if self.headers.get("X-Vault-Token") != TOKEN:
            self.reply(403, {"errors": ["permission denied"]})
        elif path not in SECRETS:
            self.reply(404, {"errors": []})
        else:
            self.reply(200, {"data": {"data": SECRETS[path], "metadata": {"version": 3}}})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    PORT_FILE, TOKEN, LOG = sys.argv[1:4]
    server = HTTPServer(("127.0.0.1", 0), Handler)
    with open(PORT_FILE + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(PORT_FILE + ".tmp", PORT_FILE)
    server.serve_forever()
