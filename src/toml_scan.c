/* SPDX-License-Identifier: MIT */
/*
 * The lexical part: the one pass over the input that settles its encoding and
 * control characters, strings of all four kinds with their escapes, and keys.
 */
#include "toml_impl.h"

#include "err.h"

#include <stdint.h>
#include <string.h>

/* ---- input hygiene ---- */

/* Length of the well-formed UTF-8 sequence at s, or 0 (overlong, surrogate, > U+10FFFF). */
static size_t utf8_length(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		lo = s[0] == 0xe0 ? 0xa0 : lo;
		hi = s[0] == 0xed ? 0x9f : hi;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		lo = s[0] == 0xf0 ? 0x90 : lo;
		hi = s[0] == 0xf4 ? 0x8f : hi;
	} else {
		return 0;
	}
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	return n;
}

/*
 * TOML allows no control character anywhere except tab and the newlines LF and
 * CRLF, so one pass settles encoding and control characters for the parser.
 */
int toml_check_input(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->begin;
	const unsigned char *end = (const unsigned char *)p->end;
	size_t n;

	while (s < end) {
		if ((*s >= 0x20 && *s < 0x7f) || *s == '\n' || *s == '\t') {
			s++;
		} else if (*s == '\r' && end - s > 1 && s[1] == '\n') {
			s += 2;
		} else if (*s >= 0x80 && (n = utf8_length(s, (size_t)(end - s)))) {
			s += n;
		} else {
			break;
		}
	}
	if (s == end)
		return 0;
	if (*s >= 0x80)
		return toml_fail(p, (const char *)s, ERR_INVALID, "invalid UTF-8");
	if (*s == '\0')
		return toml_fail(p, (const char *)s, ERR_INVALID, "NUL byte not allowed");
	if (*s == '\r')
		return toml_fail(p, (const char *)s, ERR_INVALID,
		                 "carriage return without line feed");
	return toml_fail(p, (const char *)s, ERR_INVALID, "control character U+%04X not allowed",
	                 *s);
}

/* ---- strings ---- */

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX or \UXXXXXXXX at p->p. */
static int parse_unicode_escape(struct parser *p, struct toml_buf *out, int digits)
{
	const char *at = p->p;
	uint32_t cp = 0;
	char utf8[4];

	for (int i = 0; i < digits; i++) {
		int h = p->end - at > 2 + i ? hex_value((unsigned char)at[2 + i]) : -1;
		if (h < 0)
			return toml_fail(p, at, ERR_INVALID,
			                 "\\%c escape needs %d hexadecimal digits", at[1], digits);
		cp = cp << 4 | (uint32_t)h;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return toml_fail(p, at, ERR_INVALID, "escape \\%.*s is not a Unicode scalar value",
		                 digits + 1, at + 1);
	p->p += 2 + digits;
	return toml_buf_add(p, out, utf8, utf8_encode(cp, utf8));
}

/* A backslash escape at p->p (line-ending backslashes are handled by the caller). */
static int parse_escape(struct parser *p, struct toml_buf *out)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	int c = p->end - p->p > 1 ? (unsigned char)p->p[1] : -1;
	const char *hit = c > 0 ? strchr(from, c) : NULL;

	if (c == 'u' || c == 'U')
		return parse_unicode_escape(p, out, c == 'u' ? 4 : 8);
	if (!hit) {
		if (c > 0x20 && c < 0x7f)
			return toml_fail(p, p->p, ERR_INVALID, "invalid escape sequence '\\%c'", c);
		return toml_fail(p, p->p, ERR_INVALID, "invalid escape sequence");
	}
	p->p += 2;
	return toml_buf_add(p, out, &to[hit - from], 1);
}

/* Appends the run of bytes before p->p that contains none of stop. */
static int add_run(struct parser *p, struct toml_buf *out, const char *stop)
{
	const char *run = p->p;

	while (p->p < p->end && !strchr(stop, *p->p))
		p->p++;
	return toml_buf_add(p, out, run, (size_t)(p->p - run));
}

static int parse_basic(struct parser *p, struct toml_buf *out)
{
	const char *open = p->p++;
	int err;

	for (;;) {
		err = add_run(p, out, "\"\\\n\r");
		if (err)
			return err;
		if (p->p == p->end || at_newline(p))
			return toml_fail(p, open, ERR_INVALID, "unterminated string");
		if (*p->p == '"') {
			p->p++;
			return 0;
		}
		err = parse_escape(p, out);
		if (err)
			return err;
	}
}

