/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "keypick.h"
#include "ref.h"
#include "test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The stored key keypick_best picks for key among stored (NULL: none). */
static const char *pick(const char *key, const char *const *stored, size_t n)
{
	struct ref ref;
	long best;

	if (ref_parse(key, &ref, NULL) < 0)
		return "(bad key)";
	best = keypick_best(key, &ref, stored, n);
	return best < 0 ? NULL : stored[best];
}

static void test_keypick_exact_first(void)
{
	static const char *const stored[] = {"https://ghcr.io", "ghcr.io", "ghcr.io/org"};

	test_assert_str(pick("ghcr.io", stored, COUNT(stored)), "ghcr.io");
	test_assert_str(pick("https://ghcr.io", stored, COUNT(stored)), "https://ghcr.io");
	test_assert_str(pick("ghcr.io/org", stored, COUNT(stored)), "ghcr.io/org");
}

static void test_keypick_hub_spellings(void)
{
	static const char *const docker[] = {"https://index.docker.io/v1/"};
	static const char *const podman[] = {"docker.io"};

	test_assert_str(pick("docker.io", docker, 1), "https://index.docker.io/v1/");
	test_assert_str(pick("index.docker.io", docker, 1), "https://index.docker.io/v1/");
	test_assert_str(pick("registry-1.docker.io", docker, 1), "https://index.docker.io/v1/");
	test_assert_str(pick("docker.io/library/nginx", docker, 1), "https://index.docker.io/v1/");
	test_assert_str(pick("https://index.docker.io/v1/", podman, 1), "docker.io");
}

static void test_keypick_longest_prefix(void)
{
	static const char *const stored[] = {"ghcr.io", "ghcr.io/org", "ghcr.io/org/team",
	                                     "ghcr.io/organisation"};

	test_assert_str(pick("ghcr.io/org/team/app", stored, COUNT(stored)), "ghcr.io/org/team");
	test_assert_str(pick("ghcr.io/org/app", stored, COUNT(stored)), "ghcr.io/org");
	test_assert_str(pick("ghcr.io/organisation/app", stored, COUNT(stored)),
	                "ghcr.io/organisation");
	test_assert_str(pick("ghcr.io/orgx/app", stored, COUNT(stored)), "ghcr.io");
}

static void test_keypick_no_match(void)
{
	static const char *const stored[] = {"ghcr.io/org", "quay.io", "ghcr.io:5000"};

	test_assert(pick("ghcr.io", stored, COUNT(stored)) ==
	            NULL); /* a longer path never answers */
	test_assert(pick("ghcr.io/other", stored, COUNT(stored)) == NULL);
	test_assert(pick("docker.io", stored, COUNT(stored)) == NULL);
	test_assert(pick("ghcr.io:5001", stored, COUNT(stored)) == NULL); /* ports differ */
	test_assert(pick("quay.io", NULL, 0) == NULL);
}

static void test_keypick_ties_sort(void)
{
	static const char *const stored[] = {"https://ghcr.io", "ghcr.io/", "http://ghcr.io"};

	/* All three are other spellings of ghcr.io: the one that sorts first wins. */
	test_assert_str(pick("GHCR.IO", stored, COUNT(stored)), "ghcr.io/");
}

static void test_keypick_same(void)
{
	struct ref ref;

	test_assert(ref_parse("docker.io", &ref, NULL) == 0);
	test_assert(keypick_same("docker.io", &ref, "https://index.docker.io/v1/"));
	test_assert(keypick_same("docker.io", &ref, "docker.io"));
	test_assert(!keypick_same("docker.io", &ref, "docker.io/library/nginx"));
	test_assert(!keypick_same("docker.io", &ref, "not a key"));
	test_assert(ref_parse("ghcr.io/org/app", &ref, NULL) == 0);
	test_assert(!keypick_same("ghcr.io/org/app", &ref, "ghcr.io/org"));
	test_assert_int(keypick_score("ghcr.io/org/app", &ref, "ghcr.io/org"), 4);
	test_assert_int(keypick_score("ghcr.io/org/app", &ref, "ghcr.io/org/app"), KEYPICK_EXACT);
	test_assert_int(keypick_score("ghcr.io/org/app", &ref, "https://ghcr.io/org/app"),
	                KEYPICK_SAME);
}

static const struct test keypick_tests[] = {
    {"test_keypick_exact_first", test_keypick_exact_first},
    {"test_keypick_hub_spellings", test_keypick_hub_spellings},
    {"test_keypick_longest_prefix", test_keypick_longest_prefix},
    {"test_keypick_no_match", test_keypick_no_match},
    {"test_keypick_ties_sort", test_keypick_ties_sort},
    {"test_keypick_same", test_keypick_same},
};

TEST_MAIN(keypick_tests)
