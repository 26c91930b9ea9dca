/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for what a script route's program prints on stdout
 * ({"username":"...","password":"..."}): the input is that output, given to
 * the script backend's own parser.  The backend's file is included so that
 * its static parse_output() is the code under test, not a copy.  Answers
 * must carry both non-empty strings; refusals are one line naming the
 * route and the program.
 */
#include "fuzz.h"

#include "../../src/backends/script.c"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_LEVEL_SILENT);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route route = {.name = "route 'fuzz'"};
	struct buf text = BUF_INIT;
	struct creds out = {0};
	struct errbuf eb = {{0}};
	int err;

	check(buf_append(&text, data, size) == 0);
	err = parse_output(&route, "/fuzz/prog", &text, &out, &eb);
	if (err == 0) {
		check(out.username && out.username[0] && out.secret && out.secret[0]);
	} else {
		check(err == ERR_BACKEND || err == ERR_NOMEM);
		check(strncmp(eb.msg, "route 'fuzz': /fuzz/prog ", 25) == 0);
		check(!strchr(eb.msg, '\n'));
	}
	creds_finish(&out);
	buf_finish(&text);
	return 0;
}
