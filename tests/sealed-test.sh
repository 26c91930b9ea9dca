#!/bin/bash
# SPDX-License-Identifier: MIT
# Age-encrypted ("sealed") values through the real executable: passwords in
# a static credentials file and values of env-backend variables, encrypted by
# the real age CLI (armored, and the binary file base64-encoded on one line),
# decrypt through `get` by way of the helper dcr-age; every failure (no
# identity, wrong identity, tampered header MAC or payload, truncated armor,
# scrypt and ssh recipients, a group-readable identity) is one clear line on
# stdout with exit status 1 and never the plaintext; debug logs never hold
# the plaintext or the identity; the front never links libcrypto.
#
# Usage: sealed-test.sh ROUTER   (dcr-age must sit next to ROUTER, as in the
# build tree).  Fails when age or age-keygen is missing (CI installs them).

# shellcheck source=lib-personality.sh
. "$(dirname "$0")/lib-personality.sh"
lib_init "$1"
unset DBUS_SESSION_BUS_ADDRESS

for prog in age age-keygen base64 ldd; do
    command -v "$prog" >/dev/null 2>&1 || {
        echo "error: $prog not found (run sh .ci/install-deps)" >&2
        exit 1
    }
done

NL=$'\n'
NO_ID_HINT="(set identity_file or DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY)"
D=$T/config/docker-credential-router
mkdir -p "$D"
CFG=$D/config.toml
CREDS=$D/credentials.toml
KEY=$D/key.txt
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$CFG

age-keygen -o "$KEY" 2>/dev/null
chmod 600 "$KEY"
RCPT=$(age-keygen -y "$KEY")
# shellcheck disable=SC2034 # read inside eval
SECRET_KEY=$(grep '^AGE-SECRET-KEY-' "$KEY")
age-keygen -o "$T/other.txt" 2>/dev/null
chmod 600 "$T/other.txt"
OTHER_RCPT=$(age-keygen -y "$T/other.txt")

PASS="sealed-Pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
ENV_PASS="env-Pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
ARMORED=$(printf %s "$PASS" | age -r "$RCPT" -a)
ONE_LINE=$(printf %s "$PASS" | age -r "$RCPT" | base64 -w0)
ENV_ONE_LINE=$(printf %s "$ENV_PASS" | age -r "$RCPT" | base64 -w0)
ENV_ARMORED=$(printf '%s\n' "$ENV_PASS" | age -r "$RCPT" -a) # echo-style: one \n dropped
WRONG_KEY=$(printf %s "$PASS" | age -r "$OTHER_RCPT" | base64 -w0)

# The binary file with the header MAC's first character replaced by another
# base64 character (mac), or the payload's last byte flipped (payload).
tamper() { # BASE64 mac|payload
    printf %s "$1" | base64 -d | /usr/bin/python3 -c '
import sys
data = bytearray(sys.stdin.buffer.read())
if sys.argv[1] == "mac":
    at = data.index(b"\n--- ") + 5
    data[at] = ord("B") if data[at] == ord("A") else ord("A")
else:
    data[-1] ^= 0x01
sys.stdout.buffer.write(bytes(data))' "$2" | base64 -w0
}
BAD_MAC=$(tamper "$ONE_LINE" mac)
BAD_PAYLOAD=$(tamper "$ONE_LINE" payload)
TRUNCATED=$(printf '%s\n' "$ARMORED" | head -n 2)

# credentials.toml with one entry per form; TOML literal strings keep armor verbatim.
write_creds() { # EXTRA-PASSWORD-FOR-registry9
    cat >"$CREDS" <<EOF
[registry1]
repo = "armored.example"
username = "arm"
password = '''
$ARMORED
'''

[registry2]
repo = "oneline.example"
username = "one"
password = "$ONE_LINE"

[registry3]
repo = "plain.example"
username = "plain"
password = "plain-pass"

[registry9]
repo = "broken.example"
username = "broken"
password = "$1"
EOF
    chmod 600 "$CREDS"
}

write_config() { # TOP-LEVEL-LINES
    cat >"$CFG" <<EOF
$1

[[route]]
name = "files"
match = ["*.example"]
backend = "static"
file = "credentials.toml"

[[route]]
name = "vars"
match = ["env.test", "env2.test"]
backend = "env"
EOF
    chmod 600 "$CFG"
}

# Every run's stderr (and the operator verbs' stdout) is kept for the last check.
logged() {
    run "$@"
    printf '%s' "$ERR" >>"$T/logs"
}

