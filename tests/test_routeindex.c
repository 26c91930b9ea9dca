/* SPDX-License-Identifier: MIT */
/*
 * The route index answers exactly as route_find does on the whole file, and
 * config_parse_routed rebuilds the same route from its piece.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "ref.h"
#include "route.h"
#include "routeindex.h"
#include "test.h"

#define ROUTES 200

/* Route i's patterns, five shapes in turn, and a few that overlap earlier routes. */
static void route_patterns(struct buf *b, int i)
{
	switch (i % 5) {
	case 0:
		buf_printf(b, "match = \"h%d.example.com\"\n", i);
		break;
	case 1:
		buf_printf(b, "match = [\"h%d.example.com:%d\"]\n", i, 5000 + i);
		break;
	case 2:
		buf_printf(b, "match = \"docker.io/team%d\"\n", i);
		break;
	case 3:
		buf_printf(b, "match = [\"*.g%d.example.org\", \"https://Q%d.example.org/\"]\n", i,
			   i);
		break;
	default:
		buf_printf(b, "match = [\"[::1]:%d\", \"lit%d.example.net/a/b\", ", 1000 + i, i);
		buf_printf(b, "\"h%d.example.com\"]\n", i - 4);
		break;
	}
	if (i == 150)
		buf_puts(b, "# overlaps: never first\n");
}

/* The configuration text: a prelude with a comment and a setting, then the routes. */
static void config_text(struct buf *b, bool catch_all)
{
	buf_puts(b, "# a large configuration\ndefault_store = \"/nonexistent/creds.toml\"\n\n");
	for (int i = 1; i <= ROUTES; i++) {
		buf_printf(b, "  [[route]] # number %d\nname = \"r%d\"\n", i, i);
		if (i == 160)
			buf_puts(b, "match = [\"*.example.com\", \"docker.io\"]\n");
		else if (i == 170 && catch_all)
			buf_puts(b, "match = \"*\"\n");
		else
			route_patterns(b, i);
		buf_printf(b, "backend = \"env\"\n\n");
	}
}

static void keys_for(int i, char keys[][128], size_t *n)
{
	*n = 0;
	snprintf(keys[(*n)++], 128, "h%d.example.com", i);
	snprintf(keys[(*n)++], 128, "h%d.example.com:%d", i, 5000 + i);
	snprintf(keys[(*n)++], 128, "h%d.example.com/x/y", i);
	snprintf(keys[(*n)++], 128, "https://h%d.example.com:%d/v2/", i, 5000 + i);
	snprintf(keys[(*n)++], 128, "docker.io/team%d/app", i);
	snprintf(keys[(*n)++], 128, "docker.io/team%dx/app", i);
	snprintf(keys[(*n)++], 128, "a.g%d.example.org", i);
	snprintf(keys[(*n)++], 128, "A.G%d.EXAMPLE.ORG:443", i);
	snprintf(keys[(*n)++], 128, "q%d.example.org", i);
	snprintf(keys[(*n)++], 128, "[::1]:%d", 1000 + i);
	snprintf(keys[(*n)++], 128, "[0:0::1]:%d", 1000 + i);
	snprintf(keys[(*n)++], 128, "lit%d.example.net/a/b/c", i);
	snprintf(keys[(*n)++], 128, "lit%d.example.net/a", i);
}

static const char *const other_keys[] = {
	"zzz.example.com", "quay.io", "nginx", "https://index.docker.io/v1/", "docker.io",
	"localhost:5000", "x.y.example.com", "example.com",
};

static struct config *parse_whole(const char *text, size_t len)
{
	struct config *config = NULL;
	struct errbuf eb = {{0}};

	if (config_parse("/etc/big.toml", "/etc", text, len, &config, &eb) < 0) {
		fprintf(stderr, "config_parse: %s\n", eb.msg);
		abort();
	}
	return config;
}

static struct routeindex_stamp stamp_for(size_t len)
{
	struct routeindex_stamp s = {
		.dev = 2049, .ino = 12345, .size = len, .mtime_sec = 1700000000, .mtime_nsec = 5,
		.ctime_sec = 1700000000, .ctime_nsec = 7,
	};

	return s;
}

