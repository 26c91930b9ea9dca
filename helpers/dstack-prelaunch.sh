#!/bin/bash
# dstack pre-launch script: docker-credential-router instead of `docker login`.
#
# dstack's app-compose.sh sources the app's `pre_launch_script` (under
# `set -euo pipefail`, after dockerd started, before `docker compose up`).
# The usual script runs `docker login` with the DSTACK_DOCKER_* variables, or
# with an ECR password from `aws ecr get-login-password`, which writes the
# password into /root/.docker/config.json and, for ECR, expires after 12
# hours.  This one writes the router's configuration instead:
#
#   DSTACK_DOCKER_USERNAME + DSTACK_DOCKER_PASSWORD [+ DSTACK_DOCKER_REGISTRY]
#       an env route for DSTACK_DOCKER_REGISTRY (default Docker Hub) that
#       reads the two variables each time a pull needs them;
#   DSTACK_AWS_ECR_REGISTRY + DSTACK_AWS_ACCESS_KEY_ID +
#   DSTACK_AWS_SECRET_ACCESS_KEY [+ DSTACK_AWS_SESSION_TOKEN, DSTACK_AWS_REGION]
#       an ecr route for that registry: the router exchanges the keys for an
#       ECR token when a pull needs one, caches it and refreshes it at half
#       its life, for as long as the machine runs;
#
# then adds credHelpers entries for those registries to Docker's config.json
# (`docker-credential-router configure-docker`: other keys are kept, a backup
# is left in config.json.bak).  No secret is written anywhere: the routes name
# the variables, not their values.
#
# The variables reach docker because dstack puts the decrypted environment in
# /dstack/.host-shared/.decrypted-env, the systemd EnvironmentFile of
# app-compose.service: `docker compose` (and the router it runs) inherit them.
# Anything else that pulls later (a launcher container, a cron job, a shell)
# needs the same variables in its environment: `EnvironmentFile=` in its unit,
# or `set -a; . /dstack/.host-shared/.decrypted-env; set +a` in a shell.
#
# The router must already be on the machine (baked into the image, or copied
# out of a container image with `docker cp`); DCR_BIN names it when it is not
# on PATH.  Without any of the variables above it changes nothing.  It never
# replaces a config.toml it did not write (it prints the routes to add
# instead), and it prunes nothing.
#
# Settings (for tests and unusual machines):
#   DCR_BIN         the router (default: docker-credential-router on PATH)
#   DCR_CONFIG_DIR  where config.toml goes (default /etc/docker-credential-router)
#   DOCKER_CONFIG   Docker's config directory (default ~/.docker)
#
# Use: paste this file as the app's pre_launch_script, or source it from
# yours; `bash dstack-prelaunch.sh` runs it too.

dcr_prelaunch_marker="# Written by docker-credential-router's dstack-prelaunch.sh."

# A TOML basic string from a host name (quotes and backslashes escaped).
dcr_prelaunch_toml_string() {
    local s=${1//\\/\\\\}
    printf '"%s"' "${s//\"/\\\"}"
}

# A registry as a route pattern: no scheme, no trailing slash.
dcr_prelaunch_registry() {
    local r=${1#https://}
    r=${r#http://}
    printf '%s' "${r%/}"
}

# The routes for the variables that are set, on stdout.
dcr_prelaunch_routes() {
    local registry
    if [ -n "${DSTACK_DOCKER_USERNAME:-}" ] && [ -n "${DSTACK_DOCKER_PASSWORD:-}" ]; then
        registry=$(dcr_prelaunch_registry "${DSTACK_DOCKER_REGISTRY:-docker.io}")
        printf '\n[[route]]\nname = "dstack-docker"\nmatch = %s\nbackend = "env"\n' \
            "$(dcr_prelaunch_toml_string "${registry:-docker.io}")"
        printf 'username_env = "DSTACK_DOCKER_USERNAME"\npassword_env = "DSTACK_DOCKER_PASSWORD"\n'
        # docker login must not fail against a read-only route.
        printf 'store = "ignore"\n'
    fi
    if [ -n "${DSTACK_AWS_ECR_REGISTRY:-}" ] && [ -n "${DSTACK_AWS_ACCESS_KEY_ID:-}" ] &&
        [ -n "${DSTACK_AWS_SECRET_ACCESS_KEY:-}" ]; then
        registry=$(dcr_prelaunch_registry "$DSTACK_AWS_ECR_REGISTRY")
        printf '\n[[route]]\nname = "dstack-ecr"\nmatch = %s\nbackend = "ecr"\n' \
            "$(dcr_prelaunch_toml_string "$registry")"
        if [ -n "${DSTACK_AWS_REGION:-}" ]; then
            printf 'region = %s\n' "$(dcr_prelaunch_toml_string "$DSTACK_AWS_REGION")"
        fi
        printf 'store = "ignore"\n'
    fi
}

dcr_prelaunch() {
    local bin=${DCR_BIN:-} dir=${DCR_CONFIG_DIR:-/etc/docker-credential-router}
    local conf routes tmp
    conf=$dir/config.toml
    if [ -z "$bin" ]; then
        bin=$(command -v docker-credential-router || true)
    fi
    if [ -z "$bin" ] || [ ! -x "$bin" ]; then
        echo "dstack-prelaunch: docker-credential-router not found (install it or set DCR_BIN)" >&2
        return 1
    fi
    routes=$(dcr_prelaunch_routes)
    if [ -z "$routes" ]; then
        echo "dstack-prelaunch: no DSTACK_DOCKER_* or DSTACK_AWS_* credentials: nothing to do" >&2
        return 0
    fi
    if [ -e "$conf" ] && ! grep -qxF "$dcr_prelaunch_marker" "$conf"; then
        echo "dstack-prelaunch: $conf was not written by this script: leaving it alone;" \
            "add these routes to it if they are missing:$routes" >&2
    else
        mkdir -p "$dir"
        tmp=$(umask 077 && mktemp "$dir/.config.toml.XXXXXX")
        if ! printf '%s\n# From the dstack variables; no secret in here.\n%s\n' \
            "$dcr_prelaunch_marker" "$routes" >"$tmp" || ! mv -f "$tmp" "$conf"; then
            rm -f "$tmp"
            echo "dstack-prelaunch: cannot write $conf" >&2
            return 1
        fi
        echo "dstack-prelaunch: wrote $conf" >&2
    fi
    DOCKER_CREDENTIAL_ROUTER_CONFIG=$conf "$bin" check >&2 || return 1
    DOCKER_CREDENTIAL_ROUTER_CONFIG=$conf "$bin" configure-docker >&2 || return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    dcr_prelaunch
    exit
fi
dcr_prelaunch
