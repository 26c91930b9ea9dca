/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the kubelet personality: the input is the
 * CredentialProviderRequest on standard input, and `kubelet` runs whole
 * (request decoding, image parsing, routing, the answer) against a fixed
 * configuration: a static route with a repository path (answers keyed by
 * image) and the env backend for everything else.  It must exit 0 or 1.
 */
#include "fuzz.h"

#include "cmd.h"
#include "log.h"

static char *verb_argv[] = {"kubelet", NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[160], text[600];

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/credentials.toml", fuzz_dir());
	snprintf(text, sizeof(text),
		 "[registry1]\nrepo = \"ghcr.io/team\"\nusername = \"t\"\npassword = \"q\"\n");
	fuzz_write_file(path, text, strlen(text));
	snprintf(text, sizeof(text),
		 "[[route]]\nname = \"team\"\nmatch = \"ghcr.io/team\"\nbackend = \"static\"\n"
		 "file = \"%s\"\ncache_ttl = 600\n\n"
		 "[[route]]\nname = \"env\"\nmatch = \"*\"\nbackend = \"env\"\n",
		 path);
	snprintf(path, sizeof(path), "%s/config.toml", fuzz_dir());
	fuzz_write_file(path, text, strlen(text));
	setenv("DOCKER_CREDENTIAL_ROUTER_CONFIG", path, 1);
	snprintf(path, sizeof(path), "%s/cache", fuzz_dir());
	setenv("XDG_CACHE_HOME", path, 1);
	setenv("DCR_DOCKER_IO_USERNAME", "hub-user", 1);
	setenv("DCR_DOCKER_IO_PASSWORD", "hub-secret", 1);
	unsetenv("DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY");
	log_set_level(LOG_LEVEL_SILENT);
	fuzz_quiet_stdout();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_with_stdin(data, size, cmd_kubelet, 1, verb_argv);
	return 0;
}
