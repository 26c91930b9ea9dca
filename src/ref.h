/* SPDX-License-Identifier: MIT */
#ifndef DCR_REF_H
#define DCR_REF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Caller keys normalised for routing.  Every client names a registry its own
 * way (docker: "https://index.docker.io/v1/" or "host:port"; podman:
 * "docker.io"; kubelet: "docker.io/library/nginx"; thin-edge: "nginx:latest")
 * and all of them become one {host, path} pair.  The caller keeps its exact key
 * for echoing back; this is only the routing identity.
 *
 * Decisions worth knowing:
 * - Host names follow DNS: labels of [a-z0-9-] (no '_'), no empty label (so
 *   no trailing '.'), no '-' at either end, labels <= 63, names <= 253.
 * - Ports are normalised to plain decimal ("host:05000" is "host:5000").
 * - IPv6 must be bracketed and is written in its canonical (inet_ntop) form,
 *   so "[0:0::1]:5000" is "[::1]:5000".
 * - Docker Hub is "docker.io" whatever the spelling, but only without a port:
 *   "docker.io:443" is an ordinary registry.
 * - A key without a '/' is a registry when it contains '.', is "localhost",
 *   starts with '[', or is "name:digits"; otherwise ("nginx", "nginx:latest")
 *   it is a Hub image.  So "redis:7" reads as the registry "redis:7", the same
 *   ambiguity every helper has with bare "host:port" keys.
 * - With a '/', the first component is a registry when it contains '.' or ':',
 *   is "localhost" or has an upper-case letter (docker's rule).
 * - API paths are not repositories: after a scheme any path starting with
 *   "v1" or "v2" is dropped ("https://index.docker.io/v1/access-token" is plain
 *   Hub); without a scheme only a path that is exactly "v1" or "v2" is
 *   ("host/v2/"), since "host/v2/x" is a valid repository.
 * - Path components follow docker's grammar (alphanumeric runs joined by '.',
 *   '_', '__' or dashes) but upper case is accepted and kept as given.
 * - Tags must be [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; digests sha256, sha384 or
 *   sha512 with lower-case hex of the right length.  Both are dropped.
 * - Control characters, whitespace and user info ("user@host") are errors.
 */

#define REF_HOST_MAX 262 /* host[:port] incl. [v6] brackets, NUL */
#define REF_PATH_MAX 4096
#define REF_KEY_MAX 8192 /* longer keys are ERR_TOO_LARGE */

struct ref {
	/* lower-cased host[:port]; IPv6 as [..]:port; Docker Hub is "docker.io" */
	char host[REF_HOST_MAX];
	/* repository without tag/digest, "" for a registry; Hub official images get "library/" */
	char path[REF_PATH_MAX];
	/* the registry is Docker Hub */
	bool hub;
};

/*
 * Parses any caller key.  Returns 0, ERR_INVALID (bad input) or ERR_TOO_LARGE;
 * on error *out is zeroed and, if why != NULL, *why points to a static
 * lower-case reason such as "invalid port" (NULL on success).
 */
int ref_parse(const char *key, struct ref *out, const char **why);

/*
 * Writes "host" or "host/path" into buf, truncating like snprintf.  For display
 * and cache identities: parsed again, a one-label host other than localhost
 * without a port ("https://myreg/x" gives "myreg/x") reads as a Hub image.
 */
void ref_format(const struct ref *r, char *buf, size_t size);

/* docker.io, index.docker.io, registry-1.docker.io, registry.hub.docker.com, any case, no port. */
bool ref_is_hub_host(const char *host);

/*
 * The pieces of ref_parse, for other parsers of registry names (route
 * patterns, config values).  Same return values and reasons as ref_parse.
 */

/* Sets *why (when why != NULL) to the static reason and returns code: how these parsers fail. */
int ref_fail(const char **why, int code, const char *reason);
/* A bare registry "host[:port]" of len bytes (no scheme, path or user info): out->path is "". */
int ref_parse_registry(const char *text, size_t len, struct ref *out, const char **why);
/*
 * A registry with an optional repository path, as a credentials file's repo
 * or a route pattern names it: the first component is always the registry
 * ("myreg/team" is the host myreg, not a Docker Hub repository).  Keys with
 * a scheme go through ref_parse.
 */
int ref_parse_repo(const char *text, struct ref *out, const char **why);
/* A decimal port 1..65535 of len bytes (at most 5 digits, no sign). */
int ref_parse_port(const char *text, size_t len, unsigned *port, const char **why);
/* A repository path "a/b/c" of len bytes: no tag, digest or leading/trailing '/'. */
int ref_check_path(const char *path, size_t len, const char **why);

#endif
