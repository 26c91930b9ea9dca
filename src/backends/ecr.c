/* SPDX-License-Identifier: MIT */
/*
 * The ecr backend: Amazon ECR and ECR Public registry tokens
 * (GetAuthorizationToken, PROTOCOLS.md section 2).  Tokens are 12-hour
 * passwords for the user "AWS"; the core keeps them in the token cache per
 * (route, registry host, AWS identity) and refreshes them at half-life, so a
 * cached get never leaves this process.  Only a miss runs the dcr-aws
 * helper, which holds libcurl, libcrypto and the AWS credential chain.
 *
 * The registry id, region and FIPS/dual-stack variant come from the host
 * name (123456789012.dkr.ecr.us-west-2.amazonaws.com, public.ecr.aws, ...).
 * Other hosts (pull-through proxies, custom domains) work when the route
 * says region (and registry_id; without it, the account's own registry).
 *
 * AWS failures are real errors naming the AWS error type; "not found" is
 * answered only for ECR Public when no AWS credentials exist at all, so
 * that anonymous pulls of public images keep working.  Read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awsroute.h"
#include "aws/ecr.h"
#include "backend.h"
#include "config.h"
#include "log.h"

struct ecr_route {
	struct awsroute aws;
	char *registry_id; /* NULL: from the host, else the account's default registry */
};

static const struct option ecr_options[] = {
	AWSROUTE_OPTIONS,
	{"registry_id", OPT_STRING,
	 "12-digit account id for hosts that are not ECR names (default: from the host)"},
	{NULL, OPT_STRING, NULL},
};

static bool twelve_digits(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9')
			return false;
	}
	return n == 12;
}

static int ecr_configure(struct route *route, const struct toml_value *table, struct errbuf *eb)
{
	struct ecr_route *er = calloc(1, sizeof(*er));
	const char *id = config_opt_string(table, "registry_id");
	int r;

	if (!er)
		return ERR_NOMEM;
	route->data = er;
	r = awsroute_configure(route, table, &er->aws, eb);
	if (r < 0 || !id)
		return r;
	if (!twelve_digits(id))
		return config_route_error(eb, route, table, "registry_id",
					  "\"%s\" is not a 12-digit AWS account id", id);
	er->registry_id = strdup(id);
	return er->registry_id ? 0 : ERR_NOMEM;
}

static void ecr_finish(struct route *route)
{
	struct ecr_route *er = route->data;

	if (er) {
		awsroute_finish(&er->aws);
		free(er->registry_id);
	}
	free(er);
	route->data = NULL;
}

static void ecr_who(const struct route *route, const struct request *req, char *out,
		    size_t size)
{
	const struct ecr_route *er = route->data;

	(void)req;
	awsroute_who(&er->aws, out, size);
}

static int ecr_get(const struct route *route, const struct request *req, struct creds *out,
		   struct errbuf *eb)
{
	const struct ecr_route *er = route->data;
	struct ecr_registry reg;
	bool is_public = ecr_parse_host(req->ref.host, &reg) == 0 && reg.kind == ECR_PUBLIC;
	json_t *q = awsroute_request(&er->aws, "ecr-token");
	int r;

	if (!q || json_object_set_new(q, "registry", json_string(req->ref.host)) < 0 ||
	    (er->registry_id &&
	     json_object_set_new(q, "registry_id", json_string(er->registry_id)) < 0)) {
		json_decref(q);
		return ERR_NOMEM;
	}
	r = awsroute_call(route, &er->aws, q, out, eb);
	json_decref(q);
	if (r == ERR_NOT_FOUND && is_public) {
		log_info("%s (pulls from %s go anonymous)", errbuf_str(eb, r), req->ref.host);
	} else if (r == ERR_NOT_FOUND) {
		r = ERR_BACKEND; /* a private registry needs credentials: say why */
	}
	return r;
}

/* ---- operator views ---------------------------------------------------- */

