/* SPDX-License-Identifier: MIT */
/*
 * The kubelet personality (PROTOCOLS.md section 3): `docker-credential-router
 * kubelet` is an image credential provider plugin.  It reads one
 * CredentialProviderRequest (apiVersion credentialprovider.kubelet.k8s.io/v1,
 * or v1beta1) from stdin and writes one CredentialProviderResponse of the
 * same apiVersion, keeping to the schema exactly: the kubelet decodes it
 * strictly.  Unknown request fields (serviceAccountToken, ...) are ignored.
 *
 * Decisions:
 * - auth is keyed by the registry (host[:port], "docker.io" for Docker Hub)
 *   with cacheKeyType "Registry".  When the route that answered matched by a
 *   pattern with a repository path (match = ["ghcr.io/team-a"]), other
 *   repositories of the registry may route elsewhere, so the answer is keyed
 *   by the image instead (cacheKeyType "Image", auth key host/repository).
 * - cacheDuration is how long the answer stays fresh, as in our own cache (a
 *   token is fresh until half its lifetime): half the remaining lifetime when
 *   the backend or the token cache gives an expiry, else half the route's
 *   cache_ttl (the lifetime the cache gives such answers) when set.  With
 *   neither it is omitted and the kubelet uses the provider's
 *   defaultCacheDuration, which the operator chose for long-lived
 *   credentials.
 * - Nothing configured for the image is not a failure: the answer is a valid
 *   response with an empty auth map ("no credentials", the pull goes on
 *   anonymously) and cacheDuration "0s", so credentials added later are used
 *   at once.  A failing backend is an error: one line on stderr, exit
 *   status 1 (the kubelet logs it and pulls without these credentials).
 * - A malformed request (not JSON, wrong kind or apiVersion, no image) is
 *   one line on stderr and exit status 1.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "cmd.h"
#include "config.h"
#include "core.h"
#include "emit.h"
#include "input.h"
#include "route.h"

#define KUBELET_GROUP "credentialprovider.kubelet.k8s.io/"
#define KUBELET_REQUEST "CredentialProviderRequest"
#define KUBELET_RESPONSE "CredentialProviderResponse"

static const char *const versions[] = {KUBELET_GROUP "v1", KUBELET_GROUP "v1beta1"};

/* The answer, before it is written. */
struct answer {
	const char *api_version;
	const char *key_type; /* "Registry" or "Image" */
	char key[REF_HOST_MAX + REF_PATH_MAX];
	long duration;             /* seconds; < 0: omitted */
	const struct creds *creds; /* NULL: empty auth */
};

#define fail(...) out_stderr(DCR_NAME " kubelet", __VA_ARGS__)

static const char *member_string(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	return s && strlen(s) == json_string_length(v) ? s : NULL;
}

static const char *known_version(const char *s)
{
	for (size_t i = 0; s && i < sizeof(versions) / sizeof(versions[0]); i++) {
		if (strcmp(s, versions[i]) == 0)
			return versions[i];
	}
	return NULL;
}

/* Reads and checks the request; on failure reports and returns NULL. */
static json_t *read_request(struct buf *in, const char **version, const char **image)
{
	struct errbuf eb = {{0}};
	json_error_t jerr;
	json_t *obj;
	const char *kind;
	int r = input_read(STDIN_FILENO, INPUT_MAX, in, &eb);

	if (r < 0) {
		fail("%s", errbuf_str(&eb, r));
		return NULL;
	}
	obj = json_loadb(in->data, in->len, 0, &jerr);
	if (!obj) {
		fail("invalid JSON on standard input (line %d, column %d)", jerr.line, jerr.column);
		return NULL;
	}
	kind = member_string(obj, "kind");
	*version = known_version(member_string(obj, "apiVersion"));
	*image = member_string(obj, "image");
	if (!json_is_object(obj))
		fail("expected a " KUBELET_REQUEST " JSON object on standard input");
	else if (!kind || strcmp(kind, KUBELET_REQUEST) != 0)
		fail("kind must be \"" KUBELET_REQUEST "\"");
	else if (!*version)
		fail("apiVersion must be \"%s\" or \"%s\"", versions[0], versions[1]);
	else if (!*image || !**image)
		fail("the request has no image");
	else
		return obj;
	json_decref(obj);
	return NULL;
}

