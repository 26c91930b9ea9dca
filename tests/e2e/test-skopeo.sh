#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# End-to-end: skopeo (containers/image) against a TLS + htpasswd
# docker-registry on 127.0.0.1, getting its credentials through
# docker-credential-router.
#
#   tests/e2e/test-skopeo.sh [PATH/TO/docker-credential-router]
#
# Without an argument only the baseline cases (--creds on the command line)
# run, which checks the test infrastructure itself.
# E2E_KEEP=1 keeps the temporary directory for inspection.

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init "${1:-}"
e2e_start_registry
e2e_push_image

AUTH=$REGISTRY_AUTH_FILE

auth_file() { # JSON
    printf '%s\n' "$1" >"$AUTH"
}
use_cred_helpers() { auth_file "{\"auths\":{},\"credHelpers\":{\"$E2E_HOST\":\"router\"}}"; }

# skopeo, hermetic: our registries.conf, REGISTRY_AUTH_FILE for auth.
SK=(skopeo --registries-conf "$E2E_REGCONF")
inspect() { # NAME [OPTIONS...]
    local name=$1
    shift
    e2e_run "$name" "${SK[@]}" inspect --cert-dir "$E2E_CERTS" "$@" "docker://$E2E_IMAGE"
}
login() { # NAME PASSWORD
    e2e_run_stdin "$1" "$2" "${SK[@]}" login --cert-dir "$E2E_CERTS" \
        -u "$E2E_USER" --password-stdin "$E2E_HOST"
}
logout() { # NAME
    e2e_run "$1" "${SK[@]}" logout "$E2E_HOST"
}

# auth.json must never hold the secret when a helper is configured.
assert_auth_clean() { # DESC
    local b64
    b64=$(printf '%s:%s' "$E2E_USER" "$E2E_PASSWORD" | base64 -w0)
    if grep -qF -e "$E2E_PASSWORD" -e "$b64" "$AUTH"; then
        e2e_fail "$1" "$AUTH"
    else
        e2e_pass "$1"
    fi
}

# ------------------------------------------------------------------ baseline
e2e_section "baseline: --creds on the command line (no helper)"

inspect baseline-right --creds "$E2E_USER:$E2E_PASSWORD"
e2e_case skopeo inspect "creds/right" ok
assert_grep "inspect shows the pushed digest" "$E2E_OUT" "$E2E_MANIFEST_DIGEST"

inspect baseline-wrong --creds "$E2E_USER:$E2E_WRONG"
e2e_case skopeo inspect "creds/wrong" auth-refused

inspect baseline-none
e2e_case skopeo inspect "auth.json/none" no-creds

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
use_cred_helpers

e2e_creds_file "$STATIC" "$E2E_PASSWORD"
inspect static-right
e2e_case skopeo inspect "credHelpers/static/right" ok

e2e_creds_file "$STATIC" "$E2E_WRONG"
inspect static-wrong
e2e_case skopeo inspect "credHelpers/static/wrong" auth-refused

# registries.conf credential-helpers: containers/image's credsStore.
printf 'unqualified-search-registries = []\ncredential-helpers = ["router"]\n' \
    >"$E2E_TMP/registries-helpers.conf"
auth_file '{"auths":{}}'
e2e_creds_file "$STATIC" "$E2E_PASSWORD"
e2e_run static-right-regconf skopeo --registries-conf "$E2E_TMP/registries-helpers.conf" \
    inspect --cert-dir "$E2E_CERTS" "docker://$E2E_IMAGE"
e2e_case skopeo inspect "registries.conf/static/right" ok
e2e_creds_file "$STATIC" "$E2E_WRONG"
e2e_run static-wrong-regconf skopeo --registries-conf "$E2E_TMP/registries-helpers.conf" \
    inspect --cert-dir "$E2E_CERTS" "docker://$E2E_IMAGE"
e2e_case skopeo inspect "registries.conf/static/wrong" auth-refused

# ------------------------------------------- default store (no route)
e2e_section "no route: skopeo login/logout use the default store"

e2e_router_config_noroute
use_cred_helpers

login login-default-wrong "$E2E_WRONG"
e2e_case skopeo login "credHelpers/noroute/wrong" auth-refused
assert_store_lacks "failed login stored nothing in the default store" "$DEFAULT_STORE"

