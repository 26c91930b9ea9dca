#!/bin/bash
# SPDX-License-Identifier: MIT
# The secretservice backend against a real Secret Service: gnome-keyring in a
# private dbus-run-session (lib-keyring.sh).  Round trips, replacement on a
# second store, interop both ways with Debian's docker-credential-secretservice
# (golang-docker-credential-helpers), Docker Hub spellings and key order, the
# default-store choice (keyring when one answers, else the file), no bus and a
# locked keyring as real errors, the shared conformance suite on a
# secretservice route and default store, and no libsecret in the front.
#
# Usage: secretservice-test.sh ROUTER   (dcr-secretservice next to ROUTER)

# shellcheck source=lib-keyring.sh
. "$(dirname "$0")/lib-keyring.sh"
keyring_require docker-credential-secretservice ldd
keyring_session "$0" "$@"

# shellcheck source=lib-personality.sh
. "$(dirname "$0")/lib-personality.sh"
lib_init "$1"
TESTS=$(cd "$(dirname "$0")" && pwd)
keyring_start "$T"
LIB_PIDS="$LIB_PIDS $KEYRING_PID"

NL=$'\n'
SENTINEL="credentials not found in native keychain$NL"
THEIRS=docker-credential-secretservice
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/config.toml DOCKER_CREDENTIAL_ROUTER_LOG=debug
# shellcheck disable=SC2034 # read inside eval
FILE_STORE=$XDG_DATA_HOME/docker-credential-router/credentials.toml
: >"$T/logs"

config() { # TOML
    printf '%s\n' "$1" >"$DOCKER_CREDENTIAL_ROUTER_CONFIG"
    chmod 600 "$DOCKER_CREDENTIAL_ROUTER_CONFIG"
}

ROUTE_CONFIG='default_store = "'$T'/default-store.toml"

[[route]]
name = "keyring"
match = ["*.keyring.test", "docker.io", "ghcr.io"]
backend = "secretservice"'

# ours VERB [STDIN-TEXT] / theirs VERB [STDIN-TEXT]: run a helper, keep stderr.
ours() {
    printf '%s' "${2:-}" >"$T/in"
    STDIN=$T/in run "$ROUTER" "$1"
    printf '%s' "$ERR" >>"$T/logs"
}
theirs() {
    printf '%s' "${2:-}" >"$T/in"
    STDIN=$T/in run "$THEIRS" "$1"
}
creds() { # URL USER SECRET
    printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$1" "$2" "$3"
}

# ------------------------------------------------------------ linking
if ldd "$ROUTER" | grep -E 'libsecret|libglib|libgio|libgobject|libcrypto|libcurl' >"$T/ldd"; then
    lib_fail "the front links neither libsecret nor glib" "$(cat "$T/ldd")"
else
    lib_pass "the front links neither libsecret nor glib"
fi
check "dcr-secretservice sits next to the front and links libsecret" \
    sh -c "ldd '$(dirname "$ROUTER")/dcr-secretservice' | grep -q libsecret"

# ------------------------------------------------------------ round trips
config "$ROUTE_CONFIG"
ours store "$(creds a.keyring.test alice a-Pw-1)"
expect "store" 0 "" "$ERR"
ours get a.keyring.test
expect "get" 0 "$(creds a.keyring.test alice a-Pw-1)$NL" "$ERR"
ours list unused
check "list keys by the server attribute" eval '[[ $OUT == *"\"a.keyring.test\":\"alice\""* ]]'
ours erase a.keyring.test
expect "erase" 0 "" "$ERR"
ours get a.keyring.test
expect "get after erase is not found" 1 "$SENTINEL" "$ERR"
ours erase a.keyring.test
expect "erase again is not found" 1 "$SENTINEL" "$ERR"

ours store "$(creds b.keyring.test bob b-Pw-1)"
ours store "$(creds b.keyring.test carol b-Pw-2)"
expect "second store for the same server" 0 "" "$ERR"
check "the second store replaced the item (one item left)" \
    eval '[ "$(keyring_items b.keyring.test)" = 1 ]'
