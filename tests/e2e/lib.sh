# shellcheck shell=bash
# Helpers for the end-to-end tests: a TLS + htpasswd docker-registry on
# 127.0.0.1, a tiny hand-made OCI image pushed to it, an isolated HOME and a
# small assertion harness.  Sourced by test-*.sh; nothing here leaves
# loopback, and everything started is stopped by PID from the EXIT trap.
#
# Usage from a test script:
#   . "$(dirname "$0")/lib.sh"
#   e2e_init "$@"          # $1 = path of the router executable (may be empty)
#   e2e_start_registry
#   e2e_push_image
#   ... cases ...
#   e2e_finish             # prints "N passed, N failed", exits 0/1

set -u
umask 077

E2E_PASSED=0
E2E_FAILED=0
E2E_TMP=
E2E_REGISTRY_PID=
E2E_CASE=0
E2E_USER=alice
E2E_REPO=e2e/hello
E2E_TAG=1
E2E_PY=/usr/bin/python3

# ---------------------------------------------------------------- utilities

e2e_log() { printf '# %s\n' "$*"; }

e2e_die() {
    printf 'e2e: error: %s\n' "$*" >&2
    exit 1
}

# A tool the tests need is missing: that is a failure, never a skip
# (`sh .ci/install-deps` installs them all).
e2e_require() {
    local t missing=
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
    done
    if [ -n "$missing" ]; then
        printf 'e2e: error: missing%s (run sh .ci/install-deps)\n' "$missing" >&2
        exit 1
    fi
}

e2e_rand() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }

# A TCP port on 127.0.0.1 that was free a moment ago.
e2e_free_port() {
    "$E2E_PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# ------------------------------------------------------------------ cleanup

e2e_cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -n "$E2E_REGISTRY_PID" ] && kill -0 "$E2E_REGISTRY_PID" 2>/dev/null; then
        kill "$E2E_REGISTRY_PID" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$E2E_REGISTRY_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -9 "$E2E_REGISTRY_PID" 2>/dev/null
        wait "$E2E_REGISTRY_PID" 2>/dev/null
    fi
    E2E_REGISTRY_PID=
    if [ -n "${E2E_KEEP:-}" ] && [ -n "$E2E_TMP" ]; then
        printf 'e2e: keeping %s\n' "$E2E_TMP" >&2
    elif [ -n "$E2E_TMP" ] && [ -d "$E2E_TMP" ]; then
        rm -rf -- "$E2E_TMP"
    fi
    exit "$rc"
}

e2e_on_signal() {
    printf 'e2e: interrupted\n' >&2
    exit 130
}

# --------------------------------------------------------------------- init

