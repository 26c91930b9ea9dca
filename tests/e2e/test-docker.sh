#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# End-to-end: the docker CLI (no daemon) against a TLS + htpasswd
# docker-registry on 127.0.0.1, getting its credentials through
# docker-credential-router.
#
#   tests/e2e/test-docker.sh [PATH/TO/docker-credential-router]
#
# Without an argument only the baseline cases (credentials inline in
# config.json) run, which checks the test infrastructure itself.
# E2E_KEEP=1 keeps the temporary directory for inspection.

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init "${1:-}"
e2e_start_registry
e2e_push_image

CFG=$DOCKER_CONFIG/config.json

docker_config() { # JSON
    printf '%s\n' "$1" >"$CFG"
}
use_cred_helpers() { docker_config "{\"credHelpers\":{\"$E2E_HOST\":\"router\"}}"; }
use_creds_store() { docker_config '{"credsStore":"router"}'; }

# docker -D logs the registry's own error ("unauthorized: ..."), which
# `manifest inspect` otherwise hides behind "no such manifest".
inspect() { # NAME
    e2e_run "$1" docker -D manifest inspect "$E2E_IMAGE"
}
login() { # NAME PASSWORD
    e2e_run_stdin "$1" "$2" docker -D login -u "$E2E_USER" --password-stdin "$E2E_HOST"
}
logout() { # NAME
    e2e_run "$1" docker -D logout "$E2E_HOST"
}

# config.json must never hold the secret (helpers store it, not the file).
assert_config_clean() { # DESC
    local b64 auth
    b64=$(printf '%s:%s' "$E2E_USER" "$E2E_PASSWORD" | base64 -w0)
    auth=$(jq -r --arg h "$E2E_HOST" '.auths[$h].auth // ""' "$CFG" 2>/dev/null)
    if grep -qF -e "$E2E_PASSWORD" -e "$b64" "$CFG" || [ -n "$auth" ]; then
        e2e_fail "$1" "$CFG"
    else
        e2e_pass "$1"
    fi
}

# ------------------------------------------------------------------ baseline
e2e_section "baseline: credentials inline in config.json (no helper)"

docker_config "{\"auths\":{\"$E2E_HOST\":{\"auth\":\"$(printf 'alice:%s' "$E2E_PASSWORD" | base64 -w0)\"}}}"
inspect baseline-right
e2e_case docker manifest-inspect "auths/right" ok
assert_grep "manifest inspect prints the pushed manifest" "$E2E_OUT" \
    "application/vnd.oci.image.manifest.v1+json"

docker_config "{\"auths\":{\"$E2E_HOST\":{\"auth\":\"$(printf 'alice:%s' "$E2E_WRONG" | base64 -w0)\"}}}"
inspect baseline-wrong
e2e_case docker manifest-inspect "auths/wrong" auth-refused

docker_config "{\"auths\":{\"$E2E_HOST\":{}}}"
inspect baseline-none
e2e_case docker manifest-inspect "auths/none" no-creds

if [ -z "$ROUTER" ]; then
    e2e_log "no router executable given: router cases skipped"
    e2e_finish
fi

export DOCKER_CREDENTIAL_ROUTER_LOG=debug
STATIC=$E2E_TMP/config/static-credentials.toml
DEFAULT_STORE=$XDG_DATA_HOME/$E2E_DEFAULT_STORE_REL

# ----------------------------------------------------------- static route
e2e_section "static route"

e2e_router_config_static "$STATIC"
for mode in credHelpers credsStore; do
    if [ "$mode" = credHelpers ]; then use_cred_helpers; else use_creds_store; fi

    e2e_creds_file "$STATIC" "$E2E_PASSWORD"
    inspect "static-right-$mode"
    e2e_case docker manifest-inspect "$mode/static/right" ok

    e2e_creds_file "$STATIC" "$E2E_WRONG"
    inspect "static-wrong-$mode"
    e2e_case docker manifest-inspect "$mode/static/wrong" auth-refused
done

# ------------------------------------------- default store (no route)
e2e_section "no route: docker login/logout use the default store"

e2e_router_config_noroute
use_cred_helpers

login login-default-wrong "$E2E_WRONG"
e2e_case docker login "credHelpers/noroute/wrong" auth-refused
assert_store_lacks "failed login stored nothing in the default store" "$DEFAULT_STORE"

login login-default-right "$E2E_PASSWORD"
e2e_case docker login "credHelpers/noroute/right" ok
assert_file_exists "default store created at \$XDG_DATA_HOME/$E2E_DEFAULT_STORE_REL" "$DEFAULT_STORE"
assert_file_mode "default store has mode 600" "$DEFAULT_STORE" 600
assert_store_has "default store holds repo, username and password" "$DEFAULT_STORE" "$E2E_PASSWORD"
assert_config_clean "config.json auths holds no secret after login"
assert_eq "config.json keeps credHelpers" router \
    "$(jq -r --arg h "$E2E_HOST" '.credHelpers[$h] // ""' "$CFG")"

inspect inspect-default
e2e_case docker manifest-inspect "credHelpers/default-store" ok

