/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "config_impl.h"
#include "emit.h"
#include "paths.h"

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

/* ---- the whole file ---------------------------------------------------- */

int config_put_kv(struct buf *b, const char *key, const char *value)
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
		r = config_route_init(config, &config->routes[i], i + 1, t, eb);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Configures route from generated TOML text holding one [[route]] table. */
int config_synth_route(struct config *config, struct route *route, const char *text, size_t len,
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
	r = config_route_init(config, route, 0, table, eb);
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
	if (!config_is_cstring(v) || !*(*out = config_opt_string(root, key)))
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
		r = r || !fallback ? r : config_put_kv(text, "fallback_file", path);
	} else {
		r = r ? r : buf_puts(text, "backend = \"static\"\ncontainer_env = false\n");
		r = r ? r : config_put_kv(text, "file", path);
	}
	free(path);
	return r;
}

static int default_store_init(struct config *config, const struct top_settings *set,
			      struct errbuf *eb)
{
	struct buf text = BUF_INIT;
	int r = default_store_text(config, set, &text, eb);

	r = r ? r : config_synth_route(config, &config->store, text.data, text.len, eb);
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
			config_describe_allowed(sets, key, allowed, sizeof(allowed));
			r = top_error(eb, config, line, "unknown key '%s' (%s)", key, allowed);
		}
	}
	if (r == 0)
		r = default_store_init(config, &set, eb);
	return r;
}

/* Parses TOML text that starts on line first_line of the file origin names. */
static int parse_toml(const char *origin, const char *text, size_t len, int first_line,
		      struct toml_value **root, struct errbuf *eb)
{
	struct toml_error terr;
	char where[240];
	int r = toml_parse_at(text, len, first_line, root, &terr);

	if (r < 0) {
		toml_error_format(&terr, where, sizeof(where));
		r = r == ERR_NOMEM ? r : errbuf_set(eb, ERR_CONFIG, "%s:%s", origin, where);
	}
	return r;
}

/* The one [[route]] of piece, parsed as route number piece->number. */
static int parse_piece(struct config *config, const struct config_piece *piece,
		       struct errbuf *eb)
{
	struct toml_value *root = NULL;
	const struct toml_value *list;
	int r = parse_toml(config->origin, piece->text, piece->len, piece->line, &root, eb);

	if (r < 0)
		return r;
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
	r = config_route_init(config, &config->routes[0], piece->number, toml_array_at(list, 0), eb);
out:
	toml_free(root);
	return r;
}

/*
 * The configuration in text (the top-level keys and, when whole, the routes)
 * and, with piece, one more route.  whole is false for a prelude, which must
 * hold no routes.
 */
static int parse(const char *origin, const char *dir, const char *text, size_t len, bool whole,
		 const struct config_piece *piece, struct config **out, struct errbuf *eb)
{
	struct toml_value *root = NULL;
	struct config *config = calloc(1, sizeof(*config));
	int r;

	*out = NULL;
	if (!config)
		return errbuf_set(eb, ERR_NOMEM, "out of memory");
	config->origin = strdup(origin);
	config->dir = strdup(dir);
	r = config->origin && config->dir ? parse_toml(origin, text, len, 1, &root, eb) : ERR_NOMEM;
	if (r == 0 && !whole && toml_table_get(root, "route"))
		r = errbuf_set(eb, ERR_INVALID, "%s: routes before the first [[route]]", origin);
	if (r == 0)
		r = parse_top(config, root, eb);
	if (r == 0 && piece)
		r = parse_piece(config, piece, eb);
	toml_free(root);
	if (r < 0) {
		config_free(config);
		return r == ERR_NOMEM ? errbuf_set(eb, r, "out of memory") : r;
	}
	*out = config;
	return 0;
}

int config_parse(const char *origin, const char *dir, const char *text, size_t len,
		 struct config **out, struct errbuf *eb)
{
	return parse(origin, dir, text, len, true, NULL, out, eb);
}

int config_parse_routed(const char *origin, const char *dir, const char *prelude,
			size_t prelude_len, const struct config_piece *piece,
			struct config **out, struct errbuf *eb)
{
	return parse(origin, dir, prelude, prelude_len, false, piece, out, eb);
}

void config_free(struct config *config)
{
	if (!config)
		return;
	for (size_t i = 0; i < config->count; i++)
		config_route_finish(&config->routes[i]);
	free(config->routes);
	config_route_finish(&config->store);
	free(config->identity_file);
	free(config->origin);
	free(config->dir);
	free(config);
}

