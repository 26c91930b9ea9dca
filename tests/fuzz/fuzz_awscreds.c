/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for JSON credential documents the AWS chain reads: EC2
 * instance metadata and container credentials ("Token"), credential_process
 * output ("SessionToken"), and the RFC 3339 times in them; the input is the
 * document.  It is also split as a credential_process command line (the
 * shlex-like splitter never runs a shell).
 */
#include "fuzz.h"

#include "aws/credentials.h"
#include "aws/providers.h"
#include "err.h"

#define NOW 1700000000

static void creds(const char *text, size_t size, const char *token_key)
{
	struct aws_credentials c = {0};
	struct errbuf eb = {{0}};
	json_t *doc = NULL;
	int err = aws_json_parse(text, size, "fuzz", &doc, &eb);

	if (err == 0)
		err = aws_creds_from_json(doc, token_key, NOW, "fuzz", &c, &eb);
	if (err == 0)
		check(c.access_key_id && c.secret_access_key && (c.expires == 0 || c.expires > NOW));
	else
		check(eb.msg[0] != '\0' && !strchr(eb.msg, '\n'));
	json_decref(doc);
	aws_credentials_finish(&c);
}

static void command(const char *line)
{
	struct errbuf eb = {{0}};
	char **argv = NULL;
	int err = aws_command_split(line, &argv, &eb);

	if (err == 0) {
		check(argv && argv[0]);
		aws_command_free(argv);
	} else {
		check(argv == NULL && eb.msg[0] != '\0');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);
	time_t t;

	creds(text, size, "Token");
	creds(text, size, "SessionToken");
	(void)aws_time_parse(text, &t);
	command(text);
	free(text);
	return 0;
}
