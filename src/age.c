/* SPDX-License-Identifier: MIT */
/*
 * age (age-encryption.org/v1, https://c2sp.org/age) decryption with X25519
 * identities, on OpenSSL 3 libcrypto.
 *
 * The steps run in the order the spec and its test vectors expect: the
 * input form (binary, PEM armor, one-line base64), header parsing, stanza
 * unwrapping, header MAC, payload nonce, STREAM payload.  The whole payload
 * is decrypted into one buffer that is handed out only when every chunk has
 * authenticated, and wiped otherwise.
 */
#include "age.h"

#include "err.h"
#include "wipe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#define AGE_PREFIX "age-encryption.org/"
#define AGE_V1 "age-encryption.org/v1"
#define ARMOR_BEGIN "-----BEGIN AGE ENCRYPTED FILE-----"
#define ARMOR_END "-----END AGE ENCRYPTED FILE-----"
#define X25519_INFO "age-encryption.org/v1/X25519"

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

__attribute__((format(printf, 3, 4))) static int fail(struct reason *r, int err, const char *fmt,
                                                      ...)
{
	va_list ap;

	if (r->buf && r->size) {
		va_start(ap, fmt);
		vsnprintf(r->buf, r->size, fmt, ap);
		va_end(ap);
	}
	return err;
}

static struct reason reason_init(char *why, size_t why_size)
{
	if (why && why_size)
		why[0] = '\0';
	return (struct reason){why, why_size};
}

/* ---- text helpers ------------------------------------------------------ */

struct cursor {
	const char *p;
	size_t len;
	size_t pos;
};

/* The next line without its LF; *eol tells whether an LF ended it. */
static bool cursor_line(struct cursor *c, const char **line, size_t *n, bool *eol)
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

static size_t strip_cr(const char *line, size_t n)
{
	return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool line_is(const char *line, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(line, want, n) == 0;
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool starts_with_nocase(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(s[i]) != ascii_lower(prefix[i]))
			return false;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_space(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && is_space(s[i]))
		i++;
	return i;
}

/* The end of s[start, len) without trailing whitespace (never before start). */
static size_t trim_end(const char *s, size_t start, size_t len)
{
	while (len > start && is_space(s[len - 1]))
		len--;
	return len;
}

/* ---- base64 (RFC 4648 section 4, canonical per section 3.5) ------------- */

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool all_b64(const char *s, size_t len, bool allow_pad)
{
	for (size_t i = 0; i < len; i++)
		if (b64_value(s[i]) < 0 && !(allow_pad && s[i] == '='))
			return false;
	return true;
}

/* Room needed to decode len base64 characters. */
static size_t b64_decoded_max(size_t len)
{
	return len / 4 * 3 + 3;
}

/*
 * Decode canonical base64: unused trailing bits must be zero.  With padded
 * (the armor) the text must be '='-padded to a multiple of four characters;
 * without (the header) it must carry no padding at all.  out needs
 * b64_decoded_max(len) bytes.  Returns 0 or ERR_INVALID.
 */
static int b64_decode(const char *s, size_t len, bool padded, unsigned char *out, size_t *out_len)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;

	if (padded) {
		if (len % 4 != 0)
			return ERR_INVALID;
		for (int i = 0; i < 2 && len > 0 && s[len - 1] == '='; i++)
			len--;
	}
	if (len % 4 == 1)
		return ERR_INVALID;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value(s[i]);

		if (v < 0)
			return ERR_INVALID;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		return ERR_INVALID;
	*out_len = n;
	return 0;
}

/* ---- Bech32 (BIP 173 without its length limit) -------------------------- */

struct bech32 {
	char hrp[32]; /* lower case */
	unsigned char data[64];
	size_t data_len;
};

static uint32_t bech32_polymod(uint32_t chk, unsigned v)
{
	static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
	uint32_t top = chk >> 25;

	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (int i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= gen[i];
	return chk;
}

static int bech32_value(char c)
{
	static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	const char *p = c ? strchr(charset, ascii_lower(c)) : NULL;

	return p ? (int)(p - charset) : -1;
}

/* Check the characters and case of s; the separator is its last '1'. */
static const char *bech32_shape(const char *s, size_t len, size_t *sep)
{
	bool upper = false, lower = false, found = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] < 33 || s[i] > 126)
			return "invalid character";
		upper |= s[i] >= 'A' && s[i] <= 'Z';
		lower |= s[i] >= 'a' && s[i] <= 'z';
		if (s[i] == '1') {
			*sep = i;
			found = true;
		}
	}
	if (upper && lower)
		return "mixed upper and lower case";
	if (!found || *sep == 0 || len - *sep - 1 < 6)
		return "missing separator or checksum";
	if (*sep >= sizeof(((struct bech32 *)NULL)->hrp))
		return "prefix too long";
	return NULL;
}

