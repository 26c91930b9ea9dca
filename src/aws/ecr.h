/* SPDX-License-Identifier: MIT */
#ifndef DCR_AWS_ECR_H
#define DCR_AWS_ECR_H

/*
 * Pure functions for ECR, ECR Public and Secrets Manager (PROTOCOLS.md
 * section 2): registry host parsing, endpoint choice, request bodies and
 * response parsing.  No network, no libcrypto, no clock: the front (routing,
 * `route KEY`, `check`) and the dcr-aws helper share them, and tests pin
 * them table by table.
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"

#define ECR_ID_SIZE 13      /* 12 digits and a NUL */
#define ECR_REGION_MAX 64
#define AWS_URL_MAX 512
#define ECR_PUBLIC_REGION "us-east-1"

/* ---- registry hosts (section 2.1) -------------------------------------- */

enum ecr_kind {
	ECR_PRIVATE,
	ECR_PUBLIC,
};

struct ecr_registry {
	enum ecr_kind kind;
	char id[ECR_ID_SIZE];        /* the account id; "" for ECR Public */
	char region[ECR_REGION_MAX]; /* lower case; us-east-1 for ECR Public */
	bool fips;                   /* "-fips" in the host */
	bool dualstack;              /* dkr-ecr...on.aws, ecr-public.aws.com */
};

/*
 * Parses a registry key the way amazon-ecr-credential-helper's
 * ExtractRegistry does: an optional leading "https://", then the host name
 * (a port and a path are ignored).  Private hosts match, anchored,
 *
 *   ^(\d{12})\.dkr[.-]ecr(-fips)?\.([a-zA-Z0-9][a-zA-Z0-9-_]*)\.
 *    (amazonaws\.(com(\.cn)?|eu)|on\.(aws|amazonwebservices\.com\.cn)|
 *     sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$
 *
 * and ECR Public is exactly public.ecr.aws or ecr-public.aws.com.  Host
 * names compare without regard to case (DNS), unlike the Go regex.  Returns
 * 0, or ERR_INVALID for any other host (look-alikes such as
 * "....amazonaws.com.fake.example.com" included); *out is cleared first.
 */
int ecr_parse_host(const char *key, struct ecr_registry *out);

/* ---- endpoints (section 2.2) ------------------------------------------- */

enum aws_api {
	AWS_API_ECR,
	AWS_API_ECR_PUBLIC,
	AWS_API_SECRETSMANAGER,
};

/* What the environment says about endpoints, read by aws_endpoint_env_read(). */
struct aws_endpoint_env {
	bool fips;               /* AWS_USE_FIPS_ENDPOINT=true */
	bool dualstack;          /* AWS_USE_DUALSTACK_ENDPOINT=true */
	const char *service_url; /* AWS_ENDPOINT_URL_ECR / _ECR_PUBLIC / _SECRETS_MANAGER */
	const char *global_url;  /* AWS_ENDPOINT_URL */
};

/* Fills env from the process environment for api (pointers into environ). */
void aws_endpoint_env_read(enum aws_api api, struct aws_endpoint_env *env);

/* The name of the service-specific endpoint variable for api. */
const char *aws_endpoint_env_name(enum aws_api api);

/* "ecr", "ecr-public", "secretsmanager": the SigV4 service name. */
const char *aws_api_service(enum aws_api api);

/*
 * The endpoint URL (no trailing slash unless the override has a path) for
 * api in region.  First that is set wins: override (a route's endpoint), the
 * service's AWS_ENDPOINT_URL_*, AWS_ENDPOINT_URL, then the partition's host
 * name, FIPS when fips or env->fips, dual-stack when dualstack or
 * env->dualstack:
 *
 *   ECR          api.ecr[-fips].R.<dns suffix>     ecr[-fips].R.<dual-stack suffix>
 *   ECR Public   api.ecr-public[-fips].R.<...>     ecr-public[-fips].R.<...>
 *   Secrets Mgr  secretsmanager[-fips].R.<...>     secretsmanager[-fips].R.<...>
 *
 * with the partition from the region (aws, aws-cn, aws-iso, -iso-b, -iso-e,
 * -iso-f, aws-eusc).  *from (may be NULL) names where it came from
 * ("route endpoint", the variable's name, or "partition").  Returns 0,
 * ERR_INVALID for a bad region or an override that is not an http(s) URL,
 * ERR_TOO_LARGE when out is too small.
 */