static int parse_literal(struct parser *p, struct toml_buf *out)
{
	const char *open = p->p++;
	int err = add_run(p, out, "'\n\r");

	if (err)
		return err;
	if (peek(p) != '\'')
		return toml_fail(p, open, ERR_INVALID, "unterminated string");
	p->p++;
	return 0;
}

/*
 * At a run of quote characters inside a multi-line string: up to two may be
 * content right before the closing three.  Returns 1 when the string closed.
 */
static int quote_run(struct parser *p, struct toml_buf *out, char quote)
{
	size_t n = 0;
	int err;

	while (p->p + n < p->end && p->p[n] == quote)
		n++;
	if (n > 5)
		return toml_fail(p, p->p + 5, ERR_INVALID,
		                 "too many quotes closing a multi-line string");
	err = toml_buf_add(p, out, p->p, n < 3 ? n : n - 3);
	p->p += n;
	return err ? err : n >= 3;
}

/* Backslash, optional whitespace, newline: skips all whitespace and newlines. */
static bool line_ending_backslash(struct parser *p)
{
	const char *q = p->p + 1;

	while (q < p->end && (*q == ' ' || *q == '\t'))
		q++;
	if (q == p->end || (*q != '\n' && *q != '\r'))
		return false;
	p->p = q;
	while (skip_newline(p))
		skip_ws(p);
	return true;
}

static int ml_step(struct parser *p, struct toml_buf *out, char quote)
{
	if (*p->p == quote)
		return quote_run(p, out, quote);
	if (*p->p == '\r') {
		p->p += 2;
		return toml_buf_add(p, out, "\n", 1);
	}
	if (line_ending_backslash(p))
		return 0;
	return parse_escape(p, out);
}

static int parse_multiline(struct parser *p, struct toml_buf *out, char quote)
{
	const char *open = p->p;
	const char *stop = quote == '"' ? "\"\\\r" : "'\r";
	int err;

	p->p += 3;
	skip_newline(p);
	for (;;) {
		err = add_run(p, out, stop);
		if (err)
			return err;
		if (p->p == p->end)
			return toml_fail(p, open, ERR_INVALID, "unterminated multi-line string");
		err = ml_step(p, out, quote);
		if (err)
			return err < 0 ? err : 0;
	}
}

/* Any string at p->p, decoded and appended to out. */
int toml_parse_string(struct parser *p, struct toml_buf *out, bool multiline_ok)
{
	char quote = *p->p;
	bool multi = lookahead(p, quote == '"' ? "\"\"\"" : "'''");

	if (multi && !multiline_ok)
		return toml_fail(p, p->p, ERR_INVALID, "a key cannot be a multi-line string");
	if (multi)
		return parse_multiline(p, out, quote);
	return quote == '"' ? parse_basic(p, out) : parse_literal(p, out);
}

/* ---- keys ---- */

static int parse_key_part(struct parser *p, struct segment *seg)
{
	int c = peek(p);
	const char *run = p->p;
	int err;

	seg->at = p->p;
	seg->off = p->keys.len;
	if (c == '"' || c == '\'') {
		err = toml_parse_string(p, &p->keys, false);
	} else if (is_bare(c)) {
		while (is_bare(peek(p)))
			p->p++;
		err = toml_buf_add(p, &p->keys, run, (size_t)(p->p - run));
	} else {
		err = toml_fail(p, p->p, ERR_INVALID, "expected a key");
	}
	if (err)
		return err;
	seg->len = p->keys.len - seg->off;
	seg->hash = toml_hash_key(p->keys.data + seg->off, seg->len);
	return 0;
}

/* A simple or dotted key into p->seg. */
int toml_parse_key(struct parser *p)
{
	int err;

	p->nseg = 0;
	p->keys.len = 0;
	for (;;) {
		skip_ws(p);
		if (p->nseg == TOML_MAX_DEPTH)
			return toml_fail_depth(p, p->p);
		err = parse_key_part(p, &p->seg[p->nseg]);
		if (err)
			return err;
		p->nseg++;
		skip_ws(p);
		if (peek(p) != '.')
			return 0;
		p->p++;
	}
}
