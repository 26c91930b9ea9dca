/* SPDX-License-Identifier: MIT */
/*
 * The pure ECR / Secrets Manager functions (src/aws/ecr.c): host parsing
 * against the forms of amazon-ecr-credential-helper's ExtractRegistry and its
 * tests (PROTOCOLS.md 2.1), the endpoint table (2.2), request bodies, answer
 * parsing and AWS error messages.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/ecr.h"
#include "test.h"

/* ---- host parsing ---- */

struct host_case {
	const char *key;
	int ok;
	const char *id;
	const char *region;
	bool fips, dualstack, public;
};

static const struct host_case host_cases[] = {
	/* the standard forms */
	{"123456789012.dkr.ecr.us-west-2.amazonaws.com", 1, "123456789012", "us-west-2", 0, 0, 0},
	{"123456789012.dkr.ecr.us-east-1.amazonaws.com", 1, "123456789012", "us-east-1", 0, 0, 0},
	{"https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", 1, "123456789012", "eu-west-1",
	 0, 0, 0},
	{"https://123456789012.dkr.ecr.us-west-2.amazonaws.com/v2/blah/blah", 1, "123456789012",
	 "us-west-2", 0, 0, 0},
	{"123456789012.dkr.ecr.us-west-2.amazonaws.com:443", 1, "123456789012", "us-west-2", 0, 0,
	 0},
	{"123456789012.dkr.ecr.us-west-2.amazonaws.com/team/app", 1, "123456789012", "us-west-2",
	 0, 0, 0},
	{"000000000000.dkr.ecr.ap-southeast-2.amazonaws.com", 1, "000000000000", "ap-southeast-2",
	 0, 0, 0},
	{"123456789012.DKR.ECR.US-WEST-2.AMAZONAWS.COM", 1, "123456789012", "us-west-2", 0, 0, 0},
	/* FIPS */
	{"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", 1, "123456789012",
	 "us-gov-west-1", 1, 0, 0},
	{"123456789012.dkr.ecr-fips.us-east-1.amazonaws.com", 1, "123456789012", "us-east-1", 1,
	 0, 0},
	/* China */
	{"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", 1, "123456789012", "cn-north-1", 0,
	 0, 0},
	{"123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn", 1, "123456789012",
	 "cn-northwest-1", 0, 0, 0},
	/* dual-stack */
	{"123456789012.dkr-ecr.us-west-2.on.aws", 1, "123456789012", "us-west-2", 0, 1, 0},
	{"123456789012.dkr-ecr-fips.us-west-2.on.aws", 1, "123456789012", "us-west-2", 1, 1, 0},
	{"123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn", 1, "123456789012",
	 "cn-north-1", 0, 1, 0},
	/* EUSC and the ISO partitions */
	{"123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu", 1, "123456789012", "eusc-de-east-1",
	 0, 0, 0},
	{"123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov", 1, "123456789012", "us-iso-east-1", 0,
	 0, 0},
	{"123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov", 1, "123456789012", "us-isob-east-1",
	 0, 0, 0},
	{"123456789012.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk", 1, "123456789012", "eu-isoe-west-1",
	 0, 0, 0},
	{"123456789012.dkr.ecr.us-isof-south-1.csp.hci.ic.gov", 1, "123456789012",
	 "us-isof-south-1", 0, 0, 0},
	/* the regex's region class allows '_' */
	{"123456789012.dkr.ecr.my_region.amazonaws.com", 1, "123456789012", "my_region", 0, 0, 0},
	/* ECR Public */
	{"public.ecr.aws", 1, "", "us-east-1", 0, 0, 1},
	{"https://public.ecr.aws/v2/", 1, "", "us-east-1", 0, 0, 1},
	{"public.ecr.aws/nginx/nginx", 1, "", "us-east-1", 0, 0, 1},
	{"ecr-public.aws.com", 1, "", "us-east-1", 0, 1, 1},
	/* look-alikes and other hosts */
	{"123456789012.dkr.ecr.us-west-2.amazonaws.com.fake.example.com", 0, 0, 0, 0, 0, 0},
	{"123456789012.dkr.ecr.us-west-2.amazonaws.com.", 0, 0, 0, 0, 0, 0},
	{"x123456789012.dkr.ecr.us-west-2.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"12345678901.dkr.ecr.us-west-2.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"1234567890123.dkr.ecr.us-west-2.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"12345678901a.dkr.ecr.us-west-2.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"123456789012.dkr_ecr.us-west-2.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"123456789012.dkr.ecr.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"123456789012.dkr.ecr.us.west-2.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"123456789012.dkr.ecr.-us-west-2.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"123456789012.dkr.ecr..amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"123456789012.dkr.ecr-fipsx.us-west-2.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"123456789012.dkr.ecr.us-west-2.amazonaws.org", 0, 0, 0, 0, 0, 0},
	{"123456789012.dkr.ecr.us-west-2.notamazonaws.com", 0, 0, 0, 0, 0, 0},
	{"123456789012.dkr.ecr.us-west-2.on.aws.evil.com", 0, 0, 0, 0, 0, 0},
	{"evil.com/123456789012.dkr.ecr.us-west-2.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"user@123456789012.dkr.ecr.us-west-2.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"http://123456789012.dkr.ecr.us-west-2.amazonaws.com", 0, 0, 0, 0, 0, 0},
	{"public.ecr.aws.evil.com", 0, 0, 0, 0, 0, 0},
	{"xpublic.ecr.aws", 0, 0, 0, 0, 0, 0},
	{"ecr.aws", 0, 0, 0, 0, 0, 0},
	{"docker.io", 0, 0, 0, 0, 0, 0},
	{"[::1]:5000", 0, 0, 0, 0, 0, 0},
	{"", 0, 0, 0, 0, 0, 0},
};

