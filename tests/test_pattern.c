/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "err.h"
#include "pattern.h"
#include "ref.h"
#include "test.h"

struct match_case {
	const char *pattern;
	const char *key;
	bool match;
};

struct error_case {
	const char *pattern;
	int err;
	const char *why;
};

static void check_match(const struct match_case *c)
{
	struct pattern p;
	struct ref r;
	const char *why = NULL;

	if (pattern_parse(c->pattern, &p, &why) != 0) {
		fprintf(stderr, "pattern \"%s\": parse failed (%s)\n", c->pattern, why);
		test_failures++;
		return;
	}
	if (ref_parse(c->key, &r, &why) != 0) {
		fprintf(stderr, "key \"%s\": parse failed (%s)\n", c->key, why);
		test_failures++;
		return;
	}
	if (pattern_match(&p, &r) != c->match) {
		fprintf(stderr, "pattern \"%s\" key \"%s\": want %s\n", c->pattern, c->key,
			c->match ? "match" : "no match");
		test_failures++;
	}
}

static void check_error(const struct error_case *c)
{
	struct pattern p, zero;
	const char *why = NULL;
	int ret;

	memset(&zero, 0, sizeof(zero));
	memset(&p, 0x55, sizeof(p));
	ret = pattern_parse(c->pattern, &p, &why);
	if (ret != c->err || !why || (c->why && strcmp(why, c->why) != 0)) {
		fprintf(stderr, "pattern \"%s\": got %d (%s), want %d (%s)\n", c->pattern, ret,
			why ? why : "(null)", c->err, c->why ? c->why : "any reason");
		test_failures++;
	}
	test_assert(memcmp(&p, &zero, sizeof(p)) == 0);
}

#define CHECK_ALL(fn, cases)                                                                       \
	for (size_t i = 0; i < sizeof(cases) / sizeof((cases)[0]); i++)                            \
	fn(&(cases)[i])

/* The examples of the kubelet credential provider documentation. */
static void test_pattern_kubelet_examples(void)
{
	static const struct match_case cases[] = {
		{"*.k8s.io", "abc.k8s.io", true},
		{"*.k8s.io", "abc.def.k8s.io", false},
		{"*.k8s.io", "k8s.io", false},
		{"*.*.k8s.io", "abc.def.k8s.io", true},
		{"k8s.*.io", "k8s.gcr.io", true},
		{"k8s.*.io", "k8s.io", false},
		{"k8s.*", "k8s.io", true},
		{"k8s.*", "k8s.gcr.io", false},
		{"app*.k8s.io", "app1.k8s.io", true},
		{"app*.k8s.io", "app.k8s.io", true},
		{"app*.k8s.io", "myapp.k8s.io", false},
		{"*-good.k8s.io", "prefix-good.k8s.io", true},
		{"*-good.k8s.io", "prefix-bad.k8s.io", false},
		{"*.io", "ghcr.io", true},
		{"*.io", "a.b.io", false},
		{"*.azurecr.io", "myreg.azurecr.io/app:1", true},
		{"*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.us-west-2.amazonaws.com/app",
		 true},
		{"*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
		 false},
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com",
		 "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:"
		 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		 true},
	};

	CHECK_ALL(check_match, cases);
}

static void test_pattern_ports(void)
{
	static const struct match_case cases[] = {
		{"registry.io:8080", "registry.io:8080", true},
		{"registry.io:8080", "http://registry.io:8080/v2/", true},
		{"registry.io:8080", "registry.io", false},
		{"registry.io:8080", "registry.io:8081", false},
		{"registry.io", "registry.io:8080", false},
		{"registry.io:08080", "registry.io:8080", true},
		{"localhost", "localhost:5000", false},
		{"localhost", "localhost", true},
		{"localhost:5000", "localhost:5000/a", true},
		{"*:5000", "localhost:5000", true},
		{"*:5000", "a.b:5000", false},
		{"*:5000", "[::1]:5000", false},
		{"*.example.com:5000", "reg.example.com:5000", true},
		{"*.example.com:5000", "reg.example.com", false},
	};

	CHECK_ALL(check_match, cases);
}

