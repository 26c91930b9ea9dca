"""Stand-ins for the AWS endpoints the credential chain talks to, for
tests/aws-chain-test.sh.  All listen on 127.0.0.1 (free ports):

  sts        HTTPS (CERT/KEY): AssumeRole, whose SigV4 signature is recomputed
             with botocore (SignatureDoesNotMatch otherwise), and
             AssumeRoleWithWebIdentity, which must be unsigned and carry
             WEB_TOKEN.  Role names steer it: "denied" -> AccessDenied,
             "throttled" -> Throttling on the first call.
  imds       HTTP: IMDSv2 (PUT /latest/api/token, then the role list and
             the role's keys, both requiring the token).
  container  HTTP: GET /creds with "Authorization: CONTAINER_TOKEN".
  silent     accepts connections and never answers (timeouts).

Usage: chain_standin.py STATE_DIR CERT KEY WEB_TOKEN CONTAINER_TOKEN

Writes STATE_DIR/ports ("sts=N imds=N container=N silent=N") when ready and
appends one line per request to STATE_DIR/requests.log.  Every secret and
token it issues contains "s3cr3t" so that the tests can grep for leaks.
Static keys it accepts for signing are read from STATE_DIR/keys
("AKID SECRET [SESSION-TOKEN]" lines).  Runs until killed.
"""
import os
import re
import socket
import ssl
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

EXPIRATION = "2099-01-01T00:00:00Z"
IMDS_TOKEN = "imds-session-s3cr3t"
IMDS_ROLE = "instance-role"
ISSUED = {}  # access key id -> (secret, session token) of credentials we issued
CALLS = {}
LOCK = threading.Lock()
AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, "
    r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$"
)


def log(line):
    with LOCK:
        with open(os.path.join(STATE, "requests.log"), "a") as f:
            f.write(line + "\n")


def static_keys():
    keys = {}
    path = os.path.join(STATE, "keys")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                fields = line.split()
                if fields:
                    keys[fields[0]] = (fields[1], fields[2] if len(fields) > 2 else None)
    return keys


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, code, body, ctype="text/xml"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def log_message(self, *args):
        pass


def sts_error(handler, status, code, message):
    handler.reply(
        status,
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
        "<Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
        "<RequestId>0</RequestId></ErrorResponse>" % (code, message),
    )


def issue(prefix, role):
    name = re.sub(r"[^A-Za-z0-9]", "", role.split("/")[-1]).upper()
    akid = "ASIA" + prefix + name
    secret = "%ss3cr3t/%s+key" % (prefix.lower(), name.lower())
    token = "%sTokens3cr3t%s==" % (prefix.lower(), name.lower())
    with LOCK:
        ISSUED[akid] = (secret, token)
    return akid, secret, token


def credentials_xml(action, akid, secret, token):
    return (
        "<{0}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{0}Result>"
        "<Credentials><AccessKeyId>{1}</AccessKeyId><SecretAccessKey>{2}</SecretAccessKey>"
        "<SessionToken>{3}</SessionToken><Expiration>{4}</Expiration></Credentials>"
        "</{0}Result></{0}Response>".format(
            action, akid, secret.replace("&", "&amp;"), token, EXPIRATION)
    )


def verify_signature(handler, body):
    """'ok', or the STS error code for a bad signature."""
    m = AUTH_RE.match(handler.headers.get("Authorization", ""))
    if not m:
        return "IncompleteSignature", None, None
    akid, date, region, service, signed, signature = m.groups()
    with LOCK:
        known = dict(static_keys(), **ISSUED)
    if akid not in known:
        return "InvalidClientTokenId", akid, region
    secret, token = known[akid]
    if handler.headers.get("X-Amz-Security-Token") != token:
        return "InvalidToken", akid, region
    amz_date = handler.headers.get("X-Amz-Date", "")
    if service != "sts" or not amz_date.startswith(date) or "x-amz-date" not in signed.split(";"):
        return "IncompleteSignature", akid, region
    headers = {name: handler.headers.get(name, "") for name in signed.split(";")}
    request = AWSRequest(method=handler.command, url="https://%s%s" % (handler.headers["Host"],
                                                                       handler.path),
                         data=body, headers=headers)
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(akid, secret, token), service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    return ("ok" if expected == signature else "SignatureDoesNotMatch"), akid, region


