#!/bin/sh
# The launcher loop: point docker at the router, then every $INTERVAL seconds
# pull the workload's images and recreate what changed.
#
#   WORKLOAD   the workload's compose file (default /workload/compose.yaml)
#   INTERVAL   seconds between updates (default 300)
#   ONCE       when set, one update and exit (for tests and cron)
#   DOCKER_CREDENTIAL_ROUTER_CONFIG  the router's configuration
set -eu

workload=${WORKLOAD:-/workload/compose.yaml}
interval=${INTERVAL:-300}
DOCKER_CONFIG=${DOCKER_CONFIG:-/run/launcher/docker}
export DOCKER_CONFIG

log() { printf 'launcher: %s\n' "$*" >&2; }

if docker compose version >/dev/null 2>&1; then
    compose() { docker compose -f "$workload" "$@"; }
else
    compose() { docker-compose -f "$workload" "$@"; }
fi

# Every registry asks the router (credsStore), also for docker login.
docker-credential-router check >&2 || log "the router's check found problems (above); going on"
docker-credential-router configure-docker --global >&2

while :; do
    if compose pull --quiet; then
        compose up -d --remove-orphans || log "up failed; retrying in ${interval}s"
    else
        log "pull failed; retrying in ${interval}s"
    fi
    [ -z "${ONCE:-}" ] || exit 0
    sleep "$interval"
done
