/* SPDX-License-Identifier: MIT */
/*
 * dcr-age: decrypts one age-encrypted value for the front (src/sealed.c), so
 * that only this program links libcrypto.
 *
 *   request  {"identity_file": "/abs/or/relative/key.txt", "ciphertext": "..."}
 *   answer   {"plaintext": "..."}
 *
 * The ciphertext is ASCII armor or the binary file base64-encoded on one line
 * (age_decrypt takes either).  The identity file is permission-checked by
 * age_identity_load; keys and plaintext are wiped after use.
 */
#include <jansson.h>

#include "age.h"
#include "err.h"
#include "helper.h"
#include "wipe.h"

#define AGE_WHY_MAX 400

static int decrypt(const char *identity, const char *ciphertext, size_t len, json_t **answer,
                   struct errbuf *eb)
{
	struct age_identity *id = NULL;
	unsigned char *plain = NULL;
	size_t plain_len = 0;
	char why[AGE_WHY_MAX];
	int r = age_identity_load(identity, &id, why, sizeof(why));

	if (r < 0)
		return errbuf_set(eb, r, "%s", why);
	r = age_decrypt(id, ciphertext, len, &plain, &plain_len, why, sizeof(why));
	age_identity_free(id);
	if (r < 0)
		return errbuf_set(eb, r, "%s", why);
	/* json_stringn copies (into wiped memory) and refuses text that is not UTF-8. */
	*answer = json_pack("{s:s%}", "plaintext", (const char *)plain, plain_len);
	free_secret_len(plain, plain_len);
	if (!*answer)
		return errbuf_set(eb, ERR_INVALID, "the decrypted value is not UTF-8 text");
	return 0;
}

static int handle(json_t *request, json_t **answer, struct errbuf *eb)
{
	const char *identity = json_string_value(json_object_get(request, "identity_file"));
	json_t *ciphertext = json_object_get(request, "ciphertext");

	*answer = NULL;
	if (!identity || !*identity || !json_is_string(ciphertext))
		return errbuf_set(eb, ERR_INVALID,
		                  "the request needs identity_file and ciphertext strings");
	return decrypt(identity, json_string_value(ciphertext), json_string_length(ciphertext),
	               answer, eb);
}

int main(void)
{
	return helper_serve("dcr-age", handle);
}
