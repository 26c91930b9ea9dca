/* SPDX-License-Identifier: MIT */
/* One [[route]] table: its keys checked against the tables, its backend configured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_impl.h"

static const char *const store_names[] = {
	[STORE_WRITE] = "write",
	[STORE_IGNORE] = "ignore",
	[STORE_REJECT] = "reject",
};

/* ---- validation -------------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(size_t) * (lb + 1));
	}
	return prev[lb];
}

static const struct option *find_option(const struct option *const *sets, const char *key)
{
	for (size_t s = 0; sets[s]; s++) {
		for (const struct option *o = sets[s]; o->key; o++) {
			if (strcmp(o->key, key) == 0)
				return o;
		}
	}
	return NULL;
}

/* "did you mean 'x'?; allowed: a, b, c" for an unknown key. */
void config_describe_allowed(const struct option *const *sets, const char *key, char *out,
			     size_t size)
{
	const char *best = NULL;
	size_t best_d = 3, used = 0;

	out[0] = '\0';
	for (size_t s = 0; sets[s]; s++) {
		for (const struct option *o = sets[s]; o->key; o++) {
			size_t d = edit_distance(key, o->key);

			if (d < best_d) {
				best_d = d;
				best = o->key;
			}
		}
	}
	if (best)
		used = (size_t)snprintf(out, size, "did you mean '%s'? ", best);
	for (size_t s = 0; sets[s] && used < size; s++) {
		for (const struct option *o = sets[s]; o->key && used < size; o++) {
			used += (size_t)snprintf(out + used, size - used, "%s%s",
						 used && out[used - 1] != ' ' ? ", " : "allowed: ",
						 o->key);
		}
	}
}

bool config_is_cstring(const struct toml_value *v)
{
	const char *s;
	size_t len;

	return toml_get_string(v, &s, &len) && strlen(s) == len;
}

static bool type_ok(const struct toml_value *v, enum opt_type type)
{
	switch (type) {
	case OPT_STRING:
		return config_is_cstring(v);
	case OPT_INT:
		return toml_type(v) == TOML_INTEGER;
	case OPT_BOOL:
		return toml_type(v) == TOML_BOOL;
	case OPT_STRINGS:
		if (config_is_cstring(v))
			return true;
		if (toml_type(v) != TOML_ARRAY)
			return false;
		for (size_t i = 0; i < toml_count(v); i++) {
			if (!config_is_cstring(toml_array_at(v, i)))
				return false;
		}
		return true;
	}
	return false;
}

static const char *type_wanted(enum opt_type type)
{
	switch (type) {
	case OPT_STRING:
		return "a string";
	case OPT_STRINGS:
		return "a string or an array of strings";
	case OPT_INT:
		return "an integer";
	case OPT_BOOL:
		return "true or false";
	}
	return "?";
}

/* Checks every key of a route table against the common and backend keys. */
static int check_route_keys(const struct route *route, const struct toml_value *table,
			    const struct option *backend_opts, struct errbuf *eb)
{
	const struct option *const sets[] = {config_route_keys, backend_opts, NULL};
	char allowed[300];

	for (size_t i = 0; i < toml_count(table); i++) {
		const char *key;
		int line;
		const struct toml_value *v = toml_table_at(table, i, &key, NULL, &line);
		const struct option *o = find_option(sets, key);

		if (!o) {
			config_describe_allowed(sets, key, allowed, sizeof(allowed));
			return errbuf_set(eb, ERR_CONFIG, "%s:%d: %s: unknown key '%s' (%s%s%s)",
					  route->origin, line, route->name, key, allowed,
					  backend_opts ? " for backend " : "",
					  backend_opts ? route->backend->name : "");
		}
		if (!type_ok(v, o->type))
			return errbuf_set(eb, ERR_CONFIG, "%s:%d: %s: %s must be %s, not %s",
					  route->origin, line, route->name, key,
					  type_wanted(o->type), toml_type_name(toml_type(v)));
	}
	return 0;
}

/* ---- routes ------------------------------------------------------------ */

void config_route_finish(struct route *route)
{
	if (route->backend && route->backend->finish)
		route->backend->finish(route);
	for (size_t i = 0; i < route->match_count; i++)
		free(route->match[i]);
	free(route->match);
	free(route->patterns);
	free(route->name);
	memset(route, 0, sizeof(*route));
}

static int add_pattern(struct route *route, const struct toml_value *table, const char *text,
		       struct errbuf *eb)
{
	const char *why = NULL;
	size_t n = route->match_count;

	route->match[n] = strdup(text);
	if (!route->match[n])
		return ERR_NOMEM;
	route->match_count++;
	if (pattern_parse(text, &route->patterns[n], &why) < 0)
		return config_route_error(eb, route, table, "match", "bad pattern \"%s\": %s", text,
					  why ? why : "invalid");
	return 0;
}

