/* SPDX-License-Identifier: MIT */
#include "aws/awsroute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/credentials.h"
#include "aws/ecr.h"
#include "aws/ini.h"
#include "cache.h"
#include "config.h"
#include "helper.h"
#include "log.h"
#include "paths.h"

#define HELPER_SLACK_MS 15000L /* the chain (STS, IMDS) on top of the exchange itself */

/* ---- configuration ----------------------------------------------------- */

static int take(const struct route *route, const struct toml_value *table, const char *key,
		char **out, struct errbuf *eb)
{
	const char *s = config_opt_string(table, key);

	*out = NULL;
	if (!s)
		return 0;
	if (!*s)
		return config_route_error(eb, route, table, key, "must not be empty");
	*out = strdup(s);
	return *out ? 0 : ERR_NOMEM;
}

static int check_values(const struct route *route, const struct toml_value *table,
			const struct awsroute *ar, struct errbuf *eb)
{
	struct aws_url url;

	if (ar->region && !aws_region_valid(ar->region))
		return config_route_error(eb, route, table, "region",
					  "\"%s\" is not an AWS region name (e.g. \"us-west-2\")",
					  ar->region);
	if (ar->role_arn && strncmp(ar->role_arn, "arn:", 4) != 0)
		return config_route_error(eb, route, table, "aws_role_arn",
					  "\"%s\" is not an ARN (arn:aws:iam::ACCOUNT:role/NAME)",
					  ar->role_arn);
	if (ar->endpoint && aws_url_parse(ar->endpoint, &url) < 0)
		return config_route_error(eb, route, table, "endpoint",
					  "\"%s\" is not an endpoint URL (https://host[:port][/path])",
					  ar->endpoint);
	if (ar->timeout < 1 || ar->timeout > AWSROUTE_TIMEOUT_MAX)
		return config_route_error(eb, route, table, "timeout",
					  "must be between 1 and %d seconds", AWSROUTE_TIMEOUT_MAX);
	return 0;
}

int awsroute_configure(const struct route *route, const struct toml_value *table,
		       struct awsroute *ar, struct errbuf *eb)
{
	int64_t timeout = config_opt_int(table, "timeout", AWSROUTE_TIMEOUT_DEFAULT);
	int r;

	ar->timeout = timeout < 1 || timeout > AWSROUTE_TIMEOUT_MAX ? 0 : (long)timeout;
	r = take(route, table, "region", &ar->region, eb);
	r = r ? r : take(route, table, "aws_profile", &ar->profile, eb);
	r = r ? r : take(route, table, "aws_role_arn", &ar->role_arn, eb);
	r = r ? r : take(route, table, "endpoint", &ar->endpoint, eb);
	return r ? r : check_values(route, table, ar, eb);
}

void awsroute_finish(struct awsroute *ar)
{
	free(ar->region);
	free(ar->profile);
	free(ar->role_arn);
	free(ar->endpoint);
	memset(ar, 0, sizeof(*ar));
}

/* ---- the exchange ------------------------------------------------------ */

void awsroute_who(const struct awsroute *ar, char *out, size_t size)
{
	struct aws_chain_params p = {ar->profile, ar->role_arn, ar->region, 0};

	if (size)
		out[0] = '\0';
	aws_identity(&p, out, size);
}

static int set_string(json_t *obj, const char *key, const char *value)
{
	if (!value)
		return 0;
	return json_object_set_new(obj, key, json_string(value));
}

json_t *awsroute_request(const struct awsroute *ar, const char *op)
{
	json_t *req = json_object();

	if (!req || set_string(req, "op", op) < 0 || set_string(req, "region", ar->region) < 0 ||
	    set_string(req, "endpoint", ar->endpoint) < 0 ||
	    set_string(req, "profile", ar->profile) < 0 ||
	    set_string(req, "role_arn", ar->role_arn) < 0 ||
	    json_object_set_new(req, "timeout_ms", json_integer((json_int_t)ar->timeout * 1000)) <
		    0) {
		json_decref(req);
		return NULL;
	}
	return req;
}

static const char *answer_string(json_t *resp, const char *key)
{
	json_t *v = json_object_get(resp, key);
	const char *s = json_string_value(v);

	return s && *s && strlen(s) == json_string_length(v) ? s : NULL;
}

static int take_answer(const struct route *route, json_t *resp, struct creds *out,
		       struct errbuf *eb)
{
	const char *user = answer_string(resp, "username");
	const char *pass = answer_string(resp, "password");
	const char *source = answer_string(resp, "source");
	json_t *exp = json_object_get(resp, "expires");
	int r;

