/* SPDX-License-Identifier: MIT */
/*
 * The cryptography of age decryption, on OpenSSL 3 libcrypto: X25519 stanza
 * unwrapping (X25519, HKDF-SHA-256, ChaCha20-Poly1305), the header MAC and
 * the STREAM payload.  The whole payload is decrypted into one buffer that
 * is handed out only when every chunk has authenticated, and wiped otherwise.
 */
#include "age_internal.h"

#include "base64.h"
#include "err.h"
#include "wipe.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#define X25519_INFO "age-encryption.org/v1/X25519"

/* ---- libcrypto primitives ---------------------------------------------- */

/* HKDF-SHA-256 with 32 bytes of output; an empty salt is left unset (zeros). */
static int hkdf_sha256(const unsigned char *ikm, size_t ikm_len, const unsigned char *salt,
                       size_t salt_len, const char *info, unsigned char out[KEY_LEN])
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[5], *p = params;
	int err = ERR_BACKEND;

	if (!ctx)
		goto out;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len);
	if (salt_len)
		*p++ =
		    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, KEY_LEN, params) == 1)
		err = 0;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return err;
}

static int hmac_sha256(const unsigned char key[KEY_LEN], const unsigned char *data, size_t len,
                       unsigned char out[KEY_LEN])
{
	size_t out_len = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, KEY_LEN, data, len, out, KEY_LEN,
	               &out_len) ||
	    out_len != KEY_LEN)
		return ERR_BACKEND;
	return 0;
}

static bool all_zero(const unsigned char *p, size_t len)
{
	unsigned char acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

int age_x25519_public(const unsigned char secret[KEY_LEN], unsigned char pub[KEY_LEN])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, secret, KEY_LEN);
	size_t len = KEY_LEN;
	int err = ERR_BACKEND;

	if (key && EVP_PKEY_get_raw_public_key(key, pub, &len) == 1 && len == KEY_LEN)
		err = 0;
	EVP_PKEY_free(key);
	return err;
}

/*
 * X25519(secret, peer).  ERR_INVALID for an all-zero result (a low-order
 * peer point): OpenSSL refuses to derive it, and we check again.
 */
static int x25519_shared(const unsigned char secret[KEY_LEN], const unsigned char peer[KEY_LEN],
                         unsigned char out[KEY_LEN])
{
	EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, secret, KEY_LEN);
	EVP_PKEY *pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, KEY_LEN);
	EVP_PKEY_CTX *ctx = priv ? EVP_PKEY_CTX_new(priv, NULL) : NULL;
	size_t len = KEY_LEN;
	int err = ERR_BACKEND;

	if (!ctx || !pub || EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, pub, 0) != 1)
		goto out;
	err = ERR_INVALID;
	if (EVP_PKEY_derive(ctx, out, &len) != 1 || len != KEY_LEN || all_zero(out, KEY_LEN))
		goto out;
	err = 0;
out:
	if (err)
		wipe(out, KEY_LEN);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
	return err;
}

/*
 * ChaCha20-Poly1305 open of in (ciphertext || tag, TAG_LEN <= in_len <=
 * CHUNK_LEN + TAG_LEN) with empty associated data.  ERR_INVALID when it does
 * not authenticate; out may then hold garbage the caller must wipe.
 */
static int aead_open(const unsigned char key[KEY_LEN], const unsigned char nonce[AEAD_NONCE_LEN],
                     const unsigned char *in, size_t in_len, unsigned char *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t ct_len = in_len - TAG_LEN;
	int n = 0, err = ERR_BACKEND;

	if (!ctx || EVP_DecryptInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, nonce) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, (void *)(in + ct_len)) != 1)
		goto out;
	if (ct_len && EVP_DecryptUpdate(ctx, out, &n, in, (int)ct_len) != 1)
		goto out;
	err = EVP_DecryptFinal_ex(ctx, out + n, &n) == 1 ? 0 : ERR_INVALID;
