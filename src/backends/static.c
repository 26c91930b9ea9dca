/* SPDX-License-Identifier: MIT */
/*
 * The static backend: credentials from a TOML file of tables with repo,
 * username and password (thin-edge's credentials.toml format; thin-edge reads
 * [registry1]..[registry4], we read every table), plus thin-edge's
 * CONTAINER_REGISTRYn_{REPO,USERNAME,PASSWORD} overrides.  store and erase
 * rewrite the file atomically under a lock and keep every other entry.
 * Reading, changing and writing the file itself: static_file.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "backends/static_file.h"
#include "config.h"
#include "fileio.h"
#include "paths.h"
#include "ref.h"
#include "sealed.h"
#include "wipe.h"

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

/* ---- writing ----------------------------------------------------------- */

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
		r = static_file_load(sr->file, false, &es, eb);
	if (r >= 0 && what == CHANGE_STORE)
		r = static_file_upsert(&es, req, creds);
	else if (r >= 0 && !static_file_remove(&es, &req->ref))
		r = ERR_NOT_FOUND;
	if (r >= 0)
		r = static_file_save(sr->file, &es, eb);
	file_unlock(lock);
	static_file_finish(&es);
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
	int r = static_file_load(sr->file, sr->container_env, &es, eb);

	if (r < 0)
		return r;
	e = best_entry(&es, &req->ref);
	r = e ? answer(route, e, req->username_only, out, eb) : ERR_NOT_FOUND;
	static_file_finish(&es);
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
	int r = static_file_load(sr->file, sr->container_env, &es, eb);

	for (size_t i = 0; i < es.count && r == 0; i++) {
		const struct entry *e = &es.v[i];

		if (!e->repo || !*e->repo || !e->username || !*e->username)
			continue; /* as static_file_load() and get skip them */
		ref_format(&e->ref, key, sizeof(key));
		r = add(ctx, key, e->username);
	}
	static_file_finish(&es);
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
		r = static_file_load(sr->file, sr->container_env, &es, eb);
	if (r == 0)
		r = buf_printf(report, "ok: %s: %s: %zu entr%s\n", route->name, sr->file, es.count,
			       es.count == 1 ? "y" : "ies");
	if (r == 0)
		r = check_sealed(route, &es, report, eb);
	static_file_finish(&es);
	return r;
}

static void static_describe(const struct route *route, const struct request *req,
			    struct buf *out)
{
	const struct static_route *sr = route->data;
	struct entries es = {0};
	struct errbuf eb = {{0}};
	const struct entry *e;
	int r = static_file_load(sr->file, sr->container_env, &es, &eb);

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
	static_file_finish(&es);
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
