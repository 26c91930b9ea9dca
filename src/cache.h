/* SPDX-License-Identifier: MIT */
#ifndef DCR_CACHE_H
#define DCR_CACHE_H

/*
 * The on-disk token cache shared by concurrent processes (DESIGN.md section 3).
 *
 * One file per entry under the cache directory (0700; files 0600).  The file
 * name is a non-cryptographic hash of the entry's identity (route, registry,
 * and who is asking: e.g. an AWS access key id or profile — never a secret and
 * never something that needs the network); the entry stores the identity in
 * full and is a miss when it differs, so collisions are harmless.  Entries are
 * written to a temporary file in the same directory, fsync'd and renamed.
 *
 * A token is fresh until half its lifetime.  After that one process refreshes
 * it while holding an flock on the entry's lock file; the others wait
 * (bounded) and then read the new entry, so N concurrent cold callers cause
 * one fetch.  If the refresh fails, a stale but unexpired token is returned
 * with a warning.  A corrupt, truncated, foreign-owned, group/world-readable
 * or symlinked entry is a miss (and is never followed or trusted).  When the
 * directory cannot be used the answer is still given, uncached, with a warning.
 *
 * This module links only libc and jansson: a cache hit must not load libcurl,
 * libcrypto or libsecret (DESIGN.md section 5).
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "creds.h"
#include "err.h"

/* The identity of an entry: all three are stored and compared in full. */
struct cache_id {
	const char *route;    /* route label */
	const char *registry; /* host[:port][/path] */
	const char *who;      /* the asker's identity (may be "") */
};

/*
 * Produces a new token: fills out (username, secret, and out->expires, the
 * absolute expiry; 0 means "use ttl_fallback").  Called at most once per
 * cache_get, with the entry's lock held.
 */
typedef int (*cache_fetch_fn)(void *ctx, struct creds *out, struct errbuf *eb);

struct cache_params {
	const char *dir;     /* NULL: $XDG_CACHE_HOME/docker-credential-router */
	time_t now;          /* passed in so tests control time */
	bool refresh;        /* skip a fresh entry (the caller says it was rejected) */
	long ttl_fallback;   /* lifetime in seconds when fetch gives no expiry */
	int lock_timeout_ms; /* how long to wait for another refresher (0: 30 s) */
};

/*
 * Answers from a fresh entry, or fetches under the lock and stores the
 * result.  out->expires is set to the token's absolute expiry.  Returns 0 or
 * the fetch's error (after the stale fallback), with a message in eb.
 */
int cache_get(const struct cache_params *params, const struct cache_id *id, cache_fetch_fn fetch,
	      void *ctx, struct creds *out, struct errbuf *eb);

/* The directory in use (malloc'd), for `cache list|clear` and messages. */
char *cache_dir(const struct cache_params *params);

/*
 * Removes this cache's entries and lock files (and temporary files a killed
 * writer left) from the directory, nothing else; *removed counts them.  A
 * missing directory is empty.  Only params->dir is used.
 */
int cache_clear(const struct cache_params *params, size_t *removed, struct errbuf *eb);

/*
 * Calls fn for each valid entry, in no particular order, with its identity
 * and times (never its secret); a negative return from fn stops the walk and
 * is returned.  Entries that fail the ownership, mode or format checks are
 * skipped.  Only params->dir is used.
 */
typedef int (*cache_list_fn)(void *ctx, const char *route, const char *registry, const char *who,
			     time_t issued, time_t expires);
int cache_list(const struct cache_params *params, cache_list_fn fn, void *ctx, struct errbuf *eb);

#endif
