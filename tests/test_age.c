/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for src/age.c: identity parsing (Bech32), the permission check,
 * base64 and armor strictness, the input forms and age_looks_encrypted.  The
 * full conformance suite is tests/age-run.py over tests/data/age/vectors.
 */
#include "age.h"
#include "err.h"
#include "test.h"
#include "wipe.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

/* The main key of the C2SP CCTV age vectors and their "x25519" file. */
#define KEY "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
#define SHARE "TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc"
#define BODY "hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41FLE"
#define MAC "WyJp9F/9FOZh7gJdheq2WIJcwHgYc8NIVh3ddwhrcNg"
#define PAYLOAD                                                                                    \
	"\xee\xcf\x62\xc7\xce\x91\xb4\x33\x27\x4e\x68\xd4\xf2\xf9\x13\x4c\xb7\x4c\x5b\xfe\xf7"     \
	"\xbe\xaa\x52\xc8\xf0\xbc\x0e\x99\x2c\x1e\x83\x31\xfb\x66"
#define FILE_OF(share, body, mac)                                                                  \
	"age-encryption.org/v1\n-> X25519 " share "\n" body "\n--- " mac "\n" PAYLOAD
#define X25519_FILE FILE_OF(SHARE, BODY, MAC)

#define ARMOR_BODY                                                                                 \
	"YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBURWlGMHlwcXIrYnB2Y3FY\n"                       \
	"TnlDVkpwTDdPdXdQZFZ3UEw3S1FFYkZET0NjCmhqYWJHWHdTTFE5YzNTNkx3Mmkr\n"                       \
	"UzJUdTJmaXdRSEhzbGJCTjZCNDFGTEUKLS0tIFd5SnA5Ri85Rk9aaDdnSmRoZXEy\n"                       \
	"V0lKY3dIZ1ljOE5JVmgzZGR3aHJjTmcK7s9ix86RtDMnTmjU8vkTTLdMW/73vqpS\n"
#define ARMOR_OF(last)                                                                             \
	"-----BEGIN AGE ENCRYPTED FILE-----\n" ARMOR_BODY last                                     \
	"\n-----END AGE ENCRYPTED FILE-----\n"
#define ARMOR ARMOR_OF("yPC8DpksHoMx+2Y=")
#define ONE_LINE                                                                                   \
	"YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBURWlGMHlwcXIrYnB2Y3FY"                         \
	"TnlDVkpwTDdPdXdQZFZ3UEw3S1FFYkZET0NjCmhqYWJHWHdTTFE5YzNTNkx3Mmkr"                         \
	"UzJUdTJmaXdRSEhzbGJCTjZCNDFGTEUKLS0tIFd5SnA5Ri85Rk9aaDdnSmRoZXEy"                         \
	"V0lKY3dIZ1ljOE5JVmgzZGR3aHJjTmcK7s9ix86RtDMnTmjU8vkTTLdMW/73vqpS"

static struct age_identity *parse_ok(const char *text)
{
	struct age_identity *id = NULL;
	char why[256];

	test_assert_int(age_identity_parse(text, strlen(text), &id, why, sizeof why), 0);
	test_assert(id != NULL);
	return id;
}

/* Parsing text fails with err and a reason containing want (and no key bytes). */
static void parse_fails(const char *text, int err, const char *want)
{
	struct age_identity *id = (struct age_identity *)1;
	char why[256];

	test_assert_int(age_identity_parse(text, strlen(text), &id, why, sizeof why), err);
	test_assert(id == NULL);
	if (!strstr(why, want))
		fprintf(stderr, "reason \"%s\" lacks \"%s\"\n", why, want);
	test_assert(strstr(why, want) != NULL);
	test_assert(strstr(why, "EGTZVFFV") == NULL);
}

/* Decrypting in with the main key gives err; on success the plaintext "age". */
static void decrypt_is(const char *in, size_t len, int err, const char *want)
{
	struct age_identity *id = parse_ok(KEY "\n");
	unsigned char *plain = (unsigned char *)"x";
	size_t plain_len = 99;
	char why[256];

	test_assert_int(age_decrypt(id, in, len, &plain, &plain_len, why, sizeof why), err);
	if (err == 0) {
		test_assert_int(plain_len, 3);
		test_assert_str((const char *)plain, "age");
	} else {
		test_assert(plain == NULL);
		test_assert_int(plain_len, 0);
		if (!strstr(why, want))
			fprintf(stderr, "reason \"%s\" lacks \"%s\"\n", why, want);
		test_assert(strstr(why, want) != NULL);
	}
	free_secret_len(plain, plain_len);
	age_identity_free(id);
}

#define DECRYPT_IS(literal, err, want) decrypt_is(literal, sizeof(literal) - 1, err, want)

