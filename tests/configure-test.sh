#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# configure-docker and configure-podman against the real clients: the docker
# CLI (no daemon: `docker manifest inspect`) and skopeo reach a TLS +
# htpasswd docker-registry on 127.0.0.1 through the files the verbs wrote.
# Also: other keys kept, idempotency, backups, mode/owner, atomic replace,
# symlinks, refusals.
#
#   tests/configure-test.sh PATH/TO/docker-credential-router

# shellcheck source=e2e/lib.sh
. "$(dirname "$0")/e2e/lib.sh"

[ -n "${1:-}" ] || e2e_die "usage: $0 ROUTER"
e2e_init "$1"
e2e_start_registry
e2e_push_image

CFG=$DOCKER_CONFIG/config.json
STATIC=$E2E_TMP/config/static-credentials.toml
e2e_creds_file "$STATIC" "$E2E_PASSWORD"
e2e_router_config <<EOF
[[route]]
name = "test registry"
match = ["$E2E_HOST"]
backend = "static"
file = "$STATIC"

[[route]]
name = "hub and friends"
match = ["docker.io", "*.example.com"]
backend = "env"
EOF

# configure NAME VERB [ARGS...]: runs the router verb, output in $E2E_OUT.
configure() {
    local name=$1
    shift
    e2e_run "$name" "$ROUTER" "$@"
}
assert_rc() { assert_eq "$1" "$2" "$E2E_RC"; }
json() { jq -r "$2" "$1" 2>/dev/null; }
fingerprint() { stat -c '%i %s %Y %a' "$1" 2>/dev/null; }
no_temp_files() { # DESC DIR
    local left
    left=$(find "$2" -maxdepth 1 -name '.*.??????' | tr '\n' ' ')
    assert_eq "$1" "" "$left"
}
inspect_docker() { e2e_run "$1" docker -D manifest inspect "$E2E_IMAGE"; }
SK=(skopeo --registries-conf "$E2E_REGCONF")
inspect_skopeo() { e2e_run "$1" "${SK[@]}" inspect --cert-dir "$E2E_CERTS" "docker://$E2E_IMAGE"; }

# ------------------------------------------------------------ configure-docker
e2e_section "configure-docker: credHelpers in an existing config.json"

cat >"$CFG" <<'EOF'
{
	"auths": {
		"other.invalid:5000": {
			"auth": "Ym9iOmJvYi1zZWNyZXQ="
		}
	},
	"psFormat": "table {{.Names}}",
	"credHelpers": {
		"keep.invalid": "ecr-login"
	},
	"proxies": {"default": {"noProxy": "*.local"}},
	"features": {"n": 3, "f": false, "z": null}
}
EOF
chmod 640 "$CFG"
cp "$CFG" "$E2E_TMP/config.orig"
inode_before=$(stat -c %i "$CFG")

configure docker-1 configure-docker
assert_rc "configure-docker exits 0" 0
assert_grep "it names the registry it added" "$E2E_OUT" "credHelpers[\"$E2E_HOST\"]: added \"router\""
assert_grep "it adds the docker CLI's Docker Hub key" "$E2E_OUT" \
    'credHelpers["https://index.docker.io/v1/"]: added'
assert_grep "it adds containers/image's Docker Hub key" "$E2E_OUT" 'credHelpers["docker.io"]: added'
assert_grep "it notes the glob it cannot add" "$E2E_OUT" 'skipped "*.example.com"'
assert_grep "it names the backup" "$E2E_OUT" "previous version in $CFG.bak"
assert_eq "exactly one line per key plus the save line" 4 "$(grep -c '^/' "$E2E_OUT")"
assert_eq "credHelpers[host] is router" router "$(json "$CFG" ".credHelpers[\"$E2E_HOST\"]")"
assert_eq "credHelpers[Hub, docker CLI] is router" router \
    "$(json "$CFG" '.credHelpers["https://index.docker.io/v1/"]')"
assert_eq "credHelpers[docker.io] is router" router "$(json "$CFG" '.credHelpers["docker.io"]')"
assert_eq "other credHelpers entries are kept" ecr-login "$(json "$CFG" '.credHelpers["keep.invalid"]')"
assert_eq "every other key and value is kept" \
    "$(jq -S 'del(.credHelpers)' "$E2E_TMP/config.orig")" "$(jq -S 'del(.credHelpers)' "$CFG")"
