/* SPDX-License-Identifier: MIT */
#ifndef DCR_ROUTE_H
#define DCR_ROUTE_H

#include <stddef.h>

#include "config.h"
#include "ref.h"

#define ROUTE_DEFAULT ((size_t)-1)

/*
 * The first route (in file order) with a pattern matching ref, or the default
 * store when none does.  *pattern (may be NULL) gets the index of the pattern
 * that matched, or ROUTE_DEFAULT.
 */
const struct route *route_find(const struct config *config, const struct ref *ref,
			       size_t *pattern);

#endif
