/* SPDX-License-Identifier: MIT */
#include "route.h"

const struct route *route_find(const struct config *config, const struct ref *ref,
			       size_t *pattern)
{
	for (size_t i = 0; i < config->count; i++) {
		const struct route *r = &config->routes[i];

		for (size_t p = 0; p < r->match_count; p++) {
			if (!pattern_match(&r->patterns[p], ref))
				continue;
			if (pattern)
				*pattern = p;
			return r;
		}
	}
	if (pattern)
		*pattern = ROUTE_DEFAULT;
	return &config->store;
}