static void test_pattern_paths(void)
{
	static const struct match_case cases[] = {
		{"registry.io:8080/path", "registry.io:8080/path/image", true},
		{"registry.io:8080/path", "registry.io:8080/path", true},
		{"registry.io:8080/path", "registry.io:8080/pathx/image", false},
		{"registry.io:8080/path", "registry.io:8080", false},
		{"registry.io:8080/path", "registry.io/path/image", false},
		{"ghcr.io/team", "ghcr.io/team/app:1", true},
		{"ghcr.io/team/", "ghcr.io/team/app", true},
		{"ghcr.io/team", "ghcr.io/teamx/app", false},
		{"ghcr.io/team/app", "ghcr.io/team", false},
		{"https://ghcr.io/team", "https://ghcr.io/team/app", true},
		{"ghcr.io/Team", "ghcr.io/team/app", false},
		{"*.io/team", "ghcr.io/team/app", true},
		/* like ref_parse, a bare "/v2" path is the API, not a repository */
		{"ghcr.io/v2", "ghcr.io/other", true},
		{"ghcr.io/v2/x", "ghcr.io/v2/x", true},
	};

	CHECK_ALL(check_match, cases);
}

static void test_pattern_hub(void)
{
	static const struct match_case cases[] = {
		{"docker.io", "https://index.docker.io/v1/", true},
		{"docker.io", "nginx", true},
		{"docker.io", "registry-1.docker.io", true},
		{"docker.io", "docker.io:443", false},
		{"index.docker.io", "docker.io/library/nginx", true},
		{"registry.hub.docker.com", "nginx:latest", true},
		{"Registry-1.Docker.IO", "o/i", true},
		{"https://index.docker.io/v1/", "docker.io", true},
		{"https://index.docker.io/v1/", "https://index.docker.io/v1/access-token", true},
		{"docker.io/library", "nginx:latest", true},
		{"docker.io/library", "o/i", false},
		{"docker.io/library", "https://index.docker.io/v1/", false},
		{"docker.io/library/nginx", "docker.io/library/nginx", true},
		{"docker.io/library/nginx", "nginx-x", false},
		{"docker.io/o", "o/i", true},
		{"docker.io:443", "docker.io:443", true},
		{"docker.io:443", "docker.io", false},
		/* Hub keys have the host "docker.io" whatever the caller wrote */
		{"*.io", "nginx", true},
		{"*.docker.io", "index.docker.io", false},
		/* a bare word is a host in a pattern, not a Hub image */
		{"nginx", "nginx", false},
	};

	CHECK_ALL(check_match, cases);
}

static void test_pattern_catch_all(void)
{
	static const struct match_case cases[] = {
		{"*", "ghcr.io", true},
		{"*", "[::1]:5000", true},
		{"*", "nginx", true},
		{"*", "localhost:5000/a", true},
		{"*", "127.0.0.1:5999", true},
		{"https://*", "a.b.c.d", true},
		{"*/", "ghcr.io:5000/o/i", true},
		/* with a path "*" is an ordinary one-label glob */
		{"*/team", "localhost/team/app", true},
		{"*/team", "ghcr.io/team/app", false},
	};

	CHECK_ALL(check_match, cases);
}

static void test_pattern_ipv6(void)
{
	static const struct match_case cases[] = {
		{"[::1]:5000", "[::1]:5000/x", true},
		{"[::1]:5000", "[0::1]:5000", true},
		{"[0:0::1]:5000", "[::1]:5000", true},
		{"[::1]:5000", "[::1]", false},
		{"[::1]:5000", "[::2]:5000", false},
		{"[::1]", "[::1]", true},
		{"[FE80::1]", "[fe80::1]", true},
		{"https://[::1]:5000/v2/", "[::1]:5000/x/y:tag", true},
	};

	CHECK_ALL(check_match, cases);
}

