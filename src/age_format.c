/* SPDX-License-Identifier: MIT */
/*
 * The text of age files: the three input forms (binary, PEM armor, one-line
 * base64) and the header (version line, recipient stanzas, MAC line), parsed
 * as strictly as the spec and its test vectors expect.
 */
#include "age.h"
#include "age_internal.h"

#include "base64.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

#define AGE_PREFIX "age-encryption.org/"
#define AGE_V1 "age-encryption.org/v1"
#define ARMOR_BEGIN "-----BEGIN AGE ENCRYPTED FILE-----"
#define ARMOR_END "-----END AGE ENCRYPTED FILE-----"

/* ---- text helpers ------------------------------------------------------ */

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

/* ---- header ------------------------------------------------------------- */

void age_header_finish(struct header *h)
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
		return age_fail(r, ERR_INVALID, "malformed header: the file is empty");
	if (line_is(line, n, AGE_V1))
		return eol ? 0
		           : age_fail(r, ERR_INVALID,
		                      "malformed header: the file ends after line 1");
	if (eol && line_is(line, n, AGE_V1 "\r"))
		return age_fail(r, ERR_INVALID,
		                "malformed header: CRLF line endings are not allowed");
	if (starts_with(line, n, AGE_PREFIX))
		return age_fail(r, ERR_INVALID,
		                "malformed header: unsupported format version (only " AGE_V1
		                " is supported)");
	return age_fail(r, ERR_INVALID, "malformed header: not an age file (no " AGE_V1 " line)");
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
		return age_fail(r, ERR_INVALID, "malformed header: line %zu: a stanza has no type",
		                lineno);
	for (size_t i = 3; i <= n; i++) {
		if (i < n && line[i] != ' ') {
			if (!is_vchar(line[i]))
				return age_fail(r, ERR_INVALID,
				                "malformed header: line %zu: invalid character",
				                lineno);
			continue;
		}
		if (i == start)
			return age_fail(r, ERR_INVALID,
			                "malformed header: line %zu: empty argument", lineno);
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
			return age_fail(
			    r, ERR_INVALID,
			    "malformed header: the file ends inside the header (truncated)");
		if (n > COLUMNS)
			return age_fail(r, ERR_INVALID,
			                "malformed header: line %zu is longer than 64 columns",
			                *lineno);
		body = realloc(s->body, s->body_len + base64_decoded_max(n));
		if (!body)
			return age_fail(r, ERR_NOMEM, "out of memory");
		s->body = body;
		if (base64_decode(line, n, BASE64_UNPADDED, s->body + s->body_len, &got) != 0)
			return age_fail(
			    r, ERR_INVALID,
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
		return age_fail(r, ERR_INVALID, "malformed header: more than %d stanzas",
		                MAX_STANZAS);
	if (h->count == h->cap) {
		grown = realloc(h->stanzas, cap * sizeof *grown);
		if (!grown)
			return age_fail(r, ERR_NOMEM, "out of memory");
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
		return age_fail(r, ERR_INVALID, "malformed header: no recipient stanzas");
	if (n != 4 + B64_KEY_LEN || !starts_with(line, n, "--- ") ||
	    base64_decode(line + 4, B64_KEY_LEN, BASE64_UNPADDED, mac, &got) != 0 || got != KEY_LEN)
		return age_fail(r, ERR_INVALID, "malformed header: line %zu: malformed MAC line",
		                lineno);
	memcpy(h->mac, mac, KEY_LEN);
	return 0;
}

int age_header_parse(const unsigned char *buf, size_t len, struct header *h, struct reason *r)
{
	struct cursor c = {(const char *)buf, len, 0};
	const char *line;
	size_t n, lineno = 1;
	bool eol;
	int err = parse_version(&c, r);

	while (!err) {
		lineno++;
		if (!cursor_line(&c, &line, &n, &eol) || !eol)
			return age_fail(
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

/* ---- input forms -------------------------------------------------------- */

static int armor_begin(struct cursor *c, struct reason *r)
{
	const char *line;
	size_t n;
	bool eol;

	c->pos = skip_space(c->p, c->len);
	if (!cursor_line(c, &line, &n, &eol) ||
	    !line_is(line, eol ? strip_cr(line, n) : n, ARMOR_BEGIN))
		return age_fail(r, ERR_INVALID,
		                "malformed armor: the first line is not " ARMOR_BEGIN);
	if (!eol)
		return age_fail(r, ERR_INVALID, "malformed armor: missing END line");
	return 0;
}

/* The END line, then only whitespace; start is where the END line begins. */
static int armor_end(const struct cursor *c, size_t start, struct reason *r)
{
	const char *tail = c->p + start + strlen(ARMOR_END);
	size_t n = c->len - start - strlen(ARMOR_END);

	if (n > 0 && tail[0] != '\n' && tail[0] != '\r')
		return age_fail(r, ERR_INVALID, "malformed armor: bad END line");
	for (size_t i = 0; i < n; i++)
		if (!is_space(tail[i]))
			return age_fail(r, ERR_INVALID, "malformed armor: data after the END line");
	return 0;
}

static int armor_line(const char *line, size_t n, size_t lineno, bool *short_seen, struct reason *r)
{
	if (starts_with(line, n, "-----"))
		return age_fail(r, ERR_INVALID, "malformed armor: line %zu: bad END line", lineno);
	if (n == 0)
		return age_fail(r, ERR_INVALID, "malformed armor: line %zu is empty", lineno);
	if (!base64_in_alphabet(line, n, true))
		return age_fail(
		    r, ERR_INVALID,
		    "malformed armor: line %zu: invalid character (whitespace, header?)", lineno);
	if (n > COLUMNS)
		return age_fail(r, ERR_INVALID,
		                "malformed armor: line %zu is longer than 64 columns", lineno);
	if (*short_seen)
		return age_fail(r, ERR_INVALID,
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
			return age_fail(r, ERR_INVALID, "malformed armor: missing END line");
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
		return age_fail(r, ERR_NOMEM, "out of memory");
	err = armor_body(&c, b64, &b64_len, r);
	if (err)
		goto out;
	bin = malloc(base64_decoded_max(b64_len));
	if (!bin) {
		err = age_fail(r, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (base64_decode(b64, b64_len, BASE64_PADDED, bin, out_len) != 0) {
		err = age_fail(r, ERR_INVALID,
		               "malformed armor: bad padding or non-canonical base64");
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
static int one_line_decode(const char *in, size_t len, unsigned char **out, size_t *out_len,
                           struct reason *r)
{
	size_t start = skip_space(in, len), end = trim_end(in, start, len);
	unsigned char *bin = malloc(base64_decoded_max(end - start));

	if (!bin)
		return age_fail(r, ERR_NOMEM, "out of memory");
	if (base64_decode(in + start, end - start, BASE64_PADDED, bin, out_len) != 0) {
		free(bin);
		return age_fail(r, ERR_INVALID,
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
int age_decode_input(const char *in, size_t len, unsigned char **out, size_t *out_len,
                     struct reason *r)
{
	size_t start = skip_space(in, len), end = trim_end(in, start, len);

	*out = NULL;
	*out_len = len;
	if (starts_with(in, len, AGE_PREFIX))
		return 0;
	if (starts_with(in + start, len - start, "-----"))
		return armor_decode(in, len, out, out_len, r);
	if (start < end && base64_in_alphabet(in + start, end - start, true))
		return one_line_decode(in, len, out, out_len, r);
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
	if (end - start < 32 || !base64_in_alphabet(value + start, end - start, true))
		return false;
	if (base64_decode(value + start, 32, BASE64_UNPADDED, head, &got) != 0)
		return false;
	return got >= strlen(v1) && memcmp(head, v1, strlen(v1)) == 0;
}
