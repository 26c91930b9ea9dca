#!/bin/bash
# The AWS credential chain (src/aws/credentials.c), source by source, through
# the tests/aws-chain harness against tests/aws/chain_standin.py on
# 127.0.0.1: STS over HTTPS with a test CA (AWS_CA_BUNDLE,
# AWS_ENDPOINT_URL_STS; AssumeRole signatures recomputed with botocore), IMDS
# and container endpoints over HTTP.  Every secret and token in play
# contains "s3cr3t"; the last section runs everything again at debug level
# and checks that none of them was printed.
#
# Usage: aws-chain-test.sh PATH-TO-aws-chain
# Exits 77 (skipped) without /usr/bin/python3 with botocore, or openssl.

. "$(dirname "$0")/lib-personality.sh"
lib_init "$@"

HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
if ! [ -x "$PY" ] || ! "$PY" -c 'import botocore' 2>/dev/null; then
    echo 'aws-chain-test: skipped: /usr/bin/python3 with botocore (python3-botocore) is missing'
    exit 77
fi
if ! command -v openssl >/dev/null 2>&1; then
    echo 'aws-chain-test: skipped: openssl is missing'
    exit 77
fi
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do
    unset "$v"
done

WEB_TOKEN=web-identity-s3cr3t-jwt
CONTAINER_TOKEN='Bearer container-s3cr3t-token'
ARN=arn:aws:iam::123456789012:role
LOGFILE=$T/standin/requests.log
PATH=$T/bin:$PATH

# ---- the stand-in, its test CA and the files the chain reads ------------------------

mkdir -p "$T/certs" "$T/standin" "$HOME/.aws"
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$T/certs/ca.key" -out "$T/certs/ca.crt" -days 2 -subj '/CN=dcr aws test CA' \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign' \
    >/dev/null 2>&1 || { echo 'openssl: CA failed'; exit 1; }
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$T/certs/server.key" -out "$T/certs/server.csr" -subj '/CN=127.0.0.1' \
    >/dev/null 2>&1 || { echo 'openssl: server key failed'; exit 1; }
printf 'basicConstraints = critical,CA:FALSE\nsubjectAltName = IP:127.0.0.1\n' >"$T/certs/ext"
openssl x509 -req -in "$T/certs/server.csr" -CA "$T/certs/ca.crt" -CAkey "$T/certs/ca.key" \
    -CAcreateserial -days 2 -extfile "$T/certs/ext" -out "$T/certs/server.crt" \
    >/dev/null 2>&1 || { echo 'openssl: server certificate failed'; exit 1; }

# Keys the STS stand-in accepts signatures from.
printf '%s\n' 'AKIDSTATIC statics3cr3t/key+1' 'AKIDENV envs3cr3tkey' \
    'AKIDSELF selfs3cr3tkey' 'AKIDPROCESS processs3cr3t processTokens3cr3t' >"$T/standin/keys"

"$PY" "$HERE/aws/chain_standin.py" "$T/standin" "$T/certs/server.crt" "$T/certs/server.key" \
    "$WEB_TOKEN" "$CONTAINER_TOKEN" &
LIB_PIDS="$LIB_PIDS $!"
for _ in $(seq 100); do
    [ -s "$T/standin/ports" ] && break
    sleep 0.1
done
[ -s "$T/standin/ports" ] || { echo 'the stand-in did not start'; exit 1; }
read -r CONTAINER_PORT IMDS_PORT SILENT_PORT STS_PORT < <(sed 's/[a-z]*=//g' "$T/standin/ports")

export AWS_CA_BUNDLE=$T/certs/ca.crt
export AWS_ENDPOINT_URL_STS=https://127.0.0.1:$STS_PORT
# Only the IMDS cases below may reach for an instance metadata service.
export AWS_EC2_METADATA_DISABLED=true

put "$HOME/.aws/credentials" "[static]
aws_access_key_id = AKIDSTATIC
aws_secret_access_key = statics3cr3t/key+1

[wrongkeys]
aws_access_key_id = AKIDSTATIC
aws_secret_access_key = wrongs3cr3t

[selfref]
aws_access_key_id = AKIDSELF
aws_secret_access_key = selfs3cr3tkey
"
put "$HOME/.aws/config" "[default]
region = us-west-2

