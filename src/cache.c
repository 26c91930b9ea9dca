/* SPDX-License-Identifier: MIT */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "fileio.h"
#include "fnv.h"
#include "log.h"
#include "paths.h"

#define ENTRY_VERSION 1
#define ENTRY_MAX 65536       /* bytes: a real entry is well under 10 KiB */
#define LOCK_TIMEOUT_MS 30000 /* when params->lock_timeout_ms is 0 */
#define LOCK_POLL_MAX_MS 20   /* longest sleep between two LOCK_NB attempts */
/* A sanity bound on stored times (about the year 36812). */
#define STORED_TIME_MAX ((json_int_t)1 << 40)
#define HASH_HEX 16
#define NO_DIR "no cache directory (set XDG_CACHE_HOME or HOME)"

/* A decoded entry: its strings point into root. */
struct fields {
	json_t *root;
	const char *route, *registry, *who, *username, *secret;
	json_int_t issued, expires;
};

/* A usable entry, copied out of the JSON. */
struct entry {
	struct creds creds; /* creds.expires is the token's absolute expiry */
	time_t issued;
};

/* Where one identity lives. */
struct slot {
	char dir[PATH_MAX];
	char entry[PATH_MAX];
	char lock[PATH_MAX];
};

static const char *str(const char *s)
{
	return s ? s : "";
}

static uint64_t id_hash(const struct cache_id *id)
{
	uint64_t h = FNV64_OFFSET;

	h = fnv64_field(h, "docker-credential-router cache v1");
	h = fnv64_field(h, str(id->route));
	h = fnv64_field(h, str(id->registry));
	return fnv64_field(h, str(id->who));
}

char *cache_dir(const struct cache_params *params)
{
	if (params && params->dir)
		return strdup(params->dir);
	return paths_xdg("XDG_CACHE_HOME", ".cache", "docker-credential-router");
}

static int slot_init(struct slot *s, const struct cache_params *params, const struct cache_id *id,
		     struct errbuf *eb)
{
	char *dir = cache_dir(params);
	uint64_t h = id_hash(id);
	int r = 0;

	if (!dir)
		return errbuf_set(eb, ERR_CONFIG, "%s", NO_DIR);
	if ((size_t)snprintf(s->dir, sizeof(s->dir), "%s", dir) >= sizeof(s->dir) ||
	    (size_t)snprintf(s->entry, sizeof(s->entry), "%s/%016" PRIx64 ".json", dir, h) >=
		    sizeof(s->entry) ||
	    (size_t)snprintf(s->lock, sizeof(s->lock), "%s/%016" PRIx64 ".lock", dir, h) >=
		    sizeof(s->lock))
		r = errbuf_set(eb, ERR_INVALID, "cache directory name too long: %s", dir);
	free(dir);
	return r;
}

/* The directory must be ours and not writable by anyone else. */
static int dir_check(const struct stat *st, const char *dir, struct errbuf *eb)
{
	if (!S_ISDIR(st->st_mode))
		return errbuf_set(eb, ERR_PERM, "%s is not a directory", dir);
	if (st->st_uid != geteuid())
		return errbuf_set(eb, ERR_PERM,
				  "bad owner or permissions on %s (owned by uid %u, not %u; remove "
				  "it or set XDG_CACHE_HOME)",
				  dir, (unsigned)st->st_uid, (unsigned)geteuid());
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return errbuf_set(eb, ERR_PERM, "bad owner or permissions on %s (chmod 700 it)",
				  dir);
	return 0;
}

/* Creates dir (0700) when missing, then checks it. */
static int dir_prepare(const char *dir, struct errbuf *eb)
{
	struct stat st;
	int r;

	if (stat(dir, &st) < 0) {
		if (errno != ENOENT)
			return errbuf_set(eb, ERR_IO, "cannot use %s: %s", dir, strerror(errno));
		r = dir_ensure(dir, eb);
		if (r < 0)
			return r;
		if (stat(dir, &st) < 0)
			return errbuf_set(eb, ERR_IO, "cannot use %s: %s", dir, strerror(errno));
	}
	return dir_check(&st, dir, eb);
}

static int read_bounded(int fd, struct buf *b)
{
	ssize_t n;
	int r;

	for (;;) {
		if (b->len >= ENTRY_MAX)
			return ERR_TOO_LARGE;
		r = buf_reserve(b, 4096);
		if (r < 0)
			return r;
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ERR_IO;
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
	}
}

/*
 * Reads an entry file without following a symbolic link; it must be a
 * regular file of ours with no group or other permission bits.  Problems
 * are logged at level warn (debug when quiet: the second look at a file).
 */
