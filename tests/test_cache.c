/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "log.h"
#include "test.h"
#include "wipe.h"

#define T0 1000000000 /* a fixed "now" for the first fetch */
#define LIFE 3600

/* ---- fixtures ---- */

static char root[PATH_MAX];  /* a fresh temporary directory per test */
static char cdir[PATH_MAX];  /* the cache directory under it (created by the cache) */

/* out = dir/name; the paths here are short, so overflow is a broken test. */
static void join(char out[PATH_MAX], const char *dir, const char *name)
{
	if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		abort();
}

static void free_wiped(void *p)
{
	if (p)
		wipe(p, malloc_usable_size(p));
	free(p);
}

static void setup(void)
{
	json_set_alloc_funcs(malloc, free_wiped);
	snprintf(root, sizeof(root), "/tmp/dcr-test-cache-XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(2);
	}
	join(cdir, root, "cache");
}

static void remove_tree(const char *path)
{
	struct dirent *de;
	struct stat st;
	char sub[PATH_MAX];
	DIR *d;

	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		d = opendir(path);
		while (d && (de = readdir(d))) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			join(sub, path, de->d_name);
			remove_tree(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void teardown(void)
{
	remove_tree(root);
}

/* ---- a fetch that counts ---- */

struct fake {
	int calls;
	const char *secret;
	time_t expires; /* 0: let the cache use ttl_fallback */
	bool fail;
};

static int fake_fetch(void *ctx, struct creds *out, struct errbuf *eb)
{
	struct fake *f = ctx;

	f->calls++;
	if (f->fail)
		return errbuf_set(eb, ERR_BACKEND, "exchange failed: access denied");
	if (creds_set(out, "AWS", f->secret) < 0)
		return ERR_NOMEM;
	out->expires = f->expires;
	return 0;
}

static const struct cache_id id_a = {"ecr", "123.dkr.ecr.eu-west-1.amazonaws.com", "AKIAEXAMPLE"};

static struct cache_params params_at(const char *dir, time_t now, bool refresh)
{
	struct cache_params p = {dir, now, refresh, 600, 0};

	return p;
}

/* cache_get for id_a; checks the secret when want is not NULL. */
static int get_a(time_t now, bool refresh, struct fake *f, const char *want, time_t *expires)
{
	struct cache_params p = params_at(cdir, now, refresh);
	struct creds out = {0};
	struct errbuf eb = {{0}};
	int r = cache_get(&p, &id_a, fake_fetch, f, &out, &eb);

	if (want) {
		test_assert_int(r, 0);
		test_assert_str(out.username, "AWS");
		test_assert_str(out.secret, want);
	}
	if (expires)
		*expires = out.expires;
	creds_finish(&out);
	return r;
}

/* The one "<hex>.json" in dir (name only), or "" when there is none. */
static void find_entry(const char *dir, char *name, size_t size)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	name[0] = '\0';
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0)
			snprintf(name, size, "%s", de->d_name);
	}
	if (d)
		closedir(d);
}

static void entry_path(char path[PATH_MAX])
{
	char name[NAME_MAX + 1];

	find_entry(cdir, name, sizeof(name));
	test_assert(name[0] != '\0');
	join(path, cdir, name);
}

/* Names in dir other than "." and "..": all of them, and those starting with '.'. */
static int count_files(const char *dir, int *hidden)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (hidden)
		*hidden = 0;
	while (d && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		if (hidden && de->d_name[0] == '.')
			(*hidden)++;
	}
	if (d)
		closedir(d);
	return n;
}

static void assert_no_temp(const char *dir)
{
	int hidden;

	count_files(dir, &hidden);
	test_assert_int(hidden, 0);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	test_assert(fd >= 0);
	if (fd < 0)
		return;
	test_assert((size_t)write(fd, text, strlen(text)) == strlen(text));
	fchmod(fd, mode);
	close(fd);
}

static void read_text(const char *path, char *text, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, text, size - 1) : -1;

	text[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_mode : 0;
}

/* A cached token for id_a issued at T0, expiring at T0 + LIFE. */
static void prime(struct fake *f, const char *secret)
{
	f->secret = secret;
	f->expires = T0 + LIFE;
	get_a(T0, false, f, secret, NULL);
}

