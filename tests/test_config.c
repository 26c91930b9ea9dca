/* SPDX-License-Identifier: MIT */
/*
 * config_parse on in-memory text: what good configurations become, and the
 * exact message for every mistake (a user reads it, so it is pinned whole).
 * Also the embedded default built from DSTACK_* and CONTAINER_REGISTRYn_*.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "buf.h"
#include "build-config.h"
#include "config.h"
#include "creds.h"
#include "err.h"
#include "ref.h"
#include "test.h"

#define ORIGIN "t.toml"
#define MISSING_DIR "dcr-test-config-no-such-dir"

static char data_home[64];

static void remove_data_home(void)
{
	rmdir(data_home);
}

/* Every test starts from a known environment. */
static void clean_env(void)
{
	static const char *const vars[] = {
		"DSTACK_DOCKER_USERNAME", "DSTACK_DOCKER_PASSWORD", "DSTACK_DOCKER_REGISTRY",
		"CONTAINER_REGISTRY1_REPO", "CONTAINER_REGISTRY1_USERNAME",
		"CONTAINER_REGISTRY1_PASSWORD", "CONTAINER_REGISTRY2_REPO",
		"CONTAINER_REGISTRY2_USERNAME", "CONTAINER_REGISTRY2_PASSWORD",
		"DBUS_SESSION_BUS_ADDRESS", "DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY",
		"DSTACK_AWS_ACCESS_KEY_ID", "DSTACK_AWS_SECRET_ACCESS_KEY", "DSTACK_AWS_REGION",
		"DSTACK_AWS_ECR_REGISTRY",
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	if (!data_home[0]) {
		snprintf(data_home, sizeof(data_home), "/tmp/test_config.XXXXXX");
		if (!mkdtemp(data_home))
			abort();
		atexit(remove_data_home);
	}
	setenv("XDG_DATA_HOME", data_home, 1);
}

static int parse(const char *text, struct config **out, struct errbuf *eb)
{
	clean_env();
	eb->msg[0] = '\0';
	return config_parse(ORIGIN, "/tmp", text, strlen(text), out, eb);
}

/* The text must fail with ERR_CONFIG and exactly this message. */
static void error_is(const char *text, const char *want, int line)
{
	/* Not NULL, so the test sees config_parse clear it. */
	struct config *config = (struct config *)&config;
	struct errbuf eb;
	int r = parse(text, &config, &eb);

	if (r != ERR_CONFIG || config != NULL || strcmp(eb.msg, want) != 0) {
		fprintf(stderr, "%s:%d: got %d \"%s\"\n%*swant %d \"%s\"\n", __FILE__, line, r,
			eb.msg, (int)strlen(__FILE__) + 4, "", ERR_CONFIG, want);
		test_failures++;
	}
	if (r == 0)
		config_free(config);
}

#define ERROR_IS(text, want) error_is(text, want, __LINE__)

/* Parses text that must be good. */
static struct config *good(const char *text, int line)
{
	struct config *config = NULL;
	struct errbuf eb;
	int r = parse(text, &config, &eb);

	if (r != 0 || !config) {
		fprintf(stderr, "%s:%d: config_parse: %d %s\n", __FILE__, line, r, eb.msg);
		test_failures++;
		return NULL;
	}
	return config;
}

#define GOOD(text) good(text, __LINE__)

/* The backend's description of where req's credentials come from. */
static void describe_is(const struct route *route, const char *key, const char *want, int line)
{
	struct request req = {.key = key};
	struct buf out = BUF_INIT;

	if (ref_parse(key, &req.ref, NULL) < 0)
		abort();
	route->backend->describe(route, &req, &out);
	if (!out.data || strcmp(out.data, want) != 0) {
		fprintf(stderr, "%s:%d: describe: got \"%s\", want \"%s\"\n", __FILE__, line,
			out.data ? out.data : "(null)", want);
		test_failures++;
	}
	buf_finish(&out);
}

/* ---- good configurations ------------------------------------------------ */

static void test_config_empty(void)
{
	struct config *c = GOOD("");
	char want[200];

	if (!c)
		return;
	test_assert_int(c->count, 0);
	test_assert_str(c->origin, ORIGIN);
	test_assert_str(c->dir, "/tmp");
	/*
	 * The implicit default store: writable, the file at $XDG_DATA_HOME; built
	 * with libsecret, the Secret Service with that file as its fallback (used
	 * here: no session bus).
	 */
	test_assert_str(c->store.name, "default store");
	test_assert_int(c->store.index, 0);
	test_assert_int(c->store.line, 0);
	test_assert_str(c->store.backend->name, HAVE_LIBSECRET ? "secretservice" : "static");
	test_assert_int(c->store.store, STORE_WRITE);
	snprintf(want, sizeof(want), "%sfile %s/docker-credential-router/credentials.toml: no entry "
		 "for ghcr.io", HAVE_LIBSECRET ? "DBUS_SESSION_BUS_ADDRESS is not set, so " : "",
		 data_home);
	describe_is(&c->store, "ghcr.io", want, __LINE__);
	config_free(c);
}

static void test_config_string_match(void)
{
	struct config *c = GOOD("[[route]]\n"
				"match = \"ghcr.io\"\n"
				"backend = \"static\"\n"
				"file = \"" MISSING_DIR "/creds.toml\"\n");

	if (!c)
		return;
	test_assert_int(c->count, 1);
	test_assert_str(c->routes[0].name, "route 1");
	test_assert_int(c->routes[0].index, 1);
	test_assert_int(c->routes[0].line, 1);
	test_assert_str(c->routes[0].origin, ORIGIN);
	test_assert_int(c->routes[0].match_count, 1);
	test_assert_str(c->routes[0].match[0], "ghcr.io");
	test_assert_str(c->routes[0].backend->name, "static");
	test_assert_int(c->routes[0].store, STORE_WRITE);
	/* A relative file starts at the config's directory. */
	describe_is(&c->routes[0], "ghcr.io",
		    "file /tmp/" MISSING_DIR "/creds.toml: no entry for ghcr.io", __LINE__);
	config_free(c);
}

static void test_config_array_match_and_name(void)
{
	struct config *c = GOOD("# comment\n"
				"[[route]]\n"
				"name = \"ghcr\"\n"
				"match = [\"ghcr.io\", \"*.example.com:5000\", \"docker.io/team\"]\n"
				"backend = \"static\"\n"
				"file = \"/" MISSING_DIR "/c.toml\"\n"
				"\n"
				"[[route]]\n"
				"match = [\"quay.io\"]\n"
				"backend = \"env\"\n");

	if (!c)
		return;
	test_assert_int(c->count, 2);
	test_assert_str(c->routes[0].name, "route 'ghcr'");
	test_assert_int(c->routes[0].line, 2);
	test_assert_int(c->routes[0].match_count, 3);
	test_assert_str(c->routes[0].match[0], "ghcr.io");
	test_assert_str(c->routes[0].match[1], "*.example.com:5000");
	test_assert_str(c->routes[0].match[2], "docker.io/team");
	test_assert_int(c->routes[0].patterns[1].port, 5000);
	test_assert_str(c->routes[0].patterns[2].path, "team");
	describe_is(&c->routes[0], "ghcr.io", "file /" MISSING_DIR "/c.toml: no entry for ghcr.io",
		    __LINE__);
	test_assert_str(c->routes[1].name, "route 2");
	test_assert_int(c->routes[1].index, 2);
	test_assert_int(c->routes[1].line, 8);
	test_assert_str(c->routes[1].backend->name, "env");
	config_free(c);
}

static void test_config_store_policies(void)
{
	static const struct {
		const char *backend, *store;
		enum store_policy want;
	} cases[] = {
		{"static", NULL, STORE_WRITE},   {"static", "write", STORE_WRITE},
		{"static", "ignore", STORE_IGNORE}, {"static", "reject", STORE_REJECT},
		{"env", NULL, STORE_IGNORE},     {"env", "ignore", STORE_IGNORE},
		{"env", "reject", STORE_REJECT},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[300];
		struct config *c;

		snprintf(text, sizeof(text),
			 "[[route]]\nmatch = \"ghcr.io\"\nbackend = \"%s\"\n%s%s%s%s",
			 cases[i].backend, strcmp(cases[i].backend, "static") == 0
						   ? "file = \"/x/c.toml\"\n"
						   : "",
			 cases[i].store ? "store = \"" : "", cases[i].store ? cases[i].store : "",
			 cases[i].store ? "\"\n" : "");
		c = GOOD(text);
		if (!c)
			continue;
		if (c->routes[0].store != cases[i].want) {
			fprintf(stderr, "%s:%d: backend %s store %s: got %d, want %d\n", __FILE__,
				__LINE__, cases[i].backend, cases[i].store ? cases[i].store : "-",
				c->routes[0].store, cases[i].want);
			test_failures++;
		}
		config_free(c);
	}
}

static void test_config_default_store(void)
{
	struct config *c = GOOD("default_store = \"store/creds.toml\"\n");

	if (c) {
		test_assert_int(c->count, 0);
		test_assert_str(c->store.name, "default store");
		describe_is(&c->store, "ghcr.io", "file /tmp/store/creds.toml: no entry for ghcr.io",
			    __LINE__);
		config_free(c);
	}
	c = GOOD("default_store = \"/" MISSING_DIR "/s.toml\"\n"
		 "[[route]]\nmatch = \"ghcr.io\"\nbackend = \"env\"\n");
	if (c) {
		test_assert_int(c->count, 1);
		describe_is(&c->store, "quay.io", "file /" MISSING_DIR "/s.toml: no entry for quay.io",
			    __LINE__);
		config_free(c);
	}
}

static void test_config_default_store_backend(void)
{
	struct config *c = GOOD("default_store_backend = \"static\"\n");

	if (c) {
		test_assert_str(c->store.backend->name, "static");
		config_free(c);
	}
	c = GOOD("default_store = \"s.toml\"\n");
	if (c) {
		test_assert_str(c->store.backend->name, "static"); /* a named file means the file */
		config_free(c);
	}
	ERROR_IS("default_store_backend = \"pass\"\n",
		 "t.toml:1: default_store_backend: unknown value \"pass\" (use \"static\" or "
		 "\"secretservice\")");
	ERROR_IS("default_store_backend = \"\"\n", "t.toml:1: default_store_backend must be a "
		 "non-empty string (\"static\" or \"secretservice\")");
#if HAVE_LIBSECRET
	c = GOOD("default_store_backend = \"secretservice\"\n");
	if (c) {
		test_assert_str(c->store.backend->name, "secretservice");
		config_free(c);
	}
	ERROR_IS("default_store = \"s.toml\"\ndefault_store_backend = \"secretservice\"\n",
		 "t.toml:2: default_store names a file but default_store_backend is "
		 "\"secretservice\" (remove one of them)");
#else
	ERROR_IS("default_store_backend = \"secretservice\"\n",
		 "t.toml:1: default_store_backend: this build has no secretservice backend "
		 "(rebuild with meson setup -Dlibsecret=enabled)");
#endif
}

static void test_config_identity_file(void)
{
	struct config *c = GOOD("identity_file = \"keys/age.txt\"\n"
				"[[route]]\nmatch = \"ghcr.io\"\nbackend = \"env\"\n");

	if (c) {
		test_assert_str(c->identity_file, "/tmp/keys/age.txt");
		test_assert_str(c->routes[0].identity_file, "/tmp/keys/age.txt");
		test_assert_str(c->store.identity_file, "/tmp/keys/age.txt");
		config_free(c);
	}
	c = GOOD("[[route]]\nmatch = \"ghcr.io\"\nbackend = \"env\"\n");
	if (c) {
		test_assert(c->identity_file == NULL && c->routes[0].identity_file == NULL);
		config_free(c);
	}
	ERROR_IS("identity_file = 7\n",
		 "t.toml:1: identity_file must be a non-empty string (a file path)");
}

static void test_config_env_names(void)
{
	struct config *c = GOOD("[[route]]\nmatch = \"ghcr.io\"\nbackend = \"env\"\n"
				"username_env = \"GH_USER\"\npassword_env = \"GH_TOKEN_2\"\n"
				"[[route]]\nmatch = \"quay.io\"\nbackend = \"env\"\n");

	if (!c)
		return;
	unsetenv("GH_USER");
	unsetenv("GH_TOKEN_2");
	unsetenv("DCR_QUAY_IO_USERNAME");
	unsetenv("DCR_QUAY_IO_PASSWORD");
	describe_is(&c->routes[0], "ghcr.io",
		    "environment: username from GH_USER (unset), password from GH_TOKEN_2 (unset)",
		    __LINE__);
	describe_is(&c->routes[1], "quay.io",
		    "environment: username from DCR_QUAY_IO_USERNAME (unset), password from "
		    "DCR_QUAY_IO_PASSWORD (unset)",
		    __LINE__);
	config_free(c);
}

/* ---- errors -------------------------------------------------------------- */

#define ROUTE_HEAD "[[route]]\nmatch = \"ghcr.io\"\n"

static void test_config_error_unknown_top_key(void)
{
	ERROR_IS("routes = []\n",
		 "t.toml:1: unknown key 'routes' (did you mean 'route'? allowed: route, "
		 "default_store, default_store_backend, identity_file)");
	ERROR_IS("\ndefault_stor = \"x\"\n",
		 "t.toml:2: unknown key 'default_stor' (did you mean 'default_store'? allowed: "
		 "route, default_store, default_store_backend, identity_file)");
	ERROR_IS("colour = \"blue\"\n", "t.toml:1: unknown key 'colour' (allowed: route, "
					  "default_store, default_store_backend, identity_file)");
}

/* "name, match, ..., file" from the option tables, so new keys do not break the tests. */
static void key_names(const struct option *more, char *out, size_t size)
{
	const struct option *const sets[] = {config_route_keys, more};
	size_t used = 0;

	out[0] = '\0';
	for (size_t s = 0; s < 2 && sets[s]; s++) {
		for (const struct option *o = sets[s]; o->key; o++)
			used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "",
						 o->key);
	}
}

