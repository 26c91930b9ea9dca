/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "err.h"
#include "ref.h"
#include "test.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DIGEST "sha256:" HEX64

/* host == NULL: the key must fail with err (and why, unless why is NULL). */
struct ref_case {
	const char *key;
	const char *host;
	const char *path;
	bool hub;
	int err;
	const char *why;
};

static void check_case(const struct ref_case *c)
{
	struct ref r;
	const char *why = "unset";
	int ret = ref_parse(c->key, &r, &why);

	if (c->host) {
		if (ret != 0 || strcmp(r.host, c->host) != 0 || strcmp(r.path, c->path) != 0 ||
		    r.hub != c->hub) {
			fprintf(stderr, "key \"%s\": got %d (%s) \"%s\" \"%s\" hub %d\n", c->key,
				ret, why ? why : "-", r.host, r.path, r.hub);
			fprintf(stderr, "  want \"%s\" \"%s\" hub %d\n", c->host, c->path, c->hub);
			test_failures++;
		}
		test_assert(why == NULL);
		return;
	}
	if (ret != c->err || !why || (c->why && strcmp(why, c->why) != 0)) {
		fprintf(stderr, "key \"%s\": got %d (%s) host \"%s\", want %d (%s)\n", c->key, ret,
			why ? why : "(null)", r.host, c->err, c->why ? c->why : "any reason");
		test_failures++;
	}
	test_assert(r.host[0] == '\0' && r.path[0] == '\0' && !r.hub);
}

#define CHECK_CASES(cases)                                                                         \
	for (size_t i = 0; i < sizeof(cases) / sizeof((cases)[0]); i++)                            \
	check_case(&(cases)[i])

static void test_ref_hub_spellings(void)
{
	static const struct ref_case cases[] = {
		{"https://index.docker.io/v1/", "docker.io", "", true, 0, NULL},
		{"https://index.docker.io/v1", "docker.io", "", true, 0, NULL},
		{"https://index.docker.io", "docker.io", "", true, 0, NULL},
		{"index.docker.io", "docker.io", "", true, 0, NULL},
		{"docker.io", "docker.io", "", true, 0, NULL},
		{"registry-1.docker.io", "docker.io", "", true, 0, NULL},
		{"https://registry-1.docker.io/v2/", "docker.io", "", true, 0, NULL},
		{"registry.hub.docker.com", "docker.io", "", true, 0, NULL},
		{"Docker.IO", "docker.io", "", true, 0, NULL},
		{"HTTPS://INDEX.DOCKER.IO/V1/", "docker.io", "", true, 0, NULL},
		{"http://docker.io", "docker.io", "", true, 0, NULL},
		{"https://index.docker.io/v1/access-token", "docker.io", "", true, 0, NULL},
		{"https://index.docker.io/v1/refresh-token", "docker.io", "", true, 0, NULL},
		{"https://docker.io/v2/library/nginx/manifests/latest", "docker.io", "", true, 0,
		 NULL},
		{"https://docker.io/nginx", "docker.io", "library/nginx", true, 0, NULL},
		/* a port makes it an ordinary registry */
		{"docker.io:443", "docker.io:443", "", false, 0, NULL},
		{"index.docker.io:443/o/i", "index.docker.io:443", "o/i", false, 0, NULL},
	};

	CHECK_CASES(cases);
}

static void test_ref_urls(void)
{
	static const struct ref_case cases[] = {
		{"https://ghcr.io", "ghcr.io", "", false, 0, NULL},
		{"https://registry.example.com/v2/", "registry.example.com", "", false, 0, NULL},
		{"https://registry.example.com/v2", "registry.example.com", "", false, 0, NULL},
		{"https://registry.example.com/v1/x/y", "registry.example.com", "", false, 0, NULL},
		{"http://host:5000", "host:5000", "", false, 0, NULL},
		{"http://host:5000/", "host:5000", "", false, 0, NULL},
		{"https://host:05000", "host:5000", "", false, 0, NULL},
		{"https://ghcr.io/o/i", "ghcr.io", "o/i", false, 0, NULL},
		{"https://ghcr.io/o/i/", "ghcr.io", "o/i", false, 0, NULL},
		{"https://gcr.io?x=1#f", "gcr.io", "", false, 0, NULL},
		{"https://ghcr.io/o/i?x=1", "ghcr.io", "o/i", false, 0, NULL},
		{"https://ghcr.io/o/i#frag", "ghcr.io", "o/i", false, 0, NULL},
		{"https://[::1]:5000/v2/", "[::1]:5000", "", false, 0, NULL},
		{"https://ghcr.io/o/i:1.0", "ghcr.io", "o/i", false, 0, NULL},
	};

	CHECK_CASES(cases);
}

