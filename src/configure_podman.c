/* SPDX-License-Identifier: MIT */
/*
 * configure-podman: point containers/image's auth.json (credHelpers, through
 * configure.c) or, with --global, a registries.conf.d drop-in
 * (credential-helpers) at the router.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "configure_impl.h"
#include "paths.h"
#include "toml.h"

#define AUTH_FILE_HELPER "containers-auth.json"
#define HELPERS_KEY "credential-helpers"
/* Read by containers/image after /etc/containers/registries.conf.d, for every user. */
#define DROPIN ".config/containers/registries.conf.d/50-docker-credential-router.conf"

/* ---- registries.conf ------------------------------------------------------- */

/* Creates the missing directories above path with mode (umask aside). */
static int make_parents(const char *path, mode_t mode, struct errbuf *eb)
{
	char tmp[PATH_MAX];

	if (strlen(path) >= sizeof(tmp))
		return errbuf_set(eb, ERR_INVALID, "path too long: %s", path);
	strcpy(tmp, path);
	for (char *p = tmp + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(tmp, mode) == 0)
			(void)chmod(tmp, mode);
		else if (errno != EEXIST)
			return errbuf_set(eb, ERR_IO, "cannot create directory %s: %s", tmp,
					  strerror(errno));
		*p = '/';
	}
	return 0;
}

/* A TOML basic string. */
static int toml_quote(struct buf *out, const char *s)
{
	int r = buf_putc(out, '"');

	for (; r == 0 && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			r = buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			r = buf_printf(out, "\\u%04x", c);
		else
			r = buf_putc(out, (char)c);
	}
	return r ? r : buf_putc(out, '"');
}

/* `credential-helpers = [...]` listing helpers (may be NULL) and then "router". */
static int helpers_line(struct buf *out, const struct toml_value *helpers)
{
	size_t n = helpers ? toml_count(helpers) : 0;
	int r = buf_puts(out, HELPERS_KEY " = [");

	if (n == 0) /* absent or empty means the auth files alone: keep them first */
		r = r ? r : buf_puts(out, "\"" AUTH_FILE_HELPER "\", ");
	for (size_t i = 0; i < n && r == 0; i++) {
		const char *s = NULL;

		toml_get_string(toml_array_at(helpers, i), &s, NULL);
		r = toml_quote(out, s);
		r = r ? r : buf_puts(out, ", ");
	}
	return r ? r : buf_puts(out, "\"" HELPER "\"]\n");
}

/* The credential-helpers value of root, its key's line; ERR_INVALID if not strings. */
static int find_helpers(const struct toml_value *root, const struct toml_value **value,
			int *line)
{
	*value = NULL;
	for (size_t i = 0; i < toml_count(root); i++) {
		const char *key;
		int key_line = 0;
		const struct toml_value *v = toml_table_at(root, i, &key, NULL, &key_line);

		if (strcmp(key, HELPERS_KEY) != 0)
			continue;
		*line = key_line;
		if (toml_type(v) != TOML_ARRAY)
			return ERR_INVALID;
		for (size_t j = 0; j < toml_count(v); j++) {
			if (toml_type(toml_array_at(v, j)) != TOML_STRING)
				return ERR_INVALID;
		}
		*value = v;
	}
	return 0;
}

/* Where line (1-based) starts and ends (after its '\n') in text. */
static void line_span(const struct buf *text, int line, size_t *start, size_t *end)
{
	size_t i = 0;

	for (int l = 1; l < line && i < text->len; i++) {
		if (text->data[i] == '\n')
			l++;
	}
	*start = i;
	while (i < text->len && text->data[i] != '\n')
		i++;
	*end = i < text->len ? i + 1 : i;
}

/* Whether the key's line alone holds the whole credential-helpers assignment. */
static bool one_line(const struct buf *text, size_t start, size_t end, size_t count)
{
	struct toml_value *root = NULL;
	struct toml_error te;
	const struct toml_value *v = NULL;
	int line;
	bool ok = toml_parse(text->data + start, end - start, &root, &te) == 0 &&
		  find_helpers(root, &v, &line) == 0 && v && toml_count(v) == count &&
		  toml_count(root) == 1;

	toml_free(root);
	return ok;
}

