/* SPDX-License-Identifier: MIT */
#ifndef DCR_PATTERN_H
#define DCR_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "ref.h"

/*
 * Route match patterns, with the kubelet matchImages rules
 * (kubernetes/kubernetes pkg/credentialprovider/keyring.go URLsMatch):
 *
 *   [https://]host[:port][/path-prefix]
 *
 * - The host is split on '.'; the key's host must have the same number of
 *   labels and each label must match the pattern's label, a glob with Go
 *   filepath.Match syntax: '*' (any run within the label), '?', '[a-z]',
 *   '[^a-z]', '\' escape.  So "*.io" matches "ghcr.io" but not "a.b.io".
 *   Hosts compare case-insensitively.
 * - Ports must be equal: no port matches only keys without a port.
 * - Globs are allowed in the host only, never in the port or the path.
 * - The path is a prefix by whole components: "/team" matches "team" and
 *   "team/app" but not "teamx/app".  (kubelet compares plain strings, which
 *   would let "/team" match "teamx"; we deliberately do not.)  A key that
 *   carries no repository (docker and podman send only the registry) never
 *   matches a pattern with a path.
 * - Any Docker Hub spelling without a port is "docker.io" and matches every
 *   Hub key.  Hub keys always have the host "docker.io", so "*.docker.io"
 *   does not match them, and official images live under "library/"
 *   ("docker.io/library/nginx"; no "library/" is added to pattern paths).
 * - Extension: "*" alone (also with a scheme or a trailing slash) matches
 *   every key, the catch-all.  With a port or a path, "*" is an ordinary
 *   one-label glob ("*:5000" matches "localhost:5000", not "ghcr.io:5000").
 * - Bracketed IPv6 hosts are literals (no globs) in canonical form; glob
 *   hosts never match IPv6 keys.
 */

#define PATTERN_PATH_MAX 1024

struct pattern {
	char host[REF_HOST_MAX];      /* lower-cased host glob without port; "docker.io" for Hub */
	char path[PATTERN_PATH_MAX];  /* path prefix without surrounding '/', "" for none */
	unsigned port;                /* 0 for none */
	bool any;                     /* the catch-all "*" */
	bool hub;                     /* names Docker Hub */
	bool literal;                 /* no glob characters */
};

/*
 * Parses text into *out (fixed size, nothing to free).  Returns 0, ERR_INVALID
 * or ERR_TOO_LARGE; on error *out is zeroed and, if why != NULL, *why points to
 * a static lower-case reason (NULL on success).
 */
int pattern_parse(const char *text, struct pattern *out, const char **why);

/* Whether the key parsed into r matches p. */
bool pattern_match(const struct pattern *p, const struct ref *r);

/* No glob characters (and not the catch-all): p names one registry. */
bool pattern_is_literal(const struct pattern *p);

/* Writes the canonical text "host[:port][/path]" (or "*") into buf, truncating like snprintf. */
void pattern_format(const struct pattern *p, char *buf, size_t size);

#endif
