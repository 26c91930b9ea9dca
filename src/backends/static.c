/* SPDX-License-Identifier: MIT */
/*
 * The static backend: credentials from a TOML file of tables with repo,
 * username and password (thin-edge's credentials.toml format; thin-edge reads
 * [registry1]..[registry4], we read every table), plus thin-edge's
 * CONTAINER_REGISTRYn_{REPO,USERNAME,PASSWORD} overrides.  store and erase
 * rewrite the file atomically under a lock and keep every other entry.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "config.h"
#include "emit.h"
#include "fileio.h"
#include "paths.h"
#include "ref.h"
#include "sealed.h"
#include "wipe.h"

#define STATIC_MAX_SIZE (4u << 20)
#define ENV_PREFIX "CONTAINER_REGISTRY"

extern char **environ;

struct entry {
	char *name; /* the table name, e.g. registry1 */
	char *repo;
	char *username;
	char *password;
	int line;           /* 0 when the entry comes only from the environment */
	bool repo_from_env; /* CONTAINER_REGISTRYn_REPO set repo */
	bool password_from_env; /* CONTAINER_REGISTRYn_PASSWORD set password */
	struct ref ref;
};

struct entries {
	struct entry *v;
	size_t count;
};

struct static_route {
	char *file;
	bool container_env;
};

static const struct option static_options[] = {
	{"file", OPT_STRING, "the credentials file (thin-edge credentials.toml format)"},
	{"container_env", OPT_BOOL,
	 "apply CONTAINER_REGISTRYn_REPO/USERNAME/PASSWORD overrides (default true)"},
	{NULL, OPT_STRING, NULL},
};

/* ---- entries ----------------------------------------------------------- */

static void entry_finish(struct entry *e)
{
	free(e->name);
	free(e->repo);
	free_secret(e->username);
	free_secret(e->password);
	memset(e, 0, sizeof(*e));
}

static void entries_finish(struct entries *es)
{
	for (size_t i = 0; i < es->count; i++)
		entry_finish(&es->v[i]);
	free(es->v);
	es->v = NULL;
	es->count = 0;
}

static struct entry *entries_add(struct entries *es, const char *name)
{
	struct entry *v = realloc(es->v, (es->count + 1) * sizeof(*v));

	if (!v)
		return NULL;
	es->v = v;
	memset(&v[es->count], 0, sizeof(*v));
	v[es->count].name = strdup(name);
	if (!v[es->count].name)
		return NULL;
	return &v[es->count++];
}

static struct entry *entries_named(struct entries *es, const char *name)
{
	for (size_t i = 0; i < es->count; i++) {
		if (strcasecmp(es->v[i].name, name) == 0)
			return &es->v[i];
	}
	return NULL;
}

static int replace(char **field, const char *value, bool secret)
{
	char *copy = strdup(value);

	if (!copy)
		return ERR_NOMEM;
	if (secret)
		free_secret(*field);
	else
		free(*field);
	*field = copy;
	return 0;
}

/* ---- reading the file -------------------------------------------------- */

static int entry_field(struct entry *e, const char *path, const char *key,
		       const struct toml_value *v, int line, struct errbuf *eb)
{
	const char *s;
	size_t len;

	if (!toml_get_string(v, &s, &len) || strlen(s) != len)
		return errbuf_set(eb, ERR_CONFIG, "%s:%d: [%s] %s must be a string", path, line,
				  e->name, key);
	if (strcmp(key, "repo") == 0)
		return replace(&e->repo, s, false);
	if (strcmp(key, "username") == 0)
		return replace(&e->username, s, true);
	if (strcmp(key, "password") == 0)
		return replace(&e->password, s, true);
	return errbuf_set(eb, ERR_CONFIG,
			  "%s:%d: [%s] unknown key '%s' (allowed: repo, username, password)", path,
			  line, e->name, key);
}

