#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# The ecr and aws-secretsmanager backends end to end: the router, the dcr-aws
# helper beside it, and tests/aws/standin.py on 127.0.0.1 over HTTPS, which
# checks every SigV4 signature with botocore.  Exact output bytes; exchange
# counts from the stand-in.
#
# Usage: ecr-test.sh PATH-TO-docker-credential-router
# (dcr-aws is found next to it, as in the build tree.)

. "$(dirname "$0")/lib-personality.sh"
lib_init "$@"
. "$(dirname "$0")/aws/lib-standin.sh"

if missing=$(standin_missing); then
    printf 'ecr-test: skipped: %s is missing (sh .ci/install-deps)\n' "$missing"
    exit 77
fi

# ---- environment: nothing of the real user's AWS setup -----------------------------------
for v in $(compgen -e); do
    case $v in AWS_* | DSTACK_*) unset "$v" ;; esac
done
mkdir -p "$T/aws"
export AWS_CONFIG_FILE=$T/aws/config AWS_SHARED_CREDENTIALS_FILE=$T/aws/credentials
export AWS_EC2_METADATA_DISABLED=true
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

AKID=AKIDEXAMPLE
SECRET=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
TMPID=ASIATEMPEXAMPLE
TMPSECRET=temp/secret+key
TMPTOKEN=EXAMPLESESSIONTOKEN
PW=pw-Qx7Vb2
standin_start "$T" --access "$AKID:$SECRET" --access "$TMPID:$TMPSECRET:$TMPTOKEN" \
    --password "$PW" --secret 'reg-creds={"username":"robot","password":"s3cr\"et"}' \
    --secret 'not-creds=hunter2' || exit 1
LIB_PIDS="$LIB_PIDS $STANDIN_PID"
export AWS_CA_BUNDLE=$STANDIN_CA
export AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET

HOST=123456789012.dkr.ecr.us-west-2.amazonaws.com
HOST2=210987654321.dkr.ecr.us-west-2.amazonaws.com
CACHE=$XDG_CACHE_HOME/docker-credential-router
SENTINEL='credentials not found in native keychain'
NL=$'\n'
N_ECR=0 # exchanges the stand-in should have counted

config() { # extra lines for the ecr route
    put "$T/config.toml" "[[route]]
name = \"ecr-test\"
match = [\"*.dkr.ecr.*.amazonaws.com\", \"*.dkr-ecr.*.on.aws\", \"public.ecr.aws\"]
backend = \"ecr\"
endpoint = \"$STANDIN_URL\"
$1

[[route]]
name = \"sm\"
match = \"registry.example.com\"
backend = \"aws-secretsmanager\"
secret_id = \"reg-creds\"
region = \"us-west-2\"
endpoint = \"$STANDIN_URL\"

[[route]]
name = \"sm-bad\"
match = [\"bad.example.com\", \"missing.example.com\"]
backend = \"aws-secretsmanager\"
secret_id = \"not-creds\"
region = \"us-west-2\"
endpoint = \"$STANDIN_URL\"
"
    export DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/config.toml
}

get() { # KEY: a docker get
    printf '%s\n' "$1" >"$T/key"
    STDIN=$T/key run "$ROUTER" get
}

answer() { # KEY PASSWORD: docker's answer bytes
    printf '{"ServerURL":"%s","Username":"AWS","Secret":"%s"}\n' "$1" "$2"
}

exchanges() { # NAME COUNTER WANT
    local got
    got=$(standin_count "$2")
    if [ "$got" = "$3" ]; then lib_pass "$1"; else lib_fail "$1" "$2 exchanges: $got, want $3"; fi
}

contains() { # NAME HAYSTACK NEEDLE
    case $2 in *"$3"*) lib_pass "$1" ;; *) lib_fail "$1" "$(printf '%q' "$2")" "lacks: $3" ;; esac
}

lacks() { # NAME HAYSTACK NEEDLE
    case $2 in *"$3"*) lib_fail "$1" "$(printf '%q' "$2")" "holds: $3" ;; *) lib_pass "$1" ;; esac
}

