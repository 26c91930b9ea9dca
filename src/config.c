/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ecr.h"
#include "build-config.h"
#include "emit.h"
#include "fileio.h"
#include "log.h"
#include "paths.h"
#include "ref.h"
#include "wipe.h"

const struct option config_top_keys[] = {
	{"route", OPT_STRINGS, "the routes ([[route]] tables), tried in file order"},
	{"default_store", OPT_STRING,
	 "credentials file that store/get/erase/list use when no route matches"},
	{"default_store_backend", OPT_STRING,
	 "\"static\" or \"secretservice\" (default: the keyring if one answers, else the file)"},
	{"identity_file", OPT_STRING, "age identity file for age-encrypted passwords and variables"},
	{NULL, OPT_STRING, NULL},
};

const struct option config_route_keys[] = {
	{"name", OPT_STRING, "a name for messages and `route` (default \"route N\")"},
	{"match", OPT_STRINGS, "registry patterns (kubelet matchImages rules); first match wins"},
	{"backend", OPT_STRING, "where credentials come from"},
	{"store", OPT_STRING, "what store/erase do: \"write\", \"ignore\" or \"reject\""},
	{"cache_ttl", OPT_INT, "cache answers in the token cache for this many seconds (default 0)"},
	{NULL, OPT_STRING, NULL},
};

static const char *const store_names[] = {
	[STORE_WRITE] = "write",
	[STORE_IGNORE] = "ignore",
	[STORE_REJECT] = "reject",
};

/* ---- option access ---------------------------------------------------- */

const char *config_opt_string(const struct toml_value *table, const char *key)
{
	const char *s = NULL;

	if (!toml_get_string(toml_table_get(table, key), &s, NULL))
		return NULL;
	return s;
}

bool config_opt_bool(const struct toml_value *table, const char *key, bool fallback)
{
	bool b = fallback;

	toml_get_bool(toml_table_get(table, key), &b);
	return b;
}

int64_t config_opt_int(const struct toml_value *table, const char *key, int64_t fallback)
{
	int64_t v = fallback;

	toml_get_int(toml_table_get(table, key), &v);
	return v;
}

int config_route_error(struct errbuf *eb, const struct route *route,
		       const struct toml_value *table, const char *key, const char *fmt, ...)
{
	const struct toml_value *v = key ? toml_table_get(table, key) : NULL;
	int line = v ? toml_line(v) : route->line;
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		return errbuf_set(eb, ERR_CONFIG, "%s:%d: %s: %s%s%s", route->origin, line,
				  route->name, key ? key : "", key ? ": " : "", msg);
	return errbuf_set(eb, ERR_CONFIG, "%s: %s: %s%s%s", route->origin, route->name,
			  key ? key : "", key ? ": " : "", msg);
}

