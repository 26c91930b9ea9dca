#!/bin/sh
# k8s-node-install.sh: make docker-credential-router the kubelet's image
# credential provider on this node.
#
# The kubelet runs `<bin-dir>/<provider name> kubelet` with a
# CredentialProviderRequest on stdin for every image that matches the
# provider's matchImages (kubelet.config.k8s.io/v1 CredentialProviderConfig,
# GA since Kubernetes 1.26).  This script
#   1. copies the router into the kubelet's --image-credential-provider-bin-dir
#      as `docker-credential-router` (the executable must be there when the
#      kubelet starts);
#   2. writes the CredentialProviderConfig (the file
#      helpers/kubelet-credential-provider.yaml shows);
#   3. prints the two kubelet flags to add (kubelet restart needed).
# The router then reads its own configuration
# (/etc/docker-credential-router/config.toml, or --router-config) to pick a
# backend for each image.
#
# Usage: k8s-node-install.sh [--root DIR] [--router PATH] [--bin-dir DIR]
#            [--config FILE] [--router-config FILE] [--match PATTERN]...
#            [--cache-duration DURATION]
#   --root DIR          prefix for every path written (for images and tests)
#   --router PATH       the router (default: docker-credential-router on PATH)
#   --bin-dir DIR       default /etc/kubernetes/image-credential-provider
#   --config FILE       default /etc/kubernetes/image-credential-provider-config.yaml
#   --router-config F   sets DOCKER_CREDENTIAL_ROUTER_CONFIG for the plugin
#   --match PATTERN     an image pattern (repeatable; kubelet matchImages
#                       rules: '*' matches within one dot-separated label and
#                       the label count must be equal).  Default: every
#                       registry with 1 to 6 labels and no port.
#   --cache-duration D  defaultCacheDuration (default 10m; the router's
#                       answers carry their own cacheDuration)
# A second run with the same options changes nothing.
set -eu

me=k8s-node-install
root=
router=
bin_dir=/etc/kubernetes/image-credential-provider
config=/etc/kubernetes/image-credential-provider-config.yaml
router_config=
matches=
cache=10m
name=docker-credential-router

die() {
    printf '%s: %s\n' "$me" "$*" >&2
    exit 1
}
say() { printf '%s: %s\n' "$me" "$*"; }

# A YAML double-quoted scalar.
yq() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

while [ $# -gt 0 ]; do
    case $1 in
    --root) root=${2:?--root needs a directory}; shift ;;
    --router) router=${2:?--router needs a path}; shift ;;
    --bin-dir) bin_dir=${2:?--bin-dir needs a directory}; shift ;;
    --config) config=${2:?--config needs a file}; shift ;;
    --router-config) router_config=${2:?--router-config needs a file}; shift ;;
    --match) matches="$matches
${2:?--match needs a pattern}"; shift ;;
    --cache-duration) cache=${2:?--cache-duration needs a duration}; shift ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done
case $bin_dir$config in *' '*) die "paths with spaces are not supported" ;; esac
[ -n "$matches" ] || matches='
*
*.*
*.*.*
*.*.*.*
*.*.*.*.*
*.*.*.*.*.*'

[ -n "$router" ] || router=$(command -v docker-credential-router) ||
    die "docker-credential-router not found (install it or use --router PATH)"
[ -x "$router" ] || die "$router is not executable"

# 1. The plugin executable.
dest=$root$bin_dir/$name
mkdir -p "$root$bin_dir"
if [ -f "$dest" ] && cmp -s "$router" "$dest"; then
    say "$dest is up to date"
else
    tmp=$(mktemp "$root$bin_dir/.$name.XXXXXX")
    cp "$router" "$tmp" && chmod 755 "$tmp" && mv -f "$tmp" "$dest"
    say "installed $dest"
fi

# 2. The CredentialProviderConfig.
new=$(mktemp "${TMPDIR:-/tmp}/$me.XXXXXX")
trap 'rm -f "$new"' EXIT
{
    echo "# Written by docker-credential-router's k8s-node-install.sh."
    echo "apiVersion: kubelet.config.k8s.io/v1"
    echo "kind: CredentialProviderConfig"
    echo "providers:"
    echo "  - name: $name"
    echo "    apiVersion: credentialprovider.kubelet.k8s.io/v1"
    echo "    args: [\"kubelet\"]"
    echo "    defaultCacheDuration: $(yq "$cache")"
    echo "    matchImages:"
    printf '%s\n' "$matches" | while IFS= read -r m; do
        [ -z "$m" ] || echo "      - $(yq "$m")"
    done
    if [ -n "$router_config" ]; then
        echo "    env:"
        echo "      - name: DOCKER_CREDENTIAL_ROUTER_CONFIG"
        echo "        value: $(yq "$router_config")"
    fi
} >"$new"
file=$root$config
if [ -f "$file" ] && cmp -s "$new" "$file"; then
    say "$file is up to date"
else
    mkdir -p "$(dirname "$file")"
    [ ! -f "$file" ] || cp -p "$file" "$file.bak"
    chmod 644 "$new"
    mv -f "$new" "$file"
    say "wrote $file"
fi

# 3. What the kubelet needs.
say "add these kubelet flags and restart the kubelet:"
echo "  --image-credential-provider-config=$config"
echo "  --image-credential-provider-bin-dir=$bin_dir"
