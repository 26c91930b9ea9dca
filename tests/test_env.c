/* SPDX-License-Identifier: MIT */
/* The env backend: explicit and derived variable names, not-found versus errors, list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "buf.h"
#include "config.h"
#include "creds.h"
#include "err.h"
#include "ref.h"
#include "test.h"

static const char *const test_vars[] = {
	"GH_USER",
	"GH_TOKEN",
	"DCR_DOCKER_IO_USERNAME",
	"DCR_DOCKER_IO_PASSWORD",
	"DCR_LOCALHOST_5000_USERNAME",
	"DCR_LOCALHOST_5000_PASSWORD",
	"DCR_QUAY_IO_USERNAME",
	"DCR_QUAY_IO_PASSWORD",
	"DCR_REGISTRY_EXAMPLE_COM_USERNAME",
	"DCR_REGISTRY_EXAMPLE_COM_PASSWORD",
	"DCR_A_EXAMPLE_COM_USERNAME",
	"DCR_A_EXAMPLE_COM_PASSWORD",
	"DCR_GHCR_IO_USERNAME",
	"DCR_GHCR_IO_PASSWORD",
	"DCR____1__5000_USERNAME",
	"DCR____1__5000_PASSWORD",
};

static struct config *load(const char *text)
{
	struct config *config = NULL;
	struct errbuf eb = {{0}};

	for (size_t i = 0; i < sizeof(test_vars) / sizeof(test_vars[0]); i++)
		unsetenv(test_vars[i]);
	setenv("XDG_DATA_HOME", "/nonexistent-test-env", 1);
	if (config_parse("t.toml", "/tmp", text, strlen(text), &config, &eb) < 0) {
		fprintf(stderr, "config_parse: %s\n", eb.msg);
		abort();
	}
	return config;
}

static int do_get(const struct route *route, const char *key, struct creds *out,
		  struct errbuf *eb)
{
	struct request req = {.key = key};

	eb->msg[0] = '\0';
	if (ref_parse(key, &req.ref, NULL) < 0)
		abort();
	return route->backend->get(route, &req, out, eb);
}

/* get must answer user/secret (user NULL: not found). */
static void get_is(const struct route *route, const char *key, const char *user,
		   const char *secret, int line)
{
	struct creds creds = {0};
	struct errbuf eb;
	int r = do_get(route, key, &creds, &eb);

	if (user ? r != 0 || strcmp(creds.username, user) != 0 || strcmp(creds.secret, secret) != 0
		 : r != ERR_NOT_FOUND) {
		fprintf(stderr, "%s:%d: get %s: got %d (%s) %s/%s, want %s/%s\n", __FILE__, line,
			key, r, eb.msg, r == 0 ? creds.username : "-", r == 0 ? creds.secret : "-",
			user ? user : "not found", secret ? secret : "");
		test_failures++;
	}
	creds_finish(&creds);
}

/* get must fail with ERR_BACKEND and exactly this message. */
static void get_error_is(const struct route *route, const char *key, const char *want, int line)
{
	struct creds creds = {0};
	struct errbuf eb;
	int r = do_get(route, key, &creds, &eb);

	if (r != ERR_BACKEND || strcmp(eb.msg, want) != 0 || creds.username) {
		fprintf(stderr, "%s:%d: get %s: got %d \"%s\", want %d \"%s\"\n", __FILE__, line,
			key, r, eb.msg, ERR_BACKEND, want);
		test_failures++;
	}
	creds_finish(&creds);
}

#define GET_IS(route, key, user, secret) get_is(route, key, user, secret, __LINE__)
#define NOT_FOUND(route, key) get_is(route, key, NULL, NULL, __LINE__)
#define GET_ERROR_IS(route, key, want) get_error_is(route, key, want, __LINE__)

static void test_env_explicit_names(void)
{
	struct config *c = load("[[route]]\nname = \"gh\"\nmatch = \"ghcr.io\"\nbackend = \"env\"\n"
				"username_env = \"GH_USER\"\npassword_env = \"GH_TOKEN\"\n");
	const struct route *r = &c->routes[0];

	setenv("GH_USER", "octocat", 1);
	setenv("GH_TOKEN", "ghp_secret", 1);
	GET_IS(r, "ghcr.io", "octocat", "ghp_secret");
	GET_IS(r, "https://ghcr.io/v2/", "octocat", "ghp_secret");
	GET_IS(r, "ghcr.io/o/i:1", "octocat", "ghp_secret");
	/* The derived names are not consulted. */
	setenv("DCR_GHCR_IO_USERNAME", "other", 1);
	setenv("DCR_GHCR_IO_PASSWORD", "other", 1);
	GET_IS(r, "ghcr.io", "octocat", "ghp_secret");
	/* An empty password is a password. */
	setenv("GH_TOKEN", "", 1);
	GET_IS(r, "ghcr.io", "octocat", "");
	/* Any byte survives. */
	setenv("GH_USER", "<token>", 1);
	setenv("GH_TOKEN", "p\"a\\s s\n\xc3\xa9", 1);
	GET_IS(r, "ghcr.io", "<token>", "p\"a\\s s\n\xc3\xa9");
	config_free(c);
}

