#!/bin/bash
# The thin-edge personality (src/tedge.c), called the way
# tedge-container-plugin calls it: an executable named registry-credentials,
# `get IMAGE` first and `get IMAGE --refresh` after a rejected pull; exit 0
# with {"username","password"}, anything else exit 1 with one stderr line.
#
# Usage: tedge-test.sh PATH-TO-docker-credential-router

. "$(dirname "$0")/lib-personality.sh"
lib_init "$@"

RC_BIN=$T/bin/registry-credentials
ln -s "$ROUTER" "$RC_BIN"
CONF=$T/config.toml
CREDS=$T/credentials.toml
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$CONF
USAGE='registry-credentials: usage: registry-credentials get IMAGE [--refresh]
'

# thin-edge's own credentials file, served by a static route.
put "$CREDS" '[registry1]
repo = "docker.io"
username = "hubuser"
password = "hubpass"

[registry2]
repo = "registry.example.com:5000"
username = "edge"
password = "p\"w<&>"
'

# A token service that issues a new token when asked to refresh.
put_exe "$T/token" '#!/bin/sh
printf "%s\n" "$*" >>"'"$T"'/token.log"
if [ "$3" = --refresh ]; then
    printf "{\"username\":\"tok\",\"password\":\"fresh-token\"}"
else
    printf "{\"username\":\"tok\",\"password\":\"stale-token\"}"
fi
'
put_exe "$T/broken" '#!/bin/sh
exit 1
'

put "$CONF" "[[route]]
name = \"tokens\"
match = [\"registry.example.org\"]
backend = \"script\"
command = [\"$T/token\"]

[[route]]
name = \"broken\"
match = [\"broken.example.org\"]
backend = \"script\"
command = [\"$T/broken\"]

[[route]]
name = \"thin-edge\"
match = [\"docker.io\", \"registry.example.com:5000\", \"quay.io\"]
backend = \"static\"
file = \"$CREDS\"
"

# ---- what the plugin sends ------------------------------------------------------

run "$RC_BIN" get nginx:latest
expect "hub image by short name" 0 '{"username":"hubuser","password":"hubpass"}
' ''

run "$RC_BIN" get redis:7
expect "name:digits without a slash is a Hub image, as thin-edge reads it" 0 \
    '{"username":"hubuser","password":"hubpass"}
' ''

run "$RC_BIN" get docker.io/library/alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000
expect "digest reference" 0 '{"username":"hubuser","password":"hubpass"}
' ''

run "$RC_BIN" get registry.example.com:5000/app/web:1.0
expect "registry with a port; JSON escaped as Go does" 0 \
    '{"username":"edge","password":"p\"w\u003c\u0026\u003e"}
' ''

CONTAINER_REGISTRY2_PASSWORD=from-env run "$RC_BIN" get registry.example.com:5000/app/web:1.0
expect "CONTAINER_REGISTRY2_PASSWORD overrides the file" 0 \
    '{"username":"edge","password":"from-env"}
' ''

run "$ROUTER" registry-credentials get nginx:latest
expect "docker-credential-router registry-credentials get" 0 \
    '{"username":"hubuser","password":"hubpass"}
' ''

# ---- a rejected pull, then --refresh ------------------------------------------------

run "$RC_BIN" get registry.example.org/team/app:2
expect "first attempt: the (possibly cached) token" 0 '{"username":"tok","password":"stale-token"}
' ''
run "$RC_BIN" get registry.example.org/team/app:2 --refresh
expect "second attempt after a rejected pull: --refresh gets a new token" 0 \
    '{"username":"tok","password":"fresh-token"}
' ''
check "the script saw get IMAGE, then get IMAGE --refresh" \
    [ "$(cat "$T/token.log")" = "get registry.example.org/team/app:2
get registry.example.org/team/app:2 --refresh" ]

# ---- nothing for the image, failures, bad usage: exit 1, one stderr line ---------------

run "$RC_BIN" get quay.io/org/tool:3
expect "routed but no entry: not found" 1 '' \
    'registry-credentials: no credentials for quay.io (image quay.io/org/tool:3)
'

run "$RC_BIN" get ghcr.io/thin-edge/tedge:1.3.1
expect "no route: not found" 1 '' \
    'registry-credentials: no credentials for ghcr.io (image ghcr.io/thin-edge/tedge:1.3.1)
'

run "$RC_BIN" get broken.example.org/x:1
expect "failing backend" 1 '' \
    "registry-credentials: route 'broken': $T/broken failed (exit status 1)
"

run "$RC_BIN" get 'Bad Image'
expect "invalid image" 1 '' \
    'registry-credentials: invalid image "Bad Image": whitespace in reference
'

run "$RC_BIN"
expect "no arguments" 1 '' "$USAGE"
run "$RC_BIN" get
expect "get without an image" 1 '' "$USAGE"
run "$RC_BIN" store nginx
expect "another verb" 1 '' "$USAGE"
run "$RC_BIN" get a b
expect "two images" 1 '' "$USAGE"
run "$RC_BIN" get nginx --force
expect "unknown option" 1 '' "$USAGE"
run "$ROUTER" registry-credentials
expect "docker-credential-router registry-credentials without arguments" 1 '' "$USAGE"
run "$RC_BIN" --help
expect "--help" 0 'usage: registry-credentials get IMAGE [--refresh]
' ''

put "$T/bad.toml" 'route = 1
'
DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/bad.toml run "$RC_BIN" get nginx
expect "configuration error" 1 '' \
    "registry-credentials: $T/bad.toml:1: route must be an array of tables (write [[route]])
"

# ---- the embedded default: CONTAINER_REGISTRYn_* only, no config file -----------------

unset DOCKER_CREDENTIAL_ROUTER_CONFIG
if [ -e /etc/docker-credential-router/config.toml ] ||
    [ -e /data/tedge-container-plugin/credentials.toml ]; then
    printf 'ok %d - # SKIP embedded default: this machine has a config or thin-edge file\n' \
        $((LIB_PASSED + LIB_FAILED + 1))
else
    CONTAINER_REGISTRY1_REPO=ghcr.io CONTAINER_REGISTRY1_USERNAME=envuser \
        CONTAINER_REGISTRY1_PASSWORD=envpass \
        run "$RC_BIN" get ghcr.io/thin-edge/tedge:1.3.1
    expect "embedded default from CONTAINER_REGISTRY1_* alone" 0 \
        '{"username":"envuser","password":"envpass"}
' ''
    CONTAINER_REGISTRY1_REPO=ghcr.io CONTAINER_REGISTRY1_USERNAME=envuser \
        CONTAINER_REGISTRY1_PASSWORD=envpass \
        run "$RC_BIN" get nginx
    expect "embedded default: other registries not found" 1 '' \
        'registry-credentials: no credentials for docker.io (image nginx)
'
fi

lib_finish