static void test_age_identity_bare_and_keygen_format(void)
{
	age_identity_free(parse_ok(KEY));
	age_identity_free(
	    parse_ok("# created: 2024-01-01T00:00:00Z\r\n"
	             "# public key: age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul"
	             "66mv4q47ryef\r\n\r\n" KEY "\r\n\n"));
	/* Bech32 may be all lower case. */
	age_identity_free(parse_ok("age-secret-key-1egtzvffv20835nwyv6270lxyvk2vknx2mmdkwyklmgr48"
	                           "uawx40q2p2lm0\n"));
}

static void test_age_identity_bech32_errors(void)
{
	parse_fails(KEY "\n"
	                "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2"
	                "P2LM2",
	            ERR_INVALID, "line 2: invalid identity (bad checksum)");
	parse_fails("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LMo",
	            ERR_INVALID, "mixed upper and lower case");
	parse_fails("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LB0",
	            ERR_INVALID, "invalid character");
	parse_fails("AGE-SECRET-KEY-1EGTZVFFV20835", ERR_INVALID, "bad checksum");
	parse_fails("AGE-SECRET-KEY-1", ERR_INVALID, "missing separator or checksum");
	/* Valid checksums over the wrong HRP, a 31- and a 33-byte key, set padding bits. */
	parse_fails("AGE-SECRET-KEY-1X1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40QSWYZTZ",
	            ERR_INVALID, "wrong prefix");
	parse_fails("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX5CRYY54",
	            ERR_INVALID, "wrong key length");
	parse_fails("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40QQVM65R3",
	            ERR_INVALID, "wrong key length");
	parse_fails("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40PHH72XA",
	            ERR_INVALID, "invalid padding");
	parse_fails("AGE-SECRET-KEY-1QQQSYQCYQ5RQWZQFPG9SCRGWPUGPZYSNZS23V9CCRYDPK8QARC0JQGFZYVJ"
	            "Z2F389Q5J52EV95HZ7VP3XGENGDFKXUURJW3M8S7NU06QG9PYX3Z9G2YYCF",
	            ERR_INVALID, "data too long");
}

static void test_age_identity_other_types(void)
{
	parse_fails("age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef", ERR_INVALID,
	            "line 1: not an age identity");
	parse_fails("# c\n\n" KEY " \n", ERR_INVALID, "line 3: invalid identity");
	parse_fails("AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A7PU2LHT8EH9W6YLNC3SW78XKG",
	            ERR_UNSUPPORTED, "unsupported identity type");
	parse_fails("AGE-PLUGIN-YUBIKEY-1QQQQQQ", ERR_UNSUPPORTED, "unsupported identity type");
	parse_fails("-----BEGIN OPENSSH PRIVATE KEY-----\n", ERR_UNSUPPORTED, "SSH");
	parse_fails("", ERR_INVALID, "no identities");
	parse_fails("# public key: age1...\n\n", ERR_INVALID, "no identities");
}

static int write_temp(char *path, const char *text)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void load_fails(const char *path, int err, const char *want)
{
	struct age_identity *id = NULL;
	char why[512];

	test_assert_int(age_identity_load(path, &id, why, sizeof why), err);
	test_assert(id == NULL);
	test_assert_str(why, want);
}

static void test_age_identity_load_permissions(void)
{
	static const mode_t bad_modes[] = {0644, 0640, 0604, 0660, 0606, 0610, 0601, 0666, 0777};
	char path[] = "/tmp/test_age_XXXXXX", want[600];
	struct age_identity *id = NULL;
	char why[512];
	int fd = write_temp(path, "# key\n" KEY "\n");

	test_assert(fd >= 0);
	if (fd < 0)
		return;
	test_assert_int(age_identity_load(path, &id, why, sizeof why), 0);
	age_identity_free(id);
	snprintf(want, sizeof want, "bad owner or permissions on %s (chmod 600 it)", path);
	for (size_t i = 0; i < sizeof bad_modes / sizeof bad_modes[0]; i++) {
		test_assert_int(fchmod(fd, bad_modes[i]), 0);
		load_fails(path, ERR_PERM, want);
	}
	test_assert_int(fchmod(fd, 0400), 0);
	test_assert_int(age_identity_load(path, &id, why, sizeof why), 0);
	age_identity_free(id);
	close(fd);
	unlink(path);
	snprintf(want, sizeof want, "cannot open %s: No such file or directory", path);
	load_fails(path, ERR_IO, want);
	load_fails("/tmp", ERR_INVALID, "/tmp is not a regular file");
}

static void test_age_identity_load_names_file(void)
{
	char path[] = "/tmp/test_age_XXXXXX", want[600];
	int fd = write_temp(path, "AGE-SECRET-KEY-1\n");

	test_assert(fd >= 0);
	if (fd < 0)
		return;
	snprintf(want, sizeof want, "%s: line 1: invalid identity (missing separator or checksum)",
	         path);
	load_fails(path, ERR_INVALID, want);
	close(fd);
	unlink(path);
}