static int read_entry(int dirfd, const char *name, const char *path, bool quiet,
		      struct buf *text)
{
	enum log_level warn = quiet ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN;
	enum log_level info = quiet ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
	struct stat st;
	int fd, r;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			log_msg(warn, "ignoring %s: a symbolic link (replaced on the next store)",
				path);
		else if (errno != ENOENT)
			log_msg(warn, "ignoring %s: %s", path, strerror(errno));
		return ERR_NOT_FOUND;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IRWXG | S_IRWXO))) {
		log_msg(warn, "ignoring %s: bad owner or permissions (replaced on the next store)",
			path);
		r = ERR_PERM;
	} else {
		r = read_bounded(fd, text);
		if (r < 0)
			log_msg(info, "ignoring %s: %s", path, err_str(r));
	}
	close(fd);
	return r;
}

static bool time_ok(json_int_t t)
{
	return t > 0 && t <= STORED_TIME_MAX && (json_int_t)(time_t)t == t;
}

/* Decodes text into f (then json_decref(f->root)); ERR_INVALID for anything malformed. */
static int decode(const char *path, const struct buf *text, bool quiet, struct fields *f)
{
	json_int_t version;
	json_error_t jerr;

	f->root = json_loadb(text->data, text->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!f->root ||
	    json_unpack(f->root, "{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "version", &version,
			"route", &f->route, "registry", &f->registry, "who", &f->who, "username",
			&f->username, "secret", &f->secret, "issued", &f->issued, "expires",
			&f->expires) < 0 ||
	    version != ENTRY_VERSION || !time_ok(f->issued) || !time_ok(f->expires) ||
	    f->expires < f->issued) {
		log_msg(quiet ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO,
			"ignoring %s: not a valid cache entry (replaced on the next store)", path);
		return ERR_INVALID;
	}
	return 0;
}

static bool same_id(const struct fields *f, const struct cache_id *id)
{
	return strcmp(f->route, str(id->route)) == 0 &&
	       strcmp(f->registry, str(id->registry)) == 0 && strcmp(f->who, str(id->who)) == 0;
}

static void entry_finish(struct entry *e)
{
	creds_finish(&e->creds);
	e->issued = 0;
}

/* Loads the entry for id: 0, or an error that means a miss. */
static int load_entry(const struct slot *s, const struct cache_id *id, bool quiet,
		      struct entry *e)
{
	struct buf text = BUF_INIT;
	struct fields f = {0};
	int r;

	entry_finish(e);
	r = read_entry(AT_FDCWD, s->entry, s->entry, quiet, &text);
	if (r == 0)
		r = decode(s->entry, &text, quiet, &f);
	if (r == 0 && !same_id(&f, id)) {
		log_debug("%s holds another identity: a miss", s->entry);
		r = ERR_NOT_FOUND;
	}
	if (r == 0)
		r = creds_set(&e->creds, f.username, f.secret);
	if (r == 0) {
		e->creds.expires = (time_t)f.expires;
		e->issued = (time_t)f.issued;
	}
	json_decref(f.root);
	buf_finish(&text);
	return r;
}

/* Fresh until half its lifetime. */
static bool fresh(const struct entry *e, time_t now)
{
	return now < e->issued + (e->creds.expires - e->issued) / 2;
}

/* Whether cur replaced the entry seen before waiting for the lock. */
static bool newer(const struct entry *cur, const struct entry *seen)
{
	return cur->issued > seen->issued || strcmp(cur->creds.secret, seen->creds.secret) != 0 ||
	       strcmp(cur->creds.username, seen->creds.username) != 0;
}

/* Hands c's strings and expiry to out (transferred). */
static int answer(struct creds *out, struct creds *c)
{
	*out = *c;
	c->username = NULL;
	c->secret = NULL;
	c->expires = 0;
	return 0;
}

static int dump_buf(const char *data, size_t len, void *ctx)
{
	return buf_append(ctx, data, len) < 0 ? -1 : 0;
}

/* Writes the entry atomically; a failure is a warning (the answer stands). */
static void store_entry(const char *path, const struct cache_id *id, time_t issued,
			const struct creds *c)
{
	struct buf text = BUF_INIT;
	struct errbuf web = {{0}};
	json_t *root;
	int r;

	if (c->expires <= issued) {
		log_debug("the token for %s expires at once: not cached", str(id->registry));
		return;
	}
	root = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "version", ENTRY_VERSION,
			 "route", str(id->route), "registry", str(id->registry), "who",
			 str(id->who), "username", c->username, "secret", c->secret, "issued",
			 (json_int_t)issued, "expires", (json_int_t)c->expires);
	if (!root || json_dump_callback(root, dump_buf, &text, JSON_COMPACT) < 0 ||
	    buf_putc(&text, '\n') < 0)
		r = errbuf_set(&web, ERR_INVALID, "cannot encode an entry for %s",
			       str(id->registry));
	else
		r = file_write_atomic(path, text.data, text.len, &web);
	if (r < 0)
		log_warn("token not cached: %s", errbuf_str(&web, r));
	json_decref(root);
	buf_finish(&text);
}

