/* SPDX-License-Identifier: MIT */
/*
 * dcr-aws: the AWS exchanges, run by the front (src/backends/ecr.c and
 * secretsmanager.c) only when the token cache cannot answer, so that only
 * this program links libcurl and libcrypto (DESIGN.md section 5).  One JSON
 * request on stdin, one JSON answer on stdout (helper.h):
 *
 *   {"op":"ecr-token", "registry":HOST, "region":R, "registry_id":ID,
 *    "endpoint":URL, "profile":P, "role_arn":ARN, "timeout_ms":N}
 *     -> {"username":"AWS", "password":..., "expires":EPOCH, "source":...}
 *   {"op":"secretsmanager", "secret_id":ID, "region":R, "endpoint":URL,
 *    "profile":P, "role_arn":ARN, "timeout_ms":N}
 *     -> {"username":..., "password":..., "source":...}
 *
 * Every member but op and registry/secret_id is optional.  The credentials
 * come from the AWS chain (aws/credentials.h) for profile/role_arn; the
 * endpoint from aws_endpoint() (the route's endpoint, AWS_ENDPOINT_URL_*, or
 * the partition's, FIPS/dual-stack as the host or the environment say).
 * Failures are {"error": "..."}; {"error", "not_found": true} when no AWS
 * credentials exist at all (the front decides what that means).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/credentials.h"
#include "aws/ecr.h"
#include "aws/ecr_api.h"
#include "helper.h"
#include "log.h"

#define HELPER_NAME "dcr-aws"
#define TIMEOUT_MS_MAX 3600000L

/* What both operations take. */
struct common {
	const char *region;
	const char *endpoint;
	const char *profile;
	const char *role_arn;
	long timeout_ms;
};

/* A string member; absent, null or "" is NULL. */
static const char *member(json_t *req, const char *key)
{
	const char *s = json_string_value(json_object_get(req, key));

	return s && *s ? s : NULL;
}

static void read_common(json_t *req, struct common *c)
{
	json_t *t = json_object_get(req, "timeout_ms");

	c->region = member(req, "region");
	c->endpoint = member(req, "endpoint");
	c->profile = member(req, "profile");
	c->role_arn = member(req, "role_arn");
	c->timeout_ms = json_is_integer(t) ? (long)json_integer_value(t) : 0;
	if (c->timeout_ms < 0 || c->timeout_ms > TIMEOUT_MS_MAX)
		c->timeout_ms = 0;
}

static const char *env_region(void)
{
	const char *r = getenv("AWS_REGION");

	if (r && *r)
		return r;
	r = getenv("AWS_DEFAULT_REGION");
	return r && *r ? r : NULL;
}

/* The chain's answer when it found no credentials anywhere. */
#define NO_CREDENTIALS "no AWS credentials found"

static int resolve(const struct common *c, const char *region, struct aws_credentials *creds,
		   struct errbuf *eb)
{
	struct aws_chain_params cp = {c->profile, c->role_arn, region, time(NULL)};
	int r = aws_credentials_resolve(&cp, creds, eb);

	/* Nothing anywhere (not: bad keys, a failing profile): the front may go anonymous. */
	if (r < 0 && strncmp(errbuf_str(eb, r), NO_CREDENTIALS, strlen(NO_CREDENTIALS)) == 0)
		return ERR_NOT_FOUND;
	return r;
}

static int endpoint_for(enum aws_api api, const struct common *c, const char *region, bool fips,
			bool dualstack, char *url, size_t size, struct errbuf *eb)
{
	struct aws_endpoint_env env;
	const char *from = NULL;
	int r;

	aws_endpoint_env_read(api, &env);
	r = aws_endpoint(api, region, fips, dualstack, c->endpoint, &env, url, size, &from);
	if (r < 0)
		return errbuf_set(eb, ERR_CONFIG, "%s: no usable endpoint for region \"%s\" (%s "
				  "from %s)", aws_api_service(api), region, err_str(r), from);
	log_debug("%s: endpoint %s (from %s)", aws_api_service(api), url, from);
	return 0;
}

static int answer_token(const struct ecr_token *tok, const struct aws_credentials *creds,
			json_t **answer)
{
	*answer = json_pack("{s:s, s:s, s:I, s:s}", "username", tok->username, "password",
			    tok->password, "expires", (json_int_t)tok->expires, "source",
			    creds->source);
	return *answer ? 0 : ERR_NOMEM;
}

/* ---- ecr-token --------------------------------------------------------- */