static void test_ecr_parse_host_table(void)
{
	for (size_t i = 0; i < sizeof(host_cases) / sizeof(host_cases[0]); i++) {
		const struct host_case *c = &host_cases[i];
		struct ecr_registry reg;
		int r = ecr_parse_host(c->key, &reg);

		if ((r == 0) != c->ok) {
			fprintf(stderr, "case %zu (%s): got %d\n", i, c->key, r);
			test_assert(0);
			continue;
		}
		if (!c->ok) {
			test_assert_str(reg.region, "");
			continue;
		}
		test_assert_str(reg.id, c->id);
		test_assert_str(reg.region, c->region);
		test_assert_int(reg.fips, c->fips);
		test_assert_int(reg.dualstack, c->dualstack);
		test_assert_int(reg.kind == ECR_PUBLIC, c->public);
	}
	test_assert(sizeof(host_cases) / sizeof(host_cases[0]) >= 30);
}

static void test_ecr_parse_host_null(void)
{
	struct ecr_registry reg;

	test_assert_int(ecr_parse_host(NULL, &reg), ERR_INVALID);
}

/* ---- endpoints ---- */

struct endpoint_case {
	enum aws_api api;
	const char *region;
	bool fips, dualstack;     /* from the host */
	bool env_fips, env_dual;  /* AWS_USE_*_ENDPOINT */
	const char *override, *service_url, *global_url;
	const char *want;         /* NULL: an error */
	const char *from;
};