class Sts(Handler):
    def do_POST(self):
        body = self.body()
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        action = form.get("Action")
        role = form.get("RoleArn", "")
        if form.get("Version") != "2011-06-15" or not role or not form.get("RoleSessionName"):
            log("sts bad request %r" % sorted(form))
            return sts_error(self, 400, "MissingParameter", "bad request")
        if self.headers.get("Content-Type") != "application/x-www-form-urlencoded; charset=utf-8":
            return sts_error(self, 400, "InvalidParameterValue", "bad content type")
        with LOCK:
            CALLS[role] = CALLS.get(role, 0) + 1
            calls = CALLS[role]
        if action == "AssumeRole":
            self.assume_role(body, form, role, calls)
        elif action == "AssumeRoleWithWebIdentity":
            self.assume_role_with_web_identity(form, role)
        else:
            sts_error(self, 400, "InvalidAction", "unknown action")

    def assume_role(self, body, form, role, calls):
        verdict, akid, region = verify_signature(self, body)
        log("sts AssumeRole %s session=%s by=%s region=%s sig=%s external_id=%s duration=%s" % (
            role, form["RoleSessionName"], akid, region, verdict, form.get("ExternalId", "-"),
            form.get("DurationSeconds", "-")))
        if verdict != "ok":
            return sts_error(self, 403, verdict, {
                "SignatureDoesNotMatch": "The request signature we calculated does not match "
                                         "the signature you provided.",
                "InvalidClientTokenId": "The security token included in the request is invalid.",
                "InvalidToken": "The provided token is malformed or otherwise invalid.",
            }.get(verdict, "Authorization header requires Credential, SignedHeaders and "
                  "Signature."))
        if role.endswith("/denied"):
            return sts_error(self, 403, "AccessDenied", "User: %s is not authorized to perform: "
                             "sts:AssumeRole on resource: %s" % (akid, role))
        if role.endswith("/throttled") and calls == 1:
            return sts_error(self, 400, "Throttling", "Rate exceeded")
        self.reply(200, credentials_xml("AssumeRole", *issue("STS", role)))

    def assume_role_with_web_identity(self, form, role):
        signed = "Authorization" in self.headers or "X-Amz-Security-Token" in self.headers
        good = form.get("WebIdentityToken") == WEB_TOKEN
        log("sts AssumeRoleWithWebIdentity %s session=%s token=%s signed=%s" % (
            role, form["RoleSessionName"], "ok" if good else "bad", "yes" if signed else "no"))
        if not good:
            return sts_error(self, 400, "InvalidIdentityToken", "Couldn't retrieve verification "
                             "key from your identity provider")
        self.reply(200, credentials_xml("AssumeRoleWithWebIdentity", *issue("WEB", role)))


class Imds(Handler):
    def do_PUT(self):
        self.body()
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        log("imds PUT %s ttl=%s" % (self.path, ttl))
        if self.path != "/latest/api/token" or not ttl:
            return self.reply(400, "", "text/plain")
        self.reply(200, IMDS_TOKEN, "text/plain")

    def do_GET(self):
        good = self.headers.get("X-aws-ec2-metadata-token") == IMDS_TOKEN
        log("imds GET %s token=%s" % (self.path, "ok" if good else "bad"))
        base = "/latest/meta-data/iam/security-credentials/"
        if not good:
            return self.reply(401, "", "text/plain")
        if self.path == base:
            return self.reply(200, IMDS_ROLE + "\n", "text/plain")
        if self.path == base + IMDS_ROLE:
            akid, secret, token = issue("IMDS", IMDS_ROLE)
            return self.reply(200, (
                '{"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z","Type":"AWS-HMAC",'
                '"AccessKeyId":"%s","SecretAccessKey":"%s","Token":"%s","Expiration":"%s"}'
                % (akid, secret, token, EXPIRATION)), "application/json")
        self.reply(404, "", "text/plain")


class Container(Handler):
    def do_GET(self):
        good = self.headers.get("Authorization") == CONTAINER_TOKEN
        log("container GET %s auth=%s" % (self.path, "ok" if good else "bad"))
        if not good:
            return self.reply(403, '{"code":"AccessDenied","message":"bad token"}',
                              "application/json")
        if self.path != "/creds":
            return self.reply(404, '{"code":"NotFound","message":"no such path"}',
                              "application/json")
        akid, secret, token = issue("CONTAINER", "task")
        self.reply(200, '{"AccessKeyId":"%s","SecretAccessKey":"%s","Token":"%s",'
                   '"Expiration":"%s","RoleArn":"arn:aws:iam::123456789012:role/task"}'
                   % (akid, secret, token, EXPIRATION), "application/json")


def serve(handler, tls=False):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(CERT, KEY)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def main():
    ports = {
        "sts": serve(Sts, tls=True),
        "imds": serve(Imds),
        "container": serve(Container),
    }
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)  # never accepted: connections complete, nobody answers
    ports["silent"] = silent.getsockname()[1]
    path = os.path.join(STATE, "ports")
    with open(path + ".tmp", "w") as f:
        f.write(" ".join("%s=%d" % kv for kv in sorted(ports.items())) + "\n")
    os.rename(path + ".tmp", path)
    threading.Event().wait()


if __name__ == "__main__":
    STATE, CERT, KEY, WEB_TOKEN, CONTAINER_TOKEN = sys.argv[1:6]
    main()
