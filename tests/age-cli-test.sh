#!/bin/sh
# SPDX-License-Identifier: MIT
# Interoperability of src/age.c with the real age CLI (Debian package age):
# files made by age and age-keygen must decrypt through the harness, and
# every kind of damage or unsupported recipient must fail with one line on
# stderr and nothing on stdout.  ssh-keygen (openssh-client) and script
# (util-linux) add cases when present.  Fails without age: CI installs it.
#
# Usage: age-cli-test.sh AGE_DECRYPT
set -u

harness=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
for prog in age age-keygen; do
	if ! command -v "$prog" >/dev/null 2>&1; then
		echo "error: $prog not found (run sh .ci/install-deps)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok $1"
}

bad() {
	failed=$((failed + 1))
	echo "FAIL $1: $2"
}

# expect_ok NAME KEY FILE WANT: FILE decrypts to exactly WANT, stderr empty.
expect_ok() {
	if "$harness" "$2" <"$3" >"$tmp/out" 2>"$tmp/err" && cmp -s "$tmp/out" "$4" &&
		[ ! -s "$tmp/err" ]; then
		ok "$1"
	else
		bad "$1" "$(cat "$tmp/err")"
	fi
}

# expect_fail NAME KEY FILE TEXT...: exit 1, no stdout, one stderr line
# containing every TEXT.
expect_fail() {
	name=$1 key=$2 file=$3
	shift 3
	"$harness" "$key" <"$file" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	why="exit $rc, $(wc -c <"$tmp/out") bytes out, stderr: $(cat "$tmp/err")"
	if [ "$rc" -ne 1 ] || [ -s "$tmp/out" ] || [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		bad "$name" "$why"
		return
	fi
	for text in "$@"; do
		if ! grep -qF -- "$text" "$tmp/err"; then
			bad "$name" "no \"$text\" in: $(cat "$tmp/err")"
			return
		fi
	done
	ok "$name: $(cat "$tmp/err")"
}

# put_byte FILE OFFSET CHAR: overwrite one byte in place.
put_byte() {
	printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

cd "$tmp" || exit 1
age-keygen -o key 2>/dev/null
age-keygen -o key2 2>/dev/null
age-keygen -o other 2>/dev/null
pub=$(age-keygen -y key)
pub2=$(age-keygen -y key2)
printf 'hunter2' >plain
: >empty
head -c 200000 /dev/urandom >big
head -c 65536 /dev/urandom >chunk
head -c 131072 /dev/urandom >chunk2

# ---- files age makes ----
age -r "$pub" -o bin.age plain
expect_ok "binary" key bin.age plain
age -r "$pub" -a -o armor.age plain
expect_ok "armored" key armor.age plain
base64 -w0 bin.age >oneline.b64
expect_ok "one-line base64" key oneline.b64 plain
sed 's/$/\r/' armor.age >crlf.age
expect_ok "armored, CRLF lines" key crlf.age plain
{
	printf '\n  \t'
	cat armor.age
	printf '\n\n'
} >spaced.age
expect_ok "armored, whitespace around" key spaced.age plain
age -r "$pub" -o big.age big
expect_ok "200000-byte payload (4 chunks)" key big.age big
age -r "$pub" -a -o big-armor.age big
expect_ok "200000-byte payload, armored" key big-armor.age big
age -r "$pub" -o chunk.age chunk
expect_ok "65536-byte payload (full final chunk)" key chunk.age chunk
age -r "$pub" -o chunk2.age chunk2
expect_ok "131072-byte payload (two full chunks)" key chunk2.age chunk2
age -r "$pub" -o empty.age empty
expect_ok "empty payload" key empty.age empty
age -r "$pub2" -r "$pub" -o multi.age plain
expect_ok "multiple recipients, second key" key multi.age plain
expect_ok "multiple recipients, first key" key2 multi.age plain
{
	cat other
	echo
	cat key
} >both
chmod 600 both
expect_ok "identity file with two keys" both bin.age plain
age -e -i key -a -o self.age plain
expect_ok "age -e -i (identity's own recipient)" key self.age plain

# ---- damage ----
expect_fail "wrong identity" other bin.age "no identity matches"
cp bin.age mac.age
mac_at=$(grep -abo -e '--- ' mac.age | head -n 1 | cut -d: -f1)
at=$((mac_at + 10))
if [ "$(dd if=mac.age bs=1 skip="$at" count=1 status=none)" = A ]; then c=B; else c=A; fi
put_byte mac.age "$at" "$c"
expect_fail "tampered header MAC" key mac.age "header MAC mismatch"
cp big.age payload.age
put_byte payload.age 100000 "$(dd if=big.age bs=1 skip=100000 count=1 status=none | tr '\0-\377' '\1-\377\0')"
if cmp -s big.age payload.age; then
	bad "tampered payload" "the byte did not change"
else
	expect_fail "tampered payload" key payload.age "payload authentication failed"
fi
head -c -5 bin.age >short.age
expect_fail "truncated binary" key short.age "payload"
head -c 150000 big.age >short-big.age
expect_fail "truncated binary at a chunk" key short-big.age "payload"
head -n -1 armor.age >noend.age
expect_fail "truncated armor (no END line)" key noend.age "malformed armor" "END"
head -n 3 big-armor.age >cut.age
expect_fail "truncated armor (cut in the body)" key cut.age "malformed armor"
sed '2s/^/ /' armor.age >indent.age
expect_fail "armor line with leading space" key indent.age "malformed armor"
{
	cat armor.age
	echo trailing
} >trail.age
expect_fail "data after the armor" key trail.age "malformed armor" "after the END"

# ---- recipient types we do not implement ----
if command -v script >/dev/null 2>&1 &&
	printf 'pw\npw\n' | script -qec 'age -p -a -o pass.age plain' /dev/null >/dev/null 2>&1 &&
	[ -s pass.age ]; then
	expect_fail "scrypt passphrase (age -p)" key pass.age "passphrase (scrypt)" "not supported"
else
	echo "note: no 'script' pty (util-linux); scrypt is covered by the vectors only"
fi
if command -v ssh-keygen >/dev/null 2>&1; then
	ssh-keygen -q -t ed25519 -N '' -C test -f ssh-ed
	age -R ssh-ed.pub -o ssh-ed.age plain
	expect_fail "ssh-ed25519 recipient" key ssh-ed.age "ssh-ed25519" "not supported"
	ssh-keygen -q -t rsa -b 2048 -N '' -C test -f ssh-rsa
	age -R ssh-rsa.pub -o ssh-rsa.age plain
	expect_fail "ssh-rsa recipient" key ssh-rsa.age "ssh-rsa" "not supported"
	age -R ssh-ed.pub -r "$pub" -o mixed.age plain
	expect_ok "ssh-ed25519 and X25519 recipients" key mixed.age plain
	expect_fail "ssh private key as identity" ssh-ed bin.age "unsupported identity type"
else
	echo "note: ssh-keygen not found (openssh-client); ssh-ed25519/ssh-rsa cases skipped"
fi

# ---- identity file checks ----
for mode in 644 640 604 660 400; do
	cp key "key$mode"
	chmod "$mode" "key$mode"
done
expect_fail "world-readable identity refused" key644 bin.age "bad owner or permissions" "chmod 600"
expect_fail "group-readable identity refused" key640 bin.age "bad owner or permissions"
expect_fail "other-readable identity refused" key604 bin.age "bad owner or permissions"
expect_fail "group-writable identity refused" key660 bin.age "bad owner or permissions"
expect_ok "mode 400 identity accepted" key400 bin.age plain
if [ "$(id -u)" -eq 0 ] && chown 65534 key400 2>/dev/null; then
	expect_fail "identity owned by another user refused" key400 bin.age "bad owner"
fi
expect_fail "missing identity file" "$tmp/nope" bin.age "cannot open"
printf '# only a comment\n' >nokey
chmod 600 nokey
expect_fail "identity file without keys" nokey bin.age "no identities"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