static void test_config_error_unknown_route_key(void)
{
	char keys[300], want[500];

	test_assert_str(config_route_keys[0].key, "name");
	key_names(static_backend.options, keys, sizeof(keys));
	snprintf(want, sizeof(want),
		 "t.toml:5: route 1: unknown key 'fil' (did you mean 'file'? allowed: %s for "
		 "backend static)",
		 keys);
	ERROR_IS(ROUTE_HEAD "backend = \"static\"\nfile = \"/x\"\nfil = \"/y\"\n", want);

	key_names(env_backend.options, keys, sizeof(keys));
	snprintf(want, sizeof(want),
		 "t.toml:4: route 1: unknown key 'usrname_env' (did you mean 'username_env'? "
		 "allowed: %s for backend env)",
		 keys);
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\nusrname_env = \"u\"\n", want);
	snprintf(want, sizeof(want),
		 "t.toml:5: route 'gh': unknown key 'colour' (allowed: %s for backend env)", keys);
	ERROR_IS(ROUTE_HEAD "name = \"gh\"\nbackend = \"env\"\ncolour = \"x\"\n", want);
	/* A static key on an env route is unknown there. */
	snprintf(want, sizeof(want),
		 "t.toml:4: route 1: unknown key 'file' (allowed: %s for backend env)", keys);
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\nfile = \"/x\"\n", want);

	/* Without a backend, a misspelt "backend" is named first. */
	key_names(NULL, keys, sizeof(keys));
	test_assert(strncmp(keys, "name, match, backend, store", 27) == 0);
	snprintf(want, sizeof(want),
		 "t.toml:3: route 1: unknown key 'backnd' (did you mean 'backend'? allowed: %s)",
		 keys);
	ERROR_IS(ROUTE_HEAD "backnd = \"static\"\n", want);
}