[profile deploy]
role_arn = $ARN/deploy
source_profile = static
external_id = ext-1
duration_seconds = 1800
role_session_name = deploy-session
region = eu-central-1   ; inline comment

[profile chained]
role_arn = $ARN/second
source_profile = deploy

[profile selfref]
role_arn = $ARN/self
source_profile = selfref

[profile loop-a]
role_arn = $ARN/a
source_profile = loop-b

[profile loop-b]
role_arn = $ARN/b
source_profile = loop-a

[profile denied]
role_arn = $ARN/denied
source_profile = static

[profile throttled]
role_arn = $ARN/throttled
source_profile = static

[profile badsig]
role_arn = $ARN/deploy
source_profile = wrongkeys

[profile mfa]
role_arn = $ARN/deploy
source_profile = static
mfa_serial = arn:aws:iam::123456789012:mfa/user

[profile irsa]
role_arn = $ARN/profile-irsa
web_identity_token_file = $T/web-token
role_session_name = from-profile

[profile process]
credential_process = creds-ok \"two words\" 'it''s' plain
s3 =
  max_concurrent_requests = 20

[profile process-fail]
credential_process = $T/bin/creds-fail

[profile process-badjson]
credential_process = creds-badjson

[profile process-v2]
credential_process = creds-v2

[profile process-missing]
credential_process = no-such-creds-program --flag

[profile process-role]
credential_process = creds-ok
role_arn = $ARN/on-process

[profile ecs]
role_arn = $ARN/on-container
credential_source = EcsContainer

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = dev

[profile empty]
region = ap-south-1

[unprefixed]
region = eu-west-1
"
put "$T/web-token" "$WEB_TOKEN
"
put "$T/container-token" "$CONTAINER_TOKEN
"
# shellcheck disable=SC2016 # the scripts expand their own "$@" and "$0"
put_exe "$T/bin/creds-ok" '#!/bin/sh
printf "%s\n" "$@" >"$0.args"
printf "%s\n" "{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": \"processs3cr3t\", \"SessionToken\": \"processTokens3cr3t\", \"Expiration\": \"2098-12-31T23:00:00+01:00\"}"
'
put_exe "$T/bin/creds-fail" '#!/bin/sh
echo "cannot reach the vault" >&2
exit 3
'
put_exe "$T/bin/creds-badjson" '#!/bin/sh
echo "{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": processs3cr3t}"
'
put_exe "$T/bin/creds-v2" '#!/bin/sh
echo "{\"Version\": 2, \"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": \"processs3cr3t\"}"
'

# ---- helpers ----------------------------------------------------------------------------

# chain [VAR=value...] [-- harness args]: runs the harness with extra variables.
chain() {
    local vars=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        vars+=("$1")
        shift
    done
    [ "${1:-}" = -- ] && shift
    run env "${vars[@]}" "$ROUTER" "$@"
}

# expect_creds NAME SOURCE ACCESS-KEY-ID TOKEN(yes|no) EXPIRES IDENTITY
expect_creds() {
    local want
    printf -v want 'source: %s\naccess_key_id: %s\nsession_token: %s\nexpires: %s\nidentity: %s\n' \
        "$2" "$3" "$4" "$5" "$6"
    expect "$1" 0 "$want" ''
}

# expect_fail NAME MESSAGE: exit status 1, nothing on stdout, "aws-chain: MESSAGE".
expect_fail() {
    expect "$1" 1 '' "aws-chain: $2
"
}

fresh_log() { : >"$LOGFILE"; }
log_is() { [ "$(cat "$LOGFILE")" = "$1" ]; }
ms() { date +%s%3N; }

FAR=2099-01-01T00:00:00Z

# ---- 1. environment keys -----------------------------------------------------------------

chain AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envs3cr3tkey
expect_creds "env: static keys" environment AKIDENV no never AKIDENV

chain AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envs3cr3tkey \
    AWS_SESSION_TOKEN=envTokens3cr3t AWS_CREDENTIAL_EXPIRATION=2098-01-01T00:00:00Z
expect_creds "env: session token and expiration" environment AKIDENV yes \
    2098-01-01T00:00:00Z AKIDENV

