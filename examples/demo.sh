#!/bin/sh
# The Quick start demo: answers Docker credential-helper requests from the
# example configuration in this directory.  Usage: examples/demo.sh ROUTER
set -eu
router=${1:-build/docker-credential-router}
here=$(cd "$(dirname "$0")" && pwd)

# git does not keep file modes beyond +x; the helper refuses credentials files
# that others can read, so give the demo file the mode a real one must have.
chmod 600 "$here/demo-credentials.toml"
export DOCKER_CREDENTIAL_ROUTER_CONFIG="$here/demo-config.toml"

echo "\$ echo registry.demo.example | docker-credential-router get"
echo registry.demo.example | "$router" get
echo "\$ echo ghcr.io | GHCR_USER=octocat GHCR_TOKEN=... docker-credential-router get"
echo ghcr.io | GHCR_USER=octocat GHCR_TOKEN=ghp-demo-token "$router" get
echo "\$ docker-credential-router route build.demo.example:5000/team/app:1.0"
"$router" route build.demo.example:5000/team/app:1.0
