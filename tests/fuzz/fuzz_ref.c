/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for reference normalisation: the input is a caller key
 * as docker, podman, the kubelet or thin-edge send it.  ref_parse,
 * ref_parse_repo and ref_parse_registry must accept it with a well-formed
 * result or refuse it with a reason; a parsed key is formatted, parsed again
 * as a repository (as the static backend and the cache read it back) and
 * must name the same registry and repository.
 */
#include "fuzz.h"

#include "err.h"
#include "ref.h"

static void check_ref(const struct ref *r)
{
	size_t n = strnlen(r->host, sizeof(r->host));

	check(n > 0 && n < sizeof(r->host));
	check(strnlen(r->path, sizeof(r->path)) < sizeof(r->path));
	for (size_t i = 0; i < n; i++)
		check(!(r->host[i] >= 'A' && r->host[i] <= 'Z'));
	check(r->path[0] != '/' && (!r->path[0] || r->path[strlen(r->path) - 1] != '/'));
	check(r->hub == (strcmp(r->host, "docker.io") == 0));
}

static void check_result(int err, const struct ref *r, const char *why)
{
	if (err == 0) {
		check(why == NULL);
		check_ref(r);
		return;
	}
	check(err == ERR_INVALID || err == ERR_TOO_LARGE);
	check(why != NULL && why[0] != '\0');
	check(r->host[0] == '\0' && r->path[0] == '\0');
}

/* host/path written out and read back as a repository names the same thing. */
static void check_round_trip(const struct ref *r)
{
	char text[REF_HOST_MAX + REF_PATH_MAX];
	struct ref again;
	const char *why = NULL;

	ref_format(r, text, sizeof(text));
	check(ref_parse_repo(text, &again, &why) == 0);
	check(strcmp(again.host, r->host) == 0 && strcmp(again.path, r->path) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *key = fuzz_strdup(data, size);
	const char *why = NULL;
	struct ref r;
	int err;

	err = ref_parse(key, &r, &why);
	check_result(err, &r, why);
	if (err == 0)
		check_round_trip(&r);
	why = NULL;
	err = ref_parse_repo(key, &r, &why);
	check_result(err, &r, why);
	if (err == 0)
		check_round_trip(&r);
	why = NULL;
	err = ref_parse_registry(key, strlen(key), &r, &why);
	check_result(err, &r, why);
	check(err != 0 || r.path[0] == '\0');
	free(key);
	return 0;
}
