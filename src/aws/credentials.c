/* SPDX-License-Identifier: MIT */
/*
 * The AWS credential chain (credentials.h), shaped like the Go SDK v2's
 * resolveCredentialChain / resolveCredsFromProfile:
 *
 *   programmatic profile (a route's aws_profile) ? the profile
 *   : env keys ? dstack keys ? env web identity ? the profile
 *
 *   the profile = first of
 *     role_arn + source_profile  -> that profile's credentials (recursively;
 *                                   a profile naming itself uses its own keys)
 *     aws_access_key_id/aws_secret_access_key [aws_session_token]
 *     credential_source          -> Environment | Ec2InstanceMetadata | EcsContainer
 *     web_identity_token_file    -> AssumeRoleWithWebIdentity(role_arn) (done)
 *     sso_*                      -> not supported (error with the workaround)
 *     credential_process
 *     otherwise                  -> container credentials if configured, else IMDS
 *   then, when the profile has role_arn, AssumeRole on top (mfa_serial: error).
 *
 * A profile that does not exist is an error, except "default" (as in the Go
 * SDK), which then goes straight to container credentials and IMDS.
 * Finally a route's aws_role_arn is assumed on top of whatever was found.
 * Errors from a profile's own step are prefixed with 'aws profile "NAME": '.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/credentials.h"
#include "aws/ini.h"
#include "aws/providers.h"
#include "aws/sts.h"
#include "buf.h"
#include "fileio.h"
#include "log.h"
#include "paths.h"
#include "wipe.h"

#define CHAIN_MAX_DEPTH 8
#define TOKEN_FILE_MAX (64u * 1024u)
#define DEFAULT_REGION "us-east-1"

struct chain {
	const struct aws_chain_params *params;
	time_t now;
	bool loaded;
	struct aws_ini *config, *creds;
	char *config_path, *creds_path;
	const char *visited[CHAIN_MAX_DEPTH + 1]; /* source_profile path, for loops */
};

void aws_credentials_finish(struct aws_credentials *creds)
{
	if (!creds)
		return;
	free(creds->access_key_id);
	free_secret(creds->secret_access_key);
	free_secret(creds->session_token);
	memset(creds, 0, sizeof(*creds));
}

/* "how", or "profile NAME" and "profile NAME (how)". */
static void set_source(struct aws_credentials *c, const char *profile, const char *how)
{
	if (profile && how)
		snprintf(c->source, sizeof(c->source), "profile %.40s (%.40s)", profile, how);
	else if (profile)
		snprintf(c->source, sizeof(c->source), "profile %.60s", profile);
	else
		snprintf(c->source, sizeof(c->source), "%.90s", how ? how : "unknown");
}

