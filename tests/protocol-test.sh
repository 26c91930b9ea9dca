#!/bin/bash
# The Docker credential-helper protocol, byte for byte, through the real
# executable (PROTOCOLS.md section 1): usage and version lines, the three
# canonical error strings, JSON output as Go's encoder writes it, input
# limits, list, read-only and rejecting routes, and no secret on stderr or in
# the operator verbs.  Runs in a temporary HOME; prints one line per case and
# "N passed, N failed"; exits 1 on any failure.
#
# Usage: protocol-test.sh ROUTER
set -u
export LC_ALL=C

[ $# -eq 1 ] || { echo "usage: $0 ROUTER" >&2; exit 2; }
ROUTER=$(realpath "$1") || exit 2
WORK=$(mktemp -d) || exit 2
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT

PASSED=0
FAILED=0
NL=$'\n'
SENTINEL="credentials not found in native keychain$NL"
NO_URL="no credentials server URL$NL"
NO_USER="no credentials username$NL"
USAGE="Usage: docker-credential-router <store|get|erase|list|version>$NL"

# A clean, isolated environment: nothing of the caller's leaks in.
unset DOCKER_CREDENTIAL_ROUTER_LOG DSTACK_DOCKER_USERNAME DSTACK_DOCKER_PASSWORD \
    DSTACK_DOCKER_REGISTRY DOCKER_CONFIG
for v in $(compgen -e); do
    case $v in CONTAINER_REGISTRY* | DCR_*) unset "$v" ;; esac
done
export HOME=$WORK/home
export XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=$WORK/cache
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$WORK/config.toml
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
STORE_FILE=$XDG_DATA_HOME/docker-credential-router/credentials.toml

cat >"$DOCKER_CREDENTIAL_ROUTER_CONFIG" <<'EOF'
# protocol-test.sh: two read-only routes, one rejecting route; all else goes
# to the default store.
[[route]]
name = "ro"
match = "readonly.example.com"
backend = "env"

[[route]]
name = "rej"
match = "reject.example.com"
backend = "env"
store = "reject"

[[route]]
name = "shadow"
match = "shadowed.example.com"
backend = "env"
EOF
chmod 600 "$DOCKER_CREDENTIAL_ROUTER_CONFIG"

# ---------------------------------------------------------------- harness

pass() {
    PASSED=$((PASSED + 1))
    printf 'ok %s\n' "$1"
}