chain AWS_ACCESS_KEY=AKIDALIAS AWS_SECRET_KEY=aliass3cr3t
expect_creds "env: AWS_ACCESS_KEY/AWS_SECRET_KEY aliases" environment AKIDALIAS no never \
    AKIDALIAS

chain AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envs3cr3tkey AWS_PROFILE=static
expect_creds "env: keys win over AWS_PROFILE" environment AKIDENV no never AKIDENV

chain AWS_ACCESS_KEY_ID=AKIDENV AWS_PROFILE=static
expect "env: an id without a secret is ignored, with a warning" 0 \
    "source: profile static
access_key_id: AKIDSTATIC
session_token: no
expires: never
identity: profile:static
" 'aws-chain: warn: aws: AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY: ignored
'

chain AWS_ACCESS_KEY_ID=AKID-BAD AWS_SECRET_ACCESS_KEY=envs3cr3tkey
expect_fail "env: a malformed key id" \
    'AWS_ACCESS_KEY_ID: missing or malformed access key id'

# ---- 2. dstack --------------------------------------------------------------------------

chain DSTACK_AWS_ACCESS_KEY_ID=AKIDDSTACK DSTACK_AWS_SECRET_ACCESS_KEY=dstacks3cr3t \
    DSTACK_AWS_SESSION_TOKEN=dstackTokens3cr3t
expect_creds "dstack: DSTACK_AWS_* keys" "dstack environment" AKIDDSTACK yes never AKIDDSTACK

chain DSTACK_AWS_ACCESS_KEY_ID=AKIDDSTACK DSTACK_AWS_SECRET_ACCESS_KEY=dstacks3cr3t \
    AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envs3cr3tkey
expect_creds "dstack: AWS_* keys come first" environment AKIDENV no never AKIDENV

# ---- 3. web identity --------------------------------------------------------------------

fresh_log
chain AWS_WEB_IDENTITY_TOKEN_FILE="$T/web-token" AWS_ROLE_ARN="$ARN/irsa" \
    AWS_ROLE_SESSION_NAME=pod-session AWS_PROFILE=static
expect_creds "web identity: AssumeRoleWithWebIdentity" "web identity" ASIAWEBIRSA yes "$FAR" \
    "web-identity:$ARN/irsa"
check "web identity: unsigned, token sent, session name" log_is \
    "sts AssumeRoleWithWebIdentity $ARN/irsa session=pod-session token=ok signed=no"

put "$T/wrong-token" 'not-the-token'
chain AWS_WEB_IDENTITY_TOKEN_FILE="$T/wrong-token" AWS_ROLE_ARN="$ARN/irsa"
expect_fail "web identity: a rejected token names the STS error" \
    "sts: InvalidIdentityToken: Couldn't retrieve verification key from your identity provider"

chain AWS_WEB_IDENTITY_TOKEN_FILE="$T/no-such-token" AWS_ROLE_ARN="$ARN/irsa"
expect_fail "web identity: a missing token file" \
    "AWS_WEB_IDENTITY_TOKEN_FILE: $T/no-such-token does not exist"

fresh_log
chain -- --profile irsa
expect_creds "web identity: from a profile" "profile irsa (web identity)" ASIAWEBPROFILEIRSA \
    yes "$FAR" profile:irsa
check "web identity: the profile's session name" log_is \
    "sts AssumeRoleWithWebIdentity $ARN/profile-irsa session=from-profile token=ok signed=no"

# ---- 4. profiles: static keys -----------------------------------------------------------

chain AWS_PROFILE=static
expect_creds "profile: static keys (AWS_PROFILE)" "profile static" AKIDSTATIC no never \
    profile:static

put "$T/alt-credentials" '[default]
aws_access_key_id = AKIDALT
aws_secret_access_key = alts3cr3t
aws_session_token = altTokens3cr3t
'
chain AWS_SHARED_CREDENTIALS_FILE="$T/alt-credentials" AWS_CONFIG_FILE="$T/nothing"
expect_creds "profile: AWS_SHARED_CREDENTIALS_FILE, default profile" "profile default" \
    AKIDALT yes never profile:default

