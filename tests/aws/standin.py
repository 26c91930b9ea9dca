"""An ECR / ECR Public / Secrets Manager / STS stand-in for the tests.

Usage (run with /usr/bin/python3, which has Debian's python3-botocore):

    standin.py --cert CRT --key KEY --port-file FILE
               [--access AKID:SECRET[:SESSION_TOKEN]]...
               [--password PW] [--secret NAME=JSON]... [--log FILE]

Listens on 127.0.0.1 over HTTPS (a free port, written to FILE) and answers
the AWS JSON 1.1 calls the router makes:

  AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken   (service ecr)
  SpencerFrontendService.GetAuthorizationToken        (ecr-public, us-east-1)
  secretsmanager.GetSecretValue                       (secretsmanager)

and the STS query calls AssumeRole (signed) and AssumeRoleWithWebIdentity
(unsigned).  EVERY signed request is verified by recomputing its SigV4
signature with botocore (SigV4Auth over an AWSRequest rebuilt from what was
received, with the secret known for the access key id): an unknown key id is
403 UnrecognizedClientException, a wrong signature 403
InvalidSignatureException, a date more than 5 minutes off 403
InvalidSignatureException (Signature expired).  Credentials that STS issues
are known from then on.

Tokens are base64("AWS:" + password); the password is --password, or
"<password>-<n>" (n counting issued tokens) with counter mode.  Control, over
the same HTTPS port (no signature):

  GET  /_stats    {"ecr": n, "ecr-public": n, "secretsmanager": n, "sts": n,
                   "rejected": n, "injected": n, "total": n}
  POST /_control  JSON object, any of:
        fail        answer the next N AWS calls with a failure, then succeed
        fail_kind   "500" (ServerException), "throttle" (ThrottlingException,
                    HTTP 400), "garbage" (200 with a body that is not JSON),
                    "truncated" (200, JSON cut short), "access" (400
                    AccessDeniedException, not retryable), "reset" (the
                    headers and part of the body, then a TCP reset)
        delay       seconds to sleep before answering an AWS call
        lifetime    seconds a token lives (default 43200)
        expires_format  "number" (default) or "iso"
        password    the token password; counter (bool): append "-<n>"
        reset       true: zero the counters
"""
import argparse
import base64
import datetime
import io
import json
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
PUBLIC_TARGET = "SpencerFrontendService.GetAuthorizationToken"
SM_TARGET = "secretsmanager.GetSecretValue"
SKEW_MAX = 300
AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/,]+)/(\d{8})/([^/,]+)/([^/,]+)/aws4_request, "
    r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$"
)

LOCK = threading.Lock()
STATE = {
    "fail": 0,
    "fail_kind": "500",
    "delay": 0.0,
    "lifetime": 43200,
    "expires_format": "number",
    "password": "standin-password",
    "counter": False,
    "issued": 0,
}
COUNTS = {"ecr": 0, "ecr-public": 0, "secretsmanager": 0, "sts": 0, "rejected": 0,
          "injected": 0, "total": 0}
KEYS = {}  # access key id -> (secret, session token or None)
SECRETS = {}
LOG = None


class AwsError(Exception):
    def __init__(self, status, kind, message):
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


def log(msg):
    if LOG:
        with open(LOG, "a") as f:
            f.write(msg + "\n")


def count(name):
    with LOCK:
        COUNTS[name] += 1
        COUNTS["total"] += 1


def iso(t):
    return datetime.datetime.utcfromtimestamp(t).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- SigV4 verification with botocore ------------------------------------