int config_opt_path(const struct route *route, const struct toml_value *table, const char *key,
		    char **out, struct errbuf *eb)
{
	const char *s = config_opt_string(table, key);

	*out = NULL;
	if (!s)
		return 0;
	if (!*s)
		return config_route_error(eb, route, table, key, "must not be empty");
	return paths_resolve(route->dir, s, out, eb);
}

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
static void describe_allowed(const struct option *const *sets, const char *key, char *out,
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

static bool is_cstring(const struct toml_value *v)
{
	const char *s;
	size_t len;

	return toml_get_string(v, &s, &len) && strlen(s) == len;
}

static bool type_ok(const struct toml_value *v, enum opt_type type)
{
	switch (type) {
	case OPT_STRING:
		return is_cstring(v);
	case OPT_INT:
		return toml_type(v) == TOML_INTEGER;
	case OPT_BOOL:
		return toml_type(v) == TOML_BOOL;
	case OPT_STRINGS:
		if (is_cstring(v))
			return true;
		if (toml_type(v) != TOML_ARRAY)
			return false;
		for (size_t i = 0; i < toml_count(v); i++) {
			if (!is_cstring(toml_array_at(v, i)))
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
			describe_allowed(sets, key, allowed, sizeof(allowed));
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

static void route_finish(struct route *route)
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

static int route_init(struct config *config, struct route *route, size_t index,
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

/* ---- the whole file ---------------------------------------------------- */

static int put_kv(struct buf *b, const char *key, const char *value)
{
	int r = buf_printf(b, "%s = ", key);

	if (r == 0)
		r = emit_toml_string(b, value, strlen(value));
	return r ? r : buf_putc(b, '\n');
}


static int top_error(struct errbuf *eb, const struct config *config, int line, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));

static int top_error(struct errbuf *eb, const struct config *config, int line, const char *fmt,
		     ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return errbuf_set(eb, ERR_CONFIG, "%s:%d: %s", config->origin, line, msg);
}

static int parse_routes(struct config *config, const struct toml_value *list, struct errbuf *eb)
{
	size_t n = toml_count(list);
	int r;

	if (toml_type(list) != TOML_ARRAY)
		return top_error(eb, config, toml_line(list),
				 "route must be an array of tables (write [[route]])");
	config->routes = calloc(n ? n : 1, sizeof(*config->routes));
	if (!config->routes)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct toml_value *t = toml_array_at(list, i);

		if (toml_type(t) != TOML_TABLE)
			return top_error(eb, config, toml_line(t),
					 "route must be an array of tables (write [[route]])");
		config->count = i + 1;
		r = route_init(config, &config->routes[i], i + 1, t, eb);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Configures route from generated TOML text holding one [[route]] table. */
static int synth_route(struct config *config, struct route *route, const char *text, size_t len,
		       struct errbuf *eb)
{
	struct toml_value *root = NULL;
	struct toml_error terr;
	const struct toml_value *table;
	int r;

	r = toml_parse(text, len, &root, &terr);
	if (r < 0)
		return errbuf_set(eb, ERR_CONFIG, "internal error in a generated route: %s",
				  terr.msg);
	table = toml_array_at(toml_table_get(root, "route"), 0);
	r = route_init(config, route, 0, table, eb);
	route->line = 0;
	toml_free(root);
	return r;
}

/* Top-level settings that routes and the default store depend on, read before them. */
struct top_settings {
	const char *store_file;
	const char *store_backend; /* NULL: automatic */
};

static int top_string(const struct config *config, const struct toml_value *root,
		      const char *key, const char *what, const char **out, struct errbuf *eb)
{
	const struct toml_value *v = toml_table_get(root, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!is_cstring(v) || !*(*out = config_opt_string(root, key)))
		return top_error(eb, config, toml_line(v), "%s must be a non-empty string (%s)", key,
				 what);
	return 0;
}

static int check_store_backend(const struct config *config, const struct toml_value *root,
			       const struct top_settings *set, struct errbuf *eb)
{
	int line = toml_line(toml_table_get(root, "default_store_backend"));

	if (strcmp(set->store_backend, "static") == 0)
		return 0;
	if (strcmp(set->store_backend, "secretservice") != 0)
		return top_error(eb, config, line,
				 "default_store_backend: unknown value \"%s\" (use \"static\" or "
				 "\"secretservice\")",
				 set->store_backend);
	if (!HAVE_LIBSECRET)
		return top_error(eb, config, line,
				 "default_store_backend: this build has no secretservice backend "
				 "(rebuild with meson setup -Dlibsecret=enabled)");
	if (set->store_file)
		return top_error(eb, config, line,
				 "default_store names a file but default_store_backend is "
				 "\"secretservice\" (remove one of them)");
	return 0;
}

static int parse_settings(struct config *config, const struct toml_value *root,
			  struct top_settings *set, struct errbuf *eb)
{
	const char *identity = NULL;
	int r = top_string(config, root, "default_store", "a file path", &set->store_file, eb);

	r = r ? r
	      : top_string(config, root, "default_store_backend",
			   "\"static\" or \"secretservice\"", &set->store_backend, eb);
	r = r ? r : top_string(config, root, "identity_file", "a file path", &identity, eb);
	if (r == 0 && identity)
		r = paths_resolve(config->dir, identity, &config->identity_file, eb);
	if (r == 0 && set->store_backend)
		r = check_store_backend(config, root, set, eb);
	return r;
}

/*
 * The default store: the static file, or the Secret Service when the build
 * has it and nothing says otherwise; then the file is its fallback_file for
 * sessions without a Secret Service (decided at the moment of use, so that
 * routes that never reach the default store pay nothing for it).
 */
static int default_store_text(const struct config *config, const struct top_settings *set,
			      struct buf *text, struct errbuf *eb)
{
	bool keyring = set->store_backend ? strcmp(set->store_backend, "secretservice") == 0
					  : HAVE_LIBSECRET && !set->store_file;
	bool fallback = keyring && !set->store_backend;
	char *path = NULL;
	int r = 0;

	if (set->store_file)
		r = paths_resolve(config->dir, set->store_file, &path, eb);
	else if (!keyring || fallback)
		path = paths_xdg("XDG_DATA_HOME", ".local/share", DCR_NAME "/credentials.toml");
	if (r < 0)
		return r;
	if (!path && (!keyring || fallback))
		return errbuf_set(eb, ERR_CONFIG,
				  "no home directory for the default store (set HOME or "
				  "default_store)");
	r = buf_puts(text, "[[route]]\nname = \"default\"\nmatch = \"*\"\n");
	if (keyring) {
		r = r ? r : buf_puts(text, "backend = \"secretservice\"\n");
		r = r || !fallback ? r : put_kv(text, "fallback_file", path);
	} else {
		r = r ? r : buf_puts(text, "backend = \"static\"\ncontainer_env = false\n");
		r = r ? r : put_kv(text, "file", path);
	}
	free(path);
	return r;
}

static int default_store_init(struct config *config, const struct top_settings *set,
			      struct errbuf *eb)
{
	struct buf text = BUF_INIT;
	int r = default_store_text(config, set, &text, eb);

	r = r ? r : synth_route(config, &config->store, text.data, text.len, eb);
	if (r == 0) {
		free(config->store.name);
		config->store.name = strdup("default store");
		r = config->store.name ? 0 : ERR_NOMEM;
	}
	buf_finish(&text);
	return r;
}

static bool is_setting(const char *key)
{
	return strcmp(key, "default_store") == 0 || strcmp(key, "default_store_backend") == 0 ||
	       strcmp(key, "identity_file") == 0;
}

static int parse_top(struct config *config, const struct toml_value *root, struct errbuf *eb)
{
	const struct option *const sets[] = {config_top_keys, NULL};
	struct top_settings set = {0};
	char allowed[300];
	int r = parse_settings(config, root, &set, eb);

	for (size_t i = 0; i < toml_count(root) && r == 0; i++) {
		const char *key;
		int line;
		const struct toml_value *v = toml_table_at(root, i, &key, NULL, &line);

		if (strcmp(key, "route") == 0) {
			r = parse_routes(config, v, eb);
		} else if (!is_setting(key)) {
			describe_allowed(sets, key, allowed, sizeof(allowed));
			r = top_error(eb, config, line, "unknown key '%s' (%s)", key, allowed);
		}
	}
	if (r == 0)
		r = default_store_init(config, &set, eb);
	return r;
}

int config_parse(const char *origin, const char *dir, const char *text, size_t len,
		 struct config **out, struct errbuf *eb)
{
	struct toml_value *root = NULL;
	struct toml_error terr;
	struct config *config;
	char where[240];
	int r;

	*out = NULL;
	config = calloc(1, sizeof(*config));
	if (!config)
		return ERR_NOMEM;
	config->origin = strdup(origin);
	config->dir = strdup(dir);
	if (!config->origin || !config->dir) {
		r = ERR_NOMEM;
		goto out;
	}
	r = toml_parse(text, len, &root, &terr);
	if (r < 0) {
		toml_error_format(&terr, where, sizeof(where));
		r = errbuf_set(eb, ERR_CONFIG, "%s:%s", origin, where);
		goto out;
	}
	r = parse_top(config, root, eb);
out:
	toml_free(root);
	if (r < 0) {
		config_free(config);
		return r == ERR_NOMEM ? errbuf_set(eb, r, "out of memory") : r;
	}
	*out = config;
	return 0;
}

/* The one [[route]] of piece, parsed as route number piece->number. */
static int parse_piece(struct config *config, const struct config_piece *piece,
		       struct errbuf *eb)
{
	struct toml_value *root = NULL;
	struct toml_error terr;
	const struct toml_value *list;
	char where[240];
	int r = toml_parse_at(piece->text, piece->len, piece->line, &root, &terr);

	if (r < 0) {
		toml_error_format(&terr, where, sizeof(where));
		r = errbuf_set(eb, ERR_CONFIG, "%s:%s", config->origin, where);
		goto out;
	}
	list = toml_table_get(root, "route");
	if (toml_count(root) != 1 || toml_type(list) != TOML_ARRAY || toml_count(list) != 1 ||
	    toml_type(toml_array_at(list, 0)) != TOML_TABLE) {
		r = errbuf_set(eb, ERR_INVALID, "%s:%d: not one [[route]] table", config->origin,
			       piece->line);
		goto out;
	}
	config->routes = calloc(1, sizeof(*config->routes));
	if (!config->routes) {
		r = ERR_NOMEM;
		goto out;
	}
	config->count = 1;
	r = route_init(config, &config->routes[0], piece->number, toml_array_at(list, 0), eb);
out:
	toml_free(root);
	return r;
}

int config_parse_routed(const char *origin, const char *dir, const char *prelude,
			size_t prelude_len, const struct config_piece *piece,
			struct config **out, struct errbuf *eb)
{
	struct toml_value *root = NULL;
	struct toml_error terr;
	struct config *config;
	char where[240];
	int r;

	*out = NULL;
	config = calloc(1, sizeof(*config));
	if (!config)
		return ERR_NOMEM;
	config->origin = strdup(origin);
	config->dir = strdup(dir);
	if (!config->origin || !config->dir) {
		r = ERR_NOMEM;
		goto out;
	}
	r = toml_parse(prelude, prelude_len, &root, &terr);
	if (r < 0) {
		toml_error_format(&terr, where, sizeof(where));
		r = errbuf_set(eb, ERR_CONFIG, "%s:%s", origin, where);
		goto out;
	}
	if (toml_table_get(root, "route")) {
		r = errbuf_set(eb, ERR_INVALID, "%s: routes before the first [[route]]", origin);
		goto out;
	}
	r = parse_top(config, root, eb);
	if (r == 0 && piece)
		r = parse_piece(config, piece, eb);
out:
	toml_free(root);
	if (r < 0) {
		config_free(config);
		return r == ERR_NOMEM ? errbuf_set(eb, r, "out of memory") : r;
	}
	*out = config;
	return 0;
}

void config_free(struct config *config)
{
	if (!config)
		return;
	for (size_t i = 0; i < config->count; i++)
		route_finish(&config->routes[i]);
	free(config->routes);
	route_finish(&config->store);
	free(config->identity_file);
	free(config->origin);
	free(config->dir);
	free(config);
}

/* ---- the embedded default ---------------------------------------------- */

/* The registry a DSTACK_DOCKER_REGISTRY value names, as a literal pattern. */
static int registry_pattern(const char *value, char *out, size_t size)
{
	struct ref ref;

	if (!value || !*value) {
		snprintf(out, size, "docker.io");
		return 0;
	}
	if (ref_parse_repo(value, &ref, NULL) < 0)
		return ERR_INVALID;
	snprintf(out, size, "%s", ref.host);
	return 0;
}

static int embed_dstack(struct buf *b)
{
	const char *user = getenv("DSTACK_DOCKER_USERNAME");
	const char *pass = getenv("DSTACK_DOCKER_PASSWORD");
	char host[REF_HOST_MAX];
	int r;

	if (!user || !*user || !pass || !*pass)
		return 0;
	if (registry_pattern(getenv("DSTACK_DOCKER_REGISTRY"), host, sizeof(host)) < 0)
		return 0; /* a bad value routes nothing; `check` reports the variable */
	r = buf_puts(b, "\n[[route]]\n");
	r = r ? r : put_kv(b, "name", "dstack");
	r = r ? r : put_kv(b, "match", host);
	r = r ? r : put_kv(b, "backend", "env");
	r = r ? r : put_kv(b, "username_env", "DSTACK_DOCKER_USERNAME");
	r = r ? r : put_kv(b, "password_env", "DSTACK_DOCKER_PASSWORD");
	return r;
}

static int add_match(void *ctx, const char *key, const char *username)
{
	struct buf *b = ctx;
	int r = buf_puts(b, b->data[b->len - 1] == '[' ? "" : ", ");

	(void)username;
	return r ? r : emit_toml_string(b, key, strlen(key));
}

/* A route for the registries thin-edge's credentials file and variables name. */
static int embed_tedge(struct buf *b)
{
	struct config scratch = {.origin = (char *)CONFIG_EMBEDDED, .dir = (char *)"/"};
	struct route route = {0};
	struct buf match = BUF_INIT;
	struct errbuf eb = {{0}};
	static const char text[] = "[[route]]\nname = \"thin-edge\"\nmatch = \"*\"\n"
				   "backend = \"static\"\nfile = \"" TEDGE_CREDENTIALS "\"\n";
	int r = buf_puts(&match, "match = [");

	r = r ? r : synth_route(&scratch, &route, text, sizeof(text) - 1, &eb);
	r = r ? r : route.backend->list(&route, add_match, &match, &eb);
	if (r == 0 && match.data[match.len - 1] != '[') {
		r = buf_puts(b, "\n[[route]]\nname = \"thin-edge\"\n");
		r = r ? r : buf_append(b, match.data, match.len);
		r = r ? r : buf_puts(b, "]\nbackend = \"static\"\nstore = \"ignore\"\n");
		r = r ? r : put_kv(b, "file", TEDGE_CREDENTIALS);
	} else if (r < 0 && r != ERR_NOMEM) {
		log_warn("thin-edge credentials ignored: %s", errbuf_str(&eb, r));
		r = 0;
	}
	route_finish(&route);
	buf_finish(&match);
	return r;
}

/* dstack's AWS variables: an ecr route for DSTACK_AWS_ECR_REGISTRY. */
static int embed_dstack_aws(struct buf *b)
{
	const char *registry = getenv("DSTACK_AWS_ECR_REGISTRY");
	const char *region = getenv("DSTACK_AWS_REGION");
	const char *id = getenv("DSTACK_AWS_ACCESS_KEY_ID");
	const char *secret = getenv("DSTACK_AWS_SECRET_ACCESS_KEY");
	char host[REF_HOST_MAX];
	int r;

	if (!registry || !*registry || !id || !*id || !secret || !*secret ||
	    registry_pattern(registry, host, sizeof(host)) < 0)
		return 0;
	r = buf_puts(b, "\n[[route]]\n");
	r = r ? r : put_kv(b, "name", "dstack-ecr");
	r = r ? r : put_kv(b, "match", host);
	r = r ? r : put_kv(b, "backend", "ecr");
	if (r == 0 && region && aws_region_valid(region))
		r = put_kv(b, "region", region);
	return r;
}

/*
 * Every ECR registry host name (PROTOCOLS.md 2.1) goes to the ecr backend:
 * a 12-digit label, dkr.ecr / dkr.ecr-fips / dkr-ecr / dkr-ecr-fips, the
 * region, one of the partition suffixes; and ECR Public.
 */
static int embed_ecr(struct buf *b)
{
	static const char *const forms[] = {"dkr.ecr", "dkr.ecr-fips", "dkr-ecr", "dkr-ecr-fips"};
	static const char *const suffixes[] = {
		"amazonaws.com", "amazonaws.com.cn",		"amazonaws.eu",
		"on.aws",	 "on.amazonwebservices.com.cn", "sc2s.sgov.gov",
		"c2s.ic.gov",	 "cloud.adc-e.uk",		"csp.hci.ic.gov",
	};
	static const char digit[] = "[0-9]";
	int r = buf_puts(b, "\n[[route]]\nname = \"ecr\"\nmatch = [\"public.ecr.aws\", "
			    "\"ecr-public.aws.com\"");

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]) && r == 0; f++) {
		for (size_t s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]) && r == 0; s++) {
			r = buf_puts(b, ",\n  \"");
			for (int i = 0; i < 12 && r == 0; i++)
				r = buf_puts(b, digit);
			r = r ? r : buf_printf(b, ".%s.*.%s\"", forms[f], suffixes[s]);
		}
	}
	return r ? r : buf_puts(b, "]\nbackend = \"ecr\"\n");
}

int config_embedded_text(struct buf *out)
{
	int r = buf_puts(out, "# " CONFIG_EMBEDDED ": routes derived from the environment\n");

	r = r ? r : embed_dstack(out);
	r = r ? r : embed_dstack_aws(out);
	r = r ? r : embed_tedge(out);
	r = r ? r : embed_ecr(out);
	return r;
}
