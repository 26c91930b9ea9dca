/* SPDX-License-Identifier: MIT */
/*
 * The static backend against real files in a temporary directory: lookups,
 * permissions, the CONTAINER_REGISTRYn_* overrides, and store/erase keeping
 * the file whole (other entries, failures, concurrent writers).
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "buf.h"
#include "config.h"
#include "creds.h"
#include "err.h"
#include "ref.h"
#include "test.h"
#include "toml.h"

extern char **environ;

/* One temporary directory and a config with one static route on dir/creds.toml. */
struct fixture {
	char dir[64];
	char file[256];
	struct config *config;
	const struct route *route;
};

/* Removes every CONTAINER_REGISTRY* variable. */
static void clear_container_env(void)
{
	for (;;) {
		char name[128];
		char **env = environ;

		while (env && *env && strncmp(*env, "CONTAINER_REGISTRY", 18) != 0)
			env++;
		if (!env || !*env)
			return;
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(*env, "="), *env);
		unsetenv(name);
	}
}

/* (Re)loads the config: one catch-all static route on file (relative to f->dir). */
static void load_config(struct fixture *f, const char *file, const char *extra)
{
	struct errbuf eb = {{0}};
	char text[512];

	config_free(f->config);
	snprintf(text, sizeof(text),
		 "[[route]]\nname = \"s\"\nmatch = \"*\"\nbackend = \"static\"\n"
		 "file = \"%s\"\n%s",
		 file, extra);
	if (config_parse("t.toml", f->dir, text, strlen(text), &f->config, &eb) < 0) {
		fprintf(stderr, "config_parse: %s\n", eb.msg);
		abort();
	}
	f->route = &f->config->routes[0];
}

static void setup(struct fixture *f, const char *extra)
{
	memset(f, 0, sizeof(*f));
	clear_container_env();
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_static.XXXXXX");
	if (!mkdtemp(f->dir))
		abort();
	snprintf(f->file, sizeof(f->file), "%s/creds.toml", f->dir);
	setenv("XDG_DATA_HOME", f->dir, 1);
	load_config(f, "creds.toml", extra);
}

static void remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	chmod(path, 0700);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		char child[512];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		remove_tree(child);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static void teardown(struct fixture *f)
{
	config_free(f->config);
	remove_tree(f->dir);
	clear_container_env();
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchmod(fd, mode) < 0)
		abort();
	close(fd);
}

/* The whole file (malloc'd), or NULL when it cannot be read. */
static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, (size_t)n);
	close(fd);
	buf_reserve(&b, 0);
	return buf_steal(&b, NULL);
}

static int make_request(struct request *req, const char *key)
{
	memset(req, 0, sizeof(*req));
	req->key = key;
	return ref_parse(key, &req->ref, NULL);
}

static int do_get(const struct fixture *f, const char *key, struct creds *out,
		  struct errbuf *eb)
{
	struct request req;

	eb->msg[0] = '\0';
	if (make_request(&req, key) < 0)
		abort();
	return static_backend.get(f->route, &req, out, eb);
}

static int do_store(const struct fixture *f, const char *key, const char *user,
		    const char *secret, struct errbuf *eb)
{
	struct request req;
	struct creds creds = {.username = (char *)user, .secret = (char *)secret};

	eb->msg[0] = '\0';
	if (make_request(&req, key) < 0)
		abort();
	return static_backend.store(f->route, &req, &creds, eb);
}

static int do_erase(const struct fixture *f, const char *key, struct errbuf *eb)
{
	struct request req;

	eb->msg[0] = '\0';
	if (make_request(&req, key) < 0)
		abort();
	return static_backend.erase(f->route, &req, eb);
}

/* get must answer user/secret (user NULL: not found). */
static void get_is(const struct fixture *f, const char *key, const char *user, const char *secret,
		   int line)
{
	struct creds creds = {0};
	struct errbuf eb;
	int r = do_get(f, key, &creds, &eb);

	if (user ? r != 0 || strcmp(creds.username, user) != 0 || strcmp(creds.secret, secret) != 0
		 : r != ERR_NOT_FOUND) {
		fprintf(stderr, "%s:%d: get %s: got %d (%s) %s/%s, want %s/%s\n", __FILE__, line,
			key, r, eb.msg, r == 0 ? creds.username : "-", r == 0 ? creds.secret : "-",
			user ? user : "not found", secret ? secret : "");
		test_failures++;
	}
	creds_finish(&creds);
}

