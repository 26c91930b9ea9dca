#!/bin/bash
# One conformance suite for every writable route, after git's
# t/lib-credential.sh helper_test: store -> get -> list -> erase -> get gives
# not-found; empty URLs are rejected; other hosts are left alone.
#
# Usage: conformance.sh ROUTER [--read-only] CONFIG...
#
# Each CONFIG is a TOML configuration in which every host under
# conformance.example (a.conformance.example, b.conformance.example) reaches
# the route under test; "@DIR@" in it becomes the run's temporary directory.
# The host outside.example.org goes wherever the config sends it (usually the
# default store) and must survive everything done to the route under test.
# A line "# conformance-route: NAME" says the hosts must reach the route
# named NAME (checked with `route`); without it, the default store.
# With --read-only the route is a read-only one (store = "ignore"): store and
# erase succeed and change nothing, get stays not-found.
#
# Prints one line per case and "N passed, N failed"; exits 1 on failure.
set -u
export LC_ALL=C

usage() {
    echo "usage: $0 ROUTER [--read-only] CONFIG..." >&2
    exit 2
}

[ $# -ge 2 ] || usage
ROUTER=$(realpath "$1") || exit 2
shift
READ_ONLY=
if [ "$1" = --read-only ]; then
    READ_ONLY=1
    shift
fi
[ $# -ge 1 ] || usage

WORK=$(mktemp -d) || exit 2
trap 'rm -rf "$WORK"' EXIT

PASSED=0
FAILED=0
NL=$'\n'
SENTINEL="credentials not found in native keychain$NL"
NO_URL="no credentials server URL$NL"
A=a.conformance.example
B=b.conformance.example
OUTSIDE=outside.example.org

unset DOCKER_CREDENTIAL_ROUTER_LOG DSTACK_DOCKER_USERNAME DSTACK_DOCKER_PASSWORD \
    DSTACK_DOCKER_REGISTRY
for v in $(compgen -e); do
    case $v in CONTAINER_REGISTRY* | DCR_*) unset "$v" ;; esac
done

pass() {
    PASSED=$((PASSED + 1))
    printf 'ok %s: %s\n' "$LABEL" "$1"
}

fail() {
    FAILED=$((FAILED + 1))
    printf 'FAIL %s: %s: %s\n' "$LABEL" "$1" "$2"
}

# helper VERB STDIN : runs the router; sets RC and OUT (the exact stdout).
helper() {
    printf '%s' "$2" >"$WORK/in"
    "$ROUTER" "$1" <"$WORK/in" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    IFS= read -r -d '' OUT <"$WORK/out"
}

# check NAME WANT_RC WANT_STDOUT
check() {
    if [ "$RC" = "$2" ] && [ "$OUT" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "exit $RC, stdout '${OUT%$NL}', want exit $2, '${3%$NL}' (stderr: $(cat "$WORK/err"))"
    fi
}

store() {
    helper store '{"ServerURL":"'"$1"'","Username":"'"$2"'","Secret":"'"$3"'"}'"$NL"
}

# expect_get KEY USER SECRET (USER empty: not found)
expect_get() {
    local want
    helper get "$1"
    if [ -n "$2" ]; then
        printf -v want '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "$1" "$2" "$3"
        check "get $1 gives $2" 0 "$want"
    else
        check "get $1 is not found" 1 "$SENTINEL"
    fi
}

# expect_listed KEY USER / expect_unlisted KEY
expect_listed() {
    helper list unused
    if [ "$RC" = 0 ] && [[ $OUT == "{"*"\"$1\":\"$2\""*"}$NL" ]]; then
        pass "list has $1"
    else
        fail "list has $1" "exit $RC, stdout '$OUT'"
    fi
}

expect_unlisted() {
    helper list unused
    if [ "$RC" = 0 ] && [[ $OUT == "{"*"}$NL" ]] && [[ $OUT != *"\"$1\""* ]]; then
        pass "list lacks $1"
    else
        fail "list lacks $1" "exit $RC, stdout '$OUT'"
    fi
}

empty_urls() {
    helper get ""
    check "get with an empty URL" 1 "$NO_URL"
    helper erase "  $NL"
    check "erase with an empty URL" 1 "$NO_URL"
    store "" user secret
    check "store with an empty URL" 1 "$NO_URL"
}

writable_suite() {
    store "$OUTSIDE" outsider outside-secret
    check "store $OUTSIDE (elsewhere)" 0 ""

    store "$A" alice 'a-pass'
    check "store $A" 0 ""
    expect_get "$A" alice a-pass
    expect_listed "$A" alice

    store "$B" bob 'b-pass'
    check "store $B" 0 ""
    expect_get "$B" bob b-pass
    expect_get "$A" alice a-pass

    store "$A" alice2 'a-pass2'
    check "store $A again" 0 ""
    expect_get "$A" alice2 a-pass2
    expect_get "$B" bob b-pass
    expect_listed "$A" alice2

    store "$A" '<token>' 'p\"w\\d <&> é'
    check "store $A with a token and escapes" 0 ""
    helper get "$A"
    check "get $A round-trips bytes" 0 \
        '{"ServerURL":"'"$A"'","Username":"\u003ctoken\u003e","Secret":"p\"w\\d \u003c\u0026\u003e é"}'"$NL"

    helper erase "$A"
    check "erase $A" 0 ""
    expect_get "$A" "" ""
    expect_unlisted "$A"
    helper erase "$A"
    check "erase $A again is not found" 1 "$SENTINEL"

    expect_get "$B" bob b-pass
    expect_listed "$B" bob
    helper erase "$B"
    check "erase $B" 0 ""
    expect_get "$B" "" ""
    expect_unlisted "$B"

    empty_urls
    expect_get "$OUTSIDE" outsider outside-secret
    expect_listed "$OUTSIDE" outsider
}

read_only_suite() {
    store "$OUTSIDE" outsider outside-secret
    check "store $OUTSIDE (elsewhere)" 0 ""
    expect_get "$A" "" ""
    store "$A" alice a-pass
    check "store $A is accepted" 0 ""
    expect_get "$A" "" ""
    expect_unlisted "$A"
    helper erase "$A"
    check "erase $A is accepted" 0 ""
    empty_urls
    expect_get "$OUTSIDE" outsider outside-secret
}

# reaches_route CONFIG : `route` sends the test hosts where the config says.
reaches_route() {
    local name want
    name=$(sed -n 's/^# conformance-route: //p' "$1")
    if [ -n "$name" ]; then
        want="route:      route '$name'"
    else
        want="route:      default store"
    fi
    "$ROUTER" route "$A" >"$WORK/out" 2>"$WORK/err"
    if grep -qF "$want" "$WORK/out"; then
        pass "$A reaches ${name:-the default store}"
    else
        fail "$A reaches ${name:-the default store}" "$(cat "$WORK/out" "$WORK/err")"
    fi
}

n=0
for config in "$@"; do
    n=$((n + 1))
    LABEL=$(basename "$config" .toml)
    dir=$WORK/run$n
    mkdir -p "$dir/home" "$dir/config" "$dir/data" "$dir/cache"
    export HOME=$dir/home XDG_CONFIG_HOME=$dir/config XDG_DATA_HOME=$dir/data \
        XDG_CACHE_HOME=$dir/cache DOCKER_CREDENTIAL_ROUTER_CONFIG=$dir/config.toml
    if ! sed "s|@DIR@|$dir|g" "$config" >"$DOCKER_CREDENTIAL_ROUTER_CONFIG"; then
        fail "setup" "cannot read $config"
        continue
    fi
    chmod 600 "$DOCKER_CREDENTIAL_ROUTER_CONFIG"
    reaches_route "$config"
    if [ -n "$READ_ONLY" ]; then
        read_only_suite
    else
        writable_suite
    fi
done

printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" = 0 ]
