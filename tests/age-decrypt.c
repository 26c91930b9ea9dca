/* SPDX-License-Identifier: MIT */
/*
 * age-decrypt IDENTITY_FILE < FILE: decrypt an age file (binary, armored or
 * base64 on one line) from stdin to stdout, for tests/age-run.py and
 * tests/age-cli-test.sh.  Exit 0 on success; on any failure exit 1 with
 * exactly one line on stderr and nothing on stdout.
 */
#include "age.h"
#include "wipe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { INPUT_MAX = 64 * 1024 * 1024 };

static int die(const char *msg)
{
	fprintf(stderr, "age-decrypt: %s\n", msg);
	return 1;
}

/* Read all of stdin (at most INPUT_MAX bytes); NULL with why set on failure. */
static unsigned char *read_stdin(size_t *len, char *why, size_t why_size)
{
	size_t cap = 0;
	unsigned char *buf = NULL, *grown;
	ssize_t got;

	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? 2 * cap : 64 * 1024;
			grown = cap > INPUT_MAX + 1 ? NULL : realloc(buf, cap);
			if (!grown) {
				snprintf(why, why_size, "input too large or out of memory");
				free(buf);
				return NULL;
			}
			buf = grown;
		}
		got = read(STDIN_FILENO, buf + *len, cap - *len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(why, why_size, "cannot read stdin: %s", strerror(errno));
			free(buf);
			return NULL;
		}
		if (got == 0)
			return buf;
		*len += (size_t)got;
	}
}

int main(int argc, char **argv)
{
	struct age_identity *id = NULL;
	unsigned char *in = NULL, *plain = NULL;
	size_t in_len = 0, plain_len = 0;
	char why[512];
	int rc = 1;

	if (argc != 2)
		return die("usage: age-decrypt IDENTITY_FILE < FILE");
	if (age_identity_load(argv[1], &id, why, sizeof why) != 0)
		return die(why);
	in = read_stdin(&in_len, why, sizeof why);
	if (!in) {
		die(why);
		goto out;
	}
	if (age_decrypt(id, in, in_len, &plain, &plain_len, why, sizeof why) != 0) {
		die(why);
		goto out;
	}
	if (fwrite(plain, 1, plain_len, stdout) != plain_len || fflush(stdout) != 0) {
		die("cannot write stdout");
		goto out;
	}
	rc = 0;
out:
	free_secret_len(plain, plain_len);
	free(in);
	age_identity_free(id);
	return rc;
}