/* Regroup 5-bit values into bytes; leftover padding must be short and zero. */
static const char *bech32_bytes(const char *s, size_t len, struct bech32 *b)
{
	uint32_t acc = 0;
	unsigned bits = 0;

	b->data_len = 0;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 5) | (uint32_t)bech32_value(s[i]);
		bits += 5;
		if (bits >= 8) {
			if (b->data_len == sizeof b->data)
				return "data too long";
			bits -= 8;
			b->data[b->data_len++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (bits >= 5 || acc != 0)
		return "invalid padding";
	return NULL;
}

/* Decode a Bech32 string; on failure returns why, else NULL. */
static const char *bech32_decode(const char *s, size_t len, struct bech32 *b)
{
	uint32_t chk = 1;
	size_t sep = 0;
	const char *bad = bech32_shape(s, len, &sep);

	if (bad)
		return bad;
	for (size_t i = 0; i < sep; i++) {
		b->hrp[i] = ascii_lower(s[i]);
		chk = bech32_polymod(chk, (unsigned char)b->hrp[i] >> 5);
	}
	b->hrp[sep] = '\0';
	chk = bech32_polymod(chk, 0);
	for (size_t i = 0; i < sep; i++)
		chk = bech32_polymod(chk, (unsigned char)b->hrp[i] & 31);
	for (size_t i = sep + 1; i < len; i++) {
		int v = bech32_value(s[i]);

		if (v < 0)
			return "invalid character";
		chk = bech32_polymod(chk, (unsigned)v);
	}
	if (chk != 1)
		return "bad checksum";
	return bech32_bytes(s + sep + 1, len - sep - 1 - 6, b);
}

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

static int x25519_public(const unsigned char secret[KEY_LEN], unsigned char pub[KEY_LEN])
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

void age_identity_free(struct age_identity *id)
{
	if (!id)
		return;
	free_secret_len(id, sizeof *id + id->cap * sizeof id->keys[0]);
}

/* The next line that is neither empty nor a '#' comment, without LF or CR. */
static bool next_identity_line(struct cursor *c, const char **line, size_t *n, size_t *lineno)
{
	bool eol;

	while (cursor_line(c, line, n, &eol)) {
		++*lineno;
		*n = strip_cr(*line, *n);
		if (*n > 0 && (*line)[0] != '#')
			return true;
	}
	return false;
}

static int refuse_identity_type(const char *line, size_t n, size_t lineno, struct reason *r)
{
	if (starts_with_nocase(line, n, "AGE-SECRET-KEY-PQ-1"))
		return fail(r, ERR_UNSUPPORTED,
		            "line %zu: unsupported identity type: post-quantum hybrid "
		            "(AGE-SECRET-KEY-PQ-1...) identities are not supported",
		            lineno);
	if (starts_with_nocase(line, n, "AGE-PLUGIN-"))
		return fail(r, ERR_UNSUPPORTED,
		            "line %zu: unsupported identity type: plugin identities "
		            "(AGE-PLUGIN-...) are not supported",
		            lineno);
	if (starts_with(line, n, "-----BEGIN"))
		return fail(r, ERR_UNSUPPORTED,
		            "line %zu: unsupported identity type: SSH and PEM private keys "
		            "are not supported, only AGE-SECRET-KEY-1...",
		            lineno);
	if (!starts_with_nocase(line, n, "AGE-SECRET-KEY-1"))
		return fail(r, ERR_INVALID,
		            "line %zu: not an age identity (expected AGE-SECRET-KEY-1...)", lineno);
	return 0;
}

static int parse_identity_line(const char *line, size_t n, size_t lineno, struct x25519_key *key,
                               struct reason *r)
{
	struct bech32 b;
	const char *bad;
	int err = refuse_identity_type(line, n, lineno, r);

	if (err)
		return err;
	bad = bech32_decode(line, n, &b);
	if (!bad && strcmp(b.hrp, "age-secret-key-") != 0)
		bad = "wrong prefix";
	if (!bad && b.data_len != KEY_LEN)
		bad = "wrong key length";
	if (bad) {
		err = fail(r, ERR_INVALID, "line %zu: invalid identity (%s)", lineno, bad);
		goto out;
	}
	memcpy(key->secret, b.data, KEY_LEN);
	err = x25519_public(key->secret, key->public);
	if (err)
		fail(r, err, "line %zu: cannot compute the X25519 public key", lineno);
out:
	wipe(&b, sizeof b);
	return err;
}

static size_t count_identity_lines(const char *text, size_t len)
{
	struct cursor c = {text, len, 0};
	const char *line;
	size_t n, lineno = 0, count = 0;

	while (next_identity_line(&c, &line, &n, &lineno))
		count++;
	return count;
}

int age_identity_parse(const char *text, size_t len, struct age_identity **out, char *why,
                       size_t why_size)
{
	struct reason r = reason_init(why, why_size);
	struct cursor c = {text, len, 0};
	size_t cap = count_identity_lines(text, len), n, lineno = 0;
	struct age_identity *id = NULL;
	const char *line;
	int err = 0;

	*out = NULL;
	if (cap == 0)
		return fail(&r, ERR_INVALID, "no identities found (expected AGE-SECRET-KEY-1...)");
	id = calloc(1, sizeof *id + cap * sizeof id->keys[0]);
	if (!id)
		return fail(&r, ERR_NOMEM, "out of memory");
	id->cap = cap;
	while (next_identity_line(&c, &line, &n, &lineno)) {
		err = parse_identity_line(line, n, lineno, &id->keys[id->count], &r);
		if (err)
			goto out;
		id->count++;
	}
	*out = id; /* transferred */
	id = NULL;
out:
	age_identity_free(id);
	return err;
}

/* Refuse a key file others could read or write (checked on the open fd). */
static int check_key_file(int fd, const char *path, struct reason *r)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return fail(r, ERR_IO, "cannot stat %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(r, ERR_INVALID, "%s is not a regular file", path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return fail(r, ERR_PERM,
		            "bad owner or permissions on %s (owned by uid %lu: chown it to uid %lu "
		            "and chmod 600 it)",
		            path, (unsigned long)st.st_uid, (unsigned long)geteuid());
	if ((st.st_mode & 077) != 0)
		return fail(r, ERR_PERM, "bad owner or permissions on %s (chmod 600 it)", path);
	return 0;
}