chmod 620 "$T/alt-credentials"
chain AWS_SHARED_CREDENTIALS_FILE="$T/alt-credentials"
expect_fail "profile: a group-writable credentials file is refused" \
    "bad owner or permissions on $T/alt-credentials (chmod go-w it)"
chmod 600 "$T/alt-credentials"

# ---- 5. profiles: source_profile + role_arn -> AssumeRole ------------------------------

fresh_log
chain AWS_PROFILE=deploy
expect_creds "assume role: source_profile + role_arn" "profile deploy (assume role)" \
    ASIASTSDEPLOY yes "$FAR" profile:deploy
check "assume role: signed by the source keys (botocore agrees), options sent" log_is \
    "sts AssumeRole $ARN/deploy session=deploy-session by=AKIDSTATIC region=eu-central-1 sig=ok external_id=ext-1 duration=1800"

fresh_log
chain AWS_PROFILE=chained AWS_REGION=ap-northeast-1
expect_creds "assume role: a chain of two roles" "profile chained (assume role)" \
    ASIASTSSECOND yes "$FAR" profile:chained
check "assume role: first the source profile's role" test "$(sed -n 1p "$LOGFILE")" = \
    "sts AssumeRole $ARN/deploy session=deploy-session by=AKIDSTATIC region=ap-northeast-1 sig=ok external_id=ext-1 duration=1800"
check "assume role: then the second, signed with the first role's session" grep -qx \
    "sts AssumeRole $ARN/second session=docker-credential-router-[0-9]* by=ASIASTSDEPLOY region=ap-northeast-1 sig=ok external_id=- duration=-" \
    "$LOGFILE"

fresh_log
chain AWS_PROFILE=selfref
expect_creds "assume role: source_profile naming itself uses its own keys" \
    "profile selfref (assume role)" ASIASTSSELF yes "$FAR" profile:selfref
check "assume role: ... signed by them" grep -q 'by=AKIDSELF region=us-east-1 sig=ok' "$LOGFILE"

chain AWS_PROFILE=loop-a
expect_fail "assume role: a source_profile loop" \
    'aws profile "loop-b": source_profile "loop-a" leads back to itself'

chain AWS_PROFILE=denied
expect_fail "assume role: AccessDenied reaches the user" \
    "aws profile \"denied\": sts: AccessDenied: User: AKIDSTATIC is not authorized to perform: sts:AssumeRole on resource: $ARN/denied"

chain AWS_PROFILE=badsig
expect_fail "assume role: a wrong secret gives SignatureDoesNotMatch" \
    'aws profile "badsig": sts: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.'

fresh_log
chain AWS_PROFILE=throttled
expect_creds "assume role: throttling is retried" "profile throttled (assume role)" \
    ASIASTSTHROTTLED yes "$FAR" profile:throttled
check "assume role: ... twice" test "$(grep -c "$ARN/throttled" "$LOGFILE")" = 2

chain AWS_PROFILE=mfa
expect_fail "assume role: mfa_serial is refused clearly" \
    'aws profile "mfa": mfa_serial needs an interactive token: not supported'

chain AWS_PROFILE=deploy AWS_ENDPOINT_URL_STS="https://localhost:$STS_PORT"
check "assume role: TLS is verified (the certificate names 127.0.0.1 only)" \
    grep -q "^aws-chain: aws profile \"deploy\": sts: localhost:$STS_PORT: .*" "$T/.err"

# ---- 6. credential_process -------------------------------------------------------------

chain AWS_PROFILE=process
expect_creds "process: success" "profile process (credential_process)" AKIDPROCESS yes \
    2098-12-31T22:00:00Z profile:process
check "process: argv split without a shell, found in PATH" \
    test "$(cat "$T/bin/creds-ok.args")" = "two words
its
plain"

chain AWS_PROFILE=process-fail
expect "process: a non-zero exit status is an error; its stderr is passed on" 1 '' \
    "docker-credential-router: credential_process: cannot reach the vault
aws-chain: aws profile \"process-fail\": credential_process: $T/bin/creds-fail failed (exit status 3)
"

chain AWS_PROFILE=process-badjson
expect_fail "process: bad JSON (and no secret quoted)" \
    'aws profile "process-badjson": credential_process: invalid JSON (line 1, column 72)'

