/* SPDX-License-Identifier: MIT */
/*
 * The script backend: credentials from an external program speaking the
 * thin-edge registry-credentials protocol (PROTOCOLS.md section 4):
 *
 *   <command...> get IMAGE [--refresh]
 *
 * IMAGE is the caller's key as given (an image reference from thin-edge,
 * "docker.io/library/nginx" from the kubelet, a server URL from docker);
 * --refresh is passed on when the caller says the last credentials were
 * rejected.  The program prints {"username":"...","password":"..."} on
 * stdout: keys are matched case-insensitively (the last of equal keys wins,
 * as in Go), other members are ignored, and both values must be non-empty
 * strings.
 *
 * The contract is strict on purpose: exit status 0 with valid JSON is the
 * answer; anything else -- a non-zero exit (even 1 with empty stdout), a
 * signal, exit 0 with empty or invalid output, more than 64 KiB of output,
 * or running past the route's timeout -- is a real error, reported in one
 * line naming the route and the cause.  A script never answers "not found":
 * a route names the registries it serves, so a script that cannot answer
 * for one of them has failed.  Its stdout is never quoted (it may hold the
 * secret).
 *
 * The program is started with posix_spawn (no shell) from an absolute path,
 * with our environment, stdin on /dev/null, in a process group of its own.
 * Its stderr lines are passed to ours, prefixed with the route label (unless
 * DOCKER_CREDENTIAL_ROUTER_LOG=silent).  On timeout the whole group is
 * killed; when the program exits, whatever it left running in its group
 * (still holding our pipes) is killed too, so nothing outlives the request.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "config.h"
#include "log.h"
#include "subproc.h"

#define SCRIPT_OUT_MAX (64u * 1024u) /* stdout cap */
#define SCRIPT_TIMEOUT_DEFAULT 30
#define SCRIPT_TIMEOUT_MAX 3600
#define SCRIPT_EXTRA_ARGS 4 /* get IMAGE --refresh NULL */

struct script_route {
	char **argv; /* the command, NULL-terminated */
	size_t argc;
	long timeout; /* seconds */
};

static const struct option script_options[] = {
	{"command", OPT_STRINGS,
	 "program and arguments, absolute path (runs: command... get IMAGE [--refresh])"},
	{"timeout", OPT_INT, "seconds before the program's process group is killed (default 30)"},
	{NULL, OPT_STRING, NULL},
};

/* ---- configuration ----------------------------------------------------- */

static void free_argv(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static int take_command(struct route *route, const struct toml_value *table,
			struct script_route *sr, struct errbuf *eb)
{
	const struct toml_value *v = toml_table_get(table, "command");
	const char *s;
	size_t n;

	if (!v)
		return config_route_error(eb, route, table, NULL,
					  "no command (add command = [\"/path/to/program\"])");
	n = toml_type(v) == TOML_ARRAY ? toml_count(v) : 0;
	if (n == 0)
		return config_route_error(eb, route, table, "command",
					  "must be an array of the program and its arguments "
					  "(e.g. command = [\"/path/to/program\"])");
	sr->argv = calloc(n + SCRIPT_EXTRA_ARGS, sizeof(*sr->argv));
	if (!sr->argv)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		toml_get_string(toml_array_at(v, i), &s, NULL);
		sr->argv[i] = strdup(s);
		if (!sr->argv[i])
			return ERR_NOMEM;
		sr->argc++;
	}
	if (sr->argv[0][0] != '/')
		return config_route_error(eb, route, table, "command",
					  "\"%s\" is not an absolute path (write the full path, "
					  "e.g. \"/usr/local/bin/%s\"; no PATH search, no shell)",
					  sr->argv[0], sr->argv[0][0] ? sr->argv[0] : "program");
	return 0;
}

static int script_configure(struct route *route, const struct toml_value *table,
			    struct errbuf *eb)
{
	struct script_route *sr = calloc(1, sizeof(*sr));
	int64_t timeout = config_opt_int(table, "timeout", SCRIPT_TIMEOUT_DEFAULT);

	if (!sr)
		return ERR_NOMEM;
	route->data = sr;
	if (timeout < 1 || timeout > SCRIPT_TIMEOUT_MAX)
		return config_route_error(eb, route, table, "timeout",
					  "must be between 1 and %d seconds", SCRIPT_TIMEOUT_MAX);
	sr->timeout = (long)timeout;
	return take_command(route, table, sr, eb);
}

static void script_finish(struct route *route)
{
	struct script_route *sr = route->data;

	if (sr)
		free_argv(sr->argv);
	free(sr);
	route->data = NULL;
}

/* ---- running the program ----------------------------------------------- */

/* command... get IMAGE [--refresh], borrowing every string; NULL-terminated. */
static char **build_argv(const struct script_route *sr, const struct request *req)
{
	char **argv = calloc(sr->argc + SCRIPT_EXTRA_ARGS, sizeof(*argv));
	size_t n = sr->argc;

	if (!argv)
		return NULL;
	memcpy(argv, sr->argv, n * sizeof(*argv));
	argv[n++] = (char *)"get";
	argv[n++] = (char *)req->key;
	if (req->refresh)
		argv[n++] = (char *)"--refresh";
	return argv;
}

