/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for route patterns: the input is "PATTERN\nKEY".  The
 * pattern is parsed, formatted and parsed again (the canonical text must be
 * stable and match exactly the same keys); the key is parsed as a caller's
 * key and matched against both.  A literal pattern without a repository must
 * match the registry it names.
 */
#include "fuzz.h"

#include "err.h"
#include "pattern.h"
#include "ref.h"

static void check_stable(const struct pattern *p, const struct ref *key, bool have_key)
{
	char text[REF_HOST_MAX + PATTERN_PATH_MAX + 16], again_text[sizeof(text)];
	struct pattern again;
	const char *why = NULL;

	pattern_format(p, text, sizeof(text));
	check(pattern_parse(text, &again, &why) == 0);
	pattern_format(&again, again_text, sizeof(again_text));
	check(strcmp(text, again_text) == 0);
	check(again.any == p->any && again.hub == p->hub && again.port == p->port);
	if (have_key)
		check(pattern_match(p, key) == pattern_match(&again, key));
}

/* "host[:port]" of a literal pattern, read as a registry, is matched by it. */
static void check_literal(const struct pattern *p)
{
	char text[REF_HOST_MAX + PATTERN_PATH_MAX + 16];
	struct ref r;

	if (!pattern_is_literal(p) || p->path[0])
		return;
	pattern_format(p, text, sizeof(text));
	if (ref_parse_registry(text, strlen(text), &r, NULL) == 0)
		check(pattern_match(p, &r));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size), *nl = strchr(text, '\n');
	const char *why = NULL;
	struct pattern p;
	struct ref key;
	bool have_key = false;
	int err;

	if (nl) {
		*nl = '\0';
		have_key = ref_parse(nl + 1, &key, NULL) == 0;
	}
	err = pattern_parse(text, &p, &why);
	if (err == 0) {
		check(why == NULL);
		if (have_key)
			(void)pattern_match(&p, &key);
		check_stable(&p, &key, have_key);
		check_literal(&p);
	} else {
		check(err == ERR_INVALID || err == ERR_TOO_LARGE);
		check(why != NULL && why[0] != '\0');
	}
	free(text);
	return 0;
}
