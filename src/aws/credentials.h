/* SPDX-License-Identifier: MIT */
#ifndef DCR_AWS_CREDENTIALS_H
#define DCR_AWS_CREDENTIALS_H

/*
 * The AWS credential chain in the SDK's order (PROTOCOLS.md section 2.5),
 * run inside the dcr-aws helper only (it may need the network):
 *
 *  1. environment keys AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY [/ AWS_SESSION_TOKEN]
 *     (aliases AWS_ACCESS_KEY / AWS_SECRET_KEY), then dstack's
 *     DSTACK_AWS_ACCESS_KEY_ID / _SECRET_ACCESS_KEY / _SESSION_TOKEN;
 *  2. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN [+ AWS_ROLE_SESSION_NAME]
 *     -> STS AssumeRoleWithWebIdentity;
 *  3. the profile (params->profile, else AWS_PROFILE / AWS_DEFAULT_PROFILE, else
 *     "default") from AWS_CONFIG_FILE (~/.aws/config) and AWS_SHARED_CREDENTIALS_FILE
 *     (~/.aws/credentials): source_profile chains with role_arn -> STS AssumeRole,
 *     static keys, credential_source, web_identity_token_file, credential_process;
 *  4. container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI (loopback / ECS /
 *     EKS hosts only) or _RELATIVE_URI on 169.254.170.2, with
 *     AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE);
 *  5. EC2 IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_DISABLED),
 *     1 s connect timeout.
 *  Then, when params->role_arn is set (a route's aws_role_arn), STS AssumeRole on top.
 *
 * STS endpoints honour AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL (tests point them
 * at a stand-in on 127.0.0.1).
 */

#include <stddef.h>
#include <time.h>

#include "err.h"

struct aws_credentials {
	char *access_key_id;
	char *secret_access_key; /* secret */
	char *session_token;     /* secret; NULL for long-term keys */
	time_t expires;          /* 0: does not expire */
	char source[96];         /* e.g. "environment", "profile prod (assume role)", "imds" */
};

struct aws_chain_params {
	const char *profile;  /* NULL: AWS_PROFILE, AWS_DEFAULT_PROFILE, "default" */
	const char *role_arn; /* NULL: none */
	const char *region;   /* for STS; NULL: from the profile / AWS_REGION / us-east-1 */
	time_t now;
};

int aws_credentials_resolve(const struct aws_chain_params *params, struct aws_credentials *out,
			    struct errbuf *eb);
void aws_credentials_finish(struct aws_credentials *creds);

/*
 * The identity the token cache keys on, computed WITHOUT the network or any
 * secret (runs in the front on the fast path): the explicit access key id
 * when keys come from the environment, else "profile:<name>", plus
 * "role:<arn>" when set.  Writes at most size bytes.
 */
void aws_identity(const struct aws_chain_params *params, char *out, size_t size);

/*
 * The pieces of the chain that depend on the environment alone (no files, no
 * network, no secret read); aws_identity() and aws_credentials_resolve() use
 * the same ones, so that the cache identity names the source the chain uses.
 *
 * A route's aws_profile (params->profile) is the SDK's programmatic profile
 * (PROTOCOLS.md 2.5 step 1): it skips steps 1 and 2 above.
 *
 * aws_identity() writes "<access key id>" (environment or dstack keys),
 * "web-identity:<AWS_ROLE_ARN>", or "profile:<name>"; then ";role:<arn>"
 * when params->role_arn is set.
 */
enum aws_first_source {
	AWS_FIRST_ENV,          /* AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (or aliases) */
	AWS_FIRST_DSTACK,       /* DSTACK_AWS_ACCESS_KEY_ID + DSTACK_AWS_SECRET_ACCESS_KEY */
	AWS_FIRST_WEB_IDENTITY, /* AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN */
	AWS_FIRST_PROFILE,      /* the profile, then container credentials, then IMDS */
};
enum aws_first_source aws_first_source(const struct aws_chain_params *params);

/* params->profile, else AWS_PROFILE, AWS_DEFAULT_PROFILE, else "default". */
const char *aws_profile_name(const struct aws_chain_params *params);

/* getenv() that treats an empty value as unset. */
const char *aws_env(const char *name);

/* The environment's key id for a source: AWS_ACCESS_KEY_ID / AWS_ACCESS_KEY
 * or DSTACK_AWS_ACCESS_KEY_ID, when its secret is also set; else NULL. */
const char *aws_env_key_id(enum aws_first_source source);

#endif