/* Read the whole file into buf (IDENTITY_FILE_MAX + 1 bytes). */
static int read_key_file(int fd, const char *path, char *buf, size_t *len, struct reason *r)
{
	ssize_t got;

	*len = 0;
	do {
		got = read(fd, buf + *len, IDENTITY_FILE_MAX + 1 - *len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return fail(r, ERR_IO, "cannot read %s: %s", path, strerror(errno));
		*len += (size_t)got;
	} while (got != 0 && *len <= IDENTITY_FILE_MAX);
	if (*len > IDENTITY_FILE_MAX)
		return fail(r, ERR_TOO_LARGE, "%s is larger than %d bytes", path,
		            IDENTITY_FILE_MAX);
	return 0;
}

int age_identity_load(const char *path, struct age_identity **out, char *why, size_t why_size)
{
	struct reason r = reason_init(why, why_size);
	char inner[INNER_WHY];
	char *buf = NULL;
	size_t len = 0;
	int err, fd;

	*out = NULL;
	/* O_NONBLOCK: a FIFO must not hang us before fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fail(&r, ERR_IO, "cannot open %s: %s", path, strerror(errno));
	err = check_key_file(fd, path, &r);
	if (err)
		goto out;
	buf = malloc(IDENTITY_FILE_MAX + 1);
	if (!buf) {
		err = fail(&r, ERR_NOMEM, "out of memory");
		goto out;
	}
	err = read_key_file(fd, path, buf, &len, &r);
	if (err)
		goto out;
	err = age_identity_parse(buf, len, out, inner, sizeof inner);
	if (err)
		fail(&r, err, "%s: %s", path, inner);
out:
	free_secret_len(buf, IDENTITY_FILE_MAX + 1);
	close(fd);
	return err;
}

/* ---- header ------------------------------------------------------------- */

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

static void header_finish(struct header *h)
{
	for (size_t i = 0; i < h->count; i++)
		free(h->stanzas[i].body);
	free(h->stanzas);
	memset(h, 0, sizeof *h);
}

static int parse_version(struct cursor *c, struct reason *r)
{
	const char *line;
	size_t n;
	bool eol;

	if (!cursor_line(c, &line, &n, &eol))
		return fail(r, ERR_INVALID, "malformed header: the file is empty");
	if (line_is(line, n, AGE_V1))
		return eol ? 0
		           : fail(r, ERR_INVALID, "malformed header: the file ends after line 1");
	if (eol && line_is(line, n, AGE_V1 "\r"))
		return fail(r, ERR_INVALID, "malformed header: CRLF line endings are not allowed");
	if (starts_with(line, n, AGE_PREFIX))
		return fail(r, ERR_INVALID,
		            "malformed header: unsupported format version (only " AGE_V1
		            " is supported)");
	return fail(r, ERR_INVALID, "malformed header: not an age file (no " AGE_V1 " line)");
}

static bool is_vchar(char c)
{
	return c >= 0x21 && c <= 0x7e;
}

/* arg-line = "-> " argument *(SP argument) LF, argument = 1*VCHAR */
static int parse_arg_line(const char *line, size_t n, size_t lineno, struct stanza *s,
                          struct reason *r)
{
	size_t start = 3, argc = 0;

	if (!starts_with(line, n, "-> ") || n == 3)
		return fail(r, ERR_INVALID, "malformed header: line %zu: a stanza has no type",
		            lineno);
	for (size_t i = 3; i <= n; i++) {
		if (i < n && line[i] != ' ') {
			if (!is_vchar(line[i]))
				return fail(r, ERR_INVALID,
				            "malformed header: line %zu: invalid character",
				            lineno);
			continue;
		}
		if (i == start)
			return fail(r, ERR_INVALID, "malformed header: line %zu: empty argument",
			            lineno);
		if (argc++ == 0) {
			s->type = line + start;
			s->type_len = i - start;
		}
		start = i + 1;
	}
	s->argc = argc - 1;
	s->args = s->type + s->type_len + (argc > 1 ? 1 : 0);
	s->args_len = (size_t)(line + n - s->args);
	return 0;
}

/* Body lines of canonical unpadded base64, ended by a line shorter than 64. */
static int parse_body(struct cursor *c, size_t *lineno, struct stanza *s, struct reason *r)
{
	const char *line;
	size_t n, got;
	bool eol;
	unsigned char *body;

	for (;;) {
		++*lineno;
		if (!cursor_line(c, &line, &n, &eol) || !eol)
			return fail(
			    r, ERR_INVALID,
			    "malformed header: the file ends inside the header (truncated)");
		if (n > COLUMNS)
			return fail(r, ERR_INVALID,
			            "malformed header: line %zu is longer than 64 columns",
			            *lineno);
		body = realloc(s->body, s->body_len + b64_decoded_max(n));
		if (!body)
			return fail(r, ERR_NOMEM, "out of memory");
		s->body = body;
		if (b64_decode(line, n, false, s->body + s->body_len, &got) != 0)
			return fail(r, ERR_INVALID,
			            "malformed header: line %zu: invalid or non-canonical base64 "
			            "in a stanza body",
			            *lineno);
		s->body_len += got;
		if (n < COLUMNS)
			return 0;
	}
}

static int add_stanza(struct header *h, struct reason *r)
{
	struct stanza *grown;
	size_t cap = h->cap ? 2 * h->cap : 4;

	if (h->count == MAX_STANZAS)
		return fail(r, ERR_INVALID, "malformed header: more than %d stanzas", MAX_STANZAS);
	if (h->count == h->cap) {
		grown = realloc(h->stanzas, cap * sizeof *grown);
		if (!grown)
			return fail(r, ERR_NOMEM, "out of memory");
		h->stanzas = grown;
		h->cap = cap;
	}
	memset(&h->stanzas[h->count++], 0, sizeof h->stanzas[0]);
	return 0;
}

/* end = "--- " 43base64char LF */
static int parse_mac_line(const char *line, size_t n, size_t lineno, struct header *h,
                          struct reason *r)
{
	unsigned char mac[KEY_LEN + 3];
	size_t got = 0;

	if (h->count == 0)
		return fail(r, ERR_INVALID, "malformed header: no recipient stanzas");
	if (n != 4 + B64_KEY_LEN || !starts_with(line, n, "--- ") ||
	    b64_decode(line + 4, B64_KEY_LEN, false, mac, &got) != 0 || got != KEY_LEN)
		return fail(r, ERR_INVALID, "malformed header: line %zu: malformed MAC line",
		            lineno);
	memcpy(h->mac, mac, KEY_LEN);
	return 0;
}

static int header_parse(const unsigned char *buf, size_t len, struct header *h, struct reason *r)
{
	struct cursor c = {(const char *)buf, len, 0};
	const char *line;
	size_t n, lineno = 1;
	bool eol;
	int err = parse_version(&c, r);

	while (!err) {
		lineno++;
		if (!cursor_line(&c, &line, &n, &eol) || !eol)
			return fail(
			    r, ERR_INVALID,
			    "malformed header: the file ends inside the header (truncated)");
		if (starts_with(line, n, "---")) {
			h->mac_input_len = (size_t)(line - c.p) + 3;
			h->len = c.pos;
			return parse_mac_line(line, n, lineno, h, r);
		}
		err = add_stanza(h, r);
		if (!err)
			err = parse_arg_line(line, n, lineno, &h->stanzas[h->count - 1], r);
		if (!err)
			err = parse_body(&c, &lineno, &h->stanzas[h->count - 1], r);
	}
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
		return fail(r, ERR_INVALID,
		            "malformed header: X25519 stanza %zu must have exactly one argument",
		            index + 1);
	if (s->args_len != B64_KEY_LEN || b64_decode(s->args, s->args_len, false, buf, &got) != 0 ||
	    got != KEY_LEN)
		return fail(r, ERR_INVALID,
		            "malformed header: X25519 stanza %zu: the share is not canonical "
		            "base64 of 32 bytes",
		            index + 1);
	if (s->body_len != FILE_KEY_LEN + TAG_LEN)
		return fail(r, ERR_INVALID,
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
		return fail(r, ERR_INVALID,
		            "malformed header: an scrypt (passphrase) stanza must be the only "
		            "stanza");
	if (scrypt)
		return fail(r, ERR_UNSUPPORTED,
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
		return fail(r, ERR_UNSUPPORTED,
		            "no identity matches: the file's %zu X25519 recipient(s) are not ours, "
		            "and it is also encrypted to %s, which is not supported",
		            x25519, what);
	if (what)
		return fail(r, ERR_UNSUPPORTED,
		            "no identity matches: the file is encrypted to %s, which is not "
		            "supported",
		            what);
	if (x25519)
		return fail(r, ERR_NOT_FOUND,
		            "no identity matches: the file is encrypted to %zu X25519 "
		            "recipient(s), none of them ours",
		            x25519);
	return fail(r, ERR_NOT_FOUND,
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
			return fail(r, err,
			            "malformed header: X25519 stanza %zu: the share is a low-order "
			            "point (all-zero shared secret)",
			            index + 1);
		if (err != ERR_NOT_FOUND)
			return err ? fail(r, err, "X25519 unwrapping failed in libcrypto") : 0;
	}
	return ERR_NOT_FOUND;
}

static int unwrap_file_key(const struct age_identity *id, const struct header *h,
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

static int verify_mac(const unsigned char file_key[FILE_KEY_LEN], const unsigned char *buf,
                      const struct header *h, struct reason *r)
{
	unsigned char key[KEY_LEN], mac[KEY_LEN];
	int err = hkdf_sha256(file_key, FILE_KEY_LEN, NULL, 0, "header", key);

	if (!err)
		err = hmac_sha256(key, buf, h->mac_input_len, mac);
	if (err)
		fail(r, err, "HMAC-SHA-256 failed in libcrypto");
	else if (CRYPTO_memcmp(mac, h->mac, KEY_LEN) != 0)
		err = fail(r, ERR_INVALID,
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
			return fail(
			    r, err,
			    "payload authentication failed at chunk %zu of %zu (the file is "
			    "truncated or was modified)",
			    i + 1, chunks);
		if (err)
			return fail(r, err, "ChaCha20-Poly1305 failed in libcrypto");
	}
	return 0;
}

/* p is the payload after the nonce's 16 bytes were checked to be there. */
static int payload_decrypt(const unsigned char file_key[FILE_KEY_LEN], const unsigned char *p,
                           size_t len, unsigned char **plain, size_t *plain_len, struct reason *r)
{
	const size_t full = CHUNK_LEN + TAG_LEN;
	size_t ct_len = len - PAYLOAD_NONCE_LEN, chunks, last_len, out_len;
	unsigned char key[KEY_LEN], *out = NULL;
	int err;

	if (ct_len == 0)
		return fail(r, ERR_INVALID, "payload is missing (the file is truncated)");
	chunks = (ct_len + full - 1) / full;
	last_len = ct_len - (chunks - 1) * full;
	if (last_len < TAG_LEN)
		return fail(r, ERR_INVALID,
		            "payload ends in a fragment shorter than a tag (truncated, or trailing "
		            "data)");
	if (last_len == TAG_LEN && chunks > 1)
		return fail(r, ERR_INVALID, "payload ends with an empty chunk after a full one");
	out_len = ct_len - chunks * TAG_LEN;
	out = malloc(out_len + 1);
	if (!out)
		return fail(r, ERR_NOMEM, "out of memory");
	err = hkdf_sha256(file_key, FILE_KEY_LEN, p, PAYLOAD_NONCE_LEN, "payload", key);
	if (err)
		fail(r, err, "HKDF failed in libcrypto");
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

/* ---- input forms -------------------------------------------------------- */

static int armor_begin(struct cursor *c, struct reason *r)
{
	const char *line;
	size_t n;
	bool eol;

	c->pos = skip_space(c->p, c->len);
	if (!cursor_line(c, &line, &n, &eol) ||
	    !line_is(line, eol ? strip_cr(line, n) : n, ARMOR_BEGIN))
		return fail(r, ERR_INVALID, "malformed armor: the first line is not " ARMOR_BEGIN);
	if (!eol)
		return fail(r, ERR_INVALID, "malformed armor: missing END line");
	return 0;
}

/* The END line, then only whitespace; start is where the END line begins. */
static int armor_end(const struct cursor *c, size_t start, struct reason *r)
{
	const char *tail = c->p + start + strlen(ARMOR_END);
	size_t n = c->len - start - strlen(ARMOR_END);

	if (n > 0 && tail[0] != '\n' && tail[0] != '\r')
		return fail(r, ERR_INVALID, "malformed armor: bad END line");
	for (size_t i = 0; i < n; i++)
		if (!is_space(tail[i]))
			return fail(r, ERR_INVALID, "malformed armor: data after the END line");
	return 0;
}

static int armor_line(const char *line, size_t n, size_t lineno, bool *short_seen, struct reason *r)
{
	if (starts_with(line, n, "-----"))
		return fail(r, ERR_INVALID, "malformed armor: line %zu: bad END line", lineno);
	if (n == 0)
		return fail(r, ERR_INVALID, "malformed armor: line %zu is empty", lineno);
	if (!all_b64(line, n, true))
		return fail(r, ERR_INVALID,
		            "malformed armor: line %zu: invalid character (whitespace, header?)",
		            lineno);
	if (n > COLUMNS)
		return fail(r, ERR_INVALID, "malformed armor: line %zu is longer than 64 columns",
		            lineno);
	if (*short_seen)
		return fail(r, ERR_INVALID,
		            "malformed armor: line %zu follows a line shorter than 64 columns",
		            lineno);
	*short_seen = n < COLUMNS;
	return 0;
}

/* Collect the base64 body lines into b64 (room for c->len bytes). */
static int armor_body(struct cursor *c, char *b64, size_t *b64_len, struct reason *r)
{
	bool short_seen = false, eol;
	const char *line;
	size_t n, start;
	int err;

	*b64_len = 0;
	for (size_t lineno = 2;; lineno++) {
		start = c->pos;
		if (!cursor_line(c, &line, &n, &eol))
			return fail(r, ERR_INVALID, "malformed armor: missing END line");
		if (starts_with(line, n, ARMOR_END))
			return armor_end(c, start, r);
		if (eol)
			n = strip_cr(line, n);
		err = armor_line(line, n, lineno, &short_seen, r);
		if (err)
			return err;
		memcpy(b64 + *b64_len, line, n);
		*b64_len += n;
	}
}

/* Strict PEM (RFC 7468) with label AGE ENCRYPTED FILE, padded canonical base64. */
static int armor_decode(const char *in, size_t len, unsigned char **out, size_t *out_len,
                        struct reason *r)
{
	struct cursor c = {in, len, 0};
	unsigned char *bin = NULL;
	char *b64 = NULL;
	size_t b64_len = 0;
	int err = armor_begin(&c, r);

	if (err)
		return err;
	b64 = malloc(len);
	if (!b64)
		return fail(r, ERR_NOMEM, "out of memory");
	err = armor_body(&c, b64, &b64_len, r);
	if (err)
		goto out;
	bin = malloc(b64_decoded_max(b64_len));
	if (!bin) {
		err = fail(r, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (b64_decode(b64, b64_len, true, bin, out_len) != 0) {
		err = fail(r, ERR_INVALID, "malformed armor: bad padding or non-canonical base64");
		goto out;
	}
	*out = bin; /* transferred */
	bin = NULL;
out:
	free(b64);
	free(bin);
	return err;
}

/* The binary file base64-encoded (padded) on one line, whitespace around. */
static int base64_line_decode(const char *in, size_t len, unsigned char **out, size_t *out_len,
                              struct reason *r)
{
	size_t start = skip_space(in, len), end = trim_end(in, start, len);
	unsigned char *bin = malloc(b64_decoded_max(end - start));

	if (!bin)
		return fail(r, ERR_NOMEM, "out of memory");
	if (b64_decode(in + start, end - start, true, bin, out_len) != 0) {
		free(bin);
		return fail(r, ERR_INVALID,
		            "malformed base64: not canonical padded base64 (use base64 -w0)");
	}
	*out = bin; /* transferred */
	return 0;
}

/*
 * Binary files start with the version line; armor with dashes (possibly
 * after whitespace, or after garbage we then report); base64 is one token.
 * *out stays NULL for binary input, which is used in place.
 */
static int decode_input(const char *in, size_t len, unsigned char **out, size_t *out_len,
                        struct reason *r)
{
	size_t start = skip_space(in, len), end = trim_end(in, start, len);

	*out = NULL;
	*out_len = len;
	if (starts_with(in, len, AGE_PREFIX))
		return 0;
	if (starts_with(in + start, len - start, "-----"))
		return armor_decode(in, len, out, out_len, r);
	if (start < end && all_b64(in + start, end - start, true))
		return base64_line_decode(in, len, out, out_len, r);
	if (len && memmem(in, len, "-----BEGIN", strlen("-----BEGIN")))
		return armor_decode(in, len, out, out_len, r);
	return 0;
}

bool age_looks_encrypted(const char *value, size_t len)
{
	static const char v1[] = AGE_V1 "\n";
	unsigned char head[27];
	size_t start, end, got = 0;

	if (!value)
		return false;
	if (starts_with(value, len, v1))
		return true;
	start = skip_space(value, len);
	if (starts_with(value + start, len - start, ARMOR_BEGIN))
		return true;
	end = trim_end(value, start, len);
	if (end - start < 32 || !all_b64(value + start, end - start, true))
		return false;
	if (b64_decode(value + start, 32, false, head, &got) != 0)
		return false;
	return got >= strlen(v1) && memcmp(head, v1, strlen(v1)) == 0;
}

int age_decrypt(const struct age_identity *id, const void *in, size_t in_len, unsigned char **plain,
                size_t *plain_len, char *why, size_t why_size)
{
	struct reason r = reason_init(why, why_size);
	struct header h = {0};
	unsigned char file_key[FILE_KEY_LEN];
	unsigned char *decoded = NULL;
	const unsigned char *data = in;
	size_t len = in_len;
	int err;

	*plain = NULL;
	*plain_len = 0;
	if (!id || !id->count)
		return fail(&r, ERR_INVALID, "no identities loaded");
	err = decode_input(in, in_len, &decoded, &len, &r);
	if (err)
		goto out;
	if (decoded)
		data = decoded;
	err = header_parse(data, len, &h, &r);
	if (!err)
		err = unwrap_file_key(id, &h, file_key, &r);
	if (!err)
		err = verify_mac(file_key, data, &h, &r);
	if (!err && len - h.len < PAYLOAD_NONCE_LEN)
		err = fail(&r, ERR_INVALID,
		           "malformed header: the file ends before the payload nonce (truncated)");
	if (!err)
		err = payload_decrypt(file_key, data + h.len, len - h.len, plain, plain_len, &r);
out:
	wipe(file_key, sizeof file_key);
	header_finish(&h);
	free(decoded);
	return err;
}