static void test_ref_registries(void)
{
	static const struct ref_case cases[] = {
		{"127.0.0.1:5999", "127.0.0.1:5999", "", false, 0, NULL},
		{"127.0.0.1", "127.0.0.1", "", false, 0, NULL},
		{"localhost", "localhost", "", false, 0, NULL},
		{"LocalHost", "localhost", "", false, 0, NULL},
		{"localhost:5000", "localhost:5000", "", false, 0, NULL},
		{"localhost:5000/a", "localhost:5000", "a", false, 0, NULL},
		{"localhost/a/b:c", "localhost", "a/b", false, 0, NULL},
		{"Registry.Example.COM", "registry.example.com", "", false, 0, NULL},
		{"registry.example.com/", "registry.example.com", "", false, 0, NULL},
		{"registry.example.com/v2/", "registry.example.com", "", false, 0, NULL},
		{"registry.example.com/v2/x", "registry.example.com", "v2/x", false, 0, NULL},
		{"myhost:5000", "myhost:5000", "", false, 0, NULL},
		{"myhost:65535", "myhost:65535", "", false, 0, NULL},
		{"ghcr.io", "ghcr.io", "", false, 0, NULL},
		{"MyHost/app", "myhost", "app", false, 0, NULL},
		{"my-host:1/app", "my-host:1", "app", false, 0, NULL},
		{"123456789012.dkr.ecr.us-west-2.amazonaws.com/app",
		 "123456789012.dkr.ecr.us-west-2.amazonaws.com", "app", false, 0, NULL},
	};

	CHECK_CASES(cases);
}

static void test_ref_ipv6(void)
{
	static const struct ref_case cases[] = {
		{"[::1]:5000", "[::1]:5000", "", false, 0, NULL},
		{"[::1]", "[::1]", "", false, 0, NULL},
		{"[::1]:5000/x/y:tag", "[::1]:5000", "x/y", false, 0, NULL},
		{"[0:0::1]:5000", "[::1]:5000", "", false, 0, NULL},
		{"[FE80::1]", "[fe80::1]", "", false, 0, NULL},
		{"[::ffff:127.0.0.1]:80", "[::ffff:127.0.0.1]:80", "", false, 0, NULL},
		{"[::1", NULL, NULL, false, ERR_INVALID, "unterminated ipv6 address"},
		{"[::1]x", NULL, NULL, false, ERR_INVALID, "invalid character after ipv6 address"},
		{"[::g]", NULL, NULL, false, ERR_INVALID, "invalid ipv6 address"},
		{"[1::2::3]", NULL, NULL, false, ERR_INVALID, "invalid ipv6 address"},
		{"[]:80", NULL, NULL, false, ERR_INVALID, "invalid ipv6 address"},
		{"[::1%eth0]", NULL, NULL, false, ERR_INVALID, "invalid ipv6 address"},
		{"[::1]:0", NULL, NULL, false, ERR_INVALID, "invalid port"},
		{"http://[::1", NULL, NULL, false, ERR_INVALID, "unterminated ipv6 address"},
		{"a.b::80/x", NULL, NULL, false, ERR_INVALID, "ipv6 address must be in brackets"},
		{"::1", NULL, NULL, false, ERR_INVALID, NULL},
	};

	CHECK_CASES(cases);
}

