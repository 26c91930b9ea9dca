/* SPDX-License-Identifier: MIT */
#ifndef DCR_AGE_INTERNAL_H
#define DCR_AGE_INTERNAL_H

/*
 * What the pieces of the age decryptor share; not for use outside them.
 *   src/age.c         identities (Bech32, key files) and age_decrypt
 *   src/age_format.c  the input forms (binary, PEM armor, one-line base64)
 *                     and the header's text format
 *   src/age_crypto.c  libcrypto: X25519 stanza unwrapping, the header MAC
 *                     and the ChaCha20-Poly1305 STREAM payload
 */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

enum {
	KEY_LEN = 32, /* X25519 keys and shares, HKDF outputs, the header MAC */
	FILE_KEY_LEN = 16,
	TAG_LEN = 16, /* Poly1305 */
	AEAD_NONCE_LEN = 12,
	PAYLOAD_NONCE_LEN = 16,
	CHUNK_LEN = 64 * 1024,
	COLUMNS = 64,     /* stanza body and armor line width */
	B64_KEY_LEN = 43, /* unpadded base64 of 32 bytes: X25519 shares, the MAC */
	MAX_STANZAS = 1024,
	IDENTITY_FILE_MAX = 64 * 1024,
	INNER_WHY = 256,
};

/* Where a one-line failure reason goes. */
struct reason {
	char *buf;
	size_t size;
};

/* Write the reason (if there is room for one) and return err. */
__attribute__((format(printf, 3, 4))) int age_fail(struct reason *r, int err, const char *fmt, ...);

/* ---- text --------------------------------------------------------------- */

struct cursor {
	const char *p;
	size_t len;
	size_t pos;
};

/* The next line without its LF; *eol tells whether an LF ended it. */
static inline bool cursor_line(struct cursor *c, const char **line, size_t *n, bool *eol)
{
	const char *start = c->p + c->pos, *lf;
	size_t left = c->len - c->pos;

	if (c->pos >= c->len)
		return false;
	lf = memchr(start, '\n', left);
	*line = start;
	*n = lf ? (size_t)(lf - start) : left;
	*eol = lf != NULL;
	c->pos += *n + (*eol ? 1 : 0);
	return true;
}

static inline size_t strip_cr(const char *line, size_t n)
{
	return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
}

static inline bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static inline bool line_is(const char *line, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(line, want, n) == 0;
}

/* ---- identities --------------------------------------------------------- */

struct x25519_key {
	unsigned char secret[KEY_LEN];
	unsigned char public[KEY_LEN];
};

struct age_identity {
	size_t count; /* keys loaded */
	size_t cap;   /* keys allocated, all wiped on free */
	struct x25519_key keys[];
};

/* ---- header (age_format.c) ---------------------------------------------- */

struct stanza {
	const char *type; /* the first argument, not NUL-terminated */
	size_t type_len;
	const char *args; /* the other arguments, space separated */
	size_t args_len;
	size_t argc; /* number of arguments after the type */
	unsigned char *body;
	size_t body_len;
};

struct header {
	struct stanza *stanzas;
	size_t count;
	size_t cap;
	size_t mac_input_len; /* bytes covered by the MAC: through "---" */
	unsigned char mac[KEY_LEN];
	size_t len; /* the whole header, up to the payload */
};

/*
 * Turn armor or one-line base64 input into the binary file in *out (free it);
 * *out stays NULL for binary input, which is used in place.
 */
int age_decode_input(const char *in, size_t len, unsigned char **out, size_t *out_len,
                     struct reason *r);

/* Parse the header at the start of buf into h (age_header_finish it, also on failure). */
int age_header_parse(const unsigned char *buf, size_t len, struct header *h, struct reason *r);

void age_header_finish(struct header *h);

/* ---- crypto (age_crypto.c) ---------------------------------------------- */

int age_x25519_public(const unsigned char secret[KEY_LEN], unsigned char pub[KEY_LEN]);

/* The file key from the first X25519 stanza one of id's keys opens. */
int age_unwrap_file_key(const struct age_identity *id, const struct header *h,
                        unsigned char file_key[FILE_KEY_LEN], struct reason *r);

/* Check the header MAC over buf (the file) with the file key. */
int age_verify_mac(const unsigned char file_key[FILE_KEY_LEN], const unsigned char *buf,
                   const struct header *h, struct reason *r);

/*
 * Decrypt the payload p (the nonce, then the STREAM chunks; len >=
 * PAYLOAD_NONCE_LEN) into *plain (NUL-terminated), handed out only when every
 * chunk has authenticated.
 */
int age_payload_decrypt(const unsigned char file_key[FILE_KEY_LEN], const unsigned char *p,
                        size_t len, unsigned char **plain, size_t *plain_len, struct reason *r);

#endif
