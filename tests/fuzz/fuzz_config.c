/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the configuration: the input is a config.toml.
 * config_parse must load it or refuse it with a one-line message; a loaded
 * configuration is routed for a few keys (every route has a backend, the
 * default store included), then freed.
 * Nothing is run and no file is read: backends' configure() only records
 * what the route says.
 */
#include "fuzz.h"

#include "config.h"
#include "log.h"
#include "ref.h"
#include "route.h"

static const char *const keys[] = {
	"docker.io", "ghcr.io/team/app", "localhost:5000", "[::1]:5000/x",
	"123456789012.dkr.ecr.us-west-2.amazonaws.com", "registry.example.com/a/b",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("HOME", fuzz_dir(), 1);
	unsetenv("XDG_DATA_HOME");
	unsetenv("DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY");
	log_set_level(LOG_LEVEL_SILENT);
	return 0;
}

static void route_keys(const struct config *config)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct request req = {.key = keys[i]};
		const struct route *route;
		size_t pattern;

		check(ref_parse(keys[i], &req.ref, NULL) == 0);
		route = route_find(config, &req.ref, &pattern);
		check(route && route->backend && route->name);
		check(pattern == ROUTE_DEFAULT || pattern < route->match_count);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *config = NULL;
	struct errbuf eb = {{0}};
	int err = config_parse("fuzz.toml", "/etc/fuzz", (const char *)data, size, &config, &eb);

	if (err < 0) {
		check(config == NULL);
		check(eb.msg[0] != '\0' && !strchr(eb.msg, '\n'));
		return 0;
	}
	check(config && config->store.backend);
	for (size_t i = 0; i < config->count; i++)
		check(config->routes[i].backend && config->routes[i].match_count > 0);
	route_keys(config);
	config_free(config);
	return 0;
}
