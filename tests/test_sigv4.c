/* SPDX-License-Identifier: MIT */
/*
 * SigV4 unit tests.  The ECR vectors come from botocore (PROTOCOLS.md 2.2):
 * AKIDEXAMPLE, 2015-08-30T12:36:00Z.  The AWS suites run in sigv4-run.py.
 */
#include "aws/sigv4.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "test.h"
#include "wipe.h"

#define T_20150830 ((time_t)1440938160) /* 2015-08-30T12:36:00Z */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ECR_BODY "{\"registryIds\":[\"123456789012\"]}"
#define ECR_BODY_SHA256 "68906711f3da7ead371dd74604bb42059b634736431a9766ab47790d073883b6"
#define ECR_TARGET "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
#define ECR_HOST "api.ecr.us-west-2.amazonaws.com"

static const struct sigv4_header ecr_headers[] = {
    {"Content-Type", "application/x-amz-json-1.1"},
    {"Host", ECR_HOST},
    {"X-Amz-Target", ECR_TARGET},
};

static const struct sigv4_header public_headers[] = {
    {"Content-Type", "application/x-amz-json-1.1"},
    {"Host", "api.ecr-public.us-east-1.amazonaws.com"},
    {"X-Amz-Target", "SpencerFrontendService.GetAuthorizationToken"},
};

static struct sigv4_request ecr_request(void)
{
	return (struct sigv4_request){
	    .method = "POST",
	    .path = "/",
	    .headers = ecr_headers,
	    .header_count = sizeof(ecr_headers) / sizeof(ecr_headers[0]),
	    .body = ECR_BODY,
	    .body_len = strlen(ECR_BODY),
	};
}

static struct sigv4_params ecr_params(void)
{
	return (struct sigv4_params){
	    .access_key_id = "AKIDEXAMPLE",
	    .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	    .region = "us-west-2",
	    .service = "ecr",
	    .now = T_20150830,
	    .normalize_path = true,
	};
}

/* A GET without headers or body. */
static struct sigv4_request get_request(const char *path, const char *query)
{
	return (struct sigv4_request){.method = "GET", .path = path, .query = query};
}

/* Line n (0-based) of s, in a static buffer. */
static const char *line_of(const char *s, int n)
{
	static char line[1024];

	for (; s && n > 0; n--) {
		s = strchr(s, '\n');
		s = s ? s + 1 : NULL;
	}
	if (!s)
		return "(no such line)";
	size_t len = strcspn(s, "\n");
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, s, len);
	line[len] = '\0';
	return line;
}

/* Canonical request, string to sign and signature in one go. */
static void sign_steps(const struct sigv4_request *req, const struct sigv4_params *p, char **creq,
                       char **sts, char sig[SIGV4_HEX_SIZE])
{
	test_assert_int(sigv4_canonical_request(req, p, SIGV4_MODE_HEADER, creq), 0);
	test_assert_int(sigv4_string_to_sign(*creq ? *creq : "", p, sts), 0);
	test_assert_int(sigv4_signature_hex(*sts ? *sts : "", p, sig), 0);
}

static void test_sigv4_ecr_private_canonical_request(void)
{
	struct sigv4_request req = ecr_request();
	struct sigv4_params p = ecr_params();
	char *creq = NULL;

	test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), 0);
	test_assert_str(creq, "POST\n"
	                      "/\n"
	                      "\n"
	                      "content-type:application/x-amz-json-1.1\n"
	                      "host:" ECR_HOST "\n"
	                      "x-amz-date:20150830T123600Z\n"
	                      "x-amz-target:" ECR_TARGET "\n"
	                      "\n"
	                      "content-type;host;x-amz-date;x-amz-target\n" ECR_BODY_SHA256);
	free(creq);
}

static void test_sigv4_ecr_private_signature(void)
{
	struct sigv4_request req = ecr_request();
	struct sigv4_params p = ecr_params();
	char *creq = NULL, *sts = NULL, sig[SIGV4_HEX_SIZE];

	sign_steps(&req, &p, &creq, &sts, sig);
	test_assert_str(sts, "AWS4-HMAC-SHA256\n"
	                     "20150830T123600Z\n"
	                     "20150830/us-west-2/ecr/aws4_request\n"
	                     "c377ec082ca0518ba8fd3256c12ab575fc8bae72ab5304c7bd393381b12e86db");
	test_assert_str(sig, "5f01220a3684dad30472f9384bd720180f1ae9ee030f791e7b376199b389c7b4");
	free(creq);
	free(sts);
}

