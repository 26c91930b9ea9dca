/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the route index (src/routeindex.h), two ways chosen
 * by the first byte:
 *
 * - even: the rest damages a genuine index image (anyone who can write the
 *   cache directory controls the file): XORed over it, and with bit 1 of the
 *   first byte set, cutting it.  Its stamp and version are kept, so the
 *   fuzzer reaches the counts, offsets, chains and pattern texts.
 *   routeindex_lookup must refuse it or answer a route inside the file.
 * - odd: the rest is a configuration file.  When it loads and can be indexed,
 *   the index must send every probe key where route_find sends it.
 */
#include "fuzz.h"

#include "build-config.h"
#include "buf.h"
#include "config.h"
#include "route.h"
#include "routeindex.h"

static const char base_text[] =
	"default_store = \"/nonexistent/fuzz.toml\"\n"
	"[[route]]\nmatch = [\"a.io\", \"*.b.io\"]\nbackend = \"env\"\n"
	"[[route]]\nmatch = [\"docker.io/team\", \"[::1]:5000\", \"c.io:8443/x\"]\n"
	"backend = \"env\"\n"
	"[[route]]\nmatch = \"*\"\nbackend = \"env\"\n";

static const char *const probes[] = {
	"a.io", "x.b.io", "docker.io/team/app", "nginx", "[::1]:5000", "c.io:8443/x/y", "c.io",
	"quay.io", "localhost:5000/a", "ghcr.io/o/r",
};

static struct buf genuine = BUF_INIT;
static size_t stamped; /* bytes of the header up to the end of the version */

static struct routeindex_stamp stamp_for(size_t len)
{
	struct routeindex_stamp s = {.dev = 1, .ino = 2, .size = len, .mtime_sec = 3,
				     .ctime_sec = 4};

	return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct routeindex_stamp stamp = stamp_for(sizeof(base_text) - 1);
	struct config *config = NULL;
	struct errbuf eb = {{0}};
	const char *version;

	(void)argc;
	(void)argv;
	setenv("XDG_DATA_HOME", "/nonexistent-fuzz", 1);
	check(config_parse("fuzz.toml", "/", base_text, sizeof(base_text) - 1, &config, &eb) == 0);
	check(routeindex_build(config, base_text, sizeof(base_text) - 1, &stamp, &genuine) == 0);
	config_free(config);
	/* The header holds magic, format, size, the stamp, then the version (32 bytes). */
	version = memmem(genuine.data, genuine.len, DCR_VERSION, sizeof(DCR_VERSION));
	check(version != NULL);
	stamped = (size_t)(version - genuine.data) + 32;
	return 0;
}

/*
 * The image is the genuine one with the input XORed over it (an empty input
 * is the genuine image), cut to the input's length when trim is set.
 */
static void damaged_image(const uint8_t *data, size_t size, bool trim)
{
	struct routeindex_stamp stamp = stamp_for(sizeof(base_text) - 1);
	size_t len = trim || size > genuine.len ? size : genuine.len;
	char *image = calloc(len + stamped, 1);
	struct routeindex_hit hit;
	struct ref ref;
	int r;

	check(image != NULL);
	memcpy(image, genuine.data, len < genuine.len ? len : genuine.len);
	for (size_t i = 0; i < size; i++)
		image[i] ^= (char)data[i];
	memcpy(image, genuine.data, stamped); /* the stamp and version match */
	len = len < stamped ? stamped : len;
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		check(ref_parse(probes[i], &ref, NULL) == 0);
		r = routeindex_lookup(image, len, &stamp, &ref, &hit);
		check(r == 0 || r == ERR_INVALID || r == ERR_NOT_FOUND);
		check(r < 0 || hit.prelude_len <= stamp.size);
		check(r < 0 || hit.route == 0 ||
		      (hit.offset + hit.len <= stamp.size && hit.line > 0));
	}
	free(image);
}

static void agree(const struct config *config, const struct buf *image, size_t len,
		  const char *key)
{
	struct routeindex_stamp stamp = stamp_for(len);
	struct routeindex_hit hit;
	const struct route *route;
	size_t pattern = 0;
	struct ref ref;

	if (ref_parse(key, &ref, NULL) < 0)
		return;
	route = route_find(config, &ref, &pattern);
	check(routeindex_lookup(image->data, image->len, &stamp, &ref, &hit) == 0);
	check(hit.route == (size_t)route->index);
	check(hit.route == 0 || hit.pattern == pattern);
}

static void config_file(const uint8_t *data, size_t size)
{
	struct routeindex_stamp stamp = stamp_for(size);
	struct buf image = BUF_INIT;
	struct config *config = NULL;
	struct errbuf eb = {{0}};
	char *text = fuzz_strdup(data, size);

	if (config_parse("fuzz.toml", "/", text, size, &config, &eb) == 0 &&
	    routeindex_build(config, text, size, &stamp, &image) == 0) {
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
			agree(config, &image, size, probes[i]);
		for (size_t i = 0; i < config->count; i++) {
			for (size_t p = 0; p < config->routes[i].match_count; p++)
				agree(config, &image, size, config->routes[i].match[p]);
		}
	}
	config_free(config);
	buf_finish(&image);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] % 2 == 0)
		damaged_image(data + 1, size - 1, data[0] & 2);
	else
		config_file(data + 1, size - 1);
	return 0;
}