def verify(handler, body, service, region=None, required=()):
    """Recomputes the request's signature with botocore; raises AwsError."""
    auth = handler.headers.get("Authorization", "")
    m = AUTH_RE.match(auth)
    if not m:
        raise AwsError(403, "MissingAuthenticationTokenException",
                       "Request is missing Authentication Token")
    akid, day, sregion, sservice, signed, signature = m.groups()
    if akid not in KEYS:
        raise AwsError(403, "UnrecognizedClientException",
                       "The security token included in the request is invalid.")
    secret, token = KEYS[akid]
    sent_token = handler.headers.get("X-Amz-Security-Token")
    if token != sent_token:
        raise AwsError(403, "UnrecognizedClientException",
                       "The security token included in the request is invalid.")
    if sservice != service or (region and sregion != region):
        raise AwsError(403, "InvalidSignatureException",
                       "Credential should be scoped to correct service/region: '%s/%s'"
                       % (region or sregion, service))
    amz_date = handler.headers.get("X-Amz-Date", "")
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    except ValueError:
        raise AwsError(403, "IncompleteSignatureException", "X-Amz-Date is missing or bad")
    skew = abs((when - datetime.datetime.utcnow()).total_seconds())
    if skew > SKEW_MAX or day != amz_date[:8]:
        raise AwsError(403, "InvalidSignatureException", "Signature expired: %s" % amz_date)
    names = signed.split(";")
    for need in ("host", "x-amz-date") + tuple(required) + (
            ("x-amz-security-token",) if sent_token else ()):
        if need not in names:
            raise AwsError(403, "InvalidSignatureException",
                           "header %s must be signed" % need)
    headers = {}
    for name in names:
        if name in ("x-amz-date", "x-amz-security-token"):
            continue  # botocore adds them from the context and the credentials
        values = handler.headers.get_all(name)
        if values is None:
            raise AwsError(403, "InvalidSignatureException", "signed header %s missing" % name)
        headers[name] = ",".join(values)
    url = "https://%s%s" % (handler.headers.get("Host", ""), handler.path)
    req = AWSRequest(method=handler.command, url=url, headers=headers, data=body)
    signer = SigV4Auth(Credentials(akid, secret, token), sservice, sregion)
    req.context["timestamp"] = amz_date
    signer._modify_request_before_signing(req)
    if signer.signed_headers(signer.headers_to_sign(req)) != signed:
        raise AwsError(403, "InvalidSignatureException", "SignedHeaders do not match")
    canonical = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, canonical), req)
    if expected != signature:
        raise AwsError(403, "InvalidSignatureException",
                       "The request signature we calculated does not match the signature "
                       "you provided. Check your AWS Secret Access Key and signing method. "
                       "Consult the service documentation for details.")
    return akid


# ---- the calls ------------------------------------------------------------

def next_password():
    with LOCK:
        STATE["issued"] += 1
        if STATE["counter"]:
            return "%s-%d" % (STATE["password"], STATE["issued"])
        return STATE["password"]


def expires_value(t):
    return iso(t) if STATE["expires_format"] == "iso" else float(t) + 0.25


def injected():
    """The failure to inject, if any: (status, body bytes)."""
    with LOCK:
        if STATE["fail"] <= 0:
            return None
        STATE["fail"] -= 1
        kind = STATE["fail_kind"]
    count("injected")
    if kind == "throttle":
        return 400, json.dumps({"__type": "ThrottlingException",
                                "message": "Rate exceeded"}).encode()
    if kind == "garbage":
        return 200, b"<html>not json</html>"
    if kind == "truncated":
        return 200, b'{"authorizationData":[{"authorizationToken":"QVdT'
    if kind == "reset":
        return None, b'{"authorizationData":[{"authorizationToken":"QVdT'
    if kind == "access":
        return 400, json.dumps({"__type": "AccessDeniedException",
                                "message": "User is not authorized"}).encode()
    return 500, json.dumps({"__type": "ServerException", "message": "injected failure"}).encode()


def token_entry(registry_id, region, public):
    password = next_password()
    token = base64.b64encode(("AWS:" + password).encode()).decode()
    expires = int(time.time()) + int(STATE["lifetime"])
    entry = {"authorizationToken": token, "expiresAt": expires_value(expires)}
    if not public:
        entry["proxyEndpoint"] = "https://%s.dkr.ecr.%s.amazonaws.com" % (registry_id, region)
    return entry


def get_token(handler, body, public):
    if public:
        verify(handler, body, "ecr-public", "us-east-1", ("content-type", "x-amz-target"))
        count("ecr-public")
        return {"authorizationData": token_entry(None, None, True)}
    verify(handler, body, "ecr", None, ("content-type", "x-amz-target"))
    count("ecr")
    region = AUTH_RE.match(handler.headers["Authorization"]).group(3)
    doc = json.loads(body or b"{}")
    ids = doc.get("registryIds") or ["000000000000"]
    if not all(isinstance(i, str) and re.fullmatch(r"\d{12}", i) for i in ids):
        raise AwsError(400, "InvalidParameterException", "Invalid parameter at 'registryIds'")
    return {"authorizationData": [token_entry(i, region, False) for i in ids]}


def get_secret(handler, body):
    verify(handler, body, "secretsmanager", None, ("content-type", "x-amz-target"))
    count("secretsmanager")
    sid = json.loads(body or b"{}").get("SecretId")
    if sid not in SECRETS:
        raise AwsError(400, "ResourceNotFoundException",
                       "Secrets Manager can't find the specified secret.")
    return {"ARN": "arn:aws:secretsmanager:us-west-2:123456789012:secret:%s-AbCdEf" % sid,
            "Name": sid, "SecretString": SECRETS[sid], "VersionId": str(uuid.uuid4()),
            "CreatedDate": time.time()}


