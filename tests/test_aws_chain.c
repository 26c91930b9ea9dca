/* SPDX-License-Identifier: MIT */
/*
 * The pure parts of the AWS credential chain: credential_process command
 * splitting, timestamps, STS endpoints and answers, JSON credentials.
 * (The chain itself is exercised against stand-ins by aws-chain-test.sh.)
 */
#include <stdlib.h>
#include <string.h>

#include "aws/providers.h"
#include "aws/sts.h"
#include "test.h"

/* argv joined with '|' */
static const char *split(const char *line)
{
	static char out[512];
	struct errbuf eb = {{0}};
	char **argv = NULL;
	int r = aws_command_split(line, &argv, &eb);

	if (r < 0) {
		snprintf(out, sizeof(out), "error: %.200s", eb.msg);
		return out;
	}
	out[0] = '\0';
	if (argv[0] && argv[1] && argv[2] && argv[3] && argv[4] && argv[5] && argv[6] &&
	    argv[7] && argv[8] && argv[9] && argv[10]) { /* many: just count them */
		int n = 0;

		while (argv[n])
			n++;
		snprintf(out, sizeof(out), "%d words", n);
		aws_command_free(argv);
		return out;
	}
	for (char **a = argv; *a; a++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", a == argv ? "" : "|",
			 *a);
	aws_command_free(argv);
	return out;
}

/* "a a ... a" with n words, the last one ending the line. */
static const char *words(int n)
{
	static char line[1024];

	for (int i = 0; i < n; i++)
		memcpy(line + 2 * i, "a ", 2);
	line[2 * n - 1] = '\0';
	return line;
}

static void test_aws_command_split(void)
{
	test_assert_str(split("/opt/bin/creds --username helen"),
	                "/opt/bin/creds|--username|helen");
	test_assert_str(split("  tool\t a  b  "), "tool|a|b");
	test_assert_str(split("\"/path with/space tool\" --name \"a b\""),
			"/path with/space tool|--name|a b");
	test_assert_str(split("x 'single $HOME \"q\"' y"), "x|single $HOME \"q\"|y");
	test_assert_str(split("x \"a\\\"b\\\\c\\d\""), "x|a\"b\\c\\d");
	test_assert_str(split("x a\\ b \\'"), "x|a b|'");
	test_assert_str(split("x \"\" ''"), "x||");
	test_assert_str(split("x pre\"mid dle\"post"), "x|premid dlepost");
	test_assert_str(split("x $VAR ~ a|b >f"), "x|$VAR|~|a|b|>f");
	test_assert_str(split("x \"open"), "error: credential_process: unterminated \" quote");
	test_assert_str(split("x 'open"), "error: credential_process: unterminated ' quote");
	test_assert_str(split("x \\"), "error: credential_process: a backslash ends the line");
	test_assert_str(split("   "), "error: credential_process: empty command");
	test_assert_str(split(words(255)), "255 words");
	/* Fuzzing regression: the last word over the limit got no message
	 * (tests/fuzz/corpus/awscreds/regress-too-many-words). */
	test_assert_str(split(words(256)), "error: credential_process: more than 255 arguments");
	test_assert_str(split(words(300)), "error: credential_process: more than 255 arguments");
}

static time_t parse_time(const char *s)
{
	time_t t = 42;

	return aws_time_parse(s, &t) == 0 ? t : -1;
}

static void test_aws_time_parse(void)
{
	char buf[AWS_TIME_SIZE];

	test_assert_int(parse_time("1970-01-01T00:00:00Z"), 0);
	test_assert_int(parse_time("2011-07-15T23:28:33.359Z"), 1310772513);
	test_assert_int(parse_time("2011-07-15T23:28:33Z"), 1310772513);
	test_assert_int(parse_time("2011-07-16T01:28:33+02:00"), 1310772513);
	test_assert_int(parse_time("2011-07-15T22:28:33-0100"), 1310772513);
	test_assert_int(parse_time("2011-07-15 23:28:33z"), 1310772513);
	test_assert_int(parse_time("2011-07-15T23:28:33"), -1);
	test_assert_int(parse_time("2011-07-15T23:28:33.Z"), -1);
	test_assert_int(parse_time("2011-13-15T23:28:33Z"), -1);
	test_assert_int(parse_time("2011-07-15T23:28:33Zjunk"), -1);
	test_assert_int(parse_time("2011-07"), -1);
	test_assert_int(parse_time(""), -1);
	test_assert_int(parse_time("1310772513"), -1);
	aws_time_format(1310772513, buf);
	test_assert_str(buf, "2011-07-15T23:28:33Z");
}