/* Region for a host: the route's, the host's, the environment's; NULL if none. */
static const char *region_for(const struct ecr_route *er, const struct ecr_registry *reg,
			      bool parsed, const char **from)
{
	const char *env = getenv("AWS_REGION");

	if (parsed && reg->kind == ECR_PUBLIC) {
		*from = "ECR Public";
		return reg->region;
	}
	if (er->aws.region) {
		*from = "route";
		return er->aws.region;
	}
	if (parsed) {
		*from = "the host";
		return reg->region;
	}
	*from = env && *env ? "AWS_REGION" : "AWS_DEFAULT_REGION";
	env = env && *env ? env : getenv("AWS_DEFAULT_REGION");
	return env && *env ? env : NULL;
}

static void describe_registry(const struct ecr_route *er, const struct request *req,
			      const struct ecr_registry *reg, bool parsed, struct buf *out)
{
	const char *from, *region = region_for(er, reg, parsed, &from);

	if (parsed && reg->kind == ECR_PUBLIC)
		buf_printf(out, "ECR Public, region %s", region);
	else if (parsed)
		buf_printf(out, "ECR registry %s, region %s (from %s)",
			   er->registry_id ? er->registry_id : reg->id, region, from);
	else
		buf_printf(out, "%s is not an ECR host name: registry %s, region %s%s%s",
			   req->ref.host, er->registry_id ? er->registry_id : "(the account's own)",
			   region ? region : "unset (set region on the route)",
			   region ? " from " : "", region ? from : "");
	if (parsed && reg->fips)
		buf_puts(out, ", FIPS");
	if (parsed && reg->dualstack)
		buf_puts(out, ", dual-stack");
}

static void describe_endpoint(const struct ecr_route *er, const struct ecr_registry *reg,
			      bool parsed, struct buf *out)
{
	enum aws_api api = parsed && reg->kind == ECR_PUBLIC ? AWS_API_ECR_PUBLIC : AWS_API_ECR;
	const char *from, *region = region_for(er, reg, parsed, &from);
	struct aws_endpoint_env env;
	char url[AWS_URL_MAX];

	aws_endpoint_env_read(api, &env);
	if (aws_endpoint(api, region, parsed && reg->fips, parsed && reg->dualstack,
			 er->aws.endpoint, &env, url, sizeof(url), &from) < 0)
		buf_printf(out, "none (no valid region or endpoint URL)");
	else
		buf_printf(out, "%s (from %s)", url, from);
}

static void ecr_describe(const struct route *route, const struct request *req, struct buf *out)
{
	const struct ecr_route *er = route->data;
	char who[AWSROUTE_WHO_MAX];
	struct ecr_registry reg;
	bool parsed = ecr_parse_host(req->ref.host, &reg) == 0;

	describe_registry(er, req, &reg, parsed, out);
	buf_puts(out, "\nendpoint:   ");
	describe_endpoint(er, &reg, parsed, out);
	buf_puts(out, "\naws creds:  ");
	awsroute_describe_source(&er->aws, out);
	buf_puts(out, "\ntoken:      ");
	ecr_who(route, req, who, sizeof(who));
	awsroute_describe_cache(route, req->ref.host, who, out);
}

/* Literal patterns must name ECR hosts unless the route gives a region. */
static int check_patterns(const struct route *route, const struct ecr_route *er,
			  struct errbuf *eb)
{
	char text[REF_HOST_MAX + PATTERN_PATH_MAX];
	struct ecr_registry reg;

	for (size_t i = 0; i < route->match_count; i++) {
		if (!pattern_is_literal(&route->patterns[i]))
			continue;
		pattern_format(&route->patterns[i], text, sizeof(text));
		if (ecr_parse_host(text, &reg) < 0 && !er->aws.region)
			return errbuf_set(eb, ERR_CONFIG,
					  "%s is not an ECR registry host name (set region, and "
					  "registry_id, on the route to use it as one)",
					  text);
	}
	return 0;
}

static int ecr_check(const struct route *route, struct buf *report, struct errbuf *eb)
{
	const struct ecr_route *er = route->data;
	int r = check_patterns(route, er, eb);

	return r ? r : awsroute_check(route, &er->aws, report, eb);
}

const struct backend ecr_backend = {
	.name = "ecr",
	.summary = "Amazon ECR and ECR Public tokens (GetAuthorizationToken), cached",
	.options = ecr_options,
	.writable = false,
	.expiring = true,
	.configure = ecr_configure,
	.finish = ecr_finish,
	.who = ecr_who,
	.get = ecr_get,
	.check = ecr_check,
	.describe = ecr_describe,
};
