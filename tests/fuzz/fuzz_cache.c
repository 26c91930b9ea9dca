/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for token cache entries: the input is the content of the
 * entry file that cache_get reads for a fixed identity (anyone who can write
 * the cache directory controls it).  cache_get must answer either the entry's
 * token (only when the entry is valid, for this identity and fresh) or the
 * fetched one, never fail; cache list must walk it without trouble.
 */
#include "fuzz.h"

#include <dirent.h>

#include "cache.h"
#include "log.h"

#define NOW 1700000000
#define FETCHED_SECRET "fetched-secret"

static char entry[300];
static const struct cache_id id = {"route 'fuzz'", "registry.example.com", "AKIDFUZZ"};
static struct cache_params params = {.now = NOW, .ttl_fallback = 600, .lock_timeout_ms = 1000};

static int fetch(void *ctx, struct creds *out, struct errbuf *eb)
{
	(void)ctx;
	(void)eb;
	out->expires = NOW + 3600;
	return creds_set(out, "AWS", FETCHED_SECRET);
}

static int seen(void *ctx, const char *route, const char *registry, const char *who,
		time_t issued, time_t expires)
{
	(void)ctx;
	check(route && registry && who && issued > 0 && expires >= issued);
	return 0;
}

/* Finds the entry file the first cache_get wrote. */
static void find_entry(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	check(d != NULL);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 5 && strcmp(de->d_name + n - 5, ".json") == 0)
			snprintf(entry, sizeof(entry), "%s/%s", dir, de->d_name);
	}
	closedir(d);
	check(entry[0] != '\0');
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[200];
	struct creds out = {0};
	struct errbuf eb = {{0}};

	(void)argc;
	(void)argv;
	log_set_level(LOG_LEVEL_SILENT);
	snprintf(dir, sizeof(dir), "%s/cache", fuzz_dir());
	params.dir = dir;
	check(cache_get(&params, &id, fetch, NULL, &out, &eb) == 0);
	creds_finish(&out);
	find_entry(dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct creds out = {0};
	struct errbuf eb = {{0}};

	fuzz_write_file(entry, data, size);
	check(cache_list(&params, seen, NULL, &eb) == 0);
	check(cache_get(&params, &id, fetch, NULL, &out, &eb) == 0);
	/* The fetched token, or the entry's: then it was fresh, so unexpired. */
	check(out.username && out.secret && out.expires > NOW);
	creds_finish(&out);
	return 0;
}