/*
 * Takes the exclusive flock on the lock file, waiting at most timeout_ms.
 * Returns the descriptor, ERR_LIMIT on timeout, or another error (the
 * directory cannot be used).
 */
static int lock_entry(const char *path, int timeout_ms, struct errbuf *eb)
{
	long long deadline = clock_ms() + timeout_ms;
	long delay = 1;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0)
		return errbuf_set(eb, ERR_IO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return errbuf_set(eb, ERR_PERM, "bad owner or type of %s (remove it)", path);
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			errbuf_set(eb, ERR_IO, "cannot lock %s: %s", path, strerror(errno));
			close(fd);
			return ERR_IO;
		}
		if (clock_ms() >= deadline) {
			close(fd);
			return ERR_LIMIT;
		}
		clock_sleep_ms(delay);
		delay = delay * 2 > LOCK_POLL_MAX_MS ? LOCK_POLL_MAX_MS : delay * 2;
	}
	return fd;
}

/* The fetch failed: a stale but unexpired entry still answers. */
static int fallback(const struct cache_id *id, time_t now, struct entry *stale, int err,
		    const struct errbuf *feb, struct creds *out, struct errbuf *eb)
{
	char when[64] = "?";
	struct tm tm;

	if (!stale || now >= stale->creds.expires) {
		if (eb)
			*eb = *feb;
		return err;
	}
	if (gmtime_r(&stale->creds.expires, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	log_warn("cannot refresh the token for %s (route %s): %s; using cached token until %s",
		 str(id->registry), str(id->route), errbuf_str(feb, err), when);
	return answer(out, &stale->creds);
}

/* Calls fetch once; stores the answer at path (NULL: uncached) or falls back to stale. */
static int fetch_store(const struct cache_params *params, const struct cache_id *id,
		       const char *path, struct entry *stale, cache_fetch_fn fetch, void *ctx,
		       struct creds *out, struct errbuf *eb)
{
	struct creds got = {0};
	struct errbuf feb = {{0}};
	int r;

	r = fetch(ctx, &got, &feb);
	if (r == 0 && (!got.username || !got.secret))
		r = errbuf_set(&feb, ERR_BACKEND, "no credentials came back for %s",
			       str(id->registry));
	if (r < 0) {
		creds_finish(&got);
		return fallback(id, params->now, stale, r, &feb, out, eb);
	}
	if (!got.expires)
		got.expires = params->now + params->ttl_fallback;
	if (path)
		store_entry(path, id, params->now, &got);
	return answer(out, &got);
}

/*
 * The slow path: one process per identity refreshes while the others wait
 * for the lock and then take what it stored.
 */
static int refresh(const struct cache_params *params, const struct cache_id *id,
		   const struct slot *s, struct entry *seen, bool have, cache_fetch_fn fetch,
		   void *ctx, struct creds *out, struct errbuf *eb)
{
	int timeout = params->lock_timeout_ms > 0 ? params->lock_timeout_ms : LOCK_TIMEOUT_MS;
	struct entry cur = {0};
	struct errbuf leb = {{0}};
	const char *path = s->entry;
	int lock, r;

	lock = lock_entry(s->lock, timeout, &leb);
	if (lock == ERR_LIMIT) {
		log_warn("waited %d ms for %s: fetching without it", timeout, s->lock);
	} else if (lock < 0) {
		log_warn("token cache not used: %s", leb.msg);
		path = NULL;
	}
	if (path && load_entry(s, id, true, &cur) == 0) {
		if (fresh(&cur, params->now) && (!params->refresh || !have || newer(&cur, seen))) {
			log_debug("token for %s refreshed by another process", str(id->registry));
			r = answer(out, &cur.creds);
			goto out;
		}
		entry_finish(seen);
		*seen = cur; /* transferred: the latest stale entry */
		cur.creds.username = cur.creds.secret = NULL;
		have = true;
	}
	r = fetch_store(params, id, path, have ? seen : NULL, fetch, ctx, out, eb);
out:
	if (lock >= 0)
		file_unlock(lock);
	entry_finish(&cur);
	return r;
}

int cache_get(const struct cache_params *params, const struct cache_id *id, cache_fetch_fn fetch,
	      void *ctx, struct creds *out, struct errbuf *eb)
{
	struct slot s;
	struct entry seen = {0};
	struct errbuf deb = {{0}};
	bool have;
	int r;

	creds_finish(out);
	if (slot_init(&s, params, id, &deb) < 0 || dir_prepare(s.dir, &deb) < 0) {
		log_warn("token cache not used: %s", deb.msg);
		return fetch_store(params, id, NULL, NULL, fetch, ctx, out, eb);
	}
	have = load_entry(&s, id, false, &seen) == 0;
	if (have && !params->refresh && fresh(&seen, params->now)) {
		log_debug("token cache hit for %s (route %s)", str(id->registry), str(id->route));
		r = answer(out, &seen.creds);
	} else {
		r = refresh(params, id, &s, &seen, have, fetch, ctx, out, eb);
	}
	entry_finish(&seen);
	return r;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/*
 * "<hex>.json", and with all: "<hex>.lock", route indexes "<hex>.routes"
 * (src/routeindex.h) and ".<hex>.json.XXXXXX" / ".<hex>.routes.XXXXXX" (a
 * killed writer's).
 */
static bool ours(const char *name, bool all)
{
	size_t len = strlen(name);
	const char *tmp = name + 1 + HASH_HEX;

	if (len > HASH_HEX && is_hex(name, HASH_HEX))
		return strcmp(name + HASH_HEX, ".json") == 0 ||
		       (all && (strcmp(name + HASH_HEX, ".lock") == 0 ||
				strcmp(name + HASH_HEX, ".routes") == 0));
	if (!all || len <= 1 + HASH_HEX || name[0] != '.' || !is_hex(name + 1, HASH_HEX))
		return false;
	return (strncmp(tmp, ".json.", 6) == 0 && strlen(tmp) == 6 + 6) ||
	       (strncmp(tmp, ".routes.", 8) == 0 && strlen(tmp) == 8 + 6);
}

/* Opens the directory for cache list|clear; *d is NULL when it does not exist. */
static int dir_open(const struct cache_params *params, char **dir, DIR **d, struct errbuf *eb)
{
	struct stat st;

	*d = NULL;
	*dir = cache_dir(params);
	if (!*dir)
		return errbuf_set(eb, ERR_CONFIG, "%s", NO_DIR);
	*d = opendir(*dir);
	if (!*d) {
		if (errno == ENOENT)
			return 0;
		return errbuf_set(eb, ERR_IO, "cannot open %s: %s", *dir, strerror(errno));
	}
	if (fstat(dirfd(*d), &st) < 0)
		return errbuf_set(eb, ERR_IO, "cannot stat %s: %s", *dir, strerror(errno));
	return dir_check(&st, *dir, eb);
}

int cache_clear(const struct cache_params *params, size_t *removed, struct errbuf *eb)
{
	struct dirent *de;
	struct stat st;
	char *dir;
	DIR *d;
	int r;

	*removed = 0;
	r = dir_open(params, &dir, &d, eb);
	if (r < 0 || !d)
		goto out;
	for (errno = 0; (de = readdir(d)); errno = 0) {
		if (!ours(de->d_name, true))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0) {
			(*removed)++;
		} else if (errno != ENOENT) {
			r = errbuf_set(eb, ERR_IO, "cannot remove %s/%s: %s", dir, de->d_name,
				       strerror(errno));
			goto out;
		}
	}
	if (errno)
		r = errbuf_set(eb, ERR_IO, "cannot read %s: %s", dir, strerror(errno));
out:
	if (d)
		closedir(d);
	free(dir);
	return r;
}

/* Reports one entry file; a bad one is skipped. */
static int list_one(DIR *d, const char *dir, const char *name, cache_list_fn fn, void *ctx)
{
	struct buf text = BUF_INIT;
	struct fields f = {0};
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	r = read_entry(dirfd(d), name, path, false, &text);
	if (r == 0)
		r = decode(path, &text, false, &f);
	if (r == 0)
		r = fn(ctx, f.route, f.registry, f.who, (time_t)f.issued, (time_t)f.expires);
	else
		r = 0;
	json_decref(f.root);
	buf_finish(&text);
	return r;
}

int cache_list(const struct cache_params *params, cache_list_fn fn, void *ctx, struct errbuf *eb)
{
	struct dirent *de;
	char *dir;
	DIR *d;
	int r;

	r = dir_open(params, &dir, &d, eb);
	if (r < 0 || !d)
		goto out;
	for (errno = 0; (de = readdir(d)); errno = 0) {
		if (!ours(de->d_name, false))
			continue;
		r = list_one(d, dir, de->d_name, fn, ctx);
		if (r < 0)
			goto out;
	}
	if (errno)
		r = errbuf_set(eb, ERR_IO, "cannot read %s: %s", dir, strerror(errno));
out:
	if (d)
		closedir(d);
	free(dir);
	return r;
}
