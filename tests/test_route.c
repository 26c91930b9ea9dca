/* SPDX-License-Identifier: MIT */
/* route_find: the first route in file order with a matching pattern wins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ref.h"
#include "route.h"
#include "test.h"

/* Route names say which route a key reached; the default store is "default store". */
static const char routes_text[] = "[[route]]\n"
				  "name = \"team\"\n"
				  "match = [\"docker.io/team\", \"ghcr.io/team\"]\n"
				  "backend = \"env\"\n"
				  "\n"
				  "[[route]]\n"
				  "name = \"hub\"\n"
				  "match = \"docker.io\"\n"
				  "backend = \"env\"\n"
				  "\n"
				  "[[route]]\n"
				  "name = \"globs\"\n"
				  "match = [\"quay.io\", \"*.example.com\", \"ghcr.io\", \"localhost:5000\"]\n"
				  "backend = \"env\"\n"
				  "\n"
				  "[[route]]\n"
				  "name = \"late\"\n"
				  "match = [\"ghcr.io\", \"late.example.org\"]\n"
				  "backend = \"env\"\n";

static struct config *load(const char *text)
{
	struct config *config = NULL;
	struct errbuf eb = {{0}};

	setenv("XDG_DATA_HOME", "/nonexistent-test-route", 1);
	if (config_parse("t.toml", "/tmp", text, strlen(text), &config, &eb) < 0) {
		fprintf(stderr, "config_parse: %s\n", eb.msg);
		abort();
	}
	return config;
}

/* key must reach the route called want_name through its pattern number want_pattern. */
static void routes_to(const struct config *config, const char *key, const char *want_name,
		      size_t want_pattern, int line)
{
	struct ref ref;
	size_t pattern = 12345;
	const struct route *route;

	if (ref_parse(key, &ref, NULL) < 0) {
		fprintf(stderr, "%s:%d: bad test key %s\n", __FILE__, line, key);
		test_failures++;
		return;
	}
	route = route_find(config, &ref, &pattern);
	if (!route || strcmp(route->name, want_name) != 0 || pattern != want_pattern) {
		fprintf(stderr, "%s:%d: %s: got %s pattern %zd, want %s pattern %zd\n", __FILE__,
			line, key, route ? route->name : "(null)", (ssize_t)pattern, want_name,
			(ssize_t)want_pattern);
		test_failures++;
	}
	/* The pattern out-parameter is optional. */
	if (route_find(config, &ref, NULL) != route) {
		fprintf(stderr, "%s:%d: %s: different answer without pattern\n", __FILE__, line,
			key);
		test_failures++;
	}
}

#define ROUTES_TO(key, name, pattern) routes_to(config, key, name, pattern, __LINE__)

static void test_route_first_match_wins(void)
{
	struct config *config = load(routes_text);

	/* ghcr.io is in "globs" and "late": the earlier route wins. */
	ROUTES_TO("ghcr.io", "route 'globs'", 2);
	ROUTES_TO("https://ghcr.io/v2/", "route 'globs'", 2);
	ROUTES_TO("ghcr.io/other/app:1", "route 'globs'", 2);
	/* A path prefix in an earlier route takes its repositories first. */
	ROUTES_TO("ghcr.io/team/app", "route 'team'", 1);
	ROUTES_TO("docker.io/team/app:latest", "route 'team'", 0);
	ROUTES_TO("late.example.org", "route 'late'", 1);
	config_free(config);
}

static void test_route_pattern_index(void)
{
	struct config *config = load(routes_text);

	ROUTES_TO("quay.io", "route 'globs'", 0);
	ROUTES_TO("registry.example.com", "route 'globs'", 1);
	ROUTES_TO("REGISTRY.Example.COM/x/y", "route 'globs'", 1);
	ROUTES_TO("localhost:5000", "route 'globs'", 3);
	ROUTES_TO("localhost:5000/app@sha256:"
		  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  "route 'globs'", 3);
	config_free(config);
}

