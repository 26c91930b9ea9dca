/* SPDX-License-Identifier: MIT */
#ifndef DCR_BACKEND_H
#define DCR_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "creds.h"
#include "err.h"
#include "pattern.h"
#include "toml.h"

/* Types of route options, checked by the config loader before a backend sees them. */
enum opt_type {
	OPT_STRING,
	OPT_STRINGS, /* a string or an array of strings */
	OPT_INT,
	OPT_BOOL,
};

/* One route key: the tables drive validation, --help and the man-page test. */
struct option {
	const char *key;
	enum opt_type type;
	const char *summary;
};

/* What store/erase do on a route. */
enum store_policy {
	STORE_WRITE,  /* the backend writes (writable backends only) */
	STORE_IGNORE, /* accept as a no-op with a note, so `docker login` keeps working */
	STORE_REJECT, /* fail */
};

struct backend;

struct route {
	char *name;        /* from `name`, or "route N" */
	int index;         /* 1-based position in the config; 0 for the default store */
	int line;          /* where the [[route]] starts; 0 when not from a file */
	const char *origin; /* the config file, or "embedded default" (owned by the config) */
	const char *dir;    /* directory relative option paths start from (owned by the config) */
	const char *identity_file; /* age identity for sealed values (owned by the config); NULL: none */
	char **match;       /* pattern texts */
	struct pattern *patterns;
	size_t match_count;
	const struct backend *backend;
	enum store_policy store;
	long cache_ttl; /* seconds to cache answers in the token cache; 0: not cached */
	void *data;     /* the backend's own */
};

/* Called by list for each key the backend holds. */
typedef int (*list_add_fn)(void *ctx, const char *key, const char *username);

struct backend {
	const char *name;
	const char *summary;
	const struct option *options; /* terminated by a NULL key */
	bool writable;                /* offers store and erase */
	/*
	 * Issues expiring tokens (DESIGN.md section 4): the core answers get
	 * through the token cache, one entry per (route, registry host, who()),
	 * so a cache hit never runs the backend.  get sets creds->expires, or
	 * leaves it 0 for the route's cache_ttl (default CORE_TTL_DEFAULT).
	 */
	bool expiring;
	/* Who is asking, for the cache key: no network, no secret (may be NULL). */
	void (*who)(const struct route *route, const struct request *req, char *out, size_t size);

	/* Reads the backend's options from the route's table (types already checked). */
	int (*configure)(struct route *route, const struct toml_value *table, struct errbuf *eb);
	void (*finish)(struct route *route);

	/* ERR_NOT_FOUND when nothing is configured for this registry. */
	int (*get)(const struct route *route, const struct request *req, struct creds *out,
		   struct errbuf *eb);
	int (*store)(const struct route *route, const struct request *req, const struct creds *creds,
		     struct errbuf *eb);
	int (*erase)(const struct route *route, const struct request *req, struct errbuf *eb);
	/* Candidate keys; the caller keeps only those a get then answers. NULL: lists nothing. */
	int (*list)(const struct route *route, list_add_fn add, void *ctx, struct errbuf *eb);
	/* Validates the files and settings the route names; appends "ok"/problem lines. */
	int (*check)(const struct route *route, struct buf *report, struct errbuf *eb);
	/* One human line about where this route's credentials for req come from; never a secret. */
	void (*describe)(const struct route *route, const struct request *req, struct buf *out);
};

extern const struct backend static_backend;
extern const struct backend env_backend;
extern const struct backend script_backend;
extern const struct backend ecr_backend;
extern const struct backend secretsmanager_backend;
extern const struct backend secretservice_backend; /* needs dcr-secretservice (libsecret) */

/* The backends compiled in, NULL-terminated. */
extern const struct backend *const backends[];
const struct backend *backend_find(const char *name);

#endif
