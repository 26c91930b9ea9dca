/* SPDX-License-Identifier: MIT */
#ifndef DCR_ROUTEINDEX_H
#define DCR_ROUTEINDEX_H

/*
 * The compiled route index of a large configuration file, kept in the cache
 * directory, so that a get reads the top-level settings and the one
 * [[route]] that answers instead of parsing every route (a file with 10 000
 * routes is 1.3 MB of TOML).
 *
 * It records, for one exact version of the file:
 * - where the top-level settings end (the prelude: every byte before the
 *   first [[route]] header) and, for each route, the byte range and first
 *   line of its table;
 * - the literal patterns in a hash table keyed by the registry they name
 *   ("host[:port]"), and every other pattern (globs, the catch-all) in file
 *   order.
 * A lookup takes the first route in file order with a matching pattern,
 * exactly as route_find does on the whole file: candidates from the hash
 * table and the glob list are parsed and matched with the pattern module.
 *
 * "One exact version" is the file's device, inode, size, mtime and ctime, as
 * git's index trusts stat data, plus the router's version.  A file changed in
 * place within one clock tick keeps its stat data; as git does with "racily
 * clean" entries, no index is written for a file modified in the last
 * ROUTEINDEX_SETTLE seconds.
 *
 * Only files whose routes are all [[route]] header tables can be indexed
 * (route = [{...}] inline arrays cannot, and stay on the whole-file path).
 * Images are bounds-checked throughout: a damaged index is ERR_INVALID and
 * the caller parses the whole file.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "ref.h"

/* Smaller files are parsed whole: that costs less than reading an index. */
#define ROUTEINDEX_MIN_SIZE (4u << 10)
/* Seconds a file must be unmodified before its index is written. */
#define ROUTEINDEX_SETTLE 2

/* What identifies one version of the configuration file. */
struct routeindex_stamp {
	uint64_t dev, ino, size;
	int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

void routeindex_stamp_init(struct routeindex_stamp *stamp, const struct stat *st);

/* The answer of a lookup; the byte ranges are in the configuration file. */
struct routeindex_hit {
	size_t prelude_len; /* bytes [0, prelude_len): the top-level settings */
	size_t route;       /* 1-based route number; 0 when no route matches */
	size_t pattern;     /* the matching pattern's position in that route */
	size_t offset, len; /* the route's table */
	int line;           /* the line its [[route]] header is on */
};

/*
 * Encodes the index of config, which was parsed from text (len bytes, the
 * file with the given stamp), into out.  ERR_UNSUPPORTED when the file's
 * routes are not all [[route]] tables.
 */
int routeindex_build(const struct config *config, const char *text, size_t len,
		     const struct routeindex_stamp *stamp, struct buf *out);

/*
 * Looks ref up in an index image of size bytes.  ERR_NOT_FOUND when the image
 * is for another version of the file (or another router), ERR_INVALID when it
 * is damaged.
 */
int routeindex_lookup(const void *image, size_t size, const struct routeindex_stamp *stamp,
		      const struct ref *ref, struct routeindex_hit *hit);

/*
 * The index file for the configuration dir/base, in the cache directory
 * ($XDG_CACHE_HOME/docker-credential-router): "<hash of the path>.routes".
 * Malloc'd; NULL without a home directory.
 */
char *routeindex_path(const char *dir, const char *base);

/*
 * Maps the index file at path for reading: it must be a regular file owned
 * by us with no group or other permissions, in a directory owned by us that
 * no one else may write, and is never followed through a symlink.
 * ERR_NOT_FOUND when there is none; unmap with routeindex_unmap.
 */
int routeindex_map(const char *path, const void **image, size_t *size);
void routeindex_unmap(const void *image, size_t size);

/*
 * Writes image to path atomically (mode 0600), unless the file that stamp
 * describes changed less than ROUTEINDEX_SETTLE seconds before now.
 */
int routeindex_save(const char *path, const struct buf *image,
		    const struct routeindex_stamp *stamp, time_t now, struct errbuf *eb);

#endif