# e2e_init ROUTER: temp dir, isolated environment, certificates, htpasswd,
# and a bin dir first on PATH holding docker-credential-router -> ROUTER.
e2e_init() {
    ROUTER=${1:-}
    e2e_require docker skopeo docker-registry htpasswd openssl curl jq \
        gzip tar sha256sum timeout od "$E2E_PY"

    E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dcr-e2e.XXXXXX") || e2e_die "mktemp failed"
    trap e2e_cleanup EXIT
    trap e2e_on_signal INT TERM HUP

    mkdir -p "$E2E_TMP"/{home,docker,config,data,cache,state,run,bin,certs,logs,registry,oci}
    # Nothing of the real user is read or written.
    export HOME=$E2E_TMP/home
    export DOCKER_CONFIG=$E2E_TMP/docker
    export XDG_CONFIG_HOME=$E2E_TMP/config
    export XDG_DATA_HOME=$E2E_TMP/data
    export XDG_CACHE_HOME=$E2E_TMP/cache
    export XDG_STATE_HOME=$E2E_TMP/state
    export XDG_RUNTIME_DIR=$E2E_TMP/run
    export REGISTRY_AUTH_FILE=$E2E_TMP/auth.json
    # No daemon: docker login falls back to its client-side login.
    export DOCKER_HOST=unix://$E2E_TMP/run/no-docker.sock
    export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
    unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy \
        DOCKER_AUTH_CONFIG DOCKER_CONTEXT DOCKER_CERT_PATH DOCKER_TLS_VERIFY \
        CONTAINERS_REGISTRIES_CONF CONTAINERS_AUTH_FILE \
        DOCKER_CREDENTIAL_ROUTER_CONFIG DOCKER_CREDENTIAL_ROUTER_LOG
    # Variables the router's backends read on their own (thin-edge
    # overrides, dstack, env-backend defaults).
    local v
    for v in $(compgen -e); do
        case $v in
        CONTAINER_REGISTRY* | DSTACK_* | DCR_*) unset "$v" ;;
        esac
    done

    E2E_PASSWORD="e2e-Pw-$(e2e_rand)"
    E2E_WRONG="e2e-Wrong-$(e2e_rand)"
    E2E_CERTS=$E2E_TMP/certs
    E2E_REGCONF=$E2E_TMP/registries.conf
    printf 'unqualified-search-registries = []\n' >"$E2E_REGCONF"
    printf '{"auths":{}}\n' >"$REGISTRY_AUTH_FILE"
    printf '{}\n' >"$DOCKER_CONFIG/config.json"

    if [ -n "$ROUTER" ]; then
        case $ROUTER in /*) ;; *) ROUTER=$PWD/$ROUTER ;; esac
        [ -x "$ROUTER" ] || e2e_die "router executable not found: $ROUTER"
        ln -s "$ROUTER" "$E2E_TMP/bin/docker-credential-router"
    fi
    export PATH="$E2E_TMP/bin:$PATH"

    e2e_make_certs
    printf '%s\n' "$E2E_PASSWORD" |
        htpasswd -B -i -c "$E2E_TMP/htpasswd" "$E2E_USER" >/dev/null 2>&1 ||
        e2e_die "htpasswd failed"
}

# Test CA plus a server certificate for 127.0.0.1 / localhost.  The CA goes
# to $E2E_CERTS/ca.crt, which is what skopeo --cert-dir wants.
e2e_make_certs() {
    local d=$E2E_TMP/pki
    mkdir -p "$d"
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$d/ca.key" -out "$d/ca.crt" -days 2 -subj '/CN=dcr e2e test CA' \
        -addext 'basicConstraints=critical,CA:TRUE' \
        -addext 'keyUsage=critical,keyCertSign,cRLSign' >/dev/null 2>&1 ||
        e2e_die "openssl: CA"
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$d/server.key" -out "$d/server.csr" -subj '/CN=127.0.0.1' \
        >/dev/null 2>&1 || e2e_die "openssl: server key"
    cat >"$d/server.ext" <<'EOF'
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
EOF
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
        -set_serial "0x$(e2e_rand)" -days 2 -extfile "$d/server.ext" \
        -out "$d/server.crt" >/dev/null 2>&1 || e2e_die "openssl: server cert"
    cp "$d/ca.crt" "$E2E_CERTS/ca.crt"
    E2E_CA=$E2E_CERTS/ca.crt
}

# ----------------------------------------------------------------- registry

e2e_write_registry_config() {
    cat >"$E2E_TMP/registry/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $E2E_TMP/registry/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$E2E_PORT
  tls:
    certificate: $E2E_TMP/pki/server.crt
    key: $E2E_TMP/pki/server.key
auth:
  htpasswd:
    realm: dcr-e2e
    path: $E2E_TMP/htpasswd
EOF
}

# Start docker-registry (distribution v2) in the background on a free port
# and wait until /v2/ answers 401.  Sets E2E_PORT, E2E_HOST, E2E_IMAGE.
e2e_start_registry() {
    local code
    for _ in 1 2 3 4 5; do
        E2E_PORT=$(e2e_free_port) || e2e_die "no free port"
        e2e_write_registry_config
        # A clean environment: the registry reads REGISTRY_* variables as
        # configuration overrides (REGISTRY_AUTH_FILE would become auth.file).
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$HOME" \
            docker-registry serve "$E2E_TMP/registry/config.yml" \
            >>"$E2E_TMP/logs/registry.log" 2>&1 </dev/null &
        E2E_REGISTRY_PID=$!
        for _ in $(seq 1 100); do
            kill -0 "$E2E_REGISTRY_PID" 2>/dev/null || break
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
                --cacert "$E2E_CA" "https://127.0.0.1:$E2E_PORT/v2/") || code=000
            if [ "$code" = 401 ]; then
                E2E_HOST=127.0.0.1:$E2E_PORT
                E2E_IMAGE=$E2E_HOST/$E2E_REPO:$E2E_TAG
                e2e_log "registry pid $E2E_REGISTRY_PID on https://$E2E_HOST"
                return 0
            fi
            sleep 0.1
        done
        # Port taken in the meantime, or slow start: stop it and retry.
        kill "$E2E_REGISTRY_PID" 2>/dev/null
        wait "$E2E_REGISTRY_PID" 2>/dev/null
        E2E_REGISTRY_PID=
    done
    sed 's/^/  registry: /' "$E2E_TMP/logs/registry.log" >&2
    e2e_die "docker-registry did not come up"
}

# ---------------------------------------------------------------- OCI image

# sha256 hex of a file
e2e_sha256() { sha256sum "$1" | cut -d' ' -f1; }
e2e_size() { wc -c <"$1" | tr -d ' '; }

# Move FILE into the layout's blob store; prints "sha256:HEX SIZE".
e2e_add_blob() {
    local f=$1 hex size
    hex=$(e2e_sha256 "$f")
    size=$(e2e_size "$f")
    mv "$f" "$E2E_OCI/blobs/sha256/$hex"
    printf 'sha256:%s %s\n' "$hex" "$size"
}

# A one-layer OCI image layout built by hand in $E2E_OCI.
e2e_build_oci() {
    local w=$E2E_TMP/oci-work diff_id layer_d layer_s cfg_d cfg_s man_d man_s
    E2E_OCI=$E2E_TMP/oci/layout
    mkdir -p "$w/rootfs" "$E2E_OCI/blobs/sha256"
    printf 'hello from docker-credential-router e2e\n' >"$w/rootfs/hello.txt"
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
        -C "$w/rootfs" -cf "$w/layer.tar" hello.txt || e2e_die "tar failed"
    diff_id=sha256:$(e2e_sha256 "$w/layer.tar")
    gzip -n -9 -c "$w/layer.tar" >"$w/layer.tar.gz"
    read -r layer_d layer_s < <(e2e_add_blob "$w/layer.tar.gz")

    printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/hello.txt"]},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
        "$diff_id" >"$w/config.json"
    read -r cfg_d cfg_s < <(e2e_add_blob "$w/config.json")

    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
        "$cfg_d" "$cfg_s" "$layer_d" "$layer_s" >"$w/manifest.json"
    read -r man_d man_s < <(e2e_add_blob "$w/manifest.json")
    E2E_MANIFEST_DIGEST=$man_d

    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}\n' \
        "$man_d" "$man_s" >"$E2E_OCI/index.json"
    printf '{"imageLayoutVersion":"1.0.0"}\n' >"$E2E_OCI/oci-layout"
    rm -rf "$w"
}

# Build the image and push it as $E2E_IMAGE with inline credentials.
e2e_push_image() {
    e2e_build_oci
    printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$E2E_TMP/policy.json"
    if ! timeout 60 skopeo --registries-conf "$E2E_REGCONF" copy --quiet \
        --policy "$E2E_TMP/policy.json" --dest-cert-dir "$E2E_CERTS" \
        --dest-creds "$E2E_USER:$E2E_PASSWORD" \
        "oci:$E2E_OCI:latest" "docker://$E2E_IMAGE" \
        >"$E2E_TMP/logs/push.out" 2>"$E2E_TMP/logs/push.err"; then
        cat "$E2E_TMP/logs/push.err" >&2
        e2e_die "skopeo copy (push) failed"
    fi
    e2e_log "pushed $E2E_IMAGE ($E2E_MANIFEST_DIGEST)"
}

# ------------------------------------------------------------------ harness

e2e_pass() {
    E2E_PASSED=$((E2E_PASSED + 1))
    printf 'ok   %s\n' "$1"
}

# e2e_fail DESC [FILE...]: count a failure, show the files' tails.
e2e_fail() {
    local f
    E2E_FAILED=$((E2E_FAILED + 1))
    printf 'FAIL %s\n' "$1"
    shift
    for f in "$@"; do
        [ -s "$f" ] || continue
        printf '     --- %s\n' "${f##*/}"
        tail -n 15 "$f" | sed 's/^/     | /'
    done
}

