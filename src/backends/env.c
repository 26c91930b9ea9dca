/* SPDX-License-Identifier: MIT */
/*
 * The env backend: credentials from environment variables.  A route names
 * them with username_env/password_env; without those, the variables for a
 * registry are DCR_<HOST>_USERNAME and DCR_<HOST>_PASSWORD, where <HOST> is
 * host[:port] upper-cased with every other character than A-Z and 0-9 turned
 * into '_' (docker.io -> DCR_DOCKER_IO_USERNAME, localhost:5000 ->
 * DCR_LOCALHOST_5000_USERNAME).  Read-only.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "config.h"
#include "log.h"
#include "sealed.h"
#include "wipe.h"

#define ENV_DEFAULT_PREFIX "DCR_"
#define ENV_NAME_MAX 300

struct env_route {
	char *username_env; /* NULL: derived from the host */
	char *password_env;
};

static const struct option env_options[] = {
	{"username_env", OPT_STRING, "variable holding the username (default DCR_<HOST>_USERNAME)"},
	{"password_env", OPT_STRING, "variable holding the password (default DCR_<HOST>_PASSWORD)"},
	{NULL, OPT_STRING, NULL},
};

static bool valid_name(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	}
	return true;
}

/* DCR_<HOST>_<field> for the registry host. */
static void default_name(const char *host, const char *field, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "%s", ENV_DEFAULT_PREFIX);

	for (const char *p = host; *p && n + 1 < size; p++)
		out[n++] = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
	snprintf(out + n, size - n, "_%s", field);
}

static void names_for(const struct env_route *er, const struct ref *ref, char *user,
		      char *pass)
{
	if (er->username_env)
		snprintf(user, ENV_NAME_MAX, "%s", er->username_env);
	else
		default_name(ref->host, "USERNAME", user, ENV_NAME_MAX);
	if (er->password_env)
		snprintf(pass, ENV_NAME_MAX, "%s", er->password_env);
	else
		default_name(ref->host, "PASSWORD", pass, ENV_NAME_MAX);
}

static int take_name(struct route *route, const struct toml_value *table, const char *key,
		     char **out, struct errbuf *eb)
{
	const char *s = config_opt_string(table, key);

	if (!s)
		return 0;
	if (!valid_name(s))
		return config_route_error(eb, route, table, key,
					  "\"%s\" is not a variable name (letters, digits and _)",
					  s);
	*out = strdup(s);
	return *out ? 0 : ERR_NOMEM;
}

static int env_configure(struct route *route, const struct toml_value *table, struct errbuf *eb)
{
	struct env_route *er = calloc(1, sizeof(*er));
	int r;

	if (!er)
		return ERR_NOMEM;
	route->data = er;
	r = take_name(route, table, "username_env", &er->username_env, eb);
	if (r == 0)
		r = take_name(route, table, "password_env", &er->password_env, eb);
	if (r == 0 && !er->username_env != !er->password_env)
		r = config_route_error(eb, route, table, NULL,
				       "set both username_env and password_env, or neither");
	return r;
}

static void env_finish(struct route *route)
{
	struct env_route *er = route->data;

	if (er) {
		free(er->username_env);
		free(er->password_env);
	}
	free(er);
	route->data = NULL;
}

/* Either value may be age-encrypted: decrypted here, at the moment of use. */
static int answer(const struct route *route, const char *user_var, const char *user,
		  const char *pass_var, const char *pass, struct creds *out, struct errbuf *eb)
{
	char *username = NULL, *password = NULL;
	int r = sealed_open(route, user_var, user, &username, eb);

	if (r == 0)
		r = sealed_open(route, pass_var, pass, &password, eb);
	if (r == 0)
		r = creds_set(out, username, password);
	free_secret(username);
	free_secret(password);
	return r;
}

static int env_get(const struct route *route, const struct request *req, struct creds *out,
		   struct errbuf *eb)
{
	const struct env_route *er = route->data;
	char user_var[ENV_NAME_MAX], pass_var[ENV_NAME_MAX];
	const char *user, *pass;

	names_for(er, &req->ref, user_var, pass_var);
	user = getenv(user_var);
	pass = getenv(pass_var);
	if ((!user || !*user) && (!pass || !*pass) && !er->username_env)
		return ERR_NOT_FOUND; /* derived names: nothing set means nothing configured */
	if (!user || !*user)
		return errbuf_set(eb, ERR_BACKEND, "%s: environment variable %s is not set",
				  route->name, user_var);
	if (!pass)
		return errbuf_set(eb, ERR_BACKEND, "%s: environment variable %s is not set",
				  route->name, pass_var);
	return answer(route, user_var, user, pass_var, req->username_only ? "" : pass, out, eb);
}

/* Literal patterns name registries: those whose variables are set are listed. */
static int env_list(const struct route *route, list_add_fn add, void *ctx, struct errbuf *eb)
{
	const struct env_route *er = route->data;
	int r = 0;

	for (size_t i = 0; i < route->match_count && r == 0; i++) {
		char user_var[ENV_NAME_MAX], pass_var[ENV_NAME_MAX],
		     text[REF_HOST_MAX + PATTERN_PATH_MAX];
		struct ref ref;
		const char *user;
		char *username = NULL;

		if (!pattern_is_literal(&route->patterns[i]))
			continue;
		pattern_format(&route->patterns[i], text, sizeof(text));
		if (ref_parse_repo(text, &ref, NULL) < 0)
			continue;
		names_for(er, &ref, user_var, pass_var);
		user = getenv(user_var);
		ref_format(&ref, text, sizeof(text));
		if (!user || !*user || !getenv(pass_var))
			continue;
		/* Like a get that fails, a username that cannot be decrypted is not listed. */
		r = sealed_open(route, user_var, user, &username, eb);
		if (r == ERR_CONFIG || r == ERR_BACKEND) {
			log_warn("%s: %s not listed: %s", route->name, text, errbuf_str(eb, r));
			r = 0;
		} else if (r == 0) {
			r = add(ctx, text, username);
		}
		free_secret(username);
	}
	return r;
}

static int env_check(const struct route *route, struct buf *report, struct errbuf *eb)
{
	const struct env_route *er = route->data;

	if (!er->username_env)
		return buf_printf(report, "ok: %s: variables %s<HOST>_USERNAME/_PASSWORD\n",
				  route->name, ENV_DEFAULT_PREFIX);
	if (!getenv(er->username_env) || !getenv(er->password_env))
		return errbuf_set(eb, ERR_CONFIG, "%s or %s is not set in this environment",
				  er->username_env, er->password_env);
	return buf_printf(report, "ok: %s: %s and %s are set\n", route->name, er->username_env,
			  er->password_env);
}

static const char *var_state(const char *name)
{
	const char *v = getenv(name);

	return !v ? "unset" : sealed_is(v) ? "set, age-encrypted" : "set";
}

static void env_describe(const struct route *route, const struct request *req, struct buf *out)
{
	char user_var[ENV_NAME_MAX], pass_var[ENV_NAME_MAX];

	names_for(route->data, &req->ref, user_var, pass_var);
	buf_printf(out, "environment: username from %s (%s), password from %s (%s)", user_var,
		   var_state(user_var), pass_var, var_state(pass_var));
}

const struct backend env_backend = {
	.name = "env",
	.summary = "credentials from environment variables",
	.options = env_options,
	.writable = false,
	.configure = env_configure,
	.finish = env_finish,
	.get = env_get,
	.list = env_list,
	.check = env_check,
	.describe = env_describe,
};