#define GET_IS(f, key, user, secret) get_is(f, key, user, secret, __LINE__)
#define NOT_FOUND(f, key) get_is(f, key, NULL, NULL, __LINE__)

static void store_ok(const struct fixture *f, const char *key, const char *user,
		     const char *secret, int line)
{
	struct errbuf eb;
	int r = do_store(f, key, user, secret, &eb);

	if (r != 0) {
		fprintf(stderr, "%s:%d: store %s: %d %s\n", __FILE__, line, key, r, eb.msg);
		test_failures++;
	}
}

#define STORE_OK(f, key, user, secret) store_ok(f, key, user, secret, __LINE__)

static int add_to_buf(void *ctx, const char *key, const char *username)
{
	return buf_printf(ctx, "%s=%s\n", key, username);
}

/* "key=user\n" for every listed key, in the backend's order. */
static void list_is(const struct fixture *f, const char *want, int line)
{
	struct buf out = BUF_INIT;
	struct errbuf eb = {{0}};
	int r = static_backend.list(f->route, add_to_buf, &out, &eb);

	if (r != 0 || strcmp(out.data ? out.data : "", want) != 0) {
		fprintf(stderr, "%s:%d: list: got %d (%s)\n%s\nwant\n%s\n", __FILE__, line, r,
			eb.msg, out.data ? out.data : "", want);
		test_failures++;
	}
	buf_finish(&out);
}

#define LIST_IS(f, want) list_is(f, want, __LINE__)

static mode_t mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? (mode_t)-1 : st.st_mode & 07777;
}

/* ---- get ----------------------------------------------------------------- */

static const char lookup_file[] = "[registry1]\n"
				  "repo = \"ghcr.io\"\n"
				  "username = \"u-root\"\n"
				  "password = \"p-root\"\n"
				  "\n"
				  "[registry2]\n"
				  "repo = \"ghcr.io/team\"\n"
				  "username = \"u-team\"\n"
				  "password = \"p-team\"\n"
				  "\n"
				  "[registry3]\n"
				  "repo = \"ghcr.io/team/app\"\n"
				  "username = \"u-app\"\n"
				  "password = \"p-app\"\n"
				  "\n"
				  "[registry4]\n"
				  "repo = \"ghcr.io/team\"\n"
				  "username = \"u-team-second\"\n"
				  "password = \"p-team-second\"\n"
				  "\n"
				  "[nouser]\n"
				  "repo = \"quay.io\"\n"
				  "password = \"p\"\n"
				  "\n"
				  "[emptyuser]\n"
				  "repo = \"quay.io/a\"\n"
				  "username = \"\"\n"
				  "password = \"p\"\n"
				  "\n"
				  "[norepo]\n"
				  "username = \"u\"\n"
				  "password = \"p\"\n"
				  "\n"
				  "[nopassword]\n"
				  "repo = \"registry.example.com:5000\"\n"
				  "username = \"only-user\"\n";

static void test_static_get_longest_prefix(void)
{
	struct fixture f;

	setup(&f, "");
	write_file(f.file, lookup_file, 0600);
	GET_IS(&f, "ghcr.io", "u-root", "p-root");
	GET_IS(&f, "https://ghcr.io/v2/", "u-root", "p-root");
	GET_IS(&f, "ghcr.io/other/app", "u-root", "p-root");
	/* Whole components: teamx is not under team. */
	GET_IS(&f, "ghcr.io/teamx/app", "u-root", "p-root");
	GET_IS(&f, "ghcr.io/team/application", "u-team", "p-team");
	/* Ties: the first entry in the file. */
	GET_IS(&f, "ghcr.io/team/other:1", "u-team", "p-team");
	GET_IS(&f, "ghcr.io/team/app:latest", "u-app", "p-app");
	GET_IS(&f, "ghcr.io/team/app/sub", "u-app", "p-app");
	/* Entries without a username do not answer. */
	NOT_FOUND(&f, "quay.io");
	NOT_FOUND(&f, "quay.io/a/b");
	/* No password is an empty secret. */
	GET_IS(&f, "registry.example.com:5000", "only-user", "");
	/* Ports are part of the registry. */
	NOT_FOUND(&f, "ghcr.io:443");
	NOT_FOUND(&f, "registry.example.com");
	teardown(&f);
}