static const char *endpoint(const char *region)
{
	static char out[256];
	struct errbuf eb = {{0}};
	char *url = NULL;

	if (sts_endpoint(region, &url, &eb) < 0)
		snprintf(out, sizeof(out), "error: %.200s", eb.msg);
	else
		snprintf(out, sizeof(out), "%s", url);
	free(url);
	return out;
}

static void test_sts_endpoint(void)
{
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_USE_FIPS_ENDPOINT");
	unsetenv("AWS_USE_DUALSTACK_ENDPOINT");
	test_assert_str(endpoint("us-east-1"), "https://sts.us-east-1.amazonaws.com");
	test_assert_str(endpoint("cn-north-1"), "https://sts.cn-north-1.amazonaws.com.cn");
	test_assert_str(endpoint("us-gov-west-1"), "https://sts.us-gov-west-1.amazonaws.com");
	test_assert_str(endpoint("us-iso-east-1"), "https://sts.us-iso-east-1.c2s.ic.gov");
	test_assert_str(endpoint("us-isob-east-1"), "https://sts.us-isob-east-1.sc2s.sgov.gov");
	test_assert_str(endpoint("eusc-de-east-1"), "https://sts.eusc-de-east-1.amazonaws.eu");
	test_assert_str(endpoint("Bad/Region"), "error: sts: bad region name \"Bad/Region\"");
	setenv("AWS_USE_FIPS_ENDPOINT", "true", 1);
	test_assert_str(endpoint("us-east-2"), "https://sts-fips.us-east-2.amazonaws.com");
	setenv("AWS_USE_DUALSTACK_ENDPOINT", "TRUE", 1);
	test_assert_str(endpoint("us-east-2"), "https://sts-fips.us-east-2.api.aws");
	unsetenv("AWS_USE_FIPS_ENDPOINT");
	test_assert_str(endpoint("cn-north-1"),
			"https://sts.cn-north-1.api.amazonwebservices.com.cn");
	unsetenv("AWS_USE_DUALSTACK_ENDPOINT");
	setenv("AWS_ENDPOINT_URL", "https://everything.example/", 1);
	test_assert_str(endpoint("us-east-1"), "https://everything.example");
	setenv("AWS_ENDPOINT_URL_STS", "https://127.0.0.1:8443//", 1);
	test_assert_str(endpoint("us-east-1"), "https://127.0.0.1:8443");
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL");
}

static const char ok_answer[] =
	"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
	"  <AssumeRoleResult>\n"
	"  <SourceIdentity>x</SourceIdentity>\n"
	"    <AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn>"
	"<AssumedRoleId>ARO:s</AssumedRoleId></AssumedRoleUser>\n"
	"    <Credentials>\n"
	"      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>\n"
	"      <SecretAccessKey>se/cr+et&amp;</SecretAccessKey>\n"
	"      <SessionToken>tok&#61;&#x3D;</SessionToken>\n"
	"      <Expiration>2099-07-15T23:28:33.359Z</Expiration>\n"
	"    </Credentials>\n"
	"  </AssumeRoleResult>\n"
	"</AssumeRoleResponse>\n";

static void test_sts_parse_credentials(void)
{
	struct aws_credentials c = {0};
	struct errbuf eb = {{0}};

	test_assert_int(sts_parse_response(ok_answer, strlen(ok_answer), 200, "h", 1000, &c, &eb),
			0);
	test_assert_str(c.access_key_id, "ASIAEXAMPLE");
	test_assert_str(c.secret_access_key, "se/cr+et&");
	test_assert_str(c.session_token, "tok==");
	test_assert_int(c.expires, 4087841313);
	aws_credentials_finish(&c);
	test_assert(c.access_key_id == NULL && c.secret_access_key == NULL);
}

static const char *parse_fail(const char *xml, long status)
{
	static struct errbuf eb;
	struct aws_credentials c = {0};

	memset(&eb, 0, sizeof(eb));
	test_assert(sts_parse_response(xml, strlen(xml), status, "sts.example:443", 1000, &c,
				       &eb) < 0);
	test_assert(c.access_key_id == NULL);
	return eb.msg;
}

