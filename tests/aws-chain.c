/* SPDX-License-Identifier: MIT */
/*
 * aws-chain: runs the AWS credential chain once, for tests/aws-chain-test.sh.
 *
 *   aws-chain [--profile P] [--role-arn A] [--region R]
 *
 * prints
 *   source: <where the credentials came from>
 *   access_key_id: <id>
 *   session_token: yes|no
 *   expires: <RFC 3339 time>|never
 *   identity: <aws_identity(), the cache identity>
 * and never the secret key or the session token.  On failure: "aws-chain:
 * MESSAGE" on stderr, exit status 1.  Logging follows
 * DOCKER_CREDENTIAL_ROUTER_LOG.
 */
#include <jansson.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/credentials.h"
#include "aws/providers.h"
#include "log.h"
#include "wipe.h"

static void free_wiped(void *p)
{
	if (p)
		wipe(p, malloc_usable_size(p));
	free(p);
}

static int usage(void)
{
	fprintf(stderr, "usage: aws-chain [--profile P] [--role-arn A] [--region R]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct aws_chain_params params = {.now = time(NULL)};
	struct aws_credentials creds = {0};
	struct errbuf eb = {{0}};
	char identity[512], when[AWS_TIME_SIZE];
	int r;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			return usage();
		if (strcmp(argv[i], "--profile") == 0)
			params.profile = argv[++i];
		else if (strcmp(argv[i], "--role-arn") == 0)
			params.role_arn = argv[++i];
		else if (strcmp(argv[i], "--region") == 0)
			params.region = argv[++i];
		else
			return usage();
	}
	log_init();
	log_set_prefix("aws-chain");
	json_set_alloc_funcs(malloc, free_wiped);
	aws_identity(&params, identity, sizeof(identity));
	r = aws_credentials_resolve(&params, &creds, &eb);
	if (r < 0) {
		fprintf(stderr, "aws-chain: %s\n", errbuf_str(&eb, r));
		return 1;
	}
	if (creds.expires)
		aws_time_format(creds.expires, when);
	printf("source: %s\naccess_key_id: %s\nsession_token: %s\nexpires: %s\nidentity: %s\n",
	       creds.source, creds.access_key_id, creds.session_token ? "yes" : "no",
	       creds.expires ? when : "never", identity);
	aws_credentials_finish(&creds);
	return 0;
}