static void test_ref_images(void)
{
	static const struct ref_case cases[] = {
		{"nginx:latest", "docker.io", "library/nginx", true, 0, NULL},
		{"nginx", "docker.io", "library/nginx", true, 0, NULL},
		{"library/nginx", "docker.io", "library/nginx", true, 0, NULL},
		{"docker.io/library/nginx", "docker.io", "library/nginx", true, 0, NULL},
		{"docker.io/library/nginx:1.25", "docker.io", "library/nginx", true, 0, NULL},
		{"docker.io/nginx", "docker.io", "library/nginx", true, 0, NULL},
		{"o/i", "docker.io", "o/i", true, 0, NULL},
		{"index.docker.io/o/i:1.0", "docker.io", "o/i", true, 0, NULL},
		{"registry-1.docker.io/o/i", "docker.io", "o/i", true, 0, NULL},
		{"ghcr.io/o/i@" DIGEST, "ghcr.io", "o/i", false, 0, NULL},
		{"ghcr.io/o/i:v1@" DIGEST, "ghcr.io", "o/i", false, 0, NULL},
		{"nginx@" DIGEST, "docker.io", "library/nginx", true, 0, NULL},
		{"nginx:1.25-alpine@" DIGEST, "docker.io", "library/nginx", true, 0, NULL},
		{"my.host@" DIGEST, "docker.io", "library/my.host", true, 0, NULL},
		{"ghcr.io/thin-edge/tedge:1.3.1", "ghcr.io", "thin-edge/tedge", false, 0, NULL},
		/* docker semantics: no '.', no port digits, so an image with tag "abc" */
		{"host:abc", "docker.io", "library/host", true, 0, NULL},
		{"gcr.io/a.b/c__d/e---f", "gcr.io", "a.b/c__d/e---f", false, 0, NULL},
		{"ghcr.io/O/I", "ghcr.io", "O/I", false, 0, NULL},
		{"ghcr.io/o/i:_x.Y-1", "ghcr.io", "o/i", false, 0, NULL},
		{"ghcr.io/o/i@sha512:" HEX64 HEX64, "ghcr.io", "o/i", false, 0, NULL},
	};

	CHECK_CASES(cases);
}