assert_eq "key order is kept" "auths psFormat credHelpers proxies features" \
    "$(jq -r 'keys_unsorted | join(" ")' "$CFG")"
if grep -qP '^\t"auths": \{$' "$CFG" && ! grep -q '^ ' "$CFG"; then
    e2e_pass "indented with tabs, as the docker CLI writes it"
else
    e2e_fail "indented with tabs, as the docker CLI writes it" "$CFG"
fi
assert_file_mode "the file keeps its mode (640)" "$CFG" 640
assert_file_mode "the backup has the same mode" "$CFG.bak" 640
if cmp -s "$E2E_TMP/config.orig" "$CFG.bak"; then
    e2e_pass "the backup holds the previous bytes"
else
    e2e_fail "the backup holds the previous bytes" "$CFG.bak"
fi
if [ "$(stat -c %i "$CFG")" != "$inode_before" ]; then
    e2e_pass "replaced by rename (a new inode), never rewritten in place"
else
    e2e_fail "replaced by rename (a new inode), never rewritten in place"
fi
no_temp_files "no temporary file left behind" "$DOCKER_CONFIG"
assert_no_grep "the password never appears in the output" "$E2E_OUT" "$E2E_PASSWORD"

inspect_docker docker-inspect-credhelpers
e2e_case docker manifest-inspect "configure-docker/credHelpers" ok

e2e_section "configure-docker: a second run changes nothing"
before=$(fingerprint "$CFG")
bak_before=$(fingerprint "$CFG.bak")
sleep 1.1 # a rewrite would show in the mtime
configure docker-2 configure-docker
assert_rc "second run exits 0" 0
assert_grep "second run says so" "$E2E_OUT" "$CFG: nothing to change"
assert_eq "config.json untouched (inode, size, mtime, mode)" "$before" "$(fingerprint "$CFG")"
assert_eq "backup untouched" "$bak_before" "$(fingerprint "$CFG.bak")"

e2e_section "configure-docker: another helper for a routed host is replaced"
jq --tab --arg h "$E2E_HOST" '.credHelpers[$h] = "desktop"' "$CFG" >"$CFG.tmp" && mv "$CFG.tmp" "$CFG"
configure docker-3 configure-docker
assert_grep "the report shows old and new helper" "$E2E_OUT" "credHelpers[\"$E2E_HOST\"]: \"desktop\" -> \"router\""
assert_eq "only that key changed" 2 "$(grep -c '^/' "$E2E_OUT")"
assert_eq "the backup is the version before this run" desktop \
    "$(json "$CFG.bak" ".credHelpers[\"$E2E_HOST\"]")"

e2e_section "configure-docker --global: credsStore"
printf '{"auths":{}}' >"$CFG"
rm -f "$CFG.bak"
configure docker-global configure-docker --global
assert_rc "--global exits 0" 0
assert_grep "--global reports credsStore" "$E2E_OUT" 'credsStore: added "router"'
assert_eq "credsStore is router" router "$(json "$CFG" .credsStore)"
assert_eq "no credHelpers added with --global" null "$(json "$CFG" .credHelpers)"
inspect_docker docker-inspect-credsstore
e2e_case docker manifest-inspect "configure-docker --global" ok
configure docker-global-2 configure-docker --global
assert_grep "--global twice: nothing to change" "$E2E_OUT" "nothing to change"
jq -c '.credsStore = "pass"' "$CFG" >"$CFG.tmp" && mv "$CFG.tmp" "$CFG"
configure docker-global-3 configure-docker --global
assert_grep "--global replaces another store and says what is lost" "$E2E_OUT" \
    "credentials kept by docker-credential-pass are no longer read"

e2e_section "configure-docker: paths"
rm -rf "$DOCKER_CONFIG"
configure docker-new configure-docker
assert_rc "a missing config.json is created" 0
assert_grep "the report says created" "$E2E_OUT" "$CFG: created"
assert_file_mode "a new config.json is 0600" "$CFG" 600
assert_eq "no backup for a new file" no "$([ -e "$CFG.bak" ] && echo yes || echo no)"
inspect_docker docker-inspect-new
e2e_case docker manifest-inspect "configure-docker/new file" ok

