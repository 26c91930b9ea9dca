/* SPDX-License-Identifier: MIT */
/* The AWS shared config/credentials file reader (src/aws/ini.c). */
#include <string.h>

#include "aws/ini.h"
#include "test.h"

static struct aws_ini *parse(const char *text, enum aws_ini_file file)
{
	struct aws_ini *ini = NULL;
	struct errbuf eb = {{0}};
	int r = aws_ini_parse(text, strlen(text), "test", file, &ini, &eb);

	if (r != 0)
		fprintf(stderr, "parse failed: %s\n", errbuf_str(&eb, r));
	test_assert_int(r, 0);
	return ini;
}

static const char *get(const struct aws_ini *ini, const char *profile, const char *key)
{
	return aws_ini_get(ini, AWS_INI_PROFILE, profile, key);
}

static void test_aws_ini_config_sections(void)
{
	struct aws_ini *ini = parse("[default]\n"
				    "region = us-west-2\n"
				    "[profile prod]\n"
				    "role_arn=arn:aws:iam::123456789012:role/r\n"
				    "[staging]\n"
				    "region = eu-west-1\n"
				    "[sso-session corp]\n"
				    "sso_region = eu-central-1\n"
				    "[services local]\n"
				    "s3 =\n"
				    "  endpoint_url = http://localhost:9000\n",
				    AWS_INI_CONFIG);

	test_assert_str(get(ini, "default", "region"), "us-west-2");
	test_assert_str(get(ini, "prod", "role_arn"), "arn:aws:iam::123456789012:role/r");
	test_assert(aws_ini_has(ini, AWS_INI_PROFILE, "prod"));
	/* "[staging]" in the config file is not a profile */
	test_assert(!aws_ini_has(ini, AWS_INI_PROFILE, "staging"));
	test_assert(get(ini, "staging", "region") == NULL);
	test_assert(aws_ini_has_unprefixed(ini, "staging"));
	test_assert(!aws_ini_has_unprefixed(ini, "prod"));
	test_assert_str(aws_ini_get(ini, AWS_INI_SSO_SESSION, "corp", "sso_region"),
			"eu-central-1");
	test_assert_str(aws_ini_get_sub(ini, AWS_INI_SERVICES, "local", "s3", "endpoint_url"),
			"http://localhost:9000");
	test_assert(!aws_ini_has(ini, AWS_INI_PROFILE, "corp"));
	aws_ini_destroy(ini);
}

static void test_aws_ini_credentials_sections(void)
{
	struct aws_ini *ini = parse("[default]\naws_access_key_id = AKIDDEFAULT\n"
				    "[prod]\naws_access_key_id = AKIDPROD\n"
				    "[profile odd]\nx = 1\n",
				    AWS_INI_CREDENTIALS);

	test_assert_str(get(ini, "default", "aws_access_key_id"), "AKIDDEFAULT");
	test_assert_str(get(ini, "prod", "aws_access_key_id"), "AKIDPROD");
	/* the credentials file takes names literally */
	test_assert_str(get(ini, "profile odd", "x"), "1");
	test_assert(get(ini, "odd", "x") == NULL);
	aws_ini_destroy(ini);
}

static void test_aws_ini_comments(void)
{
	struct aws_ini *ini = parse("# a comment\n"
				    "; another\n"
				    "[default] ; after the header\n"
				    "a = one # inline\n"
				    "b = two ;inline\n"
				    "c = th#ree\n"
				    "d = fo;ur\n"
				    "e = #only a comment\n"
				    "f=#kept\n"
				    "   # indented comment\n"
				    "g = \tspaced value\t \n",
				    AWS_INI_CONFIG);

	test_assert_str(get(ini, "default", "a"), "one");
	test_assert_str(get(ini, "default", "b"), "two");
	test_assert_str(get(ini, "default", "c"), "th#ree");
	test_assert_str(get(ini, "default", "d"), "fo;ur");
	test_assert_str(get(ini, "default", "e"), "");
	test_assert_str(get(ini, "default", "f"), "#kept");
	test_assert_str(get(ini, "default", "g"), "spaced value");
	aws_ini_destroy(ini);
}

static void test_aws_ini_keys_case_insensitive(void)
{
	struct aws_ini *ini = parse("[default]\nAWS_Access_Key_ID = AKID\n", AWS_INI_CREDENTIALS);

	test_assert_str(get(ini, "default", "aws_access_key_id"), "AKID");
	aws_ini_destroy(ini);
}

static void test_aws_ini_nested(void)
{
	struct aws_ini *ini = parse("[profile dev]\n"
				    "s3 =\n"
				    "  max_concurrent_requests = 20\n"
				    "\tAddressing_Style = path # comment\n"
				    "region = eu-west-1\n"
				    "api_versions =\n"
				    "    ec2 = 2015-03-01\n",
				    AWS_INI_CONFIG);

	test_assert_str(get(ini, "dev", "s3"), "");
	test_assert_str(
	    aws_ini_get_sub(ini, AWS_INI_PROFILE, "dev", "s3", "max_concurrent_requests"), "20");
	test_assert_str(aws_ini_get_sub(ini, AWS_INI_PROFILE, "dev", "s3", "addressing_style"),
			"path");
	test_assert_str(get(ini, "dev", "region"), "eu-west-1");
	test_assert_str(aws_ini_get_sub(ini, AWS_INI_PROFILE, "dev", "api_versions", "ec2"),
			"2015-03-01");
	test_assert(aws_ini_get_sub(ini, AWS_INI_PROFILE, "dev", "s3", "ec2") == NULL);
	/* sub-settings are not top-level settings */
	test_assert(get(ini, "dev", "max_concurrent_requests") == NULL);
	aws_ini_destroy(ini);
}