static const struct endpoint_case endpoint_cases[] = {
	{AWS_API_ECR, "us-west-2", 0, 0, 0, 0, 0, 0, 0, "https://api.ecr.us-west-2.amazonaws.com",
	 "partition"},
	{AWS_API_ECR, "us-west-2", 1, 0, 0, 0, 0, 0, 0,
	 "https://api.ecr-fips.us-west-2.amazonaws.com", "partition"},
	{AWS_API_ECR, "us-west-2", 0, 0, 1, 0, 0, 0, 0,
	 "https://api.ecr-fips.us-west-2.amazonaws.com", "partition"},
	{AWS_API_ECR, "us-west-2", 0, 1, 0, 0, 0, 0, 0, "https://ecr.us-west-2.api.aws",
	 "partition"},
	{AWS_API_ECR, "us-west-2", 0, 0, 0, 1, 0, 0, 0, "https://ecr.us-west-2.api.aws",
	 "partition"},
	{AWS_API_ECR, "us-west-2", 0, 0, 1, 1, 0, 0, 0, "https://ecr-fips.us-west-2.api.aws",
	 "partition"},
	{AWS_API_ECR, "us-gov-west-1", 1, 0, 0, 0, 0, 0, 0,
	 "https://api.ecr-fips.us-gov-west-1.amazonaws.com", "partition"},
	{AWS_API_ECR, "cn-north-1", 0, 0, 0, 0, 0, 0, 0,
	 "https://api.ecr.cn-north-1.amazonaws.com.cn", "partition"},
	{AWS_API_ECR, "cn-north-1", 0, 0, 0, 1, 0, 0, 0,
	 "https://ecr.cn-north-1.api.amazonwebservices.com.cn", "partition"},
	{AWS_API_ECR, "us-iso-east-1", 0, 0, 0, 0, 0, 0, 0, "https://api.ecr.us-iso-east-1.c2s.ic.gov",
	 "partition"},
	{AWS_API_ECR, "us-isob-east-1", 0, 0, 0, 0, 0, 0, 0,
	 "https://api.ecr.us-isob-east-1.sc2s.sgov.gov", "partition"},
	{AWS_API_ECR, "eu-isoe-west-1", 0, 0, 0, 0, 0, 0, 0,
	 "https://api.ecr.eu-isoe-west-1.cloud.adc-e.uk", "partition"},
	{AWS_API_ECR, "us-isof-south-1", 0, 0, 0, 0, 0, 0, 0,
	 "https://api.ecr.us-isof-south-1.csp.hci.ic.gov", "partition"},
	{AWS_API_ECR, "eusc-de-east-1", 0, 0, 0, 0, 0, 0, 0,
	 "https://api.ecr.eusc-de-east-1.amazonaws.eu", "partition"},
	{AWS_API_ECR_PUBLIC, "eu-west-1", 0, 0, 0, 0, 0, 0, 0,
	 "https://api.ecr-public.us-east-1.amazonaws.com", "partition"},
	{AWS_API_ECR_PUBLIC, "us-east-1", 0, 1, 0, 0, 0, 0, 0,
	 "https://ecr-public.us-east-1.api.aws", "partition"},
	{AWS_API_SECRETSMANAGER, "us-west-2", 0, 0, 0, 0, 0, 0, 0,
	 "https://secretsmanager.us-west-2.amazonaws.com", "partition"},
	{AWS_API_SECRETSMANAGER, "us-west-2", 0, 0, 1, 0, 0, 0, 0,
	 "https://secretsmanager-fips.us-west-2.amazonaws.com", "partition"},
	{AWS_API_SECRETSMANAGER, "us-west-2", 0, 0, 1, 1, 0, 0, 0,
	 "https://secretsmanager-fips.us-west-2.api.aws", "partition"},
	/* overrides, in order */
	{AWS_API_ECR, "us-west-2", 1, 1, 1, 1, "https://127.0.0.1:8443", "https://svc.example",
	 "https://all.example", "https://127.0.0.1:8443", "route endpoint"},
	{AWS_API_ECR, "us-west-2", 0, 0, 0, 0, 0, "https://svc.example", "https://all.example",
	 "https://svc.example", "AWS_ENDPOINT_URL_ECR"},
	{AWS_API_ECR_PUBLIC, "us-east-1", 0, 0, 0, 0, 0, "https://pub.example",
	 "https://all.example", "https://pub.example", "AWS_ENDPOINT_URL_ECR_PUBLIC"},
	{AWS_API_SECRETSMANAGER, "us-west-2", 0, 0, 0, 0, 0, "https://sm.example", 0,
	 "https://sm.example", "AWS_ENDPOINT_URL_SECRETS_MANAGER"},
	{AWS_API_ECR, "us-west-2", 0, 0, 0, 0, 0, 0, "https://all.example/base/",
	 "https://all.example/base/", "AWS_ENDPOINT_URL"},
	/* an override needs no region; a bad one is an error */
	{AWS_API_ECR, NULL, 0, 0, 0, 0, "https://127.0.0.1:1", 0, 0, "https://127.0.0.1:1",
	 "route endpoint"},
	{AWS_API_ECR, "us-west-2", 0, 0, 0, 0, "ftp://x", 0, 0, NULL, "route endpoint"},
	{AWS_API_ECR, "us-west-2", 0, 0, 0, 0, "https://x/?q=1", 0, 0, NULL, "route endpoint"},
	{AWS_API_ECR, NULL, 0, 0, 0, 0, 0, 0, 0, NULL, "partition"},
	{AWS_API_ECR, "US-WEST-2", 0, 0, 0, 0, 0, 0, 0, NULL, "partition"},
	{AWS_API_ECR, "us-west-2.evil.com", 0, 0, 0, 0, 0, 0, 0, NULL, "partition"},
};

