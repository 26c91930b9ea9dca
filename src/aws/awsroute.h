/* SPDX-License-Identifier: MIT */
#ifndef DCR_AWS_AWSROUTE_H
#define DCR_AWS_AWSROUTE_H

/*
 * What the two AWS backends (ecr, aws-secretsmanager) share in the front:
 * the route keys region / aws_profile / aws_role_arn / endpoint / timeout,
 * the cache identity (aws_identity: no network, no secret), the request to
 * the dcr-aws helper and its answer, and the operator views (credential
 * source and cache state, without the network).  Links libc and jansson
 * only.
 */

#include <jansson.h>
#include <stddef.h>

#include "backend.h"

#define AWSROUTE_HELPER "dcr-aws"
#define AWSROUTE_TIMEOUT_DEFAULT 30 /* seconds for one exchange, retries included */
#define AWSROUTE_TIMEOUT_MAX 600
#define AWSROUTE_WHO_MAX 512

/* The shared route keys, for a backend's option table. */
#define AWSROUTE_OPTIONS                                                                           \
	{"region", OPT_STRING, "AWS region (default: from the registry host, else AWS_REGION)"},  \
	{"aws_profile", OPT_STRING,                                                                \
	 "AWS profile for this route (default: AWS_PROFILE or the credential chain)"},             \
	{"aws_role_arn", OPT_STRING, "IAM role to assume on top of the credentials"},              \
	{"endpoint", OPT_STRING,                                                                   \
	 "API endpoint URL (default: AWS_ENDPOINT_URL_*, AWS_ENDPOINT_URL, else AWS's)"},          \
	{"timeout", OPT_INT, "seconds for one exchange, retries included (default 30)"}

struct awsroute {
	char *region;   /* NULL: from the host or the environment */
	char *profile;  /* NULL: the chain's default */
	char *role_arn; /* NULL: none */
	char *endpoint; /* NULL: AWS_ENDPOINT_URL_* / AWS_ENDPOINT_URL / the partition's */
	long timeout;   /* seconds */
};

/* Reads and checks the shared keys. */
int awsroute_configure(const struct route *route, const struct toml_value *table,
		       struct awsroute *ar, struct errbuf *eb);
void awsroute_finish(struct awsroute *ar);

/* The cache identity of the asker: aws_identity() for the route's profile and role. */
void awsroute_who(const struct awsroute *ar, char *out, size_t size);

/* A helper request for op with the shared members set. */
json_t *awsroute_request(const struct awsroute *ar, const char *op);

/*
 * Runs dcr-aws with req and turns its answer into out (username, secret,
 * expiry); messages are prefixed with the route label.  ERR_NOT_FOUND when
 * no AWS credentials exist at all.
 */
int awsroute_call(const struct route *route, const struct awsroute *ar, json_t *req,
		  struct creds *out, struct errbuf *eb);

/* "what the chain would use" for `route KEY`, without the network or a secret. */
void awsroute_describe_source(const struct awsroute *ar, struct buf *out);

/* The token cache's state for (route, registry, who): "fresh until ..." etc. */
void awsroute_describe_cache(const struct route *route, const char *registry, const char *who,
			     struct buf *out);

/* `check`: the profile exists (when one is named) and the helper is installed. */
int awsroute_check(const struct route *route, const struct awsroute *ar, struct buf *report,
		   struct errbuf *eb);

#endif