/* ---- single process ---- */

static void test_cache_cold_miss_fetches_and_stores(void)
{
	struct fake f = {0};
	char path[PATH_MAX];
	json_t *j;
	time_t expires = 0;

	setup();
	f.secret = "tok-1";
	f.expires = T0 + LIFE;
	get_a(T0, false, &f, "tok-1", &expires);
	test_assert_int(f.calls, 1);
	test_assert_int(expires, T0 + LIFE);
	test_assert_int(mode_of(cdir) & 07777, 0700);
	entry_path(path);
	test_assert_int(mode_of(path), S_IFREG | 0600);
	j = json_load_file(path, 0, NULL);
	test_assert(j != NULL);
	test_assert_int(json_integer_value(json_object_get(j, "version")), 1);
	test_assert_str(json_string_value(json_object_get(j, "route")), "ecr");
	test_assert_str(json_string_value(json_object_get(j, "registry")), id_a.registry);
	test_assert_str(json_string_value(json_object_get(j, "who")), "AKIAEXAMPLE");
	test_assert_str(json_string_value(json_object_get(j, "username")), "AWS");
	test_assert_str(json_string_value(json_object_get(j, "secret")), "tok-1");
	test_assert_int(json_integer_value(json_object_get(j, "issued")), T0);
	test_assert_int(json_integer_value(json_object_get(j, "expires")), T0 + LIFE);
	json_decref(j);
	assert_no_temp(cdir);
	teardown();
}

static void test_cache_hit_before_half_life(void)
{
	struct fake f = {0};
	time_t expires = 0;

	setup();
	prime(&f, "tok-1");
	f.secret = "tok-2";
	get_a(T0 + LIFE / 2 - 1, false, &f, "tok-1", &expires);
	test_assert_int(f.calls, 1);
	test_assert_int(expires, T0 + LIFE);
	teardown();
}

static void test_cache_refetch_after_half_life(void)
{
	struct fake f = {0};

	setup();
	prime(&f, "tok-1");
	f.secret = "tok-2";
	f.expires = T0 + LIFE / 2 + LIFE;
	get_a(T0 + LIFE / 2, false, &f, "tok-2", NULL);
	test_assert_int(f.calls, 2);
	/* the new entry is fresh for its own half-life */
	get_a(T0 + LIFE / 2 + 1, false, &f, "tok-2", NULL);
	test_assert_int(f.calls, 2);
	assert_no_temp(cdir);
	teardown();
}

static void test_cache_refresh_refetches(void)
{
	struct fake f = {0};

	setup();
	prime(&f, "tok-1");
	f.secret = "tok-2";
	get_a(T0 + 1, true, &f, "tok-2", NULL);
	test_assert_int(f.calls, 2);
	get_a(T0 + 2, false, &f, "tok-2", NULL);
	test_assert_int(f.calls, 2);
	teardown();
}

static void test_cache_ttl_fallback_without_expiry(void)
{
	struct fake f = {0};
	time_t expires = 0;

	setup();
	f.secret = "tok-1";
	get_a(T0, false, &f, "tok-1", &expires);
	test_assert_int(expires, T0 + 600);
	get_a(T0 + 299, false, &f, "tok-1", NULL);
	test_assert_int(f.calls, 1);
	get_a(T0 + 300, false, &f, "tok-1", NULL);
	test_assert_int(f.calls, 2);
	teardown();
}

static void test_cache_fetch_failure_returns_stale(void)
{
	struct fake f = {0};
	time_t expires = 0;

	setup();
	prime(&f, "tok-1");
	f.fail = true;
	get_a(T0 + LIFE - 1, false, &f, "tok-1", &expires);
	test_assert_int(f.calls, 2);
	test_assert_int(expires, T0 + LIFE);
	/* refresh=true also falls back */
	get_a(T0 + LIFE - 1, true, &f, "tok-1", NULL);
	test_assert_int(f.calls, 3);
	teardown();
}