static int parse_entry(struct entries *es, const char *path, const char *name,
		       const struct toml_value *table, int line, struct errbuf *eb)
{
	struct entry *e;
	int r = 0;

	if (toml_type(table) != TOML_TABLE)
		return errbuf_set(eb, ERR_CONFIG,
				  "%s:%d: %s: expected a table like [registry1] with repo, "
				  "username and password",
				  path, line, name);
	e = entries_add(es, name);
	if (!e)
		return ERR_NOMEM;
	e->line = line;
	for (size_t i = 0; i < toml_count(table) && r == 0; i++) {
		const char *key;
		int kline;
		const struct toml_value *v = toml_table_at(table, i, &key, NULL, &kline);

		r = entry_field(e, path, key, v, kline, eb);
	}
	return r;
}

static int parse_entries(const char *path, const char *text, size_t len, struct entries *es,
			 struct errbuf *eb)
{
	struct toml_value *root = NULL;
	struct toml_error terr;
	char where[240];
	int r = toml_parse(text, len, &root, &terr);

	if (r < 0) {
		toml_error_format(&terr, where, sizeof(where));
		return errbuf_set(eb, ERR_CONFIG, "%s:%s", path, where);
	}
	for (size_t i = 0; i < toml_count(root) && r == 0; i++) {
		const char *name;
		size_t name_len;
		int line;
		const struct toml_value *t = toml_table_at(root, i, &name, &name_len, &line);

		if (strlen(name) != name_len)
			r = errbuf_set(eb, ERR_CONFIG, "%s:%d: table name contains NUL", path, line);
		else
			r = parse_entry(es, path, name, t, line, eb);
	}
	toml_free(root);
	return r;
}

/* Parses "CONTAINER_REGISTRY<n>_<FIELD>=value"; returns the field or NULL. */
static const char *env_override(const char *var, char *name, size_t size, const char **value)
{
	const char *p = var + strlen(ENV_PREFIX), *us, *eq;
	size_t digits = 0;

	if (strncmp(var, ENV_PREFIX, strlen(ENV_PREFIX)) != 0)
		return NULL;
	while (isdigit((unsigned char)p[digits]))
		digits++;
	us = p + digits;
	eq = strchr(us, '=');
	if (digits == 0 || digits > 6 || *us != '_' || !eq)
		return NULL;
	snprintf(name, size, "registry%.*s", (int)digits, p);
	*value = eq + 1;
	if (eq - us == 5 && strncmp(us, "_REPO", 5) == 0)
		return "repo";
	if (eq - us == 9 && strncmp(us, "_USERNAME", 9) == 0)
		return "username";
	if (eq - us == 9 && strncmp(us, "_PASSWORD", 9) == 0)
		return "password";
	return NULL;
}