static void test_config_error_wrong_type(void)
{
	ERROR_IS("[[route]]\nmatch = 5\nbackend = \"env\"\n",
		 "t.toml:2: route 1: match must be a string or an array of strings, not integer");
	ERROR_IS("[[route]]\nmatch = [\"a.io\", 1]\nbackend = \"env\"\n",
		 "t.toml:2: route 1: match must be a string or an array of strings, not array");
	ERROR_IS(ROUTE_HEAD "name = true\nbackend = \"env\"\n",
		 "t.toml:3: route 1: name must be a string, not boolean");
	ERROR_IS(ROUTE_HEAD "backend = \"static\"\nfile = \"/x\"\ncontainer_env = \"no\"\n",
		 "t.toml:5: route 1: container_env must be true or false, not string");
	ERROR_IS(ROUTE_HEAD "backend = \"static\"\nfile = [\"/x\"]\n",
		 "t.toml:4: route 1: file must be a string, not array");
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\nstore = 1.5\n",
		 "t.toml:4: route 1: store must be a string, not float");
	ERROR_IS("route = 1\n", "t.toml:1: route must be an array of tables (write [[route]])");
	ERROR_IS("[route]\nmatch = \"x\"\n",
		 "t.toml:1: route must be an array of tables (write [[route]])");
	ERROR_IS("default_store = 5\n",
		 "t.toml:1: default_store must be a non-empty string (a file path)");
	ERROR_IS("default_store = \"\"\n",
		 "t.toml:1: default_store must be a non-empty string (a file path)");
}