/* ---- the answer -------------------------------------------------------- */

/* The last member whose name equals name ignoring case; NULL if none. */
static json_t *member(json_t *obj, const char *name)
{
	const char *key;
	json_t *value, *found = NULL;

	json_object_foreach(obj, key, value) {
		if (strcasecmp(key, name) == 0)
			found = value;
	}
	return found;
}

static int field(const struct route *route, const char *prog, json_t *obj, const char *name,
		 const char **out, struct errbuf *eb)
{
	json_t *v = member(obj, name);

	*out = NULL;
	if (v && !json_is_string(v) && !json_is_null(v))
		return errbuf_set(eb, ERR_BACKEND, "%s: %s printed a %s that is not a string",
				  route->name, prog, name);
	if (!v || json_is_null(v) || json_string_length(v) == 0)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s printed no %s (it must print "
				  "{\"username\":\"...\",\"password\":\"...\"})",
				  route->name, prog, name);
	*out = json_string_value(v);
	if (strlen(*out) != json_string_length(v))
		return errbuf_set(eb, ERR_BACKEND, "%s: %s printed a %s containing a NUL",
				  route->name, prog, name);
	return 0;
}

/* Parses the program's stdout; the text is never quoted in messages. */
static int parse_output(const struct route *route, const char *prog, const struct buf *text,
			struct creds *out, struct errbuf *eb)
{
	const char *user, *pass;
	json_error_t jerr;
	json_t *obj;
	int r;

	if (text->len == 0)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s exited 0 but printed nothing",
				  route->name, prog);
	obj = json_loadb(text->data, text->len, 0, &jerr);
	if (!obj)
		return errbuf_set(eb, ERR_BACKEND,
				  "%s: %s printed invalid JSON (line %d, column %d)", route->name,
				  prog, jerr.line, jerr.column);
	if (!json_is_object(obj))
		r = errbuf_set(eb, ERR_BACKEND, "%s: %s printed JSON that is not an object",
			       route->name, prog);
	else
		r = field(route, prog, obj, "username", &user, eb);
	if (r == 0)
		r = field(route, prog, obj, "password", &pass, eb);
	if (r == 0)
		r = creds_set(out, user, pass);
	json_decref(obj);
	return r;
}

static int script_get(const struct route *route, const struct request *req, struct creds *out,
		      struct errbuf *eb)
{
	const struct script_route *sr = route->data;
	struct subproc_params params = {
		.label = route->name,
		.max_output = SCRIPT_OUT_MAX,
		.timeout_ms = sr->timeout * 1000,
	};
	struct subproc_result res = {0};
	char **argv = build_argv(sr, req);
	int r;

	if (!argv)
		return ERR_NOMEM;
	params.argv = argv;
	log_debug("%s: running %s get %s%s", route->name, sr->argv[0], req->key,
		  req->refresh ? " --refresh" : "");
	r = subproc_run(&params, &res, eb);
	if (r == 0)
		r = subproc_judge(&params, &res, eb);
	if (r == 0)
		r = parse_output(route, sr->argv[0], &res.out, out, eb);
	subproc_result_finish(&res);
	free(argv);
	return r;
}

/* ---- operator views ---------------------------------------------------- */

static int script_check(const struct route *route, struct buf *report, struct errbuf *eb)
{
	const struct script_route *sr = route->data;
	const char *prog = sr->argv[0];
	struct stat st;

	if (stat(prog, &st) < 0)
		return errbuf_set(eb, ERR_CONFIG, "%s: %s (fix the command's path)", prog,
				  strerror(errno));
	if (!S_ISREG(st.st_mode))
		return errbuf_set(eb, ERR_CONFIG, "%s is not a regular file", prog);
	if (access(prog, X_OK) < 0)
		return errbuf_set(eb, ERR_CONFIG, "%s is not executable (chmod +x it)", prog);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return errbuf_set(eb, ERR_PERM, "%s is writable by group or others (chmod go-w it)",
				  prog);
	return buf_printf(report, "ok: %s: %s is executable (timeout %ld s)\n", route->name, prog,
			  sr->timeout);
}

static void script_describe(const struct route *route, const struct request *req,
			    struct buf *out)
{
	const struct script_route *sr = route->data;

	(void)req;
	buf_printf(out, "program %s (%zu configured argument%s) get IMAGE, timeout %ld s",
		   sr->argv[0], sr->argc - 1, sr->argc == 2 ? "" : "s", sr->timeout);
}

const struct backend script_backend = {
	.name = "script",
	.summary = "credentials from a program (thin-edge registry-credentials protocol)",
	.options = script_options,
	.writable = false,
	.configure = script_configure,
	.finish = script_finish,
	.get = script_get,
	.check = script_check,
	.describe = script_describe,
};
