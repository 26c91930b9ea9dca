#!/bin/sh
# Builds the RPM from a copy of this tree with packaging/rpm's spec.
#
#   packaging/build-rpm.sh [OUTDIR]      (default: ./build-rpm)
#
# On Debian (package rpm) the BuildRequires cannot be checked against an rpm
# database, so rpmbuild runs with --nodeps and without debuginfo packages.
# DEB_BUILD_OPTIONS=nocheck skips %check here too.
# Prints the path of the .rpm last.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/build-rpm}
name=docker-credential-router
spec=$src/packaging/rpm/$name.spec
version=$(sed -n "s/^  version: '\([^']*\)',$/\1/p" "$src/meson.build")
specversion=$(sed -n 's/^Version: *//p' "$spec")
if [ "$version" != "$specversion" ]; then
    echo "build-rpm: meson.build says $version, the spec says $specversion" >&2
    exit 1
fi

top=$(mktemp -d "${TMPDIR:-/tmp}/dcr-rpm.XXXXXX")
trap 'rm -rf "$top"' EXIT INT TERM
mkdir -p "$top/SOURCES" "$top/tree" "$out"
sh "$src/packaging/copy-tree.sh" "$top/tree/$name-$version"
tar -C "$top/tree" -czf "$top/SOURCES/$name-$version.tar.gz" "$name-$version"

set -- --define "_topdir $top" -bb "$spec"
if [ -f /etc/debian_version ]; then
    set -- --nodeps --define 'debug_package %{nil}' "$@"
fi
case " ${DEB_BUILD_OPTIONS:-} " in *' nocheck '*) set -- --nocheck "$@" ;; esac
rpmbuild "$@" >"$out/build.log" 2>&1 || {
    tail -n 60 "$out/build.log" >&2
    echo "build-rpm: rpmbuild failed (log: $out/build.log)" >&2
    exit 1
}
rm -f "$out"/*.rpm
find "$top/RPMS" -name '*.rpm' -exec mv {} "$out/" \;
ls "$out"/"$name"-"$version"-*.rpm