static void test_sigv4_ecr_private_sign_headers(void)
{
	struct sigv4_request req = ecr_request();
	struct sigv4_params p = ecr_params();
	struct sigv4_added added;

	test_assert_int(sigv4_sign_headers(&req, &p, &added), 0);
	test_assert_int(added.count, 2);
	test_assert_str(added.header[0].name, "X-Amz-Date");
	test_assert_str(added.header[0].value, "20150830T123600Z");
	test_assert_str(added.header[1].name, "Authorization");
	test_assert_str(
	    added.header[1].value,
	    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-west-2/ecr/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
	    "Signature=5f01220a3684dad30472f9384bd720180f1ae9ee030f791e7b376199b389c7b4");
	sigv4_added_finish(&added);
	test_assert_int(added.count, 0);
}

static void test_sigv4_ecr_private_session_token(void)
{
	struct sigv4_request req = ecr_request();
	struct sigv4_params p = ecr_params();
	struct sigv4_added added;
	char *creq = NULL, *sts = NULL, sig[SIGV4_HEX_SIZE];

	p.session_token = "EXAMPLESESSIONTOKEN";
	sign_steps(&req, &p, &creq, &sts, sig);
	test_assert_str(line_of(creq, 6), "x-amz-security-token:EXAMPLESESSIONTOKEN");
	test_assert_str(line_of(creq, 7), "x-amz-target:" ECR_TARGET);
	test_assert_str(line_of(creq, 9),
	                "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
	test_assert_str(line_of(sts, 3),
	                "0deacf92c4dec76471f2e41e0035afd5b4e67c8b2b15e1ff13bb620b2d70fe26");
	test_assert_str(sig, "f0384170b34ced016c4c211657dcfbbd9f70ca27b3fad96402b77145d286da67");
	test_assert_int(sigv4_sign_headers(&req, &p, &added), 0);
	test_assert_int(added.count, 3);
	test_assert_str(added.header[1].name, "X-Amz-Security-Token");
	test_assert_str(added.header[1].value, "EXAMPLESESSIONTOKEN");
	test_assert(strstr(added.header[2].value, "Signature=f0384170b34ced01") != NULL);
	sigv4_added_finish(&added);
	free_secret(creq);
	free(sts);
}

static void test_sigv4_ecr_public_signature(void)
{
	struct sigv4_request req = ecr_request();
	struct sigv4_params p = ecr_params();
	char *creq = NULL, *sts = NULL, sig[SIGV4_HEX_SIZE];

	req.headers = public_headers;
	req.body = "{}";
	req.body_len = 2;
	p.region = "us-east-1";
	p.service = "ecr-public";
	sign_steps(&req, &p, &creq, &sts, sig);
	test_assert_str(line_of(sts, 2), "20150830/us-east-1/ecr-public/aws4_request");
	test_assert_str(sig, "7f4ca0d963a87df3d01f6c4ab2257843501fb7772d9351b0a56f5eca8095cd59");
	free(creq);
	free(sts);
}

static void test_sigv4_empty_body_hash(void)
{
	struct sigv4_request req = ecr_request();
	struct sigv4_params p = ecr_params();
	char *creq = NULL;

	req.body = NULL;
	req.body_len = 0;
	test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), 0);
	test_assert_str(line_of(creq, 9), EMPTY_SHA256);
	free(creq);
}

static void test_sigv4_sign_body_adds_content_sha256(void)
{
	struct sigv4_request req = ecr_request();
	struct sigv4_params p = ecr_params();
	struct sigv4_added added;
	char *creq = NULL;

	p.sign_body = true;
	test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), 0);
	test_assert_str(line_of(creq, 5), "x-amz-content-sha256:" ECR_BODY_SHA256);
	test_assert_int(sigv4_sign_headers(&req, &p, &added), 0);
	test_assert_int(added.count, 3);
	test_assert_str(added.header[1].name, "X-Amz-Content-Sha256");
	test_assert_str(added.header[1].value, ECR_BODY_SHA256);
	sigv4_added_finish(&added);
	free(creq);
}

static void test_sigv4_header_trimming(void)
{
	const struct sigv4_header h[] = {
	    {"Host", "  example.com\t"},
	    {"My-Header", " \t a   b \t\t c  "},
	    {"Empty", "   "},
	};
	struct sigv4_request req = get_request("/", NULL);
	struct sigv4_params p = ecr_params();
	char *creq = NULL;

	req.headers = h;
	req.header_count = 3;
	test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), 0);
	test_assert_str(line_of(creq, 3), "empty:");
	test_assert_str(line_of(creq, 4), "host:example.com");
	test_assert_str(line_of(creq, 5), "my-header:a b c");
	test_assert_str(line_of(creq, 8), "empty;host;my-header;x-amz-date");
	free(creq);
}

