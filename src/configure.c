/* SPDX-License-Identifier: MIT */
/*
 * configure-docker and configure-podman: point Docker's config.json and
 * containers/image's auth.json or registries.conf at the router.  This file
 * holds what both verbs share (flags, loading and committing a file, the JSON
 * edit, the hosts the routes name, the report); configure_docker.c and
 * configure_podman.c hold the verbs.
 *
 * Every edit keeps the file's other keys and values, is written to a
 * temporary file in the same directory and renamed over the original (which
 * keeps its mode and owner, as the docker CLI does; a new file is 0600, a new
 * registries.conf 0644), leaves the previous version in PATH.bak, and happens
 * only when something changes: a second run prints "nothing to change" and
 * leaves the file alone.  Docker and containers/image write their files with
 * Go's json.MarshalIndent(v, "", "\t"), so we indent with tabs too.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build-config.h"
#include "cmd.h"
#include "config.h"
#include "configure_impl.h"
#include "fileio.h"

#define HUB_DOCKER_KEY "https://index.docker.io/v1/" /* what the docker CLI looks up */
#define HUB_KEY "docker.io"                         /* what containers/image looks up */
#define EDIT_MAX (16u << 20)

/* ---- arguments ------------------------------------------------------------ */

/* Parses "--name VALUE", "--name=VALUE" and switches; 1 (after the usage line) on error. */
int configure_parse_flags(int argc, char **argv, const struct flag *flags, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		const struct flag *f = flags;

		while (f->name && (strlen(f->name) != n || strncmp(f->name, argv[i], n) != 0))
			f++;
		if (!f->name || (!f->value && eq) || (f->value && !eq && i + 1 >= argc))
			return out_error("usage: %s %s %s", DCR_NAME, argv[0], usage);
		if (!f->value)
			*f->set = true;
		else
			*f->value = eq ? eq + 1 : argv[++i];
		if (f->value && !**f->value)
			return out_error("error: %s needs a path", f->name);
	}
	return 0;
}

/* ---- the file ------------------------------------------------------------- */

static int read_fd(int fd, struct target *t, struct errbuf *eb)
{
	char chunk[16384];
	ssize_t n;
	int r = 0;

	while (r == 0 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = errbuf_set(eb, ERR_IO, "cannot read %s: %s", t->path, strerror(errno));
		else if (t->old.len + (size_t)n > EDIT_MAX)
			r = errbuf_set(eb, ERR_TOO_LARGE, "%s is larger than %u bytes", t->path,
				       EDIT_MAX);
		else
			r = buf_append(&t->old, chunk, (size_t)n);
	}
	explicit_bzero(chunk, sizeof(chunk));
	return r < 0 ? r : buf_reserve(&t->old, 0);
}

/* Reads path if it exists (a missing file is an empty new one). */
int configure_target_load(struct target *t, const char *path, struct errbuf *eb)
{
	char real[PATH_MAX];
	int fd, r;

	t->path = strdup(realpath(path, real) ? real : path);
	if (!t->path)
		return ERR_NOMEM;
	fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return errbuf_set(eb, ERR_IO, "cannot open %s: %s", t->path, strerror(errno));
	if (fstat(fd, &t->st) < 0)
		r = errbuf_set(eb, ERR_IO, "cannot stat %s: %s", t->path, strerror(errno));
	else if (!S_ISREG(t->st.st_mode))
		r = errbuf_set(eb, ERR_INVALID, "%s is not a regular file", t->path);
	else
		r = read_fd(fd, t, eb);
	close(fd);
	t->exists = r == 0;
	return r;
}

void configure_target_finish(struct target *t)
{
	free(t->path);
	buf_finish(&t->old);
	buf_finish(&t->report);
}

/* Saves the old version as PATH.bak and text as PATH; new_mode for a new file (0: 0600). */
int configure_target_commit(struct target *t, const struct buf *text, mode_t new_mode,
			    struct errbuf *eb)
{
	struct stat fresh = {.st_mode = new_mode, .st_uid = geteuid(), .st_gid = getegid()};
	char *bak = NULL;
	int r = 0;

