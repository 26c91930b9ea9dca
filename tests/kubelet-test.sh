#!/bin/bash
# The kubelet personality (src/kubelet.c): one CredentialProviderRequest on
# stdin, one CredentialProviderResponse on stdout that the kubelet's strict
# decoder accepts (exact bytes), for v1 and v1beta1; not found is a valid
# response with an empty auth map; bad requests and failing backends are
# exit 1 with one stderr line and nothing on stdout.
#
# Usage: kubelet-test.sh PATH-TO-docker-credential-router

. "$(dirname "$0")/lib-personality.sh"
lib_init "$@"

CONF=$T/config.toml
CREDS=$T/credentials.toml
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$CONF
V1=credentialprovider.kubelet.k8s.io/v1
V1B=credentialprovider.kubelet.k8s.io/v1beta1
RESP='{"kind":"CredentialProviderResponse","apiVersion":"'

put "$CREDS" '[hub]
repo = "docker.io"
username = "hubuser"
password = "hubpass"

[local]
repo = "localhost:5000"
username = "local"
password = "a\"b\\c<d>"
'
put_exe "$T/token" '#!/bin/sh
printf "{\"username\":\"AWS\",\"password\":\"tok-%s\"}" "$2"
'
put_exe "$T/broken" '#!/bin/sh
exit 2
'
put "$CONF" "[[route]]
name = \"team\"
match = [\"registry.example.net/team\"]
backend = \"script\"
command = [\"$T/token\"]

[[route]]
name = \"tokens\"
match = [\"*.example.com\"]
backend = \"script\"
command = [\"$T/token\"]
cache_ttl = 7200

[[route]]
name = \"broken\"
match = [\"broken.example.org\"]
backend = \"script\"
command = [\"$T/broken\"]

[[route]]
name = \"files\"
match = [\"docker.io\", \"localhost:5000\", \"quay.io\"]
backend = \"static\"
file = \"$CREDS\"
"

ask() { # JSON: the request on stdin
    printf '%s' "$1" >"$T/request"
    STDIN=$T/request run "$ROUTER" kubelet
}
request() { # APIVERSION IMAGE
    ask '{"apiVersion":"'"$1"'","kind":"CredentialProviderRequest","image":"'"$2"'"}'
}

# ---- answers ---------------------------------------------------------------------

request "$V1" docker.io/library/nginx
expect "v1: Docker Hub, keyed docker.io, no cacheDuration for long-lived credentials" 0 \
    "$RESP$V1"'","cacheKeyType":"Registry","auth":{"docker.io":{"username":"hubuser","password":"hubpass"}}}
' ''

request "$V1B" docker.io/library/nginx
expect "v1beta1 is answered in kind" 0 \
    "$RESP$V1B"'","cacheKeyType":"Registry","auth":{"docker.io":{"username":"hubuser","password":"hubpass"}}}
' ''

request "$V1" localhost:5000/app
expect "registry with a port; JSON escaped as Go does" 0 \
    "$RESP$V1"'","cacheKeyType":"Registry","auth":{"localhost:5000":{"username":"local","password":"a\"b\\c\u003cd\u003e"}}}
' ''

request "$V1" registry.example.net/team/app
expect "route matched by a repository path: keyed by the image" 0 \
    "$RESP$V1"'","cacheKeyType":"Image","auth":{"registry.example.net/team/app":{"username":"AWS","password":"tok-registry.example.net/team/app"}}}
' ''

request "$V1" registry.example.com/app
# Half the route's cache_ttl (7200 s); once the token cache wraps the route,
# half the remaining lifetime, which may be a second less.
dur=$(printf '%s' "$OUT" | sed -n 's/.*"cacheDuration":"\([^"]*\)".*/\1/p')
case $dur in 1h0m0s | 59m59s | 59m58s) ;; *) dur="unexpected: $dur" ;; esac
OUT=${OUT/\"cacheDuration\":\"$dur\"/\"cacheDuration\":\"1h0m0s\"}
expect "cacheDuration from the route's cache_ttl, as a Go duration ($dur)" 0 \
    "$RESP$V1"'","cacheKeyType":"Registry","cacheDuration":"1h0m0s","auth":{"registry.example.com":{"username":"AWS","password":"tok-registry.example.com/app"}}}
' ''

ask '{"kind":"CredentialProviderRequest","image":"docker.io/library/nginx","apiVersion":"'"$V1"'","serviceAccountToken":"eyJ.x.y","serviceAccountAnnotations":{"a":"b"},"extra":[1,2]}'
expect "unknown request fields are ignored, order does not matter" 0 \
    "$RESP$V1"'","cacheKeyType":"Registry","auth":{"docker.io":{"username":"hubuser","password":"hubpass"}}}
' ''

# ---- nothing for the image ---------------------------------------------------------

request "$V1" quay.io/org/tool
expect "routed but no entry: empty auth, not cached" 0 \
    "$RESP$V1"'","cacheKeyType":"Registry","cacheDuration":"0s","auth":{}}
' ''

request "$V1B" gcr.io/project/image
expect "no route: empty auth (v1beta1)" 0 \
    "$RESP$V1B"'","cacheKeyType":"Registry","cacheDuration":"0s","auth":{}}
' ''

# ---- failures: exit 1, one line on stderr, nothing on stdout ---------------------------

P='docker-credential-router kubelet: '

request "$V1" broken.example.org/app
expect "failing backend" 1 '' "$P""route 'broken': $T/broken failed (exit status 2)
"

ask 'not json'
expect "invalid JSON" 1 '' "$P"'invalid JSON on standard input (line 1, column 3)
'
ask ''
expect "empty input" 1 '' "$P"'invalid JSON on standard input (line 1, column 0)
'
ask '["CredentialProviderRequest"]'
expect "not an object" 1 '' "$P"'expected a CredentialProviderRequest JSON object on standard input
'
ask '{"apiVersion":"'"$V1"'","kind":"CredentialProviderResponse","image":"docker.io/library/nginx"}'
expect "wrong kind" 1 '' "$P"'kind must be "CredentialProviderRequest"
'
ask '{"apiVersion":"'"$V1"'","image":"docker.io/library/nginx"}'
expect "no kind" 1 '' "$P"'kind must be "CredentialProviderRequest"
'
request credentialprovider.kubelet.k8s.io/v2 docker.io/library/nginx
expect "unknown apiVersion" 1 '' \
    "$P"'apiVersion must be "credentialprovider.kubelet.k8s.io/v1" or "credentialprovider.kubelet.k8s.io/v1beta1"
'
ask '{"apiVersion":"'"$V1"'","kind":"CredentialProviderRequest"}'
expect "no image" 1 '' "$P"'the request has no image
'
request "$V1" ''
expect "empty image" 1 '' "$P"'the request has no image
'
ask '{"apiVersion":"'"$V1"'","kind":"CredentialProviderRequest","image":7}'
expect "image not a string" 1 '' "$P"'the request has no image
'
request "$V1" 'docker.io/library/Bad Image'
expect "invalid image" 1 '' "$P"'invalid image "docker.io/library/Bad Image": whitespace in reference
'
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/big"
STDIN=$T/big run "$ROUTER" kubelet
expect "request over 64 KiB" 1 '' "$P"'input larger than 64 KiB
'
printf '%s' '{"apiVersion":"'"$V1"'","kind":"CredentialProviderRequest","image":"docker.io/library/nginx"}' >"$T/request"
STDIN=$T/request run "$ROUTER" kubelet extra
expect "extra arguments" 1 '' "$P"'usage: docker-credential-router kubelet (the request on standard input)
'

lib_finish
