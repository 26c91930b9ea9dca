#!/bin/bash
# The example registry-credentials scripts in helpers/, each against a
# stand-in: fake gh, gcloud and az earlier on PATH (tests/helpers/stubs) and a
# tiny Vault KV v2 server on 127.0.0.1 (tests/helpers/vault-stub.py), plus
# one of them through the router's script backend.
#
# Usage: helpers-test.sh [PATH-TO-docker-credential-router]

. "$(dirname "$0")/lib-personality.sh"
lib_init "$@"

HERE=$(cd "$(dirname "$0")" && pwd)
H=$HERE/../helpers
PY=/usr/bin/python3
for tool in jq curl "$PY"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        printf 'helpers-test: skipped: %s is missing\n' "$tool"
        exit 77
    fi
done
export PATH=$HERE/helpers/stubs:$PATH
export STUB_LOG=$T/stub.log
log_is() { [ "$(cat "$STUB_LOG")" = "$1" ]; }
fresh_log() { : >"$STUB_LOG"; }

# ---- gh-token ----------------------------------------------------------------------

fresh_log
run "$H/gh-token" get ghcr.io/o/i:1
expect "gh-token: login from gh api user; token escaped" 0 \
    '{"username":"octocat","password":"gho_a\"b\\c"}
' ''
check "gh-token: the calls made" log_is 'gh auth token
gh api user --jq .login'

STUB_GH_NO_USER=1 GITHUB_ACTOR=ci-bot run "$H/gh-token" get ghcr.io/o/i:1 --refresh
expect "gh-token: GITHUB_ACTOR when gh api user fails" 0 \
    '{"username":"ci-bot","password":"gho_a\"b\\c"}
' ''

STUB_GH_NO_USER=1 run "$H/gh-token" get ghcr.io/o/i:1
expect "gh-token: x-access-token as the last resort" 0 \
    '{"username":"x-access-token","password":"gho_a\"b\\c"}
' ''

fresh_log
GH_TOKEN_USERNAME=me run "$H/gh-token" get ghcr.io/o/i:1
expect "gh-token: GH_TOKEN_USERNAME" 0 '{"username":"me","password":"gho_a\"b\\c"}
' ''
check "gh-token: ... and no API call" log_is 'gh auth token'

STUB_FAIL=1 run "$H/gh-token" get ghcr.io/o/i:1
expect "gh-token: gh fails" 1 '' \
    'gh-token: gh auth token failed (run: gh auth login --scopes read:packages)
'

run "$H/gh-token" get
expect "gh-token: usage" 1 '' 'gh-token: usage: gh-token get IMAGE [--refresh]
'
run "$H/gh-token" get ghcr.io/o/i --force
expect "gh-token: unknown option" 1 '' 'gh-token: usage: gh-token get IMAGE [--refresh]
'

# ---- gcloud-token --------------------------------------------------------------------

fresh_log
run "$H/gcloud-token" get europe-docker.pkg.dev/project/repo/image:1
expect "gcloud-token" 0 '{"username":"oauth2accesstoken","password":"ya29.stub-token"}
' ''
check "gcloud-token: the call made" log_is 'gcloud auth print-access-token'

STUB_FAIL=1 run "$H/gcloud-token" get gcr.io/p/i
expect "gcloud-token: gcloud fails" 1 '' \
    'gcloud-token: gcloud auth print-access-token failed (run: gcloud auth login)
'

run "$H/gcloud-token" list
expect "gcloud-token: usage" 1 '' 'gcloud-token: usage: gcloud-token get IMAGE [--refresh]
'

# ---- acr-token -----------------------------------------------------------------------

fresh_log
run "$H/acr-token" get myreg.azurecr.io/app/web:1
expect "acr-token: registry name from the image" 0 \
    '{"username":"00000000-0000-0000-0000-000000000000","password":"acr-myreg"}
' ''
check "acr-token: the call made" \
    log_is 'az acr login --name myreg --expose-token --output tsv --query accessToken'

run "$H/acr-token" get https://MyReg.azurecr.io
expect "acr-token: a server URL key, any case" 0 \
    '{"username":"00000000-0000-0000-0000-000000000000","password":"acr-myreg"}
' ''

run "$H/acr-token" get other.azurecr.io --refresh
expect "acr-token: a bare registry key, --refresh" 0 \
    '{"username":"00000000-0000-0000-0000-000000000000","password":"acr-other"}
' ''

run "$H/acr-token" get ghcr.io/o/i
expect "acr-token: not an ACR host" 1 '' \
    'acr-token: ghcr.io is not an Azure Container Registry (NAME.azurecr.io)
'
run "$H/acr-token" get nginx:latest
expect "acr-token: a Hub image" 1 '' \
    'acr-token: docker.io is not an Azure Container Registry (NAME.azurecr.io)