chain AWS_PROFILE=process-v2
expect_fail "process: only Version 1" \
    'aws profile "process-v2": credential_process: the output needs "Version": 1 (the only version)'

chain AWS_PROFILE=process-missing
expect_fail "process: a program not in PATH" \
    'aws profile "process-missing": credential_process: no-such-creds-program not found in PATH'

fresh_log
chain AWS_PROFILE=process-role
expect_creds "process: role_arn on top of credential_process" \
    "profile process-role (assume role)" ASIASTSONPROCESS yes "$FAR" profile:process-role
check "process: ... signed with the process's keys" grep -q 'by=AKIDPROCESS region=us-east-1 sig=ok' \
    "$LOGFILE"

# ---- 7. container credentials ----------------------------------------------------------

fresh_log
chain AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$CONTAINER_PORT/creds" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN="$CONTAINER_TOKEN"
expect_creds "container: FULL_URI with a token" container ASIACONTAINERTASK yes "$FAR" \
    profile:default
check "container: the token was sent" log_is 'container GET /creds auth=ok'

fresh_log
chain AWS_CONTAINER_CREDENTIALS_FULL_URI="http://localhost:$CONTAINER_PORT/creds" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/container-token" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN=ignored-when-the-file-is-set
expect_creds "container: token file (wins over the variable), localhost" container \
    ASIACONTAINERTASK yes "$FAR" profile:default
check "container: the file's token was sent" log_is 'container GET /creds auth=ok'

chain AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$CONTAINER_PORT/creds" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong-token
expect_fail "container: an error answer is reported" \
    'container credentials: AccessDenied: bad token (HTTP 403 from 127.0.0.1)'

chain AWS_CONTAINER_CREDENTIALS_FULL_URI="http://192.0.2.10/creds"
expect_fail "container: plain http to another host is refused" \
    'AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http to 192.0.2.10 is not allowed (only loopback, 169.254.170.2, 169.254.170.23 and [fd00:ec2::23]; use https for other hosts)'

fresh_log
chain AWS_PROFILE=ecs AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$CONTAINER_PORT/creds" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN="$CONTAINER_TOKEN"
expect_creds "container: credential_source = EcsContainer, then the role" \
    "profile ecs (assume role)" ASIASTSONCONTAINER yes "$FAR" profile:ecs
check "container: ... signed with the container's session" \
    grep -q 'by=ASIACONTAINERTASK region=us-east-1 sig=ok' "$LOGFILE"

# ---- 8. IMDSv2 --------------------------------------------------------------------------

fresh_log
chain -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$IMDS_PORT/"
expect_creds "imds: token, then role, then credentials" imds ASIAIMDSINSTANCEROLE yes "$FAR" \
    profile:default
check "imds: the IMDSv2 requests" log_is 'imds PUT /latest/api/token ttl=21600
imds GET /latest/meta-data/iam/security-credentials/ token=ok
imds GET /latest/meta-data/iam/security-credentials/instance-role token=ok'

fresh_log
chain -u AWS_EC2_METADATA_DISABLED AWS_PROFILE=empty \
    AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$IMDS_PORT"
expect_creds "imds: a profile without credentials falls through to IMDS" imds \
    ASIAIMDSINSTANCEROLE yes "$FAR" profile:empty

fresh_log
chain AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$IMDS_PORT"
expect_fail "imds: AWS_EC2_METADATA_DISABLED=true" \
    "no AWS credentials found: none in the environment, none for profile \"default\" in $HOME/.aws/config or $HOME/.aws/credentials, no container endpoint, and imds: disabled by AWS_EC2_METADATA_DISABLED"
check "imds: ... and no request made" log_is ''

start=$(ms)
chain -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$SILENT_PORT"
elapsed=$(($(ms) - start))
check "imds: an endpoint that never answers fails ($RC)" test "$RC" = 1
check "imds: ... within 2 s (took $elapsed ms)" test "$elapsed" -lt 2000
check "imds: ... saying so" grep -q 'imds: .*no answer within 1500 ms' "$T/.err"