out:
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

/* ---- stanza unwrapping -------------------------------------------------- */

static bool type_is(const struct stanza *s, const char *type)
{
	return line_is(s->type, s->type_len, type);
}

/* The X25519 stanza rules: one share argument, canonical, 32 bytes; a 32-byte body. */
static int x25519_share(const struct stanza *s, size_t index, unsigned char share[KEY_LEN],
                        struct reason *r)
{
	unsigned char buf[KEY_LEN + 3];
	size_t got = 0;

	if (s->argc != 1)
		return age_fail(
		    r, ERR_INVALID,
		    "malformed header: X25519 stanza %zu must have exactly one argument",
		    index + 1);
	if (s->args_len != B64_KEY_LEN ||
	    base64_decode(s->args, s->args_len, BASE64_UNPADDED, buf, &got) != 0 || got != KEY_LEN)
		return age_fail(r, ERR_INVALID,
		                "malformed header: X25519 stanza %zu: the share is not canonical "
		                "base64 of 32 bytes",
		                index + 1);
	if (s->body_len != FILE_KEY_LEN + TAG_LEN)
		return age_fail(r, ERR_INVALID,
		                "malformed header: X25519 stanza %zu: the body is not 32 bytes",
		                index + 1);
	memcpy(share, buf, KEY_LEN);
	return 0;
}

/*
 * Check the form of every stanza we know before unwrapping any.  An scrypt
 * stanza must be alone (spec: the identity MUST reject mixed headers); alone,
 * it is a passphrase we do not support.
 */
static int check_stanzas(const struct header *h, struct reason *r)
{
	unsigned char share[KEY_LEN];
	size_t scrypt = 0;
	int err;

	for (size_t i = 0; i < h->count; i++) {
		if (type_is(&h->stanzas[i], "scrypt"))
			scrypt++;
		if (!type_is(&h->stanzas[i], "X25519"))
			continue;
		err = x25519_share(&h->stanzas[i], i, share, r);
		if (err)
			return err;
	}
	if (scrypt && h->count > 1)
		return age_fail(r, ERR_INVALID,
		                "malformed header: an scrypt (passphrase) stanza must be the only "
		                "stanza");
	if (scrypt)
		return age_fail(r, ERR_UNSUPPORTED,
		                "no identity matches: the file is encrypted with a passphrase "
		                "(scrypt), which is not supported");
	return 0;
}

/* ERR_NOT_FOUND when the stanza is not for this key, ERR_INVALID for a low-order share. */
static int x25519_unwrap(const struct x25519_key *key, const unsigned char share[KEY_LEN],
                         const unsigned char *body, unsigned char file_key[FILE_KEY_LEN])
{
	static const unsigned char zero_nonce[AEAD_NONCE_LEN];
	unsigned char shared[KEY_LEN], salt[2 * KEY_LEN], wrap_key[KEY_LEN];
	unsigned char out[FILE_KEY_LEN];
	int err;

	err = x25519_shared(key->secret, share, shared);
	if (err)
		goto out;
	memcpy(salt, share, KEY_LEN);
	memcpy(salt + KEY_LEN, key->public, KEY_LEN);
	err = hkdf_sha256(shared, KEY_LEN, salt, sizeof salt, X25519_INFO, wrap_key);
	if (err)
		goto out;
	err = aead_open(wrap_key, zero_nonce, body, FILE_KEY_LEN + TAG_LEN, out);
	if (err == ERR_INVALID)
		err = ERR_NOT_FOUND;
	if (!err)
		memcpy(file_key, out, FILE_KEY_LEN);
out:
	wipe(shared, sizeof shared);
	wipe(wrap_key, sizeof wrap_key);
	wipe(out, sizeof out);
	return err;
}

