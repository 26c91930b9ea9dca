#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs every toml-test case through a decoder.

Usage: toml-test-run.py DECODER DATA_DIR [CASE...]

valid/**/NAME.toml must decode (exit 0, empty stderr) to JSON equal to
NAME.json; invalid/**/NAME.toml must be rejected with exit status 1 and one
line on stderr.  Comparison follows the upstream runner as described in
DATA_DIR/README.md.  Prints "N passed, N failed" last; exits 1 on failure.
"""

import calendar
import json
import math
import os
import re
import subprocess
import sys

TIMEOUT = 10
DATETIME_TYPES = ("datetime", "datetime-local", "date-local", "time-local")
DATETIME_RE = re.compile(
    r"^(?:(\d{4})-(\d{2})-(\d{2}))?T?"
    r"(?:(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?"
    r"(Z|[+-]\d{2}:\d{2})?$"
)


def parse_datetime(text):
    """A comparable key: (instant or local fields), or None when malformed."""
    text = text.replace(" ", "T").replace("t", "T").replace("z", "Z")
    m = DATETIME_RE.match(text)
    if not m:
        return None
    year, month, day, hour, minute, second, frac, zone = m.groups()
    nanos = int((frac or "0")[:9].ljust(9, "0"))
    fields = [int(x) if x else 0 for x in (year, month, day, hour, minute, second)]
    if zone is None:
        return ("local", tuple(fields), nanos)
    offset = 0
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        offset = sign * (int(zone[1:3]) * 60 + int(zone[4:6]))
    seconds = calendar.timegm(tuple(fields) + (0, 0, 0)) - offset * 60
    return ("instant", seconds, nanos)


def float_equal(want, got):
    try:
        w, g = float(want), float(got)
    except ValueError:
        return False
    if math.isnan(w) or math.isnan(g):
        return math.isnan(w) and math.isnan(g)
    return w == g


def leaf_equal(want, got):
    kind = want["type"]
    if got.get("type") != kind:
        return False
    w, g = want["value"], got.get("value")
    if not isinstance(g, str):
        return False
    if kind == "float":
        return float_equal(w, g)
    if kind == "bool":
        return w.lower() == g.lower()
    if kind in DATETIME_TYPES:
        pw, pg = parse_datetime(w), parse_datetime(g)
        return pw is not None and pw == pg
    return w == g


def is_leaf(v):
    return isinstance(v, dict) and set(v) == {"type", "value"}


def diff(want, got, path="$"):
    """None when equal, else a description of the first difference."""
    if is_leaf(want):
        if isinstance(got, dict) and leaf_equal(want, got):
            return None
        return f"{path}: want {want!r}, got {got!r}"
    if isinstance(want, dict):
        if not isinstance(got, dict) or is_leaf(got):
            return f"{path}: want a table, got {got!r}"
        if set(want) != set(got):
            missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
            return f"{path}: keys differ: missing {missing}, extra {extra}"
        for k in want:
            d = diff(want[k], got[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return f"{path}: want an array of {len(want)}, got {got!r}"
        for i, (w, g) in enumerate(zip(want, got)):
            d = diff(w, g, f"{path}[{i}]")
            if d:
                return d
        return None
    return f"{path}: unexpected expected-value {want!r}"


def run(decoder, toml_path):
    with open(toml_path, "rb") as f:
        data = f.read()
    return subprocess.run([decoder], input=data, capture_output=True, timeout=TIMEOUT)


def check_valid(decoder, toml_path):
    json_path = toml_path[: -len(".toml")] + ".json"
    with open(json_path, "rb") as f:
        want = json.loads(f.read().decode("utf-8"))
    proc = run(decoder, toml_path)
    if proc.returncode != 0 or proc.stderr:
        return f"exit {proc.returncode}, stderr {proc.stderr.decode(errors='replace').strip()!r}"
    try:
        got = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return f"bad JSON output: {e}"
    return diff(want, got)


def check_invalid(decoder, toml_path):
    proc = run(decoder, toml_path)
    if proc.returncode != 1:
        return f"exit {proc.returncode} (want 1)"
    lines = proc.stderr.decode(errors="replace").splitlines()
    if len(lines) != 1 or not lines[0].strip():
        return f"want one line on stderr, got {lines!r}"
    return None


def cases(data_dir):
    for kind in ("valid", "invalid"):
        for top, dirs, files in os.walk(os.path.join(data_dir, kind)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".toml"):
                    path = os.path.join(top, name)
                    yield kind, os.path.relpath(path, data_dir)[: -len(".toml")], path


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: toml-test-run.py DECODER DATA_DIR [CASE...]\n")
        return 2
    decoder, data_dir, only = os.path.abspath(argv[1]), argv[2], set(argv[3:])
    passed = failed = 0
    for kind, name, path in cases(data_dir):
        if only and name not in only:
            continue
        try:
            check = check_valid if kind == "valid" else check_invalid
            problem = check(decoder, path)
        except subprocess.TimeoutExpired:
            problem = f"timed out after {TIMEOUT}s"
        if problem:
            failed += 1
            print(f"FAIL {name}: {problem}")
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