closed=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start=$(ms)
chain -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$closed"
elapsed=$(($(ms) - start))
check "imds: a closed port fails at once (took $elapsed ms)" test "$RC" = 1 -a "$elapsed" -lt 1000

start=$(ms)
chain -u AWS_EC2_METADATA_DISABLED
elapsed=$(($(ms) - start))
check "imds: the real 169.254.169.254 answers or fails within 2 s (took $elapsed ms)" \
    test "$elapsed" -lt 2000

# ---- 9. per-call profile and role -------------------------------------------------------

chain AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envs3cr3tkey -- --profile static
expect_creds "per call: a route's profile wins over environment keys" "profile static" \
    AKIDSTATIC no never profile:static

fresh_log
chain AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envs3cr3tkey -- \
    --role-arn "$ARN/route" --region eu-west-3
expect_creds "per call: a route's role on top of environment keys" \
    "environment + assume role" ASIASTSROUTE yes "$FAR" "AKIDENV;role:$ARN/route"
check "per call: ... in the route's region" grep -q \
    "^sts AssumeRole $ARN/route session=docker-credential-router-[0-9]* by=AKIDENV region=eu-west-3 sig=ok" \
    "$LOGFILE"

fresh_log
chain -- --profile deploy --role-arn "$ARN/route"
expect_creds "per call: profile and role together" "profile deploy (assume role) + assume role" \
    ASIASTSROUTE yes "$FAR" "profile:deploy;role:$ARN/route"
check "per call: ... two AssumeRole calls, the second by the first role" \
    grep -q "^sts AssumeRole $ARN/route .* by=ASIASTSDEPLOY region=eu-central-1 sig=ok" "$LOGFILE"

# ---- 10. errors that name the fix ------------------------------------------------------

chain AWS_PROFILE=nope
expect_fail "missing profile (AWS_PROFILE)" \
    "aws profile \"nope\" not found in $HOME/.aws/config or $HOME/.aws/credentials"

chain -- --profile unprefixed
expect_fail "missing profile (per call), with the [profile NAME] hint" \
    "aws profile \"unprefixed\" not found in $HOME/.aws/config or $HOME/.aws/credentials (in the config file, write [profile NAME], not [NAME])"

chain AWS_PROFILE=sso
expect_fail "SSO profiles: not supported, with the workaround" \
    'aws profile "sso": IAM Identity Center (SSO) profiles are not supported; use credential_process = aws configure export-credentials --profile NAME --format process'

chain AWS_CONFIG_FILE="$T/nothing" AWS_SHARED_CREDENTIALS_FILE="$T/nothing"
expect_fail "nothing anywhere" \
    "no AWS credentials found: none in the environment, none for profile \"default\" in $T/nothing or $T/nothing, no container endpoint, and imds: disabled by AWS_EC2_METADATA_DISABLED"

# ---- 11. no secret is ever printed, even at debug level ---------------------------------

leaks=$T/all-output
: >"$leaks"
debug() {
    chain DOCKER_CREDENTIAL_ROUTER_LOG=debug "$@"
    printf '%s%s' "$OUT" "$ERR" >>"$leaks"
}
debug AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envs3cr3tkey AWS_SESSION_TOKEN=envTokens3cr3t
debug DSTACK_AWS_ACCESS_KEY_ID=AKIDDSTACK DSTACK_AWS_SECRET_ACCESS_KEY=dstacks3cr3t
debug AWS_WEB_IDENTITY_TOKEN_FILE="$T/web-token" AWS_ROLE_ARN="$ARN/irsa"
debug AWS_WEB_IDENTITY_TOKEN_FILE="$T/wrong-token" AWS_ROLE_ARN="$ARN/irsa"
debug AWS_PROFILE=chained
debug AWS_PROFILE=badsig
debug AWS_PROFILE=process
debug AWS_PROFILE=process-badjson
debug AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$CONTAINER_PORT/creds" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/container-token"
debug -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$IMDS_PORT"
debug AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envs3cr3tkey -- --role-arn "$ARN/route"
check "secrets: the debug runs did log (sanity)" grep -q 'aws: credentials from' "$leaks"
no_leaks() { ! grep -n s3cr3t "$leaks"; }
check "secrets: no secret key or token in any output" no_leaks

lib_finish