fail() {
    FAILED=$((FAILED + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
}

# slurp VAR FILE : the exact bytes of FILE (no NUL) into VAR, without a fork.
slurp() {
    IFS= read -r -d '' "$1" <"$2"
}

# run ARGS... : runs the router with $WORK/in on stdin; sets RC, OUT, ERR
# ($WORK/out and $WORK/err hold the exact bytes).
run() {
    "$ROUTER" "$@" <"$WORK/in" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    slurp OUT "$WORK/out"
    slurp ERR "$WORK/err"
}

# feed TEXT : the exact bytes of the next stdin (printf %s, so no escapes).
feed() { printf '%s' "$1" >"$WORK/in"; }

# show BYTES : a visible rendering for failure messages.
show() { printf '%s' "$1" | od -An -c | tr -s ' ' | tr -d '\n' | cut -c1-300; }

# check NAME WANT_RC WANT_STDOUT : exit status and stdout bytes exactly; an
# error (non-zero status) must also be exactly one line.
check() {
    local name=$1 want_rc=$2 want=$3
    if [ "$RC" != "$want_rc" ]; then
        fail "$name" "exit $RC, want $want_rc (stdout:$(show "$OUT"))"
    elif [ "$OUT" != "$want" ]; then
        fail "$name" "stdout$(show "$OUT") want$(show "$want")"
    elif [ "$RC" != 0 ] && ! one_line; then
        fail "$name" "error output is not one line:$(show "$OUT")"
    else
        pass "$name"
    fi
}

# one_line : stdout ($OUT) is exactly one non-empty line ending in "\n".
one_line() {
    local body=${OUT%"$NL"}
    [ -n "$body" ] && [ "$body$NL" = "$OUT" ] && [[ $body != *"$NL"* ]]
}

# check_error NAME : exit 1 and one line on stdout, whatever it says.
check_error() {
    if [ "$RC" != 1 ]; then
        fail "$1" "exit $RC, want 1 (stdout:$(show "$OUT"))"
    elif ! one_line; then
        fail "$1" "error output is not one line:$(show "$OUT")"
    else
        pass "$1"
    fi
}

# expect NAME CONDITION-COMMAND... : a free-form assertion.
expect() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}

# store_json JSON : store with exactly this stdin (plus the newline Go's encoder adds).
store_json() {
    feed "$1$NL"
    run store
}

get_key() {
    feed "$1"
    run get
}

erase_key() {
    feed "$1"
    run erase
}

# fresh_store : a new, empty default store for the cases that follow.
fresh_store() {
    rm -rf "$XDG_DATA_HOME"
    mkdir -p "$XDG_DATA_HOME"
}

# ---------------------------------------------------------------- arguments

feed ""
run
check "no arguments: usage on stdout" 1 "$USAGE"
run get x
check "two arguments: usage" 1 "$USAGE"
run store extra
check "store with an argument: usage" 1 "$USAGE"
run frob
check "unknown verb" 1 "docker-credential-router: unknown action: frob$NL"
run ""
check "empty verb" 1 "docker-credential-router: unknown action: $NL"

run version
VERSION=$OUT
if [[ $VERSION =~ ^docker-credential-router\ \(docker-credential-router\)\ v[0-9]+\.[0-9]+\.[0-9]+[^$'\n']*$'\n'$ ]] && [ "$RC" = 0 ]; then
    pass "version: one version line, exit 0"
else
    fail "version: one version line, exit 0" "exit $RC:$(show "$VERSION")"
fi
run --version
check "--version" 0 "$VERSION"
run -v
check "-v" 0 "$VERSION"

for opt in --help -h; do
    run "$opt"
    if [ "$RC" = 0 ] && [[ $OUT == Usage:* ]] && [[ $OUT == *store* ]] && [ -z "$ERR" ]; then
        pass "$opt: usage on stdout, exit 0"
    else
        fail "$opt: usage on stdout, exit 0" "exit $RC, stderr '$ERR', stdout$(show "${OUT:0:80}")"
    fi
done

# ---------------------------------------------------------------- get

fresh_store
get_key ""
check "get: empty stdin" 1 "$NO_URL"
get_key "   $NL	 $NL"
check "get: whitespace only" 1 "$NO_URL"
get_key "$NL"
check "get: newline only" 1 "$NO_URL"
get_key "unknown.example.com"
check "get: unknown host is the not-found sentinel" 1 "$SENTINEL"
get_key "https://index.docker.io/v1/"
check "get: Hub with nothing stored" 1 "$SENTINEL"
erase_key ""
check "erase: empty stdin" 1 "$NO_URL"
erase_key "missing.example.com"
check "erase: nothing stored is the sentinel" 1 "$SENTINEL"
get_key "bad host"
check_error "get: malformed key is one error line"

# ---------------------------------------------------------------- store input

fresh_store
store_json '{"ServerURL":"a.example.com","Username":"u","Secret":'
check_error "store: invalid JSON"
expect "store: invalid JSON writes nothing" test ! -e "$STORE_FILE"
store_json '["a.example.com","u","s"]'
check_error "store: JSON array"
store_json '"a.example.com"'
check_error "store: JSON string"
store_json ''
check_error "store: empty stdin"
store_json '{"ServerURL":"a.example.com","Username":7,"Secret":"s"}'
check_error "store: Username not a string"
store_json '{"ServerURL":"a.example.com","Username":"","Secret":"s"}'
check "store: empty Username" 1 "$NO_USER"
store_json '{"ServerURL":"a.example.com","Secret":"s"}'
check "store: missing Username" 1 "$NO_USER"
store_json '{"ServerURL":"a.example.com","Username":null,"Secret":"s"}'
check "store: null Username" 1 "$NO_USER"
store_json '{"ServerURL":"","Username":"u","Secret":"s"}'
check "store: empty ServerURL" 1 "$NO_URL"
store_json '{"Username":"u","Secret":"s"}'
check "store: missing ServerURL" 1 "$NO_URL"
store_json '{"ServerURL":"","Username":"","Secret":""}'
check "store: ServerURL is checked before Username" 1 "$NO_URL"
expect "store: rejected input writes nothing" test ! -e "$STORE_FILE"

# ---------------------------------------------------------------- input limits

big=$(head -c 70000 /dev/zero | tr '\0' 'a')
for verb in get store erase; do
    feed "$big"
    run "$verb"
    check "$verb: stdin over 64 KiB" 1 "input larger than 64 KiB$NL"
    printf 'ghcr.io\0x' >"$WORK/in"
    run "$verb"
    check "$verb: NUL byte" 1 "input contains a NUL byte$NL"
    printf 'ghcr.io\377' >"$WORK/in"
    run "$verb"
    check "$verb: invalid UTF-8" 1 "input is not valid UTF-8$NL"
done
printf '{"ServerURL":"a.example.com","Username":"u","Secret":"\0"}' >"$WORK/in"
run store
check_error "store: NUL byte inside JSON"
expect "store: bad input writes nothing" test ! -e "$STORE_FILE"

# ---------------------------------------------------------------- store and get

fresh_store
store_json '{"ServerURL":"docker.io","Username":"<token>","Secret":"refresh-123"}'
check "store: Hub as docker.io" 0 ""
expect "store: creates the default store 0600" test "$(stat -c %a "$STORE_FILE" 2>/dev/null)" = 600
get_key "https://index.docker.io/v1/"
check "get: Hub under docker's spelling, key echoed, <token> escaped" 0 \
    '{"ServerURL":"https://index.docker.io/v1/","Username":"\u003ctoken\u003e","Secret":"refresh-123"}'"$NL"
get_key "docker.io"
check "get: Hub under podman's spelling" 0 \
    '{"ServerURL":"docker.io","Username":"\u003ctoken\u003e","Secret":"refresh-123"}'"$NL"
get_key "docker.io$NL"
check "get: trailing newline ignored" 0 \
    '{"ServerURL":"docker.io","Username":"\u003ctoken\u003e","Secret":"refresh-123"}'"$NL"
get_key "  docker.io"$'\r\n'
check "get: CRLF and spaces trimmed" 0 \
    '{"ServerURL":"docker.io","Username":"\u003ctoken\u003e","Secret":"refresh-123"}'"$NL"
get_key "registry-1.docker.io"
check "get: Hub as registry-1.docker.io" 0 \
    '{"ServerURL":"registry-1.docker.io","Username":"\u003ctoken\u003e","Secret":"refresh-123"}'"$NL"

store_json '{"serverurl":"lower.example.com","username":"lu","secret":"ls"}'
check "store: lower-case member names" 0 ""
get_key "lower.example.com"
check "get: after lower-case store" 0 \
    '{"ServerURL":"lower.example.com","Username":"lu","Secret":"ls"}'"$NL"
store_json '{"SERVERURL":"upper.example.com","USERNAME":"uu","SECRET":"us","Email":"x@y"}'
check "store: upper-case names, unknown member ignored" 0 ""
get_key "upper.example.com"
check "get: after upper-case store" 0 \
    '{"ServerURL":"upper.example.com","Username":"uu","Secret":"us"}'"$NL"

# Go's decoder gives a member the last value among case-insensitive duplicates.
store_json '{"ServerURL":"dup.example.com","Username":"first","username":"last","Secret":"s"}'
check "store: duplicate member names, last wins (Go)" 0 ""
get_key "dup.example.com"
check "get: after duplicate member names" 0 \
    '{"ServerURL":"dup.example.com","Username":"last","Secret":"s"}'"$NL"

store_json '{"ServerURL":"https://esc.example.com:5000/v2/","Username":"u&<>","Secret":"p\"w\\d\n\t\u0001\u2028é/"}'
check "store: escapes in values" 0 ""
get_key "esc.example.com:5000"
check "get: Go encoding of escapes" 0 \
    '{"ServerURL":"esc.example.com:5000","Username":"u\u0026\u003c\u003e","Secret":"p\"w\\d\n\t\u0001\u2028é/"}'"$NL"
store_json '{"ServerURL":"nosecret.example.com","Username":"u"}'
check "store: missing Secret is empty" 0 ""
get_key "nosecret.example.com"
check "get: empty Secret" 0 '{"ServerURL":"nosecret.example.com","Username":"u","Secret":""}'"$NL"

store_json '{"ServerURL":"docker.io","Username":"bob","Secret":"pw2"}'
get_key "index.docker.io"
check "store: again replaces" 0 '{"ServerURL":"index.docker.io","Username":"bob","Secret":"pw2"}'"$NL"

# ---------------------------------------------------------------- erase

erase_key "https://index.docker.io/v1/"
check "erase: Hub under another spelling" 0 ""
get_key "docker.io"
check "get: after erase is the sentinel" 1 "$SENTINEL"
erase_key "docker.io"
check "erase: again is the sentinel" 1 "$SENTINEL"
get_key "lower.example.com"
check "erase: other hosts untouched" 0 '{"ServerURL":"lower.example.com","Username":"lu","Secret":"ls"}'"$NL"

# ---------------------------------------------------------------- list

fresh_store
feed "unused"
run list
check "list: empty" 0 "{}$NL"
store_json '{"ServerURL":"b.example.com","Username":"u2","Secret":"s2"}'
store_json '{"ServerURL":"https://a.example.com/v2/","Username":"u1","Secret":"s1"}'
feed "unused"
run list
check "list: sorted keys" 0 '{"a.example.com":"u1","b.example.com":"u2"}'"$NL"
feed ""
run list
check "list: stdin ignored" 0 '{"a.example.com":"u1","b.example.com":"u2"}'"$NL"

# Entries a get would not answer are not listed: one shadowed by an env
# route, one without a username.
cat >>"$STORE_FILE" <<'EOF'

[shadow]
repo = "shadowed.example.com"
username = "hidden"
password = "x"

[nouser]
repo = "nouser.example.com"
password = "x"
EOF
feed "unused"
run list
check "list: only keys a get answers" 0 '{"a.example.com":"u1","b.example.com":"u2"}'"$NL"
get_key "shadowed.example.com"
check "get: shadowed entry goes to its route" 1 "$SENTINEL"
export DCR_READONLY_EXAMPLE_COM_USERNAME=envuser DCR_READONLY_EXAMPLE_COM_PASSWORD=envpass
feed "unused"
run list
check "list: env route with its variables set" 0 \
    '{"a.example.com":"u1","b.example.com":"u2","readonly.example.com":"envuser"}'"$NL"
get_key "readonly.example.com"
check "get: env route" 0 '{"ServerURL":"readonly.example.com","Username":"envuser","Secret":"envpass"}'"$NL"
unset DCR_READONLY_EXAMPLE_COM_USERNAME DCR_READONLY_EXAMPLE_COM_PASSWORD

# ---------------------------------------------------------------- routes that do not store

fresh_store
store_json '{"ServerURL":"readonly.example.com","Username":"u","Secret":"s"}'
if [ "$RC" = 0 ] && [ -z "$OUT" ] && [[ $ERR == *read-only* ]]; then
    pass "store: read-only route exits 0 with a note on stderr"
else
    fail "store: read-only route exits 0 with a note on stderr" "exit $RC, stdout '$OUT', stderr '$ERR'"
fi
expect "store: read-only route writes nothing" test ! -e "$STORE_FILE"
get_key "readonly.example.com"
check "get: nothing stored for the read-only route" 1 "$SENTINEL"
erase_key "readonly.example.com"
check "erase: read-only route is a no-op" 0 ""
store_json '{"ServerURL":"reject.example.com","Username":"u","Secret":"s"}'
check "store: rejecting route" 1 "route 'rej' does not accept store (it sets store = \"reject\")$NL"
erase_key "reject.example.com"
check "erase: rejecting route" 1 "route 'rej' does not accept erase (it sets store = \"reject\")$NL"
expect "store: rejecting route writes nothing" test ! -e "$STORE_FILE"

# ---------------------------------------------------------------- secrets stay secret

fresh_store
SECRET="S3cr3t-$RANDOM$RANDOM-marker"
export DOCKER_CREDENTIAL_ROUTER_LOG=debug
leak=
store_json '{"ServerURL":"leak.example.com","Username":"leaky","Secret":"'"$SECRET"'"}'
[[ $ERR == *"$SECRET"* || $OUT == *"$SECRET"* ]] && leak="$leak store"
[ "$RC" = 0 ] || leak="$leak store-failed"
get_key "leak.example.com"
[[ $ERR == *"$SECRET"* ]] && leak="$leak get"
[[ $OUT == *"$SECRET"* ]] || leak="$leak get-no-answer"
feed "unused"
run list
[[ $ERR == *"$SECRET"* || $OUT == *"$SECRET"* ]] && leak="$leak list"
run route leak.example.com
[[ $ERR == *"$SECRET"* || $OUT == *"$SECRET"* ]] && leak="$leak route"
[ "$RC" = 0 ] || leak="$leak route-failed"
run check
[[ $ERR == *"$SECRET"* || $OUT == *"$SECRET"* ]] && leak="$leak check"
store_json '{"ServerURL":"leak.example.com","Username":"","Secret":"'"$SECRET"'"}'
[[ $ERR == *"$SECRET"* || $OUT == *"$SECRET"* ]] && leak="$leak store-error"
store_json '{"ServerURL":"leak.example.com","Username":"x","Secret":"'"$SECRET"'" garbage'
[[ $ERR == *"$SECRET"* || $OUT == *"$SECRET"* ]] && leak="$leak bad-json"
store_json '{"ServerURL":"reject.example.com","Username":"x","Secret":"'"$SECRET"'"}'
[[ $ERR == *"$SECRET"* || $OUT == *"$SECRET"* ]] && leak="$leak reject"
erase_key "leak.example.com"
[[ $ERR == *"$SECRET"* || $OUT == *"$SECRET"* ]] && leak="$leak erase"
unset DOCKER_CREDENTIAL_ROUTER_LOG
if [ -z "$leak" ]; then
    pass "log=debug: the secret never appears on stderr (or outside get's stdout)"
else
    fail "log=debug: the secret never appears on stderr (or outside get's stdout)" "seen in:$leak"
fi

# ---------------------------------------------------------------- route and check

fresh_store
store_json '{"ServerURL":"ghcr.io","Username":"octocat","Secret":"'"$SECRET"'"}'
run route https://ghcr.io/v2/
if [ "$RC" = 0 ] && [[ $OUT == *"default store"* ]] && [[ $OUT != *"$SECRET"* ]] &&
    [[ $OUT == *octocat* ]]; then
    pass "route: explains the default store, no secret"
else
    fail "route: explains the default store, no secret" "exit $RC: $OUT"
fi
run route readonly.example.com
if [ "$RC" = 0 ] && [[ $OUT == *"route 'ro'"* ]] && [[ $OUT == *"env"* ]]; then
    pass "route: names the matching route and backend"
else
    fail "route: names the matching route and backend" "exit $RC: $OUT"
fi
run route
check "route without KEY: usage line" 1 "usage: docker-credential-router route KEY$NL"

run check
if [ "$RC" = 0 ] && [[ $OUT != *"$SECRET"* ]]; then
    pass "check: exit 0 when fine, no secret"
else
    fail "check: exit 0 when fine, no secret" "exit $RC: $OUT"
fi
chmod 640 "$STORE_FILE"
run check
if [ "$RC" = 1 ] && [[ $OUT == *"chmod 600"* ]] && [[ $OUT != *"$SECRET"* ]]; then
    pass "check: exit 1 for a group-readable credentials file"
else
    fail "check: exit 1 for a group-readable credentials file" "exit $RC: $OUT"
fi
get_key "ghcr.io"
check "get: group-readable credentials file refused" 1 \
    "bad owner or permissions on $STORE_FILE (chmod 600 it)$NL"
chmod 600 "$STORE_FILE"

# ---------------------------------------------------------------- configuration errors

cp "$DOCKER_CREDENTIAL_ROUTER_CONFIG" "$WORK/good.toml"
printf '[[route]]\nmatch = "x.io"\nbackend = "env"\nmatches = 1\n' >"$DOCKER_CREDENTIAL_ROUTER_CONFIG"
for verb in get erase; do
    feed "ghcr.io"
    run "$verb"
    if [ "$RC" = 1 ] && one_line &&
        [[ $OUT == "$DOCKER_CREDENTIAL_ROUTER_CONFIG:4: "* ]]; then
        pass "$verb: bad config is one line naming file:line"
    else
        fail "$verb: bad config is one line naming file:line" "exit $RC:$(show "$OUT")"
    fi
done
feed "unused"
run list
check_error "list: bad config is one error line"
run check
expect "check: bad config exits 1" test "$RC" = 1
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$WORK/missing.toml
get_key "ghcr.io"
check "get: DOCKER_CREDENTIAL_ROUTER_CONFIG names a missing file" 1 \
    "DOCKER_CREDENTIAL_ROUTER_CONFIG names $WORK/missing.toml, which does not exist$NL"
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$WORK/good.toml

printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" = 0 ]
