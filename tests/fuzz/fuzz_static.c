/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for static credentials files (thin-edge's
 * credentials.toml format): the input is the file.  The static backend
 * answers get and list from it (or refuses it with a message); when it loads, a store must rewrite it so that
 * get then answers exactly what was stored, and the rewritten file must load
 * again with the same number of listed keys or one more.
 */
#include "fuzz.h"

#include "backend.h"
#include "config.h"
#include "log.h"
#include "ref.h"

#define STORED_USER "fuzz-user"
#define STORED_SECRET "fuzz-secret-4f1c"

static struct config *config;
static char file[160];

static const char *const keys[] = {
	"registry.example.com", "ghcr.io/team/app", "docker.io/library/nginx", "localhost:5000",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char text[400];
	struct errbuf eb = {{0}};

	(void)argc;
	(void)argv;
	snprintf(file, sizeof(file), "%s/credentials.toml", fuzz_dir());
	snprintf(text, sizeof(text), "[[route]]\nmatch = \"*\"\nbackend = \"static\"\nfile = \"%s\"\n",
		 file);
	unsetenv("DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY");
	log_set_level(LOG_LEVEL_SILENT);
	check(config_parse("fuzz.toml", fuzz_dir(), text, strlen(text), &config, &eb) == 0);
	return 0;
}

static int count_key(void *ctx, const char *key, const char *username)
{
	check(key && key[0] && username && username[0]);
	++*(size_t *)ctx;
	return 0;
}

static int list(const struct route *route, size_t *n, struct errbuf *eb)
{
	*n = 0;
	return route->backend->list(route, count_key, n, eb);
}

static void get(const struct route *route, const char *key)
{
	struct request req = {.key = key};
	struct creds creds = {0};
	struct errbuf eb = {{0}};
	int err;

	check(ref_parse(key, &req.ref, NULL) == 0);
	err = route->backend->get(route, &req, &creds, &eb);
	check(err == 0 || err == ERR_NOT_FOUND || err == ERR_CONFIG || err == ERR_NOMEM);
	check(err != 0 || (creds.username && creds.secret));
	creds_finish(&creds);
}

/* store, then get answers it; the file still loads. */
static void store_round_trip(const struct route *route, size_t listed)
{
	struct request req = {.key = "fuzz.example.com/team"};
	struct creds stored = {STORED_USER, STORED_SECRET, 0}, got = {0};
	struct errbuf eb = {{0}};
	size_t again;

	check(ref_parse(req.key, &req.ref, NULL) == 0);
	if (route->backend->store(route, &req, &stored, &eb) < 0)
		return; /* e.g. an env-only entry's name clash: refused with a message */
	check(route->backend->get(route, &req, &got, &eb) == 0);
	check(strcmp(got.username, STORED_USER) == 0 && strcmp(got.secret, STORED_SECRET) == 0);
	creds_finish(&got);
	check(list(route, &again, &eb) == 0);
	check(again == listed || again == listed + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct route *route = &config->routes[0];
	struct errbuf eb = {{0}};
	size_t listed;
	int err;

	fuzz_write_file(file, data, size);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		get(route, keys[i]);
	err = list(route, &listed, &eb);
	if (err < 0) {
		check(eb.msg[0] != '\0');
		return 0;
	}
	store_round_trip(route, listed);
	return 0;
}