static void test_ecr_endpoint_table(void)
{
	for (size_t i = 0; i < sizeof(endpoint_cases) / sizeof(endpoint_cases[0]); i++) {
		const struct endpoint_case *c = &endpoint_cases[i];
		struct aws_endpoint_env env = {c->env_fips, c->env_dual, c->service_url,
					       c->global_url};
		const char *from = NULL;
		char url[AWS_URL_MAX];
		int r = aws_endpoint(c->api, c->region, c->fips, c->dualstack, c->override, &env,
				     url, sizeof(url), &from);

		if (c->want) {
			test_assert_int(r, 0);
			test_assert_str(url, c->want);
		} else {
			test_assert(r < 0);
		}
		test_assert_str(from, c->from);
	}
}

static void test_ecr_endpoint_env(void)
{
	struct aws_endpoint_env env;

	setenv("AWS_USE_FIPS_ENDPOINT", "TRUE", 1);
	setenv("AWS_USE_DUALSTACK_ENDPOINT", "false", 1);
	setenv("AWS_ENDPOINT_URL_ECR_PUBLIC", "https://pub", 1);
	setenv("AWS_ENDPOINT_URL", "", 1);
	aws_endpoint_env_read(AWS_API_ECR_PUBLIC, &env);
	test_assert_int(env.fips, 1);
	test_assert_int(env.dualstack, 0);
	test_assert_str(env.service_url, "https://pub");
	test_assert(env.global_url == NULL);
	aws_endpoint_env_read(AWS_API_ECR, &env);
	test_assert(env.service_url == NULL);
	test_assert_str(aws_endpoint_env_name(AWS_API_SECRETSMANAGER),
			"AWS_ENDPOINT_URL_SECRETS_MANAGER");
	unsetenv("AWS_USE_FIPS_ENDPOINT");
	unsetenv("AWS_USE_DUALSTACK_ENDPOINT");
	unsetenv("AWS_ENDPOINT_URL_ECR_PUBLIC");
	unsetenv("AWS_ENDPOINT_URL");
}

static void test_ecr_endpoint_too_small(void)
{
	struct aws_endpoint_env env = {0};
	char url[16];

	test_assert_int(aws_endpoint(AWS_API_ECR, "us-west-2", 0, 0, NULL, &env, url, sizeof(url),
				     NULL),
			ERR_TOO_LARGE);
	test_assert_str(url, "");
}

static void test_ecr_url_parse(void)
{
	struct aws_url u;

	test_assert_int(aws_url_parse("https://127.0.0.1:8443", &u), 0);
	test_assert_int(u.https, 1);
	test_assert_str(u.authority, "127.0.0.1:8443");
	test_assert_str(u.path, "/");
	test_assert_int(aws_url_parse("https://api.ecr.us-west-2.amazonaws.com:443/x/", &u), 0);
	test_assert_str(u.authority, "api.ecr.us-west-2.amazonaws.com");
	test_assert_str(u.path, "/x/");
	test_assert_int(aws_url_parse("http://[::1]:80/", &u), 0);
	test_assert_int(u.https, 0);
	test_assert_str(u.authority, "[::1]");
	test_assert_int(aws_url_parse("https://user@host/", &u), ERR_INVALID);
	test_assert_int(aws_url_parse("https:///", &u), ERR_INVALID);
	test_assert_int(aws_url_parse("host.example", &u), ERR_INVALID);
	test_assert_int(aws_url_parse("https://h/#frag", &u), ERR_INVALID);
	test_assert_int(aws_url_parse("https://h o/", &u), ERR_INVALID);
}