static void test_cache_fetch_failure_expired_returns_error(void)
{
	struct cache_params p;
	struct creds out = {0};
	struct errbuf eb = {{0}};
	struct fake f = {0};

	setup();
	prime(&f, "tok-1");
	f.fail = true;
	p = params_at(cdir, T0 + LIFE, false);
	test_assert_int(cache_get(&p, &id_a, fake_fetch, &f, &out, &eb), ERR_BACKEND);
	test_assert_str(eb.msg, "exchange failed: access denied");
	test_assert(out.secret == NULL);
	test_assert_int(f.calls, 2);
	/* and with no entry at all */
	teardown();
	setup();
	memset(&eb, 0, sizeof(eb));
	p = params_at(cdir, T0, false);
	test_assert_int(cache_get(&p, &id_a, fake_fetch, &f, &out, &eb), ERR_BACKEND);
	test_assert_str(eb.msg, "exchange failed: access denied");
	teardown();
}

static void test_cache_identity_mismatch_is_miss(void)
{
	static const char *const fields[] = {"route", "registry", "who"};
	char path[PATH_MAX], text[1024];
	struct fake f = {0};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		setup();
		prime(&f, "tok-1");
		entry_path(path);
		snprintf(text, sizeof(text),
			 "{\"version\":1,\"route\":\"%s\",\"registry\":\"%s\",\"who\":\"%s\","
			 "\"username\":\"AWS\",\"secret\":\"wrong\",\"issued\":%d,\"expires\":%d}",
			 i == 0 ? "other" : id_a.route, i == 1 ? "other.io" : id_a.registry,
			 i == 2 ? "AKIAOTHER" : id_a.who, T0, T0 + LIFE);
		write_file(path, text, 0600);
		f.secret = "tok-2";
		f.calls = 0;
		get_a(T0 + 1, false, &f, "tok-2", NULL);
		test_assert_int(f.calls, 1);
		teardown();
	}
}

static void test_cache_corrupt_entry_is_miss_and_replaced(void)
{
	static const char *const bad[] = {
		"",
		"garbage",
		"{\"version\":1,\"route\":\"ecr\",\"regis",
		"{\"version\":2,\"route\":\"ecr\"}",
		"[1,2,3]",
		"{\"version\":1,\"route\":\"ecr\","
		"\"registry\":\"123.dkr.ecr.eu-west-1.amazonaws.com\",\"who\":\"AKIAEXAMPLE\","
		"\"username\":\"AWS\",\"secret\":\"wrong\",\"issued\":\"x\","
		"\"expires\":2000000000}",
	};
	char path[PATH_MAX], text[4096];
	struct fake f = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup();
		prime(&f, "tok-1");
		entry_path(path);
		write_file(path, bad[i], 0600);
		f.secret = "tok-2";
		f.calls = 0;
		get_a(T0 + 1, false, &f, "tok-2", NULL);
		test_assert_int(f.calls, 1);
		read_text(path, text, sizeof(text));
		test_assert(strstr(text, "\"tok-2\"") != NULL);
		get_a(T0 + 2, false, &f, "tok-2", NULL);
		test_assert_int(f.calls, 1);
		assert_no_temp(cdir);
		teardown();
	}
}

static void test_cache_truncated_entry_is_miss(void)
{
	char path[PATH_MAX];
	struct fake f = {0};
	struct stat st;

	setup();
	prime(&f, "tok-1");
	entry_path(path);
	test_assert(stat(path, &st) == 0);
	for (off_t len = st.st_size - 2; len >= 0; len -= 7) { /* -1 only drops the newline */
		test_assert(truncate(path, len) == 0);
		f.secret = "tok-2";
		f.calls = 0;
		get_a(T0 + 1, false, &f, "tok-2", NULL);
		test_assert_int(f.calls, 1);
		f.secret = "tok-1";
		get_a(T0, true, &f, "tok-1", NULL); /* back to the original entry */
	}
	assert_no_temp(cdir);
	teardown();
}

