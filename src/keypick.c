/* SPDX-License-Identifier: MIT */
#include "keypick.h"

#include <string.h>

/* True when prefix is "" or a leading run of whole components of path. */
static bool path_within(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return n == 0 || (strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

long keypick_score(const char *key, const struct ref *ref, const char *stored)
{
	struct ref s;

	if (strcmp(stored, key) == 0)
		return KEYPICK_EXACT;
	if (ref_parse(stored, &s, NULL) < 0 || strcmp(s.host, ref->host) != 0)
		return 0;
	if (strcmp(s.path, ref->path) == 0)
		return KEYPICK_SAME;
	if (path_within(ref->path, s.path))
		return 1 + (long)strlen(s.path);
	return 0;
}

long keypick_best(const char *key, const struct ref *ref, const char *const *stored, size_t n)
{
	long best = -1, best_score = 0;

	for (size_t i = 0; i < n; i++) {
		long score = keypick_score(key, ref, stored[i]);

		if (score == 0 || score < best_score)
			continue;
		if (score == best_score && strcmp(stored[i], stored[best]) >= 0)
			continue;
		best = (long)i;
		best_score = score;
	}
	return best;
}

bool keypick_same(const char *key, const struct ref *ref, const char *stored)
{
	return keypick_score(key, ref, stored) >= KEYPICK_SAME;
}
