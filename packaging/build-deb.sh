#!/bin/sh
# Builds the Debian package offline from a copy of this tree, with
# packaging/debian as ./debian, and runs lintian on the result.
#
#   packaging/build-deb.sh [OUTDIR]      (default: ./build-deb)
#
# Needs dpkg-dev, debhelper, fakeroot, lintian and the Build-Depends of
# packaging/debian/control (`sh .ci/install-deps` installs them all).
# DEB_BUILD_OPTIONS=nocheck skips the package's own test run.  Prints the
# path of the .deb last; lintian's report goes to OUTDIR/lintian.txt, and the
# script fails only on lintian errors.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/build-deb}
name=docker-credential-router
version=$(sed -n "s/^  version: '\([^']*\)',$/\1/p" "$src/meson.build")
changelog=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$src/packaging/debian/changelog")
if [ "$version" != "$changelog" ]; then
    echo "build-deb: meson.build says $version, debian/changelog says $changelog" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dcr-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
tree=$tmp/$name-$version
mkdir -p "$tree" "$out"

sh "$src/packaging/copy-tree.sh" "$tree"
rm -rf "$tree/debian"
cp -R "$src/packaging/debian" "$tree/debian"

(cd "$tree" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
    tail -n 60 "$out/build.log" >&2
    echo "build-deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
    exit 1
}
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mv "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$out/"
deb=$(ls "$out"/"${name}"_*.deb)

lintian --info --display-info "$out"/*.changes >"$out/lintian.txt" 2>&1 || true
sed 's/^/lintian: /' "$out/lintian.txt" >&2
if grep -q '^E: ' "$out/lintian.txt"; then
    echo "build-deb: lintian reports errors" >&2
    exit 1
fi
echo "$deb"