static void test_sigv4_duplicate_headers(void)
{
	const struct sigv4_header h[] = {
	    {"My-Header1", "value2"}, {"host", "example.com"}, {"my-header1", " value2 "},
	    {"MY-HEADER1", "value1"}, {"My-Header1-X", "x"},
	};
	struct sigv4_request req = get_request("/", NULL);
	struct sigv4_params p = ecr_params();
	char *creq = NULL;

	req.headers = h;
	req.header_count = 5;
	test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), 0);
	test_assert_str(line_of(creq, 4), "my-header1:value2,value2,value1");
	test_assert_str(line_of(creq, 5), "my-header1-x:x");
	test_assert_str(line_of(creq, 8), "host;my-header1;my-header1-x;x-amz-date");
	free(creq);
}

static void test_sigv4_reserved_headers_rejected(void)
{
	static const char *const names[] = {"X-Amz-Date", "authorization", "X-AMZ-SECURITY-TOKEN",
	                                    "x-amz-content-sha256"};
	struct sigv4_request req = get_request("/", NULL);
	struct sigv4_params p = ecr_params();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sigv4_header h = {names[i], "x"};
		static char untouched[] = "untouched";
		char *creq = untouched;
		req.headers = &h;
		req.header_count = 1;
		test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq),
		                ERR_INVALID);
		test_assert(creq == NULL);
	}
}

static void test_sigv4_malformed_input_rejected(void)
{
	struct sigv4_header h = {"X-Evil", "a\r\nAuthorization: x"};
	struct sigv4_request req = get_request("/", NULL);
	struct sigv4_params p = ecr_params();
	struct sigv4_added added;
	char *creq = NULL;

	req.headers = &h;
	req.header_count = 1;
	test_assert_int(sigv4_sign_headers(&req, &p, &added), ERR_INVALID);
	test_assert_int(added.count, 0);
	h = (struct sigv4_header){"Bad Name", "x"};
	test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), ERR_INVALID);
	req.header_count = 0;
	p.region = "us-west-2/../x";
	test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), ERR_INVALID);
	p = ecr_params();
	p.session_token = "tok\nen";
	test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), ERR_INVALID);
	p = ecr_params();
	p.secret_access_key = "";
	test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), ERR_INVALID);
	test_assert(creq == NULL);
}

static void test_sigv4_signing_key(void)
{
	/* AWS General Reference, "Examples of how to derive a signing key". */
	struct sigv4_params p = ecr_params();
	unsigned char key[SIGV4_KEY_SIZE];
	char hex[2 * SIGV4_KEY_SIZE + 1];

	p.now = 1329264000; /* 2012-02-15T00:00:00Z */
	p.region = "us-east-1";
	p.service = "iam";
	test_assert_int(sigv4_signing_key(&p, key), 0);
	for (size_t i = 0; i < sizeof(key); i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	test_assert_str(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
	wipe(key, sizeof(key));
	wipe(hex, sizeof(hex));
}

static void test_sigv4_amz_date(void)
{
	char date[SIGV4_DATE_SIZE];

	test_assert_int(sigv4_amz_date(T_20150830, date), 0);
	test_assert_str(date, "20150830T123600Z");
	test_assert_int(sigv4_amz_date(0, date), 0);
	test_assert_str(date, "19700101T000000Z");
	test_assert_int(sigv4_amz_date((time_t)253402300799, date), 0);
	test_assert_str(date, "99991231T235959Z");
	test_assert_int(sigv4_amz_date((time_t)253402300800, date), ERR_INVALID);
	test_assert_str(date, "");
}

static void test_sigv4_path_normalization(void)
{
	static const char *const cases[][2] = {
	    {"/", "/"},
	    {"", "/"},
	    {"//example//", "/example/"},
	    {"/./", "/"},
	    {"/./example", "/example"},
	    {"/example/..", "/"},
	    {"/example1/example2/../..", "/"},
	    {"/a/b/..", "/a/"},
	    {"/a/./b/.", "/a/b/"},
	    {"/../../a", "/a"},
	    {"/example space/", "/example%20space/"},
	    {"/a%2Fb", "/a%252Fb"},
	};
	struct sigv4_params p = ecr_params();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sigv4_request req = get_request(cases[i][0], NULL);
		char *creq = NULL;
		test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), 0);
		test_assert_str(line_of(creq, 1), cases[i][1]);
		free(creq);
	}
}