/* "static, env, ..." from the backend table, so new backends do not break the test. */
static void backend_names(char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; backends[i]; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "",
					 backends[i]->name);
}

static void test_config_error_unknown_backend(void)
{
	char names[200], want[400];

	backend_names(names, sizeof(names));
	test_assert(strncmp(names, "static, env", 11) == 0);
	snprintf(want, sizeof(want),
		 "t.toml:3: route 1: backend: unknown backend \"vault\" (use one of: %s)", names);
	ERROR_IS(ROUTE_HEAD "backend = \"vault\"\n", want);
}

static void test_config_error_missing_backend(void)
{
	ERROR_IS(ROUTE_HEAD, "t.toml:1: route 1: no backend (add backend = \"static\" or another)");
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\n\n[[route]]\nname = \"two\"\nmatch = \"b.io\"\n",
		 "t.toml:5: route 'two': no backend (add backend = \"static\" or another)");
}

static void test_config_error_missing_match(void)
{
	ERROR_IS("[[route]]\nbackend = \"env\"\n",
		 "t.toml:1: route 1: no match patterns (add match = [\"registry.example.com\"])");
}

static void test_config_error_empty_match(void)
{
	ERROR_IS("[[route]]\nbackend = \"env\"\nmatch = []\n",
		 "t.toml:3: route 1: match: needs at least one pattern (e.g. match = "
		 "[\"ghcr.io\"])");
}

