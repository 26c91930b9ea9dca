#!/bin/bash
# Load benchmarks (issue 7), each a paired get_bench run against its own
# baseline (the first row; "x floor" is the median of per-run ratios to it),
# every program started the way Go's os/exec starts a helper:
#
#   script     a `script` route whose program is a /bin/sh script, against
#              running that script directly          goal <= 1.3x
#   routes     a get answered by the last of 10 000 routes, against a
#              one-route configuration                goal <= 2x
#   entries    a token-cache hit with 10 000 other entries in the cache
#              directory, against a directory of one  goal: no slowdown (~1x)
#
# The static C floor (bench/floor) is printed in each table for scale.
# (Cached ECR, static and env gets against the floor: bench/run-get-bench.sh.)
#
#   bench/run-load-bench.sh BUILD_DIR [RUNS]      (default 300 runs)
#
# Use an optimised build (meson setup build-bench --buildtype=release).
# Everything runs in a temporary HOME; nothing touches the network.
set -u
umask 077

BUILD=${1:?usage: run-load-bench.sh BUILD_DIR [RUNS]}
RUNS=${2:-300}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
ROUTER=$BUILD/docker-credential-router
BENCH=$BUILD/bench/get_bench
FLOOR=$BUILD/bench/floor
SPAWNER=$BUILD/bench/spawner
for f in "$ROUTER" "$BENCH" "$FLOOR" "$SPAWNER"; do
    [ -x "$f" ] || { echo "run-load-bench: $f is missing (meson compile -C $BUILD)" >&2; exit 1; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/dcr-load-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$T/home" "$T/config" "$T/data"
for v in $(compgen -e); do
    case $v in AWS_* | DSTACK_* | DCR_* | DOCKER_CREDENTIAL_ROUTER_* | CONTAINER_REGISTRY*) unset "$v" ;; esac
done
export HOME=$T/home XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data XDG_CACHE_HOME=$T/cache
export BENCH_USER=ci BENCH_PASS=env-pw

# The script: what a registry-credentials helper at its simplest does.
cat >"$T/answer" <<'EOF'
#!/bin/sh
echo '{"username":"ci","password":"script-pw"}'
EOF
chmod 700 "$T/answer"

conf() { # NAME: a configuration file from stdin, mode 0600
    cat >"$T/config/$1.toml"
    echo "$T/config/$1.toml"
}
SCRIPT_CONF=$(printf '[[route]]\nmatch = "script.example.com"\nbackend = "script"\ncommand = ["%s"]\n' \
    "$T/answer" | conf script)
route() { # N: an env route for hN.example.com
    printf '[[route]]\nname = "r%d"\nmatch = "h%d.example.com"\nbackend = "env"\n' "$1" "$1"
    printf 'username_env = "BENCH_USER"\npassword_env = "BENCH_PASS"\n\n'
}
ONE_CONF=$(route 10000 | conf one)
MANY_CONF=$(for i in $(seq 1 10000); do route "$i"; done | conf many)
CACHED_CONF=$(printf '[[route]]\nname = "cached"\nmatch = "*.example.com"\nbackend = "script"\ncommand = ["%s"]\ncache_ttl = 86400\n' \
    "$T/answer" | conf cached)

# Two cache directories holding the same entry for h1.example.com, one alone
# and one among 10 000 entries of other identities (copies with other
# registries under other names: a hit opens its own file by name).
for c in one many; do
    printf 'h1.example.com\n' | XDG_CACHE_HOME=$T/cache-$c DOCKER_CREDENTIAL_ROUTER_CONFIG=$CACHED_CONF \
        "$ROUTER" get >/dev/null || { echo "run-load-bench: priming the cache failed" >&2; exit 1; }
done
/usr/bin/python3 - "$T/cache-many/docker-credential-router" <<'EOF'
import glob, json, os, sys
d = sys.argv[1]
entry = json.load(open(glob.glob(os.path.join(d, "*.json"))[0]))
for i in range(9999):
    e = dict(entry, registry="other%d.example.com" % i)
    fd = os.open(os.path.join(d, "%016x.json" % (0x1000000 + i)), os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(e, f, separators=(",", ":"))
EOF
echo "# $(uname -m), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); router: $ROUTER"
echo "# config sizes: one route $(stat -c %s "$ONE_CONF") B, 10 000 routes $(stat -c %s "$MANY_CONF") B;" \
    "cache entries: $(ls "$T/cache-one/docker-credential-router" | grep -c json) and" \
    "$(ls "$T/cache-many/docker-credential-router" | grep -c json)"
status=0
echo
echo "## script route vs running the script (goal <= 1.3x)"
# spawner (bench/spawner.c) is the least any helper that runs the script can
# do: read the key, posix_spawn the script, pass its answer on.
"$BENCH" -n "$RUNS" \
    "script run directly" script.example.com "$T/answer" get script.example.com \; \
    "router: script route" script.example.com DOCKER_CREDENTIAL_ROUTER_CONFIG="$SCRIPT_CONF" \
    "$ROUTER" get \; \
    "spawner (static C) + script" script.example.com "$SPAWNER" "$T/answer" script.example.com \; \
    "floor (static C)" script.example.com "$FLOOR" \; || status=1
echo
echo "## 10 000 routes vs one (goal <= 2x)"
# The route index is written by the first get once the file is 2 s old
# (src/routeindex.h); "no index" is a get whose cache directory cannot be
# created, which parses the whole file every time: what the first get after
# a change costs.
sleep 2.2
printf 'h1.example.com\n' | DOCKER_CREDENTIAL_ROUTER_CONFIG=$MANY_CONF "$ROUTER" get >/dev/null
ls "$XDG_CACHE_HOME"/docker-credential-router/*.routes >/dev/null 2>&1 ||
    { echo "run-load-bench: no route index was written" >&2; exit 1; }
"$BENCH" -n "$RUNS" \
    "router: 1 route" h10000.example.com DOCKER_CREDENTIAL_ROUTER_CONFIG="$ONE_CONF" "$ROUTER" get \; \
    "router: 10 000 routes, last" h10000.example.com DOCKER_CREDENTIAL_ROUTER_CONFIG="$MANY_CONF" \
    "$ROUTER" get \; \
    "router: 10 000 routes, first" h1.example.com DOCKER_CREDENTIAL_ROUTER_CONFIG="$MANY_CONF" \
    "$ROUTER" get \; \
    "router: 10 000 routes, middle" h5000.example.com DOCKER_CREDENTIAL_ROUTER_CONFIG="$MANY_CONF" \
    "$ROUTER" get \; \
    "router: 10 000, no index" h10000.example.com DOCKER_CREDENTIAL_ROUTER_CONFIG="$MANY_CONF" \
    XDG_CACHE_HOME=/proc/no-cache "$ROUTER" get \; \
    "floor (static C)" h10000.example.com "$FLOOR" \; || status=1
echo
echo "## cache hit among 10 000 entries vs 1 (goal ~1x)"
"$BENCH" -n "$RUNS" \
    "router: hit, 1 entry" h1.example.com DOCKER_CREDENTIAL_ROUTER_CONFIG="$CACHED_CONF" \
    XDG_CACHE_HOME="$T/cache-one" "$ROUTER" get \; \
    "router: hit, 10 000 entries" h1.example.com DOCKER_CREDENTIAL_ROUTER_CONFIG="$CACHED_CONF" \
    XDG_CACHE_HOME="$T/cache-many" "$ROUTER" get \; \
    "floor (static C)" h1.example.com "$FLOOR" \; || status=1
exit $status