ours get b.keyring.test
expect "get answers the second store" 0 "$(creds b.keyring.test carol b-Pw-2)$NL" "$ERR"

# ------------------------------------------------------------ interop
ours store "$(creds c.keyring.test cuser c-Pw)"
theirs get c.keyring.test
expect "stored by us, read by docker-credential-secretservice" 0 \
    "$(creds c.keyring.test cuser c-Pw)$NL" ""
theirs store "$(creds d.keyring.test duser d-Pw)"
ours get d.keyring.test
expect "stored by docker-credential-secretservice, read by us" 0 \
    "$(creds d.keyring.test duser d-Pw)$NL" "$ERR"
secret-tool search --all server c.keyring.test >"$T/item" 2>&1
check "our item: Docker's schema, attributes and display label" eval \
    'grep -qx "label = Registry credentials for c.keyring.test" "$T/item" &&
     grep -qx "schema = io.docker.Credentials" "$T/item" &&
     grep -qx "attribute.label = Docker Credentials" "$T/item" &&
     grep -qx "attribute.docker_cli = 1" "$T/item" &&
     grep -qx "attribute.username = cuser" "$T/item"'
theirs list
# Their list maps display labels to usernames: ours carry Docker's newer
# "Registry credentials for URL"; 0.6.4 itself labels items with the bare URL.
check "their list shows our item by display label, theirs by URL" eval \
    '[[ $OUT == *"\"Registry credentials for c.keyring.test\":\"cuser\""* &&
        $OUT == *"\"d.keyring.test\":\"duser\""* ]]'
ours list unused
check "our list shows both by server" eval \
    '[[ $OUT == *"\"c.keyring.test\":\"cuser\""* && $OUT == *"\"d.keyring.test\":\"duser\""* ]]'
ours erase d.keyring.test
theirs get d.keyring.test
expect "erased by us, gone for them" 1 "credentials not found in native keychain$NL" ""
theirs erase c.keyring.test
ours get c.keyring.test
expect "erased by them, gone for us" 1 "$SENTINEL" "$ERR"

# ------------------------------------------------------------ spellings
theirs store "$(creds https://index.docker.io/v1/ hubuser hub-Pw)"
ours get docker.io
expect "docker.io finds Docker's https://index.docker.io/v1/ item" 0 \
    "$(creds docker.io hubuser hub-Pw)$NL" "$ERR"
ours get docker.io/library/nginx
expect "a Hub repository finds it too" 0 "$(creds docker.io/library/nginx hubuser hub-Pw)$NL" "$ERR"
ours store "$(creds docker.io podman pod-Pw)"
check "storing docker.io replaced the other spelling" eval \
    '[ "$(keyring_items https://index.docker.io/v1/)" = 0 ] && [ "$(keyring_items docker.io)" = 1 ]'
ours get https://index.docker.io/v1/
expect "docker's spelling finds the docker.io item" 0 \
    "$(creds https://index.docker.io/v1/ podman pod-Pw)$NL" "$ERR"
ours erase https://index.docker.io/v1/
expect "erase by another spelling" 0 "" "$ERR"
ours get docker.io
expect "no spelling survives the erase" 1 "$SENTINEL" "$ERR"

theirs store "$(creds ghcr.io g1 g1-Pw)"
theirs store "$(creds https://ghcr.io g2 g2-Pw)"
theirs store "$(creds ghcr.io/org g3 g3-Pw)"
ours get ghcr.io
expect "the exact key first (ghcr.io)" 0 "$(creds ghcr.io g1 g1-Pw)$NL" "$ERR"
ours get https://ghcr.io
expect "the exact key first (https://ghcr.io)" 0 "$(creds https://ghcr.io g2 g2-Pw)$NL" "$ERR"
ours get ghcr.io/org/app
expect "then the longest repository prefix" 0 "$(creds ghcr.io/org/app g3 g3-Pw)$NL" "$ERR"
ours get ghcr.io/other/app
expect "then the registry (ties: the key that sorts first)" 0 \
    "$(creds ghcr.io/other/app g1 g1-Pw)$NL" "$ERR"

