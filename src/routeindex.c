/* SPDX-License-Identifier: MIT */
#include "routeindex.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "build-config.h"
#include "fileio.h"
#include "fnv.h"
#include "paths.h"
#include "pattern.h"

/*
 * The image: a header, then four arrays of 32-bit records and the pattern
 * texts.  Native byte order: an index is never shared between machines.
 */
#define MAGIC "DCRroute"
#define FORMAT 2u /* 2: registry hashes from fnv.h */
#define VERSION_MAX 32
#define NONE UINT32_MAX
#define IMAGE_MAX (64u << 20)

struct header {
	char magic[8];
	uint32_t format, header_size;
	struct routeindex_stamp stamp;
	char version[VERSION_MAX]; /* DCR_VERSION, NUL-padded */
	uint32_t total;            /* the image's size */
	uint32_t prelude_len;
	uint32_t routes, routes_off;   /* struct rec_route, in file order */
	uint32_t buckets, buckets_off; /* uint32_t heads of lit chains; a power of two */
	uint32_t lits, lits_off;       /* struct rec_lit */
	uint32_t wilds, wilds_off;     /* struct rec_wild, in file order */
	uint32_t strings, strings_off; /* NUL-terminated pattern texts */
};

struct rec_route {
	uint32_t offset, len, line;
};

/* A literal pattern, chained from the bucket of its registry's hash. */
struct rec_lit {
	uint32_t hash, route, pattern, text, next;
};

/* Any other pattern. */
struct rec_wild {
	uint32_t route, pattern, text;
};

void routeindex_stamp_init(struct routeindex_stamp *stamp, const struct stat *st)
{
	memset(stamp, 0, sizeof(*stamp));
	stamp->dev = (uint64_t)st->st_dev;
	stamp->ino = (uint64_t)st->st_ino;
	stamp->size = (uint64_t)st->st_size;
	stamp->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	stamp->mtime_nsec = (int64_t)st->st_mtim.tv_nsec;
	stamp->ctime_sec = (int64_t)st->st_ctim.tv_sec;
	stamp->ctime_nsec = (int64_t)st->st_ctim.tv_nsec;
}

