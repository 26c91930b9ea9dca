/* SPDX-License-Identifier: MIT */
/* aws_identity() and the environment-only decisions of the chain (src/aws/identity.c). */
#include <stdlib.h>
#include <string.h>

#include "aws/credentials.h"
#include "test.h"

static const char *const vars[] = {
	"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY",
	"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_ROLE_ARN", "DSTACK_AWS_ACCESS_KEY_ID", "DSTACK_AWS_SECRET_ACCESS_KEY",
};

static void clean(void)
{
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static const char *identity(const char *profile, const char *role)
{
	static char out[256];
	struct aws_chain_params p = {.profile = profile, .role_arn = role};

	memset(out, 'x', sizeof(out));
	aws_identity(&p, out, sizeof(out));
	return out;
}

static enum aws_first_source first(const char *profile)
{
	struct aws_chain_params p = {.profile = profile};

	return aws_first_source(&p);
}

static void test_aws_identity_default_profile(void)
{
	clean();
	test_assert_str(identity(NULL, NULL), "profile:default");
	test_assert_str(identity("", NULL), "profile:default");
	test_assert_int(first(NULL), AWS_FIRST_PROFILE);
}

static void test_aws_identity_profile_variables(void)
{
	clean();
	setenv("AWS_DEFAULT_PROFILE", "fallback", 1);
	test_assert_str(identity(NULL, NULL), "profile:fallback");
	setenv("AWS_PROFILE", "prod", 1);
	test_assert_str(identity(NULL, NULL), "profile:prod");
	setenv("AWS_PROFILE", "", 1); /* empty counts as unset */
	test_assert_str(identity(NULL, NULL), "profile:fallback");
	test_assert_str(identity("route-profile", NULL), "profile:route-profile");
	clean();
}

static void test_aws_identity_env_keys(void)
{
	clean();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	/* an id without a secret is not a source */
	test_assert_str(identity(NULL, NULL), "profile:default");
	setenv("AWS_SECRET_ACCESS_KEY", "SECRETVALUE", 1);
	test_assert_str(identity(NULL, NULL), "AKIDENV");
	test_assert_int(first(NULL), AWS_FIRST_ENV);
	test_assert_str(aws_env_key_id(AWS_FIRST_ENV), "AKIDENV");
	/* the secret is never part of it */
	test_assert(strstr(identity(NULL, "arn:aws:iam::1:role/r"), "SECRETVALUE") == NULL);
	clean();
}

static void test_aws_identity_env_aliases(void)
{
	clean();
	setenv("AWS_ACCESS_KEY", "AKIDALIAS", 1);
	setenv("AWS_SECRET_KEY", "S", 1);
	test_assert_str(identity(NULL, NULL), "AKIDALIAS");
	setenv("AWS_ACCESS_KEY_ID", "AKIDMAIN", 1);
	test_assert_str(identity(NULL, NULL), "AKIDMAIN");
	clean();
}

static void test_aws_identity_route_profile_beats_env_keys(void)
{
	clean();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "S", 1);
	test_assert_str(identity("prod", NULL), "profile:prod");
	test_assert_int(first("prod"), AWS_FIRST_PROFILE);
	clean();
}

static void test_aws_identity_dstack(void)
{
	clean();
	setenv("DSTACK_AWS_ACCESS_KEY_ID", "AKIDDSTACK", 1);
	setenv("DSTACK_AWS_SECRET_ACCESS_KEY", "S", 1);
	test_assert_str(identity(NULL, NULL), "AKIDDSTACK");
	test_assert_int(first(NULL), AWS_FIRST_DSTACK);
	/* the standard variables come first */
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "S", 1);
	test_assert_str(identity(NULL, NULL), "AKIDENV");
	clean();
}

static void test_aws_identity_web_identity(void)
{
	clean();
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa", 1);
	test_assert_str(identity(NULL, NULL), "profile:default"); /* no token file */
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token", 1);
	test_assert_str(identity(NULL, NULL), "web-identity:arn:aws:iam::123456789012:role/irsa");
	test_assert_int(first(NULL), AWS_FIRST_WEB_IDENTITY);
	setenv("DSTACK_AWS_ACCESS_KEY_ID", "AKIDDSTACK", 1);
	setenv("DSTACK_AWS_SECRET_ACCESS_KEY", "S", 1);
	test_assert_str(identity(NULL, NULL), "AKIDDSTACK");
	clean();
}

static void test_aws_identity_role(void)
{
	clean();
	test_assert_str(identity(NULL, "arn:aws:iam::1:role/r"),
	                "profile:default;role:arn:aws:iam::1:role/r");
	test_assert_str(identity("p", ""), "profile:p");
}

static void test_aws_identity_truncates(void)
{
	char small[10];
	struct aws_chain_params p = {.profile = "a-rather-long-profile-name", .role_arn = "arn"};

	clean();
	aws_identity(&p, small, sizeof(small));
	test_assert_str(small, "profile:a");
	aws_identity(&p, small, 0); /* nothing written, no crash */
}

static void test_aws_identity_profile_name(void)
{
	struct aws_chain_params p = {0};

	clean();
	test_assert_str(aws_profile_name(&p), "default");
	setenv("AWS_PROFILE", "x", 1);
	test_assert_str(aws_profile_name(&p), "x");
	p.profile = "y";
	test_assert_str(aws_profile_name(&p), "y");
	clean();
}

static const struct test cases[] = {
	{"test_aws_identity_default_profile", test_aws_identity_default_profile},
	{"test_aws_identity_profile_variables", test_aws_identity_profile_variables},
	{"test_aws_identity_env_keys", test_aws_identity_env_keys},
	{"test_aws_identity_env_aliases", test_aws_identity_env_aliases},
	{"test_aws_identity_route_profile_beats_env_keys",
	 test_aws_identity_route_profile_beats_env_keys},
	{"test_aws_identity_dstack", test_aws_identity_dstack},
	{"test_aws_identity_web_identity", test_aws_identity_web_identity},
	{"test_aws_identity_role", test_aws_identity_role},
	{"test_aws_identity_truncates", test_aws_identity_truncates},
	{"test_aws_identity_profile_name", test_aws_identity_profile_name},
};

TEST_MAIN(cases)