static void test_sigv4_path_unnormalized(void)
{
	static const char *const cases[][2] = {
	    {"//example//", "//example//"},
	    {"/./a/../b", "/./a/../b"},
	    {"/\xe1\x88\xb4 ~", "/%E1%88%B4%20~"},
	    {"a", "/a"},
	};
	struct sigv4_params p = ecr_params();

	p.normalize_path = false;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sigv4_request req = get_request(cases[i][0], NULL);
		char *creq = NULL;
		test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), 0);
		test_assert_str(line_of(creq, 1), cases[i][1]);
		free(creq);
	}
}

static void test_sigv4_query_canonical(void)
{
	static const char *const cases[][2] = {
	    {"", ""},
	    {"b=2&a=%20x&c&&a=1", "a=%20x&a=1&b=2&c="},
	    {"Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
	     "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"},
	    {"\xe1\x88\xb4=bar", "%E1%88%B4=bar"},
	    {"k=a+b/c%zz%2", "k=a%2Bb%2Fc%25zz%252"},
	    {"a-b=1&a=2", "a=2&a-b=1"},
	    {"=v", "=v"},
	};
	struct sigv4_params p = ecr_params();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sigv4_request req = get_request("/", cases[i][0]);
		char *creq = NULL;
		test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_HEADER, &creq), 0);
		test_assert_str(line_of(creq, 2), cases[i][1]);
		free(creq);
	}
}

static void test_sigv4_presign_query(void)
{
	const struct sigv4_header h = {"Host", "example.amazonaws.com"};
	struct sigv4_request req = get_request("/", "z=1");
	struct sigv4_params p = ecr_params();
	char *query = NULL, *creq = NULL;

	req.headers = &h;
	req.header_count = 1;
	p.expires = 3600;
	p.session_token = "a/b";
	p.omit_session_token = true;
	test_assert_int(sigv4_canonical_request(&req, &p, SIGV4_MODE_QUERY, &creq), 0);
	test_assert(strstr(creq, "Security-Token") == NULL);
	test_assert_str(line_of(creq, 3), "host:example.amazonaws.com");
	test_assert_int(sigv4_presign_query(&req, &p, &query), 0);
	test_assert(query && strncmp(query, "z=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&", 37) == 0);
	test_assert(query && strstr(query, "&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&"));
	test_assert(query && strstr(query, "&X-Amz-Security-Token=a%2Fb") ==
	                         query + strlen(query) - strlen("&X-Amz-Security-Token=a%2Fb"));
	free_secret(query);
	free_secret(creq);
	p.expires = 0;
	test_assert_int(sigv4_presign_query(&req, &p, &query), ERR_INVALID);
	p.expires = SIGV4_EXPIRES_MAX + 1;
	test_assert_int(sigv4_presign_query(&req, &p, &query), ERR_INVALID);
	test_assert(query == NULL);
}

static const struct test sigv4_tests[] = {
    {"test_sigv4_ecr_private_canonical_request", test_sigv4_ecr_private_canonical_request},
    {"test_sigv4_ecr_private_signature", test_sigv4_ecr_private_signature},
    {"test_sigv4_ecr_private_sign_headers", test_sigv4_ecr_private_sign_headers},
    {"test_sigv4_ecr_private_session_token", test_sigv4_ecr_private_session_token},
    {"test_sigv4_ecr_public_signature", test_sigv4_ecr_public_signature},
    {"test_sigv4_empty_body_hash", test_sigv4_empty_body_hash},
    {"test_sigv4_sign_body_adds_content_sha256", test_sigv4_sign_body_adds_content_sha256},
    {"test_sigv4_header_trimming", test_sigv4_header_trimming},
    {"test_sigv4_duplicate_headers", test_sigv4_duplicate_headers},
    {"test_sigv4_reserved_headers_rejected", test_sigv4_reserved_headers_rejected},
    {"test_sigv4_malformed_input_rejected", test_sigv4_malformed_input_rejected},
    {"test_sigv4_signing_key", test_sigv4_signing_key},
    {"test_sigv4_amz_date", test_sigv4_amz_date},
    {"test_sigv4_path_normalization", test_sigv4_path_normalization},
    {"test_sigv4_path_unnormalized", test_sigv4_path_unnormalized},
    {"test_sigv4_query_canonical", test_sigv4_query_canonical},
    {"test_sigv4_presign_query", test_sigv4_presign_query},
};

TEST_MAIN(sigv4_tests)
