/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the AWS shared config and credentials files
 * (~/.aws/config, ~/.aws/credentials): the input is parsed as each and looked
 * up as the chain does (profile, sub-settings, sso-session, services).
 */
#include "fuzz.h"

#include "aws/ini.h"
#include "err.h"

static void parse(const char *text, size_t size, enum aws_ini_file file)
{
	struct aws_ini *ini = NULL;
	struct errbuf eb = {{0}};
	const char *v;

	if (aws_ini_parse(text, size, "fuzz", file, &ini, &eb) < 0) {
		check(ini == NULL && eb.msg[0] != '\0' && !strchr(eb.msg, '\n'));
		return;
	}
	(void)aws_ini_has(ini, AWS_INI_PROFILE, "default");
	v = aws_ini_get(ini, AWS_INI_PROFILE, "default", "aws_access_key_id");
	check(!v || strlen(v) < size + 1);
	(void)aws_ini_get(ini, AWS_INI_PROFILE, "prod", "role_arn");
	(void)aws_ini_get_sub(ini, AWS_INI_PROFILE, "default", "s3", "max_concurrent_requests");
	(void)aws_ini_get(ini, AWS_INI_SSO_SESSION, "x", "sso_region");
	(void)aws_ini_get(ini, AWS_INI_SERVICES, "x", "ecr");
	(void)aws_ini_has_unprefixed(ini, "prod");
	aws_ini_destroy(ini);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse((const char *)data, size, AWS_INI_CONFIG);
	parse((const char *)data, size, AWS_INI_CREDENTIALS);
	return 0;
}