static void test_ref_bad_input(void)
{
	static const struct ref_case cases[] = {
		{"", NULL, NULL, false, ERR_INVALID, "empty reference"},
		{"   ", NULL, NULL, false, ERR_INVALID, "empty reference"},
		{"a b", NULL, NULL, false, ERR_INVALID, "whitespace in reference"},
		{"ghcr.io/a\tb", NULL, NULL, false, ERR_INVALID, "whitespace in reference"},
		{"ghcr.io\n", NULL, NULL, false, ERR_INVALID, "whitespace in reference"},
		{"ghcr.io/a\x01", NULL, NULL, false, ERR_INVALID, "control character in reference"},
		{"ghcr.io\x7f", NULL, NULL, false, ERR_INVALID, "control character in reference"},
		{"\x1b[0m", NULL, NULL, false, ERR_INVALID, "control character in reference"},
		{"https://", NULL, NULL, false, ERR_INVALID, "empty registry"},
		{"https:///x", NULL, NULL, false, ERR_INVALID, "empty registry"},
		{"https://:5000", NULL, NULL, false, ERR_INVALID, "empty registry"},
		{":5000", NULL, NULL, false, ERR_INVALID, "empty registry"},
		{"ftp://x", NULL, NULL, false, ERR_INVALID, "unsupported scheme"},
		{"docker://ghcr.io", NULL, NULL, false, ERR_INVALID, "unsupported scheme"},
		{"host:0", NULL, NULL, false, ERR_INVALID, "invalid port"},
		{"host:65536", NULL, NULL, false, ERR_INVALID, "invalid port"},
		{"host.com:123456", NULL, NULL, false, ERR_INVALID, "invalid port"},
		{"host.com:+80", NULL, NULL, false, ERR_INVALID, "invalid port"},
		{"host.com:-1", NULL, NULL, false, ERR_INVALID, "invalid port"},
		{"host.com:abc", NULL, NULL, false, ERR_INVALID, "invalid port"},
		{"host.com:", NULL, NULL, false, ERR_INVALID, "empty port"},
		{"https://host:0/", NULL, NULL, false, ERR_INVALID, "invalid port"},
		{"user@host.com", NULL, NULL, false, ERR_INVALID, "user info not allowed"},
		{"user@host.com/x", NULL, NULL, false, ERR_INVALID, "user info not allowed"},
		{"https://user:pw@host.com", NULL, NULL, false, ERR_INVALID,
		 "user info not allowed"},
		{"a..b.com", NULL, NULL, false, ERR_INVALID, "empty label in host"},
		{".a.com", NULL, NULL, false, ERR_INVALID, "empty label in host"},
		{"a.com.", NULL, NULL, false, ERR_INVALID, "empty label in host"},
		{"-a.com", NULL, NULL, false, ERR_INVALID, "host label starts or ends with '-'"},
		{"a-.com", NULL, NULL, false, ERR_INVALID, "host label starts or ends with '-'"},
		{"a_b.com", NULL, NULL, false, ERR_INVALID, "invalid character in host"},
		{"r\xc3\xa9g.com", NULL, NULL, false, ERR_INVALID, "non-ascii character in host"},
		{"https://r\xc3\xa9g.com/x", NULL, NULL, false, ERR_INVALID,
		 "non-ascii character in host"},
		{"a//b", NULL, NULL, false, ERR_INVALID, "empty path component"},
		{"ghcr.io/a//b", NULL, NULL, false, ERR_INVALID, "empty path component"},
		{"ghcr.io//a", NULL, NULL, false, ERR_INVALID, "empty path component"},
		{"https://host//x", NULL, NULL, false, ERR_INVALID, "empty path component"},
		{"nginx/", NULL, NULL, false, ERR_INVALID, "empty path component"},
		{"/nginx", NULL, NULL, false, ERR_INVALID, "empty path component"},
		{"ghcr.io/o/i:", NULL, NULL, false, ERR_INVALID, "invalid tag"},
		{"ghcr.io/o/i:-x", NULL, NULL, false, ERR_INVALID, "invalid tag"},
		{"ghcr.io/o/i@sha256:abc", NULL, NULL, false, ERR_INVALID, "invalid digest"},
		{"ghcr.io/o/i@md5:" HEX64, NULL, NULL, false, ERR_INVALID, "invalid digest"},
		{"ghcr.io/o/i@sha256:0123456789ABCDEF0123456789abcdef"
		 "0123456789abcdef0123456789abcdef",
		 NULL, NULL, false, ERR_INVALID, "invalid digest"},
		{"ghcr.io/:tag", NULL, NULL, false, ERR_INVALID, "missing repository name"},
		{"ghcr.io/o/-i", NULL, NULL, false, ERR_INVALID,
		 "invalid repository path component"},
		{"ghcr.io/o/i..x", NULL, NULL, false, ERR_INVALID,
		 "invalid repository path component"},
		{"ghcr.io/o/i___x", NULL, NULL, false, ERR_INVALID,
		 "invalid repository path component"},
		{"ghcr.io/o/i%20", NULL, NULL, false, ERR_INVALID,
		 "invalid character in repository path"},
		{"ghcr.io/o/i?x", NULL, NULL, false, ERR_INVALID,
		 "invalid character in repository path"},
		{"ghcr.io/o/i:a/b", NULL, NULL, false, ERR_INVALID,
		 "invalid character in repository path"},
	};

	CHECK_CASES(cases);
}

static void test_ref_long_labels(void)
{
	char key[400];
	struct ref r;
	const char *why;

	/* 63 is the longest label, 64 too long */
	memset(key, 'a', 63);
	strcpy(key + 63, ".com");
	test_assert_int(ref_parse(key, &r, &why), 0);
	memset(key, 'a', 64);
	strcpy(key + 64, ".com");
	test_assert_int(ref_parse(key, &r, &why), ERR_INVALID);
	test_assert_str(why, "host label too long");

	memset(key, 'a', 300);
	strcpy(key + 300, ".com");
	test_assert_int(ref_parse(key, &r, &why), ERR_INVALID);
	test_assert_str(why, "host name too long");

	/* 4 labels of 63 + 3 dots = 255 > 253 */
	memset(key, 'a', 255);
	key[63] = key[127] = key[191] = '.';
	key[255] = '\0';
	test_assert_int(ref_parse(key, &r, &why), ERR_INVALID);
	test_assert_str(why, "host name too long");
	key[253] = '\0';
	test_assert_int(ref_parse(key, &r, &why), 0);
	key[251] = '\0';
	strcat(key, ":65535");
	test_assert_int(ref_parse(key, &r, &why), 0);
	test_assert_int(strlen(r.host), 251 + 6);
}

