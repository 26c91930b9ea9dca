#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run every age test vector (tests/data/age/vectors, C2SP CCTV) through the
age-decrypt harness and check the result class, the plaintext hash, that
failures print exactly one stderr line and never any plaintext.

Usage: age-run.py AGE_DECRYPT VECTORS_DIR

Vectors are grouped as tests/data/age/README.md describes:
  A  has an X25519 identity        must give exactly its `expect`
  B  no identity, no passphrase    header failure (an empty age file)
  C  scrypt passphrase only        we do not implement scrypt: the clear
                                   "passphrase (scrypt) ... not supported"
                                   refusal, or the generic header/no-match
                                   result the README names for three of them
  D  hybrid ML-KEM identity only   we do not implement mlkem768x25519: no
                                   match naming it as not supported, except
                                   the two the README singles out
Groups B, C and D run with the main test key, which matches no stanza there.
An scrypt stanza beside any other stanza is a header failure (the spec's
"MUST be the only stanza"; scrypt_and_x25519, scrypt_double), which the README
accepts and we assert exactly.
Extra checks: every binary group-A vector under 1 MiB (all but the three
16 MiB streams) again as one-line base64, and an identity file holding a
post-quantum identity is refused.
"""
import base64
import hashlib
import os
import subprocess
import sys
import tempfile
import zlib

MAIN_KEY = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
MAIN_RECIPIENT = "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef"
PQ_KEY = "AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A7PU2LHT8EH9W6YLNC3SW78XKG"
KNOWN_KEYS = {"expect", "payload", "file key", "identity", "passphrase", "armored",
              "comment", "compressed"}
FAILURES = {"header failure", "no match", "HMAC failure", "payload failure", "armor failure"}
UNSUPPORTED_SCRYPT = ("no match", ("passphrase (scrypt)", "not supported"))
SCRYPT_NOT_ALONE = ("header failure", ("scrypt", "only stanza"))
UNSUPPORTED_HYBRID = ("no match", ("mlkem768x25519", "not supported"))

# Result class from the harness's one stderr line (see src/age.h).
PREFIXES = [
    ("malformed armor", "armor failure"),
    ("malformed header", "header failure"),
    ("no identity matches", "no match"),
    ("header MAC mismatch", "HMAC failure"),
    ("payload", "payload failure"),
]


class Vector:
    def __init__(self, name, raw):
        self.name = name
        head, sep, body = raw.partition(b"\n\n")
        if not sep:
            raise ValueError("no blank line after the text header")
        self.fields = {}
        for line in head.decode("ascii").split("\n"):
            key, sep, value = line.partition(": ")
            if not sep or key not in KNOWN_KEYS:
                raise ValueError("unknown header line %r" % line)
            self.fields.setdefault(key, []).append(value)
        if self.get("compressed") == "zlib":
            body = zlib.decompress(body)
        elif self.get("compressed") is not None:
            raise ValueError("unknown compression %r" % self.get("compressed"))
        self.age = body
        self.expect = self.get("expect")
        if self.expect != "success" and self.expect not in FAILURES:
            raise ValueError("unknown expect %r" % self.expect)
        ids = self.fields.get("identity", [])
        self.x25519 = [i for i in ids if i.startswith("AGE-SECRET-KEY-1")]
        self.pq = [i for i in ids if i.startswith("AGE-SECRET-KEY-PQ-1")]
        if len(self.x25519) + len(self.pq) != len(ids):
            raise ValueError("identity of unknown type")

    def get(self, key):
        values = self.fields.get(key)
        return values[0] if values else None

    def group(self):
        if self.x25519:
            return "A"
        if self.pq:
            return "D"
        if "passphrase" in self.fields:
            return "C"
        return "B"


def expected(v):
    """What our X25519-only decryptor must do: a list of accepted outcomes,
    each "success" or (class, substrings the message must contain)."""
    group = v.group()
    if group == "A":
        if v.name == "scrypt_and_x25519":
            return [SCRYPT_NOT_ALONE]
        if v.expect == "success":
            return ["success"]
        return [(v.expect, ())]
    if group == "B":
        return [("header failure", ())]
    if group == "C":
        if v.name == "scrypt_not_canonical_body":
            return [("header failure", ())]
        if v.name == "scrypt_uppercase":
            return [("no match", ())]
        if v.name == "scrypt_double":
            return [SCRYPT_NOT_ALONE]
        return [UNSUPPORTED_SCRYPT]
    if v.name == "hybrid_not_canonical_body":
        return [("header failure", ())]
    if v.name == "hybrid_uppercase":
        return [("no match", ())]
    return [UNSUPPORTED_HYBRID]


def classify(line):
    msg = line[len("age-decrypt: "):] if line.startswith("age-decrypt: ") else line
    for prefix, cls in PREFIXES:
        if msg.startswith(prefix):
            return cls, msg
    return "unclassified", msg


def identity_file(tmp, name, keys, keygen_style):
    path = os.path.join(tmp, name + ".key")
    lines = []
    if keygen_style:
        lines += ["# created: 2024-01-01T00:00:00Z", "# public key: " + MAIN_RECIPIENT, ""]
    lines += keys
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def run(harness, keyfile, data):
    return subprocess.run([harness, keyfile], input=data, capture_output=True, timeout=120)


def check(proc, accepted, payload):
    """None when proc matches one accepted outcome, else why not."""
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode == 0:
        if "success" not in accepted:
            return "succeeded, wanted %s" % accepted[0][0]
        if err:
            return "success with stderr output %r" % err
        got = hashlib.sha256(proc.stdout).hexdigest()
        return None if got == payload else "payload hash %s, want %s" % (got, payload)
    if proc.returncode != 1:
        return "exit status %d" % proc.returncode
    if proc.stdout:
        return "failure released %d bytes of plaintext" % len(proc.stdout)
    if not err.endswith("\n") or err.count("\n") != 1:
        return "stderr is not exactly one line: %r" % err
    cls, msg = classify(err.rstrip("\n"))
    for want in accepted:
        if want != "success" and cls == want[0] and all(s in msg for s in want[1]):
            return None
    return "%s (%r), wanted %s" % (cls, msg, " or ".join(
        "success" if w == "success" else w[0] + (" naming %s" % "/".join(w[1]) if w[1] else "")
        for w in accepted))


class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def result(self, name, problem):
        if problem is None:
            self.passed += 1
            print("ok %s" % name)
        else:
            self.failed += 1
            print("FAIL %s: %s" % (name, problem))


def run_vector(r, harness, tmp, index, v):
    keys = v.x25519 if v.group() == "A" else [MAIN_KEY]
    keyfile = identity_file(tmp, v.name, keys, keygen_style=index % 2 == 1)
    accepted = expected(v)
    payload = v.get("payload")
    r.result("%s [%s]" % (v.name, v.group()), check(run(harness, keyfile, v.age), accepted,
                                                     payload))
    if v.group() == "A" and v.get("armored") is None and 0 < len(v.age) < 1 << 20:
        one_line = base64.b64encode(v.age) + b"\n"
        r.result("%s [A, base64]" % v.name, check(run(harness, keyfile, one_line), accepted,
                                                   payload))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: age-run.py AGE_DECRYPT VECTORS_DIR")
    harness, vdir = sys.argv[1], sys.argv[2]
    r = Runner()
    groups = {}
    with tempfile.TemporaryDirectory() as tmp:
        for index, name in enumerate(sorted(os.listdir(vdir))):
            with open(os.path.join(vdir, name), "rb") as f:
                raw = f.read()
            try:
                v = Vector(name, raw)
            except (ValueError, UnicodeDecodeError, zlib.error) as e:
                r.result(name, "cannot parse vector: %s" % e)
                continue
            groups[v.group()] = groups.get(v.group(), 0) + 1
            run_vector(r, harness, tmp, index, v)
        pq = identity_file(tmp, "pq-identity", [PQ_KEY], keygen_style=True)
        proc = run(harness, pq, b"")
        r.result("pq identity refused", None if proc.returncode == 1 and not proc.stdout
                 and b"unsupported identity type" in proc.stderr
                 and proc.stderr.count(b"\n") == 1 else "got %r" % proc.stderr)
    print("vectors by group: %s" % ", ".join("%s=%d" % kv for kv in sorted(groups.items())))
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