'

STUB_FAIL=1 run "$H/acr-token" get myreg.azurecr.io/app
expect "acr-token: az fails" 1 '' 'acr-token: az acr login --name myreg failed (run: az login)
'

# ---- vault-kv ------------------------------------------------------------------------

VLOG=$T/vault.log
: >"$VLOG"
"$PY" "$HERE/helpers/vault-stub.py" "$T/vault.port" vault-test-token "$VLOG" &
LIB_PIDS="$LIB_PIDS $!"
for _ in $(seq 100); do
    [ -s "$T/vault.port" ] && break
    sleep 0.05
done
VAULT_ADDR=http://127.0.0.1:$(cat "$T/vault.port")
export VAULT_ADDR

VAULT_TOKEN=vault-test-token run "$H/vault-kv" get registry.example.com/app:1
expect "vault-kv: VAULT_TOKEN; values escaped" 0 \
    '{"username":"robot","password":"s3\"cr\\et<"}
' ''

put "$T/token-file" 'vault-test-token
'
VAULT_TOKEN_FILE=$T/token-file run "$H/vault-kv" get localhost:5000/app
expect "vault-kv: VAULT_TOKEN_FILE; a registry with a port" 0 '{"username":"local","password":"lpw"}
' ''

put "$HOME/.vault-token" 'vault-test-token'
run "$H/vault-kv" get nginx:latest
expect "vault-kv: ~/.vault-token; Hub images read docker.io" 0 \
    '{"username":"hub","password":"hubpw"}
' ''
rm -f "$HOME/.vault-token"

: >"$VLOG"
VAULT_TOKEN=vault-test-token VAULT_REGISTRY_PATH_PREFIX=kv/data/ci/ VAULT_NAMESPACE=team \
    run "$H/vault-kv" get https://Registry.Example.com/v2/
expect "vault-kv: path prefix, namespace, server URL key" 0 '{"username":"ci","password":"cipw"}
' ''
check "vault-kv: the path read and the namespace sent" \
    [ "$(cat "$VLOG")" = "kv/data/ci/registry.example.com team" ]

VAULT_TOKEN=wrong run "$H/vault-kv" get registry.example.com/app
expect "vault-kv: bad token" 1 '' \
    'vault-kv: permission denied reading secret/data/registry/registry.example.com (HTTP 403: check the token and its policy)
'

VAULT_TOKEN=vault-test-token run "$H/vault-kv" get quay.io/x/y
expect "vault-kv: no secret" 1 '' \
    'vault-kv: no secret at secret/data/registry/quay.io (HTTP 404; vault kv put it with username and password)
'

VAULT_TOKEN=vault-test-token run "$H/vault-kv" get nopass.example.com/x
expect "vault-kv: empty password" 1 '' \
    'vault-kv: the secret at secret/data/registry/nopass.example.com has no non-empty username and password fields
'

run "$H/vault-kv" get registry.example.com/app
expect "vault-kv: no token" 1 '' \
    "vault-kv: no token: set VAULT_TOKEN or VAULT_TOKEN_FILE (no $HOME/.vault-token)
"

VAULT_ADDR='' VAULT_TOKEN=x run "$H/vault-kv" get registry.example.com/app
expect "vault-kv: no VAULT_ADDR" 1 '' \
    'vault-kv: VAULT_ADDR is not set (e.g. https://vault.example.com:8200)
'

# The token reaches curl on stdin, never in its argv: a recording wrapper.
mkdir -p "$T/wrap"
put_exe "$T/wrap/curl" '#!/bin/sh
printf "%s\n" "$@" >"'"$T"'/curl.argv"
exec '"$(command -v curl)"' "$@"
'
PATH=$T/wrap:$PATH VAULT_TOKEN=vault-test-token run "$H/vault-kv" get registry.example.com/app
check "vault-kv: answer through the wrapper" [ "$RC" = 0 ]
check "vault-kv: the token is not in curl's argv" \
    eval '! grep -q vault-test-token "$T/curl.argv" && grep -qx -- "-H" "$T/curl.argv"'

# ---- through the router ----------------------------------------------------------------

if [ -n "$ROUTER" ]; then
    put "$T/config.toml" "[[route]]
name = \"ghcr\"
match = [\"ghcr.io\"]
backend = \"script\"
command = [\"$H/gh-token\"]
"
    printf 'ghcr.io\n' >"$T/key"
    DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/config.toml STDIN=$T/key run "$ROUTER" get
    expect "router: docker get through helpers/gh-token" 0 \
        '{"ServerURL":"ghcr.io","Username":"octocat","Secret":"gho_a\"b\\c"}
' ''
fi

lib_finish