/* Adds "router" to credential-helpers in the TOML text of t, into out. */
static int registries_text(struct target *t, struct buf *out, struct errbuf *eb)
{
	struct toml_value *root = NULL;
	const struct toml_value *v = NULL;
	struct toml_error te = {0};
	size_t start = 0, end = 0;
	int line = 0, r;

	if (toml_parse(t->old.data ? t->old.data : "", t->old.len, &root, &te) < 0) {
		char where[256];

		toml_error_format(&te, where, sizeof(where));
		return errbuf_set(eb, ERR_INVALID, "%s:%s (fix it first)", t->path, where);
	}
	r = find_helpers(root, &v, &line);
	if (r < 0)
		r = errbuf_set(eb, ERR_INVALID, "%s:%d: %s must be an array of strings", t->path,
			       line, HELPERS_KEY);
	for (size_t i = 0; r == 0 && v && i < toml_count(v); i++) {
		const char *s = NULL;

		toml_get_string(toml_array_at(v, i), &s, NULL);
		if (strcmp(s, HELPER) == 0)
			goto out; /* already there: nothing to change */
	}
	if (r == 0 && v) {
		line_span(&t->old, line, &start, &end);
		if (!one_line(&t->old, start, end, toml_count(v)))
			r = errbuf_set(eb, ERR_UNSUPPORTED,
				       "%s:%d: %s spans several lines: add \"%s\" to it by hand",
				       t->path, line, HELPERS_KEY, HELPER);
	}
	/* Top-level keys must come before the first table: a new line goes first. */
	if (r == 0 && start)
		r = buf_append(out, t->old.data, start);
	r = r ? r : helpers_line(out, v);
	if (r == 0 && end < t->old.len)
		r = buf_append(out, t->old.data + end, t->old.len - end);
	r = r ? r : buf_printf(&t->report, "%s: %s: added \"%s\"\n", t->path, HELPERS_KEY, HELPER);
	t->changes += r == 0;
out:
	toml_free(root);
	return r;
}

static int configure_registries(const char *path)
{
	static const char header[] = "# Written by docker-credential-router configure-podman "
				     "--global: every registry asks\n# the router after the "
				     "auth files (containers-registries.conf(5)).\n";
	struct target t = {.old = BUF_INIT, .report = BUF_INIT};
	struct errbuf eb = {{0}};
	struct buf text = BUF_INIT, notes = BUF_INIT;
	int r = configure_target_load(&t, path, &eb);

	if (r == 0 && !t.exists)
		r = buf_puts(&text, header);
	r = r ? r : registries_text(&t, &text, &eb);
	/* Readable by everyone: other users' podman reads /etc/containers too. */
	r = r || !t.changes || t.exists ? r : make_parents(t.path, 0755, &eb);
	r = r || !t.changes ? r : configure_target_commit(&t, &text, 0644, &eb);
	r = configure_finish(&t, &notes, r, &eb);
	buf_finish(&text);
	configure_target_finish(&t);
	return r;
}

/* ---- configure-podman ------------------------------------------------------ */

/* The auth.json containers/image reads and writes first (containers-auth.json(5)). */
static char *auth_file_path(const char *arg, struct errbuf *eb)
{
	const char *env = getenv("REGISTRY_AUTH_FILE"), *run = getenv("XDG_RUNTIME_DIR");
	char *path = NULL;
	struct stat st;
	int n;

	if (arg || (env && *env))
		return strdup(arg ? arg : env);
	if (run && *run && stat(run, &st) < 0) {
		errbuf_set(eb, ERR_CONFIG,
			   "XDG_RUNTIME_DIR %s does not exist (create it, unset it, or use "
			   "--auth-file PATH)",
			   run);
		return NULL;
	}
	/* Without XDG_RUNTIME_DIR, containers/image falls back to /run/containers/UID. */
	if (run && *run)
		n = asprintf(&path, "%s/containers/auth.json", run);
	else
		n = asprintf(&path, "/run/containers/%u/auth.json", (unsigned)geteuid());
	return n < 0 ? NULL : path;
}

int cmd_configure_podman(int argc, char **argv)
{
	const char *auth = NULL, *conf = NULL, *home = paths_home();
	bool global = false;
	const struct flag flags[] = {{"--auth-file", &auth, NULL},
				     {"--registries-conf", &conf, NULL},
				     {"--global", NULL, &global},
				     {NULL, NULL, NULL}};
	struct errbuf eb = {{0}};
	char *path = NULL;
	int r;

	if (configure_parse_flags(argc, argv, flags,
				  "[--auth-file PATH] [--registries-conf PATH] [--global]"))
		return 1;
	if (global) {
		if (!conf && home && asprintf(&path, "%s/%s", home, DROPIN) < 0)
			path = NULL;
		if (!conf && !path)
			return out_error("error: no home directory: use --registries-conf PATH");
		r = configure_registries(conf ? conf : path);
		free(path);
		return r;
	}
	path = auth_file_path(auth, &eb);
	if (!path)
		return out_error("error: %s", errbuf_str(&eb, ERR_CONFIG));
	r = configure_json(path, true, false);
	free(path);
	return r;
}
