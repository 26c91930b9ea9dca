#!/bin/bash
# The fast-path benchmark (DESIGN.md section 5): a cached ECR get, a static
# get and an env get through docker-credential-router, each started the way
# Go's os/exec starts a helper (bench/get_bench.c), paired run by run with
# bench/floor (a static C program printing a fixed answer) and with
# docker-credential-ecr-login answering from its own cache.
#
#   bench/run-get-bench.sh BUILD_DIR [RUNS]      (default 300 runs)
#
# Needs docker-credential-ecr-login (Debian amazon-ecr-credential-helper),
# openssl, curl and /usr/bin/python3 with botocore (the ECR stand-in primes
# the router's cache with one real exchange; ecr-login's cache.json is
# written directly, in its format).  Everything runs in a temporary HOME;
# nothing leaves 127.0.0.1.  Goals: each router get <= 1.35x the floor,
# >= 10x faster than ecr-login, peak RSS <= 1.5 MiB.
set -u
umask 077

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:?usage: run-get-bench.sh BUILD_DIR [RUNS]}
RUNS=${2:-300}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
ROUTER=$BUILD/docker-credential-router
ECRLOGIN=$(command -v docker-credential-ecr-login) ||
    { echo "run-get-bench: docker-credential-ecr-login is missing (apt-get install amazon-ecr-credential-helper)" >&2; exit 1; }
for f in "$ROUTER" "$BUILD/dcr-aws" "$BUILD/bench/get_bench" "$BUILD/bench/floor"; do
    [ -x "$f" ] || { echo "run-get-bench: $f is missing (meson compile -C $BUILD)" >&2; exit 1; }
done
# shellcheck source=../tests/aws/lib-standin.sh
. "$HERE/../tests/aws/lib-standin.sh"
if missing=$(standin_missing); then
    echo "run-get-bench: $missing is missing" >&2
    exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/dcr-bench.XXXXXX") || exit 1
trap 'standin_stop; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$T/home" "$T/config" "$T/data" "$T/cache" "$T/aws"
for v in $(compgen -e); do
    case $v in AWS_* | DSTACK_* | DCR_* | DOCKER_CREDENTIAL_ROUTER_* | CONTAINER_REGISTRY*) unset "$v" ;; esac
done
export HOME=$T/home XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data XDG_CACHE_HOME=$T/cache
export AWS_CONFIG_FILE=$T/aws/config AWS_SHARED_CREDENTIALS_FILE=$T/aws/credentials
export AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-west-2
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
AKID=AKIDEXAMPLE
export AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
HOST=123456789012.dkr.ecr.us-west-2.amazonaws.com

standin_start "$T" --access "$AKID:$AWS_SECRET_ACCESS_KEY" --password bench-token || exit 1
export AWS_CA_BUNDLE=$STANDIN_CA

# One configuration for the three router gets.
printf '[registry]\nrepo = "static.example.com"\nusername = "ci"\npassword = "static-pw"\n' \
    >"$T/config/static.toml"
cat >"$T/config/router.toml" <<EOF
[[route]]
name = "ecr"
match = "*.dkr.ecr.*.amazonaws.com"
backend = "ecr"
endpoint = "$STANDIN_URL"

[[route]]
name = "static"
match = "static.example.com"
backend = "static"
file = "$T/config/static.toml"

[[route]]
name = "env"
match = "env.example.com"
backend = "env"
username_env = "BENCH_USER"
password_env = "BENCH_PASS"
EOF
chmod 600 "$T/config/router.toml" "$T/config/static.toml"
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/config/router.toml BENCH_USER=ci BENCH_PASS=env-pw

# Prime the router's token cache with one exchange.
printf '%s\n' "$HOST" | "$ROUTER" get >/dev/null || { echo "run-get-bench: priming get failed" >&2; exit 1; }

# Prime ecr-login's cache (PROTOCOLS.md 2.3): both key forms, the <= 0.11
# one (base64 of the key id followed by md5("")) and the 0.12 one.
export AWS_ECR_CACHE_DIR=$T/ecr
mkdir -p "$AWS_ECR_CACHE_DIR"
"$STANDIN_PY" - "$AWS_ECR_CACHE_DIR/cache.json" "$AKID" <<'EOF'
import base64, datetime, hashlib, json, sys
path, akid = sys.argv[1], sys.argv[2].encode()
now = datetime.datetime.utcnow()
entry = {
    "AuthorizationToken": base64.b64encode(b"AWS:ecr-login-token").decode(),
    "RequestedAt": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    "ExpiresAt": (now + datetime.timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "ProxyEndpoint": "https://123456789012.dkr.ecr.us-west-2.amazonaws.com",
    "Service": "ecr",
}
legacy = base64.b64encode(akid + hashlib.md5(b"").digest()).decode()
current = base64.b64encode(hashlib.sha256(akid).digest()).decode()
doc = {"Registries": {"us-west-2-%s-123456789012" % legacy: entry,
                      "us-west-2-%s-123456789012" % current: entry},
       "Version": "1.0"}
with open(path, "w") as f:
    json.dump(doc, f, indent=2)
EOF
out=$(printf '%s\n' "$HOST" | timeout 20 "$ECRLOGIN" get) || true
case $out in
*ecr-login-token*) ;;
*) echo "run-get-bench: docker-credential-ecr-login does not answer from its cache: $out" >&2; exit 1 ;;
esac
before=$(standin_count ecr)

# What a statically linked front would give (DESIGN.md section 5): the same
# objects relinked with -static; the row is left out when that fails.
static_row=()
if cc -O2 -static -o "$T/docker-credential-router-static" \
    "$BUILD"/docker-credential-router.p/*.o -ljansson >/dev/null 2>&1; then
    static_row=("router relinked -static: ecr" "$HOST" "$T/docker-credential-router-static" get \;)
fi

echo "# $(uname -m), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); router: $ROUTER"
"$BUILD/bench/get_bench" -n "$RUNS" \
    "floor (static C)" "$HOST" "$BUILD/bench/floor" \; \
    "router: ecr, cached" "$HOST" "$ROUTER" get \; \
    "router: static file" static.example.com "$ROUTER" get \; \
    "router: env" env.example.com "$ROUTER" get \; \
    "${static_row[@]}" \
    "*ecr-login 0.6, cached" "$HOST" "$ECRLOGIN" get \;
status=$?
after=$(standin_count ecr)
echo "# ECR exchanges during the benchmark: $((after - before)) (a cached get never runs dcr-aws)"
exit $status