assert_eq() { # DESC EXPECTED GOT
    if [ "$2" = "$3" ]; then e2e_pass "$1"; else e2e_fail "$1 (expected '$2', got '$3')"; fi
}

assert_file_exists() { # DESC FILE
    if [ -f "$2" ]; then e2e_pass "$1"; else e2e_fail "$1 (no file $2)"; fi
}

assert_file_mode() { # DESC FILE MODE(octal, e.g. 600)
    local m
    m=$(stat -c %a "$2" 2>/dev/null) || m=missing
    assert_eq "$1" "$3" "$m"
}

assert_grep() { # DESC FILE FIXED-STRING
    if grep -qF -- "$3" "$2" 2>/dev/null; then e2e_pass "$1"; else e2e_fail "$1 ('$3' not in ${2##*/})" "$2"; fi
}

assert_no_grep() { # DESC FILE FIXED-STRING  (a missing file passes)
    if grep -qF -- "$3" "$2" 2>/dev/null; then e2e_fail "$1 (found in ${2##*/})"; else e2e_pass "$1"; fi
}

# The secrets must never appear in anything a client or the helper printed.
assert_no_secret_in_logs() { # DESC
    local hits
    hits=$(grep -rlF -e "$E2E_PASSWORD" -e "$E2E_WRONG" "$E2E_TMP/logs" 2>/dev/null |
        grep -v '/registry.log$' | sed 's|.*/||' | tr '\n' ' ')
    if [ -z "$hits" ]; then e2e_pass "$1"; else e2e_fail "$1 (in: $hits)"; fi
}