static int parse_match(struct route *route, const struct toml_value *table, struct errbuf *eb)
{
	const struct toml_value *m = toml_table_get(table, "match");
	size_t n = toml_type(m) == TOML_ARRAY ? toml_count(m) : 1;
	const char *s;
	int r = 0;

	if (n == 0)
		return config_route_error(eb, route, table, "match",
					  "needs at least one pattern (e.g. match = [\"ghcr.io\"])");
	route->match = calloc(n, sizeof(*route->match));
	route->patterns = calloc(n, sizeof(*route->patterns));
	if (!route->match || !route->patterns)
		return ERR_NOMEM;
	if (toml_type(m) != TOML_ARRAY) {
		toml_get_string(m, &s, NULL);
		return add_pattern(route, table, s, eb);
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		toml_get_string(toml_array_at(m, i), &s, NULL);
		r = add_pattern(route, table, s, eb);
	}
	return r;
}

static int parse_store_policy(struct route *route, const struct toml_value *table,
			      struct errbuf *eb)
{
	const char *s = config_opt_string(table, "store");

	route->store = route->backend->writable ? STORE_WRITE : STORE_IGNORE;
	if (!s)
		return 0;
	for (size_t i = 0; i < sizeof(store_names) / sizeof(store_names[0]); i++) {
		if (strcmp(s, store_names[i]) == 0) {
			route->store = (enum store_policy)i;
			break;
		}
		if (i + 1 == sizeof(store_names) / sizeof(store_names[0]))
			return config_route_error(eb, route, table, "store",
						  "unknown value \"%s\" (use \"write\", "
						  "\"ignore\" or \"reject\")",
						  s);
	}
	if (route->store == STORE_WRITE && !route->backend->writable)
		return config_route_error(eb, route, table, "store",
					  "backend %s is read-only (use \"ignore\" or \"reject\")",
					  route->backend->name);
	return 0;
}

static int parse_cache_ttl(struct route *route, const struct toml_value *table, struct errbuf *eb)
{
	int64_t ttl = config_opt_int(table, "cache_ttl", 0);

	if (ttl < 0 || ttl > 366 * 24 * 3600)
		return config_route_error(eb, route, table, "cache_ttl",
					  "must be between 0 and 31622400 seconds");
	route->cache_ttl = (long)ttl;
	return 0;
}

static void backend_list(char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; backends[i] && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "",
					 backends[i]->name);
}

static int pick_backend(struct route *route, const struct toml_value *table, struct errbuf *eb)
{
	const char *name = config_opt_string(table, "backend");
	char names[200];

	if (!name)
		return config_route_error(eb, route, table, NULL,
					  "no backend (add backend = \"static\" or another)");
	route->backend = backend_find(name);
	if (route->backend)
		return 0;
	backend_list(names, sizeof(names));
	return config_route_error(eb, route, table, "backend", "unknown backend \"%s\" (use one of: %s)",
				  name, names);
}

int config_route_init(struct config *config, struct route *route, size_t index,
		      const struct toml_value *table, struct errbuf *eb)
{
	const char *name = config_opt_string(table, "name");
	int r;

	route->index = (int)index;
	/* Lines of the generated embedded default mean nothing to a user. */
	route->line = strcmp(config->origin, CONFIG_EMBEDDED) == 0 ? 0 : toml_line(table);
	route->origin = config->origin;
	route->dir = config->dir;
	route->identity_file = config->identity_file;
	/* The label messages use: "route 'ghcr'", or "route 3" when unnamed. */
	if (name && *name ? asprintf(&route->name, "route '%s'", name) < 0
			  : asprintf(&route->name, "route %zu", index) < 0)
		route->name = NULL;
	if (!route->name)
		return ERR_NOMEM;
	if (!toml_table_get(table, "backend")) {
		/* A misspelt "backend" is the likely cause: say so first. */
		r = check_route_keys(route, table, NULL, eb);
		if (r < 0)
			return r;
	}
	r = pick_backend(route, table, eb);
	if (r < 0)
		return r;
	r = check_route_keys(route, table, route->backend->options, eb);
	if (r < 0)
		return r;
	if (!toml_table_get(table, "match"))
		return config_route_error(eb, route, table, NULL,
					  "no match patterns (add match = [\"registry.example.com\"])");
	r = parse_match(route, table, eb);
	if (r == 0)
		r = parse_store_policy(route, table, eb);
	if (r == 0)
		r = parse_cache_ttl(route, table, eb);
	if (r == 0 && route->backend->configure)
		r = route->backend->configure(route, table, eb);
	return r;
}