static void test_sts_parse_errors(void)
{
	test_assert_str(parse_fail("<ErrorResponse xmlns=\"x\"><Error><Type>Sender</Type>"
				   "<Code>AccessDenied</Code><Message>User: arn:aws:iam::1:user/u "
				   "is not authorized &lt;here&gt;</Message></Error>"
				   "<RequestId>r</RequestId></ErrorResponse>",
				   403),
			"sts: AccessDenied: User: arn:aws:iam::1:user/u is not authorized <here>");
	test_assert_str(parse_fail("<ErrorResponse><Error><Code>InvalidIdentityToken</Code>"
				   "</Error></ErrorResponse>",
				   400),
			"sts: InvalidIdentityToken: (no message)");
	test_assert_str(parse_fail("<html>bad gateway</html>", 502),
			"sts: HTTP 502 from sts.example:443");
	test_assert_str(parse_fail("", 200), "sts: the answer holds no <Credentials>");
	test_assert_str(parse_fail("<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S"
				   "</SecretAccessKey></Credentials>",
				   200),
			"sts: the answer lacks a SessionToken or a valid Expiration");
	test_assert_str(parse_fail("<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S"
				   "</SecretAccessKey><SessionToken>T</SessionToken>"
				   "<Expiration>1970-01-01T00:10:00Z</Expiration></Credentials>",
				   200),
			"sts: the credentials expired at 1970-01-01T00:10:00Z");
	test_assert_str(parse_fail("<Credentials><AccessKeyId>A-B</AccessKeyId><SecretAccessKey>S"
				   "</SecretAccessKey><SessionToken>T</SessionToken>"
				   "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>",
				   200),
			"sts: missing or malformed access key id");
	/* Fuzzing regression: a newline or control character from the server stays out of
	 * the one-line error (tests/fuzz/corpus/sts/regress-newline-in-error). */
	test_assert_str(parse_fail("<ErrorResponse><Error><Code>Throt\ttling</Code><Message>a&#10;"
				   "b\r\nc&#x7f;</Message></Error></ErrorResponse>",
				   400),
			"sts: Throt tling: a b  c ");
}

static const char *from_json(const char *text, const char *token_key)
{
	static struct errbuf eb;
	struct aws_credentials c = {0};
	json_t *doc = NULL;
	int r;

	memset(&eb, 0, sizeof(eb));
	r = aws_json_parse(text, strlen(text), "what", &doc, &eb);
	if (r == 0)
		r = aws_creds_from_json(doc, token_key, 1000, "what", &c, &eb);
	json_decref(doc);
	if (r == 0)
		snprintf(eb.msg, sizeof(eb.msg), "%s %s %s %lld", c.access_key_id,
			 c.secret_access_key, c.session_token ? c.session_token : "-",
			 (long long)c.expires);
	aws_credentials_finish(&c);
	return eb.msg;
}

static void test_aws_creds_from_json(void)
{
	test_assert_str(from_json("{\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"S\","
				  "\"Token\":\"T\",\"Expiration\":\"1970-01-01T01:00:00Z\"}",
				  "Token"),
			"AKID S T 3600");
	test_assert_str(from_json("{\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"S\"}",
				  "SessionToken"),
			"AKID S - 0");
	test_assert_str(from_json("{\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"S\","
				  "\"Expiration\":null}",
				  "SessionToken"),
			"AKID S - 0");
	test_assert_str(from_json("{\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"S\","
				  "\"Expiration\":\"tomorrow\"}",
				  "Token"),
			"what: Expiration is not an ISO 8601 time (e.g. 2030-01-02T15:04:05Z)");
	test_assert_str(from_json("{\"AccessKeyId\":\"AKID\"}", "Token"),
			"what: missing or malformed secret access key");
	test_assert_str(from_json("{\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"SEC RET\"}",
				  "Token"),
			"what: missing or malformed secret access key");
	/* the position only: never the text, which may be a secret */
	test_assert_str(from_json("{\"SecretAccessKey\": SECRETVALUE}", "Token"),
			"what: invalid JSON (line 1, column 31)");
	test_assert_str(from_json("[1]", "Token"), "what: expected a JSON object");
}

static const struct test cases[] = {
	{"test_aws_command_split", test_aws_command_split},
	{"test_aws_time_parse", test_aws_time_parse},
	{"test_sts_endpoint", test_sts_endpoint},
	{"test_sts_parse_credentials", test_sts_parse_credentials},
	{"test_sts_parse_errors", test_sts_parse_errors},
	{"test_aws_creds_from_json", test_aws_creds_from_json},
};

TEST_MAIN(cases)