static void test_aws_ini_continuation(void)
{
	struct aws_ini *ini = parse("[default]\n"
				    "k = first\n"
				    "  second\n"
				    "\tthird\n"
				    "other = x\n",
				    AWS_INI_CONFIG);

	test_assert_str(get(ini, "default", "k"), "first\nsecond\nthird");
	test_assert_str(get(ini, "default", "other"), "x");
	aws_ini_destroy(ini);
}

static void test_aws_ini_merge_and_last_wins(void)
{
	struct aws_ini *ini = parse("[profile p]\na = 1\nb = 1\n"
				    "[profile q]\na = q\n"
				    "[profile p]\nb = 2\nb = 3\n",
				    AWS_INI_CONFIG);

	test_assert_str(get(ini, "p", "a"), "1");
	test_assert_str(get(ini, "p", "b"), "3");
	test_assert_str(get(ini, "q", "a"), "q");
	aws_ini_destroy(ini);
}

static void test_aws_ini_profile_default_wins(void)
{
	struct aws_ini *ini = parse("[default]\nregion = a\nonly_plain = 1\n"
				    "[profile default]\nregion = b\n",
				    AWS_INI_CONFIG);

	/* "[profile default]" hides "[default]" in the same file: no merge */
	test_assert_str(get(ini, "default", "region"), "b");
	test_assert(get(ini, "default", "only_plain") == NULL);
	aws_ini_destroy(ini);
}

static void test_aws_ini_crlf_bom_spaces(void)
{
	struct aws_ini *ini = parse("\xef\xbb\xbf[ profile  spaced ]\r\nkey = v\r\n\r\n",
				    AWS_INI_CONFIG);

	test_assert_str(get(ini, "spaced", "key"), "v");
	aws_ini_destroy(ini);
}

static void expect_error(const char *text, const char *want)
{
	struct aws_ini *ini = (struct aws_ini *)1;
	struct errbuf eb = {{0}};
	int r = aws_ini_parse(text, strlen(text), "/x/config", AWS_INI_CONFIG, &ini, &eb);

	test_assert_int(r, ERR_CONFIG);
	test_assert(ini == NULL);
	test_assert_str(eb.msg, want);
}

static void test_aws_ini_errors(void)
{
	expect_error("[default]\nregion = x\nSECRETLINE\n",
		     "/x/config:3: expected \"key = value\"");
	expect_error("key = SECRET\n", "/x/config:1: setting before the first [section]");
	expect_error("[default\n", "/x/config:1: section header without ']'");
	expect_error("[default] junk\n", "/x/config:1: text after a section header's ']'");
	expect_error("[]\n", "/x/config:1: empty section name");
	expect_error("[default]\n = SECRET\n", "/x/config:2: missing key before '='");
	expect_error("[default]\ns3 =\n  SECRETLINE\n",
		     "/x/config:3: expected an indented \"name = value\" sub-setting");
}

static void test_aws_ini_nul_in_text(void)
{
	static const char text[] = "[default]\na = b\0c = d\n";
	struct aws_ini *ini = NULL;
	struct errbuf eb = {{0}};

	test_assert_int(aws_ini_parse(text, sizeof(text) - 1, "f", AWS_INI_CONFIG, &ini, &eb),
			ERR_CONFIG);
	test_assert_str(eb.msg, "f: not a text file (NUL byte)");
}

static void test_aws_ini_null_and_missing(void)
{
	struct aws_ini *ini = (struct aws_ini *)1;
	struct errbuf eb = {{0}};

	test_assert(get(NULL, "default", "region") == NULL);
	test_assert(!aws_ini_has(NULL, AWS_INI_PROFILE, "default"));
	test_assert(!aws_ini_has_unprefixed(NULL, "x"));
	aws_ini_destroy(NULL);
	test_assert_int(aws_ini_load("/nonexistent/dcr/config", AWS_INI_CONFIG, &ini, &eb),
			ERR_NOT_FOUND);
	test_assert(ini == NULL);
}

static void test_aws_ini_empty_profile(void)
{
	struct aws_ini *ini = parse("[profile empty]\n[default]\n", AWS_INI_CONFIG);

	test_assert(aws_ini_has(ini, AWS_INI_PROFILE, "empty"));
	test_assert(get(ini, "empty", "region") == NULL);
	aws_ini_destroy(ini);
}

static const struct test cases[] = {
	{"test_aws_ini_config_sections", test_aws_ini_config_sections},
	{"test_aws_ini_credentials_sections", test_aws_ini_credentials_sections},
	{"test_aws_ini_comments", test_aws_ini_comments},
	{"test_aws_ini_keys_case_insensitive", test_aws_ini_keys_case_insensitive},
	{"test_aws_ini_nested", test_aws_ini_nested},
	{"test_aws_ini_continuation", test_aws_ini_continuation},
	{"test_aws_ini_merge_and_last_wins", test_aws_ini_merge_and_last_wins},
	{"test_aws_ini_profile_default_wins", test_aws_ini_profile_default_wins},
	{"test_aws_ini_crlf_bom_spaces", test_aws_ini_crlf_bom_spaces},
	{"test_aws_ini_errors", test_aws_ini_errors},
	{"test_aws_ini_nul_in_text", test_aws_ini_nul_in_text},
	{"test_aws_ini_null_and_missing", test_aws_ini_null_and_missing},
	{"test_aws_ini_empty_profile", test_aws_ini_empty_profile},
};

TEST_MAIN(cases)