use_creds_store
inspect inspect-default-store
e2e_case docker manifest-inspect "credsStore/default-store" ok

use_cred_helpers
logout logout-default
e2e_case docker logout "credHelpers/default-store" ok
assert_store_lacks "logout erased the entry from the default store" "$DEFAULT_STORE"

inspect inspect-after-logout
e2e_case docker manifest-inspect "credHelpers/after-logout" no-creds

# ---------------------------------------------- static route, writable
e2e_section "static route: docker login rewrites the route's file"

e2e_router_config_static "$STATIC"
e2e_creds_file "$STATIC" "$E2E_WRONG"
rm -f "$DEFAULT_STORE"
inode_before=$(stat -c %i "$STATIC")

inspect static-before-login
e2e_case docker manifest-inspect "credHelpers/static/stale" auth-refused

login login-static "$E2E_PASSWORD"
e2e_case docker login "credHelpers/static/right" ok
assert_store_has "route file updated with the new password" "$STATIC" "$E2E_PASSWORD"
assert_file_mode "route file still mode 600" "$STATIC" 600
assert_eq "other entry in the route file kept" bob-secret \
    "$(e2e_toml_password "$STATIC" other.invalid:5000 bob)"
if [ "$(stat -c %i "$STATIC")" != "$inode_before" ]; then
    e2e_pass "route file replaced by rename (new inode)"
else
    e2e_fail "route file replaced by rename (same inode: written in place)"
fi
assert_store_lacks "default store untouched by a routed login" "$DEFAULT_STORE"
assert_config_clean "config.json auths holds no secret after routed login"

inspect static-after-login
e2e_case docker manifest-inspect "credHelpers/static/after-login" ok

logout logout-static
e2e_case docker logout "credHelpers/static" ok
assert_store_lacks "logout erased the entry from the route file" "$STATIC"
assert_eq "logout kept the other entry" bob-secret \
    "$(e2e_toml_password "$STATIC" other.invalid:5000 bob)"

inspect static-after-logout
e2e_case docker manifest-inspect "credHelpers/static/after-logout" no-creds

# ------------------------------------------------------------- env route
e2e_section "env route"

e2e_router_config_env
export E2E_ROUTE_USER=$E2E_USER

for mode in credHelpers credsStore; do
    if [ "$mode" = credHelpers ]; then use_cred_helpers; else use_creds_store; fi
    export E2E_ROUTE_PASS=$E2E_PASSWORD
    inspect "env-right-$mode"
    e2e_case docker manifest-inspect "$mode/env/right" ok
    export E2E_ROUTE_PASS=$E2E_WRONG
    inspect "env-wrong-$mode"
    e2e_case docker manifest-inspect "$mode/env/wrong" auth-refused
done

# ------------------------------------------------------- store policies
e2e_section "store policy: ignore and reject"

use_cred_helpers
export E2E_ROUTE_PASS=$E2E_PASSWORD
rm -f "$DEFAULT_STORE"

# env routes are read-only: store defaults to ignore.
login login-env-ignore "$E2E_PASSWORD"
e2e_case docker login "credHelpers/env/store=default" ok
assert_grep "the router notes the ignored store on stderr" "$E2E_ERR" "ignored"
assert_store_lacks "ignored login wrote no default store entry" "$DEFAULT_STORE"

e2e_router_config_env 'store = "ignore"'
login login-env-ignore2 "$E2E_PASSWORD"
e2e_case docker login "credHelpers/env/store=ignore" ok
assert_store_lacks "ignored login wrote no default store entry" "$DEFAULT_STORE"

logout logout-env-ignore
e2e_case docker logout "credHelpers/env/store=ignore" ok

e2e_router_config_env 'store = "reject"'
login login-env-reject "$E2E_PASSWORD"
e2e_case docker login "credHelpers/env/store=reject" helper-error
assert_grep "the client shows the router's refusal" "$E2E_ERR" "reject"
assert_store_lacks "rejected login wrote no default store entry" "$DEFAULT_STORE"

e2e_creds_file "$STATIC" "$E2E_WRONG"
sum_before=$(sha256sum <"$STATIC")

e2e_router_config_static "$STATIC" 'store = "ignore"'
login login-static-ignore "$E2E_PASSWORD"
e2e_case docker login "credHelpers/static/store=ignore" ok
assert_eq "ignored login left the route file alone" "$sum_before" "$(sha256sum <"$STATIC")"

e2e_router_config_static "$STATIC" 'store = "reject"'
login login-static-reject "$E2E_PASSWORD"
e2e_case docker login "credHelpers/static/store=reject" helper-error
assert_eq "rejected login left the route file alone" "$sum_before" "$(sha256sum <"$STATIC")"
assert_store_lacks "rejected login wrote no default store entry" "$DEFAULT_STORE"

# ------------------------------------------------------------------ secrets
e2e_section "secrets"
assert_no_secret_in_logs "no password in any client/helper output (DOCKER_CREDENTIAL_ROUTER_LOG=debug)"

e2e_finish