/* Moves src into dst (dst's old contents are released). */
static void take(struct aws_credentials *dst, struct aws_credentials *src)
{
	aws_credentials_finish(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

/* ---- files ---------------------------------------------------------------------------- */

static int file_path(const char *env, const char *fallback, char **out, struct errbuf *eb)
{
	const char *v = aws_env(env), *home;

	*out = NULL;
	if (v)
		return paths_resolve(".", v, out, eb);
	home = paths_home();
	if (!home)
		return 0; /* no home: no files */
	if (asprintf(out, "%s/%s", home, fallback) < 0)
		*out = NULL;
	return *out ? 0 : ERR_NOMEM;
}

static int load_one(const char *path, enum aws_ini_file kind, struct aws_ini **ini,
		    struct errbuf *eb)
{
	int r;

	if (!path)
		return 0;
	r = aws_ini_load(path, kind, ini, eb);
	if (r == ERR_NOT_FOUND) {
		log_debug("aws: %s does not exist", path);
		return 0;
	}
	return r;
}

static int load_files(struct chain *ch, struct errbuf *eb)
{
	int r;

	if (ch->loaded)
		return 0;
	ch->loaded = true;
	r = file_path("AWS_CONFIG_FILE", ".aws/config", &ch->config_path, eb);
	if (r == 0)
		r = file_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", &ch->creds_path,
		              eb);
	if (r == 0)
		r = load_one(ch->config_path, AWS_INI_CONFIG, &ch->config, eb);
	if (r == 0)
		r = load_one(ch->creds_path, AWS_INI_CREDENTIALS, &ch->creds, eb);
	return r;
}

static void chain_finish(struct chain *ch)
{
	aws_ini_destroy(ch->config);
	aws_ini_destroy(ch->creds);
	free(ch->config_path);
	free(ch->creds_path);
}

/* A profile setting, the credentials file first; "" counts as unset. */
static const char *pget(const struct chain *ch, const char *profile, const char *key)
{
	const char *v = aws_ini_get(ch->creds, AWS_INI_PROFILE, profile, key);

	if (!v || !*v)
		v = aws_ini_get(ch->config, AWS_INI_PROFILE, profile, key);
	return v && *v ? v : NULL;
}

static bool profile_exists(const struct chain *ch, const char *profile)
{
	return aws_ini_has(ch->creds, AWS_INI_PROFILE, profile) ||
	       aws_ini_has(ch->config, AWS_INI_PROFILE, profile);
}

static const char *path_or_none(const char *path)
{
	return path ? path : "(no home directory)";
}

/* The region STS is called in. */
static const char *sts_region(struct chain *ch)
{
	const char *r = ch->params->region;
	struct errbuf eb = {{0}};

	if (r && *r)
		return r;
	if ((r = aws_env("AWS_REGION")) || (r = aws_env("AWS_DEFAULT_REGION")))
		return r;
	if (load_files(ch, &eb) < 0)
		log_warn("aws: %s", errbuf_str(&eb, ERR_CONFIG));
	if ((r = pget(ch, aws_profile_name(ch->params), "region")) ||
	    (r = aws_env("DSTACK_AWS_REGION")))
		return r;
	return DEFAULT_REGION;
}

/* ---- environment ---------------------------------------------------------------------- */

static void warn_partial_env(void)
{
	bool id = aws_env("AWS_ACCESS_KEY_ID") || aws_env("AWS_ACCESS_KEY");
	bool secret = aws_env("AWS_SECRET_ACCESS_KEY") || aws_env("AWS_SECRET_KEY");

	if (id != secret)
		log_warn("aws: %s is set without %s: ignored",
		         id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		         id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
}

static int from_env(struct chain *ch, enum aws_first_source which, struct aws_credentials *out,
		    struct errbuf *eb)
{
	bool dstack = which == AWS_FIRST_DSTACK;
	const char *secret, *token, *expiration;
	time_t expires = 0;
	int r;

	if (dstack) {
		secret = aws_env("DSTACK_AWS_SECRET_ACCESS_KEY");
		token = aws_env("DSTACK_AWS_SESSION_TOKEN");
		expiration = NULL;
	} else {
		secret = aws_env("AWS_SECRET_ACCESS_KEY");
		if (!secret)
			secret = aws_env("AWS_SECRET_KEY");
		token = aws_env("AWS_SESSION_TOKEN");
		expiration = aws_env("AWS_CREDENTIAL_EXPIRATION");
	}
	if (expiration && aws_time_parse(expiration, &expires) < 0)
		return errbuf_set(eb, ERR_CONFIG,
				  "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time "
				  "(e.g. 2030-01-02T15:04:05Z)");
	r = aws_creds_set(out, aws_env_key_id(which), secret, token, expires, ch->now,
			  dstack ? "DSTACK_AWS_ACCESS_KEY_ID" : "AWS_ACCESS_KEY_ID", eb);
	if (r == 0)
		set_source(out, NULL, dstack ? "dstack environment" : "environment");
	return r;
}

/* ---- web identity --------------------------------------------------------------------- */

static int read_token_file(const char *path, struct buf *token, struct errbuf *eb)
{
	int r = file_read(path, FILE_CONFIG, TOKEN_FILE_MAX, token, eb);

	if (r < 0)
		return r;
	while (token->len > 0 && isspace((unsigned char)token->data[token->len - 1]))
		token->data[--token->len] = '\0';
	if (!token->len || memchr(token->data, '\0', token->len))
		return errbuf_set(eb, ERR_CONFIG, "%s is empty or not text", path);
	return 0;
}

/* setting: what names the token file in errors. */
static int web_identity(struct chain *ch, const char *setting, const char *token_file,
			const struct sts_role *role, struct aws_credentials *out, struct errbuf *eb)
{
	struct buf token = BUF_INIT;
	int r;

	aws_error_clear(eb);
	r = read_token_file(token_file, &token, eb);
	if (r < 0)
		r = aws_error_wrap(eb, r, setting);
	else
		r = sts_assume_role_with_web_identity(token.data, role, sts_region(ch), ch->now,
						      out, eb);
	buf_finish(&token);
	return r;
}

static int from_env_web_identity(struct chain *ch, struct aws_credentials *out,
				 struct errbuf *eb)
{
	const struct sts_role role = {
		.role_arn = aws_env("AWS_ROLE_ARN"),
		.session_name = aws_env("AWS_ROLE_SESSION_NAME"),
	};
	int r = web_identity(ch, "AWS_WEB_IDENTITY_TOKEN_FILE",
	                     aws_env("AWS_WEB_IDENTITY_TOKEN_FILE"), &role, out, eb);

	if (r == 0)
		set_source(out, NULL, "web identity");
	return r;
}

/* ---- the machine: container credentials, then IMDS ---------------------------------- */

static int from_machine(struct chain *ch, const char *profile, struct aws_credentials *out,
			struct errbuf *eb)
{
	char why[200];
	int r;

	if (aws_container_configured()) {
		r = aws_container_fetch(ch->now, out, eb);
		if (r == 0)
			set_source(out, NULL, "container");
		return r;
	}
	aws_error_clear(eb);
	r = aws_imds_fetch(ch->now, out, eb);
	if (r == 0) {
		set_source(out, NULL, "imds");
		return 0;
	}
	snprintf(why, sizeof(why), "%s", errbuf_str(eb, r));
	return errbuf_set(eb, ERR_CONFIG, "no AWS credentials found: none in the environment, "
					  "none for profile \"%s\" in %s or %s, no container "
					  "endpoint, and %s",
			  profile, path_or_none(ch->config_path), path_or_none(ch->creds_path),
			  why);
}

/* ---- profiles ------------------------------------------------------------------------- */

static int profile_error(struct errbuf *eb, int code, const char *profile, const char *what)
{
	return errbuf_set(eb, code, "aws profile \"%s\": %s", profile, what);
}

static int wrap_profile(struct errbuf *eb, int code, const char *profile)
{
	char prefix[160];

	snprintf(prefix, sizeof(prefix), "aws profile \"%s\"", profile);
	return aws_error_wrap(eb, code, prefix);
}

static bool has_static_keys(const struct chain *ch, const char *profile)
{
	return pget(ch, profile, "aws_access_key_id") || pget(ch, profile, "aws_secret_access_key");
}

static int static_keys(struct chain *ch, const char *profile, struct aws_credentials *out,
		       struct errbuf *eb)
{
	const char *id = pget(ch, profile, "aws_access_key_id");
	const char *secret = pget(ch, profile, "aws_secret_access_key");
	int r;

	if (!id || !secret)
		return profile_error(eb, ERR_CONFIG, profile,
				     "needs both aws_access_key_id and aws_secret_access_key");
	r = aws_creds_set(out, id, secret, pget(ch, profile, "aws_session_token"), 0, ch->now,
			  "aws_access_key_id", eb);
	if (r < 0)
		return wrap_profile(eb, r, profile);
	set_source(out, profile, NULL);
	return 0;
}

static int from_credential_source(struct chain *ch, const char *profile, const char *source,
				  struct aws_credentials *out, struct errbuf *eb)
{
	if (strcmp(source, "Environment") == 0) {
		if (!aws_env_key_id(AWS_FIRST_ENV))
			return profile_error(eb, ERR_CONFIG, profile,
					     "credential_source = Environment, but "
					     "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set");
		return from_env(ch, AWS_FIRST_ENV, out, eb);
	}
	if (strcmp(source, "EcsContainer") == 0) {
		if (!aws_container_configured())
			return profile_error(
			    eb, ERR_CONFIG, profile,
			    "credential_source = EcsContainer, but neither "
			    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set");
		return aws_container_fetch(ch->now, out, eb);
	}
	if (strcmp(source, "Ec2InstanceMetadata") == 0)
		return aws_imds_fetch(ch->now, out, eb);
	return profile_error(eb, ERR_CONFIG, profile,
			     "credential_source must be Environment, Ec2InstanceMetadata or "
			     "EcsContainer");
}

static int role_of(const struct chain *ch, const char *profile, const char *role_arn,
		   struct sts_role *role, struct errbuf *eb)
{
	const char *duration = pget(ch, profile, "duration_seconds");
	char *end;

	memset(role, 0, sizeof(*role));
	role->role_arn = role_arn;
	role->session_name = pget(ch, profile, "role_session_name");
	role->external_id = pget(ch, profile, "external_id");
	if (duration) {
		errno = 0;
		role->duration_seconds = strtol(duration, &end, 10);
		if (errno || *end || end == duration || role->duration_seconds <= 0)
			return profile_error(eb, ERR_CONFIG, profile,
					     "duration_seconds must be a number of seconds");
	}
	return 0;
}

static int profile_chain(struct chain *ch, const char *profile, int depth,
			 struct aws_credentials *out, struct errbuf *eb);

/* The source_profile a role profile starts from. */
static int from_source_profile(struct chain *ch, const char *profile, const char *source,
			       int depth, struct aws_credentials *out, struct errbuf *eb)
{
	char msg[200];

	if (strcmp(source, profile) == 0)
		return static_keys(ch, profile, out, eb);
	for (int i = 0; i <= depth; i++) {
		if (strcmp(ch->visited[i], source) == 0) {
			snprintf(msg, sizeof(msg), "source_profile \"%s\" leads back to itself",
				 source);
			return profile_error(eb, ERR_CONFIG, profile, msg);
		}
	}
	if (depth + 1 >= CHAIN_MAX_DEPTH)
		return profile_error(eb, ERR_LIMIT, profile,
				     "more than 8 source_profile steps");
	return profile_chain(ch, source, depth + 1, out, eb);
}

/* The profile's base credentials (before its role_arn). */
static int profile_base(struct chain *ch, const char *profile, const char *role_arn, int depth,
			struct aws_credentials *out, struct errbuf *eb)
{
	const char *source = pget(ch, profile, "source_profile");
	const char *cred_source = pget(ch, profile, "credential_source");
	const char *process = pget(ch, profile, "credential_process");
	int r;

	if (role_arn && source && cred_source)
		return profile_error(eb, ERR_CONFIG, profile,
				     "set source_profile or credential_source, not both");
	if (role_arn && source)
		return from_source_profile(ch, profile, source, depth, out, eb);
	if (has_static_keys(ch, profile))
		return static_keys(ch, profile, out, eb);
	if (cred_source) {
		if (!role_arn)
			return profile_error(eb, ERR_CONFIG, profile,
			                     "credential_source needs role_arn");
		aws_error_clear(eb);
		r = from_credential_source(ch, profile, cred_source, out, eb);
		if (r == 0)
			set_source(out, profile, "credential_source");
		return r;
	}
	if (pget(ch, profile, "sso_session") || pget(ch, profile, "sso_start_url"))
		return profile_error(eb, ERR_UNSUPPORTED, profile,
				     "IAM Identity Center (SSO) profiles are not supported; use "
				     "credential_process = aws configure export-credentials "
				     "--profile NAME --format process");
	if (process) {
		aws_error_clear(eb);
		r = aws_process_fetch(process, ch->now, out, eb);
		if (r < 0)
			return wrap_profile(eb, r, profile);
		set_source(out, profile, "credential_process");
		return 0;
	}
	return from_machine(ch, profile, out, eb);
}

static int profile_missing(struct chain *ch, const char *profile, struct errbuf *eb)
{
	return errbuf_set(eb, ERR_CONFIG, "aws profile \"%s\" not found in %s or %s%s", profile,
			  path_or_none(ch->config_path), path_or_none(ch->creds_path),
			  aws_ini_has_unprefixed(ch->config, profile)
				  ? " (in the config file, write [profile NAME], not [NAME])"
				  : "");
}

static int profile_chain(struct chain *ch, const char *profile, int depth,
			 struct aws_credentials *out, struct errbuf *eb)
{
	const char *role_arn = pget(ch, profile, "role_arn");
	const char *token_file = pget(ch, profile, "web_identity_token_file");
	struct aws_credentials base = {0};
	struct sts_role role;
	int r;

	ch->visited[depth] = profile;
	if (!profile_exists(ch, profile))
		return profile_missing(ch, profile, eb);
	if (role_arn && pget(ch, profile, "mfa_serial"))
		return profile_error(eb, ERR_UNSUPPORTED, profile,
				     "mfa_serial needs an interactive token: not supported");
	r = role_arn ? role_of(ch, profile, role_arn, &role, eb) : 0;
	if (r < 0)
		return r;
	if (token_file && !pget(ch, profile, "source_profile") && !has_static_keys(ch, profile) &&
	    !pget(ch, profile, "credential_source")) {
		if (!role_arn)
			return profile_error(eb, ERR_CONFIG, profile,
					     "web_identity_token_file needs role_arn");
		aws_error_clear(eb);
		r = web_identity(ch, "web_identity_token_file", token_file, &role, out, eb);
		if (r < 0)
			return wrap_profile(eb, r, profile);
		set_source(out, profile, "web identity");
		return 0;
	}
	r = profile_base(ch, profile, role_arn, depth, role_arn ? &base : out, eb);
	if (r < 0 || !role_arn)
		goto out;
	aws_error_clear(eb);
	r = sts_assume_role(&base, &role, sts_region(ch), ch->now, out, eb);
	if (r < 0) {
		r = wrap_profile(eb, r, profile);
		goto out;
	}
	set_source(out, profile, "assume role");
out:
	aws_credentials_finish(&base);
	return r;
}

static int from_profile(struct chain *ch, struct aws_credentials *out, struct errbuf *eb)
{
	const char *profile = aws_profile_name(ch->params);
	int r;

	r = load_files(ch, eb);
	if (r < 0)
		return r;
	/* Like the Go SDK: only "default" may be missing, however it was named. */
	if (strcmp(profile, "default") == 0 && !profile_exists(ch, profile))
		return from_machine(ch, profile, out, eb);
	return profile_chain(ch, profile, 0, out, eb);
}

/* ---- the chain ------------------------------------------------------------------------ */

static int route_role(struct chain *ch, struct aws_credentials *out, struct errbuf *eb)
{
	const struct sts_role role = {.role_arn = ch->params->role_arn};
	struct aws_credentials base = {0};
	char source[sizeof(out->source)];
	int r;

	take(&base, out);
	snprintf(source, sizeof(source), "%s", base.source);
	aws_error_clear(eb);
	r = sts_assume_role(&base, &role, sts_region(ch), ch->now, out, eb);
	if (r == 0)
		snprintf(out->source, sizeof(out->source), "%.70s + assume role", source);
	aws_credentials_finish(&base);
	return r;
}

int aws_credentials_resolve(const struct aws_chain_params *params, struct aws_credentials *out,
			    struct errbuf *eb)
{
	struct chain ch = {.params = params, .now = params->now ? params->now : time(NULL)};
	enum aws_first_source first = aws_first_source(params);
	int r;

	memset(out, 0, sizeof(*out));
	aws_error_clear(eb);
	if (first != AWS_FIRST_ENV)
		warn_partial_env();
	switch (first) {
	case AWS_FIRST_ENV:
	case AWS_FIRST_DSTACK:
		r = from_env(&ch, first, out, eb);
		break;
	case AWS_FIRST_WEB_IDENTITY:
		r = from_env_web_identity(&ch, out, eb);
		break;
	default:
		r = from_profile(&ch, out, eb);
		break;
	}
	if (r == 0 && params->role_arn && *params->role_arn)
		r = route_role(&ch, out, eb);
	if (r == 0)
		log_debug("aws: credentials from %s (access key id %s)", out->source,
			  out->access_key_id);
	else
		aws_credentials_finish(out);
	chain_finish(&ch);
	return r;
}
