/* SPDX-License-Identifier: MIT */
/*
 * The aws-secretsmanager backend: a username and password kept in AWS
 * Secrets Manager as a string secret {"username":"...","password":"..."}
 * (the shape ECS repositoryCredentials use), read with GetSecretValue.
 *
 * Answers are kept in the token cache per (route, registry host, AWS
 * identity and secret id) for the route's cache_ttl (default one hour; fresh
 * for half of it), so a cached get never leaves this process; a miss runs
 * the dcr-aws helper.  The region is the route's, else the one in the
 * secret's ARN, else AWS_REGION / AWS_DEFAULT_REGION.  Failures are real
 * errors (a configured secret that cannot be read is never "not found").
 * Read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awsroute.h"
#include "aws/ecr.h"
#include "backend.h"
#include "config.h"

struct sm_route {
	struct awsroute aws;
	char *secret_id;
};

static const struct option sm_options[] = {
	{"secret_id", OPT_STRING,
	 "name or ARN of a secret holding {\"username\":...,\"password\":...} (required)"},
	AWSROUTE_OPTIONS,
	{NULL, OPT_STRING, NULL},
};

static int sm_configure(struct route *route, const struct toml_value *table, struct errbuf *eb)
{
	struct sm_route *sr = calloc(1, sizeof(*sr));
	const char *id = config_opt_string(table, "secret_id");
	int r;

	if (!sr)
		return ERR_NOMEM;
	route->data = sr;
	if (!id || !*id)
		return config_route_error(eb, route, table, id ? "secret_id" : NULL,
					  "needs secret_id (the secret's name or ARN)");
	sr->secret_id = strdup(id);
	if (!sr->secret_id)
		return ERR_NOMEM;
	r = awsroute_configure(route, table, &sr->aws, eb);
	return r;
}

static void sm_finish(struct route *route)
{
	struct sm_route *sr = route->data;

	if (sr) {
		awsroute_finish(&sr->aws);
		free(sr->secret_id);
	}
	free(sr);
	route->data = NULL;
}

static void sm_who(const struct route *route, const struct request *req, char *out, size_t size)
{
	const struct sm_route *sr = route->data;
	size_t n;

	(void)req;
	awsroute_who(&sr->aws, out, size);
	n = strlen(out);
	if (n < size)
		snprintf(out + n, size - n, ";secret:%s", sr->secret_id);
}

static int sm_get(const struct route *route, const struct request *req, struct creds *out,
		  struct errbuf *eb)
{
	const struct sm_route *sr = route->data;
	json_t *q = awsroute_request(&sr->aws, "secretsmanager");
	int r;

	(void)req;
	if (!q || json_object_set_new(q, "secret_id", json_string(sr->secret_id)) < 0) {
		json_decref(q);
		return ERR_NOMEM;
	}
	r = awsroute_call(route, &sr->aws, q, out, eb);
	json_decref(q);
	return r == ERR_NOT_FOUND ? ERR_BACKEND : r;
}

static void sm_describe(const struct route *route, const struct request *req, struct buf *out)
{
	const struct sm_route *sr = route->data;
	char who[AWSROUTE_WHO_MAX], arn[ECR_REGION_MAX], url[AWS_URL_MAX];
	const char *region = sr->aws.region, *env = getenv("AWS_REGION"), *from;
	struct aws_endpoint_env ee;

	if (!region && aws_secret_arn_region(sr->secret_id, arn, sizeof(arn)))
		region = arn;
	if (!region)
		region = env && *env ? env : getenv("AWS_DEFAULT_REGION");
	buf_printf(out, "Secrets Manager secret %s, region %s", sr->secret_id,
		   region && *region ? region : "unset (set region on the route)");
	aws_endpoint_env_read(AWS_API_SECRETSMANAGER, &ee);
	if (aws_endpoint(AWS_API_SECRETSMANAGER, region, false, false, sr->aws.endpoint, &ee, url,
			 sizeof(url), &from) < 0)
		buf_puts(out, "\nendpoint:   none (no valid region or endpoint URL)");
	else
		buf_printf(out, "\nendpoint:   %s (from %s)", url, from);
	buf_puts(out, "\naws creds:  ");
	awsroute_describe_source(&sr->aws, out);
	buf_puts(out, "\nsecret:     ");
	sm_who(route, req, who, sizeof(who));
	awsroute_describe_cache(route, req->ref.host, who, out);
}

static int sm_check(const struct route *route, struct buf *report, struct errbuf *eb)
{
	const struct sm_route *sr = route->data;

	return awsroute_check(route, &sr->aws, report, eb);
}

const struct backend secretsmanager_backend = {
	.name = "aws-secretsmanager",
	.summary = "a {\"username\",\"password\"} secret in AWS Secrets Manager, cached",
	.options = sm_options,
	.writable = false,
	.expiring = true,
	.configure = sm_configure,
	.finish = sm_finish,
	.who = sm_who,
	.get = sm_get,
	.check = sm_check,
	.describe = sm_describe,
};