static const struct {
	const char *type;
	const char *what;
} unsupported_types[] = {
    {"ssh-ed25519", "an SSH key (ssh-ed25519)"},
    {"ssh-rsa", "an SSH key (ssh-rsa)"},
    {"mlkem768x25519", "a post-quantum hybrid key (mlkem768x25519)"},
    {"p256tag", "a hardware key (p256tag)"},
    {"mlkem768p256tag", "a post-quantum hardware key (mlkem768p256tag)"},
};

static const char *unsupported_what(const struct stanza *s)
{
	for (size_t i = 0; i < sizeof unsupported_types / sizeof unsupported_types[0]; i++)
		if (type_is(s, unsupported_types[i].type))
			return unsupported_types[i].what;
	return NULL;
}

/* Say why nothing matched: other X25519 keys, or recipient types we lack. */
static int no_match(const struct header *h, struct reason *r)
{
	const struct stanza *unknown = NULL;
	const char *what = NULL;
	size_t x25519 = 0;

	for (size_t i = 0; i < h->count; i++) {
		const struct stanza *s = &h->stanzas[i];

		if (type_is(s, "X25519"))
			x25519++;
		else if (!what && unsupported_what(s))
			what = unsupported_what(s);
		else if (!unknown)
			unknown = s;
	}
	if (what && x25519)
		return age_fail(
		    r, ERR_UNSUPPORTED,
		    "no identity matches: the file's %zu X25519 recipient(s) are not ours, "
		    "and it is also encrypted to %s, which is not supported",
		    x25519, what);
	if (what)
		return age_fail(r, ERR_UNSUPPORTED,
		                "no identity matches: the file is encrypted to %s, which is not "
		                "supported",
		                what);
	if (x25519)
		return age_fail(r, ERR_NOT_FOUND,
		                "no identity matches: the file is encrypted to %zu X25519 "
		                "recipient(s), none of them ours",
		                x25519);
	return age_fail(r, ERR_NOT_FOUND,
	                "no identity matches: the file has no X25519 recipient, only stanzas of "
	                "unknown type '%.*s' (an age plugin?)",
	                (int)(unknown->type_len > 40 ? 40 : unknown->type_len), unknown->type);
}

/* Try every identity on one X25519 stanza: 0, ERR_NOT_FOUND or a failure. */
static int x25519_try(const struct age_identity *id, const struct stanza *s, size_t index,
                      unsigned char file_key[FILE_KEY_LEN], struct reason *r)
{
	unsigned char share[KEY_LEN];
	int err = x25519_share(s, index, share, r);

	if (err)
		return err;
	for (size_t k = 0; k < id->count; k++) {
		err = x25519_unwrap(&id->keys[k], share, s->body, file_key);
		if (err == ERR_INVALID)
			return age_fail(
			    r, err,
			    "malformed header: X25519 stanza %zu: the share is a low-order "
			    "point (all-zero shared secret)",
			    index + 1);
		if (err != ERR_NOT_FOUND)
			return err ? age_fail(r, err, "X25519 unwrapping failed in libcrypto") : 0;
	}
	return ERR_NOT_FOUND;
}

int age_unwrap_file_key(const struct age_identity *id, const struct header *h,
                        unsigned char file_key[FILE_KEY_LEN], struct reason *r)
{
	int err = check_stanzas(h, r);

	if (err)
		return err;
	for (size_t i = 0; i < h->count; i++) {
		if (!type_is(&h->stanzas[i], "X25519"))
			continue;
		err = x25519_try(id, &h->stanzas[i], i, file_key, r);
		if (err != ERR_NOT_FOUND)
			return err;
	}
	return no_match(h, r);
}

