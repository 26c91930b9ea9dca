#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# End-to-end: the docker CLI and skopeo against a TLS + htpasswd
# docker-registry on 127.0.0.1, with docker-credential-router backed by the
# desktop keyring (gnome-keyring in a private dbus-run-session).  docker
# login stores into the keyring, manifest inspect reads it, logout erases it;
# items written by Debian's docker-credential-secretservice are read too.
#
#   tests/e2e/test-keyring.sh PATH/TO/docker-credential-router
#
# E2E_KEEP=1 keeps the temporary directory for inspection.

# shellcheck source=../lib-keyring.sh
. "$(dirname "$0")/../lib-keyring.sh"
keyring_require docker-credential-secretservice
keyring_session "$0" "$@"

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -n "${1:-}" ] || e2e_die "usage: $0 PATH/TO/docker-credential-router"
e2e_init "$1"
keyring_start "$E2E_TMP"
trap 'rc=$?; keyring_stop; (exit $rc); e2e_cleanup' EXIT
e2e_start_registry
e2e_push_image

export DOCKER_CREDENTIAL_ROUTER_LOG=debug
CFG=$DOCKER_CONFIG/config.json
AUTH=$REGISTRY_AUTH_FILE
DEFAULT_STORE=$XDG_DATA_HOME/$E2E_DEFAULT_STORE_REL
SK=(skopeo --registries-conf "$E2E_REGCONF")

docker_config() { printf '%s\n' "$1" >"$CFG"; }
auth_file() { printf '%s\n' "$1" >"$AUTH"; }

d_inspect() { e2e_run "$1" docker -D manifest inspect "$E2E_IMAGE"; }
d_login() { e2e_run_stdin "$1" "$2" docker -D login -u "$E2E_USER" --password-stdin "$E2E_HOST"; }
d_logout() { e2e_run "$1" docker -D logout "$E2E_HOST"; }
s_inspect() { e2e_run "$1" "${SK[@]}" inspect --cert-dir "$E2E_CERTS" "docker://$E2E_IMAGE"; }
s_login() {
    e2e_run_stdin "$1" "$2" "${SK[@]}" login --cert-dir "$E2E_CERTS" -u "$E2E_USER" \
        --password-stdin "$E2E_HOST"
}
s_logout() { e2e_run "$1" "${SK[@]}" logout "$E2E_HOST"; }

# What the keyring holds for the test registry, read with Docker's own helper.
keyring_secret() {
    printf '%s' "$E2E_HOST" | docker-credential-secretservice get 2>/dev/null |
        jq -r '.Secret // ""' 2>/dev/null
}
assert_keyring() { # DESC PASSWORD ("" = no item)
    assert_eq "$1" "$2" "$(keyring_secret)"
}
theirs_store() { # PASSWORD
    printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$E2E_HOST" "$E2E_USER" "$1" |
        docker-credential-secretservice store
}

# No routes: with a Secret Service on the bus the default store is the keyring.
e2e_router_config <<'EOF'
# no routes: the default store
EOF

# ------------------------------------------------------------------ docker
e2e_section "docker: credsStore = router, default store in the keyring"
docker_config '{"credsStore":"router"}'

d_login d-login-wrong "$E2E_WRONG"
e2e_case docker login "credsStore/keyring/wrong" auth-refused
assert_keyring "failed login stored nothing in the keyring" ""

d_login d-login-right "$E2E_PASSWORD"
e2e_case docker login "credsStore/keyring/right" ok
assert_keyring "login stored the password in the keyring" "$E2E_PASSWORD"
assert_eq "the keyring holds one item for the registry" 1 "$(keyring_items "$E2E_HOST")"
assert_no_grep "config.json holds no secret" "$CFG" "$E2E_PASSWORD"
if [ -e "$DEFAULT_STORE" ]; then
    e2e_fail "no default store file was written"
else
    e2e_pass "no default store file was written"
fi

d_inspect d-inspect-right
e2e_case docker manifest-inspect "credsStore/keyring/right" ok

d_logout d-logout
e2e_case docker logout "credsStore/keyring" ok
assert_keyring "logout erased the keyring item" ""

d_inspect d-inspect-after-logout
e2e_case docker manifest-inspect "credsStore/keyring/after-logout" no-creds

e2e_section "docker: credHelpers = router, items written by docker-credential-secretservice"
docker_config "{\"credHelpers\":{\"$E2E_HOST\":\"router\"}}"
e2e_router_config <<EOF
[[route]]
name = "keyring"
match = "$E2E_HOST"
backend = "secretservice"
EOF

theirs_store "$E2E_PASSWORD"
d_inspect d-inspect-theirs-right
e2e_case docker manifest-inspect "credHelpers/keyring/theirs-right" ok
theirs_store "$E2E_WRONG"
d_inspect d-inspect-theirs-wrong
e2e_case docker manifest-inspect "credHelpers/keyring/theirs-wrong" auth-refused

d_login d-login-route "$E2E_PASSWORD"
e2e_case docker login "credHelpers/keyring/right" ok
assert_keyring "login replaced the item" "$E2E_PASSWORD"
assert_eq "still one item for the registry" 1 "$(keyring_items "$E2E_HOST")"
d_logout d-logout-route
e2e_case docker logout "credHelpers/keyring" ok
assert_keyring "logout erased it" ""

# ------------------------------------------------------------------ skopeo
e2e_section "skopeo: credHelpers = router, route to the keyring"
auth_file "{\"auths\":{},\"credHelpers\":{\"$E2E_HOST\":\"router\"}}"

s_login s-login-wrong "$E2E_WRONG"
e2e_case skopeo login "credHelpers/keyring/wrong" auth-refused
assert_keyring "failed login stored nothing" ""

s_login s-login-right "$E2E_PASSWORD"
e2e_case skopeo login "credHelpers/keyring/right" ok
assert_keyring "skopeo login stored the password in the keyring" "$E2E_PASSWORD"
assert_no_grep "auth.json holds no secret" "$AUTH" "$E2E_PASSWORD"

s_inspect s-inspect-right
e2e_case skopeo inspect "credHelpers/keyring/right" ok

theirs_store "$E2E_WRONG"
s_inspect s-inspect-wrong
e2e_case skopeo inspect "credHelpers/keyring/theirs-wrong" auth-refused
theirs_store "$E2E_PASSWORD"

s_logout s-logout
e2e_case skopeo logout "credHelpers/keyring" ok
assert_keyring "skopeo logout erased the item" ""

s_inspect s-inspect-after-logout
e2e_case skopeo inspect "credHelpers/keyring/after-logout" no-creds

# ------------------------------------------------------------------ secrets
e2e_section "secrets"
assert_no_secret_in_logs "no password in any client/helper output (DOCKER_CREDENTIAL_ROUTER_LOG=debug)"

e2e_finish