static void test_static_get_hub_spellings(void)
{
	static const char *const hub[] = {
		"https://index.docker.io/v1/", "docker.io",     "index.docker.io",
		"registry-1.docker.io",        "DOCKER.IO",     "https://registry-1.docker.io/v2/",
		"nginx:latest",                "someone/app:1",
	};
	struct fixture f;

	setup(&f, "");
	write_file(f.file,
		   "[hub]\nrepo = \"https://index.docker.io/v1/\"\nusername = \"hubuser\"\n"
		   "password = \"hubpass\"\n"
		   "[team]\nrepo = \"registry-1.docker.io/team\"\nusername = \"teamuser\"\n"
		   "password = \"teampass\"\n",
		   0600);
	for (size_t i = 0; i < sizeof(hub) / sizeof(hub[0]); i++)
		get_is(&f, hub[i], "hubuser", "hubpass", __LINE__);
	GET_IS(&f, "docker.io/team/app", "teamuser", "teampass");
	GET_IS(&f, "index.docker.io/team/app:1", "teamuser", "teampass");
	NOT_FOUND(&f, "docker.io:443");
	teardown(&f);
}

static void test_static_permissions(void)
{
	static const mode_t bad[] = {0644, 0640, 0604, 0660, 0602, 0620};
	struct fixture f;
	struct creds creds = {0};
	struct errbuf eb;
	char want[300], *before, *after;

	setup(&f, "");
	snprintf(want, sizeof(want), "bad owner or permissions on %s (chmod 600 it)", f.file);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(f.file, lookup_file, bad[i]);
		test_assert_int(do_get(&f, "ghcr.io", &creds, &eb), ERR_PERM);
		test_assert_str(eb.msg, want);
		test_assert(creds.username == NULL);
	}
	/* store refuses too, and leaves the file alone. */
	write_file(f.file, lookup_file, 0644);
	before = slurp(f.file);
	test_assert_int(do_store(&f, "quay.io", "u", "p", &eb), ERR_PERM);
	test_assert_str(eb.msg, want);
	after = slurp(f.file);
	test_assert(before && after && strcmp(before, after) == 0);
	test_assert_int(mode_of(f.file), 0644);
	free(before);
	free(after);
	/* Owner-only modes are fine. */
	write_file(f.file, lookup_file, 0400);
	GET_IS(&f, "ghcr.io", "u-root", "p-root");
	write_file(f.file, lookup_file, 0600);
	GET_IS(&f, "ghcr.io", "u-root", "p-root");
	teardown(&f);
}

static void test_static_missing_file(void)
{
	struct fixture f;
	struct creds creds = {0};
	struct errbuf eb;

	setup(&f, "");
	test_assert_int(do_get(&f, "ghcr.io", &creds, &eb), ERR_NOT_FOUND);
	LIST_IS(&f, "");
	test_assert_int(access(f.file, F_OK), -1);
	teardown(&f);

	/* A missing directory too. */
	setup(&f, "");
	load_config(&f, "no/such/dir/creds.toml", "");
	test_assert_int(do_get(&f, "ghcr.io", &creds, &eb), ERR_NOT_FOUND);
	LIST_IS(&f, "");
	teardown(&f);
}

static void test_static_file_errors(void)
{
	struct fixture f;
	struct creds creds = {0};
	struct errbuf eb;
	char want[400];

	setup(&f, "");
	write_file(f.file, "[registry1]\nrepo = \"ghcr.io\"\nuser = \"u\"\n", 0600);
	test_assert_int(do_get(&f, "ghcr.io", &creds, &eb), ERR_CONFIG);
	snprintf(want, sizeof(want),
		 "%s:3: [registry1] unknown key 'user' (allowed: repo, username, password)",
		 f.file);
	test_assert_str(eb.msg, want);

	write_file(f.file, "\n[registry1]\nrepo = \"bad repo!\"\nusername = \"u\"\n", 0600);
	test_assert_int(do_get(&f, "ghcr.io", &creds, &eb), ERR_CONFIG);
	snprintf(want, sizeof(want), "%s:2: [registry1] repo \"bad repo!\": invalid character in host",
		 f.file);
	test_assert_str(eb.msg, want);

	write_file(f.file, "repo = \"ghcr.io\"\n", 0600);
	test_assert_int(do_get(&f, "ghcr.io", &creds, &eb), ERR_CONFIG);
	snprintf(want, sizeof(want),
		 "%s:1: repo: expected a table like [registry1] with repo, username and password",
		 f.file);
	test_assert_str(eb.msg, want);

	write_file(f.file, "[registry1]\nrepo = \"ghcr.io\"\nusername = 5\n", 0600);
	test_assert_int(do_get(&f, "ghcr.io", &creds, &eb), ERR_CONFIG);
	snprintf(want, sizeof(want), "%s:3: [registry1] username must be a string", f.file);
	test_assert_str(eb.msg, want);

	/* TOML syntax errors carry the file, line and column. */
	write_file(f.file, "[registry1]\nrepo = \"ghcr.io\n", 0600);
	test_assert_int(do_get(&f, "ghcr.io", &creds, &eb), ERR_CONFIG);
	test_assert(strncmp(eb.msg, f.file, strlen(f.file)) == 0);
	test_assert(strncmp(eb.msg + strlen(f.file), ":2:8: ", 6) == 0);
	test_assert(creds.username == NULL);
	teardown(&f);
}

