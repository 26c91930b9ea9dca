/* SPDX-License-Identifier: MIT */
/*
 * The thin-edge personality (PROTOCOLS.md section 4): tedge-container-plugin
 * runs an executable named registry-credentials found on PATH as
 *
 *   registry-credentials get IMAGE [--refresh]
 *
 * (install a symlink of that name to this binary; the same works as
 * `docker-credential-router registry-credentials get IMAGE [--refresh]`).
 * IMAGE is the image as the user wrote it ("nginx:latest",
 * "ghcr.io/o/i@sha256:...").  It is routed like any other key, through any
 * backend, and the answer is {"username":"...","password":"..."} on stdout
 * with exit status 0.  --refresh (the plugin's second attempt, after a
 * rejected pull) asks for fresh credentials rather than cached ones.
 *
 * Every failure is exit status 1 with one line on stderr and nothing on
 * stdout: the plugin then logs a warning and pulls without these
 * credentials, which is also right for "nothing configured for this image"
 * (there is no separate not-found answer in this protocol).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "core.h"
#include "emit.h"

#define TEDGE_NAME "registry-credentials"
#define TEDGE_USAGE "usage: " TEDGE_NAME " get IMAGE [--refresh]"
#define HUB_PREFIX "docker.io/library/"

#define fail(...) out_stderr(TEDGE_NAME, __VA_ARGS__)

/* get IMAGE, with --refresh anywhere after get; false on bad usage. */
static bool parse_args(int argc, char **argv, struct request *req)
{
	if (argc < 2 || strcmp(argv[1], "get") != 0)
		return false;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--refresh") == 0)
			req->refresh = true;
		else if (argv[i][0] == '-' || req->key)
			return false;
		else
			req->key = argv[i];
	}
	return req->key && *req->key;
}

/*
 * An image without a '/' is always a Docker Hub image to thin-edge
 * (reference.ParseDockerRef: "redis:7" is docker.io/library/redis:7), while a
 * bare key like "redis:7" reads as a registry elsewhere: say which we mean.
 */
static int parse_image(const char *image, struct ref *ref, const char **why)
{
	char full[REF_KEY_MAX];

	if (strchr(image, '/'))
		return ref_parse(image, ref, why);
	if ((size_t)snprintf(full, sizeof(full), HUB_PREFIX "%s", image) >= sizeof(full))
		return ref_parse(image, ref, why); /* reports the oversize key */
	return ref_parse(full, ref, why);
}

static int print_creds(const struct creds *creds)
{
	struct buf out = BUF_INIT;
	int r = buf_puts(&out, "{\"username\":");

	r = r ? r : emit_json_string(&out, creds->username, strlen(creds->username));
	r = r ? r : buf_puts(&out, ",\"password\":");
	r = r ? r : emit_json_string(&out, creds->secret, strlen(creds->secret));
	r = r ? r : buf_puts(&out, "}\n");
	if (r == 0 && !out_write(out.data, out.len))
		r = ERR_IO;
	buf_finish(&out);
	return r < 0 ? fail("cannot write the answer: %s", err_str(r)) : 0;
}

int cmd_registry_credentials(int argc, char **argv)
{
	struct request req = {0};
	struct creds creds = {0};
	struct config *config = NULL;
	struct errbuf eb = {{0}};
	const char *why = NULL;
	int status, r;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return out_write(TEDGE_USAGE "\n", sizeof(TEDGE_USAGE)) ? 0 : 1;
	if (!parse_args(argc, argv, &req))
		return fail("%s", TEDGE_USAGE);
	if (parse_image(req.key, &req.ref, &why) < 0)
		return fail("invalid image \"%s\": %s", req.key, why ? why : "malformed");
	r = config_load_for(&req.ref, &config, &eb);
	if (r < 0)
		return fail("%s", errbuf_str(&eb, r));
	r = core_get(config, &req, &creds, &eb);
	if (r == ERR_NOT_FOUND)
		status = fail("no credentials for %s (image %s)", req.ref.host, req.key);
	else if (r < 0)
		status = fail("%s", errbuf_str(&eb, r));
	else
		status = print_creds(&creds);
	creds_finish(&creds);
	config_free(config);
	return status;
}