def sts_credentials(duration):
    akid = "ASIA" + uuid.uuid4().hex[:16].upper()
    secret = base64.b64encode(os.urandom(30)).decode()
    token = "standin-session-" + uuid.uuid4().hex
    with LOCK:
        KEYS[akid] = (secret, token)
    return akid, secret, token, iso(int(time.time()) + duration)


def sts_xml(action, akid, secret, token, expires, arn):
    return ("<%sResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><%sResult>"
            "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
            "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
            "<AssumedRoleUser><Arn>%s</Arn><AssumedRoleId>AROA:standin</AssumedRoleId>"
            "</AssumedRoleUser></%sResult><ResponseMetadata><RequestId>%s</RequestId>"
            "</ResponseMetadata></%sResponse>"
            % (action, action, akid, secret, token, expires, arn, action, uuid.uuid4(),
               action)).encode()


def sts(handler, body):
    form = dict(urllib.parse.parse_qsl(body.decode()))
    action = form.get("Action", "")
    if action == "AssumeRole":
        verify(handler, body, "sts", None, ())
    elif action != "AssumeRoleWithWebIdentity":
        raise AwsError(400, "InvalidAction", "Could not find operation %s" % action)
    elif not form.get("WebIdentityToken"):
        raise AwsError(400, "InvalidIdentityToken", "no token")
    count("sts")
    akid, secret, token, expires = sts_credentials(int(form.get("DurationSeconds", 3600)))
    return sts_xml(action, akid, secret, token, expires, form.get("RoleArn", ""))


# ---- HTTP -------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, data, ctype="application/x-amz-json-1.1"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(data)

    def reset(self, part):
        """Promises a longer body, sends part of it, then resets the connection."""
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(part) + 1000))
        self.end_headers()
        self.wfile.write(part)
        self.wfile.flush()
        self.close_connection = True
        # SO_LINGER 0: close() sends an RST, no TLS close_notify, no FIN.
        self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.request.close()
        self.wfile = io.BytesIO()  # finish() flushes into nothing

    def do_GET(self):
        if self.path == "/_stats":
            with LOCK:
                data = json.dumps(COUNTS).encode()
            self.reply(200, data, "application/json")
        else:
            self.reply(404, b"{}", "application/json")

    def control(self, body):
        doc = json.loads(body or b"{}")
        with LOCK:
            if doc.pop("reset", False):
                for k in COUNTS:
                    COUNTS[k] = 0
                STATE["issued"] = 0
            for k, v in doc.items():
                if k not in STATE:
                    raise ValueError("unknown control key %s" % k)
                STATE[k] = v
        self.reply(200, b"{}", "application/json")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        if self.path == "/_control":
            return self.control(body)
        target = self.headers.get("X-Amz-Target", "")
        log("%s %s %s" % (self.command, self.path, target or "sts"))
        if STATE["delay"]:
            time.sleep(float(STATE["delay"]))
        try:
            fail = injected()
            if fail and fail[0] is None:
                return self.reset(fail[1])
            if fail:
                return self.reply(fail[0], fail[1])
            if target == ECR_TARGET:
                out = json.dumps(get_token(self, body, False)).encode()
            elif target == PUBLIC_TARGET:
                out = json.dumps(get_token(self, body, True)).encode()
            elif target == SM_TARGET:
                out = json.dumps(get_secret(self, body)).encode()
            elif not target:
                return self.reply(200, sts(self, body), "text/xml")
            else:
                raise AwsError(400, "UnknownOperationException", "unknown target")
            self.reply(200, out)
        except AwsError as e:
            count("rejected")
            log("  -> %d %s: %s" % (e.status, e.kind, e.message))
            if not target:
                xml = ("<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s"
                       "</Message></Error></ErrorResponse>" % (e.kind, e.message)).encode()
                return self.reply(e.status, xml, "text/xml")
            self.reply(e.status, json.dumps({"__type": e.kind, "message": e.message}).encode())

    def log_message(self, *args):
        pass


def main():
    global LOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--access", action="append", default=[])
    ap.add_argument("--password")
    ap.add_argument("--secret", action="append", default=[])
    ap.add_argument("--log")
    args = ap.parse_args()
    LOG = args.log
    for a in args.access:
        parts = a.split(":", 2)
        KEYS[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else None)
    for s in args.secret:
        name, _, value = s.partition("=")
        SECRETS[name] = value
    if args.password:
        STATE["password"] = args.password
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                    do_handshake_on_connect=False)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