static void test_config_error_bad_pattern(void)
{
	ERROR_IS("[[route]]\nbackend = \"env\"\nmatch = [\"ghcr.io\", \"bad host\"]\n",
		 "t.toml:3: route 1: match: bad pattern \"bad host\": whitespace in pattern");
	ERROR_IS("[[route]]\nbackend = \"env\"\nmatch = \"ghcr.io:*\"\n",
		 "t.toml:3: route 1: match: bad pattern \"ghcr.io:*\": glob not allowed in port");
	ERROR_IS("[[route]]\nbackend = \"env\"\nmatch = \"ftp://ghcr.io\"\n",
		 "t.toml:3: route 1: match: bad pattern \"ftp://ghcr.io\": unsupported scheme");
	ERROR_IS("[[route]]\nbackend = \"env\"\nmatch = \"\"\n",
		 "t.toml:3: route 1: match: bad pattern \"\": empty pattern");
}

static void test_config_error_store_write_read_only(void)
{
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\nstore = \"write\"\n",
		 "t.toml:4: route 1: store: backend env is read-only (use \"ignore\" or "
		 "\"reject\")");
}

static void test_config_error_unknown_store(void)
{
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\nstore = \"sometimes\"\n",
		 "t.toml:4: route 1: store: unknown value \"sometimes\" (use \"write\", \"ignore\" "
		 "or \"reject\")");
	ERROR_IS(ROUTE_HEAD "backend = \"static\"\nfile = \"/x\"\nstore = \"Write\"\n",
		 "t.toml:5: route 1: store: unknown value \"Write\" (use \"write\", \"ignore\" or "
		 "\"reject\")");
}

static void test_config_error_static_without_file(void)
{
	ERROR_IS(ROUTE_HEAD "backend = \"static\"\n",
		 "t.toml:1: route 1: no credentials file (add file = "
		 "\"/etc/docker-credential-router/credentials.toml\")");
	ERROR_IS(ROUTE_HEAD "backend = \"static\"\nfile = \"\"\n",
		 "t.toml:4: route 1: file: must not be empty");
}

static void test_config_error_env_one_name(void)
{
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\nusername_env = \"U\"\n",
		 "t.toml:1: route 1: set both username_env and password_env, or neither");
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\npassword_env = \"P\"\n",
		 "t.toml:1: route 1: set both username_env and password_env, or neither");
}

static void test_config_error_bad_env_name(void)
{
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\nusername_env = \"MY-USER\"\npassword_env = \"P\"\n",
		 "t.toml:4: route 1: username_env: \"MY-USER\" is not a variable name (letters, "
		 "digits and _)");
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\nusername_env = \"U\"\npassword_env = \"1PASS\"\n",
		 "t.toml:5: route 1: password_env: \"1PASS\" is not a variable name (letters, "
		 "digits and _)");
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\nusername_env = \"\"\npassword_env = \"P\"\n",
		 "t.toml:4: route 1: username_env: \"\" is not a variable name (letters, digits "
		 "and _)");
}

static void test_config_error_toml_syntax(void)
{
	ERROR_IS("[[route]]\nmatch = \"ghcr.io\nbackend = \"env\"\n",
		 "t.toml:2:9: unterminated string");
	ERROR_IS("[[route]]\nmatch = \"ghcr.io\"\nbackend == \"env\"\n",
		 "t.toml:3:10: expected a value");
	ERROR_IS("\n\n[[route]\n", "t.toml:3:8: expected ']]' after table name");
}

static void test_config_error_route_order(void)
{
	char names[200], want[400];

	/* The first broken route is reported, and later routes are numbered. */
	backend_names(names, sizeof(names));
	snprintf(want, sizeof(want),
		 "t.toml:6: route 2: backend: unknown backend \"x\" (use one of: %s)", names);
	ERROR_IS(ROUTE_HEAD "backend = \"env\"\n[[route]]\nmatch = \"b.io\"\nbackend = \"x\"\n",
		 want);
}

/* ---- the embedded default ------------------------------------------------ */

#define EMBED_HEAD "# embedded default: routes derived from the environment\n"
#define DSTACK_ROUTE(match)                                                                        \
	"\n[[route]]\nname = \"dstack\"\nmatch = \"" match "\"\nbackend = \"env\"\n"               \
	"username_env = \"DSTACK_DOCKER_USERNAME\"\npassword_env = \"DSTACK_DOCKER_PASSWORD\"\n"