static void test_pattern_globs(void)
{
	static const struct match_case cases[] = {
		{"reg?.example.com", "reg1.example.com", true},
		{"reg?.example.com", "reg12.example.com", false},
		{"reg?.example.com", "reg.example.com", false},
		{"reg[0-9].example.com", "reg5.example.com", true},
		{"reg[0-9].example.com", "rega.example.com", false},
		{"reg[^0-9].example.com", "rega.example.com", true},
		{"reg[^0-9].example.com", "reg5.example.com", false},
		{"reg[abx-z].example.com", "regy.example.com", true},
		{"reg[abx-z].example.com", "regc.example.com", false},
		{"reg\\-1.example.com", "reg-1.example.com", true},
		{"[a-c]*.example.com", "b-reg.example.com", true},
		{"[a-c]*.example.com", "d.example.com", false},
		{"[A-C]*.EXAMPLE.com", "b.example.com", true},
		{"*a*b*.io", "xaxxbx.io", true},
		{"*a*b*.io", "ab.io", true},
		{"*a*b*.io", "xbxa.io", false},
		{"*.*", "ghcr.io", true},
		{"*.*", "localhost", false},
		{"*", "localhost", true},
		{"*.example.com", "[::1]", false},
	};

	CHECK_ALL(check_match, cases);
}

static void test_pattern_errors(void)
{
	static const struct error_case cases[] = {
		{"", ERR_INVALID, "empty pattern"},
		{NULL, ERR_INVALID, "empty pattern"},
		{" ghcr.io", ERR_INVALID, "whitespace in pattern"},
		{"gh cr.io", ERR_INVALID, "whitespace in pattern"},
		{"ghcr.io\t", ERR_INVALID, "whitespace in pattern"},
		{"ghcr.io\x01", ERR_INVALID, "control character in pattern"},
		{"h\xc3\xa9llo.io", ERR_INVALID, "non-ascii character in pattern"},
		{"ftp://ghcr.io", ERR_INVALID, "unsupported scheme"},
		{"https://", ERR_INVALID, "empty registry"},
		{"https:///x", ERR_INVALID, "empty registry"},
		{"/team", ERR_INVALID, "empty registry"},
		{"ghcr..io", ERR_INVALID, "empty label in host"},
		{".ghcr.io", ERR_INVALID, "empty label in host"},
		{"*..io", ERR_INVALID, "empty label in host"},
		{"*.io.", ERR_INVALID, "empty label in host"},
		{"ghcr.io:", ERR_INVALID, "empty port"},
		{"ghcr.io:0", ERR_INVALID, "invalid port"},
		{"ghcr.io:99999", ERR_INVALID, "invalid port"},
		{"*.io:0", ERR_INVALID, "invalid port"},
		{"*.io:5x", ERR_INVALID, "invalid port"},
		{"*.io:*", ERR_INVALID, "glob not allowed in port"},
		{"ghcr.io:50?0", ERR_INVALID, "glob not allowed in port"},
		{"ghcr.io/te*m", ERR_INVALID, "glob not allowed in path"},
		{"ghcr.io/team:tag", ERR_INVALID, "tag or digest not allowed in pattern"},
		{"ghcr.io/team@sha256:00", ERR_INVALID, "tag or digest not allowed in pattern"},
		{"ghcr.io/a//b", ERR_INVALID, "empty path component"},
		{"ghcr.io/a..b", ERR_INVALID, "invalid repository path component"},
		{"reg[.example.com", ERR_INVALID, "unterminated character class"},
		{"reg[a-", ERR_INVALID, "unterminated character class"},
		{"reg[].io", ERR_INVALID, "malformed character class"},
		{"reg[a-].io", ERR_INVALID, "malformed character class"},
		{"reg[-a].io", ERR_INVALID, "malformed character class"},
		{"reg\\", ERR_INVALID, "malformed glob"},
		{"reg_x.io", ERR_INVALID, "invalid character in host"},
		{"*_x.io", ERR_INVALID, "invalid character in host"},
		{"reg[_].io", ERR_INVALID, "invalid character in host"},
		{"*.io#x", ERR_INVALID, "invalid character in host"},
		{"user@ghcr.io", ERR_INVALID, "user info not allowed"},
		{"[::g]:80", ERR_INVALID, "invalid ipv6 address"},
		{"[::1]x", ERR_INVALID, "invalid character after ipv6 address"},
		{"-a.io", ERR_INVALID, "host label starts or ends with '-'"},
		{"*.-a.io", ERR_INVALID, "host label starts or ends with '-'"},
		{"a.b::80", ERR_INVALID, "ipv6 address must be in brackets"},
	};

	CHECK_ALL(check_error, cases);
}

