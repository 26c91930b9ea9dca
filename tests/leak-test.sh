#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# No secret leaks (issue 7): every verb and personality runs at
# DOCKER_CREDENTIAL_ROUTER_LOG=debug with distinctive secret values, and each
# secret must appear only where it belongs:
#
#   - on stdout only as the answer of a get (docker, thin-edge, kubelet);
#     never on stderr, in an error message, in list/route/check/cache output;
#   - in no child's argv, and in no child's environment unless we put it
#     there ourselves (a script route dumps /proc/self/cmdline and environ;
#     with strace, every execve of the router's children is checked too);
#   - in no file under the test's HOME but the one meant for it (the static
#     file it came from, the store, the cache entry of a cached route), and
#     nowhere once erased; a sealed password's plaintext in no file at all;
#   - in no core dump: the script child sees its parent with RLIMIT_CORE 0
#     and non-dumpable (an unprivileged reader of /proc/PPID/environ is
#     refused, while its own dumpable shell is readable);
#   - files created under umask 000 are still 0600 in 0700 directories.
#
# Backends: static, env, script, age-sealed values (with age), ecr (with the
# stand-in: openssl, curl, python3-botocore), secretservice (with
# gnome-keyring and a libsecret build; the script re-runs itself under
# dbus-run-session for it).
#
# Usage: leak-test.sh PATH-TO-docker-credential-router

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib-keyring.sh"
KEYRING=false
if [ -n "${1:-}" ] && "$1" --help 2>/dev/null | grep -q '^  secretservice ' &&
    command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    KEYRING=true
    keyring_session "$0" "$@"
fi
. "$HERE/lib-personality.sh"
lib_init "$@"
. "$HERE/aws/lib-standin.sh"

S=$T/scripts
L=$T/logs
IN=$T/in # inputs written by this script: scanned only where they should not be
mkdir -p "$S" "$L" "$T/dump" "$IN"
NL=$'\n'

# Distinctive secrets, one per source.
S_STATIC=static-Secret-7f3a91e2
S_AGE=age-Plaintext-5a0f6c1d
S_ENV=env-Secret-9b1e55a0
S_SCRIPT=script-Secret-2d7c44b8
S_STORE=store-Secret-c4e8d2f7
S_ECR=ecr-Token-8e21b0c3
S_AWS=aws-SecretKey-61f0d9a4
S_KEYRING=keyring-Secret-0b9d37e6
S_BAD=bad-Secret-a17c5e09 # in malformed input: must not be quoted by any error
SECRETS="$S_STATIC $S_AGE $S_ENV $S_SCRIPT $S_STORE $S_ECR $S_AWS $S_KEYRING $S_BAD"
# What the router obtains by itself (never from its own environment).
OBTAINED="$S_STATIC $S_AGE $S_SCRIPT $S_STORE $S_ECR $S_KEYRING $S_BAD"

contains() { # NAME HAYSTACK NEEDLE
    case $2 in *"$3"*) lib_pass "$1" ;; *) lib_fail "$1" "$(printf '%q' "$2" | head -c 600)" "lacks: $3" ;; esac
}

# no_secret NAME TEXT [ALLOWED]: TEXT holds none of the secrets but ALLOWED.
no_secret() {
    local s found=
    for s in $SECRETS $AGE_KEY; do
        [ "$s" = "${3:-}" ] && continue
        case $2 in *"$s"*) found="$found $s" ;; esac
    done
    if [ -z "$found" ]; then lib_pass "$1"; else lib_fail "$1" "leaks:$found"; fi
}

