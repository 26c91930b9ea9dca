#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# End-to-end: the docker CLI (`docker manifest inspect`) and skopeo
# (`skopeo inspect`) against a TLS + htpasswd docker-registry on 127.0.0.1
# whose password for the user AWS is the token that the ECR stand-in
# (tests/aws/standin.py) issues.  The router's ecr route names the registry
# (region, registry_id) and points `endpoint` at the stand-in, so the whole
# path runs: client -> router -> dcr-aws -> SigV4 GetAuthorizationToken ->
# token cache -> client -> registry.
#
#   tests/e2e/test-ecr.sh PATH/TO/docker-credential-router
#
# E2E_KEEP=1 keeps the temporary directory for inspection.

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=../aws/lib-standin.sh
. "$(dirname "$0")/../aws/lib-standin.sh"

E2E_USER=AWS # ECR tokens are passwords for the user AWS
e2e_init "${1:-}"
[ -n "$ROUTER" ] || e2e_die "usage: test-ecr.sh PATH/TO/docker-credential-router"
if missing=$(standin_missing); then
    e2e_die "$missing is missing (run sh .ci/install-deps)"
fi
trap 'rc=$?; standin_stop; (exit $rc); e2e_cleanup' EXIT

e2e_start_registry
e2e_push_image

for v in $(compgen -e); do
    case $v in AWS_*) unset "$v" ;; esac
done
mkdir -p "$E2E_TMP/standin" "$E2E_TMP/aws"
AKID=AKIDEXAMPLE
SECRET=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
standin_start "$E2E_TMP/standin" --access "$AKID:$SECRET" --password "$E2E_PASSWORD" ||
    e2e_die "the ECR stand-in did not start"
e2e_log "ECR stand-in pid $STANDIN_PID on $STANDIN_URL"
export AWS_CA_BUNDLE=$STANDIN_CA AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=$E2E_TMP/aws/config AWS_SHARED_CREDENTIALS_FILE=$E2E_TMP/aws/credentials
export DOCKER_CREDENTIAL_ROUTER_LOG=debug

e2e_router_config <<EOF
[[route]]
name = "ecr"
match = ["$E2E_HOST"]
backend = "ecr"
region = "us-west-2"
registry_id = "123456789012"
endpoint = "$STANDIN_URL"
EOF

printf '{"credHelpers":{"%s":"router"}}\n' "$E2E_HOST" >"$DOCKER_CONFIG/config.json"
printf '{"auths":{},"credHelpers":{"%s":"router"}}\n' "$E2E_HOST" >"$REGISTRY_AUTH_FILE"

SK=(skopeo --registries-conf "$E2E_REGCONF")
docker_inspect() { e2e_run "$1" docker -D manifest inspect "$E2E_IMAGE"; }
skopeo_inspect() { e2e_run "$1" "${SK[@]}" inspect --cert-dir "$E2E_CERTS" "docker://$E2E_IMAGE"; }
exchanges() { # DESC WANT
    assert_eq "$1" "$2" "$(standin_count ecr)"
}

# ------------------------------------------------------------- the token
e2e_section "ecr route: the stand-in's token is the registry password"

docker_inspect docker-ecr
e2e_case docker manifest-inspect "credHelpers/ecr" ok
assert_grep "docker manifest inspect prints the pushed manifest" "$E2E_OUT" \
    "application/vnd.oci.image.manifest.v1+json"
exchanges "docker: one GetAuthorizationToken (signature verified by botocore)" 1

skopeo_inspect skopeo-ecr
e2e_case skopeo inspect "credHelpers/ecr" ok
assert_grep "skopeo inspect shows the pushed digest" "$E2E_OUT" "$E2E_MANIFEST_DIGEST"
exchanges "skopeo: answered from the token cache" 1

# ------------------------------------------------------- a stale token
e2e_section "a token the registry does not take"

standin_ctl "{\"password\": \"$E2E_WRONG\"}"
"$ROUTER" cache clear >/dev/null
docker_inspect docker-ecr-wrong
e2e_case docker manifest-inspect "credHelpers/ecr/other-token" auth-refused
skopeo_inspect skopeo-ecr-wrong
e2e_case skopeo inspect "credHelpers/ecr/other-token" auth-refused
standin_ctl "{\"password\": \"$E2E_PASSWORD\"}"

# ------------------------------------------------------- AWS refuses us
e2e_section "AWS refuses the credentials: the client shows the AWS error"

"$ROUTER" cache clear >/dev/null
export AWS_SECRET_ACCESS_KEY=not-the-secret
# docker 28's manifest inspect drops a helper's error and goes on without
# credentials (docker 29 aborts instead); skopeo shows the error.
docker_inspect docker-ecr-badkey
case $(docker version --format '{{.Client.Version}}' 2>/dev/null) in
[0-9].* | 1[0-9].* | 2[0-8].*) e2e_case docker manifest-inspect "credHelpers/ecr/bad-aws-key" no-creds ;;
*) e2e_case docker manifest-inspect "credHelpers/ecr/bad-aws-key" helper-error ;;
esac
skopeo_inspect skopeo-ecr-badkey
e2e_case skopeo inspect "credHelpers/ecr/bad-aws-key" helper-error
assert_grep "skopeo shows InvalidSignatureException" "$E2E_ERR" "InvalidSignatureException"
export AWS_SECRET_ACCESS_KEY=$SECRET

skopeo_inspect skopeo-ecr-again
e2e_case skopeo inspect "credHelpers/ecr/good-key-again" ok

# ------------------------------------------------------------------ secrets
e2e_section "secrets"
assert_no_secret_in_logs "no token in any client/helper output (DOCKER_CREDENTIAL_ROUTER_LOG=debug)"
if grep -rlF -e "$SECRET" "$E2E_TMP/logs" >/dev/null 2>&1; then
    e2e_fail "no AWS secret key in any output"
else
    e2e_pass "no AWS secret key in any output"
fi

e2e_finish