mkdir -p "$E2E_TMP/dir-config"
configure docker-dir configure-docker --config "$E2E_TMP/dir-config"
assert_eq "--config DIR writes DIR/config.json" router \
    "$(json "$E2E_TMP/dir-config/config.json" ".credHelpers[\"$E2E_HOST\"]")"
configure docker-file configure-docker --config="$E2E_TMP/named.json"
assert_eq "--config=FILE writes FILE" router "$(json "$E2E_TMP/named.json" ".credHelpers[\"$E2E_HOST\"]")"

mkdir -p "$E2E_TMP/real"
printf '{"auths":{}}\n' >"$E2E_TMP/real/config.json"
ln -s "$E2E_TMP/real/config.json" "$E2E_TMP/link.json"
configure docker-link configure-docker --config "$E2E_TMP/link.json"
if [ -L "$E2E_TMP/link.json" ] &&
    [ "$(json "$E2E_TMP/real/config.json" ".credHelpers[\"$E2E_HOST\"]")" = router ]; then
    e2e_pass "a symlinked config.json: the target is replaced, the link kept"
else
    e2e_fail "a symlinked config.json: the target is replaced, the link kept" "$E2E_OUT"
fi
assert_eq "a trailing newline is kept" 1 "$(tail -c1 "$E2E_TMP/real/config.json" | wc -l)"

e2e_section "configure-docker: refusals"
printf '[1, 2]\n' >"$E2E_TMP/array.json"
configure docker-array configure-docker --config "$E2E_TMP/array.json"
assert_rc "a JSON array is refused" 1
assert_grep "with a clear message" "$E2E_OUT" "error: $E2E_TMP/array.json is not a JSON object"
assert_eq "and the file is untouched" '[1, 2]' "$(cat "$E2E_TMP/array.json")"
assert_eq "and no backup is written" no "$([ -e "$E2E_TMP/array.json.bak" ] && echo yes || echo no)"
printf '{"auths": {' >"$E2E_TMP/broken.json"
configure docker-broken configure-docker --config "$E2E_TMP/broken.json"
assert_rc "broken JSON is refused" 1
assert_grep "naming file, line and column" "$E2E_OUT" "error: $E2E_TMP/broken.json:1:"
printf '{"credHelpers": "router"}' >"$E2E_TMP/helpers.json"
configure docker-helpers configure-docker --config "$E2E_TMP/helpers.json"
assert_grep "a credHelpers that is not an object is refused" "$E2E_OUT" "credHelpers is not a JSON object"
configure docker-usage configure-docker --bogus
assert_grep "an unknown option prints the usage" "$E2E_OUT" "usage: docker-credential-router configure-docker [--config PATH] [--global]"
DOCKER_CREDENTIAL_ROUTER_CONFIG=$E2E_TMP/globs.toml
printf '[[route]]\nmatch = "*.example.com"\nbackend = "env"\n' >"$DOCKER_CREDENTIAL_ROUTER_CONFIG"
configure docker-noliteral configure-docker --config "$E2E_TMP/none.json"
DOCKER_CREDENTIAL_ROUTER_CONFIG=$E2E_ROUTER_CONF
assert_rc "routes naming no registry literally: exit 1" 1
assert_grep "with the fix" "$E2E_OUT" "use --global for every registry"

# ----------------------------------------------------------- configure-podman
e2e_section "configure-podman: credHelpers in auth.json"
unset REGISTRY_AUTH_FILE
AUTH=$XDG_RUNTIME_DIR/containers/auth.json
configure podman-1 configure-podman
assert_rc "configure-podman exits 0" 0
assert_file_mode "a new auth.json is 0600" "$AUTH" 600
assert_eq "credHelpers[host] is router" router "$(json "$AUTH" ".credHelpers[\"$E2E_HOST\"]")"
assert_eq "Docker Hub is keyed docker.io" router "$(json "$AUTH" '.credHelpers["docker.io"]')"
assert_eq "not the docker CLI's Hub key" null "$(json "$AUTH" '.credHelpers["https://index.docker.io/v1/"]')"
inspect_skopeo skopeo-default-auth
e2e_case skopeo inspect "configure-podman/default auth.json" ok
configure podman-2 configure-podman
assert_grep "second run: nothing to change" "$E2E_OUT" "$AUTH: nothing to change"

export REGISTRY_AUTH_FILE=$E2E_TMP/auth-env.json
printf '{\n\t"auths": {\n\t\t"other.invalid": {\n\t\t\t"auth": "eDp5"\n\t\t}\n\t}\n}' >"$REGISTRY_AUTH_FILE"
configure podman-env configure-podman
assert_eq "REGISTRY_AUTH_FILE is the default when set" router \
    "$(json "$REGISTRY_AUTH_FILE" ".credHelpers[\"$E2E_HOST\"]")"
assert_eq "its auths are kept" eDp5 "$(json "$REGISTRY_AUTH_FILE" '.auths["other.invalid"].auth')"
inspect_skopeo skopeo-env-auth
e2e_case skopeo inspect "configure-podman/REGISTRY_AUTH_FILE" ok
configure podman-flag configure-podman --auth-file "$E2E_TMP/flag-auth.json"
assert_eq "--auth-file wins" router "$(json "$E2E_TMP/flag-auth.json" ".credHelpers[\"$E2E_HOST\"]")"

e2e_section "configure-podman --global: a registries.conf drop-in"
# Nothing else may name the router: the auth file, the runtime one, docker's.
printf '{"auths":{}}\n' >"$REGISTRY_AUTH_FILE"
rm -f "$AUTH"
printf '{}\n' >"$CFG"
inspect_skopeo skopeo-before-global
e2e_case skopeo inspect "before configure-podman --global" no-creds
DROPIN=$HOME/.config/containers/registries.conf.d/50-docker-credential-router.conf
configure podman-global configure-podman --global
assert_rc "--global exits 0" 0
assert_grep "--global names the drop-in" "$E2E_OUT" "$DROPIN: created"
assert_grep "the drop-in lists the auth files, then the router" "$DROPIN" \
    'credential-helpers = ["containers-auth.json", "router"]'
assert_file_mode "the drop-in is readable (0644)" "$DROPIN" 644
inspect_skopeo skopeo-global
e2e_case skopeo inspect "configure-podman --global" ok
configure podman-global-2 configure-podman --global
assert_grep "--global twice: nothing to change" "$E2E_OUT" "nothing to change"
rm -f "$DROPIN"

REGCONF=$E2E_TMP/registries-edit.conf
printf '# site settings\nunqualified-search-registries = []\n\n[[registry]]\nlocation = "mirror.invalid"\n' >"$REGCONF"
cp "$REGCONF" "$E2E_TMP/regconf.orig"
configure podman-regconf configure-podman --global --registries-conf "$REGCONF"
assert_eq "--registries-conf: the key goes first (before any table)" \
    'credential-helpers = ["containers-auth.json", "router"]' "$(head -n1 "$REGCONF")"
assert_eq "--registries-conf: the rest is kept byte for byte" \
    "$(cat "$E2E_TMP/regconf.orig")" "$(tail -n +2 "$REGCONF")"
e2e_run skopeo-regconf skopeo --registries-conf "$REGCONF" inspect --cert-dir "$E2E_CERTS" \
    "docker://$E2E_IMAGE"
e2e_case skopeo inspect "configure-podman --registries-conf" ok
printf 'credential-helpers = ["containers-auth.json", "pass"] # site\n' >"$REGCONF"
configure podman-regconf-2 configure-podman --global --registries-conf "$REGCONF"
assert_eq "an existing list keeps its helpers and gets router last" \
    'credential-helpers = ["containers-auth.json", "pass", "router"]' "$(cat "$REGCONF")"
printf 'credential-helpers = [\n  "pass",\n]\n' >"$REGCONF"
configure podman-regconf-3 configure-podman --global --registries-conf "$REGCONF"
assert_rc "a list over several lines is left to the user" 1
assert_grep "saying where" "$E2E_OUT" "$REGCONF:1: credential-helpers spans several lines"

assert_no_secret_in_logs "no secret in any output"
e2e_finish