static bool tedge_file_exists(void)
{
	return access(TEDGE_CREDENTIALS, F_OK) == 0;
}

/* The ECR route always ends the embedded text (test_config_embedded_ecr checks it). */
#define ECR_ROUTE_HEAD "\n[[route]]\nname = \"ecr\"\n"

static void embedded_is(const char *want, int line)
{
	struct buf text = BUF_INIT;
	int r = config_embedded_text(&text);
	char *ecr = text.data ? strstr(text.data, ECR_ROUTE_HEAD) : NULL;

	if (ecr)
		*ecr = '\0'; /* compare what comes before it */
	if (r != 0 || !text.data || !ecr || strcmp(text.data, want) != 0) {
		fprintf(stderr, "%s:%d: config_embedded_text: got %d\n%s\nwant\n%s\n", __FILE__,
			line, r, text.data ? text.data : "(null)", want);
		test_failures++;
	}
	buf_finish(&text);
}

/* Parses the embedded text as config_load would. */
static struct config *embedded_config(int line)
{
	struct buf text = BUF_INIT;
	struct config *config = NULL;
	struct errbuf eb = {{0}};
	int r = config_embedded_text(&text);

	if (r == 0)
		r = config_parse(CONFIG_EMBEDDED, "/", text.data, text.len, &config, &eb);
	if (r != 0) {
		fprintf(stderr, "%s:%d: embedded config: %d %s\n", __FILE__, line, r, eb.msg);
		test_failures++;
	}
	buf_finish(&text);
	return config;
}

/* get through a route's backend; want_user NULL: expect not found. */
static void route_get_is(const struct route *route, const char *key, const char *want_user,
			 const char *want_secret, int line)
{
	struct request req = {.key = key};
	struct creds creds = {0};
	struct errbuf eb = {{0}};
	int r;

	if (ref_parse(key, &req.ref, NULL) < 0)
		abort();
	r = route->backend->get(route, &req, &creds, &eb);
	if (want_user ? r != 0 || strcmp(creds.username, want_user) != 0 ||
				strcmp(creds.secret, want_secret) != 0
		      : r != ERR_NOT_FOUND) {
		fprintf(stderr, "%s:%d: get %s: got %d (%s) %s\n", __FILE__, line, key, r, eb.msg,
			r == 0 ? creds.username : "");
		test_failures++;
	}
	creds_finish(&creds);
}

static void test_config_embedded_empty(void)
{
	struct config *c;

	clean_env();
	if (tedge_file_exists())
		return; /* this machine has thin-edge credentials: the text depends on them */
	embedded_is(EMBED_HEAD, __LINE__);
	c = embedded_config(__LINE__);
	if (!c)
		return;
	test_assert_int(c->count, 1); /* the ECR route */
	test_assert_str(c->origin, CONFIG_EMBEDDED);
	test_assert_str(c->store.name, "default store");
	config_free(c);
}

static void test_config_embedded_dstack(void)
{
	struct config *c;

	clean_env();
	if (tedge_file_exists())
		return;
	setenv("DSTACK_DOCKER_USERNAME", "dsuser", 1);
	setenv("DSTACK_DOCKER_PASSWORD", "dspass", 1);
	embedded_is(EMBED_HEAD DSTACK_ROUTE("docker.io"), __LINE__);
	c = embedded_config(__LINE__);
	if (c) {
		test_assert_int(c->count, 2);
		test_assert_str(c->routes[0].name, "route 'dstack'");
		test_assert_str(c->routes[0].backend->name, "env");
		test_assert_int(c->routes[0].store, STORE_IGNORE);
		route_get_is(&c->routes[0], "https://index.docker.io/v1/", "dsuser", "dspass",
			     __LINE__);
		config_free(c);
	}

	setenv("DSTACK_DOCKER_REGISTRY", "ghcr.io", 1);
	embedded_is(EMBED_HEAD DSTACK_ROUTE("ghcr.io"), __LINE__);
	setenv("DSTACK_DOCKER_REGISTRY", "https://Registry.Example.com:5000/v2/", 1);
	embedded_is(EMBED_HEAD DSTACK_ROUTE("registry.example.com:5000"), __LINE__);
	setenv("DSTACK_DOCKER_REGISTRY", "", 1);
	embedded_is(EMBED_HEAD DSTACK_ROUTE("docker.io"), __LINE__);
	/* A registry that does not parse routes nothing. */
	setenv("DSTACK_DOCKER_REGISTRY", "bad host", 1);
	embedded_is(EMBED_HEAD, __LINE__);
	unsetenv("DSTACK_DOCKER_REGISTRY");

	/* Both variables are needed. */
	unsetenv("DSTACK_DOCKER_PASSWORD");
	embedded_is(EMBED_HEAD, __LINE__);
	setenv("DSTACK_DOCKER_PASSWORD", "", 1);
	embedded_is(EMBED_HEAD, __LINE__);
	unsetenv("DSTACK_DOCKER_USERNAME");
	setenv("DSTACK_DOCKER_PASSWORD", "dspass", 1);
	embedded_is(EMBED_HEAD, __LINE__);
	clean_env();
}