get() { # KEY
    printf '%s\n' "$1" >"$T/in"
    STDIN=$T/in logged "$ROUTER" get
}

want_json() { # KEY USER SECRET
    printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "$1" "$2" "$3"
}

# expect_error NAME TEXT...: exit 1, one line on stdout holding every TEXT,
# no plaintext on stdout or stderr.
expect_error() {
    local name=$1 text
    shift
    if [ "$RC" != 1 ] || [ "$(printf %s "$OUT" | wc -l)" != 1 ]; then
        lib_fail "$name" "status $RC, stdout: $OUT" "stderr: $ERR"
        return
    fi
    for text in "$@"; do
        if [[ $OUT != *"$text"* ]]; then
            lib_fail "$name" "no \"$text\" in: $OUT"
            return
        fi
    done
    if [[ $OUT$ERR == *"$PASS"* ]]; then
        lib_fail "$name" "the plaintext was printed"
        return
    fi
    lib_pass "$name"
}

# ------------------------------------------------------------ the front
if ldd "$ROUTER" | grep -E 'libcrypto|libssl|libsecret|libglib|libgio|libcurl' >"$T/ldd"; then
    lib_fail "the front links neither libcrypto nor libsecret" "$(cat "$T/ldd")"
else
    lib_pass "the front links neither libcrypto nor libsecret"
fi
AGE_HELPER=$(dirname "$ROUTER")/dcr-age
check "dcr-age sits next to the front and links libcrypto" \
    sh -c "ldd '$AGE_HELPER' | grep -q libcrypto"

# ------------------------------------------------------------ decryption
write_creds "$WRONG_KEY"
write_config 'identity_file = "key.txt"'
export DOCKER_CREDENTIAL_ROUTER_LOG=debug

get armored.example
expect "armored password in a static file" 0 "$(want_json armored.example arm "$PASS")$NL" "$ERR"
get oneline.example
expect "one-line base64 password in a static file" 0 "$(want_json oneline.example one "$PASS")$NL" "$ERR"
get plain.example
expect "a plain password keeps working" 0 "$(want_json plain.example plain plain-pass)$NL" "$ERR"
check "a plain password needs no helper run" eval '[[ $ERR != *dcr-age* ]]'
get https://oneline.example/v2/
expect "the caller's key is echoed" 0 \
    "$(want_json https://oneline.example/v2/ one "$PASS")$NL" "$ERR"

export DCR_ENV_TEST_USERNAME=envuser DCR_ENV_TEST_PASSWORD=$ENV_ONE_LINE
get env.test
expect "one-line value in an env variable" 0 "$(want_json env.test envuser "$ENV_PASS")$NL" "$ERR"
DCR_ENV2_TEST_USERNAME=$(printf %s sealed-user | age -r "$RCPT" | base64 -w0)
export DCR_ENV2_TEST_USERNAME
export DCR_ENV2_TEST_PASSWORD=$ENV_ARMORED
get env2.test
expect "armored value (echo-style newline dropped) and a sealed username" 0 \
    "$(want_json env2.test sealed-user "$ENV_PASS")$NL" "$ERR"

printf 'unused\n' >"$T/in"
STDIN=$T/in logged "$ROUTER" list
check "list shows sealed entries" eval \
    '[[ $OUT == *"\"armored.example\":\"arm\""* && $OUT == *"\"oneline.example\":\"one\""* && $OUT == *"\"env2.test\":\"sealed-user\""* ]]'

logged "$ROUTER" route armored.example
printf '%s' "$OUT" >>"$T/logs"
check "route says the password is age-encrypted" eval \
    '[[ $OUT == *"password age-encrypted (identity $KEY)"* ]]'
logged "$ROUTER" check
printf '%s' "$OUT" >>"$T/logs"
check "check reports the sealed passwords and the identity" eval \
    '[[ $OUT == *"age-encrypted passwords, identity file $KEY"* ]]'

# ------------------------------------------------------------ identities
write_config 'identity_file = "~/id/key.txt"'
mkdir -p "$HOME/id"
cp "$KEY" "$HOME/id/key.txt"
get armored.example
expect "identity_file with ~/" 0 "$(want_json armored.example arm "$PASS")$NL" "$ERR"

write_config ''
get armored.example
expect "no identity: a clear error" 1 \
    "password of [registry1] in $CREDS is age-encrypted but no identity_file is set $NO_ID_HINT$NL" "$ERR"
get env.test
expect "no identity: the variable is named" 1 \
    "DCR_ENV_TEST_PASSWORD is age-encrypted but no identity_file is set $NO_ID_HINT$NL" "$ERR"
