/* SPDX-License-Identifier: MIT */
/* The embedded default: routes derived from the environment when there is no file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ecr.h"
#include "config.h"
#include "config_impl.h"
#include "emit.h"
#include "log.h"
#include "ref.h"

/* The registry a DSTACK_DOCKER_REGISTRY value names, as a literal pattern. */
static int registry_pattern(const char *value, char *out, size_t size)
{
	struct ref ref;

	if (!value || !*value) {
		snprintf(out, size, "docker.io");
		return 0;
	}
	if (ref_parse_repo(value, &ref, NULL) < 0)
		return ERR_INVALID;
	snprintf(out, size, "%s", ref.host);
	return 0;
}

static int embed_dstack(struct buf *b)
{
	const char *user = getenv("DSTACK_DOCKER_USERNAME");
	const char *pass = getenv("DSTACK_DOCKER_PASSWORD");
	char host[REF_HOST_MAX];
	int r;

	if (!user || !*user || !pass || !*pass)
		return 0;
	if (registry_pattern(getenv("DSTACK_DOCKER_REGISTRY"), host, sizeof(host)) < 0)
		return 0; /* a bad value routes nothing; `check` reports the variable */
	r = buf_puts(b, "\n[[route]]\n");
	r = r ? r : config_put_kv(b, "name", "dstack");
	r = r ? r : config_put_kv(b, "match", host);
	r = r ? r : config_put_kv(b, "backend", "env");
	r = r ? r : config_put_kv(b, "username_env", "DSTACK_DOCKER_USERNAME");
	r = r ? r : config_put_kv(b, "password_env", "DSTACK_DOCKER_PASSWORD");
	return r;
}

static int add_match(void *ctx, const char *key, const char *username)
{
	struct buf *b = ctx;
	int r = buf_puts(b, b->data[b->len - 1] == '[' ? "" : ", ");

	(void)username;
	return r ? r : emit_toml_string(b, key, strlen(key));
}

/* A route for the registries thin-edge's credentials file and variables name. */
static int embed_tedge(struct buf *b)
{
	struct config scratch = {.origin = (char *)CONFIG_EMBEDDED, .dir = (char *)"/"};
	struct route route = {0};
	struct buf match = BUF_INIT;
	struct errbuf eb = {{0}};
	static const char text[] = "[[route]]\nname = \"thin-edge\"\nmatch = \"*\"\n"
				   "backend = \"static\"\nfile = \"" TEDGE_CREDENTIALS "\"\n";
	int r = buf_puts(&match, "match = [");

	r = r ? r : config_synth_route(&scratch, &route, text, sizeof(text) - 1, &eb);
	r = r ? r : route.backend->list(&route, add_match, &match, &eb);
	if (r == 0 && match.data[match.len - 1] != '[') {
		r = buf_puts(b, "\n[[route]]\nname = \"thin-edge\"\n");
		r = r ? r : buf_append(b, match.data, match.len);
		r = r ? r : buf_puts(b, "]\nbackend = \"static\"\nstore = \"ignore\"\n");
		r = r ? r : config_put_kv(b, "file", TEDGE_CREDENTIALS);
	} else if (r < 0 && r != ERR_NOMEM) {
		log_warn("thin-edge credentials ignored: %s", errbuf_str(&eb, r));
		r = 0;
	}
	config_route_finish(&route);
	buf_finish(&match);
	return r;
}

/* dstack's AWS variables: an ecr route for DSTACK_AWS_ECR_REGISTRY. */
static int embed_dstack_aws(struct buf *b)
{
	const char *registry = getenv("DSTACK_AWS_ECR_REGISTRY");
	const char *region = getenv("DSTACK_AWS_REGION");
	const char *id = getenv("DSTACK_AWS_ACCESS_KEY_ID");
	const char *secret = getenv("DSTACK_AWS_SECRET_ACCESS_KEY");
	char host[REF_HOST_MAX];
	int r;

	if (!registry || !*registry || !id || !*id || !secret || !*secret ||
	    registry_pattern(registry, host, sizeof(host)) < 0)
		return 0;
	r = buf_puts(b, "\n[[route]]\n");
	r = r ? r : config_put_kv(b, "name", "dstack-ecr");
	r = r ? r : config_put_kv(b, "match", host);
	r = r ? r : config_put_kv(b, "backend", "ecr");
	if (r == 0 && region && aws_region_valid(region))
		r = config_put_kv(b, "region", region);
	return r;
}

/*
 * Every ECR registry host name (PROTOCOLS.md 2.1) goes to the ecr backend:
 * a 12-digit label, dkr.ecr / dkr.ecr-fips / dkr-ecr / dkr-ecr-fips, the
 * region, one of the partition suffixes; and ECR Public.
 */
static int embed_ecr(struct buf *b)
{
	static const char *const forms[] = {"dkr.ecr", "dkr.ecr-fips", "dkr-ecr", "dkr-ecr-fips"};
	static const char *const suffixes[] = {
		"amazonaws.com", "amazonaws.com.cn",		"amazonaws.eu",
		"on.aws",	 "on.amazonwebservices.com.cn", "sc2s.sgov.gov",
		"c2s.ic.gov",	 "cloud.adc-e.uk",		"csp.hci.ic.gov",
	};
	static const char digit[] = "[0-9]";
	int r = buf_puts(b, "\n[[route]]\nname = \"ecr\"\nmatch = [\"public.ecr.aws\", "
			    "\"ecr-public.aws.com\"");

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]) && r == 0; f++) {
		for (size_t s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]) && r == 0; s++) {
			r = buf_puts(b, ",\n  \"");
			for (int i = 0; i < 12 && r == 0; i++)
				r = buf_puts(b, digit);
			r = r ? r : buf_printf(b, ".%s.*.%s\"", forms[f], suffixes[s]);
		}
	}
	return r ? r : buf_puts(b, "]\nbackend = \"ecr\"\n");
}

int config_embedded_text(struct buf *out)
{
	int r = buf_puts(out, "# " CONFIG_EMBEDDED ": routes derived from the environment\n");

	r = r ? r : embed_dstack(out);
	r = r ? r : embed_dstack_aws(out);
	r = r ? r : embed_tedge(out);
	r = r ? r : embed_ecr(out);
	return r;
}