	if (t->exists) {
		if (asprintf(&bak, "%s.bak", t->path) < 0)
			return ERR_NOMEM;
		r = file_write_atomic_like(bak, t->old.data, t->old.len, &t->st, eb);
	}
	if (r == 0)
		r = file_write_atomic_like(t->path, text->data, text->len,
					   t->exists ? &t->st : new_mode ? &fresh : NULL, eb);
	if (r == 0 && bak)
		r = buf_printf(&t->report, "%s: saved (previous version in %s)\n", t->path, bak);
	else if (r == 0)
		r = buf_printf(&t->report, "%s: created\n", t->path);
	free(bak);
	return r;
}

/* ---- JSON: config.json and auth.json --------------------------------------- */

static int json_doc(const struct target *t, json_t **root, struct errbuf *eb)
{
	json_error_t je;
	size_t i = 0;

	*root = NULL;
	while (i < t->old.len && (t->old.data[i] == ' ' || t->old.data[i] == '\t' ||
				  t->old.data[i] == '\r' || t->old.data[i] == '\n'))
		i++;
	if (i == t->old.len) /* missing or empty: the docker CLI reads it as {} */
		return (*root = json_object()) ? 0 : ERR_NOMEM;
	*root = json_loadb(t->old.data, t->old.len, JSON_ALLOW_NUL, &je);
	if (!*root)
		return errbuf_set(eb, ERR_INVALID,
				  "%s:%d:%d: not valid JSON: %s (fix it or move it away)", t->path,
				  je.line, je.column, je.text);
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return errbuf_set(eb, ERR_INVALID,
				  "%s is not a JSON object (fix it or move it away: the file must "
				  "look like {\"auths\": {}})",
				  t->path);
	}
	return 0;
}

/* Sets obj[key] (named what in the report) to "router"; why ends the report line. */
static int set_helper(struct target *t, json_t *obj, const char *key, const char *what,
		      const char *why)
{
	json_t *cur = json_object_get(obj, key);
	const char *old = json_string_value(cur);
	int r;

	if (old && strcmp(old, HELPER) == 0)
		return 0;
	if (old)
		r = buf_printf(&t->report, "%s: %s: \"%s\" -> \"%s\"%s\n", t->path, what, old,
			       HELPER, why);
	else
		r = buf_printf(&t->report, "%s: %s: %s \"%s\"%s\n", t->path, what,
			       cur ? "replaced a non-string value with" : "added", HELPER, why);
	if (r == 0 && json_object_set_new(obj, key, json_string(HELPER)) < 0)
		r = ERR_NOMEM;
	t->changes++;
	return r;
}

static int set_cred_helpers(struct target *t, json_t *root, json_t *hosts, struct errbuf *eb)
{
	json_t *helpers = json_object_get(root, "credHelpers"), *route;
	const char *key;
	int r = 0;

	if (!helpers || json_is_null(helpers)) {
		helpers = json_object();
		if (!helpers || json_object_set_new(root, "credHelpers", helpers) < 0)
			return ERR_NOMEM;
	} else if (!json_is_object(helpers)) {
		return errbuf_set(eb, ERR_INVALID,
				  "%s: credHelpers is not a JSON object (fix it or move the file "
				  "away)",
				  t->path);
	}
	json_object_foreach(hosts, key, route)
	{
		char what[REF_HOST_MAX + 32], why[160];

		snprintf(what, sizeof(what), "credHelpers[\"%s\"]", key);
		snprintf(why, sizeof(why), " (%s)", json_string_value(route));
		r = set_helper(t, helpers, key, what, why);
		if (r < 0)
			break;
	}
	return r;
}

/* The JSON text as Go's MarshalIndent(v, "", "\t") lays it out. */
static int json_text(json_t *root, bool newline, struct buf *out)
{
	char *s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	bool line_start = true;
	int r = s ? 0 : ERR_NOMEM;

	/* Strings are escaped, so every line break is jansson's and the spaces after it indent. */
	for (const char *p = s; r == 0 && *p; p++) {
		if (line_start && *p == ' ') {
			r = buf_putc(out, '\t');
			continue;
		}
		line_start = *p == '\n';
		r = buf_putc(out, *p);
	}
	if (r == 0 && newline)
		r = buf_putc(out, '\n');
	free(s);
	return r;
}

/* ---- the hosts the routes name ---------------------------------------------- */

static int add_host(json_t *hosts, const char *key, const char *route)
{
	if (json_object_get(hosts, key)) /* the first route wins, as in routing */
		return 0;
	return json_object_set_new(hosts, key, json_string(route)) < 0 ? ERR_NOMEM : 0;
}

