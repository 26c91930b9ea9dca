/* SPDX-License-Identifier: MIT */
/*
 * The front end of the helper-executable protocol (helper.h): finds a helper
 * and runs it through subproc.  The helper end is helper_serve.c, so that a
 * helper executable does not link the process runner.  Both link libc and
 * jansson only.
 */
#include "helper.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "build-config.h"
#include "log.h"
#include "subproc.h"
#include "wipe.h"

#define HELPER_DIR_ENV "DOCKER_CREDENTIAL_ROUTER_LIBEXECDIR"
#define HELPER_OUTPUT_MAX (256u * 1024u) /* an answer is a few KiB */

/* ---- finding a helper -------------------------------------------------- */

/* A helper we may run: a regular executable file nobody else can rewrite. */
static int usable(const char *path, struct errbuf *eb)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return ERR_NOT_FOUND;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
		return errbuf_set(eb, ERR_CONFIG, "%s is not an executable file", path);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) || (st.st_uid != 0 && st.st_uid != geteuid()))
		return errbuf_set(eb, ERR_PERM,
				  "bad owner or permissions on %s (chown root and chmod go-w it)",
				  path);
	return 0;
}

static char *join(const char *dir, const char *name)
{
	char *path = NULL;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	return path;
}

/* dir/name when it is usable; NULL otherwise (eb set when it exists but is bad). */
static char *try_dir(const char *dir, const char *name, int *r, struct errbuf *eb)
{
	char *path = join(dir, name);

	*r = path ? usable(path, eb) : ERR_NOMEM;
	if (*r == 0)
		return path;
	free(path);
	return NULL;
}

/* The directory of the running executable (the build tree), or NULL. */
static char *self_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash || slash == exe)
		return NULL;
	*slash = '\0';
	return strdup(exe);
}

char *helper_path(const char *name, struct errbuf *eb)
{
	const char *env = getenv(HELPER_DIR_ENV);
	char *dir, *path;
	int r;

	if (!name || !*name || strchr(name, '/')) {
		errbuf_set(eb, ERR_INVALID, "bad helper name");
		return NULL;
	}
	if (env && *env) {
		if (env[0] != '/') {
			errbuf_set(eb, ERR_CONFIG, "%s must be an absolute path", HELPER_DIR_ENV);
			return NULL;
		}
		path = try_dir(env, name, &r, eb);
		if (!path && r == ERR_NOT_FOUND)
			errbuf_set(eb, ERR_CONFIG, "helper %s not found in %s (%s)", name, env,
				   HELPER_DIR_ENV);
		return path;
	}
	dir = self_dir();
	r = ERR_NOT_FOUND;
	path = dir ? try_dir(dir, name, &r, eb) : NULL;
	free(dir);
	if (path || (r != ERR_NOT_FOUND && r != ERR_NOMEM))
		return path; /* found, or found but unsafe to run */
	path = try_dir(DCR_LIBEXECDIR, name, &r, eb);
	if (!path && r == ERR_NOT_FOUND)
		errbuf_set(eb, ERR_CONFIG,
			   "helper %s not found in %s (reinstall %s, or set %s to its directory)",
			   name, DCR_LIBEXECDIR, DCR_NAME, HELPER_DIR_ENV);
	return path;
}

/* ---- the front end ----------------------------------------------------- */

/* {"error": msg [, "not_found": true]} from a helper that failed. */
static int reported_error(json_t *obj, struct errbuf *eb)
{
	json_t *msg = json_object_get(obj, "error");
	int code = json_is_true(json_object_get(obj, "not_found")) ? ERR_NOT_FOUND : ERR_BACKEND;

	if (!json_is_string(msg))
		return 0;
	return errbuf_set(eb, code, "%s", json_string_value(msg));
}

static int read_answer(const struct subproc_params *params, const struct subproc_result *res,
		       json_t **response, struct errbuf *eb)
{
	json_error_t jerr;
	json_t *obj = NULL;
	int r;

	if (!res->oversize && !res->timed_out && res->out.len)
		obj = json_loadb(res->out.data, res->out.len, 0, &jerr);
	/* A helper reports its failures as {"error": ...} with exit status 1. */
	r = json_is_object(obj) ? reported_error(obj, eb) : 0;
	if (r == 0)
		r = subproc_judge(params, res, eb);
	if (r == 0 && !json_is_object(obj))
		r = errbuf_set(eb, ERR_BACKEND, "%s: %s printed no JSON object", params->label,
			       params->argv[0]);
	if (r < 0) {
		json_decref(obj);
		return r;
	}
	*response = obj; /* transferred */
	return 0;
}

int helper_call(const char *name, json_t *request, long timeout_ms, json_t **response,
		struct errbuf *eb)
{
	struct subproc_result res = {0};
	char *path, *text = NULL;
	char *argv[2] = {NULL, NULL};
	struct subproc_params params = {
		.argv = argv,
		.label = name,
		.max_output = HELPER_OUTPUT_MAX,
		.timeout_ms = timeout_ms > 0 ? timeout_ms : HELPER_TIMEOUT_MS_DEFAULT,
	};
	int r;

	*response = NULL;
	path = helper_path(name, eb);
	if (!path)
		return eb && eb->msg[0] ? ERR_CONFIG : errbuf_set(eb, ERR_CONFIG, "no helper %s", name);
	text = json_dumps(request, JSON_COMPACT);
	if (!text) {
		r = errbuf_set(eb, ERR_NOMEM, "out of memory");
		goto out;
	}
	argv[0] = path;
	params.input = text;
	params.input_len = strlen(text);
	log_debug("running %s", path);
	r = subproc_run(&params, &res, eb);
	if (r == 0)
		r = read_answer(&params, &res, response, eb);
out:
	subproc_result_finish(&res);
	free_secret(text);
	free(path);
	return r;
}
