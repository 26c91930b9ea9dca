/* SPDX-License-Identifier: MIT */
#ifndef DCR_HELPER_H
#define DCR_HELPER_H

/*
 * The fast path links libc and jansson only (DESIGN.md section 5).  Work that
 * needs libcurl, libcrypto or libsecret runs in a small helper executable in
 * $libexecdir/docker-credential-router/ (git's shape: git-remote-https):
 *
 *   dcr-aws            libcurl + libcrypto: ECR, STS, Secrets Manager, the AWS chain
 *   dcr-age            libcrypto: age decryption
 *   dcr-secretservice  libsecret: the desktop keyring
 *
 * The front runs one with subproc (no shell, bounded time and output), writes
 * ONE JSON object request on its stdin (secrets travel only through the pipe,
 * never argv or the environment) and reads ONE JSON object on its stdout:
 * either the answer, or {"error": "one-line message"} with exit status 1.
 * The helper's stderr lines reach ours prefixed with its name.
 *
 * Where helpers are found: $DOCKER_CREDENTIAL_ROUTER_LIBEXECDIR if set (tests
 * and relocated installs), else the directory of the running executable when
 * it holds the helper (the build tree), else the compiled-in libexecdir.
 */

#include <jansson.h>

#include "err.h"

#define HELPER_TIMEOUT_MS_DEFAULT 60000

/* Front side: runs helper `name` with request; *response is the answer object (caller decrefs). */
int helper_call(const char *name, json_t *request, long timeout_ms, json_t **response,
		struct errbuf *eb);

/* The absolute path of helper `name` (malloc'd), or NULL with a message. */
char *helper_path(const char *name, struct errbuf *eb);

/*
 * Helper side: the whole main() of a helper executable.  Reads the request
 * (bounded), calls handle, writes its answer or {"error": msg}, and returns
 * the exit status.  Hardens the process like the front (umask, no core
 * dumps, wiping jansson allocator).
 */
typedef int (*helper_handler)(json_t *request, json_t **answer, struct errbuf *eb);
int helper_serve(const char *name, helper_handler handle);

#endif