# ------------------------------------------------------------ default store
config ''
"$ROUTER" route x.default.test >"$T/route" 2>&1
check "with a Secret Service, the default store is the keyring" \
    grep -q '^backend:    secretservice' "$T/route"
ours store "$(creds x.default.test xuser x-Pw)"
check "store with no route lands in the keyring" \
    eval '[ "$(keyring_items x.default.test)" = 1 ] && [ ! -e "$FILE_STORE" ]'
ours get x.default.test
expect "get with no route reads the keyring" 0 "$(creds x.default.test xuser x-Pw)$NL" "$ERR"
ours list unused
check "list with no route reads the keyring" eval '[[ $OUT == *"\"x.default.test\":\"xuser\""* ]]'

printf '%s' "$(creds y.default.test yuser y-Pw)" >"$T/in"
env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY "$ROUTER" store <"$T/in" >"$T/out" 2>>"$T/logs"
check "without a session bus, store with no route uses the file" \
    eval 'grep -q y.default.test "$FILE_STORE" && [ "$(keyring_items y.default.test)" = 0 ]'
dbus-run-session -- "$ROUTER" get <<<"y.default.test" >"$T/out" 2>>"$T/logs"
check "a bus without a Secret Service also uses the file" \
    grep -qF "$(creds y.default.test yuser y-Pw)$NL" "$T/out"

config 'default_store_backend = "static"'
ours store "$(creds z.default.test zuser z-Pw)"
check "default_store_backend = \"static\" forces the file" \
    eval 'grep -q z.default.test "$FILE_STORE" && [ "$(keyring_items z.default.test)" = 0 ]'
config 'default_store_backend = "secretservice"'
printf 'x.default.test\n' >"$T/in"
env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY "$ROUTER" get <"$T/in" >"$T/out" 2>>"$T/logs"
check "default_store_backend = \"secretservice\" without a bus is an error" eval \
    '[ "$(cat "$T/out")" != "${SENTINEL%$NL}" ] && grep -q "^default store: .*D-Bus" "$T/out"'

# ------------------------------------------------------------ no bus
config "$ROUTE_CONFIG"
printf 'b.keyring.test\n' >"$T/in"
env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY "$ROUTER" get <"$T/in" >"$T/out" 2>>"$T/logs"
RC=$?
check "no session bus: exit 1 with one line naming the route and the bus" eval \
    '[ $RC = 1 ] && [ "$(wc -l <"$T/out")" = 1 ] &&
     grep -q "^route '"'"'keyring'"'"': cannot reach the Secret Service on the D-Bus session bus: " "$T/out"'
DBUS_SESSION_BUS_ADDRESS=unix:path=$T/no-such-bus "$ROUTER" get <"$T/in" >"$T/out" 2>>"$T/logs"
RC=$?
check "a dead session bus: exit 1, not the not-found sentinel" eval \
    '[ $RC = 1 ] && [ "$(cat "$T/out")" != "${SENTINEL%$NL}" ] && grep -q "D-Bus session bus" "$T/out"'

# ------------------------------------------------------------ conformance
if bash "$TESTS/conformance.sh" "$ROUTER" "$TESTS/conformance/secretservice-route.toml" \
    "$TESTS/conformance/secretservice-default.toml" >"$T/conformance" 2>&1; then
    lib_pass "conformance.sh: $(tail -n1 "$T/conformance")"
else
    lib_fail "conformance.sh" "$(grep -v '^ok' "$T/conformance")"
fi

# ------------------------------------------------------------ locked
ours store "$(creds l.keyring.test luser l-Pw)"
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock \
    array:objpath:/org/freedesktop/secrets/collection/login >/dev/null 2>&1
ours get l.keyring.test
printf '# locked: %s' "$OUT"
check "a locked keyring: exit 1 with a reason, not the not-found sentinel" eval \
    '[ $RC = 1 ] && [ "$OUT" != "$SENTINEL" ] && [ "$(printf %s "$OUT" | wc -l)" = 1 ]'

# ------------------------------------------------------------ secrets
check "debug stderr never held a secret" eval \
    '! grep -qE "(a|b|c|d|hub|pod|g1|g2|g3|x|y|z|l)-Pw" "$T/logs"'
lib_finish