/* ---- CONTAINER_REGISTRYn_* ------------------------------------------------ */

static const char one_entry[] = "[registry1]\n"
				"repo = \"ghcr.io\"\n"
				"username = \"fileuser\"\n"
				"password = \"filepass\"\n";

static void test_static_env_override_fields(void)
{
	struct fixture f;

	setup(&f, "");
	write_file(f.file, one_entry, 0600);
	GET_IS(&f, "ghcr.io", "fileuser", "filepass");
	setenv("CONTAINER_REGISTRY1_PASSWORD", "envpass", 1);
	GET_IS(&f, "ghcr.io", "fileuser", "envpass");
	setenv("CONTAINER_REGISTRY1_USERNAME", "envuser", 1);
	GET_IS(&f, "ghcr.io", "envuser", "envpass");
	setenv("CONTAINER_REGISTRY1_REPO", "quay.io", 1);
	GET_IS(&f, "quay.io", "envuser", "envpass");
	NOT_FOUND(&f, "ghcr.io");
	/* Other numbers and other suffixes do not touch registry1. */
	clear_container_env();
	setenv("CONTAINER_REGISTRY11_PASSWORD", "x", 1);
	setenv("CONTAINER_REGISTRY1_PASSWORDX", "x", 1);
	setenv("CONTAINER_REGISTRY1_password", "x", 1);
	setenv("CONTAINER_REGISTRY_1_PASSWORD", "x", 1);
	GET_IS(&f, "ghcr.io", "fileuser", "filepass");
	/* container_env = false ignores the environment. */
	clear_container_env();
	setenv("CONTAINER_REGISTRY1_PASSWORD", "envpass", 1);
	load_config(&f, "creds.toml", "container_env = false\n");
	GET_IS(&f, "ghcr.io", "fileuser", "filepass");
	teardown(&f);
}

static void test_static_env_new_entry(void)
{
	struct fixture f;

	setup(&f, "");
	/* No file at all: the environment alone. */
	setenv("CONTAINER_REGISTRY3_REPO", "registry.example.com:5000", 1);
	setenv("CONTAINER_REGISTRY3_USERNAME", "u3", 1);
	setenv("CONTAINER_REGISTRY3_PASSWORD", "p3", 1);
	GET_IS(&f, "registry.example.com:5000", "u3", "p3");
	GET_IS(&f, "registry.example.com:5000/app:1", "u3", "p3");
	LIST_IS(&f, "registry.example.com:5000=u3\n");
	/* Next to a file entry. */
	write_file(f.file, one_entry, 0600);
	GET_IS(&f, "ghcr.io", "fileuser", "filepass");
	GET_IS(&f, "registry.example.com:5000", "u3", "p3");
	/* Without a username the entry does not answer. */
	unsetenv("CONTAINER_REGISTRY3_USERNAME");
	NOT_FOUND(&f, "registry.example.com:5000");
	teardown(&f);
}

static void test_static_env_bad_repo(void)
{
	struct fixture f;
	struct creds creds = {0};
	struct errbuf eb;

	setup(&f, "");
	setenv("CONTAINER_REGISTRY3_REPO", "bad repo!", 1);
	setenv("CONTAINER_REGISTRY3_USERNAME", "u3", 1);
	test_assert_int(do_get(&f, "ghcr.io", &creds, &eb), ERR_CONFIG);
	test_assert_str(eb.msg, "CONTAINER_REGISTRY3_REPO \"bad repo!\": invalid character in host");
	teardown(&f);
}

/*
 * The variable is to blame even when the file has a [registry1] of its own:
 * the message must name CONTAINER_REGISTRY1_REPO, not the file's line.
 */
