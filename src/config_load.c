/* SPDX-License-Identifier: MIT */
/* Finding the configuration file and loading it, whole or through its route index. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "config.h"
#include "fileio.h"
#include "log.h"
#include "paths.h"
#include "route.h"
#include "routeindex.h"

char *config_search_path(size_t i)
{
	const char *env = getenv(CONFIG_ENV);

	if (env && *env)
		return i == 0 ? strdup(env) : NULL;
	if (i == 0)
		return paths_xdg("XDG_CONFIG_HOME", ".config", DCR_NAME "/config.toml");
	if (i == 1)
		return strdup(DCR_SYSCONFDIR "/" DCR_NAME "/config.toml");
	return NULL;
}

static int load_embedded(struct config **out, struct errbuf *eb)
{
	struct buf text = BUF_INIT;
	int r = config_embedded_text(&text);

	if (r == 0)
		r = config_parse(CONFIG_EMBEDDED, "/", text.data, text.len, out, eb);
	buf_finish(&text);
	return r;
}

/* The configuration file found, open and checked. */
struct source {
	char *path;
	char *dir; /* absolute, symlinks resolved: where relative paths start */
	int fd;
	struct stat st;
};

static void source_finish(struct source *src)
{
	if (src->fd >= 0)
		close(src->fd);
	free(src->path);
	free(src->dir);
}

/* Opens the first file of the search order; ERR_NOT_FOUND when there is none. */
static int source_open(struct source *src, struct errbuf *eb)
{
	const char *env = getenv(CONFIG_ENV);
	int r = ERR_NOT_FOUND;

	*src = (struct source){.fd = -1};
	for (size_t i = 0; r == ERR_NOT_FOUND && (src->path = config_search_path(i)); i++) {
		r = file_open(src->path, FILE_CONFIG, &src->fd, &src->st, eb);
		if (r == ERR_NOT_FOUND && env && *env)
			r = errbuf_set(eb, ERR_CONFIG, "%s names %s, which does not exist",
				       CONFIG_ENV, src->path);
		if (r == ERR_NOT_FOUND) {
			free(src->path);
			src->path = NULL;
		}
	}
	if (r == ERR_NOT_FOUND)
		eb->msg[0] = '\0';
	if (r == 0 && !(src->dir = paths_absdir(src->path)))
		r = ERR_NOMEM;
	return r;
}

static int load_whole(const struct source *src, struct buf *text, struct config **out,
		      struct errbuf *eb)
{
	int r = file_read_fd(src->fd, src->path, CONFIG_MAX_SIZE, text, eb);

	return r ? r : config_parse(src->path, src->dir, text->data, text->len, out, eb);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Whether config answers ref as the index said: with route hit->route (0: the default store). */
static bool agrees(const struct config *config, const struct ref *ref,
		   const struct routeindex_hit *hit)
{
	const struct route *route = route_find(config, ref, NULL);

	if (hit->route == 0)
		return route == &config->store;
	return route != &config->store && (size_t)route->index == hit->route;
}

/* The settings and the one route the index names for ref; any failure: read the whole file. */
static int load_indexed(const struct source *src, const void *image, size_t size,
			const struct routeindex_stamp *stamp, const struct ref *ref,
			struct config **out)
{
	struct routeindex_hit hit;
	struct buf text = BUF_INIT;
	struct config_piece piece = {0};
	struct errbuf eb = {{0}};
	int r = routeindex_lookup(image, size, stamp, ref, &hit);

	r = r ? r : file_pread(src->fd, src->path, 0, hit.prelude_len, &text, &eb);
	if (r == 0 && hit.route) {
		r = file_pread(src->fd, src->path, hit.offset, hit.len, &text, &eb);
		piece = (struct config_piece){text.data + hit.prelude_len, hit.len, hit.line,
					      hit.route};
	}
	r = r ? r
	      : config_parse_routed(src->path, src->dir, text.data, hit.prelude_len,
				    hit.route ? &piece : NULL, out, &eb);
	if (r == 0 && !agrees(*out, ref, &hit)) {
		config_free(*out);
		*out = NULL;
		r = ERR_INVALID;
	}
	if (r < 0)
		log_debug("route index of %s not used: %s", src->path, errbuf_str(&eb, r));
	else
		log_debug("route index of %s: route %zu", src->path, hit.route);
	buf_finish(&text);
	return r;
}

/* Writes the index of a whole file just parsed; failures cost only speed. */
static void save_index(const struct source *src, const char *path,
		       const struct routeindex_stamp *stamp, const struct buf *text,
		       const struct config *config)
{
	struct buf image = BUF_INIT;
	struct errbuf eb = {{0}};
	int r = routeindex_build(config, text->data, text->len, stamp, &image);

	r = r ? r : routeindex_save(path, &image, stamp, time(NULL), &eb);
	if (r < 0)
		log_debug("no route index for %s: %s", src->path, errbuf_str(&eb, r));
	buf_finish(&image);
}

int config_load_for(const struct ref *ref, struct config **out, struct errbuf *eb)
{
	struct routeindex_stamp stamp;
	struct buf text = BUF_INIT;
	const void *image = NULL;
	char *index = NULL;
	size_t size = 0;
	struct source src;
	int r = source_open(&src, eb);

	*out = NULL;
	if (r == ERR_NOT_FOUND) {
		r = load_embedded(out, eb);
		goto out;
	}
	if (r < 0 || !ref || src.st.st_size < (off_t)ROUTEINDEX_MIN_SIZE)
		goto whole;
	routeindex_stamp_init(&stamp, &src.st);
	index = routeindex_path(src.dir, base_name(src.path));
	if (index && routeindex_map(index, &image, &size) == 0 &&
	    load_indexed(&src, image, size, &stamp, ref, out) == 0)
		goto out;
whole:
	r = r ? r : load_whole(&src, &text, out, eb);
	if (r == 0 && index)
		save_index(&src, index, &stamp, &text, *out);
out:
	routeindex_unmap(image, size);
	free(index);
	buf_finish(&text);
	source_finish(&src);
	return r;
}

int config_load(struct config **out, struct errbuf *eb)
{
	return config_load_for(NULL, out, eb);
}
