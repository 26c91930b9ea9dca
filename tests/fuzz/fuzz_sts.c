/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for STS answers (AssumeRole and
 * AssumeRoleWithWebIdentity, XML), read by the AWS credential chain in
 * dcr-aws: the input is the body, given to sts_parse_response as a 200 and
 * as a 400.  Credentials must be complete; refusals are one line.
 */
#include "fuzz.h"

#include "aws/sts.h"
#include "err.h"

#define NOW 1700000000

static void parse(const char *body, size_t size, long status)
{
	struct aws_credentials c = {0};
	struct errbuf eb = {{0}};
	int err = sts_parse_response(body, size, status, "sts.fuzz.example", NOW, &c, &eb);

	if (err == 0) {
		check(status == 200);
		check(c.access_key_id && c.secret_access_key && c.session_token);
		check(c.expires == 0 || c.expires > NOW);
	} else {
		check(eb.msg[0] != '\0' && !strchr(eb.msg, '\n'));
	}
	aws_credentials_finish(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);

	parse(text, size, 200);
	parse(text, size, 400);
	free(text);
	return 0;
}