	if (!user || !pass)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s answered without a username or "
				  "password", route->name, AWSROUTE_HELPER);
	if (exp && (!json_is_integer(exp) || json_integer_value(exp) < 0))
		return errbuf_set(eb, ERR_BACKEND, "%s: %s answered a bad expiry", route->name,
				  AWSROUTE_HELPER);
	r = creds_set(out, user, pass);
	if (r == 0)
		out->expires = exp ? (time_t)json_integer_value(exp) : 0;
	if (r == 0 && source)
		log_debug("%s: AWS credentials from %s", route->name, source);
	return r;
}

int awsroute_call(const struct route *route, const struct awsroute *ar, json_t *req,
		  struct creds *out, struct errbuf *eb)
{
	struct errbuf heb = {{0}};
	json_t *resp = NULL;
	int r;

	r = helper_call(AWSROUTE_HELPER, req, ar->timeout * 1000 + HELPER_SLACK_MS, &resp, &heb);
	if (r < 0)
		return errbuf_set(eb, r, "%s: %s", route->name, errbuf_str(&heb, r));
	r = take_answer(route, resp, out, eb);
	json_decref(resp);
	return r;
}

/* ---- operator views ---------------------------------------------------- */

/* $AWS_CONFIG_FILE or ~/.aws/config (file == AWS_INI_CONFIG), likewise credentials. */
static char *ini_path(enum aws_ini_file file)
{
	const char *env = aws_env(file == AWS_INI_CONFIG ? "AWS_CONFIG_FILE"
							 : "AWS_SHARED_CREDENTIALS_FILE");
	const char *home = paths_home();
	char *path = NULL;

	if (env)
		return strdup(env);
	if (!home || asprintf(&path, "%s/.aws/%s", home,
			      file == AWS_INI_CONFIG ? "config" : "credentials") < 0)
		return NULL;
	return path;
}

/* The profile as the two files define it (both may be NULL). */
struct profile_files {
	char *config_path, *creds_path;
	struct aws_ini *config, *creds;
};

static void profile_files_load(struct profile_files *pf)
{
	struct errbuf eb = {{0}};

	pf->config_path = ini_path(AWS_INI_CONFIG);
	pf->creds_path = ini_path(AWS_INI_CREDENTIALS);
	if (pf->config_path && aws_ini_load(pf->config_path, AWS_INI_CONFIG, &pf->config, &eb) < 0 &&
	    eb.msg[0])
		log_debug("%s", eb.msg);
	eb.msg[0] = '\0';
	if (pf->creds_path &&
	    aws_ini_load(pf->creds_path, AWS_INI_CREDENTIALS, &pf->creds, &eb) < 0 && eb.msg[0])
		log_debug("%s", eb.msg);
}

static void profile_files_finish(struct profile_files *pf)
{
	aws_ini_destroy(pf->config);
	aws_ini_destroy(pf->creds);
	free(pf->config_path);
	free(pf->creds_path);
}

static bool profile_exists(const struct profile_files *pf, const char *name)
{
	return aws_ini_has(pf->config, AWS_INI_PROFILE, name) ||
	       aws_ini_has(pf->creds, AWS_INI_PROFILE, name);
}

static const char *profile_get(const struct profile_files *pf, const char *name, const char *key)
{
	const char *v = aws_ini_get(pf->creds, AWS_INI_PROFILE, name, key);

	return v ? v : aws_ini_get(pf->config, AWS_INI_PROFILE, name, key);
}

/* What a profile holds, in the SDK's order (never a secret). */
static void describe_profile(const struct profile_files *pf, const char *name, struct buf *out)
{
	const char *v;

	buf_printf(out, "profile %s", name);
	if ((v = profile_get(pf, name, "role_arn")))
		buf_printf(out, ": assume role %s", v);
	else if ((v = profile_get(pf, name, "aws_access_key_id")))
		buf_printf(out, ": keys %s", v);
	else if (profile_get(pf, name, "sso_session") || profile_get(pf, name, "sso_start_url"))
		buf_puts(out, ": AWS SSO");
	else if (profile_get(pf, name, "credential_process"))
		buf_puts(out, ": credential_process");
	else if (profile_get(pf, name, "web_identity_token_file"))
		buf_puts(out, ": web identity");
	else if ((v = profile_get(pf, name, "credential_source")))
		buf_printf(out, ": credential_source %s", v);
}

