/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for src/base64.c: the RFC 4648 section 10 vectors and every
 * rejection rule (characters, padding, trailing bits, lengths) of each mode.
 */
#include "base64.h"
#include "err.h"
#include "test.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
#define ALPHABET_BYTES                                                                             \
	"\x00\x10\x83\x10\x51\x87\x20\x92\x8b\x30\xd3\x8f\x41\x14\x93\x51\x55\x97\x61\x96\x9b\x71" \
	"\xd7\x9f\x82\x18\xa3\x92\x59\xa7\xa2\x9a\xab\xb2\xdb\xaf\xc3\x1c\xb3\xd3\x5d\xb7\xe3\x9e" \
	"\xbb\xf3\xdf\xbf"

enum { OUT_MAX = 64, GUARD = 0xa5 };

/* s decodes in mode to exactly want, writing nothing past it. */
static bool decodes(const char *s, size_t len, enum base64_mode mode, const char *want,
                    size_t want_len)
{
	unsigned char out[OUT_MAX];
	size_t got = 99;
	int err;

	if (base64_decoded_max(len) > sizeof out)
		return false;
	memset(out, GUARD, sizeof out);
	err = base64_decode(s, len, mode, out, &got);
	if (err != 0 || got != want_len || memcmp(out, want, want_len) != 0) {
		fprintf(stderr, "mode %d, \"%.*s\": returned %d, %zu bytes\n", (int)mode, (int)len,
		        s, err, got);
		return false;
	}
	for (size_t i = got; i < sizeof out; i++)
		if (out[i] != GUARD)
			return false;
	return true;
}

/* s is refused in mode with ERR_INVALID, and the length out-parameter is cleared. */
static bool rejects(const char *s, size_t len, enum base64_mode mode)
{
	unsigned char out[OUT_MAX];
	size_t got = 99;
	int err;

	if (base64_decoded_max(len) > sizeof out)
		return false;
	err = base64_decode(s, len, mode, out, &got);
	if (err != ERR_INVALID || got != 0) {
		fprintf(stderr, "mode %d, \"%.*s\": returned %d, %zu bytes\n", (int)mode, (int)len,
		        s, err, got);
		return false;
	}
	return true;
}

/* String literals, so that embedded NULs count. */
#define DECODES(s, mode, want) test_assert(decodes(s, sizeof(s) - 1, mode, want, sizeof(want) - 1))
#define REJECTS(s, mode) test_assert(rejects(s, sizeof(s) - 1, mode))

static void test_base64_rfc4648_padded(void)
{
	DECODES("", BASE64_PADDED, "");
	DECODES("Zg==", BASE64_PADDED, "f");
	DECODES("Zm8=", BASE64_PADDED, "fo");
	DECODES("Zm9v", BASE64_PADDED, "foo");
	DECODES("Zm9vYg==", BASE64_PADDED, "foob");
	DECODES("Zm9vYmE=", BASE64_PADDED, "fooba");
	DECODES("Zm9vYmFy", BASE64_PADDED, "foobar");
	DECODES(ALPHABET, BASE64_PADDED, ALPHABET_BYTES);
}

static void test_base64_rfc4648_unpadded(void)
{
	DECODES("", BASE64_UNPADDED, "");
	DECODES("Zg", BASE64_UNPADDED, "f");
	DECODES("Zm8", BASE64_UNPADDED, "fo");
	DECODES("Zm9v", BASE64_UNPADDED, "foo");
	DECODES("Zm9vYg", BASE64_UNPADDED, "foob");
	DECODES("Zm9vYmE", BASE64_UNPADDED, "fooba");
	DECODES("Zm9vYmFy", BASE64_UNPADDED, "foobar");
	DECODES(ALPHABET, BASE64_UNPADDED, ALPHABET_BYTES);
}

static void test_base64_rfc4648_lenient(void)
{
	DECODES("", BASE64_LENIENT, "");
	DECODES("Zg==", BASE64_LENIENT, "f");
	DECODES("Zm8=", BASE64_LENIENT, "fo");
	DECODES("Zm9v", BASE64_LENIENT, "foo");
	DECODES("Zm9vYg==", BASE64_LENIENT, "foob");
	DECODES("Zm9vYmE=", BASE64_LENIENT, "fooba");
	DECODES("Zm9vYmFy", BASE64_LENIENT, "foobar");
	DECODES("Zg", BASE64_LENIENT, "f");
	DECODES("Zm8", BASE64_LENIENT, "fo");
	DECODES("Zm9vYg", BASE64_LENIENT, "foob");
	DECODES("Zm9vYmE", BASE64_LENIENT, "fooba");
	DECODES(ALPHABET, BASE64_LENIENT, ALPHABET_BYTES);
}

static void test_base64_padded_rejects(void)
{
	/* not a multiple of four characters */
	REJECTS("Zg", BASE64_PADDED);
	REJECTS("Zm8", BASE64_PADDED);
	REJECTS("Zg=", BASE64_PADDED);
	REJECTS("Zg===", BASE64_PADDED);
	REJECTS("Zm9vYg=", BASE64_PADDED);
	REJECTS("Zm9vY", BASE64_PADDED);
	/* more than two '=', or '=' before the end */
	REJECTS("Z===", BASE64_PADDED);
	REJECTS("====", BASE64_PADDED);
	REJECTS("Zg======", BASE64_PADDED);
	REJECTS("Zg==Zm8=", BASE64_PADDED);
	REJECTS("Z=g=", BASE64_PADDED);
	REJECTS("=Zm9", BASE64_PADDED);
	/* unused bits of the last character not zero */
	REJECTS("Zh==", BASE64_PADDED);
	REJECTS("Zm9=", BASE64_PADDED);
	REJECTS("Zm9vYh==", BASE64_PADDED);
	REJECTS("Zm9vYmF=", BASE64_PADDED);
	/* characters outside the standard alphabet */
	REJECTS("Zm9-", BASE64_PADDED);
	REJECTS("Zm9_", BASE64_PADDED);
	REJECTS("Zm9 ", BASE64_PADDED);
	REJECTS("Zm9\nYmFy", BASE64_PADDED);
	REJECTS("Zm9\0", BASE64_PADDED);
	REJECTS("Zm9\x80", BASE64_PADDED);
	REJECTS("Zm9\xff", BASE64_PADDED);
}