static void test_age_decrypt_forms(void)
{
	DECRYPT_IS(X25519_FILE, 0, "");
	DECRYPT_IS(ARMOR, 0, "");
	DECRYPT_IS("\n \t" ARMOR "\r\n \n", 0, "");
	DECRYPT_IS(ONE_LINE "yPC8DpksHoMx+2Y=", 0, "");
	DECRYPT_IS("  " ONE_LINE "yPC8DpksHoMx+2Y=\n", 0, "");
}

static void test_age_decrypt_header_base64_strict(void)
{
	/* Non-canonical (unused bits set), padded, or truncated share, body and MAC. */
	DECRYPT_IS(FILE_OF("TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCd", BODY, MAC), ERR_INVALID,
	           "malformed header: X25519 stanza 1: the share is not canonical");
	DECRYPT_IS(FILE_OF(SHARE "=", BODY, MAC), ERR_INVALID, "the share is not canonical");
	DECRYPT_IS(FILE_OF("TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOC", BODY, MAC), ERR_INVALID,
	           "the share is not canonical");
	DECRYPT_IS(FILE_OF(SHARE, "hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41FLF", MAC), ERR_INVALID,
	           "malformed header: line 3: invalid or non-canonical base64");
	DECRYPT_IS(FILE_OF(SHARE, BODY "=", MAC), ERR_INVALID, "line 3: invalid or non-canonical");
	DECRYPT_IS(FILE_OF(SHARE, "hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41F", MAC), ERR_INVALID,
	           "line 3: invalid or non-canonical");
	DECRYPT_IS(FILE_OF(SHARE, "hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41", MAC), ERR_INVALID,
	           "the body is not 32 bytes");
	DECRYPT_IS(FILE_OF(SHARE, BODY, "WyJp9F/9FOZh7gJdheq2WIJcwHgYc8NIVh3ddwhrcNh"), ERR_INVALID,
	           "malformed header: line 4: malformed MAC line");
	DECRYPT_IS(FILE_OF(SHARE, BODY, MAC "="), ERR_INVALID, "malformed MAC line");
	DECRYPT_IS(FILE_OF(SHARE, BODY, "WyJp9F/9FOZh7gJdheq2WIJcwHgYc8NIVh3ddwhrcNQ"), ERR_INVALID,
	           "header MAC mismatch");
}

static void test_age_decrypt_armor_and_base64_strict(void)
{
	DECRYPT_IS(ARMOR_OF("yPC8DpksHoMx+2Y"), ERR_INVALID, "malformed armor: bad padding");
	DECRYPT_IS(ARMOR_OF("yPC8DpksHoMx+2Z="), ERR_INVALID, "malformed armor: bad padding");
	DECRYPT_IS(ARMOR_OF("yPC8DpksHoMx+2Y=="), ERR_INVALID, "malformed armor: bad padding");
	DECRYPT_IS(ARMOR_OF("yPC8DpksHoMx+2Y=\n"), ERR_INVALID, "malformed armor: line 7 is empty");
	DECRYPT_IS(ARMOR_OF("yPC8DpksHoMx+2Y= "), ERR_INVALID, "malformed armor: line 6: invalid");
	DECRYPT_IS(ARMOR "x", ERR_INVALID, "malformed armor: data after the END line");
	DECRYPT_IS("x\n" ARMOR, ERR_INVALID, "malformed armor: the first line is not");
	DECRYPT_IS("-----BEGIN AGE ENCRYPTED FILE-----\n" ARMOR_BODY "yPC8DpksHoMx+2Y=\n"
	           "-----END AGE ENCRYPTED FILE----- \n",
	           ERR_INVALID, "malformed armor: bad END line");
	DECRYPT_IS("-----BEGIN AGE ENCRYPTED FILE-----\r\n" ARMOR_BODY "yPC8DpksHoMx+2Y=\r\n"
	           "-----END AGE ENCRYPTED FILE-----\r",
	           0, "");
	DECRYPT_IS(ONE_LINE "yPC8DpksHoMx+2Y", ERR_INVALID, "malformed base64");
	DECRYPT_IS(ONE_LINE "yPC8DpksHoMx+2Z=", ERR_INVALID, "malformed base64");
	DECRYPT_IS("YWdl LWVu", ERR_INVALID, "malformed header: not an age file");
}