#define TEDGE_ROUTE(match)                                                                         \
	"\n[[route]]\nname = \"thin-edge\"\nmatch = [" match "]\nbackend = \"static\"\n"           \
	"store = \"ignore\"\nfile = \"" TEDGE_CREDENTIALS "\"\n"

static void test_config_embedded_tedge(void)
{
	struct config *c;

	clean_env();
	if (tedge_file_exists())
		return;
	setenv("CONTAINER_REGISTRY1_REPO", "registry.example.com:5000", 1);
	setenv("CONTAINER_REGISTRY1_USERNAME", "teuser", 1);
	setenv("CONTAINER_REGISTRY1_PASSWORD", "tepass", 1);
	embedded_is(EMBED_HEAD TEDGE_ROUTE("\"registry.example.com:5000\""), __LINE__);
	c = embedded_config(__LINE__);
	if (c) {
		test_assert_int(c->count, 2);
		test_assert_str(c->routes[0].name, "route 'thin-edge'");
		test_assert_int(c->routes[0].match_count, 1);
		test_assert_str(c->routes[0].match[0], "registry.example.com:5000");
		test_assert_int(c->routes[0].store, STORE_IGNORE);
		route_get_is(&c->routes[0], "registry.example.com:5000", "teuser", "tepass",
			     __LINE__);
		route_get_is(&c->routes[0], "registry.example.com:5000/app:1", "teuser", "tepass",
			     __LINE__);
		route_get_is(&c->routes[0], "other.example.com", NULL, NULL, __LINE__);
		config_free(c);
	}

	/* A second registry; one without a username is no route. */
	setenv("CONTAINER_REGISTRY2_REPO", "docker.io", 1);
	embedded_is(EMBED_HEAD TEDGE_ROUTE("\"registry.example.com:5000\""), __LINE__);
	setenv("CONTAINER_REGISTRY2_USERNAME", "hubuser", 1);
	embedded_is(EMBED_HEAD TEDGE_ROUTE("\"registry.example.com:5000\", \"docker.io\""),
		    __LINE__);

	/* dstack comes first. */
	setenv("DSTACK_DOCKER_USERNAME", "dsuser", 1);
	setenv("DSTACK_DOCKER_PASSWORD", "dspass", 1);
	setenv("DSTACK_DOCKER_REGISTRY", "ghcr.io", 1);
	embedded_is(EMBED_HEAD DSTACK_ROUTE("ghcr.io")
			    TEDGE_ROUTE("\"registry.example.com:5000\", \"docker.io\""),
		    __LINE__);
	c = embedded_config(__LINE__);
	if (c) {
		test_assert_int(c->count, 3);
		test_assert_str(c->routes[0].name, "route 'dstack'");
		test_assert_str(c->routes[1].name, "route 'thin-edge'");
		config_free(c);
	}

	/* An invalid repository drops the route (with a warning) instead of failing. */
	clean_env();
	setenv("CONTAINER_REGISTRY1_REPO", "bad repo!", 1);
	setenv("CONTAINER_REGISTRY1_USERNAME", "teuser", 1);
	setenv("CONTAINER_REGISTRY1_PASSWORD", "tepass", 1);
	embedded_is(EMBED_HEAD, __LINE__);
	clean_env();
}

static bool route_matches(const struct route *route, const char *key)
{
	struct ref ref;

	if (ref_parse(key, &ref, NULL) < 0)
		abort();
	for (size_t i = 0; i < route->match_count; i++) {
		if (pattern_match(&route->patterns[i], &ref))
			return true;
	}
	return false;
}