STDIN=$T/in logged "$ROUTER" list
check "list needs no identity for sealed passwords" eval \
    '[[ $RC == 0 && $OUT == *"\"armored.example\":\"arm\""* ]]'

export DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY=$KEY
get oneline.example
expect "DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY" 0 "$(want_json oneline.example one "$PASS")$NL" "$ERR"
export CONTAINER_REGISTRY2_PASSWORD=$ENV_ONE_LINE
get oneline.example
expect "a sealed CONTAINER_REGISTRYn_PASSWORD override" 0 \
    "$(want_json oneline.example one "$ENV_PASS")$NL" "$ERR"
unset CONTAINER_REGISTRY2_PASSWORD

write_config 'identity_file = "other.txt"'
cp "$T/other.txt" "$D/other.txt"
unset DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY
get oneline.example
expect_error "wrong identity" "password of [registry2] in $CREDS: cannot decrypt (identity $D/other.txt):" \
    "no identity matches"

write_config 'identity_file = "key.txt"'
chmod 640 "$KEY"
get armored.example
expect_error "group-readable identity refused" "bad owner or permissions on $KEY (chmod 600 it)"
chmod 600 "$KEY"
write_config 'identity_file = "missing.txt"'
get armored.example
expect_error "missing identity file" "cannot open $D/missing.txt"
write_config 'identity_file = "key.txt"'

# ------------------------------------------------------------ damage
for c in "tampered header MAC|$BAD_MAC|header MAC mismatch" \
    "tampered payload|$BAD_PAYLOAD|payload" \
    "key for another recipient|$WRONG_KEY|no identity matches"; do
    IFS='|' read -r name value why <<<"$c"
    write_creds "$value"
    get broken.example
    expect_error "$name" "password of [registry9] in $CREDS: cannot decrypt (identity $KEY):" "$why"
done

cat >"$CREDS" <<EOF
[registry9]
repo = "broken.example"
username = "broken"
password = '''
$TRUNCATED'''
EOF
get broken.example
expect_error "truncated armor" "password of [registry9] in $CREDS: cannot decrypt (identity $KEY):" "malformed armor"

printf %s "$PASS" >"$T/plain"
if command -v script >/dev/null 2>&1 &&
    (cd "$T" && printf 'pw\npw\n' | script -qec 'age -p -o pass.age plain' /dev/null >/dev/null 2>&1) &&
    [ -s "$T/pass.age" ]; then
    write_creds "$(base64 -w0 <"$T/pass.age")"
    get broken.example
    expect_error "scrypt passphrase recipient" "cannot decrypt (identity $KEY):" "scrypt" "not supported"
else
    lib_fail "scrypt passphrase recipient" "cannot run age -p under script(1) (util-linux)"
fi
if command -v ssh-keygen >/dev/null 2>&1; then
    ssh-keygen -q -t ed25519 -N '' -C test -f "$T/ssh-ed"
    write_creds "$(age -R "$T/ssh-ed.pub" "$T/plain" | base64 -w0)"
    get broken.example
    expect_error "ssh-ed25519 recipient" "cannot decrypt (identity $KEY):" "ssh-ed25519" "not supported"
else
    lib_fail "ssh-ed25519 recipient" "ssh-keygen not found (run sh .ci/install-deps)"
fi

# ------------------------------------------------------------ dstack
# No config file: the embedded default's dstack route, the password sealed.
unset DOCKER_CREDENTIAL_ROUTER_CONFIG
export XDG_CONFIG_HOME=$T/empty-config DSTACK_DOCKER_REGISTRY=registry.dstack.test
export DSTACK_DOCKER_USERNAME=dstack DSTACK_DOCKER_PASSWORD=$ONE_LINE
export DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY=$KEY
get registry.dstack.test
expect "dstack: sealed DSTACK_DOCKER_PASSWORD with the identity from the environment" 0 \
    "$(want_json registry.dstack.test dstack "$PASS")$NL" "$ERR"
unset DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY
get registry.dstack.test
expect "dstack: no identity" 1 \
    "DSTACK_DOCKER_PASSWORD is age-encrypted but no identity_file is set $NO_ID_HINT$NL" "$ERR"

# ------------------------------------------------------------ secrets
check "debug stderr never held the plaintext or the identity" eval \
    '[ -s "$T/logs" ] && ! grep -qF -e "$PASS" -e "$ENV_PASS" -e sealed-user -e "$SECRET_KEY" "$T/logs"'
lib_finish