# e2e_run NAME CMD...: run a client with a time limit, stdout/stderr to
# logs/NN-NAME.{out,err}; sets E2E_RC, E2E_OUT, E2E_ERR.
e2e_run() {
    local name=$1
    shift
    E2E_CASE=$((E2E_CASE + 1))
    E2E_OUT=$E2E_TMP/logs/$(printf '%02d' "$E2E_CASE")-$name.out
    E2E_ERR=${E2E_OUT%.out}.err
    E2E_REGMARK=$(wc -l <"$E2E_TMP/logs/registry.log")
    timeout 60 "$@" >"$E2E_OUT" 2>"$E2E_ERR" </dev/null
    E2E_RC=$?
}

# Same, with STDIN-TEXT on stdin (for --password-stdin).
e2e_run_stdin() { # NAME STDIN-TEXT CMD...
    local name=$1 input=$2
    shift 2
    E2E_CASE=$((E2E_CASE + 1))
    E2E_OUT=$E2E_TMP/logs/$(printf '%02d' "$E2E_CASE")-$name.out
    E2E_ERR=${E2E_OUT%.out}.err
    E2E_REGMARK=$(wc -l <"$E2E_TMP/logs/registry.log")
    printf '%s\n' "$input" | timeout 60 "$@" >"$E2E_OUT" 2>"$E2E_ERR"
    E2E_RC=$?
}

# Outcome of the last e2e_run:
#   ok            exit status 0
#   helper-error  the client reports that the credential helper failed
#   auth-refused  the registry saw alice's credentials and refused them
#   no-creds      the request went out anonymous (no credentials found)
#   auth-error    some other 401 (neither of the two above could be told)
#   error         anything else
# The registry logs (level error) every failed authentication with the user
# name, which tells "wrong password sent" from "nothing sent".
e2e_outcome() {
    local reg
    if [ "$E2E_RC" -eq 0 ]; then
        echo ok
        return
    fi
    if grep -qiE 'error (getting|storing|erasing|listing) credentials|error saving credentials' \
        "$E2E_ERR" "$E2E_OUT"; then
        echo helper-error
        return
    fi
    reg=$(tail -n "+$((E2E_REGMARK + 1))" "$E2E_TMP/logs/registry.log")
    if printf '%s\n' "$reg" | grep -qF "authenticating user \\\"$E2E_USER\\\""; then
        echo auth-refused
    elif grep -qF 'no basic auth credentials' "$E2E_ERR" ||
        printf '%s\n' "$reg" | grep -qF 'authenticating user \"\"'; then
        echo no-creds
    elif grep -qiE 'unauthorized|authentication required|401 unauthorized' "$E2E_ERR" "$E2E_OUT"; then
        echo auth-error
    else
        echo error
    fi
}

# e2e_case CLIENT VERB CREDS EXPECTED: the matrix line for the last run.
e2e_case() {
    local got
    got=$(e2e_outcome)
    if [ "$got" = "$4" ]; then
        E2E_PASSED=$((E2E_PASSED + 1))
        printf 'ok   %-7s %-16s %-34s -> %s\n' "$1" "$2" "$3" "$got"
    else
        E2E_FAILED=$((E2E_FAILED + 1))
        printf 'FAIL %-7s %-16s %-34s -> %s (expected %s, exit %s)\n' \
            "$1" "$2" "$3" "$got" "$4" "$E2E_RC"
        e2e_fail_detail
    fi
}

