/* SPDX-License-Identifier: MIT */
#ifndef DCR_CONFIG_H
#define DCR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "err.h"
#include "ref.h"
#include "toml.h"

#define CONFIG_MAX_SIZE (16u << 20)
#define CONFIG_EMBEDDED "embedded default"
#define CONFIG_ENV "DOCKER_CREDENTIAL_ROUTER_CONFIG"
#define TEDGE_CREDENTIALS "/data/tedge-container-plugin/credentials.toml"

struct config {
	char *origin; /* the file read, or CONFIG_EMBEDDED */
	char *dir;    /* where relative paths start */
	char *identity_file; /* top-level identity_file, resolved; NULL when unset */
	struct route *routes;
	size_t count;
	/* The implicit last route: where store goes when no route matches. */
	struct route store;
};

/* Top-level and common route keys (for validation, --help and the man page). */
extern const struct option config_top_keys[];
extern const struct option config_route_keys[];

/*
 * Finds and loads the configuration: $DOCKER_CREDENTIAL_ROUTER_CONFIG, then
 * $XDG_CONFIG_HOME/docker-credential-router/config.toml, then
 * /etc/docker-credential-router/config.toml; with none, the embedded default
 * built from the environment.
 */
int config_load(struct config **out, struct errbuf *eb);
/* Parses config text; origin names it in messages, dir anchors relative paths. */
int config_parse(const char *origin, const char *dir, const char *text, size_t len,
		 struct config **out, struct errbuf *eb);
/* One [[route]] table cut from a configuration file. */
struct config_piece {
	const char *text;
	size_t len;
	int line;      /* the line of the file it starts on */
	size_t number; /* its 1-based position among the file's routes */
};

/*
 * Parses the top-level settings (prelude: the text before the first
 * [[route]]) and at most one route, for a request that only that route can
 * answer (src/routeindex.h).  ERR_INVALID when the pieces do not have that
 * shape.
 */
int config_parse_routed(const char *origin, const char *dir, const char *prelude,
			size_t prelude_len, const struct config_piece *piece,
			struct config **out, struct errbuf *eb);

/*
 * config_load for one request: a large file is read through its route index
 * (built and saved on the way when missing or out of date), so that only the
 * top-level settings and the route that can answer ref are parsed.  The
 * result answers route_find for ref exactly as the whole file would.  With
 * ref NULL (what config_load does) every route is read: for anything that
 * needs them all.
 */
int config_load_for(const struct ref *ref, struct config **out, struct errbuf *eb);

/* The TOML text of the embedded default for the current environment (malloc'd). */
int config_embedded_text(struct buf *out);
void config_free(struct config *config);

/* The path searched at position i (0-based), or NULL past the end; malloc'd. */
char *config_search_path(size_t i);

/* Option accessors for backends' configure(); types were checked by the loader. */
const char *config_opt_string(const struct toml_value *table, const char *key);
bool config_opt_bool(const struct toml_value *table, const char *key, bool fallback);
int64_t config_opt_int(const struct toml_value *table, const char *key, int64_t fallback);
/* A path option resolved against the route's directory ("~/" expanded). NULL if absent. */
int config_opt_path(const struct route *route, const struct toml_value *table, const char *key,
		    char **out, struct errbuf *eb);
/* "ORIGIN:LINE: route NAME: " prefix for messages about a route option. */
int config_route_error(struct errbuf *eb, const struct route *route,
		       const struct toml_value *table, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