static void test_ref_too_large(void)
{
	static char key[REF_KEY_MAX + 2];
	struct ref r;
	const char *why;
	size_t n;

	memset(key, 'a', REF_KEY_MAX + 1);
	key[REF_KEY_MAX + 1] = '\0';
	test_assert_int(ref_parse(key, &r, &why), ERR_TOO_LARGE);
	test_assert_str(why, "reference too long");

	/* the longest path is REF_PATH_MAX - 1 characters */
	strcpy(key, "ghcr.io/");
	n = strlen(key);
	for (size_t i = 0; i < (REF_PATH_MAX - 2) / 2; i++) {
		key[n++] = 'a';
		key[n++] = '/';
	}
	key[n++] = 'a';
	key[n] = '\0';
	test_assert_int(ref_parse(key, &r, &why), 0);
	test_assert_int(strlen(r.path), REF_PATH_MAX - 1);
	key[n++] = 'a';
	key[n] = '\0';
	test_assert_int(ref_parse(key, &r, &why), ERR_TOO_LARGE);
	test_assert_str(why, "repository path too long");

	/* "library/" pushes a long Hub name over the limit */
	memset(key, 'a', REF_PATH_MAX - 5);
	key[REF_PATH_MAX - 5] = '\0';
	test_assert_int(ref_parse(key, &r, &why), ERR_TOO_LARGE);
	test_assert_str(why, "repository path too long");
	key[REF_PATH_MAX - 9] = '\0';
	test_assert_int(ref_parse(key, &r, &why), 0);
	test_assert_int(strlen(r.path), REF_PATH_MAX - 1);
}

static void test_ref_error_clears_output(void)
{
	struct ref r, zero;
	const char *why = "unset";

	memset(&zero, 0, sizeof(zero));
	memset(&r, 0x55, sizeof(r));
	test_assert_int(ref_parse("host:0", &r, &why), ERR_INVALID);
	test_assert(memcmp(&r, &zero, sizeof(r)) == 0);
	test_assert_str(why, "invalid port");

	memset(&r, 0x55, sizeof(r));
	test_assert_int(ref_parse(NULL, &r, NULL), ERR_INVALID);
	test_assert(memcmp(&r, &zero, sizeof(r)) == 0);

	/* why may be NULL, and is NULL after success */
	test_assert_int(ref_parse("ghcr.io/o/i", &r, NULL), 0);
	test_assert_int(ref_parse("ghcr.io/o/i", &r, &why), 0);
	test_assert(why == NULL);
}

static void test_ref_format(void)
{
	struct ref r;
	char buf[64], small[8];

	test_assert_int(ref_parse("https://index.docker.io/v1/", &r, NULL), 0);
	ref_format(&r, buf, sizeof(buf));
	test_assert_str(buf, "docker.io");

	test_assert_int(ref_parse("nginx:latest", &r, NULL), 0);
	ref_format(&r, buf, sizeof(buf));
	test_assert_str(buf, "docker.io/library/nginx");

	test_assert_int(ref_parse("[::1]:5000/x/y:tag", &r, NULL), 0);
	ref_format(&r, buf, sizeof(buf));
	test_assert_str(buf, "[::1]:5000/x/y");

	ref_format(&r, small, sizeof(small));
	test_assert_str(small, "[::1]:5");
	ref_format(&r, small, 0);
}

