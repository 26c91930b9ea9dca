/* SPDX-License-Identifier: MIT */
/*
 * Who is asking AWS, decided from the environment alone.  This runs in the
 * front executable on the fast path: no files, no network, no libcrypto, and
 * no secret is copied (only whether a secret variable is set is looked at).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "aws/credentials.h"

const char *aws_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static const char *either(const char *a, const char *b)
{
	const char *v = aws_env(a);

	return v ? v : aws_env(b);
}

const char *aws_env_key_id(enum aws_first_source source)
{
	const char *id = NULL;
	bool secret = false;

	if (source == AWS_FIRST_ENV) {
		id = either("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY");
		secret = either("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY") != NULL;
	} else if (source == AWS_FIRST_DSTACK) {
		id = aws_env("DSTACK_AWS_ACCESS_KEY_ID");
		secret = aws_env("DSTACK_AWS_SECRET_ACCESS_KEY") != NULL;
	}
	return secret ? id : NULL;
}

enum aws_first_source aws_first_source(const struct aws_chain_params *params)
{
	if (params->profile && *params->profile)
		return AWS_FIRST_PROFILE;
	if (aws_env_key_id(AWS_FIRST_ENV))
		return AWS_FIRST_ENV;
	if (aws_env_key_id(AWS_FIRST_DSTACK))
		return AWS_FIRST_DSTACK;
	if (aws_env("AWS_WEB_IDENTITY_TOKEN_FILE") && aws_env("AWS_ROLE_ARN"))
		return AWS_FIRST_WEB_IDENTITY;
	return AWS_FIRST_PROFILE;
}

const char *aws_profile_name(const struct aws_chain_params *params)
{
	const char *name;

	if (params->profile && *params->profile)
		return params->profile;
	name = either("AWS_PROFILE", "AWS_DEFAULT_PROFILE");
	return name ? name : "default";
}

void aws_identity(const struct aws_chain_params *params, char *out, size_t size)
{
	enum aws_first_source source = aws_first_source(params);
	int n;

	if (!size)
		return;
	switch (source) {
	case AWS_FIRST_ENV:
	case AWS_FIRST_DSTACK:
		n = snprintf(out, size, "%s", aws_env_key_id(source));
		break;
	case AWS_FIRST_WEB_IDENTITY:
		n = snprintf(out, size, "web-identity:%s", aws_env("AWS_ROLE_ARN"));
		break;
	default:
		n = snprintf(out, size, "profile:%s", aws_profile_name(params));
		break;
	}
	if (n >= 0 && (size_t)n < size && params->role_arn && *params->role_arn)
		snprintf(out + n, size - (size_t)n, ";role:%s", params->role_arn);
}