int age_verify_mac(const unsigned char file_key[FILE_KEY_LEN], const unsigned char *buf,
                   const struct header *h, struct reason *r)
{
	unsigned char key[KEY_LEN], mac[KEY_LEN];
	int err = hkdf_sha256(file_key, FILE_KEY_LEN, NULL, 0, "header", key);

	if (!err)
		err = hmac_sha256(key, buf, h->mac_input_len, mac);
	if (err)
		age_fail(r, err, "HMAC-SHA-256 failed in libcrypto");
	else if (CRYPTO_memcmp(mac, h->mac, KEY_LEN) != 0)
		err = age_fail(r, ERR_INVALID,
		               "header MAC mismatch (the header was modified, or the file key "
		               "is wrong)");
	wipe(key, sizeof key);
	wipe(mac, sizeof mac);
	return err;
}

/* ---- payload (STREAM) --------------------------------------------------- */

/* 11-byte big-endian chunk counter, then 0x01 for the final chunk. */
static void chunk_nonce(size_t index, bool last, unsigned char nonce[AEAD_NONCE_LEN])
{
	memset(nonce, 0, AEAD_NONCE_LEN);
	for (int i = AEAD_NONCE_LEN - 2; i >= 0 && index; i--) {
		nonce[i] = (unsigned char)(index & 0xff);
		index >>= 8;
	}
	nonce[AEAD_NONCE_LEN - 1] = last ? 1 : 0;
}

static int decrypt_chunks(const unsigned char key[KEY_LEN], const unsigned char *ct, size_t ct_len,
                          size_t chunks, unsigned char *out, struct reason *r)
{
	const size_t full = CHUNK_LEN + TAG_LEN;
	unsigned char nonce[AEAD_NONCE_LEN];
	int err;

	for (size_t i = 0; i < chunks; i++) {
		bool last = i + 1 == chunks;

		chunk_nonce(i, last, nonce);
		err = aead_open(key, nonce, ct + i * full, last ? ct_len - i * full : full,
		                out + i * CHUNK_LEN);
		if (err == ERR_INVALID)
			return age_fail(
			    r, err,
			    "payload authentication failed at chunk %zu of %zu (the file is "
			    "truncated or was modified)",
			    i + 1, chunks);
		if (err)
			return age_fail(r, err, "ChaCha20-Poly1305 failed in libcrypto");
	}
	return 0;
}

/* p is the payload after the nonce's 16 bytes were checked to be there. */
int age_payload_decrypt(const unsigned char file_key[FILE_KEY_LEN], const unsigned char *p,
                        size_t len, unsigned char **plain, size_t *plain_len, struct reason *r)
{
	const size_t full = CHUNK_LEN + TAG_LEN;
	size_t ct_len = len - PAYLOAD_NONCE_LEN, chunks, last_len, out_len;
	unsigned char key[KEY_LEN], *out = NULL;
	int err;

	if (ct_len == 0)
		return age_fail(r, ERR_INVALID, "payload is missing (the file is truncated)");
	chunks = (ct_len + full - 1) / full;
	last_len = ct_len - (chunks - 1) * full;
	if (last_len < TAG_LEN)
		return age_fail(
		    r, ERR_INVALID,
		    "payload ends in a fragment shorter than a tag (truncated, or trailing "
		    "data)");
	if (last_len == TAG_LEN && chunks > 1)
		return age_fail(r, ERR_INVALID,
		                "payload ends with an empty chunk after a full one");
	out_len = ct_len - chunks * TAG_LEN;
	out = malloc(out_len + 1);
	if (!out)
		return age_fail(r, ERR_NOMEM, "out of memory");
	err = hkdf_sha256(file_key, FILE_KEY_LEN, p, PAYLOAD_NONCE_LEN, "payload", key);
	if (err)
		age_fail(r, err, "HKDF failed in libcrypto");
	else
		err = decrypt_chunks(key, p + PAYLOAD_NONCE_LEN, ct_len, chunks, out, r);
	if (!err) {
		out[out_len] = '\0';
		*plain = out; /* transferred */
		*plain_len = out_len;
		out = NULL;
	}
	wipe(key, sizeof key);
	free_secret_len(out, out_len + 1);
	return err;
}
