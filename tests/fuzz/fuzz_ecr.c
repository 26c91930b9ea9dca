/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the AWS JSON answers the ecr and aws-secretsmanager
 * backends read (from the network, through dcr-aws): GetAuthorizationToken
 * (ECR and ECR Public), GetSecretValue, AWS error bodies, and the pieces
 * they use (ISO 8601 times, base64).  The input is the response body, given
 * to each parser.  A token must come with a username and a password;
 * refusals are one line.
 */
#include "fuzz.h"

#include "aws/ecr.h"
#include "buf.h"
#include "err.h"

static void check_msg(const char *msg)
{
	check(msg[0] != '\0' && !strchr(msg, '\n'));
}

static void token(const char *body, size_t size)
{
	struct ecr_token t = {0};
	struct errbuf eb = {{0}};
	int err = ecr_token_parse(body, size, &t, &eb);

	if (err == 0)
		check(t.username && t.password && t.expires >= 0); /* 0: no expiresAt */
	else
		check_msg(eb.msg);
	ecr_token_finish(&t);
}

static void secret(const char *body, size_t size)
{
	struct ecr_token t = {0};
	struct errbuf eb = {{0}};
	int err = secretsmanager_parse(body, size, "fuzz-secret", &t, &eb);

	if (err == 0)
		check(t.username && t.password && t.username[0] && t.password[0]);
	else
		check_msg(eb.msg);
	ecr_token_finish(&t);
}

static void error_body(const char *body, size_t size)
{
	char type[AWS_ERROR_TYPE_MAX], msg[300];

	aws_error_message("ecr", 400, body, size, type, msg, sizeof(msg));
	check_msg(msg);
	for (const char *p = msg; *p; p++)
		check((unsigned char)*p >= 0x20 && *p != 0x7f);
	check(strnlen(type, sizeof(type)) < sizeof(type));
	(void)aws_error_retryable(400, type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);
	struct buf out = BUF_INIT;

	token(text, size);
	secret(text, size);
	error_body(text, size);
	(void)aws_parse_iso8601(text);
	if (aws_base64_decode(text, size, &out) == 0)
		check(out.len <= size);
	buf_finish(&out);
	free(text);
	return 0;
}
