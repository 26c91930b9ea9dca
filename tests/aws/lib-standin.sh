# shellcheck shell=bash
# Starts tests/aws/standin.py (the ECR / Secrets Manager / STS stand-in) on
# 127.0.0.1 over HTTPS with a throw-away CA, for tests/ecr-test.sh,
# tests/e2e/test-ecr.sh and bench/run-get-bench.sh.
#
#   . tests/aws/lib-standin.sh
#   standin_start DIR [standin.py options...]   # sets STANDIN_PORT, STANDIN_URL,
#                                               # STANDIN_PID, STANDIN_CA
#   standin_ctl '{"fail":2}'                     # POST /_control
#   standin_count ecr                            # one counter from /_stats
#   standin_stop
#
# The caller exports AWS_CA_BUNDLE=$STANDIN_CA for the router.  Needs
# openssl, curl and /usr/bin/python3 with botocore.

STANDIN_PY=/usr/bin/python3
STANDIN_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STANDIN_PID=

# Whether the stand-in can run here (tools present); prints what is missing.
standin_missing() {
    local t
    for t in openssl curl "$STANDIN_PY"; do
        command -v "$t" >/dev/null 2>&1 || { echo "$t"; return 0; }
    done
    "$STANDIN_PY" -c 'import botocore.auth' 2>/dev/null || { echo python3-botocore; return 0; }
    return 1
}

# A CA and a server certificate for 127.0.0.1 / localhost in DIR.
standin_certs() {
    local d=$1
    mkdir -p "$d"
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$d/ca.key" -out "$d/ca.crt" -days 2 -subj '/CN=dcr aws stand-in CA' \
        -addext 'basicConstraints=critical,CA:TRUE' \
        -addext 'keyUsage=critical,keyCertSign,cRLSign' >/dev/null 2>&1 || return 1
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$d/server.key" -out "$d/server.csr" -subj '/CN=127.0.0.1' \
        >/dev/null 2>&1 || return 1
    printf '%s\n' 'basicConstraints = critical,CA:FALSE' \
        'keyUsage = critical,digitalSignature,keyEncipherment' \
        'extendedKeyUsage = serverAuth' 'subjectAltName = IP:127.0.0.1,DNS:localhost' \
        >"$d/server.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
        -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" -days 2 \
        -extfile "$d/server.ext" -out "$d/server.crt" >/dev/null 2>&1
}

standin_start() {
    local d=$1
    shift
    standin_certs "$d/pki" || { echo "stand-in: openssl failed" >&2; return 1; }
    STANDIN_CA=$d/pki/ca.crt
    rm -f "$d/standin.port"
    "$STANDIN_PY" "$STANDIN_HERE/standin.py" --cert "$d/pki/server.crt" \
        --key "$d/pki/server.key" --port-file "$d/standin.port" --log "$d/standin.log" "$@" \
        </dev/null >>"$d/standin.err" 2>&1 &
    STANDIN_PID=$!
    for _ in $(seq 1 100); do
        if [ -s "$d/standin.port" ]; then
            STANDIN_PORT=$(cat "$d/standin.port")
            STANDIN_URL=https://127.0.0.1:$STANDIN_PORT
            curl -sf --cacert "$STANDIN_CA" "$STANDIN_URL/_stats" >/dev/null && return 0
        fi
        kill -0 "$STANDIN_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$d/standin.err" >&2
    echo "stand-in did not start" >&2
    return 1
}

standin_ctl() {
    curl -sf --noproxy '*' --cacert "$STANDIN_CA" -X POST -H 'Content-Type: application/json' \
        --data "$1" "$STANDIN_URL/_control" >/dev/null
}

standin_count() {
    curl -sf --noproxy '*' --cacert "$STANDIN_CA" "$STANDIN_URL/_stats" |
        "$STANDIN_PY" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

standin_stop() {
    if [ -n "$STANDIN_PID" ]; then
        kill "$STANDIN_PID" 2>/dev/null
        wait "$STANDIN_PID" 2>/dev/null
    fi
    STANDIN_PID=
}