static void test_pattern_too_large(void)
{
	static char text[REF_HOST_MAX + PATTERN_PATH_MAX + 64];
	struct pattern p;
	const char *why;
	size_t n;

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	test_assert_int(pattern_parse(text, &p, &why), ERR_TOO_LARGE);
	test_assert_str(why, "pattern too long");

	strcpy(text, "ghcr.io/");
	n = strlen(text);
	memset(text + n, 'a', PATTERN_PATH_MAX);
	text[n + PATTERN_PATH_MAX] = '\0';
	test_assert_int(pattern_parse(text, &p, &why), ERR_TOO_LARGE);
	test_assert_str(why, "path prefix too long");
	text[n + PATTERN_PATH_MAX - 1] = '\0';
	test_assert_int(pattern_parse(text, &p, &why), 0);
	test_assert_int(strlen(p.path), PATTERN_PATH_MAX - 1);
}

static void test_pattern_is_literal(void)
{
	static const struct {
		const char *text;
		bool literal;
	} cases[] = {
		{"ghcr.io", true},        {"ghcr.io:5000/team", true}, {"docker.io", true},
		{"[::1]:5000", true},     {"localhost", true},         {"*", false},
		{"*.io", false},          {"reg?.io", false},          {"reg[0-9].io", false},
		{"reg\\-1.io", false},
	};
	struct pattern p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_assert_int(pattern_parse(cases[i].text, &p, NULL), 0);
		if (pattern_is_literal(&p) != cases[i].literal) {
			fprintf(stderr, "pattern \"%s\": literal should be %d\n", cases[i].text,
				cases[i].literal);
			test_failures++;
		}
	}
}

static void test_pattern_format(void)
{
	static const struct {
		const char *text, *canonical;
		bool hub;
	} cases[] = {
		{"HTTPS://Index.Docker.IO/library/", "docker.io/library", true},
		{"https://index.docker.io/v1/", "docker.io", true},
		{"*.Example.com:05000/a/", "*.example.com:5000/a", false},
		{"*", "*", false},
		{"https://*/", "*", false},
		{"[0::1]:80", "[::1]:80", false},
		{"docker.io:443", "docker.io:443", false},
		{"registry.example.com/v2/", "registry.example.com", false},
	};
	struct pattern p;
	char buf[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_assert_int(pattern_parse(cases[i].text, &p, NULL), 0);
		pattern_format(&p, buf, sizeof(buf));
		test_assert_str(buf, cases[i].canonical);
		test_assert(p.hub == cases[i].hub);
	}
	pattern_format(&p, buf, 4);
	test_assert_str(buf, "reg");
}

static void test_pattern_zeroed_ref(void)
{
	struct pattern p;
	struct ref r;

	memset(&r, 0, sizeof(r));
	test_assert_int(pattern_parse("*.*", &p, NULL), 0);
	test_assert(!pattern_match(&p, &r));
	test_assert_int(pattern_parse("?*", &p, NULL), 0);
	test_assert(!pattern_match(&p, &r));
}

static const struct test pattern_tests[] = {
	{"test_pattern_kubelet_examples", test_pattern_kubelet_examples},
	{"test_pattern_ports", test_pattern_ports},
	{"test_pattern_paths", test_pattern_paths},
	{"test_pattern_hub", test_pattern_hub},
	{"test_pattern_catch_all", test_pattern_catch_all},
	{"test_pattern_ipv6", test_pattern_ipv6},
	{"test_pattern_globs", test_pattern_globs},
	{"test_pattern_errors", test_pattern_errors},
	{"test_pattern_too_large", test_pattern_too_large},
	{"test_pattern_is_literal", test_pattern_is_literal},
	{"test_pattern_format", test_pattern_format},
	{"test_pattern_zeroed_ref", test_pattern_zeroed_ref},
};

TEST_MAIN(pattern_tests)