/* The index, the whole file and the routed parse agree on key. */
static void agree(const struct config *whole, const struct buf *text, const struct buf *image,
		  const char *key)
{
	struct routeindex_stamp stamp = stamp_for(text->len);
	struct routeindex_hit hit;
	struct config *part = NULL;
	struct config_piece piece;
	struct errbuf eb = {{0}};
	size_t want_pattern = 0, got_pattern = 0;
	const struct route *want, *got;
	struct ref ref;

	if (ref_parse(key, &ref, NULL) < 0) {
		fprintf(stderr, "bad test key %s\n", key);
		test_failures++;
		return;
	}
	want = route_find(whole, &ref, &want_pattern);
	test_assert(routeindex_lookup(image->data, image->len, &stamp, &ref, &hit) == 0);
	test_assert(hit.route == (size_t)want->index);
	if (want != &whole->store)
		test_assert(hit.pattern == want_pattern);
	piece = (struct config_piece){text->data + hit.offset, hit.len, hit.line, hit.route};
	test_assert(config_parse_routed("/etc/big.toml", "/etc", text->data, hit.prelude_len,
					hit.route ? &piece : NULL, &part, &eb) == 0);
	if (!part)
		return;
	got = route_find(part, &ref, &got_pattern);
	test_assert_str(got->name, want->name);
	test_assert(got->line == want->line);
	test_assert(got_pattern == want_pattern);
	test_assert(got->index == want->index);
	config_free(part);
}

static void check_all_keys(bool catch_all)
{
	struct buf text = BUF_INIT, image = BUF_INIT;
	struct config *whole;
	struct routeindex_stamp stamp;
	char keys[16][128];
	size_t n;

	setenv("XDG_DATA_HOME", "/nonexistent-test-routeindex", 1);
	config_text(&text, catch_all);
	test_assert(text.len > ROUTEINDEX_MIN_SIZE);
	whole = parse_whole(text.data, text.len);
	stamp = stamp_for(text.len);
	test_assert(routeindex_build(whole, text.data, text.len, &stamp, &image) == 0);
	for (int i = 0; i <= ROUTES + 1; i++) {
		keys_for(i, keys, &n);
		for (size_t k = 0; k < n; k++)
			agree(whole, &text, &image, keys[k]);
	}
	for (size_t k = 0; k < sizeof(other_keys) / sizeof(other_keys[0]); k++)
		agree(whole, &text, &image, other_keys[k]);
	config_free(whole);
	buf_finish(&text);
	buf_finish(&image);
}

static void test_routeindex_agrees_with_route_find(void)
{
	check_all_keys(false);
}

static void test_routeindex_agrees_with_catch_all(void)
{
	check_all_keys(true);
}

/* Builds the index of text into image; returns the parsed config. */
static struct config *build(const char *text, struct buf *image, int want)
{
	struct routeindex_stamp stamp = stamp_for(strlen(text));
	struct config *config = parse_whole(text, strlen(text));

	test_assert(routeindex_build(config, text, strlen(text), &stamp, image) == want);
	return config;
}

static int lookup(const struct buf *image, size_t len, const char *key,
		  struct routeindex_hit *hit)
{
	struct routeindex_stamp stamp = stamp_for(len);
	struct ref ref;

	test_assert(ref_parse(key, &ref, NULL) == 0);
	return routeindex_lookup(image->data, image->len, &stamp, &ref, hit);
}

static const char small[] = "\xef\xbb\xbf[[route]]\nmatch = \"a.io\"\nbackend = \"env\"\n"
			    "[[route]]\nmatch = [\"b.io\", \"*.io\"]\nbackend = \"env\"\n";

static void test_routeindex_pieces(void)
{
	struct buf image = BUF_INIT;
	struct config *config = build(small, &image, 0);
	struct routeindex_hit hit;

	test_assert(lookup(&image, strlen(small), "a.io", &hit) == 0);
	test_assert(hit.prelude_len == 0 && hit.route == 1 && hit.line == 1 && hit.offset == 0);
	test_assert(lookup(&image, strlen(small), "c.io", &hit) == 0);
	test_assert(hit.route == 2 && hit.pattern == 1 && hit.line == 4);
	test_assert(hit.offset + hit.len == strlen(small));
	test_assert(strncmp(small + hit.offset, "[[route]]\nmatch = [\"b.io\"", 25) == 0);
	test_assert(lookup(&image, strlen(small), "c.com", &hit) == 0);
	test_assert(hit.route == 0 && hit.prelude_len == 0);
	config_free(config);
	buf_finish(&image);
}