static int apply_env(struct entries *es)
{
	for (char **env = environ; env && *env; env++) {
		char name[32];
		const char *value, *field = env_override(*env, name, sizeof(name), &value);
		struct entry *e;
		int r;

		if (!field)
			continue;
		e = entries_named(es, name);
		if (!e && !(e = entries_add(es, name)))
			return ERR_NOMEM;
		if (strcmp(field, "repo") == 0) {
			r = replace(&e->repo, value, false);
			e->repo_from_env = true;
		}
		else if (strcmp(field, "username") == 0)
			r = replace(&e->username, value, true);
		else {
			r = replace(&e->password, value, true);
			e->password_from_env = true;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_refs(const char *path, struct entries *es, struct errbuf *eb)
{
	for (size_t i = 0; i < es->count; i++) {
		struct entry *e = &es->v[i];
		const char *why = NULL;

		if (!e->repo || !*e->repo)
			continue; /* thin-edge skips entries without a repo */
		if (ref_parse_repo(e->repo, &e->ref, &why) == 0)
			continue;
		if (!e->repo_from_env)
			return errbuf_set(eb, ERR_CONFIG, "%s:%d: [%s] repo \"%s\": %s", path,
					  e->line, e->name, e->repo, why ? why : "invalid");
		return errbuf_set(eb, ERR_CONFIG, "%s%s_REPO \"%s\": %s", ENV_PREFIX,
				  e->name + strlen("registry"), e->repo, why ? why : "invalid");
	}
	return 0;
}

/* Loads the file (a missing file is empty) and, if asked, the environment overrides. */
static int load(const char *path, bool with_env, struct entries *es, struct errbuf *eb)
{
	struct buf text = BUF_INIT;
	int r = file_read(path, FILE_SECRET, STATIC_MAX_SIZE, &text, eb);

	if (r == ERR_NOT_FOUND) {
		eb->msg[0] = '\0';
		r = 0;
	} else if (r == 0) {
		r = parse_entries(path, text.data, text.len, es, eb);
	}
	buf_finish(&text);
	if (r == 0 && with_env)
		r = apply_env(es);
	if (r == 0)
		r = parse_refs(path, es, eb);
	if (r < 0)
		entries_finish(es);
	return r;
}

/* ---- matching ---------------------------------------------------------- */

/* True when prefix is "" or a leading run of whole components of path. */
static bool path_within(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return n == 0 || (strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

/* The entry for ref: same registry, longest repository prefix, first on ties. */
static const struct entry *best_entry(const struct entries *es, const struct ref *ref)
{
	const struct entry *best = NULL;

	for (size_t i = 0; i < es->count; i++) {
		const struct entry *e = &es->v[i];

		if (!e->repo || !e->username || !*e->username)
			continue;
		if (strcmp(e->ref.host, ref->host) != 0 || !path_within(ref->path, e->ref.path))
			continue;
		if (!best || strlen(e->ref.path) > strlen(best->ref.path))
			best = e;
	}
	return best;
}

static bool same_ref(const struct ref *a, const struct ref *b)
{
	return strcmp(a->host, b->host) == 0 && strcmp(a->path, b->path) == 0;
}

/* ---- writing ----------------------------------------------------------- */

static bool bare_key(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	}
	return true;
}

static int put_field(struct buf *out, const char *key, const char *value)
{
	int r;

	if (!value)
		return 0;
	r = buf_printf(out, "%s = ", key);
	r = r ? r : emit_toml_string(out, value, strlen(value));
	return r ? r : buf_putc(out, '\n');
}

static int serialize(const struct entries *es, struct buf *out)
{
	int r = buf_puts(out, "# Registry credentials (thin-edge credentials.toml format).\n"
			      "# Written by docker-credential-router: keep it mode 0600.\n");

	for (size_t i = 0; i < es->count && r == 0; i++) {
		const struct entry *e = &es->v[i];

		r = buf_puts(out, "\n[");
		if (r == 0)
			r = bare_key(e->name) ? buf_puts(out, e->name)
					      : emit_toml_string(out, e->name, strlen(e->name));
		r = r ? r : buf_puts(out, "]\n");
		r = r ? r : put_field(out, "repo", e->repo);
		r = r ? r : put_field(out, "username", e->username);
		r = r ? r : put_field(out, "password", e->password);
	}
	return r;
}

static int save(const char *path, const struct entries *es, struct errbuf *eb)
{
	struct buf text = BUF_INIT;
	int r = serialize(es, &text);

	if (r == 0)
		r = file_write_atomic(path, text.data, text.len, eb);
	buf_finish(&text);
	return r;
}

/* A table name no entry uses yet: registry1, registry2, ... */
static int free_name(const struct entries *es, char *name, size_t size)
{
	for (unsigned n = 1; n < 1000000; n++) {
		snprintf(name, size, "registry%u", n);
		if (!entries_named((struct entries *)es, name))
			return 0;
	}
	return ERR_LIMIT;
}

static int upsert(struct entries *es, const struct request *req, const struct creds *creds)
{
	char name[32], repo[REF_HOST_MAX + REF_PATH_MAX];
	struct entry *e = NULL;
	int r;

	for (size_t i = 0; i < es->count && !e; i++) {
		if (es->v[i].repo && same_ref(&es->v[i].ref, &req->ref))
			e = &es->v[i];
	}
	if (!e) {
		r = free_name(es, name, sizeof(name));
		if (r < 0)
			return r;
		e = entries_add(es, name);
		if (!e)
			return ERR_NOMEM;
		ref_format(&req->ref, repo, sizeof(repo));
		if (replace(&e->repo, repo, false) < 0)
			return ERR_NOMEM;
	}
	r = replace(&e->username, creds->username, true);
	return r ? r : replace(&e->password, creds->secret, true);
}

/* Removes every entry for exactly this registry and repository; false if none. */
static bool remove_ref(struct entries *es, const struct ref *ref)
{
	size_t kept = 0;
	bool removed = false;

	for (size_t i = 0; i < es->count; i++) {
		if (es->v[i].repo && same_ref(&es->v[i].ref, ref)) {
			entry_finish(&es->v[i]);
			removed = true;
		} else {
			es->v[kept++] = es->v[i];
		}
	}
	es->count = kept;
	return removed;
}

enum change { CHANGE_STORE, CHANGE_ERASE };

/* Read-modify-write under the file's lock, so concurrent logins lose nothing. */
static int change(const struct route *route, const struct request *req, const struct creds *creds,
		  enum change what, struct errbuf *eb)
{
	const struct static_route *sr = route->data;
	struct entries es = {0};
	char *dir = paths_dirname(sr->file);
	int lock = -1, r;

	r = dir ? dir_ensure(dir, eb) : ERR_NOMEM;
	if (r == 0)
		r = lock = file_lock(sr->file, eb);
	if (r >= 0)
		r = load(sr->file, false, &es, eb);
	if (r >= 0 && what == CHANGE_STORE)
		r = upsert(&es, req, creds);
	else if (r >= 0 && !remove_ref(&es, &req->ref))
		r = ERR_NOT_FOUND;
	if (r >= 0)
		r = save(sr->file, &es, eb);
	file_unlock(lock);
	entries_finish(&es);
	free(dir);
	return r < 0 ? r : 0;
}

/* ---- the backend ------------------------------------------------------- */

static int static_configure(struct route *route, const struct toml_value *table,
			    struct errbuf *eb)
{
	struct static_route *sr = calloc(1, sizeof(*sr));
	int r;

	if (!sr)
		return ERR_NOMEM;
	route->data = sr;
	sr->container_env = config_opt_bool(table, "container_env", true);
	r = config_opt_path(route, table, "file", &sr->file, eb);
	if (r == 0 && !sr->file)
		r = config_route_error(eb, route, table, NULL,
				       "no credentials file (add file = "
				       "\"/etc/docker-credential-router/credentials.toml\")");
	return r;
}

static void static_finish(struct route *route)
{
	struct static_route *sr = route->data;

	if (sr)
		free(sr->file);
	free(sr);
	route->data = NULL;
}

/* The entry's credentials; an age-encrypted password is decrypted here, at the moment of use. */
static int answer(const struct route *route, const struct entry *e, bool username_only,
		  struct creds *out, struct errbuf *eb)
{
	const struct static_route *sr = route->data;
	char what[600];
	char *password = NULL;
	int r;

	if (username_only || !sealed_is(e->password))
		return creds_set(out, e->username, e->password ? e->password : "");
	if (e->password_from_env)
		snprintf(what, sizeof(what), "%s%s_PASSWORD", ENV_PREFIX,
			 e->name + strlen("registry"));
	else
		snprintf(what, sizeof(what), "password of [%s] in %s", e->name, sr->file);
	r = sealed_open(route, what, e->password, &password, eb);
	if (r == 0)
		r = creds_set(out, e->username, password);
	free_secret(password);
	return r;
}

static int static_get(const struct route *route, const struct request *req, struct creds *out,
		      struct errbuf *eb)
{
	const struct static_route *sr = route->data;
	struct entries es = {0};
	const struct entry *e;
	int r = load(sr->file, sr->container_env, &es, eb);

	if (r < 0)
		return r;
	e = best_entry(&es, &req->ref);
	r = e ? answer(route, e, req->username_only, out, eb) : ERR_NOT_FOUND;
	entries_finish(&es);
	return r;
}

static int static_store(const struct route *route, const struct request *req,
			const struct creds *creds, struct errbuf *eb)
{
	return change(route, req, creds, CHANGE_STORE, eb);
}

static int static_erase(const struct route *route, const struct request *req, struct errbuf *eb)
{
	return change(route, req, NULL, CHANGE_ERASE, eb);
}

static int static_list(const struct route *route, list_add_fn add, void *ctx, struct errbuf *eb)
{
	const struct static_route *sr = route->data;
	char key[REF_HOST_MAX + REF_PATH_MAX];
	struct entries es = {0};
	int r = load(sr->file, sr->container_env, &es, eb);

	for (size_t i = 0; i < es.count && r == 0; i++) {
		const struct entry *e = &es.v[i];

		if (!e->repo || !*e->repo || !e->username || !*e->username)
			continue; /* as load() and get skip them */
		ref_format(&e->ref, key, sizeof(key));
		r = add(ctx, key, e->username);
	}
	entries_finish(&es);
	return r;
}

/* Age-encrypted passwords need an identity; check says which one is used. */
static int check_sealed(const struct route *route, const struct entries *es, struct buf *report,
			struct errbuf *eb)
{
	const char *identity = sealed_identity(route);
	size_t sealed = 0;

	for (size_t i = 0; i < es->count; i++)
		sealed += sealed_is(es->v[i].password);
	if (!sealed)
		return 0;
	if (!identity)
		return errbuf_set(eb, ERR_CONFIG,
				  "%zu age-encrypted password%s but no identity_file is set (set "
				  "identity_file or " SEALED_IDENTITY_ENV ")",
				  sealed, sealed == 1 ? "" : "s");
	return buf_printf(report, "ok: %s: %zu age-encrypted password%s, identity file %s\n",
			  route->name, sealed, sealed == 1 ? "" : "s", identity);
}

static int static_check(const struct route *route, struct buf *report, struct errbuf *eb)
{
	const struct static_route *sr = route->data;
	struct entries es = {0};
	struct buf probe = BUF_INIT;
	int r = file_read(sr->file, FILE_SECRET, STATIC_MAX_SIZE, &probe, eb);

	buf_finish(&probe);
	if (r == ERR_NOT_FOUND && route->index == 0) {
		eb->msg[0] = '\0';
		return buf_printf(report, "ok: %s: %s does not exist yet (created on first store)\n",
				  route->name, sr->file);
	}
	if (r == ERR_NOT_FOUND)
		return errbuf_set(eb, ERR_CONFIG, "%s does not exist (create it, mode 0600)",
				  sr->file);
	if (r == 0)
		r = load(sr->file, sr->container_env, &es, eb);
	if (r == 0)
		r = buf_printf(report, "ok: %s: %s: %zu entr%s\n", route->name, sr->file, es.count,
			       es.count == 1 ? "y" : "ies");
	if (r == 0)
		r = check_sealed(route, &es, report, eb);
	entries_finish(&es);
	return r;
}

static void static_describe(const struct route *route, const struct request *req,
			    struct buf *out)
{
	const struct static_route *sr = route->data;
	struct entries es = {0};
	struct errbuf eb = {{0}};
	const struct entry *e;
	int r = load(sr->file, sr->container_env, &es, &eb);

	if (r < 0) {
		buf_printf(out, "file %s: %s", sr->file, errbuf_str(&eb, r));
		return;
	}
	e = best_entry(&es, &req->ref);
	if (!e)
		buf_printf(out, "file %s: no entry for %s", sr->file, req->ref.host);
	else if (e->line)
		buf_printf(out, "file %s: [%s] at line %d (repo \"%s\", username \"%s\")", sr->file,
			   e->name, e->line, e->repo, e->username);
	else
		buf_printf(out, "environment %s%s_*: repo \"%s\", username \"%s\"", ENV_PREFIX,
			   e->name + strlen("registry"), e->repo, e->username);
	if (e && sealed_is(e->password))
		buf_printf(out, ", password age-encrypted (identity %s)",
			   sealed_identity(route) ? sealed_identity(route) : "not set");
	entries_finish(&es);
}

const struct backend static_backend = {
	.name = "static",
	.summary = "credentials from a TOML file (thin-edge credentials.toml format)",
	.options = static_options,
	.writable = true,
	.configure = static_configure,
	.finish = static_finish,
	.get = static_get,
	.store = static_store,
	.erase = static_erase,
	.list = static_list,
	.check = static_check,
	.describe = static_describe,
};
