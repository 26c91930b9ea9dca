/* SPDX-License-Identifier: MIT */
#ifndef DCR_AWS_ECR_API_H
#define DCR_AWS_ECR_API_H

/*
 * The AWS JSON 1.1 calls the dcr-aws helper makes: ECR and ECR Public
 * GetAuthorizationToken and Secrets Manager GetSecretValue.  Each is one
 * SigV4-signed POST through libcurl (http.h), with bounded retries and
 * jittered exponential backoff on transport failures, 5xx, 429 and
 * throttling errors, all within one deadline.  AWS errors come back as
 * ERR_BACKEND with "<service>: <ErrorType>: <message>" -- never as "not
 * found".  Helper side only: links libcurl and libcrypto.
 */

#include "aws/credentials.h"
#include "aws/ecr.h"
#include "err.h"

#define AWS_ATTEMPTS_DEFAULT 3
#define AWS_ATTEMPTS_MAX 10
#define AWS_CALL_TIMEOUT_MS_DEFAULT 30000L

struct aws_target {
	enum aws_api api;
	const char *region;   /* signing region */
	const char *endpoint; /* URL from aws_endpoint() */
	long timeout_ms;      /* the whole call, retries included; 0: 30 s */
	int attempts;         /* 0: AWS_MAX_ATTEMPTS, else 3 */
};

/* GetAuthorizationToken for registry_id (NULL: the caller's default registry). */
int ecr_get_authorization_token(const struct aws_target *t, const struct aws_credentials *creds,
				const char *registry_id, struct ecr_token *out,
				struct errbuf *eb);

/* GetSecretValue of a secret holding {"username":...,"password":...}. */
int secretsmanager_get_secret_value(const struct aws_target *t,
				    const struct aws_credentials *creds, const char *secret_id,
				    struct ecr_token *out, struct errbuf *eb);

#endif