static void test_static_env_bad_repo_over_file(void)
{
	struct fixture f;
	struct creds creds = {0};
	struct errbuf eb;

	setup(&f, "");
	write_file(f.file, one_entry, 0600);
	setenv("CONTAINER_REGISTRY1_REPO", "bad repo!", 1);
	test_assert_int(do_get(&f, "ghcr.io", &creds, &eb), ERR_CONFIG);
	test_assert_str(eb.msg, "CONTAINER_REGISTRY1_REPO \"bad repo!\": invalid character in host");
	teardown(&f);
}

static void test_static_env_not_persisted(void)
{
	struct fixture f;
	char *text;

	setup(&f, "");
	write_file(f.file, one_entry, 0600);
	setenv("CONTAINER_REGISTRY1_PASSWORD", "envpass", 1);
	setenv("CONTAINER_REGISTRY5_REPO", "env.example.com", 1);
	setenv("CONTAINER_REGISTRY5_USERNAME", "u5", 1);
	STORE_OK(&f, "quay.io", "quser", "qpass");
	text = slurp(f.file);
	test_assert(text && strstr(text, "envpass") == NULL);
	test_assert(text && strstr(text, "env.example.com") == NULL);
	test_assert(text && strstr(text, "filepass") != NULL);
	free(text);
	clear_container_env();
	GET_IS(&f, "ghcr.io", "fileuser", "filepass");
	GET_IS(&f, "quay.io", "quser", "qpass");
	teardown(&f);
}

/* ---- store and erase ------------------------------------------------------ */

#define FILE_HEAD                                                                                  \
	"# Registry credentials (thin-edge credentials.toml format).\n"                            \
	"# Written by docker-credential-router: keep it mode 0600.\n"

static void test_static_store_creates_private_file(void)
{
	struct fixture f;
	char dir[128], lock[300], *text;
	mode_t old = umask(0);

	setup(&f, "");
	load_config(&f, "sub/deeper/creds.toml", "");
	snprintf(dir, sizeof(dir), "%s/sub/deeper", f.dir);
	snprintf(f.file, sizeof(f.file), "%s/creds.toml", dir);
	snprintf(lock, sizeof(lock), "%s.lock", f.file);
	STORE_OK(&f, "https://GHCR.io/v2/", "u", "p\"w");
	test_assert_int(mode_of(f.file), 0600);
	test_assert_int(mode_of(dir), 0700);
	snprintf(dir, sizeof(dir), "%s/sub", f.dir);
	test_assert_int(mode_of(dir), 0700);
	test_assert_int(mode_of(lock), 0600);
	text = slurp(f.file);
	test_assert_str(text, FILE_HEAD "\n[registry1]\nrepo = \"ghcr.io\"\nusername = \"u\"\n"
					"password = \"p\\\"w\"\n");
	free(text);
	GET_IS(&f, "ghcr.io", "u", "p\"w");
	umask(old);
	teardown(&f);
}

