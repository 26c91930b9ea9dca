/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for age files (headers, stanzas, armor, the one-line
 * base64 form, the payload): the input is decrypted with a fixed X25519
 * identity (the C2SP CCTV test key, so that the vectors in the seed corpus
 * reach the payload).  Decryption must succeed with a NUL-terminated
 * plaintext or fail with a one-line reason and no plaintext.  The same input
 * is also read as an identity file.
 */
#include "fuzz.h"

#include "age.h"
#include "err.h"
#include "wipe.h"

#define CCTV_KEY "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"

static struct age_identity *identity;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[200];

	(void)argc;
	(void)argv;
	check(age_identity_parse(CCTV_KEY "\n", sizeof(CCTV_KEY), &identity, why, sizeof(why)) ==
	      0);
	return 0;
}

static void check_why(const char *why)
{
	check(why[0] != '\0' && !strchr(why, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct age_identity *other = NULL;
	unsigned char *plain = NULL;
	size_t plain_len = 0;
	char why[300] = "";
	int err;

	(void)age_looks_encrypted((const char *)data, size);
	err = age_decrypt(identity, data, size, &plain, &plain_len, why, sizeof(why));
	if (err == 0) {
		check(plain != NULL && plain[plain_len] == '\0');
		free_secret_len(plain, plain_len);
	} else {
		check(plain == NULL);
		check(err == ERR_INVALID || err == ERR_NOT_FOUND || err == ERR_UNSUPPORTED ||
		      err == ERR_NOMEM || err == ERR_TOO_LARGE);
		check_why(why);
	}
	why[0] = '\0';
	err = age_identity_parse((const char *)data, size, &other, why, sizeof(why));
	if (err < 0) {
		check(other == NULL);
		check_why(why);
	}
	age_identity_free(other);
	return 0;
}