static void test_env_default_names(void)
{
	struct config *c = load("[[route]]\nmatch = \"*\"\nbackend = \"env\"\n");
	const struct route *r = &c->routes[0];

	setenv("DCR_DOCKER_IO_USERNAME", "hubuser", 1);
	setenv("DCR_DOCKER_IO_PASSWORD", "hubpass", 1);
	GET_IS(r, "docker.io", "hubuser", "hubpass");
	GET_IS(r, "https://index.docker.io/v1/", "hubuser", "hubpass");
	GET_IS(r, "registry-1.docker.io", "hubuser", "hubpass");
	GET_IS(r, "nginx:latest", "hubuser", "hubpass");
	setenv("DCR_LOCALHOST_5000_USERNAME", "lu", 1);
	setenv("DCR_LOCALHOST_5000_PASSWORD", "lp", 1);
	GET_IS(r, "localhost:5000", "lu", "lp");
	GET_IS(r, "http://LOCALHOST:5000/v2/", "lu", "lp");
	NOT_FOUND(r, "localhost:5001");
	NOT_FOUND(r, "localhost");
	setenv("DCR_REGISTRY_EXAMPLE_COM_USERNAME", "ru", 1);
	setenv("DCR_REGISTRY_EXAMPLE_COM_PASSWORD", "rp", 1);
	GET_IS(r, "Registry.Example.com/team/app", "ru", "rp");
	setenv("DCR_A_EXAMPLE_COM_USERNAME", "dashed", 1);
	setenv("DCR_A_EXAMPLE_COM_PASSWORD", "x", 1);
	GET_IS(r, "a-example.com", "dashed", "x");
	/* IPv6: every non-alphanumeric byte becomes '_'. */
	setenv("DCR____1__5000_USERNAME", "v6", 1);
	setenv("DCR____1__5000_PASSWORD", "x", 1);
	GET_IS(r, "[::1]:5000", "v6", "x");
	config_free(c);
}

static void test_env_unset_default_not_found(void)
{
	struct config *c = load("[[route]]\nname = \"e\"\nmatch = \"*\"\nbackend = \"env\"\n");
	const struct route *r = &c->routes[0];

	NOT_FOUND(r, "quay.io");
	NOT_FOUND(r, "docker.io");
	/* Empty counts as unset for the username. */
	setenv("DCR_QUAY_IO_USERNAME", "", 1);
	NOT_FOUND(r, "quay.io");
	/* Half set is a real problem, named. */
	setenv("DCR_QUAY_IO_USERNAME", "qu", 1);
	GET_ERROR_IS(r, "quay.io", "route 'e': environment variable DCR_QUAY_IO_PASSWORD is not set");
	unsetenv("DCR_QUAY_IO_USERNAME");
	setenv("DCR_QUAY_IO_PASSWORD", "qp", 1);
	GET_ERROR_IS(r, "quay.io", "route 'e': environment variable DCR_QUAY_IO_USERNAME is not set");
	setenv("DCR_QUAY_IO_USERNAME", "", 1);
	GET_ERROR_IS(r, "quay.io", "route 'e': environment variable DCR_QUAY_IO_USERNAME is not set");
	config_free(c);
}

static void test_env_unset_explicit_error(void)
{
	struct config *c = load("[[route]]\nmatch = \"ghcr.io\"\nbackend = \"env\"\n"
				"username_env = \"GH_USER\"\npassword_env = \"GH_TOKEN\"\n");
	const struct route *r = &c->routes[0];

	GET_ERROR_IS(r, "ghcr.io", "route 1: environment variable GH_USER is not set");
	setenv("GH_USER", "", 1);
	GET_ERROR_IS(r, "ghcr.io", "route 1: environment variable GH_USER is not set");
	setenv("GH_USER", "octocat", 1);
	GET_ERROR_IS(r, "ghcr.io", "route 1: environment variable GH_TOKEN is not set");
	unsetenv("GH_USER");
	setenv("GH_TOKEN", "t", 1);
	GET_ERROR_IS(r, "ghcr.io", "route 1: environment variable GH_USER is not set");
	config_free(c);
}