static size_t count_of(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_static_store_twice_replaces(void)
{
	struct fixture f;
	char *text;

	setup(&f, "");
	STORE_OK(&f, "ghcr.io", "u1", "p1");
	STORE_OK(&f, "https://ghcr.io/v2/", "u2", "p2");
	GET_IS(&f, "ghcr.io", "u2", "p2");
	text = slurp(f.file);
	test_assert_int(count_of(text, "[registry"), 1);
	test_assert_int(count_of(text, "repo = "), 1);
	test_assert(strstr(text, "p1") == NULL);
	free(text);
	/* Hub spellings are one entry. */
	STORE_OK(&f, "https://index.docker.io/v1/", "h1", "x1");
	STORE_OK(&f, "docker.io", "h2", "x2");
	GET_IS(&f, "registry-1.docker.io", "h2", "x2");
	text = slurp(f.file);
	test_assert_int(count_of(text, "[registry"), 2);
	free(text);
	LIST_IS(&f, "ghcr.io=u2\ndocker.io=h2\n");
	teardown(&f);
}

static const char others_file[] =
	"# a hand-written file\n"
	"[my-table]\n"
	"repo = \"quay.io\"\n"
	"username = \"quser\"\n"
	"password = \"q\\\"uo\\\\te \\u00e9\\t\\u0001\\u007f\\b\\f end\"\n"
	"\n"
	"[\"odd name.x\"]\n"
	"repo = \"registry.example.com/team\"\n"
	"username = '<token>'\n"
	"password = 'literal\\n'\n"
	"\n"
	"[registry1]\n"
	"repo = \"docker.io\"\n"
	"username = \"hubuser\"\n"
	"password = \"\"\"multi\nline\"\"\"\n"
	"\n"
	"[norepo]\n"
	"username = \"kept\"\n";

struct want_entry {
	const char *name, *repo, *username, *password;
};

/* The file parses to exactly these tables in this order. */
static void entries_are(const char *path, const struct want_entry *want, size_t count, int line)
{
	char *text = slurp(path);
	struct toml_value *root = NULL;
	struct toml_error terr;
	static const char *const fields[] = {"repo", "username", "password"};

	if (!text || toml_parse(text, strlen(text), &root, &terr) < 0) {
		fprintf(stderr, "%s:%d: cannot parse %s\n", __FILE__, line, path);
		test_failures++;
		free(text);
		return;
	}
	if (toml_count(root) != count) {
		fprintf(stderr, "%s:%d: %zu tables, want %zu\n%s\n", __FILE__, line,
			toml_count(root), count, text);
		test_failures++;
	}
	for (size_t i = 0; i < count && i < toml_count(root); i++) {
		const char *name;
		const struct toml_value *t = toml_table_at(root, i, &name, NULL, NULL);
		const char *values[] = {want[i].repo, want[i].username, want[i].password};

		if (strcmp(name, want[i].name) != 0) {
			fprintf(stderr, "%s:%d: table %zu is [%s], want [%s]\n", __FILE__, line, i,
				name, want[i].name);
			test_failures++;
		}
		for (size_t k = 0; k < 3; k++) {
			const char *got = NULL;

			toml_get_string(toml_table_get(t, fields[k]), &got, NULL);
			if (values[k] ? !got || strcmp(got, values[k]) != 0 : got != NULL) {
				fprintf(stderr, "%s:%d: [%s] %s = \"%s\", want \"%s\"\n", __FILE__,
					line, name, fields[k], got ? got : "(none)",
					values[k] ? values[k] : "(none)");
				test_failures++;
			}
		}
	}
	toml_free(root);
	free(text);
}

static void test_static_store_keeps_others(void)
{
	static const struct want_entry want[] = {
		{"my-table", "quay.io", "quser", "q\"uo\\te \xc3\xa9\t\x01\x7f\b\f end"},
		{"odd name.x", "registry.example.com/team", "<token>", "literal\\n"},
		{"registry1", "docker.io", "hubuser", "multi\nline"},
		{"norepo", NULL, "kept", NULL},
		{"registry2", "ghcr.io", "new", "secret"},
	};
	struct fixture f;

	setup(&f, "");
	write_file(f.file, others_file, 0600);
	entries_are(f.file, want, 4, __LINE__);
	STORE_OK(&f, "ghcr.io", "new", "secret");
	entries_are(f.file, want, 5, __LINE__);
	GET_IS(&f, "quay.io", "quser", "q\"uo\\te \xc3\xa9\t\x01\x7f\b\f end");
	GET_IS(&f, "registry.example.com/team/app", "<token>", "literal\\n");
	GET_IS(&f, "docker.io", "hubuser", "multi\nline");
	/* Replacing one entry keeps its table name and position. */
	STORE_OK(&f, "index.docker.io", "hubuser2", "x");
	{
		struct want_entry w[5];

		memcpy(w, want, sizeof(w));
		w[2].username = "hubuser2";
		w[2].password = "x";
		entries_are(f.file, w, 5, __LINE__);
	}
	teardown(&f);
}

static void test_static_erase(void)
{
	struct fixture f;
	struct errbuf eb;
	char *text;

	setup(&f, "");
	/* Nothing stored yet. */
	test_assert_int(do_erase(&f, "ghcr.io", &eb), ERR_NOT_FOUND);
	STORE_OK(&f, "a.example.com", "ua", "pa");
	STORE_OK(&f, "b.example.com", "ub", "pb");
	STORE_OK(&f, "c.example.com", "uc", "pc");
	STORE_OK(&f, "b.example.com/team", "ubt", "pbt");
	test_assert_int(do_erase(&f, "https://b.example.com/v2/", &eb), 0);
	NOT_FOUND(&f, "b.example.com");
	GET_IS(&f, "a.example.com", "ua", "pa");
	GET_IS(&f, "c.example.com", "uc", "pc");
	/* Only that exact registry and repository. */
	GET_IS(&f, "b.example.com/team/x", "ubt", "pbt");
	test_assert_int(do_erase(&f, "b.example.com", &eb), ERR_NOT_FOUND);
	test_assert_int(do_erase(&f, "d.example.com", &eb), ERR_NOT_FOUND);
	text = slurp(f.file);
	test_assert_int(count_of(text, "[registry"), 3);
	test_assert(strstr(text, "pb\"") == NULL);
	free(text);
	/* Hub under another spelling. */
	STORE_OK(&f, "docker.io", "h", "hp");
	test_assert_int(do_erase(&f, "https://index.docker.io/v1/", &eb), 0);
	NOT_FOUND(&f, "docker.io");
	LIST_IS(&f, "a.example.com=ua\nc.example.com=uc\nb.example.com/team=ubt\n");
	test_assert_int(mode_of(f.file), 0600);
	teardown(&f);
}

static void test_static_list(void)
{
	struct fixture f;

	setup(&f, "");
	write_file(f.file, lookup_file, 0600);
	LIST_IS(&f, "ghcr.io=u-root\nghcr.io/team=u-team\nghcr.io/team/app=u-app\n"
		    "ghcr.io/team=u-team-second\nregistry.example.com:5000=only-user\n");
	write_file(f.file,
		   "[a]\nrepo = \"https://index.docker.io/v1/\"\nusername = \"h\"\n"
		   "[b]\nrepo = \"Localhost:5000/x\"\nusername = \"l\"\n",
		   0600);
	setenv("CONTAINER_REGISTRY9_REPO", "quay.io", 1);
	setenv("CONTAINER_REGISTRY9_USERNAME", "q", 1);
	LIST_IS(&f, "docker.io=h\nlocalhost:5000/x=l\nquay.io=q\n");
	unsetenv("CONTAINER_REGISTRY9_REPO");
	unsetenv("CONTAINER_REGISTRY9_USERNAME");
	/* Fuzzing regression: an entry with an empty repo is skipped, as by get
	 * (tests/fuzz/corpus/static/regress-empty-repo-listed). */
	write_file(f.file, "[a]\nrepo = \"\"\nusername = \"e\"\n[b]\nrepo = \"b.example.com\"\n"
			   "username = \"b\"\n", 0600);
	LIST_IS(&f, "b.example.com=b\n");
	teardown(&f);
}

/* The directory entries of dir, sorted, joined with ' '. */
static void dir_listing(const char *dir, char *out, size_t size)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		/* Temporary files start with '.': they are listed. */
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && used < size)
			used += (size_t)snprintf(out + used, size - used, "%s%s", used ? " " : "",
						 name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* Runs fn(f) in a child; as root, the child is uid/gid 65534 so permissions bite. */
static void run_unprivileged(struct fixture *f, void (*fn)(struct fixture *))
{
	int status;
	pid_t pid;

	if (geteuid() == 0 && chown(f->dir, 65534, 65534) < 0)
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
		test_failures = 0;
		fn(f);
		_exit(test_failures ? 1 : 0);
	}
	test_assert(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	test_assert_int(WEXITSTATUS(status), 0);
}

/* The lock file exists already: the temporary file cannot be made. */
static void read_only_with_lock(struct fixture *f)
{
	struct errbuf eb;
	char *before, *after, listing[256];

	STORE_OK(f, "ghcr.io", "u", "p");
	before = slurp(f->file);
	test_assert(chmod(f->dir, 0500) == 0);
	test_assert(do_store(f, "quay.io", "u2", "p2", &eb) < 0);
	test_assert(eb.msg[0] != '\0');
	test_assert(do_erase(f, "ghcr.io", &eb) < 0);
	test_assert(chmod(f->dir, 0700) == 0);
	after = slurp(f->file);
	test_assert(before && after && strcmp(before, after) == 0);
	dir_listing(f->dir, listing, sizeof(listing));
	test_assert_str(listing, "creds.toml creds.toml.lock");
	GET_IS(f, "ghcr.io", "u", "p");
	NOT_FOUND(f, "quay.io");
	free(before);
	free(after);
}

/* No lock file yet: the lock cannot be made. */
static void read_only_without_lock(struct fixture *f)
{
	struct errbuf eb;
	char *after, listing[256];

	write_file(f->file, one_entry, 0600);
	test_assert(chmod(f->dir, 0500) == 0);
	test_assert(do_store(f, "quay.io", "u2", "p2", &eb) < 0);
	test_assert(chmod(f->dir, 0700) == 0);
	after = slurp(f->file);
	test_assert_str(after, one_entry);
	free(after);
	dir_listing(f->dir, listing, sizeof(listing));
	test_assert_str(listing, "creds.toml");
}

static void test_static_failed_store_keeps_file(void)
{
	struct fixture f;

	setup(&f, "");
	run_unprivileged(&f, read_only_with_lock);
	teardown(&f);
	setup(&f, "");
	run_unprivileged(&f, read_only_without_lock);
	teardown(&f);
}

/* Writing the temporary file fails half way (file size limit): nothing changes. */
static void test_static_failed_write_keeps_file(void)
{
	struct fixture f;
	char big[4096], listing[256], *after;
	int status;
	pid_t pid;

	setup(&f, "");
	write_file(f.file, one_entry, 0600);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		struct rlimit lim = {100, 100};
		struct errbuf eb;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &lim) < 0)
			_exit(2);
		_exit(do_store(&f, "quay.io", "u", big, &eb) == ERR_IO ? 0 : 1);
	}
	test_assert(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	test_assert_int(WEXITSTATUS(status), 0);
	after = slurp(f.file);
	test_assert_str(after, one_entry);
	free(after);
	dir_listing(f.dir, listing, sizeof(listing));
	test_assert_str(listing, "creds.toml creds.toml.lock");
	teardown(&f);
}