e2e_fail_detail() {
    local f
    for f in "$E2E_OUT" "$E2E_ERR"; do
        [ -s "$f" ] || continue
        printf '     --- %s\n' "${f##*/}"
        tail -n 15 "$f" | sed 's/^/     | /'
    done
}

e2e_section() { printf '\n## %s\n' "$*"; }

e2e_finish() {
    printf '\n%d passed, %d failed\n' "$E2E_PASSED" "$E2E_FAILED"
    [ "$E2E_FAILED" -eq 0 ] || exit 1
    exit 0
}

# ---------------------------------------------------------- router configs

# Write the router config (mode 0600) from stdin and point the helper at it.
e2e_router_config() {
    E2E_ROUTER_CONF=$E2E_TMP/config/router.toml
    cat >"$E2E_ROUTER_CONF.tmp"
    chmod 600 "$E2E_ROUTER_CONF.tmp"
    mv -f "$E2E_ROUTER_CONF.tmp" "$E2E_ROUTER_CONF"
    export DOCKER_CREDENTIAL_ROUTER_CONFIG=$E2E_ROUTER_CONF
}

# A config with one route for another host only: $E2E_HOST has no route.
e2e_router_config_noroute() {
    e2e_router_config <<'EOF'
# no route for the test registry
[[route]]
match = ["unrelated.invalid:1"]
backend = "env"
username_env = "E2E_UNUSED_USER"
password_env = "E2E_UNUSED_PASS"
EOF
}

# A static route for $E2E_HOST reading FILE; extra lines (e.g. store = ...)
# from $2.
e2e_router_config_static() { # FILE [EXTRA]
    e2e_router_config <<EOF
[[route]]
match = ["$E2E_HOST"]
backend = "static"
file = "$1"
${2:-}
EOF
}

e2e_router_config_env() { # [EXTRA]
    e2e_router_config <<EOF
[[route]]
match = "$E2E_HOST"
backend = "env"
username_env = "E2E_ROUTE_USER"
password_env = "E2E_ROUTE_PASS"
${1:-}
EOF
}

# A thin-edge credentials file (mode 0600) with an entry for $E2E_HOST and
# an unrelated entry that must survive rewrites.
e2e_creds_file() { # FILE PASSWORD
    cat >"$1" <<EOF
[other]
repo = "other.invalid:5000"
username = "bob"
password = "bob-secret"

[e2e]
repo = "$E2E_HOST"
username = "$E2E_USER"
password = "$2"
EOF
    chmod 600 "$1"
}

# shellcheck disable=SC2034 # used by the test scripts
E2E_DEFAULT_STORE_REL=docker-credential-router/credentials.toml

# Print the password stored for HOST/USER in a thin-edge credentials file
# ("" and status 1 if there is no such entry).
e2e_toml_password() { # FILE HOST [USER]
    "$E2E_PY" - "$1" "$2" "${3:-$E2E_USER}" <<'EOF'
import sys, tomllib
path, host, user = sys.argv[1:4]
try:
    with open(path, "rb") as f:
        doc = tomllib.load(f)
except FileNotFoundError:
    sys.exit(1)
for v in doc.values():
    if isinstance(v, dict) and v.get("repo") == host and v.get("username") == user:
        print(v.get("password", ""))
        sys.exit(0)
sys.exit(1)
EOF
}

# Does the file hold an entry (any user) for HOST?
e2e_toml_has_repo() { # FILE HOST
    "$E2E_PY" - "$1" "$2" <<'EOF'
import sys, tomllib
path, host = sys.argv[1:3]
try:
    with open(path, "rb") as f:
        doc = tomllib.load(f)
except FileNotFoundError:
    sys.exit(1)
sys.exit(0 if any(isinstance(v, dict) and v.get("repo") == host for v in doc.values()) else 1)
EOF
}

assert_store_has() { # DESC FILE PASSWORD
    local pw
    pw=$(e2e_toml_password "$2" "$E2E_HOST") || pw='<no entry>'
    if [ "$pw" = "$3" ]; then
        e2e_pass "$1"
    elif [ "$pw" = '<no entry>' ]; then
        e2e_fail "$1 (no entry repo=$E2E_HOST username=$E2E_USER in ${2##*/})"
    else
        e2e_fail "$1 (entry present but with another password)"
    fi
}

assert_store_lacks() { # DESC FILE
    if e2e_toml_has_repo "$2" "$E2E_HOST"; then e2e_fail "$1 (entry for $E2E_HOST still in ${2##*/})"; else e2e_pass "$1"; fi
}