/* Another version of the file, or of the router, is not this index. */
static void test_routeindex_stamp(void)
{
	struct buf image = BUF_INIT;
	struct config *config = build(small, &image, 0);
	struct routeindex_stamp stamp = stamp_for(strlen(small));
	struct routeindex_hit hit;
	struct ref ref;

	ref_parse("a.io", &ref, NULL);
	stamp.mtime_nsec++;
	test_assert(routeindex_lookup(image.data, image.len, &stamp, &ref, &hit) == ERR_NOT_FOUND);
	stamp = stamp_for(strlen(small));
	stamp.ino++;
	test_assert(routeindex_lookup(image.data, image.len, &stamp, &ref, &hit) == ERR_NOT_FOUND);
	stamp = stamp_for(strlen(small));
	stamp.ctime_sec--;
	test_assert(routeindex_lookup(image.data, image.len, &stamp, &ref, &hit) == ERR_NOT_FOUND);
	/* The router's version sits after the stamp; change one of its bytes. */
	stamp = stamp_for(strlen(small));
	image.data[8 + 8 + sizeof(stamp)] ^= 1;
	test_assert(routeindex_lookup(image.data, image.len, &stamp, &ref, &hit) == ERR_NOT_FOUND);
	config_free(config);
	buf_finish(&image);
}

/* Routes written as an inline array have no [[route]] lines to cut at. */
static void test_routeindex_inline_routes_unsupported(void)
{
	static const char text[] = "route = [\n  {match = \"a.io\", backend = \"env\"},\n"
				   "  {match = \"b.io\", backend = \"env\"},\n]\n";
	struct buf image = BUF_INIT;

	config_free(build(text, &image, ERR_UNSUPPORTED));
	buf_finish(&image);
}

/* Every truncation and every flipped byte is refused or answered, never read out of bounds. */
static void test_routeindex_damage(void)
{
	struct buf image = BUF_INIT;
	struct config *config = build(small, &image, 0);
	struct routeindex_hit hit;
	char *copy = malloc(image.len);
	int r;

	for (size_t len = 0; len < image.len; len++) {
		struct buf cut = {image.data, len, len};

		test_assert(lookup(&cut, strlen(small), "c.io", &hit) == ERR_INVALID);
	}
	for (size_t i = 0; i < image.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			struct buf bad = {copy, image.len, image.len};

			memcpy(copy, image.data, image.len);
			copy[i] ^= (char)(1 << bit);
			r = lookup(&bad, strlen(small), "c.io", &hit);
			test_assert(r == 0 || r == ERR_INVALID || r == ERR_NOT_FOUND);
			test_assert(r < 0 || hit.route <= 2);
			test_assert(r < 0 || hit.offset + hit.len <= strlen(small));
		}
	}
	free(copy);
	config_free(config);
	buf_finish(&image);
}

/* A routed parse still says where an error is, by the line of the whole file. */
static void test_routeindex_routed_errors_keep_lines(void)
{
	static const char piece_text[] = "[[route]]\nmatch = \"a.io\"\nbackend = \"nope\"\n";
	struct config_piece piece = {piece_text, sizeof(piece_text) - 1, 9001, 4242};
	struct config *config = NULL;
	struct errbuf eb = {{0}};

	test_assert(config_parse_routed("/etc/big.toml", "/etc", "", 0, &piece, &config, &eb) ==
		    ERR_CONFIG);
	test_assert(strstr(eb.msg, "/etc/big.toml:9003: route 4242: backend:") == eb.msg);
	test_assert(config == NULL);
	/* A prelude that defines routes is not a prelude. */
	test_assert(config_parse_routed("/etc/big.toml", "/etc", "route = []\n", 11, NULL, &config,
					&eb) == ERR_INVALID);
}

static const struct test routeindex_tests[] = {
	{"test_routeindex_agrees_with_route_find", test_routeindex_agrees_with_route_find},
	{"test_routeindex_agrees_with_catch_all", test_routeindex_agrees_with_catch_all},
	{"test_routeindex_pieces", test_routeindex_pieces},
	{"test_routeindex_stamp", test_routeindex_stamp},
	{"test_routeindex_inline_routes_unsupported", test_routeindex_inline_routes_unsupported},
	{"test_routeindex_damage", test_routeindex_damage},
	{"test_routeindex_routed_errors_keep_lines", test_routeindex_routed_errors_keep_lines},
};

TEST_MAIN(routeindex_tests)
