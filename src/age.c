/* SPDX-License-Identifier: MIT */
/*
 * age (age-encryption.org/v1, https://c2sp.org/age) decryption with X25519
 * identities, on OpenSSL 3 libcrypto.
 *
 * The steps run in the order the spec and its test vectors expect: the
 * input form (binary, PEM armor, one-line base64), header parsing, stanza
 * unwrapping, header MAC, payload nonce, STREAM payload.  This file holds the
 * identities and age_decrypt; src/age_format.c parses the input forms and the
 * header, src/age_crypto.c does the cryptography (src/age_internal.h).
 */
#include "age.h"
#include "age_internal.h"

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

int age_fail(struct reason *r, int err, const char *fmt, ...)
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

/* ---- identities --------------------------------------------------------- */

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
		return age_fail(r, ERR_UNSUPPORTED,
		                "line %zu: unsupported identity type: post-quantum hybrid "
		                "(AGE-SECRET-KEY-PQ-1...) identities are not supported",
		                lineno);
	if (starts_with_nocase(line, n, "AGE-PLUGIN-"))
		return age_fail(r, ERR_UNSUPPORTED,
		                "line %zu: unsupported identity type: plugin identities "
		                "(AGE-PLUGIN-...) are not supported",
		                lineno);
	if (starts_with(line, n, "-----BEGIN"))
		return age_fail(r, ERR_UNSUPPORTED,
		                "line %zu: unsupported identity type: SSH and PEM private keys "
		                "are not supported, only AGE-SECRET-KEY-1...",
		                lineno);
	if (!starts_with_nocase(line, n, "AGE-SECRET-KEY-1"))
		return age_fail(r, ERR_INVALID,
		                "line %zu: not an age identity (expected AGE-SECRET-KEY-1...)",
		                lineno);
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
		err = age_fail(r, ERR_INVALID, "line %zu: invalid identity (%s)", lineno, bad);
		goto out;
	}
	memcpy(key->secret, b.data, KEY_LEN);
	err = age_x25519_public(key->secret, key->public);
	if (err)
		age_fail(r, err, "line %zu: cannot compute the X25519 public key", lineno);
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
		return age_fail(&r, ERR_INVALID,
		                "no identities found (expected AGE-SECRET-KEY-1...)");
	id = calloc(1, sizeof *id + cap * sizeof id->keys[0]);
	if (!id)
		return age_fail(&r, ERR_NOMEM, "out of memory");
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
		return age_fail(r, ERR_IO, "cannot stat %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return age_fail(r, ERR_INVALID, "%s is not a regular file", path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return age_fail(
		    r, ERR_PERM,
		    "bad owner or permissions on %s (owned by uid %lu: chown it to uid %lu "
		    "and chmod 600 it)",
		    path, (unsigned long)st.st_uid, (unsigned long)geteuid());
	if ((st.st_mode & 077) != 0)
		return age_fail(r, ERR_PERM, "bad owner or permissions on %s (chmod 600 it)", path);
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
			return age_fail(r, ERR_IO, "cannot read %s: %s", path, strerror(errno));
		*len += (size_t)got;
	} while (got != 0 && *len <= IDENTITY_FILE_MAX);
	if (*len > IDENTITY_FILE_MAX)
		return age_fail(r, ERR_TOO_LARGE, "%s is larger than %d bytes", path,
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
		return age_fail(&r, ERR_IO, "cannot open %s: %s", path, strerror(errno));
	err = check_key_file(fd, path, &r);
	if (err)
		goto out;
	buf = malloc(IDENTITY_FILE_MAX + 1);
	if (!buf) {
		err = age_fail(&r, ERR_NOMEM, "out of memory");
		goto out;
	}
	err = read_key_file(fd, path, buf, &len, &r);
	if (err)
		goto out;
	err = age_identity_parse(buf, len, out, inner, sizeof inner);
	if (err)
		age_fail(&r, err, "%s: %s", path, inner);
out:
	free_secret_len(buf, IDENTITY_FILE_MAX + 1);
	close(fd);
	return err;
}

/* ---- decryption --------------------------------------------------------- */

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
		return age_fail(&r, ERR_INVALID, "no identities loaded");
	err = age_decode_input(in, in_len, &decoded, &len, &r);
	if (err)
		goto out;
	if (decoded)
		data = decoded;
	err = age_header_parse(data, len, &h, &r);
	if (!err)
		err = age_unwrap_file_key(id, &h, file_key, &r);
	if (!err)
		err = age_verify_mac(file_key, data, &h, &r);
	if (!err && len - h.len < PAYLOAD_NONCE_LEN)
		err = age_fail(
		    &r, ERR_INVALID,
		    "malformed header: the file ends before the payload nonce (truncated)");
	if (!err)
		err =
		    age_payload_decrypt(file_key, data + h.len, len - h.len, plain, plain_len, &r);
out:
	wipe(file_key, sizeof file_key);
	age_header_finish(&h);
	free(decoded);
	return err;
}
