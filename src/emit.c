/* SPDX-License-Identifier: MIT */
#include "emit.h"

#include <stdint.h>

#include "err.h"
#include "utf8.h"

static const char hex[] = "0123456789abcdef";

static int put_u00(struct buf *b, unsigned c)
{
	char esc[6] = {'\\', 'u', '0', '0', hex[(c >> 4) & 0xf], hex[c & 0xf]};

	return buf_append(b, esc, sizeof(esc));
}

/* The escape for byte c in a JSON string, or NULL when it is written as is. */
static const char *json_short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	default:
		return NULL;
	}
}

static int json_ascii(struct buf *b, unsigned char c)
{
	const char *esc = json_short_escape(c);

	if (esc)
		return buf_puts(b, esc);
	if (c < 0x20 || c == '<' || c == '>' || c == '&')
		return put_u00(b, c);
	return buf_putc(b, (char)c);
}

int emit_json_string(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	int r = buf_putc(b, '"');

	while (r == 0 && len) {
		uint32_t cp;
		size_t n;

		if (*p < 0x80) {
			r = json_ascii(b, *p);
			p++;
			len--;
			continue;
		}
		n = utf8_decode(p, len, &cp);
		if (n == 0) {
			r = buf_puts(b, "\\ufffd");
			p++;
			len--;
		} else {
			if (cp == 0x2028 || cp == 0x2029)
				r = buf_puts(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
			else
				r = buf_append(b, p, n);
			p += n;
			len -= n;
		}
	}
	return r ? r : buf_putc(b, '"');
}

int emit_toml_string(struct buf *b, const char *s, size_t len)
{
	int r = buf_putc(b, '"');

	for (size_t i = 0; r == 0 && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = json_short_escape(c);

		if (esc)
			r = buf_puts(b, esc);
		else if (c < 0x20 || c == 0x7f)
			r = buf_printf(b, "\\u%04x", c);
		else
			r = buf_putc(b, (char)c);
	}
	return r ? r : buf_putc(b, '"');
}