/* Every ECR host form goes to the ecr backend, look-alikes do not; dstack's AWS route. */
static void test_config_embedded_ecr(void)
{
	static const char *const ecr[] = {
		"123456789012.dkr.ecr.us-west-2.amazonaws.com",
		"https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/",
		"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/team/app",
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
		"123456789012.dkr-ecr.us-west-2.on.aws",
		"123456789012.dkr-ecr-fips.us-west-2.on.aws",
		"123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn",
		"123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu",
		"123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov",
		"123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov",
		"123456789012.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk",
		"123456789012.dkr.ecr.us-isof-south-1.csp.hci.ic.gov",
		"public.ecr.aws/nginx/nginx:latest",
		"ecr-public.aws.com",
	};
	static const char *const not_ecr[] = {
		"123456789012.dkr.ecr.us-west-2.amazonaws.com.evil.example",
		"12345678901.dkr.ecr.us-west-2.amazonaws.com",
		"abcdefghijkl.dkr.ecr.us-west-2.amazonaws.com",
		"123456789012.dkr.ecr.us-west-2.amazonaws.com:5000",
		"123456789012.dkr-ecrx.us-west-2.on.aws",
		"docker.io",
		"xpublic.ecr.aws",
	};
	struct config *c;
	const struct route *r;

	clean_env();
	if (tedge_file_exists())
		return;
	c = embedded_config(__LINE__);
	if (!c)
		return;
	r = &c->routes[c->count - 1];
	test_assert_str(r->name, "route 'ecr'");
	test_assert_str(r->backend->name, "ecr");
	test_assert_int(r->match_count, 38);
	test_assert_int(r->store, STORE_IGNORE);
	for (size_t i = 0; i < sizeof(ecr) / sizeof(ecr[0]); i++) {
		if (!route_matches(r, ecr[i])) {
			fprintf(stderr, "not matched: %s\n", ecr[i]);
			test_failures++;
		}
	}
	for (size_t i = 0; i < sizeof(not_ecr) / sizeof(not_ecr[0]); i++) {
		if (route_matches(r, not_ecr[i])) {
			fprintf(stderr, "matched: %s\n", not_ecr[i]);
			test_failures++;
		}
	}
	config_free(c);

	setenv("DSTACK_AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
	setenv("DSTACK_AWS_SECRET_ACCESS_KEY", "secret", 1);
	setenv("DSTACK_AWS_ECR_REGISTRY", "https://210987654321.dkr.ecr.eu-west-1.amazonaws.com", 1);
	setenv("DSTACK_AWS_REGION", "eu-west-1", 1);
	embedded_is(EMBED_HEAD "\n[[route]]\nname = \"dstack-ecr\"\n"
			       "match = \"210987654321.dkr.ecr.eu-west-1.amazonaws.com\"\n"
			       "backend = \"ecr\"\nregion = \"eu-west-1\"\n",
		    __LINE__);
	setenv("DSTACK_AWS_REGION", "Not A Region", 1);
	embedded_is(EMBED_HEAD "\n[[route]]\nname = \"dstack-ecr\"\n"
			       "match = \"210987654321.dkr.ecr.eu-west-1.amazonaws.com\"\n"
			       "backend = \"ecr\"\n",
		    __LINE__);
	unsetenv("DSTACK_AWS_SECRET_ACCESS_KEY");
	embedded_is(EMBED_HEAD, __LINE__);
	clean_env();
}

static const struct test config_tests[] = {
	{"test_config_empty", test_config_empty},
	{"test_config_string_match", test_config_string_match},
	{"test_config_array_match_and_name", test_config_array_match_and_name},
	{"test_config_store_policies", test_config_store_policies},
	{"test_config_default_store", test_config_default_store},
	{"test_config_default_store_backend", test_config_default_store_backend},
	{"test_config_identity_file", test_config_identity_file},
	{"test_config_env_names", test_config_env_names},
	{"test_config_error_unknown_top_key", test_config_error_unknown_top_key},
	{"test_config_error_unknown_route_key", test_config_error_unknown_route_key},
	{"test_config_error_wrong_type", test_config_error_wrong_type},
	{"test_config_error_unknown_backend", test_config_error_unknown_backend},
	{"test_config_error_missing_backend", test_config_error_missing_backend},
	{"test_config_error_missing_match", test_config_error_missing_match},
	{"test_config_error_empty_match", test_config_error_empty_match},
	{"test_config_error_bad_pattern", test_config_error_bad_pattern},
	{"test_config_error_store_write_read_only", test_config_error_store_write_read_only},
	{"test_config_error_unknown_store", test_config_error_unknown_store},
	{"test_config_error_static_without_file", test_config_error_static_without_file},
	{"test_config_error_env_one_name", test_config_error_env_one_name},
	{"test_config_error_bad_env_name", test_config_error_bad_env_name},
	{"test_config_error_toml_syntax", test_config_error_toml_syntax},
	{"test_config_error_route_order", test_config_error_route_order},
	{"test_config_embedded_empty", test_config_embedded_empty},
	{"test_config_embedded_dstack", test_config_embedded_dstack},
	{"test_config_embedded_tedge", test_config_embedded_tedge},
	{"test_config_embedded_ecr", test_config_embedded_ecr},
};

TEST_MAIN(config_tests)