static void test_ecr_region_valid(void)
{
	test_assert(aws_region_valid("us-west-2"));
	test_assert(aws_region_valid("eusc-de-east-1"));
	test_assert(!aws_region_valid(""));
	test_assert(!aws_region_valid(NULL));
	test_assert(!aws_region_valid("-us"));
	test_assert(!aws_region_valid("us_west"));
	test_assert(!aws_region_valid("us.west"));
}

static void test_ecr_secret_arn_region(void)
{
	char r[ECR_REGION_MAX];

	test_assert(aws_secret_arn_region(
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:reg-AbCdEf", r, sizeof(r)));
	test_assert_str(r, "eu-west-1");
	test_assert(aws_secret_arn_region(
		"arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x", r, sizeof(r)));
	test_assert_str(r, "cn-north-1");
	test_assert(!aws_secret_arn_region("my-secret", r, sizeof(r)));
	test_assert(!aws_secret_arn_region("arn:aws:ssm:eu-west-1:1:parameter/x", r, sizeof(r)));
	test_assert(!aws_secret_arn_region("arn:aws:secretsmanager::1:secret:x", r, sizeof(r)));
}

/* ---- bodies ---- */

static void test_ecr_bodies(void)
{
	struct buf b = BUF_INIT;

	test_assert_int(ecr_token_body("123456789012", &b), 0);
	test_assert_str(b.data, "{\"registryIds\":[\"123456789012\"]}");
	buf_finish(&b);
	test_assert_int(ecr_token_body(NULL, &b), 0);
	test_assert_str(b.data, "{}");
	buf_finish(&b);
	test_assert_int(ecr_token_body("12345\"", &b), ERR_INVALID);
	buf_finish(&b);
	test_assert_int(secretsmanager_body("team/reg\"1", &b), 0);
	test_assert_str(b.data, "{\"SecretId\":\"team/reg\\\"1\"}");
	buf_finish(&b);
}

/* ---- answers ---- */

static int parse(const char *body, struct ecr_token *t, struct errbuf *eb)
{
	return ecr_token_parse(body, strlen(body), t, eb);
}

static void test_ecr_token_list_number(void)
{
	struct ecr_token t = {0};
	struct errbuf eb = {{0}};

	/* base64("AWS:pa:ss") */
	test_assert_int(parse("{\"authorizationData\":[{\"authorizationToken\":\"QVdTOnBhOnNz\","
			      "\"expiresAt\":1.7e9,\"proxyEndpoint\":\"https://x\"}]}",
			      &t, &eb),
			0);
	test_assert_str(t.username, "AWS");
	test_assert_str(t.password, "pa:ss");
	test_assert_int(t.expires, 1700000000);
	ecr_token_finish(&t);
	test_assert(t.username == NULL && t.password == NULL);
}

static void test_ecr_token_object_iso(void)
{
	struct ecr_token t = {0};
	struct errbuf eb = {{0}};

	/* ECR Public: an object; expiry as an ISO string; no padding */
	test_assert_int(parse("{\"authorizationData\":{\"authorizationToken\":\"QVdTOnB3\","
			      "\"expiresAt\":\"2015-08-30T12:36:00Z\"}}",
			      &t, &eb),
			0);
	test_assert_str(t.password, "pw");
	test_assert_int(t.expires, 1440938160);
	test_assert_int(parse("{\"authorizationData\":{\"authorizationToken\":\"QVdTOnB3\","
			      "\"expiresAt\":\"2015-08-30T14:36:00.123+02:00\"}}",
			      &t, &eb),
			0);
	test_assert_int(t.expires, 1440938160);
	test_assert_int(parse("{\"authorizationData\":[{\"authorizationToken\":\"QVdTOnB3\"}]}",
			      &t, &eb),
			0);
	test_assert_int(t.expires, 0);
	ecr_token_finish(&t);
}

static void test_ecr_token_bad(void)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"authorizationData\":[]}",
		"{\"authorizationData\":[{\"authorizationToken\":\"!!!\"}]}",
		"{\"authorizationData\":[{\"authorizationToken\":\"bm9jb2xvbg==\"}]}", /* nocolon */
		"{\"authorizationData\":[{\"authorizationToken\":\"QVdTOg==\"}]}",     /* AWS: */
		"{\"authorizationData\":[{\"authorizationToken\":\"OnB3\"}]}",         /* :pw */
		"{\"authorizationData\":[{\"authorizationToken\":\"QVdTOnB3\",\"expiresAt\":\"soon\"}]}",
		"{\"authorizationData\":[{\"authorizationToken\":\"QVdTOnB3\",\"expiresAt\":-5}]}",
		"{\"authorizationData\":[{\"authorizationToken\":\"QVdTOnB3\",\"expiresAt\":true}]}",
		"{\"authorizationData\":[{\"authorizationToken\":\"QVdT",
	};
	struct ecr_token t = {0};
	struct errbuf eb = {{0}};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		eb.msg[0] = '\0';
		test_assert_int(parse(bad[i], &t, &eb), ERR_BACKEND);
		test_assert(eb.msg[0] != '\0');
		test_assert(t.username == NULL && t.password == NULL);
	}
}

