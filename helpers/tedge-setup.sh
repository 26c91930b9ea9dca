#!/bin/sh
# tedge-setup.sh: wire docker-credential-router into thin-edge's container
# plugin (tedge-container-plugin).
#
# The plugin runs `registry-credentials get IMAGE [--refresh]` when an
# executable of that name is on its PATH (exec.LookPath), before every pull.
# This script
#   1. links BIN_DIR/registry-credentials to the router (the router answers
#      thin-edge's protocol under that name; the Debian package already
#      installs /usr/bin/registry-credentials, so this is for other installs);
#   2. makes the plugin's credentials.toml usable by the router in place: the
#      router refuses a credentials file that others can read or that belongs
#      to another user than the one running it, so the file gets mode 0600
#      and, with --owner, that owner (the user the plugin runs as); its
#      contents are already the format the router's static backend reads, and
#      `docker-credential-router check` proves it;
#   3. with --docker, also sets credsStore "router" in Docker's config.json,
#      so `docker pull` on the device uses the same credentials.
# Without a config file the router's embedded default already routes the
# registries named in /data/tedge-container-plugin/credentials.toml and by the
# CONTAINER_REGISTRYn_* variables to that file, so nothing else is needed.
#
# Usage: tedge-setup.sh [--root DIR] [--bin-dir DIR] [--router PATH]
#                       [--credentials PATH] [--owner USER[:GROUP]] [--docker]
#   --root DIR         prefix for every path below (for images and tests)
#   --bin-dir DIR      where the link goes (default /usr/local/bin, on the
#                      plugin's PATH under systemd)
#   --router PATH      the router (default: docker-credential-router on PATH)
#   --credentials PATH the plugin's file (default
#                      /data/tedge-container-plugin/credentials.toml)
#   --owner USER       chown the credentials file (e.g. tedge)
#   --docker           also run `docker-credential-router configure-docker --global`
# It is idempotent: a second run changes nothing.
set -eu

me=tedge-setup
root=
bin_dir=/usr/local/bin
router=
creds=/data/tedge-container-plugin/credentials.toml
owner=
docker=

die() {
    printf '%s: %s\n' "$me" "$*" >&2
    exit 1
}
say() { printf '%s: %s\n' "$me" "$*"; }

while [ $# -gt 0 ]; do
    case $1 in
    --root) root=${2:?--root needs a directory}; shift ;;
    --bin-dir) bin_dir=${2:?--bin-dir needs a directory}; shift ;;
    --router) router=${2:?--router needs a path}; shift ;;
    --credentials) creds=${2:?--credentials needs a path}; shift ;;
    --owner) owner=${2:?--owner needs a user}; shift ;;
    --docker) docker=1 ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done

[ -n "$router" ] || router=$(command -v docker-credential-router) ||
    die "docker-credential-router not found (install it or use --router PATH)"
case $router in /*) ;; *) router=$(cd "$(dirname "$router")" && pwd)/${router##*/} ;; esac
[ -x "$router" ] || die "$router is not executable"

# 1. The link.
link=$root$bin_dir/registry-credentials
if [ -L "$link" ] && [ "$(readlink "$link")" = "$router" ]; then
    say "$link already points to $router"
elif [ -e "$link" ] && [ ! -L "$link" ]; then
    die "$link exists and is not a link: move it away first"
else
    mkdir -p "$root$bin_dir"
    ln -sfn "$router" "$link"
    say "linked $link -> $router"
fi

# 2. The credentials file, in place.
file=$root$creds
if [ -f "$file" ]; then
    if [ -n "$owner" ] && [ "$(stat -c %U:%G "$file")" != "$owner" ] &&
        [ "$(stat -c %U "$file")" != "$owner" ]; then
        chown "$owner" "$file"
        say "chown $owner $file"
    fi
    if [ "$(stat -c %a "$file")" != 600 ]; then
        chmod 600 "$file"
        say "chmod 600 $file"
    fi
    conf=$(mktemp "${TMPDIR:-/tmp}/tedge-setup.XXXXXX")
    trap 'rm -f "$conf"' EXIT
    printf '[[route]]\nname = "thin-edge"\nmatch = "*"\nbackend = "static"\nfile = "%s"\n' \
        "$file" >"$conf"
    # The router trusts files of root and of the user it runs as: check what we can.
    uid=$(stat -c %u "$file")
    if [ "$uid" = "$(id -u)" ] || [ "$uid" = 0 ]; then
        DOCKER_CREDENTIAL_ROUTER_CONFIG=$conf "$router" check >/dev/null ||
            die "$file: $(DOCKER_CREDENTIAL_ROUTER_CONFIG=$conf "$router" check | grep -v '^ok' | head -n 3)"
        say "$file is readable by the router"
    fi
else
    say "no $file yet: the router reads it once the plugin has one"
fi

# 3. Docker, only when asked.
if [ -n "$docker" ]; then
    "$router" configure-docker --global
fi