static void test_cache_symlinked_entry_not_followed(void)
{
	char path[PATH_MAX], target[PATH_MAX], text[1024], after[1024];
	struct fake f = {0};

	setup();
	prime(&f, "tok-1");
	entry_path(path);
	join(target, root, "target.json");
	snprintf(text, sizeof(text),
		 "{\"version\":1,\"route\":\"ecr\",\"registry\":\"%s\",\"who\":\"%s\","
		 "\"username\":\"AWS\",\"secret\":\"target-secret\",\"issued\":%d,\"expires\":%d}",
		 id_a.registry, id_a.who, T0, T0 + LIFE);
	write_file(target, text, 0600);
	test_assert(unlink(path) == 0);
	test_assert(symlink(target, path) == 0);
	f.secret = "tok-2";
	get_a(T0 + 1, false, &f, "tok-2", NULL);
	test_assert_int(f.calls, 2);
	read_text(target, after, sizeof(after));
	test_assert_str(after, text);
	test_assert(S_ISREG(mode_of(path))); /* the link itself was replaced */
	assert_no_temp(cdir);
	teardown();
}

static void test_cache_group_readable_entry_is_miss(void)
{
	char path[PATH_MAX];
	struct fake f = {0};

	setup();
	prime(&f, "tok-1");
	entry_path(path);
	test_assert(chmod(path, 0640) == 0);
	f.secret = "tok-2";
	get_a(T0 + 1, false, &f, "tok-2", NULL);
	test_assert_int(f.calls, 2);
	test_assert_int(mode_of(path), S_IFREG | 0600);
	teardown();
}

static void test_cache_foreign_entry_is_miss(void)
{
	char path[PATH_MAX];
	struct fake f = {0};

	if (geteuid() != 0)
		return; /* only root can make a file owned by someone else */
	setup();
	prime(&f, "tok-1");
	entry_path(path);
	test_assert(chown(path, 65534, 65534) == 0);
	f.secret = "tok-2";
	get_a(T0 + 1, false, &f, "tok-2", NULL);
	test_assert_int(f.calls, 2);
	teardown();
}

static void test_cache_bad_directory_answers_uncached(void)
{
	char path[PATH_MAX];
	struct fake f = {0};

	/* group-writable */
	setup();
	test_assert(mkdir(cdir, 0700) == 0 && chmod(cdir, 0770) == 0);
	f.secret = "tok-1";
	f.expires = T0 + LIFE;
	get_a(T0, false, &f, "tok-1", NULL);
	get_a(T0, false, &f, "tok-1", NULL);
	test_assert_int(f.calls, 2);
	test_assert_int(count_files(cdir, NULL), 0);
	teardown();

	/* a file where a parent directory should be */
	setup();
	join(path, root, "file");
	write_file(path, "x", 0600);
	join(cdir, root, "file/cache");
	f.calls = 0;
	get_a(T0, false, &f, "tok-1", NULL);
	test_assert_int(f.calls, 1);
	test_assert_int(count_files(root, NULL), 1);
	teardown();

	/* owned by someone else */
	if (geteuid() == 0) {
		setup();
		test_assert(mkdir(cdir, 0700) == 0 && chown(cdir, 65534, 65534) == 0);
		f.calls = 0;
		get_a(T0, false, &f, "tok-1", NULL);
		test_assert_int(f.calls, 1);
		test_assert_int(count_files(cdir, NULL), 0);
		teardown();
	}
}

/* Runs fn in a child that is not root (root ignores directory permissions). */
static void as_unprivileged(void (*fn)(void))
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	test_assert(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
			_exit(3);
		test_failures = 0;
		fn();
		_exit(test_failures ? 1 : 0);
	}
	test_assert(waitpid(pid, &status, 0) == pid);
	test_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void read_only_cold(void)
{
	struct fake f = {0};

	setup();
	test_assert(mkdir(cdir, 0500) == 0);
	f.secret = "tok-1";
	f.expires = T0 + LIFE;
	get_a(T0, false, &f, "tok-1", NULL);
	get_a(T0, false, &f, "tok-1", NULL);
	test_assert_int(f.calls, 2);
	test_assert_int(count_files(cdir, NULL), 0);
	teardown();
}

/* The lock file exists, so the write itself is what fails. */
static void read_only_refresh(void)
{
	struct fake f = {0};
	int before;

	setup();
	prime(&f, "tok-1");
	before = count_files(cdir, NULL);
	test_assert(chmod(cdir, 0500) == 0);
	f.secret = "tok-2";
	get_a(T0 + LIFE / 2, false, &f, "tok-2", NULL);
	test_assert_int(f.calls, 2);
	test_assert_int(count_files(cdir, NULL), before);
	assert_no_temp(cdir);
	teardown();
}