static int sparse(const char *body, struct ecr_token *t, struct errbuf *eb)
{
	return secretsmanager_parse(body, strlen(body), "reg", t, eb);
}

static void test_ecr_secret_parse(void)
{
	static const char ok[] = "{\"Name\":\"reg\",\"SecretString\":"
				 "\"{\\\"Username\\\":\\\"ci\\\",\\\"password\\\":\\\"p w\\\"}\"}";
	struct ecr_token t = {0};
	struct errbuf eb = {{0}};

	test_assert_int(secretsmanager_parse(ok, strlen(ok), "reg", &t, &eb), 0);
	test_assert_str(t.username, "ci");
	test_assert_str(t.password, "p w");
	test_assert_int(sparse("{\"SecretBinary\":\"AA==\"}", &t, &eb),
			ERR_BACKEND);
	test_assert(strstr(eb.msg, "secret reg has no SecretString") != NULL);
	test_assert_int(sparse("{\"SecretString\":\"hunter2\"}", &t, &eb),
			ERR_BACKEND);
	test_assert(strstr(eb.msg, "hunter2") == NULL);
	test_assert_int(sparse("{\"SecretString\":\"{\\\"username\\\":\\\"u\\\"}\"}", &t, &eb),
			ERR_BACKEND);
	test_assert(t.username == NULL);
}

/* ---- errors ---- */

static void test_ecr_error_message(void)
{
	static const char unrec[] = "{\"__type\":\"UnrecognizedClientException\",\"message\":"
				    "\"The security token included in the request is invalid\"}";
	static const char hashed[] = "{\"__type\":\"com.amazon.coral.service#"
				     "AccessDeniedException\",\"Message\":\"no\\naccess\"}";
	char type[AWS_ERROR_TYPE_MAX], msg[512];

	aws_error_message("ecr", 400, unrec, strlen(unrec), type, msg, sizeof(msg));
	test_assert_str(msg, "ecr: UnrecognizedClientException: The security token included in "
			     "the request is invalid");
	test_assert_str(type, "UnrecognizedClientException");
	aws_error_message("ecr", 400, hashed, strlen(hashed), type, msg, sizeof(msg));
	test_assert_str(msg, "ecr: AccessDeniedException: no access");
	aws_error_message("ecr-public", 503, "<html>", 6, type, msg, sizeof(msg));
	test_assert_str(msg, "ecr-public: HTTP 503");
	test_assert_str(type, "");
	aws_error_message("secretsmanager", 400, "{\"__type\":\"X\"}", 14, NULL, msg, sizeof(msg));
	test_assert_str(msg, "secretsmanager: X (HTTP 400)");
	aws_error_message("ecr", 500, NULL, 0, type, msg, sizeof(msg));
	test_assert_str(msg, "ecr: HTTP 500");
}

