/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the Docker credential-helper protocol on standard
 * input: the first byte picks get, store or erase (docker's verbs that read
 * stdin), the rest is what the caller writes.  Each verb runs whole, through
 * input_read, input_key or the store JSON decoding, ref_parse, config_load and
 * the core, against a fixed configuration (a static file and the env backend,
 * both with store = "ignore", so nothing accumulates between runs).  The verb
 * must exit 0 or 1; input_key is also checked directly for its invariants.
 */
#include "fuzz.h"

#include "buf.h"
#include "cmd.h"
#include "input.h"
#include "log.h"
#include "utf8.h"

static int (*const verbs[])(int, char **) = {cmd_get, cmd_store, cmd_erase};
static char *verb_argv[] = {"verb", NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[160], text[600];

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/credentials.toml", fuzz_dir());
	snprintf(text, sizeof(text),
		 "[registry1]\nrepo = \"registry.example.com\"\nusername = \"u\"\n"
		 "password = \"p\"\n[registry2]\nrepo = \"ghcr.io/team\"\nusername = \"t\"\n"
		 "password = \"q\"\n");
	fuzz_write_file(path, text, strlen(text));
	snprintf(text, sizeof(text),
		 "[[route]]\nname = \"static\"\nmatch = [\"*.example.com\", \"ghcr.io\"]\n"
		 "backend = \"static\"\nfile = \"%s\"\nstore = \"ignore\"\n\n"
		 "[[route]]\nname = \"env\"\nmatch = \"*\"\nbackend = \"env\"\n",
		 path);
	snprintf(path, sizeof(path), "%s/config.toml", fuzz_dir());
	fuzz_write_file(path, text, strlen(text));
	setenv("DOCKER_CREDENTIAL_ROUTER_CONFIG", path, 1);
	setenv("DCR_DOCKER_IO_USERNAME", "hub-user", 1);
	setenv("DCR_DOCKER_IO_PASSWORD", "hub-secret", 1);
	unsetenv("DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY");
	log_set_level(LOG_LEVEL_SILENT);
	fuzz_quiet_stdout();
	return 0;
}

/* input_key: no NUL inside, no newline, nothing longer than what came in. */
static void check_key(const uint8_t *data, size_t size)
{
	struct buf in = BUF_INIT;
	char *key;

	check(buf_append(&in, data, size) == 0);
	key = input_key(&in);
	check(key == in.data && strlen(key) == in.len && in.len <= size);
	check(!memchr(key, '\n', in.len));
	buf_finish(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (!memchr(data + 1, '\0', size - 1) && utf8_valid((const char *)data + 1, size - 1))
		check_key(data + 1, size - 1);
	fuzz_with_stdin(data + 1, size - 1, verbs[data[0] % 3], 1, verb_argv);
	return 0;
}