static void test_age_decrypt_failures_release_nothing(void)
{
	DECRYPT_IS("", ERR_INVALID, "malformed header: the file is empty");
	DECRYPT_IS("age-encryption.org/v1\n", ERR_INVALID, "truncated");
	DECRYPT_IS("age-encryption.org/v1\n--- " MAC "\n", ERR_INVALID, "no recipient stanzas");
	DECRYPT_IS(FILE_OF(SHARE, BODY, MAC) "x", ERR_INVALID, "payload authentication failed");
	decrypt_is(X25519_FILE, sizeof(X25519_FILE) - 2, ERR_INVALID,
	           "payload authentication failed");
	decrypt_is(X25519_FILE, sizeof(X25519_FILE) - 1 - 35 + 15, ERR_INVALID,
	           "malformed header: the file ends before the payload nonce");
	decrypt_is(X25519_FILE, sizeof(X25519_FILE) - 1 - 35 + 16, ERR_INVALID,
	           "payload is missing");
}

static void test_age_decrypt_no_match_reasons(void)
{
	struct age_identity *id = parse_ok("AGE-SECRET-KEY-143WN7DCXU4G8R5AXQSSYD9AEPYDNT3HXSLWSPK3"
	                                   "6CDU6E8M59SSSAGZ3KG");
	unsigned char *plain = NULL;
	size_t plain_len = 0;
	char why[256];

	test_assert_int(age_decrypt(id, X25519_FILE, sizeof(X25519_FILE) - 1, &plain, &plain_len,
	                            why, sizeof why),
	                ERR_NOT_FOUND);
	test_assert_str(why, "no identity matches: the file is encrypted to 1 X25519 "
	                     "recipient(s), none of them ours");
	test_assert(plain == NULL);
	age_identity_free(id);
	DECRYPT_IS("age-encryption.org/v1\n-> scrypt c2FsdHNhbHRzYWx0c2FsdA 18\n" BODY "\n--- " MAC
	           "\n",
	           ERR_UNSUPPORTED,
	           "no identity matches: the file is encrypted with a passphrase (scrypt), which "
	           "is not supported");
	DECRYPT_IS("age-encryption.org/v1\n-> X25519 " SHARE "\n" BODY
	           "\n-> scrypt c2FsdHNhbHRzYWx0c2FsdA 18\n" BODY "\n--- " MAC "\n",
	           ERR_INVALID,
	           "malformed header: an scrypt (passphrase) stanza must be the only stanza");
	DECRYPT_IS("age-encryption.org/v1\n-> ssh-ed25519 AAAA " SHARE "\n" BODY "\n--- " MAC "\n",
	           ERR_UNSUPPORTED,
	           "encrypted to an SSH key (ssh-ed25519), which is not supported");
	DECRYPT_IS("age-encryption.org/v1\n-> example.com/x\n\n--- " MAC "\n", ERR_NOT_FOUND,
	           "unknown type 'example.com/x'");
}

static void test_age_looks_encrypted(void)
{
	static const char *yes[] = {
	    X25519_FILE,
	    ARMOR,
	    "\n  " ARMOR,
	    ONE_LINE "yPC8DpksHoMx+2Y=",
	    " " ONE_LINE "yPC8DpksHoMx+2Y=\n",
	    "YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+",
	};
	static const char *no[] = {
	    "",
	    "hunter2",
	    "age-encryption.org/v2\n",
	    "-----BEGIN age ENCRYPTED FILE-----\n",
	    "-----BEGIN PGP MESSAGE-----\n",
	    "YWdlLWVuY3J5cHRpb24ub3JnL3Yx",
	    "YWdlLWVuY3J5cHRpb24ub3JnL3YyCi0+",
	    "YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+ x",
	    "c2VjcmV0IHBhc3N3b3JkIHRoYXQgaXMgbG9uZyBlbm91Z2g=",
	};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		test_assert(age_looks_encrypted(yes[i], strlen(yes[i])));
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		test_assert(!age_looks_encrypted(no[i], strlen(no[i])));
	test_assert(!age_looks_encrypted(NULL, 0));
}

static const struct test age_tests[] = {
    {"test_age_identity_bare_and_keygen_format", test_age_identity_bare_and_keygen_format},
    {"test_age_identity_bech32_errors", test_age_identity_bech32_errors},
    {"test_age_identity_other_types", test_age_identity_other_types},
    {"test_age_identity_load_permissions", test_age_identity_load_permissions},
    {"test_age_identity_load_names_file", test_age_identity_load_names_file},
    {"test_age_decrypt_forms", test_age_decrypt_forms},
    {"test_age_decrypt_header_base64_strict", test_age_decrypt_header_base64_strict},
    {"test_age_decrypt_armor_and_base64_strict", test_age_decrypt_armor_and_base64_strict},
    {"test_age_decrypt_failures_release_nothing", test_age_decrypt_failures_release_nothing},
    {"test_age_decrypt_no_match_reasons", test_age_decrypt_no_match_reasons},
    {"test_age_looks_encrypted", test_age_looks_encrypted},
};

TEST_MAIN(age_tests)