static void test_cache_read_only_directory_answers_uncached(void)
{
	as_unprivileged(read_only_cold);
	as_unprivileged(read_only_refresh);
}

/*
 * Writes fail half-way (as on a full disk): the answer stands, no temporary
 * file stays.  The file size limit is lifted again before anything is
 * printed, since it applies to a stderr that is a file too.
 */
static void failed_write(void)
{
	struct cache_params p;
	struct creds out = {0};
	struct errbuf eb = {{0}};
	struct fake f = {0};
	struct rlimit lim;
	rlim_t soft;
	int r;

	setup();
	p = params_at(cdir, T0, false);
	f.secret = "a-token-longer-than-the-file-size-limit";
	f.expires = T0 + LIFE;
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &lim);
	soft = lim.rlim_cur;
	lim.rlim_cur = 16;
	log_set_level(LOG_LEVEL_SILENT);
	setrlimit(RLIMIT_FSIZE, &lim);
	r = cache_get(&p, &id_a, fake_fetch, &f, &out, &eb);
	lim.rlim_cur = soft;
	setrlimit(RLIMIT_FSIZE, &lim);
	test_assert_int(r, 0);
	test_assert_str(out.secret, f.secret);
	test_assert_int(f.calls, 1);
	test_assert_int(count_files(cdir, NULL), 1); /* the lock file */
	assert_no_temp(cdir);
	creds_finish(&out);
	teardown();
}

static void test_cache_failed_write_leaves_nothing(void)
{
	as_unprivileged(failed_write);
}