N=0
# leak_run NAME ALLOWED-ON-STDOUT STDIN CMD...: runs at debug level; stderr
# holds no secret, stdout none but the allowed one.  Captures stay in $L.
leak_run() {
    local name=$1 allowed=$2 in=$3
    shift 3
    N=$((N + 1))
    DOCKER_CREDENTIAL_ROUTER_LOG=debug "$@" <"$in" >"$L/$N.out" 2>"$L/$N.err"
    RC=$?
    OUT=$(cat "$L/$N.out")
    ERR=$(cat "$L/$N.err")
    no_secret "$name: no secret on stderr" "$ERR"
    no_secret "$name: stdout holds no other secret" "$OUT" "$allowed"
    if [ -n "$allowed" ]; then
        contains "$name: answered" "$OUT" "$allowed"
    fi
}

key() { printf '%s\n' "$1" >"$IN/key"; echo "$IN/key"; }

# ---- fixtures --------------------------------------------------------------------------------
AGE_KEY=
SEALED=
if command -v age >/dev/null && command -v age-keygen >/dev/null; then
    age-keygen -o "$T/age.key" 2>/dev/null
    chmod 600 "$T/age.key"
    AGE_KEY=$(grep '^AGE-SECRET-KEY-' "$T/age.key")
    SEALED=$(printf '%s' "$S_AGE" | age -r "$(age-keygen -y "$T/age.key")" | base64 -w0)
fi

put "$T/creds.toml" "[registry1]
repo = \"static.test\"
username = \"static-user\"
password = \"$S_STATIC\"
${SEALED:+
[registry2]
repo = \"age.test\"
username = \"age-user\"
password = \"$SEALED\"
}"
# A credentials file broken right after a secret: its error must not quote it.
put "$T/broken.toml" "[registry1]
repo = \"broken.test\"
password = \"$S_BAD\" x
"

# dump: records its argv, environment, and what it sees of its parent, then answers.
put_exe "$S/dump" '#!/bin/sh
d='"$T"'/dump
tr "\0" "\n" </proc/$$/cmdline >"$d/cmdline"
tr "\0" "\n" </proc/$$/environ >"$d/environ"
grep "^Max core file size" /proc/$PPID/limits >"$d/limits"
if cat /proc/$PPID/environ >/dev/null 2>&1; then echo readable; else echo refused; fi >"$d/parent"
if cat /proc/$$/environ >/dev/null 2>&1; then echo readable; else echo refused; fi >"$d/self"
case $2 in
bad.script.test) printf "username=u password='"$S_BAD"'\n" ;;
*) printf "{\"username\":\"script-user\",\"password\":\"%s\"}\n" "'"$S_SCRIPT"'" ;;
esac
'

ECR_HOST=123456789012.dkr.ecr.us-west-2.amazonaws.com
ECR=false
if ! standin_missing >/dev/null; then
    for v in $(compgen -e); do
        case $v in AWS_* | DSTACK_*) unset "$v" ;; esac
    done
    export AWS_CONFIG_FILE=$T/aws/config AWS_SHARED_CREDENTIALS_FILE=$T/aws/credentials
    export AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
    unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
    # The stand-in's own files live outside the scanned HOME tree.
    if standin_start "$T/standin" --access "AKIDLEAK:$S_AWS" --password "$S_ECR"; then
        LIB_PIDS="$LIB_PIDS $STANDIN_PID"
        export AWS_CA_BUNDLE=$STANDIN_CA AWS_ACCESS_KEY_ID=AKIDLEAK AWS_SECRET_ACCESS_KEY=$S_AWS
        ECR=true
    fi
fi

if $KEYRING; then
    keyring_require
    keyring_start "$T/keyring" || exit 1
    LIB_PIDS="$LIB_PIDS $KEYRING_PID"
fi

