#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Fault injection (issue 7): the router keeps answering correctly, loses
# nothing, follows no symbolic link and touches nothing outside its cache
# directory when things around it fail.
#
#   processes    the client closes its end of the pipe early (no SIGPIPE
#                death), standard descriptors closed at start (no file we open
#                lands on 0-2), a script that hangs, leaves children behind,
#                prints megabytes or dies by a signal
#   disk         cache directory missing, unwritable, full (a small tmpfs when
#                we may mount, and RLIMIT_FSIZE), entries truncated, garbage,
#                symbolic links, another user's, world-readable
#   network      tests/aws/standin.py refusing connections, resetting in the
#                middle of an answer, answering after the timeout, 500 and
#                throttling N times, invalid JSON, an already expired token
#   concurrency  200 concurrent gets across 20 hosts with a cold, a fresh and
#                a half-life cache: every answer right, one exchange per host
#                per refresh, no torn or leftover temporary files
#
# Usage: faults-test.sh PATH-TO-docker-credential-router
# (dcr-aws is found next to it, as in the build tree.)  The network part is
# skipped without openssl, curl or python3-botocore; mounts need root.

. "$(dirname "$0")/lib-personality.sh"
lib_init "$@"
HERE=$(cd "$(dirname "$0")" && pwd)

S=$T/scripts
CNT=$T/count
CACHE=$XDG_CACHE_HOME/docker-credential-router
mkdir -p "$S" "$CNT" "$T/outside"
NL=$'\n'
IS_ROOT=false
[ "$(id -u)" = 0 ] && IS_ROOT=true
MOUNTED=

cleanup_mounts() {
    local m
    for m in $MOUNTED; do umount "$m" 2>/dev/null; done
    MOUNTED=
}
trap 'cleanup_mounts; lib_cleanup' EXIT

# ---- helpers ---------------------------------------------------------------------------------