static void test_ref_is_hub_host(void)
{
	test_assert(ref_is_hub_host("docker.io"));
	test_assert(ref_is_hub_host("index.docker.io"));
	test_assert(ref_is_hub_host("registry-1.docker.io"));
	test_assert(ref_is_hub_host("registry.hub.docker.com"));
	test_assert(ref_is_hub_host("Registry.Hub.Docker.COM"));
	test_assert(!ref_is_hub_host("docker.io:443"));
	test_assert(!ref_is_hub_host("xdocker.io"));
	test_assert(!ref_is_hub_host("docker.io."));
	test_assert(!ref_is_hub_host("hub.docker.com"));
	test_assert(!ref_is_hub_host(""));
	test_assert(!ref_is_hub_host(NULL));
}

static void test_ref_parse_registry(void)
{
	struct ref r;
	const char *why;
	const char *text = "GHCR.io:443/ignored";

	test_assert_int(ref_parse_registry(text, 11, &r, &why), 0);
	test_assert_str(r.host, "ghcr.io:443");
	test_assert_str(r.path, "");
	test_assert(why == NULL);

	/* no image rules here: a bare word is a host */
	test_assert_int(ref_parse_registry("nginx", 5, &r, &why), 0);
	test_assert_str(r.host, "nginx");
	test_assert(!r.hub);

	test_assert_int(ref_parse_registry("Index.Docker.io", 15, &r, &why), 0);
	test_assert_str(r.host, "docker.io");
	test_assert(r.hub);

	test_assert_int(ref_parse_registry("", 0, &r, &why), ERR_INVALID);
	test_assert_str(why, "empty registry");
	test_assert_int(ref_parse_registry("a.io/x", 6, &r, &why), ERR_INVALID);
	test_assert_str(why, "invalid character in host");
}

static void test_ref_parse_port(void)
{
	unsigned port;
	const char *why;

	test_assert_int(ref_parse_port("1", 1, &port, &why), 0);
	test_assert_int(port, 1);
	test_assert_int(ref_parse_port("65535", 5, &port, &why), 0);
	test_assert_int(port, 65535);
	test_assert_int(ref_parse_port("00080", 5, &port, &why), 0);
	test_assert_int(port, 80);
	test_assert_int(ref_parse_port("000080", 6, &port, &why), ERR_INVALID);
	test_assert_int(port, 0);
	test_assert_int(ref_parse_port("65536", 5, &port, &why), ERR_INVALID);
	test_assert_int(ref_parse_port("0", 1, &port, &why), ERR_INVALID);
	test_assert_int(ref_parse_port("", 0, &port, &why), ERR_INVALID);
	test_assert_str(why, "empty port");
	test_assert_int(ref_parse_port("8x", 2, &port, NULL), ERR_INVALID);
}

static void test_ref_check_path(void)
{
	const char *why;

	test_assert_int(ref_check_path("a/b-c/d.e/f_g/h__i", 18, &why), 0);
	test_assert_int(ref_check_path("team/app", 4, &why), 0);
	test_assert_int(ref_check_path("", 0, &why), ERR_INVALID);
	test_assert_int(ref_check_path("a/", 2, &why), ERR_INVALID);
	test_assert_str(why, "empty path component");
	test_assert_int(ref_check_path("a_", 2, &why), ERR_INVALID);
	test_assert_int(ref_check_path("a.-b", 4, &why), ERR_INVALID);
	test_assert_int(ref_check_path("a:b", 3, &why), ERR_INVALID);
}

static const struct test ref_tests[] = {
	{"test_ref_hub_spellings", test_ref_hub_spellings},
	{"test_ref_urls", test_ref_urls},
	{"test_ref_registries", test_ref_registries},
	{"test_ref_ipv6", test_ref_ipv6},
	{"test_ref_images", test_ref_images},
	{"test_ref_bad_input", test_ref_bad_input},
	{"test_ref_long_labels", test_ref_long_labels},
	{"test_ref_too_large", test_ref_too_large},
	{"test_ref_error_clears_output", test_ref_error_clears_output},
	{"test_ref_format", test_ref_format},
	{"test_ref_is_hub_host", test_ref_is_hub_host},
	{"test_ref_parse_registry", test_ref_parse_registry},
	{"test_ref_parse_port", test_ref_parse_port},
	{"test_ref_check_path", test_ref_check_path},
};

TEST_MAIN(ref_tests)
