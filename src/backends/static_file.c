/* SPDX-License-Identifier: MIT */
/*
 * The static backend's credentials file (static_file.h): reading it and the
 * CONTAINER_REGISTRYn_* overrides into entries, adding, changing and removing
 * entries, and writing the file back.
 */
#include "backends/static_file.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "emit.h"
#include "fileio.h"
#include "toml.h"
#include "wipe.h"

extern char **environ;

/* ---- entries ----------------------------------------------------------- */

static void entry_finish(struct entry *e)
{
	free(e->name);
	free(e->repo);
	free_secret(e->username);
	free_secret(e->password);
	memset(e, 0, sizeof(*e));
}

void static_file_finish(struct entries *es)
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
int static_file_load(const char *path, bool with_env, struct entries *es, struct errbuf *eb)
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
		static_file_finish(es);
	return r;
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

int static_file_save(const char *path, const struct entries *es, struct errbuf *eb)
{
	struct buf text = BUF_INIT;
	int r = serialize(es, &text);

	if (r == 0)
		r = file_write_atomic(path, text.data, text.len, eb);
	buf_finish(&text);
	return r;
}

/* ---- changing entries -------------------------------------------------- */

static bool same_ref(const struct ref *a, const struct ref *b)
{
	return strcmp(a->host, b->host) == 0 && strcmp(a->path, b->path) == 0;
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

int static_file_upsert(struct entries *es, const struct request *req, const struct creds *creds)
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
bool static_file_remove(struct entries *es, const struct ref *ref)
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