static void test_static_store_refuses_broken_file(void)
{
	struct fixture f;
	struct errbuf eb;
	char *after;
	static const char broken[] = "[registry1]\nrepo = \"ghcr.io\nusername = \"u\"\n";

	setup(&f, "");
	write_file(f.file, broken, 0600);
	test_assert_int(do_store(&f, "quay.io", "u", "p", &eb), ERR_CONFIG);
	test_assert_int(do_erase(&f, "ghcr.io", &eb), ERR_CONFIG);
	after = slurp(f.file);
	test_assert_str(after, broken);
	free(after);
	teardown(&f);
}

#define WRITERS 20

static void test_static_concurrent_stores(void)
{
	struct fixture f;
	int gate[2], failed = 0;
	char key[64], user[64], secret[64], *text;

	setup(&f, "");
	if (pipe(gate) < 0)
		abort();
	for (int i = 0; i < WRITERS; i++) {
		pid_t pid = fork();

		if (pid < 0)
			abort();
		if (pid == 0) {
			struct errbuf eb;
			char c;

			close(gate[1]);
			/* Wait until every writer exists, then all go at once. */
			(void)!read(gate[0], &c, 1);
			snprintf(key, sizeof(key), "host%d.example.com", i);
			snprintf(user, sizeof(user), "user%d", i);
			snprintf(secret, sizeof(secret), "secret%d", i);
			_exit(do_store(&f, key, user, secret, &eb) == 0 ? 0 : 1);
		}
	}
	close(gate[0]);
	close(gate[1]);
	for (int i = 0; i < WRITERS; i++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	test_assert_int(failed, 0);
	for (int i = 0; i < WRITERS; i++) {
		snprintf(key, sizeof(key), "host%d.example.com", i);
		snprintf(user, sizeof(user), "user%d", i);
		snprintf(secret, sizeof(secret), "secret%d", i);
		get_is(&f, key, user, secret, __LINE__);
	}
	text = slurp(f.file);
	test_assert_int(count_of(text, "repo = "), WRITERS);
	free(text);
	teardown(&f);
}

static const struct test static_tests[] = {
	{"test_static_get_longest_prefix", test_static_get_longest_prefix},
	{"test_static_get_hub_spellings", test_static_get_hub_spellings},
	{"test_static_permissions", test_static_permissions},
	{"test_static_missing_file", test_static_missing_file},
	{"test_static_file_errors", test_static_file_errors},
	{"test_static_env_override_fields", test_static_env_override_fields},
	{"test_static_env_new_entry", test_static_env_new_entry},
	{"test_static_env_bad_repo", test_static_env_bad_repo},
	{"test_static_env_bad_repo_over_file", test_static_env_bad_repo_over_file},
	{"test_static_env_not_persisted", test_static_env_not_persisted},
	{"test_static_store_creates_private_file", test_static_store_creates_private_file},
	{"test_static_store_twice_replaces", test_static_store_twice_replaces},
	{"test_static_store_keeps_others", test_static_store_keeps_others},
	{"test_static_erase", test_static_erase},
	{"test_static_list", test_static_list},
	{"test_static_failed_store_keeps_file", test_static_failed_store_keeps_file},
	{"test_static_failed_write_keeps_file", test_static_failed_write_keeps_file},
	{"test_static_store_refuses_broken_file", test_static_store_refuses_broken_file},
	{"test_static_concurrent_stores", test_static_concurrent_stores},
};

TEST_MAIN(static_tests)