/*
 * Collects key -> route name for every registry a route names literally (with
 * both Docker Hub keys for the docker CLI), and a note for every other pattern.
 */
static int collect_hosts(const struct config *config, bool docker, json_t *hosts,
			 struct buf *notes)
{
	int r = 0;

	for (size_t i = 0; i < config->count && r == 0; i++) {
		const struct route *route = &config->routes[i];

		for (size_t j = 0; j < route->match_count && r == 0; j++) {
			const struct pattern *p = &route->patterns[j];
			char key[REF_HOST_MAX + 16];

			if (!pattern_is_literal(p)) {
				r = buf_printf(notes,
					       "skipped \"%s\" (%s): credHelpers names exact "
					       "hosts; --global covers every registry\n",
					       route->match[j], route->name);
				continue;
			}
			if (p->hub && docker)
				r = add_host(hosts, HUB_DOCKER_KEY, route->name);
			if (p->port)
				snprintf(key, sizeof(key), "%s:%u", p->host, p->port);
			else
				snprintf(key, sizeof(key), "%s", p->hub ? HUB_KEY : p->host);
			r = r ? r : add_host(hosts, key, route->name);
		}
	}
	return r;
}

int configure_routed_hosts(bool docker, json_t **hosts, struct buf *notes, struct errbuf *eb)
{
	struct config *config = NULL;
	int r = config_load(&config, eb);

	*hosts = NULL;
	if (r < 0)
		return r;
	*hosts = json_object();
	r = *hosts ? collect_hosts(config, docker, *hosts, notes) : ERR_NOMEM;
	if (r == 0 && json_object_size(*hosts) == 0)
		r = errbuf_set(eb, ERR_CONFIG,
			       "no route of %s names a registry literally (add a route with "
			       "match = \"HOST\", or use --global for every registry)",
			       config->origin);
	config_free(config);
	return r;
}

/* ---- running an edit ------------------------------------------------------- */

/* Prints the notes and the report (or "nothing to change"), or the error. */
int configure_finish(struct target *t, struct buf *notes, int r, struct errbuf *eb)
{
	if (notes->len)
		out_write(notes->data, notes->len);
	if (r < 0)
		return out_error("error: %s", errbuf_str(eb, r));
	if (!t->changes)
		buf_printf(&t->report, "%s: nothing to change\n", t->path);
	out_write(t->report.data, t->report.len);
	return 0;
}

/* Points the JSON file at path at the router: credHelpers for hosts, or credsStore. */
static int write_json(const char *path, json_t *hosts, struct buf *notes)
{
	struct target t = {.old = BUF_INIT, .report = BUF_INIT};
	struct errbuf eb = {{0}};
	struct buf text = BUF_INIT;
	json_t *root = NULL;
	int r = configure_target_load(&t, path, &eb);

	r = r ? r : json_doc(&t, &root, &eb);
	if (r == 0 && hosts) {
		r = set_cred_helpers(&t, root, hosts, &eb);
	} else if (r == 0) {
		json_t *old = json_incref(json_object_get(root, "credsStore"));

		r = set_helper(&t, root, "credsStore", "credsStore", "");
		if (r == 0 && json_string_value(old) && strcmp(json_string_value(old), HELPER) != 0)
			r = buf_printf(&t.report,
				       "%s: note: credentials kept by docker-credential-%s are no "
				       "longer read\n",
				       t.path, json_string_value(old));
		json_decref(old);
	}
	if (r == 0 && t.changes) {
		bool newline = t.old.len && t.old.data[t.old.len - 1] == '\n';

		r = json_text(root, newline, &text);
		r = r ? r : configure_target_commit(&t, &text, 0, &eb);
	}
	r = configure_finish(&t, notes, r, &eb);
	json_decref(root);
	buf_finish(&text);
	configure_target_finish(&t);
	return r;
}

int configure_json(const char *path, bool routed, bool docker)
{
	struct buf notes = BUF_INIT;
	struct errbuf eb = {{0}};
	json_t *hosts = NULL;
	int r = routed ? configure_routed_hosts(docker, &hosts, &notes, &eb) : 0;

	if (r < 0) {
		out_write(notes.data, notes.len);
		r = out_error("error: %s", errbuf_str(&eb, r));
	} else {
		r = write_json(path, hosts, &notes);
	}
	json_decref(hosts);
	buf_finish(&notes);
	return r;
}