entry() { ls "$CACHE"/*.json 2>/dev/null | head -n1; }

config ''

# ---- a good exchange, then the cache --------------------------------------------------------
get "$HOST"
expect "get: one exchange, Docker's answer" 0 "$(answer "$HOST" "$PW")$NL" ''
N_ECR=$((N_ECR + 1))
exchanges "get: the stand-in counted one GetAuthorizationToken" ecr $N_ECR

get "https://$HOST"
expect "get again (other spelling): answered" 0 "$(answer "https://$HOST" "$PW")$NL" ''
exchanges "get again: from the cache, no exchange" ecr $N_ECR

mkdir -p "$T/nohelper"
printf '%s\n' "$HOST" >"$T/key"
DOCKER_CREDENTIAL_ROUTER_LIBEXECDIR=$T/nohelper STDIN=$T/key run "$ROUTER" get
expect "a cache hit never runs dcr-aws (none in LIBEXECDIR)" 0 "$(answer "$HOST" "$PW")$NL" ''

run "$ROUTER" registry-credentials get "$HOST/team/app:1.2"
expect "thin-edge key with a repository: same entry" 0 "{\"username\":\"AWS\",\"password\":\"$PW\"}
" ''
exchanges "thin-edge key: no exchange" ecr $N_ECR

run "$ROUTER" route "$HOST"
contains "route: registry id and region" "$OUT" \
    "source:     ECR registry 123456789012, region us-west-2 (from the host)"
contains "route: endpoint" "$OUT" "endpoint:   $STANDIN_URL (from route endpoint)"
contains "route: credential source" "$OUT" "aws creds:  environment keys $AKID (AWS_ACCESS_KEY_ID)"
contains "route: cache state" "$OUT" "token:      cached, fresh until "
lacks "route: no secret" "$OUT" "$SECRET"

run "$ROUTER" cache list
contains "cache list: the entry, keyed by access key id" "$OUT" "$HOST  route 'ecr-test'  as $AKID"

printf '{"ServerURL":"%s","Username":"AWS","Secret":"x"}' "$HOST" >"$T/store.json"
STDIN=$T/store.json run "$ROUTER" store
expect "store on the ecr route: ignored (docker login keeps working)" 0 '' \
    "docker-credential-router: warn: route 'ecr-test' (backend ecr) is read-only: store ignored
"
printf '%s\n' "$HOST" >"$T/key"
STDIN=$T/key run "$ROUTER" erase
expect "erase: ignored" 0 '' \
    "docker-credential-router: warn: route 'ecr-test' (backend ecr) is read-only: erase ignored
"
run "$ROUTER" list
expect "list: lists no ECR keys" 0 '{}
' ''

# ---- AWS errors reach the user --------------------------------------------------------------
AWS_SECRET_ACCESS_KEY=wrong-secret get "$HOST2"
expect "wrong secret: the AWS error, not the sentinel" 1 \
    "route 'ecr-test': ecr: InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.
" ''
AWS_ACCESS_KEY_ID=AKIDUNKNOWN get "$HOST2"
expect "unknown key id: UnrecognizedClientException" 1 \
    "route 'ecr-test': ecr: UnrecognizedClientException: The security token included in the request is invalid.
" ''
AWS_SESSION_TOKEN=bogus get "$HOST2"
expect "bad session token: UnrecognizedClientException" 1 \
    "route 'ecr-test': ecr: UnrecognizedClientException: The security token included in the request is invalid.
" ''
AWS_ACCESS_KEY_ID=$TMPID AWS_SECRET_ACCESS_KEY=$TMPSECRET AWS_SESSION_TOKEN=$TMPTOKEN get "$HOST2"
expect "temporary credentials (x-amz-security-token signed)" 0 "$(answer "$HOST2" "$PW")$NL" ''
N_ECR=$((N_ECR + 1))
exchanges "rejected calls are not exchanges" ecr $N_ECR
exchanges "the stand-in rejected three signatures" rejected 3

# ---- 64 concurrent cold gets: one exchange --------------------------------------------------
run "$ROUTER" cache clear
standin_ctl '{"delay": 1, "counter": true, "password": "conc", "reset": true}'
N_ECR=0
printf '%s\n' "$HOST" >"$T/key"
pids=
for i in $(seq 1 64); do
    "$ROUTER" get <"$T/key" >"$T/conc.$i.out" 2>"$T/conc.$i.err" &
    pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
standin_ctl '{"delay": 0}'
N_ECR=$((N_ECR + 1))
exchanges "64 concurrent cold gets: exactly one exchange" ecr $N_ECR
distinct=$(cat "$T"/conc.*.out | sort -u)
if [ "$fails" = 0 ] && [ "$distinct" = "$(answer "$HOST" conc-1)" ]; then
    lib_pass "64 concurrent cold gets: all answered the same token"
else
    lib_fail "64 concurrent gets" "$fails failed" "answers: $distinct" "$(cat "$T"/conc.1.err)"
fi

# ---- half-life refresh and expiry ---------------------------------------------------------
run "$ROUTER" cache clear
standin_ctl '{"lifetime": 6, "counter": true, "password": "short", "reset": true}'
N_ECR=0
get "$HOST"
expect "short-lived token: issued" 0 "$(answer "$HOST" short-1)$NL" ''
get "$HOST"
expect "before half-life: from the cache" 0 "$(answer "$HOST" short-1)$NL" ''
sleep 3.5
get "$HOST"
expect "after half-life: refreshed" 0 "$(answer "$HOST" short-2)$NL" ''
exchanges "half-life: two exchanges in all" ecr 2

# stale-on-error: past half-life, the refresh fails, the unexpired token answers
sleep 3.5
standin_ctl '{"fail": 100, "fail_kind": "500"}'
get "$HOST"
if [ "$RC" = 0 ] && [ "$OUT" = "$(answer "$HOST" short-2)$NL" ]; then
    lib_pass "stale-on-error: the cached token answers"
else
    lib_fail "stale-on-error" "status $RC" "$OUT" "$ERR"
fi
contains "stale-on-error: a warning names the failure" "$ERR" \
    "cannot refresh the token for $HOST (route route 'ecr-test'): route 'ecr-test': ecr: ServerException: injected failure (after 3 attempts); using cached token until"
sleep 3
get "$HOST"
expect "expired and the refresh fails: a clear error" 1 \
    "route 'ecr-test': ecr: ServerException: injected failure (after 3 attempts)
" ''
standin_ctl "{\"fail\": 0, \"lifetime\": 43200, \"counter\": false, \"password\": \"$PW\", \"reset\": true}"

# ---- retries ----------------------------------------------------------------------------------
run "$ROUTER" cache clear
standin_ctl '{"fail": 2, "fail_kind": "500"}'
get "$HOST"
expect "two 500s, then success" 0 "$(answer "$HOST" "$PW")$NL" ''
exchanges "two 500s: both injected" injected 2

run "$ROUTER" cache clear
standin_ctl '{"fail": 2, "fail_kind": "throttle"}'
get "$HOST"
expect "two ThrottlingExceptions, then success" 0 "$(answer "$HOST" "$PW")$NL" ''
exchanges "throttling: four injected in all" injected 4

run "$ROUTER" cache clear
standin_ctl '{"fail": 5, "fail_kind": "throttle"}'
get "$HOST"
expect "throttled throughout: a clear error after 3 attempts" 1 \
    "route 'ecr-test': ecr: ThrottlingException: Rate exceeded (after 3 attempts)
" ''
exchanges "throttled throughout: three attempts" injected 7

AWS_MAX_ATTEMPTS=1 get "$HOST"
expect "AWS_MAX_ATTEMPTS=1: one attempt" 1 "route 'ecr-test': ecr: ThrottlingException: Rate exceeded
" ''
exchanges "AWS_MAX_ATTEMPTS=1: one more injected" injected 8
standin_ctl '{"fail": 0}'

standin_ctl '{"fail": 1, "fail_kind": "access"}'
get "$HOST"
expect "AccessDeniedException: not retried" 1 \
    "route 'ecr-test': ecr: AccessDeniedException: User is not authorized
" ''
exchanges "AccessDeniedException: one attempt" injected 9

standin_ctl '{"fail": 1, "fail_kind": "garbage"}'
get "$HOST"
expect "an answer that is not JSON" 1 \
    "route 'ecr-test': ecr: the GetAuthorizationToken answer is not a JSON object
" ''
standin_ctl '{"fail": 1, "fail_kind": "truncated"}'
get "$HOST"
expect "a truncated answer" 1 \
    "route 'ecr-test': ecr: the GetAuthorizationToken answer is not a JSON object
" ''
standin_ctl '{"fail": 0}'

# ---- timeout ------------------------------------------------------------------------------------
run "$ROUTER" cache clear
config 'timeout = 2'
standin_ctl '{"delay": 5}'
start=$(date +%s)
get "$HOST"
took=$(($(date +%s) - start))
standin_ctl '{"delay": 0}'
contains "timeout: the error names the endpoint and the limit" "$OUT" \
    "route 'ecr-test': ecr: 127.0.0.1:$STANDIN_PORT: no answer within"
if [ "$RC" = 1 ] && [ "$took" -lt 4 ]; then
    lib_pass "timeout: gave up within the route's timeout (${took} s)"
else
    lib_fail "timeout" "status $RC after $took s"
fi
config ''
sleep 4 # the stand-in's delayed handler finishes before the counters are reset

# ---- damaged cache entries ----------------------------------------------------------------------
run "$ROUTER" cache clear
standin_ctl '{"reset": true}'
get "$HOST"
f=$(entry)
printf '{"version":1,"route":"ecr-te' >"$f"
get "$HOST"
expect "truncated cache entry: a miss, answered" 0 "$(answer "$HOST" "$PW")$NL" ''
printf 'garbage\n\0\1' >"$f"
get "$HOST"
expect "garbage cache entry: a miss, answered" 0 "$(answer "$HOST" "$PW")$NL" ''
chmod 644 "$f"
get "$HOST"
expect "group-readable cache entry: a miss, answered" 0 "$(answer "$HOST" "$PW")$NL" \
    "docker-credential-router: warn: ignoring $f: bad owner or permissions (replaced on the next store)
"
exchanges "damaged entries: one exchange each" ecr 4
if [ "$(id -u)" = 0 ]; then
    chown nobody "$f"
    get "$HOST"
    expect "foreign-owned cache entry: a miss, answered" 0 "$(answer "$HOST" "$PW")$NL" \
        "docker-credential-router: warn: ignoring $f: bad owner or permissions (replaced on the next store)
"
    exchanges "foreign-owned entry: an exchange" ecr 5
    get "$HOST"
    expect "foreign-owned entry replaced: a hit again" 0 "$(answer "$HOST" "$PW")$NL" ''
    exchanges "replaced entry: no exchange" ecr 5
fi

# ---- an unusable cache directory still answers -------------------------------------------------
chmod 500 "$CACHE"
if [ "$(id -u)" = 0 ]; then
    chmod 700 "$CACHE"
    chown nobody "$CACHE"
fi
before=$(standin_count ecr)
get "$HOST"
if [ "$RC" = 0 ] && [ "$OUT" = "$(answer "$HOST" "$PW")$NL" ]; then
    lib_pass "unusable cache directory: answered"
else
    lib_fail "unusable cache directory" "status $RC" "$OUT" "$ERR"
fi
contains "unusable cache directory: a warning" "$ERR" "token cache not used:"
exchanges "unusable cache directory: answered by an exchange" ecr $((before + 1))
[ "$(id -u)" = 0 ] && chown "$(id -u)" "$CACHE"
chmod 700 "$CACHE"

printf 'not a directory' >"$T/cachefile"
XDG_CACHE_HOME=$T/cachefile get "$HOST"
expect "cache directory under a file: answered, with a warning" 0 "$(answer "$HOST" "$PW")$NL" \
    "docker-credential-router: warn: token cache not used: cannot use $T/cachefile/docker-credential-router: Not a directory
"

# ---- ECR Public --------------------------------------------------------------------------------
get public.ecr.aws
expect "ECR Public: a token (ecr-public, us-east-1, SpencerFrontendService)" 0 \
    "$(answer public.ecr.aws "$PW")$NL" ''
exchanges "ECR Public: one exchange" ecr-public 1
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
run "$ROUTER" cache clear
get public.ecr.aws
expect "ECR Public without any AWS credentials: not found (anonymous pulls)" 1 "$SENTINEL
" ''
get "$HOST"
case $RC:$OUT in
"1:route 'ecr-test': no AWS credentials found"*) lib_pass "private ECR without credentials: a real error" ;;
*) lib_fail "private ECR without credentials: a real error" "status $RC" "$OUT" ;;
esac
export AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET

# ---- endpoints: variables, FIPS, dual-stack --------------------------------------------------
put "$T/plain.toml" '[[route]]
name = "plain"
match = ["*.dkr.ecr.*.amazonaws.com", "*.dkr.ecr-fips.*.amazonaws.com", "*.dkr-ecr.*.on.aws", "public.ecr.aws"]
backend = "ecr"
'
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/plain.toml
ep() { # KEY: the endpoint line of `route KEY`
    "$ROUTER" route "$1" | sed -n 's/^endpoint:   //p'
}
check "endpoint: standard" [ "$(ep "$HOST")" = "https://api.ecr.us-west-2.amazonaws.com (from partition)" ]
check "endpoint: FIPS from the host" \
    [ "$(ep 123456789012.dkr.ecr-fips.us-east-1.amazonaws.com)" = "https://api.ecr-fips.us-east-1.amazonaws.com (from partition)" ]
check "endpoint: dual-stack from the host" \
    [ "$(ep 123456789012.dkr-ecr.eu-west-1.on.aws)" = "https://ecr.eu-west-1.api.aws (from partition)" ]
check "endpoint: AWS_USE_FIPS_ENDPOINT" \
    [ "$(AWS_USE_FIPS_ENDPOINT=true ep "$HOST")" = "https://api.ecr-fips.us-west-2.amazonaws.com (from partition)" ]
check "endpoint: AWS_USE_DUALSTACK_ENDPOINT" \
    [ "$(AWS_USE_DUALSTACK_ENDPOINT=true ep "$HOST")" = "https://ecr.us-west-2.api.aws (from partition)" ]
check "endpoint: both" \
    [ "$(AWS_USE_FIPS_ENDPOINT=true AWS_USE_DUALSTACK_ENDPOINT=true ep "$HOST")" = "https://ecr-fips.us-west-2.api.aws (from partition)" ]
check "endpoint: ECR Public" \
    [ "$(ep public.ecr.aws)" = "https://api.ecr-public.us-east-1.amazonaws.com (from partition)" ]
check "endpoint: AWS_ENDPOINT_URL" \
    [ "$(AWS_ENDPOINT_URL=https://all.example ep "$HOST")" = "https://all.example (from AWS_ENDPOINT_URL)" ]
check "endpoint: AWS_ENDPOINT_URL_ECR wins over AWS_ENDPOINT_URL" \
    [ "$(AWS_ENDPOINT_URL=https://all.example AWS_ENDPOINT_URL_ECR=https://ecr.example ep "$HOST")" = "https://ecr.example (from AWS_ENDPOINT_URL_ECR)" ]
check "endpoint: AWS_ENDPOINT_URL_ECR_PUBLIC for ECR Public" \
    [ "$(AWS_ENDPOINT_URL_ECR=https://ecr.example AWS_ENDPOINT_URL_ECR_PUBLIC=https://pub.example ep public.ecr.aws)" = "https://pub.example (from AWS_ENDPOINT_URL_ECR_PUBLIC)" ]

run "$ROUTER" cache clear
AWS_ENDPOINT_URL_ECR=$STANDIN_URL get "$HOST"
expect "an exchange through AWS_ENDPOINT_URL_ECR" 0 "$(answer "$HOST" "$PW")$NL" ''
AWS_ENDPOINT_URL=http://example.com get "$HOST2"
expect "plain http to a non-loopback endpoint is refused" 1 \
    "route 'plain': ecr: example.com: plain http:// is allowed only for loopback and link-local addresses (use https://)
" ''
printf '%s\n' "$HOST2" >"$T/key"
AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt AWS_ENDPOINT_URL=$STANDIN_URL STDIN=$T/key run "$ROUTER" get
contains "TLS is verified (an unknown CA is refused)" "$OUT" "route 'plain': ecr: 127.0.0.1:$STANDIN_PORT: "
check "... and it fails" [ "$RC" = 1 ]

put "$T/custom.toml" "[[route]]
name = \"proxy\"
match = \"registry.internal:5000\"
backend = \"ecr\"
region = \"eu-central-1\"
registry_id = \"123456789012\"
endpoint = \"$STANDIN_URL\"
"
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/custom.toml
get registry.internal:5000
expect "a custom host with region and registry_id" 0 "$(answer registry.internal:5000 "$PW")$NL" ''
run "$ROUTER" route registry.internal:5000
contains "route: a custom host" "$OUT" \
    "source:     registry.internal:5000 is not an ECR host name: registry 123456789012, region eu-central-1 from route"

# ---- aws_role_arn: STS AssumeRole on top, then the token -----------------------------------
put "$T/role.toml" "[[route]]
name = \"role\"
match = \"*.dkr.ecr.*.amazonaws.com\"
backend = \"ecr\"
aws_role_arn = \"arn:aws:iam::123456789012:role/puller\"
endpoint = \"$STANDIN_URL\"
"
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/role.toml
sts_before=$(standin_count sts)
AWS_ENDPOINT_URL_STS=$STANDIN_URL get "$HOST"
expect "aws_role_arn: the token, with the assumed role's credentials" 0 "$(answer "$HOST" "$PW")$NL" ''
exchanges "aws_role_arn: one signed AssumeRole" sts $((sts_before + 1))
run "$ROUTER" cache list
contains "aws_role_arn: the cache identity names the role" "$OUT" \
    "as $AKID;role:arn:aws:iam::123456789012:role/puller"

# ---- Secrets Manager --------------------------------------------------------------------------
config ''
get registry.example.com
expect "aws-secretsmanager: the secret's username and password" 0 \
    '{"ServerURL":"registry.example.com","Username":"robot","Secret":"s3cr\"et"}
' ''
get registry.example.com
expect "aws-secretsmanager: cached" 0 \
    '{"ServerURL":"registry.example.com","Username":"robot","Secret":"s3cr\"et"}
' ''
exchanges "aws-secretsmanager: one GetSecretValue" secretsmanager 1
get bad.example.com
expect "a secret that is not {username, password}" 1 \
    "route 'sm-bad': secretsmanager: secret not-creds: SecretString is not a JSON object {\"username\":...,\"password\":...}
" ''
run "$ROUTER" route registry.example.com
contains "route: the secret and its region" "$OUT" "source:     Secrets Manager secret reg-creds, region us-west-2"
contains "route: the secret is cached" "$OUT" "secret:     cached, fresh until"

# ---- check ---------------------------------------------------------------------------------------
run "$ROUTER" check
contains "check: the ecr route is fine" "$OUT" "ok: route 'ecr-test': helper "
put "$T/badcheck.toml" '[[route]]
match = "registry.internal"
backend = "ecr"
aws_profile = "nope"
'
DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/badcheck.toml run "$ROUTER" check
contains "check: a literal host that is not ECR, without region" "$OUT" \
    "error: route 1: registry.internal is not an ECR registry host name"
check "check: exit status 1" [ "$RC" = 1 ]

# ---- the embedded default -------------------------------------------------------------------------
unset DOCKER_CREDENTIAL_ROUTER_CONFIG
run "$ROUTER" route "$HOST"
contains "embedded default: ECR hosts go to the ecr backend" "$OUT" "backend:    ecr"
run "$ROUTER" route 123456789012.dkr.ecr.us-west-2.amazonaws.com.evil.example
contains "embedded default: look-alikes do not" "$OUT" "route:      default store"
run "$ROUTER" route abc.dkr.ecr.us-west-2.amazonaws.com
contains "embedded default: a non-numeric account does not" "$OUT" "route:      default store"
DSTACK_AWS_ACCESS_KEY_ID=$AKID DSTACK_AWS_SECRET_ACCESS_KEY=$SECRET DSTACK_AWS_REGION=eu-west-1 \
    DSTACK_AWS_ECR_REGISTRY=registry.internal:5000 run "$ROUTER" route registry.internal:5000
contains "embedded default: a dstack ECR route" "$OUT" "route:      route 'dstack-ecr'"
contains "embedded default: dstack region" "$OUT" "region eu-west-1 from route"

# ---- no secret anywhere ---------------------------------------------------------------------------
config ''
run "$ROUTER" cache clear
printf '%s\n' "$HOST" >"$T/key"
DOCKER_CREDENTIAL_ROUTER_LOG=debug STDIN=$T/key run "$ROUTER" get
lacks "debug log: no token" "$ERR" "$PW"
lacks "debug log: no secret key" "$ERR" "$SECRET"
if grep -rqF -e "\"secret\":\"$PW\"" "$CACHE"; then lib_pass "the token is in the cache (mode 600)"; else lib_fail "token cached"; fi
check "cache entry mode 600" [ "$(stat -c %a "$(entry)")" = 600 ]
if grep -rqF -e "$SECRET" "$CACHE"; then lib_fail "the secret key is not in the cache"; else lib_pass "the secret key is not in the cache"; fi

lib_finish
