#!/bin/bash
# The integrations in helpers/ and examples/launcher, each run where it can
# run without a Docker daemon: into temporary roots, with fake dstack
# variables, checked with the router's own `check` and `route`.
#
#   tests/integrations-test.sh PATH/TO/docker-credential-router
set -u
umask 077

ROUTER=${1:?usage: $0 ROUTER}
case $ROUTER in /*) ;; *) ROUTER=$PWD/$ROUTER ;; esac
SRC=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dcr-integrations.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0

# Nothing of the real machine is read or written.
export HOME=$TMP/home XDG_CONFIG_HOME=$TMP/xdg-config XDG_CACHE_HOME=$TMP/cache
export XDG_DATA_HOME=$TMP/data DOCKER_CONFIG=$TMP/docker
unset DOCKER_CREDENTIAL_ROUTER_CONFIG DOCKER_CREDENTIAL_ROUTER_LOG REGISTRY_AUTH_FILE
for v in $(compgen -e); do
    case $v in CONTAINER_REGISTRY* | DSTACK_* | DCR_* | AWS_*) unset "$v" ;; esac
done
mkdir -p "$HOME" "$DOCKER_CONFIG"

pass() {
    PASSED=$((PASSED + 1))
    printf 'ok   %s\n' "$1"
}
fail() {
    FAILED=$((FAILED + 1))
    printf 'FAIL %s\n' "$1"
    [ -z "${2:-}" ] || [ ! -s "$2" ] || sed 's/^/     | /' "$2" | tail -n 20
}
check_eq() { # DESC EXPECTED GOT
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (expected '$2', got '$3')"; fi
}
check_grep() { # DESC FILE FIXED-STRING
    if grep -qF -- "$3" "$2" 2>/dev/null; then pass "$1"; else fail "$1 ('$3' not found)" "$2"; fi
}
check_no_grep() { # DESC FILE FIXED-STRING
    if grep -rqF -- "$3" "$2" 2>/dev/null; then fail "$1 (found in $2)"; else pass "$1"; fi
}
run() { # NAME CMD...: output (stdout+stderr) in $OUT, status in $RC
    OUT=$TMP/$1.out
    shift
    timeout 60 "$@" >"$OUT" 2>&1 </dev/null
    RC=$?
}
has_backend() { "$ROUTER" --help | grep -q "^  $1 "; }

# ------------------------------------------------------------------- dstack
printf '\n## dstack pre-launch script\n'
PRE=$SRC/helpers/dstack-prelaunch.sh
DS=$TMP/dstack
export DCR_BIN=$ROUTER DCR_CONFIG_DIR=$DS/etc
SECRET="dstack-Pw-$RANDOM$RANDOM"
export DSTACK_DOCKER_USERNAME=deployer DSTACK_DOCKER_PASSWORD=$SECRET
export DSTACK_DOCKER_REGISTRY=https://registry.example.com:5000/

run dstack-none env -u DSTACK_DOCKER_USERNAME -u DSTACK_DOCKER_PASSWORD bash "$PRE"
check_eq "no dstack variables: exit 0" 0 "$RC"
check_grep "and says there is nothing to do" "$OUT" "nothing to do"
check_eq "and writes nothing" no "$([ -e "$DS" ] && echo yes || echo no)"

# Sourced the way app-compose.sh sources it: under set -euo pipefail.
# shellcheck disable=SC2016 # $1 is for the inner bash
run dstack-1 bash -c 'set -euo pipefail; source "$1"; echo "app-compose goes on"' sh "$PRE"
check_eq "sourced under set -euo pipefail: success" 0 "$RC"
check_grep "app-compose.sh goes on after it" "$OUT" "app-compose goes on"
CONF=$DS/etc/config.toml
check_grep "it writes the router's config" "$CONF" 'backend = "env"'
check_grep "the route names the registry without scheme or slash" "$CONF" \
    'match = "registry.example.com:5000"'
check_grep "the route reads the password variable at use time" "$CONF" \
    'password_env = "DSTACK_DOCKER_PASSWORD"'
check_no_grep "no secret is written to disk" "$TMP" "$SECRET"
check_eq "config.toml is private (600)" 600 "$(stat -c %a "$CONF")"
run dstack-check env DOCKER_CREDENTIAL_ROUTER_CONFIG="$CONF" "$ROUTER" check
check_eq "docker-credential-router check accepts it" 0 "$RC"
run dstack-route env DOCKER_CREDENTIAL_ROUTER_CONFIG="$CONF" "$ROUTER" route \
    registry.example.com:5000/app:1
check_grep "route sends the registry to the dstack route" "$OUT" "dstack-docker"
check_eq "credHelpers names the registry" router \
    "$(jq -r '.credHelpers["registry.example.com:5000"]' "$DOCKER_CONFIG/config.json")"
printf 'registry.example.com:5000' >"$TMP/key"
got=$(DOCKER_CREDENTIAL_ROUTER_CONFIG=$CONF "$ROUTER" get <"$TMP/key" | jq -r .Secret)
check_eq "a get answers from the variables" "$SECRET" "$got"

before=$(stat -c '%i %Y' "$DOCKER_CONFIG/config.json")
run dstack-2 bash "$PRE"
check_eq "a second run succeeds" 0 "$RC"
check_grep "and leaves Docker's config alone" "$OUT" "nothing to change"
check_eq "config.json untouched" "$before" "$(stat -c '%i %Y' "$DOCKER_CONFIG/config.json")"

run dstack-hub env -u DSTACK_DOCKER_REGISTRY bash "$PRE"
check_grep "without DSTACK_DOCKER_REGISTRY the route is Docker Hub" "$CONF" 'match = "docker.io"'
check_eq "and the docker CLI's Hub key is added" router \
    "$(jq -r '.credHelpers["https://index.docker.io/v1/"]' "$DOCKER_CONFIG/config.json")"
check_eq "the earlier registry's entry is not pruned" router \
    "$(jq -r '.credHelpers["registry.example.com:5000"]' "$DOCKER_CONFIG/config.json")"

printf '[[route]]\nmatch = "mine.example.com"\nbackend = "env"\n' >"$TMP/foreign.toml"
cp "$TMP/foreign.toml" "$CONF"
run dstack-foreign bash "$PRE"
check_grep "a config.toml it did not write is left alone" "$OUT" "was not written by this script"
check_eq "byte for byte" "$(cat "$TMP/foreign.toml")" "$(cat "$CONF")"
rm -f "$CONF"

if has_backend ecr; then
    run dstack-ecr env -u DSTACK_DOCKER_USERNAME DSTACK_AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
        DSTACK_AWS_SECRET_ACCESS_KEY="$SECRET" DSTACK_AWS_REGION=eu-west-1 \
        DSTACK_AWS_ECR_REGISTRY=123456789012.dkr.ecr.eu-west-1.amazonaws.com bash "$PRE"
    check_eq "ECR variables: success" 0 "$RC"
    check_grep "an ecr route for DSTACK_AWS_ECR_REGISTRY" "$CONF" 'backend = "ecr"'
    check_grep "with its region" "$CONF" 'region = "eu-west-1"'
    check_no_grep "no AWS secret on disk" "$TMP" "$SECRET"
    check_eq "credHelpers names the ECR registry" router \
        "$(jq -r '.credHelpers["123456789012.dkr.ecr.eu-west-1.amazonaws.com"]' "$DOCKER_CONFIG/config.json")"
    run dstack-ecr-route env DOCKER_CREDENTIAL_ROUTER_CONFIG="$CONF" "$ROUTER" route \
        123456789012.dkr.ecr.eu-west-1.amazonaws.com/app
    check_grep "route sends it to the ecr backend" "$OUT" "backend:    ecr"
else
    printf '# the router has no ecr backend: ECR cases skipped\n'
fi
unset DCR_BIN DCR_CONFIG_DIR DSTACK_DOCKER_USERNAME DSTACK_DOCKER_PASSWORD DSTACK_DOCKER_REGISTRY

# ----------------------------------------------------------------- thin-edge
printf '\n## thin-edge setup\n'
TE=$TMP/tedge-root
TSET=$SRC/helpers/tedge-setup.sh
mkdir -p "$TE/data/tedge-container-plugin"
TCREDS=$TE/data/tedge-container-plugin/credentials.toml
printf '[registry1]\nrepo = "registry.example.com"\nusername = "edge"\npassword = "%s"\n' \
    "$SECRET" >"$TCREDS"
chmod 644 "$TCREDS"
run tedge-1 "$TSET" --root "$TE" --router "$ROUTER"
check_eq "tedge-setup exits 0" 0 "$RC"
check_eq "the link is where the plugin looks (PATH: /usr/local/bin)" "$ROUTER" \
    "$(readlink "$TE/usr/local/bin/registry-credentials")"
check_eq "a world-readable credentials.toml becomes 0600 in place" 600 "$(stat -c %a "$TCREDS")"
check_grep "and the router can read it" "$OUT" "is readable by the router"
printf '[[route]]\nmatch = "registry.example.com"\nbackend = "static"\nfile = "%s"\n' \
    "$TCREDS" >"$TMP/tedge.toml"
got=$(DOCKER_CREDENTIAL_ROUTER_CONFIG=$TMP/tedge.toml "$TE/usr/local/bin/registry-credentials" \
    get registry.example.com/app:1 | jq -r .password)
check_eq "registry-credentials through the link answers thin-edge's protocol" "$SECRET" "$got"
run tedge-2 "$TSET" --root "$TE" --router "$ROUTER"
check_grep "a second run: the link is already there" "$OUT" "already points to"
check_no_grep "and nothing is chmod'ed again" "$OUT" "chmod"
run tedge-bindir "$TSET" --root "$TE" --router "$ROUTER" --bin-dir /opt/plugin/bin
check_eq "--bin-dir puts the link elsewhere" "$ROUTER" \
    "$(readlink "$TE/opt/plugin/bin/registry-credentials")"
run tedge-docker "$TSET" --root "$TE" --router "$ROUTER" --docker
check_eq "--docker sets credsStore" router "$(jq -r .credsStore "$DOCKER_CONFIG/config.json")"
printf 'not = [toml' >"$TE/bad.toml"
chmod 600 "$TE/bad.toml"
run tedge-bad "$TSET" --root "$TE" --router "$ROUTER" --credentials /bad.toml
check_eq "a broken credentials.toml fails the setup" 1 "$RC"
check_grep "naming the file" "$OUT" "bad.toml"
mkdir -p "$TE/blocked/registry-credentials"
run tedge-blocked "$TSET" --root "$TE" --router "$ROUTER" --bin-dir /blocked
check_eq "something else under the link's name is not replaced" 1 "$RC"

# ------------------------------------------------------------------ launcher
printf '\n## launcher example\n'
LD=$TMP/launcher
cp -R "$SRC/examples/launcher" "$LD"
cp "$LD/credentials.toml.example" "$LD/credentials.toml"
chmod 600 "$LD/credentials.toml"
chmod go-w "$LD/config.toml"
export GHCR_USER=octo GHCR_TOKEN=ghcr-token
run launcher-check env DOCKER_CREDENTIAL_ROUTER_CONFIG="$LD/config.toml" "$ROUTER" check
check_eq "the launcher's config.toml passes check" 0 "$RC"
run launcher-route env DOCKER_CREDENTIAL_ROUTER_CONFIG="$LD/config.toml" "$ROUTER" route \
    registry.example.com/team/app:stable
check_grep "the workload's image is routed to the company route" "$OUT" "route 'company'"
got=$(printf 'registry.example.com' |
    DOCKER_CREDENTIAL_ROUTER_CONFIG=$LD/config.toml "$ROUTER" get | jq -r .Username)
check_eq "and answered from credentials.toml" launcher "$got"
if python3 -c 'import yaml' 2>/dev/null; then
    img=$(python3 -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
l = c["services"]["launcher"]
print(l["environment"]["DOCKER_CREDENTIAL_ROUTER_CONFIG"], *l["volumes"])' "$LD/compose.yaml")
    check_grep "compose.yaml mounts the config where the launcher reads it" <(echo "$img") \
        "./config.toml:/etc/docker-credential-router/config.toml:ro"
    check_grep "and the docker socket" <(echo "$img") "/var/run/docker.sock:/var/run/docker.sock"
fi
# launcher.sh once, against a stand-in docker that records what it was asked.
mkdir -p "$LD/bin"
cat >"$LD/bin/docker" <<EOF
#!/bin/sh
printf '%s\n' "docker \$*" >>"$LD/calls"
EOF
chmod +x "$LD/bin/docker"
ln -s "$ROUTER" "$LD/bin/docker-credential-router"
run launcher-once env PATH="$LD/bin:$PATH" ONCE=1 WORKLOAD="$LD/workload/compose.yaml" \
    DOCKER_CONFIG="$LD/docker" DOCKER_CREDENTIAL_ROUTER_CONFIG="$LD/config.toml" \
    "$LD/launcher.sh"
check_eq "launcher.sh runs one round" 0 "$RC"
check_eq "it points docker at the router" router "$(jq -r .credsStore "$LD/docker/config.json")"
check_grep "it pulls the workload" "$LD/calls" "compose -f $LD/workload/compose.yaml pull --quiet"
check_grep "and brings it up" "$LD/calls" "compose -f $LD/workload/compose.yaml up -d"

# ---------------------------------------------------------------- kubernetes
printf '\n## Kubernetes node install\n'
K8=$TMP/k8s-root
KI=$SRC/helpers/k8s-node-install.sh
run k8s-1 "$KI" --root "$K8" --router "$ROUTER" --router-config /etc/dcr/config.toml
check_eq "k8s-node-install exits 0" 0 "$RC"
KBIN=$K8/etc/kubernetes/image-credential-provider/docker-credential-router
KCFG=$K8/etc/kubernetes/image-credential-provider-config.yaml
if cmp -s "$ROUTER" "$KBIN" && [ -x "$KBIN" ]; then
    pass "the router is copied into the provider bin dir"
else
    fail "the router is copied into the provider bin dir"
fi
check_grep "it prints the config flag" "$OUT" \
    "--image-credential-provider-config=/etc/kubernetes/image-credential-provider-config.yaml"
check_grep "and the bin-dir flag" "$OUT" \
    "--image-credential-provider-bin-dir=/etc/kubernetes/image-credential-provider"
if python3 -c 'import yaml' 2>/dev/null; then
    got=$(python3 -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
p = c["providers"][0]
print(c["apiVersion"], c["kind"], p["name"], p["apiVersion"], " ".join(p["args"]),
      len(p["matchImages"]), p["env"][0]["name"], p["env"][0]["value"])' "$KCFG")
    check_eq "the CredentialProviderConfig parses and says what the kubelet needs" \
        "kubelet.config.k8s.io/v1 CredentialProviderConfig docker-credential-router credentialprovider.kubelet.k8s.io/v1 kubelet 6 DOCKER_CREDENTIAL_ROUTER_CONFIG /etc/dcr/config.toml" \
        "$got"
    got=$(python3 -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
p = c["providers"][0]
print(c["kind"], p["name"], " ".join(p["args"]), p["apiVersion"])' \
        "$SRC/helpers/kubelet-credential-provider.yaml")
    check_eq "helpers/kubelet-credential-provider.yaml parses too" \
        "CredentialProviderConfig docker-credential-router kubelet credentialprovider.kubelet.k8s.io/v1" "$got"
fi
printf '[[route]]\nmatch = "registry.example.com"\nbackend = "static"\nfile = "%s"\n' \
    "$TCREDS" >"$TMP/k8s.toml"
printf '{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"registry.example.com/team/app"}' >"$TMP/k8s-req"
got=$(DOCKER_CREDENTIAL_ROUTER_CONFIG=$TMP/k8s.toml "$KBIN" kubelet <"$TMP/k8s-req" |
    jq -r '.auth["registry.example.com"].password')
check_eq "the installed plugin answers a CredentialProviderRequest" "$SECRET" "$got"
before=$(stat -c '%i %Y' "$KCFG" "$KBIN")
run k8s-2 "$KI" --root "$K8" --router "$ROUTER" --router-config /etc/dcr/config.toml
check_eq "a second run changes nothing" "$before" "$(stat -c '%i %Y' "$KCFG" "$KBIN")"
run k8s-3 "$KI" --root "$K8" --router "$ROUTER" --match '*.dkr.ecr.*.amazonaws.com' \
    --bin-dir /usr/libexec/kubelet
check_grep "--match replaces the default patterns" "$KCFG" '      - "*.dkr.ecr.*.amazonaws.com"'
check_eq "only those" 1 "$(grep -c '^      - "' "$KCFG")"
check_eq "the previous config is kept as .bak" 6 "$(grep -c '^      - "' "$KCFG.bak")"

printf '\n%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
