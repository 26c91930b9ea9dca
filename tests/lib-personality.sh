# shellcheck shell=bash
# Shared by tests/script-test.sh, tedge-test.sh, kubelet-test.sh and
# helpers-test.sh: an isolated HOME/XDG tree in a temporary directory, no
# inherited router or thin-edge variables, and exact-bytes assertions.
#
#   . "$(dirname "$0")/lib-personality.sh"
#   lib_init "$@"                      # $1: the router executable (may be "")
#   run [STDIN=file] CMD ARGS...       # sets RC, OUT, ERR (exact bytes)
#   expect NAME RC OUT ERR             # compares the last run
#   lib_finish                         # "N passed, N failed"; exit 0/1
# Processes a test starts go in LIB_PIDS; they are killed by PID on exit.

set -u
umask 077

LIB_PASSED=0
LIB_FAILED=0
LIB_PIDS=
T=
ROUTER=
RC=0
OUT=
ERR=

lib_cleanup() {
    local pid
    for pid in $LIB_PIDS; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    [ -n "$T" ] && rm -rf "$T"
}

lib_init() {
    local v
    ROUTER=${1:-}
    if [ -n "$ROUTER" ]; then
        case $ROUTER in /*) ;; *) ROUTER=$PWD/$ROUTER ;; esac
        [ -x "$ROUTER" ] || { echo "not executable: $ROUTER" >&2; exit 1; }
    fi
    T=$(mktemp -d "${TMPDIR:-/tmp}/dcr-test.XXXXXX") || exit 1
    trap lib_cleanup EXIT
    trap 'exit 1' INT TERM HUP
    mkdir -p "$T/home" "$T/config" "$T/data" "$T/cache" "$T/bin"
    export HOME=$T/home XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data XDG_CACHE_HOME=$T/cache
    export LC_ALL=C
    for v in $(env | sed -n 's/^\(CONTAINER_REGISTRY[0-9]*_[A-Z]*\|DSTACK_[A-Z_]*\|DCR_[A-Z0-9_]*\|DOCKER_CREDENTIAL_ROUTER_[A-Z_]*\|VAULT_[A-Z_]*\|GITHUB_ACTOR\|GH_TOKEN_USERNAME\)=.*/\1/p'); do
        unset "$v"
    done
}

# Runs a command with stdin from $STDIN (default /dev/null); captures exact bytes.
run() {
    "$@" <"${STDIN:-/dev/null}" >"$T/.out" 2>"$T/.err"
    RC=$?
    OUT=$(cat "$T/.out"; printf x)
    OUT=${OUT%x}
    ERR=$(cat "$T/.err"; printf x)
    ERR=${ERR%x}
}

lib_pass() {
    LIB_PASSED=$((LIB_PASSED + 1))
    printf 'ok %d - %s\n' $((LIB_PASSED + LIB_FAILED)) "$1"
}

lib_fail() {
    LIB_FAILED=$((LIB_FAILED + 1))
    printf 'not ok %d - %s\n' $((LIB_PASSED + LIB_FAILED)) "$1"
    shift
    printf '#   %s\n' "$@"
}

# expect NAME RC OUT ERR: the last run's status and exact stdout and stderr.
expect() {
    if [ "$RC" = "$2" ] && [ "$OUT" = "$3" ] && [ "$ERR" = "$4" ]; then
        lib_pass "$1"
    else
        lib_fail "$1" "status $RC (want $2)" "stdout: $(printf %q "$OUT")" \
            "want:   $(printf %q "$3")" "stderr: $(printf %q "$ERR")" \
            "want:   $(printf %q "$4")"
    fi
}

# check NAME CONDITION-COMMAND...: passes when the command succeeds.
check() {
    local name=$1
    shift
    if "$@"; then
        lib_pass "$name"
    else
        lib_fail "$name" "failed: $*"
    fi
}

# A private file with the given contents (printf %s, so no escapes).
put() {
    printf '%s' "$2" >"$1"
    chmod 600 "$1"
}

# An executable script.
put_exe() {
    printf '%s' "$2" >"$1"
    chmod 700 "$1"
}

lib_finish() {
    printf '# %d passed, %d failed\n' "$LIB_PASSED" "$LIB_FAILED"
    [ "$LIB_FAILED" -eq 0 ]
    exit
}