STORE=$XDG_DATA_HOME/docker-credential-router/credentials.toml
put "$T/config.toml" "default_store = \"$STORE\"
${SEALED:+identity_file = \"$T/age.key\"
}
[[route]]
name = \"static\"
match = [\"static.test\", \"age.test\"]
backend = \"static\"
file = \"$T/creds.toml\"

[[route]]
name = \"env\"
match = \"env.test\"
backend = \"env\"
username_env = \"LEAK_USER\"
password_env = \"LEAK_PASS\"

[[route]]
name = \"script\"
match = \"*.script.test\"
backend = \"script\"
command = [\"$S/dump\"]
cache_ttl = 600
$($ECR && printf '\n[[route]]\nname = "ecr"\nmatch = "*.dkr.ecr.*.amazonaws.com"\nbackend = "ecr"\nendpoint = "%s"\n' "$STANDIN_URL")
$($KEYRING && printf '\n[[route]]\nname = "keyring"\nmatch = "keyring.test"\nbackend = "secretservice"\n')
"
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/config.toml
export LEAK_USER=env-user LEAK_PASS=$S_ENV
# The same with a route whose credentials file is broken right after a secret.
put "$T/broken-config.toml" "$(cat "$T/config.toml")
[[route]]
name = \"broken\"
match = \"broken.test\"
backend = \"static\"
file = \"$T/broken.toml\"
"

# ---- the Docker protocol ----------------------------------------------------------------------
umask 000 # the router must not care: its files are 0600 in 0700 directories
leak_run "get static" "$S_STATIC" "$(key static.test)" "$ROUTER" get
if [ -n "$SEALED" ]; then
    leak_run "get age-sealed" "$S_AGE" "$(key age.test)" "$ROUTER" get
fi
leak_run "get env" "$S_ENV" "$(key env.test)" "$ROUTER" get
LEAK_PASS= leak_run "get script (cold)" "$S_SCRIPT" "$(key a.script.test)" "$ROUTER" get
LEAK_PASS= leak_run "get script (cached)" "$S_SCRIPT" "$(key a.script.test)" "$ROUTER" get
if $ECR; then
    leak_run "get ecr" "$S_ECR" "$(key "$ECR_HOST")" "$ROUTER" get
    leak_run "get ecr (cached)" "$S_ECR" "$(key "$ECR_HOST")" "$ROUTER" get
fi
printf '{"ServerURL":"store.test","Username":"store-user","Secret":"%s"}' "$S_STORE" >"$IN/store.json"
leak_run "store" "" "$IN/store.json" "$ROUTER" store
leak_run "get stored" "$S_STORE" "$(key store.test)" "$ROUTER" get
check "umask 000: the store file is 0600" [ "$(stat -c %a "$STORE")" = 600 ]
check "umask 000: its directory is 0700" [ "$(stat -c %a "$(dirname "$STORE")")" = 700 ]
check "umask 000: cache entries are 0600" \
    [ "$(stat -c %a "$XDG_CACHE_HOME"/docker-credential-router/*.json | sort -u)" = 600 ]
check "umask 000: the cache directory is 0700" \
    [ "$(stat -c %a "$XDG_CACHE_HOME/docker-credential-router")" = 700 ]
umask 077
if $KEYRING; then
    printf '{"ServerURL":"keyring.test","Username":"kr-user","Secret":"%s"}' "$S_KEYRING" >"$IN/kr.json"
    leak_run "store (secretservice)" "" "$IN/kr.json" "$ROUTER" store
    leak_run "get (secretservice)" "$S_KEYRING" "$(key keyring.test)" "$ROUTER" get
fi
leak_run "list" "" /dev/null "$ROUTER" list
contains "list: names the stored username" "$OUT" '"store.test":"store-user"'
for k in static.test age.test env.test a.script.test store.test "$ECR_HOST" keyring.test; do
    leak_run "route $k" "" /dev/null "$ROUTER" route "$k"
done
leak_run "check" "" /dev/null "$ROUTER" check
leak_run "cache list" "" /dev/null "$ROUTER" cache list
leak_run "version" "" /dev/null "$ROUTER" version
leak_run "--help" "" /dev/null "$ROUTER" --help

# ---- other callers ----------------------------------------------------------------------------
leak_run "registry-credentials static" "$S_STATIC" /dev/null \
    "$ROUTER" registry-credentials get static.test/app:1
LEAK_PASS= leak_run "registry-credentials script" "$S_SCRIPT" /dev/null \
    "$ROUTER" registry-credentials get a.script.test/app:1
kube() { # IMAGE: a CredentialProviderRequest
    printf '{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"%s"}' "$1" >"$IN/kube.json"
    echo "$IN/kube.json"
}
leak_run "kubelet static" "$S_STATIC" "$(kube static.test/app)" "$ROUTER" kubelet
leak_run "kubelet env" "$S_ENV" "$(kube env.test/app)" "$ROUTER" kubelet
if $ECR; then
    leak_run "kubelet ecr" "$S_ECR" "$(kube "$ECR_HOST/app")" "$ROUTER" kubelet
fi

# ---- failures: messages never quote a secret ---------------------------------------------------
printf '{"ServerURL":"store.test","Username":"u","Secret":"%s",' "$S_BAD" >"$IN/bad-store.json"
leak_run "store of broken JSON" "" "$IN/bad-store.json" "$ROUTER" store
check "... fails" [ "$RC" = 1 ]
printf '{"ServerURL":"store.test","Username":"u","Secret":"%s","Secret":7}' "$S_BAD" >"$IN/bad-store.json"
leak_run "store with a Secret that is not a string" "" "$IN/bad-store.json" "$ROUTER" store
printf '{"kind":"CredentialProviderRequest","image":"%s' "$S_BAD" >"$IN/bad-kube.json"
leak_run "kubelet: broken request" "" "$IN/bad-kube.json" "$ROUTER" kubelet
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/broken-config.toml
leak_run "get from a broken credentials file" "" "$(key broken.test)" "$ROUTER" get
check "... fails" [ "$RC" = 1 ]
leak_run "check with a broken credentials file" "" /dev/null "$ROUTER" check
leak_run "list with a broken credentials file" "" /dev/null "$ROUTER" list
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/config.toml
LEAK_PASS= leak_run "script printing non-JSON" "" "$(key bad.script.test)" "$ROUTER" get
check "... fails" [ "$RC" = 1 ]
if $ECR; then
    AWS_SECRET_ACCESS_KEY=wrong-$S_BAD leak_run "ecr with a wrong secret key" "" \
        "$(key 210987654321.dkr.ecr.us-west-2.amazonaws.com)" "$ROUTER" get
    check "... fails" [ "$RC" = 1 ]
fi
if [ -n "$SEALED" ]; then
    age-keygen -o "$T/other.key" 2>/dev/null
    DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY=$T/other.key leak_run "age: the wrong identity" "" \
        "$(key age.test)" "$ROUTER" get
    check "... fails" [ "$RC" = 1 ]
fi

# ---- children: argv, environment, core dumps ---------------------------------------------------
# The script ran with LEAK_PASS empty: nothing secret is in our environment, so
# nothing may be in its.
no_secret "script child: argv holds no secret" "$(cat "$T/dump/cmdline")"
contains "script child: argv is the protocol's (get KEY)" "$(cat "$T/dump/cmdline")" "${NL}get${NL}"
no_secret "script child: environment holds nothing the router obtained" "$(cat "$T/dump/environ")" \
    "$S_AWS"
check "script child: its parent has RLIMIT_CORE 0" \
    grep -Eq '^Max core file size +0 +0 ' "$T/dump/limits"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    # Root could read anything: drop every capability, as an unprivileged
    # process of the same user would be.
    LEAK_PASS= setpriv --bounding-set=-all --inh-caps=-all "$ROUTER" get <"$(key b.script.test)" \
        >/dev/null 2>&1
fi
check "script child: its parent is not dumpable (/proc/PPID/environ refused)" \
    [ "$(cat "$T/dump/parent")" = refused ]
check "... while its own dumpable shell is readable (the check can tell)" \
    [ "$(cat "$T/dump/self")" = readable ]
if command -v strace >/dev/null; then
    # Every execve below the router: argv and environment in full.
    run "$ROUTER" cache clear
    rm -f "$T/strace.log"
    for k in a.script.test age.test "$ECR_HOST"; do
        LEAK_PASS= DOCKER_CREDENTIAL_ROUTER_LOG=debug strace -f -qq -e trace=execve -v -s 65536 \
            -o "$T/strace.$k" "$ROUTER" get <"$(key "$k")" >/dev/null 2>&1
        tail -n +2 "$T/strace.$k" >>"$T/strace.log" # all but the router's own execve
    done
    found=
    for s in $OBTAINED $AGE_KEY; do
        grep -qF -e "$s" "$T/strace.log" && found="$found $s"
    done
    if [ -z "$found" ]; then
        lib_pass "strace: no child's argv or environment holds what the router obtained"
    else
        lib_fail "strace: children's execve" "leaks:$found"
    fi
    check "strace: the children were seen" grep -q execve "$T/strace.log"
fi

# ---- files -------------------------------------------------------------------------------------
# allowed SECRET PATH...: where each secret may be; any other file is a leak.
# (Not scanned: the captures, the dumps, the inputs and scripts this test wrote, the
# stand-in's files and the strace logs: they are checked above or hold what we gave.)
files_with() { grep -rlF -e "$1" "$T" --exclude-dir=logs --exclude-dir=dump --exclude-dir=in \
    --exclude-dir=scripts --exclude-dir=standin --exclude='strace.*' 2>/dev/null |
    grep -v "^$XDG_CACHE_HOME/docker-credential-router/[0-9a-f]*\.json$" | sort; }
cache_files_with() { grep -lF -e "$1" "$XDG_CACHE_HOME"/docker-credential-router/*.json 2>/dev/null | wc -l; }
check "files: the static secret only in its file" [ "$(files_with "$S_STATIC")" = "$T/creds.toml" ]
check "files: the sealed plaintext nowhere" [ -z "$(files_with "$S_AGE")" ]
check "files: the env secret nowhere" [ -z "$(files_with "$S_ENV")" ]
check "files: the script's secret nowhere but its cache entry" [ -z "$(files_with "$S_SCRIPT")" ]
check "files: the stored secret only in the store" [ "$(files_with "$S_STORE")" = "$STORE" ]
check "files: the AWS secret key nowhere" [ -z "$(files_with "$S_AWS")" ]
check "files: the ECR token nowhere but its cache entry" [ -z "$(files_with "$S_ECR")" ]
check "files: the keyring's secret in no file in clear" [ -z "$(files_with "$S_KEYRING")" ]
if [ -n "$AGE_KEY" ]; then
    check "files: the age identity only in its file" [ "$(files_with "$AGE_KEY")" = "$T/age.key" ]
fi
check "files: the malformed inputs' secret only in the broken file" \
    [ "$(files_with "$S_BAD")" = "$T/broken.toml" ]
check "cache: the sealed plaintext and static secrets are not cached" \
    [ "$(cache_files_with "$S_AGE")$(cache_files_with "$S_STATIC")" = 00 ]
check "cache: the AWS secret key is not cached" [ "$(cache_files_with "$S_AWS")" = 0 ]
leak_run "erase" "" "$(key store.test)" "$ROUTER" erase
check "erase: the stored secret is in no file any more" [ -z "$(files_with "$S_STORE")" ]
if $KEYRING; then
    leak_run "erase (secretservice)" "" "$(key keyring.test)" "$ROUTER" erase
fi
leak_run "cache clear" "" /dev/null "$ROUTER" cache clear
check "cache clear: no cached secret in any file" \
    [ -z "$(files_with "$S_SCRIPT")$(grep -rlF -e "$S_SCRIPT" -e "$S_ECR" "$XDG_CACHE_HOME")" ]

lib_finish