static void test_route_default_store(void)
{
	struct config *config = load(routes_text);

	ROUTES_TO("gitlab.com", "default store", ROUTE_DEFAULT);
	/* Globs are per label: "*.example.com" is not "a.b.example.com". */
	ROUTES_TO("a.b.example.com", "default store", ROUTE_DEFAULT);
	/* Ports must be equal. */
	ROUTES_TO("localhost:5001", "default store", ROUTE_DEFAULT);
	ROUTES_TO("quay.io:443", "default store", ROUTE_DEFAULT);
	/* Path prefixes are whole components: teamx is not under team. */
	ROUTES_TO("ghcr.io/teamx/app", "route 'globs'", 2);
	ROUTES_TO("docker.io/teamx/app", "route 'hub'", 0);
	config_free(config);

	/* No routes at all: everything goes to the default store. */
	config = load("");
	ROUTES_TO("ghcr.io", "default store", ROUTE_DEFAULT);
	ROUTES_TO("docker.io", "default store", ROUTE_DEFAULT);
	test_assert(route_find(config, &(struct ref){.host = "x.io"}, NULL) == &config->store);
	config_free(config);
}

static void test_route_hub_spellings(void)
{
	static const char *const hub[] = {
		"https://index.docker.io/v1/",
		"https://index.docker.io/v1/access-token",
		"docker.io",
		"index.docker.io",
		"registry-1.docker.io",
		"registry.hub.docker.com",
		"Docker.IO",
		"https://registry-1.docker.io/v2/",
		"nginx",
		"nginx:latest",
		"library/nginx",
		"docker.io/library/nginx",
		"someone/app:1",
	};
	struct config *config = load(routes_text);

	for (size_t i = 0; i < sizeof(hub) / sizeof(hub[0]); i++)
		routes_to(config, hub[i], "route 'hub'", 0, __LINE__);
	/* Hub with a port is another registry. */
	ROUTES_TO("docker.io:443", "default store", ROUTE_DEFAULT);
	config_free(config);

	/* Any Hub spelling in a pattern means the Hub. */
	config = load("[[route]]\nname = \"h\"\nmatch = \"https://index.docker.io/v1/\"\n"
		      "backend = \"env\"\n");
	ROUTES_TO("docker.io", "route 'h'", 0);
	ROUTES_TO("registry-1.docker.io", "route 'h'", 0);
	config_free(config);
	config = load("[[route]]\nname = \"h\"\nmatch = \"registry-1.docker.io\"\n"
		      "backend = \"env\"\n");
	ROUTES_TO("https://index.docker.io/v1/", "route 'h'", 0);
	ROUTES_TO("busybox", "route 'h'", 0);
	config_free(config);
}

static void test_route_catch_all(void)
{
	struct config *config = load("[[route]]\nname = \"one\"\nmatch = \"ghcr.io\"\n"
				     "backend = \"env\"\n"
				     "[[route]]\nname = \"all\"\nmatch = \"*\"\nbackend = \"env\"\n"
				     "[[route]]\nname = \"never\"\nmatch = \"quay.io\"\n"
				     "backend = \"env\"\n");

	ROUTES_TO("ghcr.io", "route 'one'", 0);
	ROUTES_TO("quay.io", "route 'all'", 0);
	ROUTES_TO("[::1]:5000", "route 'all'", 0);
	ROUTES_TO("https://index.docker.io/v1/", "route 'all'", 0);
	config_free(config);
}

static const struct test route_tests[] = {
	{"test_route_first_match_wins", test_route_first_match_wins},
	{"test_route_pattern_index", test_route_pattern_index},
	{"test_route_default_store", test_route_default_store},
	{"test_route_hub_spellings", test_route_hub_spellings},
	{"test_route_catch_all", test_route_catch_all},
};

TEST_MAIN(route_tests)