/* Go's time.Duration.String() for whole seconds: "6h0m0s", "1m30s", "45s", "0s". */
static int put_duration(struct buf *b, long s)
{
	if (s >= 3600)
		return buf_printf(b, "%ldh%ldm%lds", s / 3600, s / 60 % 60, s % 60);
	if (s >= 60)
		return buf_printf(b, "%ldm%lds", s / 60, s % 60);
	return buf_printf(b, "%lds", s);
}

static int put_answer(struct buf *b, const struct answer *a)
{
	int r = buf_printf(b, "{\"kind\":\"" KUBELET_RESPONSE "\",\"apiVersion\":\"%s\","
			      "\"cacheKeyType\":\"%s\"", a->api_version, a->key_type);

	if (r == 0 && a->duration >= 0) {
		r = buf_puts(b, ",\"cacheDuration\":\"");
		r = r ? r : put_duration(b, a->duration);
		r = r ? r : buf_putc(b, '"');
	}
	r = r ? r : buf_puts(b, ",\"auth\":{");
	if (r == 0 && a->creds) {
		r = emit_json_string(b, a->key, strlen(a->key));
		r = r ? r : buf_puts(b, ":{\"username\":");
		r = r ? r : emit_json_string(b, a->creds->username, strlen(a->creds->username));
		r = r ? r : buf_puts(b, ",\"password\":");
		r = r ? r : emit_json_string(b, a->creds->secret, strlen(a->creds->secret));
		r = r ? r : buf_putc(b, '}');
	}
	return r ? r : buf_puts(b, "}}\n");
}

/* How long the kubelet may keep the answer; < 0 to omit (see the header). */
static long cache_seconds(const struct route *route, const struct creds *creds)
{
	time_t now = time(NULL);

	if (creds->expires)
		return creds->expires > now ? (long)((creds->expires - now) / 2) : 0;
	return route->cache_ttl > 0 ? route->cache_ttl / 2 : -1;
}

/* Fills the key and its type from the route that answers req. */
static void choose_key(const struct config *config, const struct request *req, struct answer *a)
{
	size_t pattern;
	const struct route *route = route_find(config, &req->ref, &pattern);

	a->key_type = "Registry";
	snprintf(a->key, sizeof(a->key), "%s", req->ref.host);
	if (pattern != ROUTE_DEFAULT && route->patterns[pattern].path[0] && req->ref.path[0]) {
		a->key_type = "Image";
		ref_format(&req->ref, a->key, sizeof(a->key));
	}
}

static int answer(const struct config *config, const struct request *req, const char *version)
{
	struct answer a = {.api_version = version, .duration = 0};
	struct creds creds = {0};
	struct errbuf eb = {{0}};
	struct buf out = BUF_INIT;
	int r = core_get(config, req, &creds, &eb), status = 0;

	choose_key(config, req, &a);
	if (r < 0 && r != ERR_NOT_FOUND) {
		status = fail("%s", errbuf_str(&eb, r));
		goto out;
	}
	if (r == 0) {
		a.creds = &creds;
		a.duration = cache_seconds(route_find(config, &req->ref, NULL), &creds);
	}
	r = put_answer(&out, &a);
	if (r < 0 || !out_write(out.data, out.len))
		status = fail("cannot write the response: %s", err_str(r < 0 ? r : ERR_IO));
out:
	buf_finish(&out);
	creds_finish(&creds);
	return status;
}

int cmd_kubelet(int argc, char **argv)
{
	struct buf in = BUF_INIT;
	struct config *config = NULL;
	struct request req = {0};
	struct errbuf eb = {{0}};
	const char *version = NULL, *image = NULL, *why = NULL;
	json_t *obj;
	int status = 1, r;

	if (argc != 1)
		return fail("usage: %s kubelet (the request on standard input)", DCR_NAME);
	obj = read_request(&in, &version, &image);
	if (!obj)
		goto out;
	req.key = image;
	if (ref_parse(image, &req.ref, &why) < 0) {
		fail("invalid image \"%s\": %s", image, why ? why : "malformed");
		goto out;
	}
	r = config_load_for(&req.ref, &config, &eb);
	if (r < 0) {
		fail("%s", errbuf_str(&eb, r));
		goto out;
	}
	status = answer(config, &req, version);
out:
	config_free(config);
	json_decref(obj);
	buf_finish(&in);
	return status;
}