static void test_ecr_error_retryable(void)
{
	test_assert(aws_error_retryable(500, ""));
	test_assert(aws_error_retryable(503, NULL));
	test_assert(aws_error_retryable(429, ""));
	test_assert(aws_error_retryable(400, "ThrottlingException"));
	test_assert(aws_error_retryable(400, "TooManyRequestsException"));
	test_assert(!aws_error_retryable(400, "UnrecognizedClientException"));
	test_assert(!aws_error_retryable(403, "InvalidSignatureException"));
	test_assert(!aws_error_retryable(400, "AccessDeniedException"));
}

/* ---- helpers ---- */

static void test_ecr_iso8601(void)
{
	test_assert_int(aws_parse_iso8601("1970-01-01T00:00:00Z"), 0);
	test_assert_int(aws_parse_iso8601("2015-08-30T12:36:00Z"), 1440938160);
	test_assert_int(aws_parse_iso8601("2015-08-30t12:36:00.5z"), 1440938160);
	test_assert_int(aws_parse_iso8601("2015-08-30T10:36:00-02:00"), 1440938160);
	test_assert_int(aws_parse_iso8601("2015-08-30T14:36:00+0200"), 1440938160);
	test_assert_int(aws_parse_iso8601("2015-08-30T12:36:00"), -1);
	test_assert_int(aws_parse_iso8601("2015-13-30T12:36:00Z"), -1);
	test_assert_int(aws_parse_iso8601("2015-08-30T12:36:00Zjunk"), -1);
	test_assert_int(aws_parse_iso8601(NULL), -1);
}

static void test_ecr_base64(void)
{
	struct buf b = BUF_INIT;

	test_assert_int(aws_base64_decode("QVdTOnB3", 8, &b), 0);
	test_assert_str(b.data, "AWS:pw");
	buf_finish(&b);
	test_assert_int(aws_base64_decode("QQ==", 4, &b), 0);
	test_assert_str(b.data, "A");
	buf_finish(&b);
	test_assert_int(aws_base64_decode("QQ", 2, &b), 0);
	test_assert_str(b.data, "A");
	buf_finish(&b);
	test_assert_int(aws_base64_decode("Q", 1, &b), ERR_INVALID);
	buf_finish(&b);
	test_assert_int(aws_base64_decode("QV-T", 4, &b), ERR_INVALID);
	buf_finish(&b);
}

static const struct test ecr_tests[] = {
	{"test_ecr_parse_host_table", test_ecr_parse_host_table},
	{"test_ecr_parse_host_null", test_ecr_parse_host_null},
	{"test_ecr_endpoint_table", test_ecr_endpoint_table},
	{"test_ecr_endpoint_env", test_ecr_endpoint_env},
	{"test_ecr_endpoint_too_small", test_ecr_endpoint_too_small},
	{"test_ecr_url_parse", test_ecr_url_parse},
	{"test_ecr_region_valid", test_ecr_region_valid},
	{"test_ecr_secret_arn_region", test_ecr_secret_arn_region},
	{"test_ecr_bodies", test_ecr_bodies},
	{"test_ecr_token_list_number", test_ecr_token_list_number},
	{"test_ecr_token_object_iso", test_ecr_token_object_iso},
	{"test_ecr_token_bad", test_ecr_token_bad},
	{"test_ecr_secret_parse", test_ecr_secret_parse},
	{"test_ecr_error_message", test_ecr_error_message},
	{"test_ecr_error_retryable", test_ecr_error_retryable},
	{"test_ecr_iso8601", test_ecr_iso8601},
	{"test_ecr_base64", test_ecr_base64},
};

TEST_MAIN(ecr_tests)
