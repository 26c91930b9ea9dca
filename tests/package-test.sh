#!/bin/bash
# The packages: builds the .deb offline with packaging/build-deb.sh (lintian
# must report no error), installs it with dpkg -i, checks what it installed,
# runs `docker-credential-router version` and one `get` from the installed
# files, purges it; then builds the .rpm with packaging/build-rpm.sh.
#
#   tests/package-test.sh
#
# Needs root (dpkg -i; exits 77 otherwise) and dpkg-dev, debhelper, fakeroot,
# lintian and rpm (`sh .ci/install-deps`).  An already installed
# docker-credential-router package is never touched (exit 77).
set -u
umask 022

SRC=$(cd "$(dirname "$0")/.." && pwd)
PKG=docker-credential-router
PASSED=0
FAILED=0
INSTALLED=

pass() {
    PASSED=$((PASSED + 1))
    printf 'ok   %s\n' "$1"
}
fail() {
    FAILED=$((FAILED + 1))
    printf 'FAIL %s\n' "$1"
    [ -z "${2:-}" ] || [ ! -s "$2" ] || tail -n 20 "$2" | sed 's/^/     | /'
}
check_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (expected '$2', got '$3')"; fi; }
check() { # DESC CMD...
    local d=$1
    shift
    if "$@" >/dev/null 2>&1; then pass "$d"; else fail "$d"; fi
}

if [ "$(id -u)" != 0 ]; then
    echo "package-test: dpkg -i needs root: skipped"
    exit 77
fi
# One run at a time on a machine: they install and purge the same package.
exec 9>/tmp/docker-credential-router-package-test.lock
flock 9

if dpkg-query -W -f '${Status}' "$PKG" 2>/dev/null | grep -q 'install ok installed'; then
    echo "package-test: $PKG is installed on this machine already: not touching it, skipped"
    exit 77
fi
missing=
for t in dpkg-buildpackage dh fakeroot lintian rpmbuild; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
    echo "package-test: error: missing$missing (run sh .ci/install-deps)" >&2
    exit 1
fi

# The project's tests run in CI anyway: the package builds skip their own.
export DEB_BUILD_OPTIONS="nocheck parallel=2"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dcr-package.XXXXXX")
cleanup() {
    [ -z "$INSTALLED" ] || dpkg --purge "$PKG" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT
VERSION=$(sed -n "s/^  version: '\([^']*\)',$/\1/p" "$SRC/meson.build")

printf '## Debian package\n'
start=$(date +%s)
if DEB=$(sh "$SRC/packaging/build-deb.sh" "$TMP/deb" 2>"$TMP/build-deb.err" | tail -n 1) &&
    [ -f "$DEB" ]; then
    pass "build-deb.sh builds ${DEB##*/} offline in $(($(date +%s) - start)) s"
else
    fail "build-deb.sh builds the .deb" "$TMP/build-deb.err"
    printf '\n%d passed, %d failed\n' "$PASSED" "$FAILED"
    exit 1
fi
pass "lintian reports no error ($(grep -c '^W: ' "$TMP/deb/lintian.txt") warnings, $(grep -c '^I: ' "$TMP/deb/lintian.txt") notes)"
sed -n 's/^W: /     lintian warning: /p' "$TMP/deb/lintian.txt"

if dpkg -i "$DEB" >"$TMP/dpkg.out" 2>&1; then
    INSTALLED=1
    pass "dpkg -i installs it"
else
    fail "dpkg -i installs it" "$TMP/dpkg.out"
fi
check_eq "version from the installed binary" "$VERSION" \
    "$(/usr/bin/docker-credential-router version 2>&1 | grep -o "$VERSION" | head -n 1)"
check_eq "registry-credentials links to it" docker-credential-router \
    "$(readlink /usr/bin/registry-credentials)"
check "man page docker-credential-router(1)" test -s /usr/share/man/man1/docker-credential-router.1.gz
check "man page docker-credential-router.toml(5)" test -s /usr/share/man/man5/docker-credential-router.toml.5.gz
check "the man page documents configure-docker" \
    sh -c 'zcat /usr/share/man/man1/docker-credential-router.1.gz | grep -q configure-docker'
for h in gh-token gcloud-token acr-token vault-kv dstack-prelaunch.sh tedge-setup.sh \
    k8s-node-install.sh; do
    check "helper $h is installed, executable" test -x "/usr/libexec/$PKG/helpers/$h"
done
EX=/usr/share/doc/$PKG/examples
check "example config" test -f "$EX/demo-config.toml"
check "launcher example" test -f "$EX/launcher/compose.yaml"
check "kubelet CredentialProviderConfig example" test -f "$EX/kubelet-credential-provider.yaml"
check "copyright" test -f "/usr/share/doc/$PKG/copyright"

# One get through the installed files, from a credentials file.
mkdir -p "$TMP/etc"
printf '[registry1]\nrepo = "registry.example.com"\nusername = "pkg"\npassword = "pkg-Pw-%s"\n' \
    "$$" >"$TMP/etc/credentials.toml"
printf '[[route]]\nmatch = "registry.example.com"\nbackend = "static"\nfile = "credentials.toml"\n' \
    >"$TMP/etc/config.toml"
chmod 600 "$TMP/etc/credentials.toml" "$TMP/etc/config.toml"
got=$(printf 'registry.example.com' |
    HOME=$TMP XDG_CACHE_HOME=$TMP/cache DOCKER_CREDENTIAL_ROUTER_CONFIG=$TMP/etc/config.toml \
        /usr/bin/docker-credential-router get)
check_eq "get from the installed binary" \
    "{\"ServerURL\":\"registry.example.com\",\"Username\":\"pkg\",\"Secret\":\"pkg-Pw-$$\"}" "$got"
got=$(HOME=$TMP DOCKER_CREDENTIAL_ROUTER_CONFIG=$TMP/etc/config.toml \
    /usr/bin/registry-credentials get registry.example.com/app:1)
check_eq "thin-edge's protocol through the installed link" \
    "{\"username\":\"pkg\",\"password\":\"pkg-Pw-$$\"}" "$got"

if dpkg --purge "$PKG" >"$TMP/purge.out" 2>&1; then
    INSTALLED=
    pass "dpkg --purge removes it"
else
    fail "dpkg --purge removes it" "$TMP/purge.out"
fi
check "no file left behind" test ! -e /usr/bin/docker-credential-router -a ! -L /usr/bin/registry-credentials

printf '\n## RPM package\n'
start=$(date +%s)
if RPM=$(sh "$SRC/packaging/build-rpm.sh" "$TMP/rpm" 2>"$TMP/build-rpm.err" | tail -n 1) &&
    [ -f "$RPM" ]; then
    pass "build-rpm.sh builds ${RPM##*/} in $(($(date +%s) - start)) s"
    rpm -qlp "$RPM" >"$TMP/rpm.list" 2>/dev/null
    for f in /usr/bin/docker-credential-router /usr/bin/registry-credentials \
        '/usr/share/man/man1/docker-credential-router.1(.gz)?' \
        "/usr/libexec/$PKG/helpers/dstack-prelaunch.sh"; do
        check "the rpm holds $f" grep -qxE "$f" "$TMP/rpm.list"
    done
else
    fail "build-rpm.sh builds the .rpm" "$TMP/build-rpm.err"
fi

printf '\n%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
