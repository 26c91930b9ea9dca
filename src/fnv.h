/* SPDX-License-Identifier: MIT */
#ifndef DCR_FNV_H
#define DCR_FNV_H

/*
 * 64-bit FNV-1a, for file names in the cache directory: not cryptographic,
 * and nothing relies on it being so (every file also stores what it is for).
 */

#include <stdint.h>

#define FNV64_OFFSET UINT64_C(0xcbf29ce484222325)

/* Hashes s including its terminating NUL, which separates the fields hashed in turn. */
static inline uint64_t fnv64_field(uint64_t h, const char *s)
{
	for (;; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
		if (!*s)
			return h;
	}
}

#endif