/* Region, registry id and API for the registry host (or the request's overrides). */
static int ecr_target(json_t *req, const struct common *c, struct ecr_registry *reg,
		      const char **region, const char **id, enum aws_api *api, struct errbuf *eb)
{
	const char *host = member(req, "registry");
	bool parsed;

	if (!host)
		return errbuf_set(eb, ERR_INVALID, "ecr-token: no registry in the request");
	parsed = ecr_parse_host(host, reg) == 0;
	*api = parsed && reg->kind == ECR_PUBLIC ? AWS_API_ECR_PUBLIC : AWS_API_ECR;
	*id = member(req, "registry_id");
	if (!*id && parsed && reg->kind == ECR_PRIVATE)
		*id = reg->id;
	*region = c->region ? c->region : parsed ? reg->region : env_region();
	if (*api == AWS_API_ECR_PUBLIC)
		*region = ECR_PUBLIC_REGION; /* ECR Public lives in us-east-1 only */
	if (!*region)
		return errbuf_set(eb, ERR_CONFIG, "%s is not an ECR registry host name and no "
				  "region is set (set region on the route, or AWS_REGION)", host);
	if (!aws_region_valid(*region))
		return errbuf_set(eb, ERR_CONFIG, "bad AWS region \"%s\"", *region);
	return 0;
}

static int op_ecr_token(json_t *req, json_t **answer, struct errbuf *eb)
{
	struct aws_credentials creds = {0};
	struct ecr_token tok = {0};
	struct ecr_registry reg = {0};
	struct common c;
	char url[AWS_URL_MAX];
	const char *region = NULL, *id = NULL;
	struct aws_target t = {0};
	int r;

	read_common(req, &c);
	r = ecr_target(req, &c, &reg, &region, &id, &t.api, eb);
	r = r ? r : endpoint_for(t.api, &c, region, reg.fips, reg.dualstack, url, sizeof(url), eb);
	r = r ? r : resolve(&c, region, &creds, eb);
	if (r == 0) {
		log_debug("ecr: credentials from %s", creds.source);
		t.region = region;
		t.endpoint = url;
		t.timeout_ms = c.timeout_ms;
		r = ecr_get_authorization_token(&t, &creds, id, &tok, eb);
	}
	if (r == 0)
		r = answer_token(&tok, &creds, answer);
	ecr_token_finish(&tok);
	aws_credentials_finish(&creds);
	return r;
}

/* ---- secretsmanager ---------------------------------------------------- */

static int op_secretsmanager(json_t *req, json_t **answer, struct errbuf *eb)
{
	struct aws_credentials creds = {0};
	struct ecr_token tok = {0};
	struct aws_target t = {.api = AWS_API_SECRETSMANAGER};
	const char *secret_id = member(req, "secret_id"), *region;
	char url[AWS_URL_MAX], from_arn[ECR_REGION_MAX];
	struct common c;
	int r;

	read_common(req, &c);
	if (!secret_id)
		return errbuf_set(eb, ERR_INVALID, "secretsmanager: no secret_id in the request");
	region = c.region ? c.region : aws_secret_arn_region(secret_id, from_arn, sizeof(from_arn))
						  ? from_arn
						  : env_region();
	if (!region)
		return errbuf_set(eb, ERR_CONFIG, "secretsmanager: no region for secret %s (set "
				  "region on the route, use the secret's ARN, or set AWS_REGION)",
				  secret_id);
	if (!aws_region_valid(region))
		return errbuf_set(eb, ERR_CONFIG, "bad AWS region \"%s\"", region);
	r = endpoint_for(t.api, &c, region, false, false, url, sizeof(url), eb);
	r = r ? r : resolve(&c, region, &creds, eb);
	if (r == 0) {
		t.region = region;
		t.endpoint = url;
		t.timeout_ms = c.timeout_ms;
		r = secretsmanager_get_secret_value(&t, &creds, secret_id, &tok, eb);
	}
	if (r == 0)
		r = answer_token(&tok, &creds, answer);
	ecr_token_finish(&tok);
	aws_credentials_finish(&creds);
	return r;
}

/* ---- dispatch ---------------------------------------------------------- */

static const struct {
	const char *name;
	helper_handler run;
} ops[] = {
	{"ecr-token", op_ecr_token},
	{"secretsmanager", op_secretsmanager},
};

static int handle(json_t *req, json_t **answer, struct errbuf *eb)
{
	const char *op = member(req, "op");

	for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(op, ops[i].name) == 0)
			return ops[i].run(req, answer, eb);
	}
	return errbuf_set(eb, ERR_INVALID, "unknown op \"%s\" (want ecr-token or secretsmanager)",
			  op ? op : "");
}

int main(void)
{
	return helper_serve(HELPER_NAME, handle);
}