# counter: answers {"username":"u-HOST","password":"pw-HOST-N"}, N counting its runs per host.
put_exe "$S/counter" '#!/bin/sh
host=$(printf %s "$2" | sed "s,^https://,,; s,/.*,,")
exec 9>>"'"$CNT"'/$host.lock"
flock 9
n=$(( $(cat "'"$CNT"'/$host" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"'"$CNT"'/$host"
printf "{\"username\":\"u-%s\",\"password\":\"pw-%s-%d\"}\n" "$host" "$host" "$n"
'
count() { cat "$CNT/$1" 2>/dev/null || echo 0; }

config() { # [EXTRA ROUTE LINES]: a cached script route for *.example.com
    put "$T/config.toml" "[[route]]
name = \"counted\"
match = \"*.example.com\"
backend = \"script\"
command = [\"$S/counter\"]
cache_ttl = ${TTL:-600}
$1
[[route]]
name = \"scripts\"
match = \"*.script.test\"
backend = \"script\"
command = [\"$S/dispatch\"]
timeout = 2

[[route]]
name = \"env\"
match = \"fsize.test\"
backend = \"env\"
cache_ttl = 600
"
    export DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/config.toml
}

get() { # KEY: a docker get
    printf '%s\n' "$1" >"$T/key"
    STDIN=$T/key run "$ROUTER" get
}

answer() { # KEY PASSWORD: docker's answer for a counted host
    local host=${1#https://}
    host=${host%%/*}
    printf '{"ServerURL":"%s","Username":"u-%s","Secret":"%s"}\n' "$1" "$host" "$2"
}

contains() { # NAME HAYSTACK NEEDLE
    case $2 in *"$3"*) lib_pass "$1" ;; *) lib_fail "$1" "$(printf '%q' "$2")" "lacks: $3" ;; esac
}

lacks() { # NAME HAYSTACK NEEDLE
    case $2 in *"$3"*) lib_fail "$1" "$(printf '%q' "$2")" "holds: $3" ;; *) lib_pass "$1" ;; esac
}

answered() { # NAME KEY PASSWORD: the last run answered exactly that (stderr not checked)
    if [ "$RC" = 0 ] && [ "$OUT" = "$(answer "$2" "$3")$NL" ]; then
        lib_pass "$1"
    else
        lib_fail "$1" "status $RC" "stdout: $(printf %q "$OUT")" "want: $(answer "$2" "$3")" \
            "stderr: $(printf %q "$ERR")"
    fi
}

# Everything under $T but the cache, the counters and this script's own files:
# path, type, mode, owner, and for files size and modification time.
snapshot() {
    find "$T" \( -path "$XDG_CACHE_HOME" -o -path "$CNT" -o -path "$T/.out" -o -path "$T/.err" \
        -o -path "$T/key" -o -name 'snap*' \) -prune -o \
        \( -type d -printf '%p d %m %u\n' \) -o -printf '%p %y %m %u %s %T@\n' | sort
}

untouched() { # NAME: nothing changed outside the cache since `snapshot >"$T/snap"`
    snapshot >"$T/snap.after"
    if cmp -s "$T/snap" "$T/snap.after"; then
        lib_pass "$1"
    else
        lib_fail "$1" "$(diff "$T/snap" "$T/snap.after" | head -n 10)"
    fi
}

entry() { ls "$CACHE"/*.json 2>/dev/null | head -n1; }

# The process no longer runs (a zombie waiting for init to reap it counts as gone).
gone() { # PID-FILE
    local pid state
    pid=$(cat "$1") || return 1
    state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 0
    case $state in Z*) return 0 ;; esac
    return 1
}

# Only <hash>.json and <hash>.lock in the cache: no temporary file left over.
only_entries() { # NAME WANT-JSON-COUNT
    local stray json
    stray=$(ls -A "$CACHE" | grep -Ev '^[0-9a-f]{16}\.(json|lock)$')
    json=$(ls "$CACHE" | grep -Ec '^[0-9a-f]{16}\.json$')
    if [ -z "$stray" ] && [ "$json" = "$2" ]; then
        lib_pass "$1"
    else
        lib_fail "$1" "entries: $json (want $2)" "stray: $stray"
    fi
}

config ''

# ---- processes --------------------------------------------------------------------------------

# The client goes away before we answer: stdout is a pipe whose read end is
# already closed.  Python restores SIGPIPE's default in the child, so an
# unhardened process would die of it (status 141 in a shell).
closed_stdout() { # STDIN-FILE ARGS...: prints the exit status (negative: killed by that signal)
    local in=$1
    shift
    /usr/bin/python3 - "$in" "$@" <<'EOF'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
with open(sys.argv[1], "rb") as f:
    p = subprocess.run(sys.argv[2:], stdin=f, stdout=w, stderr=subprocess.DEVNULL)
print(p.returncode)
EOF
}
printf 'a.example.com\n' >"$T/key.a"
printf '{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"a.example.com/x"}' >"$T/kubelet.json"
if [ -x /usr/bin/python3 ]; then
    for args in "get:$T/key.a" "list:/dev/null" "version:/dev/null" "kubelet:$T/kubelet.json"; do
        verb=${args%%:*}
        check "client closed the pipe early: $verb exits 1, no SIGPIPE death" \
            [ "$(closed_stdout "${args#*:}" "$ROUTER" "$verb")" = 1 ]
    done
    check "client closed the pipe early: registry-credentials get exits 1" \
        [ "$(closed_stdout /dev/null "$ROUTER" registry-credentials get a.example.com/x)" = 1 ]
    st=$(closed_stdout /dev/null "$ROUTER" --help)
    check "client closed the pipe early: --help is not killed by a signal (status $st)" \
        [ "$st" -ge 0 ]
fi

# Standard descriptors closed at start: whatever we open must not become
# fd 0-2, or a log line or an answer would land in a credentials file or a
# cache entry.  Debug logging makes sure there is something to misdirect.
printf '{"ServerURL":"store.test","Username":"fd-user","Secret":"fd-secret"}' >"$T/store.json"
STORE=$XDG_DATA_HOME/docker-credential-router/credentials.toml
DOCKER_CREDENTIAL_ROUTER_LOG=debug "$ROUTER" store <"$T/store.json" 1>&- 2>&-
check "stdout and stderr closed: store succeeds" [ $? = 0 ]
check "... the store file holds no log line" [ "$(grep -c -e 'debug:' -e 'warn:' "$STORE")" = 0 ]
printf 'store.test\n' >"$T/key.store"
STDIN=$T/key.store run "$ROUTER" get
expect "... and answers what was stored" 0 \
    '{"ServerURL":"store.test","Username":"fd-user","Secret":"fd-secret"}
' ''
printf 'b.example.com\n' >"$T/key.b"
DOCKER_CREDENTIAL_ROUTER_LOG=debug "$ROUTER" get <"$T/key.b" 1>&- 2>&-
check "stdout and stderr closed: a cached get succeeds" [ $? = 0 ]
check "... its cache entry holds neither the answer nor a log line" \
    [ "$(cat "$CACHE"/*.json | grep -c -e ServerURL -e 'debug:')" = 0 ]
run "$ROUTER" cache list
contains "... and is a valid entry" "$OUT" "b.example.com  route 'counted'"
"$ROUTER" get 0<&- 2>&- >"$T/closed0.out"
check "stdin closed: an empty key, refused" [ $? = 1 ]
check "... with Docker's message" [ "$(cat "$T/closed0.out")" = "no credentials server URL" ]
rm -f "$STORE"
"$ROUTER" store 0<&- 1>&- 2>&-
check "all three closed: store fails cleanly (status 1)" [ $? = 1 ]
check "... and writes no file" [ ! -e "$STORE" ]
if command -v strace >/dev/null 2>&1; then
    DOCKER_CREDENTIAL_ROUTER_LOG=debug strace -f -qq -e trace=openat,open,creat \
        -o "$T/strace.log" "$ROUTER" store <"$T/store.json" 1>&- 2>&-
    # From the router's first open of /dev/null (harden_process, first thing in
    # main) on: what the dynamic loader or a sanitizer runtime opens before main
    # is not ours.
    bad=$(awk '/"\/dev\/null"/ { seen = 1; next } seen && /= [012]$/' "$T/strace.log")
    check "strace: nothing but /dev/null is opened on fd 0-2 (store)" [ -z "$bad" ]
    [ -z "$bad" ] || printf '#   %s\n' "$bad"
fi

# A key with a terminal escape and a carriage return: quoted in the error,
# but as one clean line.
printf 'a\033[31mb\r:x\n' >"$T/key.ctl"
STDIN=$T/key.ctl run "$ROUTER" get
expect "a key with control characters: one clean error line" 1 \
    'invalid registry "a [31mb :x": control character in reference
' ''

# Scripts that misbehave: each is a real error with one line, fast, and
# nothing of theirs survives the request.
put_exe "$S/dispatch" '#!/bin/sh
case $2 in
hang.script.test) sleep 60 & echo $! >"'"$T"'/hang.child"; echo $$ >"'"$T"'/hang.pid"; sleep 60 ;;
fork.script.test) sleep 60 & echo $! >"'"$T"'/fork.child"
    printf "{\"username\":\"u\",\"password\":\"forked\"}\n" ;;
big.script.test) head -c 8388608 /dev/zero | tr "\0" a ;;
signal.script.test) kill -TERM $$ ;;
esac
'
start=$(date +%s)
get hang.script.test
took=$(($(date +%s) - start))
expect "a script that hangs: killed at the route's timeout" 1 \
    "route 'scripts': $S/dispatch timed out after 2 s (killed)
" ''
check "... within the timeout (${took} s)" [ "$took" -le 4 ]
sleep 0.2
check "... the script is gone" gone "$T/hang.pid"
check "... and so is its child" gone "$T/hang.child"
get fork.script.test
expect "a script that leaves a child running: answered" 0 \
    '{"ServerURL":"fork.script.test","Username":"u","Secret":"forked"}
' ''
check "... and the child does not outlive the request" gone "$T/fork.child"
start=$(date +%s)
get big.script.test
took=$(($(date +%s) - start))
expect "a script that prints 8 MiB: refused" 1 \
    "route 'scripts': $S/dispatch printed more than 64 KiB (killed)
" ''
check "... at once (${took} s)" [ "$took" -le 2 ]
get signal.script.test
expect "a script killed by a signal" 1 "route 'scripts': $S/dispatch was killed by signal 15 (Terminated)
" ''

# ---- disk ----------------------------------------------------------------------------------------

rm -rf "$XDG_CACHE_HOME" "$CNT"/*
snapshot >"$T/snap"
get a.example.com
answered "cache directory missing: answered" a.example.com pw-a.example.com-1
check "... the directory is created 0700" [ "$(stat -c %a "$CACHE")" = 700 ]
check "... the entry is 0600" [ "$(stat -c %a "$(entry)")" = 600 ]
get a.example.com
answered "... then a hit" a.example.com pw-a.example.com-1
check "... one exchange" [ "$(count a.example.com)" = 1 ]
untouched "cache directory missing: nothing else touched"

f=$(entry)
n=1
damage() { # NAME: after the entry was damaged, a miss that is answered and re-stored
    n=$((n + 1))
    get a.example.com
    answered "$1: a miss, answered" a.example.com "pw-a.example.com-$n"
    check "$1: an exchange" [ "$(count a.example.com)" = "$n" ]
    check "$1: the entry is sound again (regular, ours, 0600)" \
        eval '[ -f "$f" ] && [ ! -L "$f" ] && [ "$(stat -c %a:%u "$f")" = "600:$(id -u)" ]'
    get a.example.com
    answered "$1: then a hit again" a.example.com "pw-a.example.com-$n"
}
head -c 40 "$f" >"$f.cut" && mv "$f.cut" "$f" && chmod 600 "$f"
damage "truncated entry"
printf 'garbage\0\1\2{"version":1' >"$f"
damage "garbage entry"
printf '{"version":1,"route":"counted","registry":"a.example.com","who":"","username":"u","secret":"s","issued":1,"expires":99999999999999999999}' >"$f"
damage "entry with an out-of-range time"
chmod 644 "$f"
damage "world-readable entry"
if $IS_ROOT; then
    chown nobody "$f"
    damage "another user's entry"
fi

# Symbolic links: never followed, the target is never read, written or removed.
printf 'do not touch\n' >"$T/outside/target"
chmod 600 "$T/outside/target"
rm -f "$f"
ln -s "$T/outside/target" "$f"
snapshot >"$T/snap"
damage "entry is a symbolic link"
untouched "symlinked entry: the link's target is untouched"
ln -sf "$T/outside/target" "$f"
run "$ROUTER" cache clear
check "cache clear removes a symlinked entry, not its target" \
    eval '[ ! -e "$f" ] && [ ! -L "$f" ] && [ "$(cat "$T/outside/target")" = "do not touch" ]'
get a.example.com
n=$((n + 1))
lock=${f%.json}.lock
rm -f "$lock"
ln -s "$T/outside/target" "$lock"
snapshot >"$T/snap"
chmod 644 "$f" # a miss, so that the lock is needed
get a.example.com
n=$((n + 1))
answered "lock file is a symbolic link: answered" a.example.com "pw-a.example.com-$n"
contains "... with a warning" "$ERR" "token cache not used:"
untouched "symlinked lock file: its target is untouched"
rm -f "$lock" "$f"

if $IS_ROOT; then
    # The cache directory is a link to another user's directory: refused, nothing written there.
    mkdir -p "$T/foreign"
    chown nobody "$T/foreign"
    chmod 777 "$T/foreign"
    mv "$CACHE" "$CACHE.real"
    ln -s "$T/foreign" "$CACHE"
    get a.example.com
    n=$((n + 1))
    answered "cache directory links to another user's directory: answered" a.example.com \
        "pw-a.example.com-$n"
    contains "... the cache is not used" "$ERR" "token cache not used: bad owner or permissions"
    check "... nothing is written there" [ -z "$(ls -A "$T/foreign")" ]
    rm -f "$CACHE"
    mv "$CACHE.real" "$CACHE"
fi

# Unwritable and full.  A read-only or a tiny tmpfs when we may mount (root
# ignores permission bits); else mode 500.  RLIMIT_FSIZE in every case.
try_mount() { # OPTIONS: a fresh tmpfs on the cache directory
    mkdir -p "$CACHE"
    mount -t tmpfs -o "$1,mode=700" dcr-faults "$CACHE" 2>/dev/null || return 1
    MOUNTED="$CACHE $MOUNTED"
}
rm -rf "$CACHE"
if $IS_ROOT && try_mount ro,size=64k; then
    snapshot >"$T/snap"
    get a.example.com
    n=$((n + 1))
    answered "read-only cache directory: answered" a.example.com "pw-a.example.com-$n"
    contains "... uncached, with a warning" "$ERR" "token cache not used:"
    untouched "read-only cache directory: nothing else touched"
    cleanup_mounts
    rm -rf "$CACHE"
    try_mount size=16k
    # Fill it up, then leave room for nothing.
    dd if=/dev/zero of="$CACHE/filler" bs=4k count=64 2>/dev/null
    get a.example.com
    n=$((n + 1))
    answered "full cache directory: answered" a.example.com "pw-a.example.com-$n"
    contains "... uncached, with a warning" "$ERR" "token not cached:"
    check "... no temporary file left" [ -z "$(ls -A "$CACHE" | grep -v -e '^filler$' -e '\.lock$')" ]
    cleanup_mounts
    rm -rf "$CACHE"
elif ! $IS_ROOT; then
    mkdir -p "$CACHE"
    chmod 500 "$CACHE"
    get a.example.com
    n=$((n + 1))
    answered "unwritable cache directory: answered" a.example.com "pw-a.example.com-$n"
    contains "... uncached, with a warning" "$ERR" "token cache not used:"
    chmod 700 "$CACHE"
fi
rm -rf "$CACHE"
# Output through a pipe to this shell, which has no limit: only the router's files are capped.
# (The env backend: a script of ours would itself die of SIGXFSZ writing its counter.)
printf 'fsize.test\n' >"$T/key.fsize"
fsize=$( (ulimit -f 0 && DCR_FSIZE_TEST_USERNAME=fs-user DCR_FSIZE_TEST_PASSWORD=fs-secret \
    exec "$ROUTER" get <"$T/key.fsize" 2>&1); echo "status $?")
contains "RLIMIT_FSIZE 0 (no file may grow): answered, no SIGXFSZ death" "$fsize" \
    "{\"ServerURL\":\"fsize.test\",\"Username\":\"fs-user\",\"Secret\":\"fs-secret\"}${NL}status 0"
contains "... with a warning" "$fsize" "File too large"
only_entries "... and no temporary file left" 0

# ---- network -------------------------------------------------------------------------------------

. "$HERE/aws/lib-standin.sh"
if missing=$(standin_missing); then
    lib_pass "network faults: skipped ($missing is missing)"
else
    for v in $(compgen -e); do
        case $v in AWS_* | DSTACK_*) unset "$v" ;; esac
    done
    export AWS_CONFIG_FILE=$T/aws/config AWS_SHARED_CREDENTIALS_FILE=$T/aws/credentials
    export AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
    unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
    AKID=AKIDFAULTS
    standin_start "$T/standin" --access "$AKID:faults-secret" --password ecr-pw || exit 1
    LIB_PIDS="$LIB_PIDS $STANDIN_PID"
    export AWS_CA_BUNDLE=$STANDIN_CA AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=faults-secret
    HOST=123456789012.dkr.ecr.us-west-2.amazonaws.com
    ecr_config() { # ENDPOINT
        config "
[[route]]
name = \"ecr\"
match = \"*.dkr.ecr.*.amazonaws.com\"
backend = \"ecr\"
endpoint = \"$1\"
timeout = 3
"
    }
    ecr_answer() { printf '{"ServerURL":"%s","Username":"AWS","Secret":"%s"}\n' "$HOST" "$1"; }
    exchanges() { standin_count "$1"; }
    ecr_ok() { # NAME PASSWORD
        if [ "$RC" = 0 ] && [ "$OUT" = "$(ecr_answer "$2")$NL" ]; then lib_pass "$1"; else
            lib_fail "$1" "status $RC" "$(printf %q "$OUT")" "$(printf %q "$ERR")"; fi
    }
    ecr_err() { # NAME NEEDLE: a real error (status 1, not the sentinel) naming the cause
        if [ "$RC" = 1 ] && [ "${OUT#*"$2"}" != "$OUT" ] && [ "${OUT%%$NL*}$NL" = "$OUT" ]; then
            lib_pass "$1"
        else
            lib_fail "$1" "status $RC" "stdout: $(printf %q "$OUT")" "want one line with: $2"
        fi
    }

    # A port nothing listens on: bind one, note it, close it.
    closed=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    ecr_config "https://127.0.0.1:$closed"
    start=$(date +%s)
    get "$HOST"
    ecr_err "connection refused: a real error naming it" "Couldn't connect to server"
    check "... given up quickly ($(($(date +%s) - start)) s)" [ $(($(date +%s) - start)) -le 3 ]

    ecr_config "$STANDIN_URL"
    standin_ctl '{"fail": 1, "fail_kind": "reset"}'
    get "$HOST"
    ecr_ok "reset in the middle of the answer once: retried, answered" ecr-pw
    run "$ROUTER" cache clear
    standin_ctl '{"fail": 5, "fail_kind": "reset"}'
    get "$HOST"
    ecr_err "reset on every attempt: a real error" "reset by peer (after 3 attempts)"
    standin_ctl '{"fail": 0}'

    standin_ctl '{"delay": 6}'
    start=$(date +%s)
    get "$HOST"
    took=$(($(date +%s) - start))
    standin_ctl '{"delay": 0}'
    ecr_err "an answer slower than the timeout: a real error" "no answer within"
    check "... given up at the route's timeout (${took} s)" [ "$took" -le 5 ]
    sleep 4 # the stand-in's delayed handler finishes before failures are injected again

    for kind in 500 throttle; do
        run "$ROUTER" cache clear
        before=$(exchanges injected)
        standin_ctl "{\"fail\": 2, \"fail_kind\": \"$kind\"}"
        get "$HOST"
        ecr_ok "$kind twice: retried, answered" ecr-pw
        check "... both failures were seen" [ "$(exchanges injected)" = $((before + 2)) ]
    done
    run "$ROUTER" cache clear
    standin_ctl '{"fail": 9, "fail_kind": "throttle"}'
    get "$HOST"
    ecr_err "throttled on every attempt: a real error" "ThrottlingException: Rate exceeded (after 3 attempts)"
    standin_ctl '{"fail": 1, "fail_kind": "garbage"}'
    get "$HOST"
    ecr_err "an answer that is not JSON: a real error" "not a JSON object"
    standin_ctl '{"fail": 1, "fail_kind": "truncated"}'
    get "$HOST"
    ecr_err "JSON cut short: a real error" "not a JSON object"
    standin_ctl '{"fail": 0}'
    run "$ROUTER" cache list
    lacks "failed exchanges leave no cache entry" "$OUT" "$HOST"

    # A token that has already expired is passed on (the registry decides)
    # but never cached: the next get asks again.
    standin_ctl '{"lifetime": -60, "reset": true}'
    get "$HOST"
    ecr_ok "an already expired token: passed on" ecr-pw
    get "$HOST"
    check "... and not cached (two exchanges)" [ "$(exchanges ecr)" = 2 ]
    standin_ctl '{"lifetime": 43200}'
    standin_stop
fi

# ---- concurrency ---------------------------------------------------------------------------------

# 200 gets across 20 hosts at once, three times: cold, fresh, then past
# half-life.  cache_ttl 600 s: fresh for 300 s, however slow the storm (a
# sanitizer build on two cores); half-life is reached by moving every
# entry's times 400 s into the past (rewritten whole, as the router would).
TTL=600 config ''
rm -rf "$XDG_CACHE_HOME" "$CNT"/*
mkdir -p "$T/conc"
for h in $(seq 1 20); do printf 'h%d.example.com\n' "$h" >"$T/conc/key.$h"; done
storm() { # PHASE: 200 concurrent gets, 10 per host
    local pids= i h
    for i in $(seq 1 200); do
        h=$(((i - 1) % 20 + 1))
        "$ROUTER" get <"$T/conc/key.$h" >"$T/conc/$1.$i.out" 2>"$T/conc/$1.$i.err" &
        pids="$pids $!"
    done
    STORM_FAILS=0
    for i in $pids; do wait "$i" || STORM_FAILS=$((STORM_FAILS + 1)); done
}
storm_check() { # PHASE EXCHANGES-PER-HOST
    local wrong=0 i h host example= counts=
    for i in $(seq 1 200); do
        h=$(((i - 1) % 20 + 1))
        host=h$h.example.com
        if [ "$(cat "$T/conc/$1.$i.out")" != "$(answer "$host" "pw-$host-$2")" ]; then
            wrong=$((wrong + 1))
            example=$(cat "$T/conc/$1.$i.out" "$T/conc/$1.$i.err")
        fi
    done
    check "$1: 200 concurrent gets, none failed" [ "$STORM_FAILS" = 0 ]
    check "$1: every answer right ($wrong wrong${example:+, e.g. $example})" [ "$wrong" = 0 ]
    wrong=0
    for h in $(seq 1 20); do
        counts="$counts $(count "h$h.example.com")"
        [ "$(count "h$h.example.com")" = "$2" ] || wrong=$((wrong + 1))
    done
    check "$1: $2 exchange(s) per host in all ($wrong hosts differ:$counts)" [ "$wrong" = 0 ]
    only_entries "$1: 20 entries, no torn or temporary file" 20
    check "$1: no warning" [ -z "$(cat "$T/conc/$1".*.err)" ]
}
age_entries() { # SECONDS: every cache entry issued and expiring that much earlier
    /usr/bin/python3 - "$CACHE" "$1" <<'EOF'
import glob, json, os, sys
for path in glob.glob(os.path.join(sys.argv[1], "*.json")):
    with open(path) as f:
        e = json.load(f)
    e["issued"] -= int(sys.argv[2])
    e["expires"] -= int(sys.argv[2])
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(e, f)
    os.rename(path + ".tmp", path)
EOF
}
storm cold
storm_check cold 1
storm fresh
storm_check fresh 1
age_entries 400
storm half-life
storm_check half-life 2
run "$ROUTER" cache list
check "cache list: all 20 entries readable" [ "$(printf '%s' "$OUT" | grep -c 'example.com  route')" = 20 ]

lib_finish