/* No usable profile: the chain goes on to the container endpoint, then IMDS. */
static void describe_fallback(const char *name, bool named, struct buf *out)
{
	const char *full = aws_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *rel = aws_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *imds = aws_env("AWS_EC2_METADATA_DISABLED");

	if (named) {
		buf_printf(out, "profile %s (not found in the AWS config or credentials file)",
			   name);
		return;
	}
	if (full || rel)
		buf_printf(out, "container credentials (%s)",
			   full ? "AWS_CONTAINER_CREDENTIALS_FULL_URI"
				: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	else if (imds && strcmp(imds, "true") == 0)
		buf_puts(out, "none found (no keys, no profile, EC2 metadata disabled)");
	else
		buf_puts(out, "EC2 instance metadata (IMDSv2), if this is an EC2 instance");
}

void awsroute_describe_source(const struct awsroute *ar, struct buf *out)
{
	struct aws_chain_params p = {ar->profile, ar->role_arn, ar->region, 0};
	enum aws_first_source s = aws_first_source(&p);
	struct profile_files pf = {0};
	const char *name;

	switch (s) {
	case AWS_FIRST_ENV:
		buf_printf(out, "environment keys %s (AWS_ACCESS_KEY_ID%s)", aws_env_key_id(s),
			   aws_env("AWS_SESSION_TOKEN") ? " with AWS_SESSION_TOKEN" : "");
		break;
	case AWS_FIRST_DSTACK:
		buf_printf(out, "dstack keys %s (DSTACK_AWS_ACCESS_KEY_ID)", aws_env_key_id(s));
		break;
	case AWS_FIRST_WEB_IDENTITY:
		buf_printf(out, "web identity token %s for role %s",
			   aws_env("AWS_WEB_IDENTITY_TOKEN_FILE"), aws_env("AWS_ROLE_ARN"));
		break;
	case AWS_FIRST_PROFILE:
		name = aws_profile_name(&p);
		profile_files_load(&pf);
		if (profile_exists(&pf, name))
			describe_profile(&pf, name, out);
		else
			describe_fallback(name, ar->profile || aws_env("AWS_PROFILE") ||
							aws_env("AWS_DEFAULT_PROFILE"),
					  out);
		profile_files_finish(&pf);
		break;
	}
	if (ar->role_arn)
		buf_printf(out, ", then assume role %s", ar->role_arn);
}

struct cache_find {
	const char *route, *registry, *who;
	time_t issued, expires;
	bool found;
};

static int find_entry(void *ctx, const char *route, const char *registry, const char *who,
		      time_t issued, time_t expires)
{
	struct cache_find *f = ctx;

	if (strcmp(route, f->route) == 0 && strcmp(registry, f->registry) == 0 &&
	    strcmp(who, f->who) == 0) {
		f->found = true;
		f->issued = issued;
		f->expires = expires;
	}
	return 0;
}

static void utc(time_t t, char out[32])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "%lld", (long long)t);
}

void awsroute_describe_cache(const struct route *route, const char *registry, const char *who,
			     struct buf *out)
{
	struct cache_params params = {.now = time(NULL)};
	struct cache_find f = {route->name, registry, who, 0, 0, false};
	struct errbuf eb = {{0}};
	char half[32], end[32];
	time_t mid;

	if (cache_list(&params, find_entry, &f, &eb) < 0) {
		buf_printf(out, "cache unreadable (%s)", eb.msg);
		return;
	}
	if (!f.found) {
		buf_puts(out, "none cached (the next get asks AWS)");
		return;
	}
	mid = f.issued + (f.expires - f.issued) / 2;
	utc(mid, half);
	utc(f.expires, end);
	if (params.now >= f.expires)
		buf_printf(out, "expired at %s (the next get asks AWS)", end);
	else if (params.now < mid)
		buf_printf(out, "cached, fresh until %s, expires %s", half, end);
	else
		buf_printf(out, "cached, stale since %s (refreshed on next use), expires %s", half,
			   end);
}

int awsroute_check(const struct route *route, const struct awsroute *ar, struct buf *report,
		   struct errbuf *eb)
{
	struct profile_files pf = {0};
	char *helper;
	bool ok = true;

	if (ar->profile) {
		profile_files_load(&pf);
		ok = profile_exists(&pf, ar->profile);
		if (!ok)
			errbuf_set(eb, ERR_CONFIG, "aws_profile \"%s\" is not in %s or %s (add "
				   "[profile %s] or fix the name)", ar->profile,
				   pf.config_path ? pf.config_path : "~/.aws/config",
				   pf.creds_path ? pf.creds_path : "~/.aws/credentials",
				   ar->profile);
		profile_files_finish(&pf);
		if (!ok)
			return ERR_CONFIG;
	}
	helper = helper_path(AWSROUTE_HELPER, eb);
	if (!helper)
		return ERR_CONFIG;
	buf_printf(report, "ok: %s: helper %s%s%s\n", route->name, helper,
		   ar->profile ? ", profile " : "", ar->profile ? ar->profile : "");
	free(helper);
	return 0;
}
