# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# A private Secret Service for tests: gnome-keyring-daemon (secrets component
# only) on the session bus of a dbus-run-session, its login keyring created
# and unlocked with a password fed on stdin, its files under the test's HOME
# and XDG directories.  Sourced by secretservice-test.sh and
# e2e/test-keyring.sh.
#
#   keyring_session "$0" "$@"   # re-runs the script under dbus-run-session
#   keyring_start DIR           # starts the daemon (files under DIR), waits
#                               # until org.freedesktop.secrets has an owner
#   keyring_stop                # stops it by PID (also safe when not started)
#   keyring_items SERVER        # prints how many Docker items hold SERVER

KEYRING_PID=
KEYRING_PASSWORD=keyring-test-password

# The tools the keyring tests need: missing ones are failures, never skips.
keyring_require() {
    local t missing=
    for t in dbus-run-session dbus-send gnome-keyring-daemon secret-tool "$@"; do
        command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
    done
    if [ -n "$missing" ]; then
        printf 'error: missing%s (run sh .ci/install-deps)\n' "$missing" >&2
        exit 1
    fi
}

# Re-executes the script inside a private session bus (once).
keyring_session() {
    local script=$1
    shift
    if [ -z "${DCR_KEYRING_SESSION:-}" ]; then
        export DCR_KEYRING_SESSION=1
        exec dbus-run-session -- bash "$script" "$@"
    fi
}

keyring_has_owner() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
        grep -q 'boolean true'
}

keyring_start() { # DIR
    local dir=$1
    mkdir -p "$dir/run"
    chmod 700 "$dir/run"
    # The daemon keeps its sockets under XDG_RUNTIME_DIR and the keyring
    # files under XDG_DATA_HOME: both stay inside the test's directory.
    export XDG_RUNTIME_DIR=$dir/run
    printf '%s' "$KEYRING_PASSWORD" |
        gnome-keyring-daemon --foreground --unlock --components=secrets \
            >"$dir/keyring.out" 2>"$dir/keyring.err" &
    KEYRING_PID=$!
    for _ in $(seq 1 100); do
        if keyring_has_owner; then
            return 0
        fi
        kill -0 "$KEYRING_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$dir/keyring.err" >&2
    printf 'error: gnome-keyring-daemon did not take org.freedesktop.secrets\n' >&2
    exit 1
}

keyring_stop() {
    if [ -n "$KEYRING_PID" ] && kill -0 "$KEYRING_PID" 2>/dev/null; then
        kill "$KEYRING_PID" 2>/dev/null
        wait "$KEYRING_PID" 2>/dev/null
    fi
    KEYRING_PID=
}

keyring_items() { # SERVER
    secret-tool search --all server "$1" docker_cli 1 2>/dev/null | grep -c '^\[/'
}