static bool same_stamp(const struct routeindex_stamp *a, const struct routeindex_stamp *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

/* The hash of the registry a literal pattern names, "host[:port]": FNV-1a, folded. */
static uint32_t registry_hash(const char *s)
{
	uint64_t h = fnv64_field(FNV64_OFFSET, s);

	return (uint32_t)(h ^ (h >> 32));
}

/* ---- building ---------------------------------------------------------- */

struct builder {
	struct buf routes, lits, wilds, strings;
	uint32_t nlits, nwilds;
};

static void builder_finish(struct builder *b)
{
	buf_finish(&b->routes);
	buf_finish(&b->lits);
	buf_finish(&b->wilds);
	buf_finish(&b->strings);
}

/*
 * Offsets of the lines the routes start on.  Each must hold a [[route]]
 * header (after blanks): then the table runs to the next route's line, and
 * nothing of it lies elsewhere (a valid configuration has no other tables).
 */
static int route_offsets(const struct config *config, const char *text, size_t len,
			 uint32_t *offsets)
{
	size_t pos = 0;
	int line = 1;

	for (size_t i = 0; i < config->count; i++) {
		int want = config->routes[i].line;
		size_t at;

		if (want < line || (i > 0 && want == config->routes[i - 1].line))
			return ERR_UNSUPPORTED;
		for (; line < want; line++) {
			const char *nl = memchr(text + pos, '\n', len - pos);

			if (!nl)
				return ERR_UNSUPPORTED;
			pos = (size_t)(nl - text) + 1;
		}
		at = pos;
		if (at == 0 && len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
			at = 3;
		while (at < len && (text[at] == ' ' || text[at] == '\t'))
			at++;
		if (len - at < 2 || text[at] != '[' || text[at + 1] != '[')
			return ERR_UNSUPPORTED;
		offsets[i] = (uint32_t)pos;
	}
	return 0;
}

static int add_string(struct builder *b, const char *s, uint32_t *at)
{
	*at = (uint32_t)b->strings.len;
	return buf_append(&b->strings, s, strlen(s) + 1);
}

static int add_pattern(struct builder *b, const struct pattern *p, const char *text,
		       uint32_t route, uint32_t pattern)
{
	char registry[REF_HOST_MAX + 16];
	uint32_t at;
	int r = add_string(b, text, &at);

	if (r < 0)
		return r;
	if (!pattern_is_literal(p)) {
		struct rec_wild w = {route, pattern, at};

		b->nwilds++;
		return buf_append(&b->wilds, &w, sizeof(w));
	}
	/* What ref_parse makes of the host a literal pattern matches: "host[:port]". */
	if (p->port)
		snprintf(registry, sizeof(registry), "%s:%u", p->host, p->port);
	else
		snprintf(registry, sizeof(registry), "%s", p->host);
	struct rec_lit l = {registry_hash(registry), route, pattern, at, NONE};

	b->nlits++;
	return buf_append(&b->lits, &l, sizeof(l));
}

static int add_routes(struct builder *b, const struct config *config, size_t len,
		      const uint32_t *offsets)
{
	int r = 0;

	for (size_t i = 0; i < config->count && r == 0; i++) {
		const struct route *route = &config->routes[i];
		uint32_t end = i + 1 < config->count ? offsets[i + 1] : (uint32_t)len;
		struct rec_route rec = {offsets[i], end - offsets[i], (uint32_t)route->line};

		r = buf_append(&b->routes, &rec, sizeof(rec));
		for (size_t p = 0; p < route->match_count && r == 0; p++)
			r = add_pattern(b, &route->patterns[p], route->match[p], (uint32_t)(i + 1),
					(uint32_t)p);
	}
	return r;
}

/* Chains every literal from its bucket; heads has buckets entries. */
static void chain(struct builder *b, uint32_t *heads, uint32_t buckets)
{
	struct rec_lit *lits = (struct rec_lit *)(void *)b->lits.data;

	for (uint32_t i = 0; i < buckets; i++)
		heads[i] = NONE;
	for (uint32_t i = 0; i < b->nlits; i++) {
		uint32_t slot = lits[i].hash & (buckets - 1);

		lits[i].next = heads[slot];
		heads[slot] = i;
	}
}

static int emit(struct buf *out, struct header *h, struct builder *b, const uint32_t *heads)
{
	size_t heads_len = (size_t)h->buckets * sizeof(*heads);
	size_t total = sizeof(*h) + b->routes.len + heads_len + b->lits.len + b->wilds.len +
		       b->strings.len;
	int r;

	if (total > IMAGE_MAX)
		return ERR_TOO_LARGE;
	h->routes_off = (uint32_t)sizeof(*h);
	h->buckets_off = h->routes_off + (uint32_t)b->routes.len;
	h->lits_off = h->buckets_off + (uint32_t)heads_len;
	h->wilds_off = h->lits_off + (uint32_t)b->lits.len;
	h->strings_off = h->wilds_off + (uint32_t)b->wilds.len;
	h->strings = (uint32_t)b->strings.len;
	h->total = (uint32_t)total;
	r = buf_append(out, h, sizeof(*h));
	r = r ? r : buf_append(out, b->routes.data, b->routes.len);
	r = r ? r : buf_append(out, heads, heads_len);
	r = r ? r : buf_append(out, b->lits.data, b->lits.len);
	r = r ? r : buf_append(out, b->wilds.data, b->wilds.len);
	return r ? r : buf_append(out, b->strings.data, b->strings.len);
}

int routeindex_build(const struct config *config, const char *text, size_t len,
		     const struct routeindex_stamp *stamp, struct buf *out)
{
	struct builder b = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, 0, 0};
	struct header h = {.format = FORMAT, .header_size = sizeof(h), .stamp = *stamp};
	uint32_t *offsets = NULL, *heads = NULL, buckets = 1;
	int r;

	if (len > CONFIG_MAX_SIZE || len != stamp->size)
		return ERR_UNSUPPORTED;
	memcpy(h.magic, MAGIC, sizeof(h.magic));
	snprintf(h.version, sizeof(h.version), "%s", DCR_VERSION);
	offsets = calloc(config->count ? config->count : 1, sizeof(*offsets));
	if (!offsets)
		return ERR_NOMEM;
	r = route_offsets(config, text, len, offsets);
	if (r == 0)
		r = add_routes(&b, config, len, offsets);
	if (r < 0)
		goto out;
	while (buckets < b.nlits)
		buckets <<= 1;
	heads = calloc(buckets, sizeof(*heads));
	if (!heads) {
		r = ERR_NOMEM;
		goto out;
	}
	chain(&b, heads, buckets);
	h.prelude_len = config->count ? offsets[0] : (uint32_t)len;
	h.routes = (uint32_t)config->count;
	h.buckets = buckets;
	h.lits = b.nlits;
	h.wilds = b.nwilds;
	r = emit(out, &h, &b, heads);
out:
	builder_finish(&b);
	free(offsets);
	free(heads);
	return r;
}

/* ---- looking up -------------------------------------------------------- */

struct view {
	const unsigned char *base;
	size_t size;
	struct header h;
};

/* Whether count records of size bytes at off lie inside the image. */
static bool fits(const struct view *v, uint32_t off, uint32_t count, size_t size)
{
	return off % sizeof(uint32_t) == 0 && off <= v->size &&
	       (uint64_t)count * size <= v->size - off;
}

/* Record i of an array already checked with fits(); memcpy, as images need no alignment. */
static void record(const struct view *v, uint32_t off, uint32_t i, void *out, size_t size)
{
	memcpy(out, v->base + off + (size_t)i * size, size);
}

static int open_view(struct view *v, const void *image, size_t size,
		     const struct routeindex_stamp *stamp)
{
	const struct header *h = &v->h;

	v->base = image;
	v->size = size;
	if (size < sizeof(v->h))
		return ERR_INVALID;
	memcpy(&v->h, image, sizeof(v->h));
	if (memcmp(h->magic, MAGIC, sizeof(h->magic)) != 0 || h->format != FORMAT ||
	    h->header_size != sizeof(v->h) || h->version[VERSION_MAX - 1] != '\0')
		return ERR_INVALID;
	if (strcmp(h->version, DCR_VERSION) != 0 || !same_stamp(&h->stamp, stamp))
		return ERR_NOT_FOUND;
	if (h->total != size || h->prelude_len > stamp->size || h->buckets == 0 ||
	    (h->buckets & (h->buckets - 1)) != 0 ||
	    !fits(v, h->routes_off, h->routes, sizeof(struct rec_route)) ||
	    !fits(v, h->buckets_off, h->buckets, sizeof(uint32_t)) ||
	    !fits(v, h->lits_off, h->lits, sizeof(struct rec_lit)) ||
	    !fits(v, h->wilds_off, h->wilds, sizeof(struct rec_wild)) ||
	    h->strings_off > size || h->strings > size - h->strings_off)
		return ERR_INVALID;
	return 0;
}

/* Whether pattern text at (in the strings) matches ref; ERR_INVALID if damaged. */
static int matches(const struct view *v, uint32_t at, const struct ref *ref)
{
	const char *s = (const char *)v->base + v->h.strings_off + at;
	struct pattern p;

	if (at >= v->h.strings || !memchr(s, '\0', v->h.strings - at) ||
	    pattern_parse(s, &p, NULL) < 0)
		return ERR_INVALID;
	return pattern_match(&p, ref) ? 1 : 0;
}

/* (route, pattern) pairs in file order. */
static bool before(uint32_t route, uint32_t pattern, uint32_t best_route, uint32_t best_pattern)
{
	return route < best_route || (route == best_route && pattern < best_pattern);
}

static int lookup_literals(const struct view *v, const struct ref *ref, uint32_t *route,
			   uint32_t *pattern)
{
	uint32_t hash = registry_hash(ref->host), head, steps = 0;
	struct rec_lit l;
	int m;

	record(v, v->h.buckets_off, hash & (v->h.buckets - 1), &head, sizeof(head));
	for (uint32_t i = head; i != NONE; i = l.next) {
		if (i >= v->h.lits || steps++ > v->h.lits)
			return ERR_INVALID;
		record(v, v->h.lits_off, i, &l, sizeof(l));
		if (l.hash != hash || !before(l.route, l.pattern, *route, *pattern))
			continue;
		m = matches(v, l.text, ref);
		if (m < 0)
			return m;
		if (m) {
			*route = l.route;
			*pattern = l.pattern;
		}
	}
	return 0;
}

static int lookup_globs(const struct view *v, const struct ref *ref, uint32_t *route,
			uint32_t *pattern)
{
	struct rec_wild w;
	int m;

	for (uint32_t i = 0; i < v->h.wilds; i++) {
		record(v, v->h.wilds_off, i, &w, sizeof(w));
		if (!before(w.route, w.pattern, *route, *pattern))
			break;
		m = matches(v, w.text, ref);
		if (m < 0)
			return m;
		if (m) {
			*route = w.route;
			*pattern = w.pattern;
			break;
		}
	}
	return 0;
}

int routeindex_lookup(const void *image, size_t size, const struct routeindex_stamp *stamp,
		      const struct ref *ref, struct routeindex_hit *hit)
{
	uint32_t route = NONE, pattern = NONE;
	struct rec_route rec;
	struct view v;
	int r;

	memset(hit, 0, sizeof(*hit));
	r = open_view(&v, image, size, stamp);
	r = r ? r : lookup_literals(&v, ref, &route, &pattern);
	r = r ? r : lookup_globs(&v, ref, &route, &pattern);
	if (r < 0)
		return r;
	hit->prelude_len = v.h.prelude_len;
	if (route == NONE)
		return 0;
	if (route == 0 || route > v.h.routes)
		return ERR_INVALID;
	record(&v, v.h.routes_off, route - 1, &rec, sizeof(rec));
	if (rec.offset < v.h.prelude_len || rec.offset > stamp->size ||
	    rec.len > stamp->size - rec.offset || rec.line == 0 || rec.line > INT32_MAX)
		return ERR_INVALID;
	hit->route = route;
	hit->pattern = pattern;
	hit->offset = rec.offset;
	hit->len = rec.len;
	hit->line = (int)rec.line;
	return 0;
}

/* ---- the file ---------------------------------------------------------- */

char *routeindex_path(const char *dir, const char *base)
{
	uint64_t h = FNV64_OFFSET;
	char name[sizeof(DCR_NAME) + 24];

	h = fnv64_field(h, "docker-credential-router routes v1");
	h = fnv64_field(h, dir);
	h = fnv64_field(h, base);
	snprintf(name, sizeof(name), DCR_NAME "/%016" PRIx64 ".routes", h);
	return paths_xdg("XDG_CACHE_HOME", ".cache", name);
}

/* The directory holding path must be ours and writable by no one else. */
static int dir_ok(const char *path)
{
	char *dir = paths_dirname(path);
	struct stat st;
	int r = ERR_NOMEM;

	if (dir) {
		r = stat(dir, &st) < 0 ? (errno == ENOENT ? ERR_NOT_FOUND : ERR_IO) : 0;
		if (r == 0 && (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
			       (st.st_mode & (S_IWGRP | S_IWOTH))))
			r = ERR_PERM;
	}
	free(dir);
	return r;
}

int routeindex_map(const char *path, const void **image, size_t *size)
{
	struct stat st;
	void *map;
	int fd, r = dir_ok(path);

	*image = NULL;
	*size = 0;
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? ERR_NOT_FOUND : errno == ELOOP ? ERR_PERM : ERR_IO;
	if (fstat(fd, &st) < 0) {
		r = ERR_IO;
	} else if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		   (st.st_mode & (S_IRWXG | S_IRWXO))) {
		r = ERR_PERM;
	} else if (st.st_size < (off_t)sizeof(struct header) || st.st_size > IMAGE_MAX) {
		r = ERR_INVALID;
	} else {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			r = ERR_IO;
		} else {
			/* A lookup reads a few records: no fault-around of their neighbours. */
			(void)madvise(map, (size_t)st.st_size, MADV_RANDOM);
			*image = map;
			*size = (size_t)st.st_size;
		}
	}
	close(fd);
	return r;
}

void routeindex_unmap(const void *image, size_t size)
{
	if (image)
		munmap((void *)image, size);
}

int routeindex_save(const char *path, const struct buf *image,
		    const struct routeindex_stamp *stamp, time_t now, struct errbuf *eb)
{
	int64_t changed = stamp->mtime_sec > stamp->ctime_sec ? stamp->mtime_sec : stamp->ctime_sec;
	char *dir;
	int r;

	if ((int64_t)now - changed < ROUTEINDEX_SETTLE)
		return 0; /* racily clean: a change within this tick would go unseen */
	dir = paths_dirname(path);
	if (!dir)
		return ERR_NOMEM;
	r = dir_ensure(dir, eb);
	free(dir);
	if (r == 0 && dir_ok(path) < 0)
		return errbuf_set(eb, ERR_PERM, "cache directory for %s is not ours alone", path);
	return r ? r : file_write_atomic(path, image->data, image->len, eb);
}