int aws_endpoint(enum aws_api api, const char *region, bool fips, bool dualstack,
		 const char *override, const struct aws_endpoint_env *env, char *out, size_t size,
		 const char **from);

/*
 * The region of a Secrets Manager ARN
 * (arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME); false for a
 * plain secret name or another ARN.
 */
bool aws_secret_arn_region(const char *secret_id, char *out, size_t size);

/* A region name as AWS writes them: [a-z0-9-], 1..63 bytes, no '-' at the ends. */
bool aws_region_valid(const char *region);

/*
 * Splits an endpoint URL into what a request needs: the scheme ("https"),
 * the authority as the Host header carries it (host[:port], the default port
 * dropped) and the path ("/" when there is none).  ERR_INVALID otherwise.
 */
struct aws_url {
	bool https;
	char authority[AWS_URL_MAX];
	char path[AWS_URL_MAX];
};
int aws_url_parse(const char *url, struct aws_url *out);

/* ---- requests and responses -------------------------------------------- */

/* X-Amz-Target values. */
#define ECR_TARGET "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
#define ECR_PUBLIC_TARGET "SpencerFrontendService.GetAuthorizationToken"
#define SECRETSMANAGER_TARGET "secretsmanager.GetSecretValue"
#define AWS_JSON_CONTENT_TYPE "application/x-amz-json-1.1"

/* {"registryIds":["<id>"]}, or {} without an id (the caller's registry). */
int ecr_token_body(const char *registry_id, struct buf *out);
/* {"SecretId":"<id>"} */
int secretsmanager_body(const char *secret_id, struct buf *out);

/* A token: username/password (heap, wiped by ecr_token_finish) and expiry. */
struct ecr_token {
	char *username;
	char *password;
	time_t expires;
};
void ecr_token_finish(struct ecr_token *t);

/*
 * Parses a GetAuthorizationToken answer: authorizationData as a list (ECR)
 * or an object (ECR Public); the first entry's authorizationToken is base64
 * of "user:password", split at the first ':'; expiresAt is epoch seconds (a
 * number, possibly fractional) or an ISO 8601 string.  Returns 0 or
 * ERR_BACKEND with a message naming what was wrong (never the token).
 */
int ecr_token_parse(const char *body, size_t len, struct ecr_token *out, struct errbuf *eb);

/*
 * Parses a GetSecretValue answer whose SecretString holds
 * {"username":"...","password":"..."} (names matched without regard to
 * case).  expires is left 0.  secret_id names the secret in messages.
 */
int secretsmanager_parse(const char *body, size_t len, const char *secret_id,
			 struct ecr_token *out, struct errbuf *eb);

/*
 * The one-line message for an AWS JSON error answer: "<label>:
 * <ErrorType>: <message>" from __type (the part after '#') and
 * message/Message, control characters replaced; without a JSON body
 * "<label>: HTTP <status>".  *type (may be NULL) gets the bare error type
 * ("" when unknown), size AWS_ERROR_TYPE_MAX.
 */
#define AWS_ERROR_TYPE_MAX 96
void aws_error_message(const char *label, long status, const char *body, size_t len,
		       char *type, char *msg, size_t size);

/* Whether an error answer is worth retrying: 5xx, 429 or a throttling type. */
bool aws_error_retryable(long status, const char *type);

/* Epoch seconds for "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"; -1 if malformed. */
time_t aws_parse_iso8601(const char *s);

/* Decodes standard base64 (padding optional) into out; ERR_INVALID if malformed. */
int aws_base64_decode(const char *in, size_t len, struct buf *out);

#endif