static int add_to_buf(void *ctx, const char *key, const char *username)
{
	return buf_printf(ctx, "%s=%s\n", key, username);
}

static void list_is(const struct route *route, const char *want, int line)
{
	struct buf out = BUF_INIT;
	struct errbuf eb = {{0}};
	int r = route->backend->list(route, add_to_buf, &out, &eb);

	if (r != 0 || strcmp(out.data ? out.data : "", want) != 0) {
		fprintf(stderr, "%s:%d: list: got %d (%s)\n%s\nwant\n%s\n", __FILE__, line, r,
			eb.msg, out.data ? out.data : "", want);
		test_failures++;
	}
	buf_finish(&out);
}

#define LIST_IS(route, want) list_is(route, want, __LINE__)

static void test_env_list(void)
{
	struct config *c = load("[[route]]\n"
				"match = [\"docker.io\", \"*.example.com\", \"quay.io\", "
				"\"localhost:5000\", \"*\", \"ghcr.io\"]\n"
				"backend = \"env\"\n");
	const struct route *r = &c->routes[0];

	LIST_IS(r, "");
	setenv("DCR_QUAY_IO_USERNAME", "qu", 1);
	/* The username alone is not enough: a get would fail. */
	LIST_IS(r, "");
	setenv("DCR_QUAY_IO_PASSWORD", "qp", 1);
	LIST_IS(r, "quay.io=qu\n");
	setenv("DCR_DOCKER_IO_USERNAME", "hu", 1);
	setenv("DCR_DOCKER_IO_PASSWORD", "", 1);
	setenv("DCR_LOCALHOST_5000_USERNAME", "lu", 1);
	setenv("DCR_LOCALHOST_5000_PASSWORD", "lp", 1);
	/* Globs name no registry: set variables for a host they match are not listed. */
	setenv("DCR_REGISTRY_EXAMPLE_COM_USERNAME", "ru", 1);
	setenv("DCR_REGISTRY_EXAMPLE_COM_PASSWORD", "rp", 1);
	LIST_IS(r, "docker.io=hu\nquay.io=qu\nlocalhost:5000=lu\n");
	config_free(c);

	/* Explicit names: every literal pattern shares them. */
	c = load("[[route]]\nmatch = [\"ghcr.io\", \"https://index.docker.io/v1/\", \"*.io\"]\n"
		 "backend = \"env\"\nusername_env = \"GH_USER\"\npassword_env = \"GH_TOKEN\"\n");
	r = &c->routes[0];
	LIST_IS(r, "");
	setenv("GH_USER", "octocat", 1);
	setenv("GH_TOKEN", "t", 1);
	LIST_IS(r, "ghcr.io=octocat\ndocker.io=octocat\n");
	config_free(c);
}

/*
 * A literal pattern with a path lists the key a get for it would use
 * ("ghcr.io/team"): the bare host does not reach the route (a pattern with a
 * path never matches a key without one), so core_list would drop it.
 */
static void test_env_list_path_pattern(void)
{
	struct config *c = load("[[route]]\nmatch = [\"ghcr.io/team\", \"docker.io/org/app\"]\n"
				"backend = \"env\"\n");
	const struct route *r = &c->routes[0];

	setenv("DCR_GHCR_IO_USERNAME", "gu", 1);
	setenv("DCR_GHCR_IO_PASSWORD", "gp", 1);
	setenv("DCR_DOCKER_IO_USERNAME", "du", 1);
	setenv("DCR_DOCKER_IO_PASSWORD", "dp", 1);
	LIST_IS(r, "ghcr.io/team=gu\ndocker.io/org/app=du\n");
	GET_IS(r, "ghcr.io/team", "gu", "gp");
	config_free(c);
}

static void test_env_read_only(void)
{
	struct config *c = load("[[route]]\nmatch = \"ghcr.io\"\nbackend = \"env\"\n");

	test_assert(!c->routes[0].backend->writable);
	test_assert(c->routes[0].backend->store == NULL);
	test_assert(c->routes[0].backend->erase == NULL);
	test_assert_int(c->routes[0].store, STORE_IGNORE);
	config_free(c);
}

static const struct test env_tests[] = {
	{"test_env_explicit_names", test_env_explicit_names},
	{"test_env_default_names", test_env_default_names},
	{"test_env_unset_default_not_found", test_env_unset_default_not_found},
	{"test_env_unset_explicit_error", test_env_unset_explicit_error},
	{"test_env_list", test_env_list},
	{"test_env_list_path_pattern", test_env_list_path_pattern},
	{"test_env_read_only", test_env_read_only},
};

TEST_MAIN(env_tests)
