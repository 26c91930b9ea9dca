/* SPDX-License-Identifier: MIT */
#ifndef DCR_KEYPICK_H
#define DCR_KEYPICK_H

#include <stdbool.h>
#include <stddef.h>

#include "ref.h"

/*
 * Choosing among keys stored verbatim, as Docker's helpers store ServerURL
 * (the Secret Service backend): a request for key K is answered by
 *   1. an item stored under exactly K;
 *   2. else one stored under another spelling of the same registry and
 *      repository ("docker.io", "index.docker.io" and
 *      "https://index.docker.io/v1/" are one registry; "https://ghcr.io/" and
 *      "ghcr.io" too);
 *   3. else one for the same registry whose repository is the longest prefix
 *      of K's by whole components ("ghcr.io/org" answers "ghcr.io/org/app").
 * Ties go to the stored key that sorts first (strcmp), so answers are stable.
 */

#define KEYPICK_SAME (1L << 20)  /* same registry and repository, other spelling */
#define KEYPICK_EXACT (1L << 21) /* the very key */

/* 0 when stored does not answer key (parsed as ref); higher scores answer better. */
long keypick_score(const char *key, const struct ref *ref, const char *stored);

/* The index of the best of n stored keys, or -1 when none answers. */
long keypick_best(const char *key, const struct ref *ref, const char *const *stored, size_t n);

/* Whether stored names key's registry and repository (so storing key replaces it). */
bool keypick_same(const char *key, const struct ref *ref, const char *stored);

#endif