static void test_cache_lock_timeout_fetches_anyway(void)
{
	char path[PATH_MAX];
	struct cache_params p;
	struct creds out = {0};
	struct errbuf eb = {{0}};
	struct fake f = {0};
	struct timespec a, b;
	long ms;
	int fd;

	setup();
	prime(&f, "tok-1");
	entry_path(path);
	strcpy(path + strlen(path) - 5, ".lock");
	fd = open(path, O_RDONLY);
	test_assert(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
	p = params_at(cdir, T0 + LIFE / 2, false);
	p.lock_timeout_ms = 150;
	f.secret = "tok-2";
	clock_gettime(CLOCK_MONOTONIC, &a);
	test_assert_int(cache_get(&p, &id_a, fake_fetch, &f, &out, &eb), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	test_assert(ms >= 150 && ms < 5000);
	test_assert_str(out.secret, "tok-2");
	test_assert_int(f.calls, 2);
	creds_finish(&out);
	close(fd);
	/* stored even so */
	get_a(T0 + LIFE / 2 + 1, false, &f, "tok-2", NULL);
	test_assert_int(f.calls, 2);
	teardown();
}

/* A fresh entry answers without creating the lock file. */
static void test_cache_hit_takes_no_lock(void)
{
	char path[PATH_MAX];
	struct fake f = {0};

	setup();
	prime(&f, "tok-1");
	entry_path(path);
	strcpy(path + strlen(path) - 5, ".lock");
	test_assert(unlink(path) == 0);
	get_a(T0 + 1, false, &f, "tok-1", NULL);
	test_assert(access(path, F_OK) < 0);
	teardown();
}

static void test_cache_dir_default(void)
{
	struct cache_params p = params_at(NULL, T0, false);
	char *old = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	char *dir;

	setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
	dir = cache_dir(&p);
	test_assert_str(dir, "/xdg/cache/docker-credential-router");
	free(dir);
	setenv("XDG_CACHE_HOME", "relative", 1);
	setenv("HOME", "/home/someone", 1);
	dir = cache_dir(&p);
	test_assert_str(dir, "/home/someone/.cache/docker-credential-router");
	free(dir);
	p.dir = "/elsewhere";
	dir = cache_dir(&p);
	test_assert_str(dir, "/elsewhere");
	free(dir);
	if (old)
		setenv("XDG_CACHE_HOME", old, 1);
	else
		unsetenv("XDG_CACHE_HOME");
	if (home)
		setenv("HOME", home, 1);
	else
		unsetenv("HOME");
	free(old);
	free(home);
}

/* ---- cache list and clear ---- */

struct listed {
	int count;
	bool saw_a, saw_b;
};

static int list_cb(void *ctx, const char *route, const char *registry, const char *who,
		   time_t issued, time_t expires)
{
	struct listed *l = ctx;

	l->count++;
	if (strcmp(registry, id_a.registry) == 0 && strcmp(route, "ecr") == 0 &&
	    strcmp(who, id_a.who) == 0 && issued == T0 && expires == T0 + LIFE)
		l->saw_a = true;
	if (strcmp(registry, "ghcr.io") == 0 && strcmp(route, "gh") == 0 && who[0] == '\0' &&
	    issued == T0 + 5 && expires == T0 + 5 + 600)
		l->saw_b = true;
	return 0;
}

static int list_stop(void *ctx, const char *route, const char *registry, const char *who,
		     time_t issued, time_t expires)
{
	(*(int *)ctx)++;
	return ERR_LIMIT;
}

static void prime_two(struct fake *f)
{
	struct cache_id id_b = {"gh", "ghcr.io", NULL};
	struct cache_params p = params_at(cdir, T0 + 5, false);
	struct creds out = {0};
	struct errbuf eb = {{0}};

	prime(f, "tok-1");
	f->expires = 0;
	test_assert_int(cache_get(&p, &id_b, fake_fetch, f, &out, &eb), 0);
	creds_finish(&out);
}

static void test_cache_list_reports_identities(void)
{
	struct cache_params p;
	struct errbuf eb = {{0}};
	struct listed l = {0};
	struct fake f = {0};
	char path[PATH_MAX];
	int stops = 0;

	setup();
	p = params_at(cdir, T0, false);
	test_assert_int(cache_list(&p, list_cb, &l, &eb), 0); /* no directory yet */
	test_assert_int(l.count, 0);
	prime_two(&f);
	join(path, cdir, "0123456789abcdef.json");
	write_file(path, "garbage", 0600);
	join(path, cdir, "notes.json");
	write_file(path, "{}", 0600);
	test_assert_int(cache_list(&p, list_cb, &l, &eb), 0);
	test_assert_int(l.count, 2);
	test_assert(l.saw_a && l.saw_b);
	test_assert_int(cache_list(&p, list_stop, &stops, &eb), ERR_LIMIT);
	test_assert_int(stops, 1);
	teardown();
}

static void test_cache_clear_removes_only_ours(void)
{
	struct cache_params p;
	struct errbuf eb = {{0}};
	struct fake f = {0};
	char path[PATH_MAX];
	size_t removed = 99;

	setup();
	p = params_at(cdir, T0, false);
	test_assert_int(cache_clear(&p, &removed, &eb), 0); /* no directory yet */
	test_assert_int(removed, 0);
	prime_two(&f); /* two entries and two lock files */
	join(path, cdir, ".0123456789abcdef.json.Ab12Cd");
	write_file(path, "partial", 0600);
	join(path, cdir, "notes.txt");
	write_file(path, "keep", 0600);
	join(path, cdir, "0123456789ABCDEF.json");
	write_file(path, "keep", 0600);
	join(path, cdir, "fedcba9876543210.json");
	test_assert(mkdir(path, 0700) == 0);
	test_assert_int(cache_clear(&p, &removed, &eb), 0);
	test_assert_int(removed, 5);
	test_assert_int(count_files(cdir, NULL), 3);
	f.calls = 0;
	f.secret = "tok-3";
	get_a(T0 + 1, false, &f, "tok-3", NULL);
	test_assert_int(f.calls, 1);
	teardown();
}

/* ---- many processes ---- */

/* The fetch of a child process: counts in a file shared by all of them. */
struct slow {
	char counter[PATH_MAX]; /* fetches of this key */
	char arrived[PATH_MAX]; /* children about to ask */
	int everyone;           /* how many children there are */
	int key;
	int sleep_ms;
	time_t expires;
};

static int read_count(const char *path)
{
	char text[32];

	read_text(path, text, sizeof(text));
	return atoi(text);
}

static int bump(const char *path)
{
	char text[32] = "";
	int fd = open(path, O_RDWR | O_CREAT, 0600), n = -1;
	ssize_t got;

	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		goto out;
	got = pread(fd, text, sizeof(text) - 1, 0);
	text[got > 0 ? got : 0] = '\0';
	n = atoi(text) + 1;
	snprintf(text, sizeof(text), "%d", n);
	if (pwrite(fd, text, strlen(text), 0) != (ssize_t)strlen(text))
		n = -1;
out:
	if (fd >= 0)
		close(fd);
	return n;
}

static int slow_fetch(void *ctx, struct creds *out, struct errbuf *eb)
{
	struct slow *s = ctx;
	struct timespec ts = {0, s->sleep_ms * 1000000L};
	char secret[64];
	struct timespec poll = {0, 5000000};
	int n = bump(s->counter);

	if (n < 0)
		return errbuf_set(eb, ERR_IO, "cannot count");
	/*
	 * Everyone has started (and so, give or take a few microseconds, read
	 * the entry before waiting) before this fetch can finish, however
	 * loaded the machine is.
	 */
	for (int i = 0; i < 2000 && read_count(s->arrived) < s->everyone; i++)
		nanosleep(&poll, NULL);
	nanosleep(&ts, NULL);
	snprintf(secret, sizeof(secret), "key%d-%d", s->key, n);
	if (creds_set(out, "AWS", secret) < 0)
		return ERR_NOMEM;
	out->expires = s->expires;
	return 0;
}

static void key_id(int key, char *registry, size_t size, struct cache_id *id)
{
	snprintf(registry, size, "%d.dkr.ecr.eu-west-1.amazonaws.com", key);
	id->route = "ecr";
	id->registry = registry;
	id->who = "AKIAEXAMPLE";
}

static void counter_path(int key, char path[PATH_MAX])
{
	char name[32];

	snprintf(name, sizeof(name), "counter-%d", key);
	join(path, root, name);
}

/* One child: waits for the start signal, asks once, exits 0 when the answer is want. */
static void child(int start, int everyone, int key, time_t now, bool refresh)
{
	char registry[128], want[64];
	struct cache_params p = params_at(cdir, now, refresh);
	struct slow s = {.everyone = everyone, .key = key, .sleep_ms = 300, .expires = now + LIFE};
	struct creds out = {0};
	struct errbuf eb = {{0}};
	struct cache_id id;
	char c;
	int r;

	key_id(key, registry, sizeof(registry), &id);
	counter_path(key, s.counter);
	join(s.arrived, root, "arrived");
	while (read(start, &c, 1) < 0 && errno == EINTR)
		;
	bump(s.arrived);
	r = cache_get(&p, &id, slow_fetch, &s, &out, &eb);
	snprintf(want, sizeof(want), "key%d-1", key);
	_exit(r == 0 && out.secret && strcmp(out.secret, want) == 0 ? 0 : 1);
}

/* Starts keys × per_key children at once; returns how many failed. */
static int run_children(int keys, int per_key, time_t now, bool refresh)
{
	pid_t pids[512];
	int start[2], n = 0, failed = 0, status;

	test_assert(keys * per_key <= 512 && pipe(start) == 0);
	fflush(NULL);
	for (int k = 0; k < keys; k++) {
		for (int j = 0; j < per_key; j++) {
			pid_t pid = fork();

			if (pid == 0) {
				close(start[1]);
				child(start[0], keys * per_key, k, now, refresh);
			}
			test_assert(pid > 0);
			if (pid > 0)
				pids[n++] = pid;
		}
	}
	close(start[0]);
	close(start[1]); /* EOF: everyone goes */
	for (int i = 0; i < n; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed++;
	}
	return failed;
}

static int counted(int key)
{
	char path[PATH_MAX];

	counter_path(key, path);
	return read_count(path);
}

/* An old token for key 0 issued at T0, as a previous run would have left it. */
static void prime_key0(const char *secret, time_t expires)
{
	struct cache_params p = params_at(cdir, T0, false);
	struct creds out = {0};
	struct errbuf eb = {{0}};
	struct fake f = {0, secret, expires, false};
	struct cache_id id;
	char registry[128];

	key_id(0, registry, sizeof(registry), &id);
	test_assert_int(cache_get(&p, &id, fake_fetch, &f, &out, &eb), 0);
	creds_finish(&out);
}

static void test_cache_concurrent_cold_start_fetches_once(void)
{
	setup();
	test_assert_int(run_children(1, 64, T0, false), 0);
	test_assert_int(counted(0), 1);
	assert_no_temp(cdir);
	teardown();
}

static void test_cache_concurrent_half_life_fetches_once(void)
{
	setup();
	prime_key0("old", T0 + LIFE);
	test_assert_int(run_children(1, 64, T0 + LIFE / 2, false), 0);
	test_assert_int(counted(0), 1);
	assert_no_temp(cdir);
	teardown();
}

static void test_cache_concurrent_refresh_fetches_once(void)
{
	setup();
	prime_key0("old", T0 + LIFE);
	test_assert_int(run_children(1, 64, T0 + 10, true), 0);
	test_assert_int(counted(0), 1);
	assert_no_temp(cdir);
	teardown();
}

static void test_cache_concurrent_keys_fetch_once_each(void)
{
	setup();
	test_assert_int(run_children(20, 10, T0, false), 0);
	for (int k = 0; k < 20; k++)
		test_assert_int(counted(k), 1);
	test_assert_int(count_files(cdir, NULL), 40); /* 20 entries, 20 lock files */
	assert_no_temp(cdir);
	teardown();
}

static const struct test cache_tests[] = {
	{"test_cache_cold_miss_fetches_and_stores", test_cache_cold_miss_fetches_and_stores},
	{"test_cache_hit_before_half_life", test_cache_hit_before_half_life},
	{"test_cache_refetch_after_half_life", test_cache_refetch_after_half_life},
	{"test_cache_refresh_refetches", test_cache_refresh_refetches},
	{"test_cache_ttl_fallback_without_expiry", test_cache_ttl_fallback_without_expiry},
	{"test_cache_fetch_failure_returns_stale", test_cache_fetch_failure_returns_stale},
	{"test_cache_fetch_failure_expired_returns_error",
	 test_cache_fetch_failure_expired_returns_error},
	{"test_cache_identity_mismatch_is_miss", test_cache_identity_mismatch_is_miss},
	{"test_cache_corrupt_entry_is_miss_and_replaced",
	 test_cache_corrupt_entry_is_miss_and_replaced},
	{"test_cache_truncated_entry_is_miss", test_cache_truncated_entry_is_miss},
	{"test_cache_symlinked_entry_not_followed", test_cache_symlinked_entry_not_followed},
	{"test_cache_group_readable_entry_is_miss", test_cache_group_readable_entry_is_miss},
	{"test_cache_foreign_entry_is_miss", test_cache_foreign_entry_is_miss},
	{"test_cache_bad_directory_answers_uncached", test_cache_bad_directory_answers_uncached},
	{"test_cache_read_only_directory_answers_uncached",
	 test_cache_read_only_directory_answers_uncached},
	{"test_cache_failed_write_leaves_nothing", test_cache_failed_write_leaves_nothing},
	{"test_cache_lock_timeout_fetches_anyway", test_cache_lock_timeout_fetches_anyway},
	{"test_cache_hit_takes_no_lock", test_cache_hit_takes_no_lock},
	{"test_cache_dir_default", test_cache_dir_default},
	{"test_cache_list_reports_identities", test_cache_list_reports_identities},
	{"test_cache_clear_removes_only_ours", test_cache_clear_removes_only_ours},
	{"test_cache_concurrent_cold_start_fetches_once",
	 test_cache_concurrent_cold_start_fetches_once},
	{"test_cache_concurrent_half_life_fetches_once",
	 test_cache_concurrent_half_life_fetches_once},
	{"test_cache_concurrent_refresh_fetches_once", test_cache_concurrent_refresh_fetches_once},
	{"test_cache_concurrent_keys_fetch_once_each", test_cache_concurrent_keys_fetch_once_each},
};

TEST_MAIN(cache_tests)