login login-default-right "$E2E_PASSWORD"
e2e_case skopeo login "credHelpers/noroute/right" ok
assert_file_exists "default store created at \$XDG_DATA_HOME/$E2E_DEFAULT_STORE_REL" "$DEFAULT_STORE"
assert_file_mode "default store has mode 600" "$DEFAULT_STORE" 600
assert_store_has "default store holds repo, username and password" "$DEFAULT_STORE" "$E2E_PASSWORD"
assert_auth_clean "auth.json holds no secret after login"

inspect inspect-default
e2e_case skopeo inspect "credHelpers/default-store" ok

logout logout-default
e2e_case skopeo logout "credHelpers/default-store" ok
assert_store_lacks "logout erased the entry from the default store" "$DEFAULT_STORE"

inspect inspect-after-logout
e2e_case skopeo inspect "credHelpers/after-logout" no-creds

# ---------------------------------------------- static route, writable
e2e_section "static route: skopeo login rewrites the route's file"

e2e_router_config_static "$STATIC"
e2e_creds_file "$STATIC" "$E2E_WRONG"
rm -f "$DEFAULT_STORE"
inode_before=$(stat -c %i "$STATIC")

login login-static-wrong "$E2E_WRONG"
e2e_case skopeo login "credHelpers/static/wrong" auth-refused

login login-static "$E2E_PASSWORD"
e2e_case skopeo login "credHelpers/static/right" ok
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
assert_auth_clean "auth.json holds no secret after routed login"

inspect static-after-login
e2e_case skopeo inspect "credHelpers/static/after-login" ok

logout logout-static
e2e_case skopeo logout "credHelpers/static" ok
assert_store_lacks "logout erased the entry from the route file" "$STATIC"
assert_eq "logout kept the other entry" bob-secret \
    "$(e2e_toml_password "$STATIC" other.invalid:5000 bob)"

inspect static-after-logout
e2e_case skopeo inspect "credHelpers/static/after-logout" no-creds

# ------------------------------------------------------------- env route
e2e_section "env route"

e2e_router_config_env
use_cred_helpers
export E2E_ROUTE_USER=$E2E_USER

export E2E_ROUTE_PASS=$E2E_PASSWORD
inspect env-right
e2e_case skopeo inspect "credHelpers/env/right" ok
export E2E_ROUTE_PASS=$E2E_WRONG
inspect env-wrong
e2e_case skopeo inspect "credHelpers/env/wrong" auth-refused

# ------------------------------------------------------- store policies
e2e_section "store policy: ignore and reject"

export E2E_ROUTE_PASS=$E2E_PASSWORD
rm -f "$DEFAULT_STORE"

# env routes are read-only: store defaults to ignore.
login login-env-ignore "$E2E_PASSWORD"
e2e_case skopeo login "credHelpers/env/store=default" ok
assert_grep "the router notes the ignored store on stderr" "$E2E_ERR" "ignored"
assert_store_lacks "ignored login wrote no default store entry" "$DEFAULT_STORE"

e2e_router_config_env 'store = "reject"'
login login-env-reject "$E2E_PASSWORD"
e2e_case skopeo login "credHelpers/env/store=reject" helper-error
assert_grep "the client shows the router's refusal" "$E2E_ERR" "reject"
assert_store_lacks "rejected login wrote no default store entry" "$DEFAULT_STORE"

e2e_creds_file "$STATIC" "$E2E_WRONG"
sum_before=$(sha256sum <"$STATIC")

e2e_router_config_static "$STATIC" 'store = "ignore"'
login login-static-ignore "$E2E_WRONG"
e2e_case skopeo login "credHelpers/static/ignore/wrongpw" auth-refused
login login-static-ignore "$E2E_PASSWORD"
e2e_case skopeo login "credHelpers/static/store=ignore" ok
assert_eq "ignored login left the route file alone" "$sum_before" "$(sha256sum <"$STATIC")"

e2e_router_config_static "$STATIC" 'store = "reject"'
login login-static-reject "$E2E_PASSWORD"
e2e_case skopeo login "credHelpers/static/store=reject" helper-error
assert_eq "rejected login left the route file alone" "$sum_before" "$(sha256sum <"$STATIC")"
assert_store_lacks "rejected login wrote no default store entry" "$DEFAULT_STORE"
assert_auth_clean "auth.json holds no secret"

# ------------------------------------------------------------------ secrets
e2e_section "secrets"
assert_no_secret_in_logs "no password in any client/helper output (DOCKER_CREDENTIAL_ROUTER_LOG=debug)"

e2e_finish