static void test_base64_unpadded_rejects(void)
{
	/* any '=' */
	REJECTS("Zg==", BASE64_UNPADDED);
	REJECTS("Zm8=", BASE64_UNPADDED);
	REJECTS("Zg=", BASE64_UNPADDED);
	REJECTS("=", BASE64_UNPADDED);
	REJECTS("Zm=v", BASE64_UNPADDED);
	/* one character over a multiple of four */
	REJECTS("Z", BASE64_UNPADDED);
	REJECTS("Zm9vY", BASE64_UNPADDED);
	/* unused bits of the last character not zero */
	REJECTS("Zh", BASE64_UNPADDED);
	REJECTS("Zm9", BASE64_UNPADDED);
	REJECTS("Zm9vYh", BASE64_UNPADDED);
	REJECTS("Zm9vYmF", BASE64_UNPADDED);
	/* characters outside the standard alphabet */
	REJECTS("Zm9-", BASE64_UNPADDED);
	REJECTS("Zm9_", BASE64_UNPADDED);
	REJECTS("Zm 9", BASE64_UNPADDED);
	REJECTS("Zm9\r", BASE64_UNPADDED);
	REJECTS("Zm9\0", BASE64_UNPADDED);
	REJECTS("Zm9\x80", BASE64_UNPADDED);
}

static void test_base64_lenient_accepts(void)
{
	/* any run of trailing '=', or none */
	DECODES("Zg=", BASE64_LENIENT, "f");
	DECODES("Zg===", BASE64_LENIENT, "f");
	DECODES("Zg=====", BASE64_LENIENT, "f");
	DECODES("Zm9v=", BASE64_LENIENT, "foo");
	DECODES("=", BASE64_LENIENT, "");
	DECODES("====", BASE64_LENIENT, "");
	/* unused bits of the last character are ignored */
	DECODES("Zh", BASE64_LENIENT, "f");
	DECODES("Zh==", BASE64_LENIENT, "f");
	DECODES("Zm9=", BASE64_LENIENT, "fo");
	DECODES("QV", BASE64_LENIENT, "A");
}

static void test_base64_lenient_rejects(void)
{
	/* one character over a multiple of four once the '=' are dropped */
	REJECTS("Z", BASE64_LENIENT);
	REJECTS("Z=", BASE64_LENIENT);
	REJECTS("Z===", BASE64_LENIENT);
	REJECTS("Zm9vY", BASE64_LENIENT);
	REJECTS("Zm9vY==", BASE64_LENIENT);
	/* '=' before the end */
	REJECTS("Zg==Zm8=", BASE64_LENIENT);
	REJECTS("=Zg", BASE64_LENIENT);
	REJECTS("Zm=v", BASE64_LENIENT);
	/* characters outside the standard alphabet */
	REJECTS("QV-T", BASE64_LENIENT);
	REJECTS("Zm9_", BASE64_LENIENT);
	REJECTS("Zm9 ", BASE64_LENIENT);
	REJECTS("Zm9\n", BASE64_LENIENT);
	REJECTS("Zm9\0", BASE64_LENIENT);
	REJECTS("Zm9\xff", BASE64_LENIENT);
}

static void test_base64_decoded_max(void)
{
	test_assert_int(base64_decoded_max(0), 3);
	test_assert_int(base64_decoded_max(2), 3);
	test_assert_int(base64_decoded_max(4), 6);
	test_assert_int(base64_decoded_max(43), 33);
	test_assert_int(base64_decoded_max(44), 36);
	test_assert_int(base64_decoded_max(64), 51);
}

static void test_base64_in_alphabet(void)
{
	test_assert(base64_in_alphabet("", 0, false));
	test_assert(base64_in_alphabet(ALPHABET, strlen(ALPHABET), false));
	test_assert(base64_in_alphabet("Zg==", 4, true));
	test_assert(!base64_in_alphabet("Zg==", 4, false));
	test_assert(base64_in_alphabet("=Z=g", 4, true));
	test_assert(!base64_in_alphabet("Zm9-", 4, true));
	test_assert(!base64_in_alphabet("Zm9_", 4, true));
	test_assert(!base64_in_alphabet("Zm 9", 4, true));
	test_assert(!base64_in_alphabet("Zm9\n", 4, true));
	test_assert(!base64_in_alphabet("Zm9\0", 4, true));
	test_assert(!base64_in_alphabet("Zm9\x80", 4, true));
}

static const struct test base64_tests[] = {
    {"test_base64_rfc4648_padded", test_base64_rfc4648_padded},
    {"test_base64_rfc4648_unpadded", test_base64_rfc4648_unpadded},
    {"test_base64_rfc4648_lenient", test_base64_rfc4648_lenient},
    {"test_base64_padded_rejects", test_base64_padded_rejects},
    {"test_base64_unpadded_rejects", test_base64_unpadded_rejects},
    {"test_base64_lenient_accepts", test_base64_lenient_accepts},
    {"test_base64_lenient_rejects", test_base64_lenient_rejects},
    {"test_base64_decoded_max", test_base64_decoded_max},
    {"test_base64_in_alphabet", test_base64_in_alphabet},
};

TEST_MAIN(base64_tests)
