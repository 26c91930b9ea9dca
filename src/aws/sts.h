/* SPDX-License-Identifier: MIT */
#ifndef DCR_AWS_STS_H
#define DCR_AWS_STS_H

/*
 * AWS STS, Query protocol version 2011-06-15, for the credential chain:
 *
 * - AssumeRole: a POST of an application/x-www-form-urlencoded body, signed
 *   with SigV4 (service "sts") by the source credentials;
 * - AssumeRoleWithWebIdentity: the same without a signature (the web
 *   identity token is the proof).
 *
 * Endpoint: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the regional
 * https://sts.REGION.<partition domain> (sts-fips. with
 * AWS_USE_FIPS_ENDPOINT=true, the api.aws domains with
 * AWS_USE_DUALSTACK_ENDPOINT=true).  TLS is always verified (AWS_CA_BUNDLE
 * honoured).  Up to 3 attempts, with jittered backoff, on transport errors,
 * HTTP 5xx, throttling and IDPCommunicationError.  Errors read
 * "sts: CODE: MESSAGE" from the XML <Error>, else "sts: HTTP N from HOST".
 */

#include <stddef.h>
#include <time.h>

#include "aws/credentials.h"
#include "err.h"

struct sts_role {
	const char *role_arn;
	const char *session_name; /* NULL: "docker-credential-router-<now>" */
	const char *external_id;  /* NULL: none */
	long duration_seconds;    /* 0: STS's default (one hour) */
};

/* The endpoint URL (no trailing '/') for region; malloc'd. */
int sts_endpoint(const char *region, char **url, struct errbuf *eb);

/* source's keys sign the call; out gets the role's temporary credentials. */
int sts_assume_role(const struct aws_credentials *source, const struct sts_role *role,
		    const char *region, time_t now, struct aws_credentials *out,
		    struct errbuf *eb);

/* token: the OIDC token (a secret; not logged). */
int sts_assume_role_with_web_identity(const char *token, const struct sts_role *role,
				      const char *region, time_t now,
				      struct aws_credentials *out, struct errbuf *eb);

/* Reads an STS answer: the <Credentials> of a 200, else the <Error>'s
 * Code and Message.  Pure (exposed for tests). */
int sts_parse_response(const char *body, size_t len, long status, const char *host, time_t now,
		       struct aws_credentials *out, struct errbuf *eb);

#endif
