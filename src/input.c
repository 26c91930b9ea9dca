/* SPDX-License-Identifier: MIT */
#include "input.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "utf8.h"

int input_read(int fd, size_t max, struct buf *out, struct errbuf *eb)
{
	char chunk[4096];
	ssize_t n;
	int r = 0;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = errbuf_set(eb, ERR_IO, "cannot read standard input: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max) {
			r = errbuf_set(eb, ERR_TOO_LARGE, "input larger than %zu KiB", max / 1024);
			break;
		}
		r = buf_append(out, chunk, (size_t)n);
		if (r < 0)
			break;
	}
	explicit_bzero(chunk, sizeof(chunk));
	if (r == 0)
		r = buf_reserve(out, 0);
	if (r == 0 && memchr(out->data, '\0', out->len))
		r = errbuf_set(eb, ERR_INVALID, "input contains a NUL byte");
	if (r == 0 && !utf8_valid(out->data, out->len))
		r = errbuf_set(eb, ERR_INVALID, "input is not valid UTF-8");
	return r;
}

/* Go's unicode.IsSpace, which strings.TrimSpace (and so Docker) trims. */
static bool is_space(uint32_t c)
{
	switch (c) {
	case '\t':
	case '\n':
	case '\v':
	case '\f':
	case '\r':
	case ' ':
	case 0x85:
	case 0xa0:
	case 0x1680:
	case 0x2028:
	case 0x2029:
	case 0x202f:
	case 0x205f:
	case 0x3000:
		return true;
	default:
		return c >= 0x2000 && c <= 0x200a;
	}
}

/* Length of the whitespace character starting at s[i], or 0. */
static size_t space_at(const char *s, size_t len, size_t i)
{
	uint32_t cp;
	size_t n = utf8_decode((const unsigned char *)s + i, len - i, &cp);

	return n && is_space(cp) ? n : 0;
}

/* Length of the whitespace character ending just before s[end], or 0. */
static size_t space_before(const char *s, size_t end)
{
	for (size_t n = 1; n <= 4 && n <= end; n++) {
		if (((unsigned char)s[end - n] & 0xc0) == 0x80)
			continue; /* a continuation byte: the character starts earlier */
		return space_at(s, end, end - n) == n ? n : 0;
	}
	return 0;
}

char *input_key(struct buf *in)
{
	char *s = in->data;
	size_t w = 0, start = 0;

	/* Join lines as bufio.Scanner does: drop "\n" and a "\r" right before it. */
	for (size_t i = 0; i < in->len; i++) {
		if (s[i] == '\n')
			continue;
		if (s[i] == '\r' && (i + 1 == in->len || s[i + 1] == '\n'))
			continue;
		s[w++] = s[i];
	}
	for (size_t n; w > 0 && (n = space_before(s, w)) > 0;)
		w -= n;
	for (size_t n; start < w && (n = space_at(s, w, start)) > 0;)
		start += n;
	memmove(s, s + start, w - start);
	s[w - start] = '\0';
	explicit_bzero(s + (w - start), in->len - (w - start));
	in->len = w - start;
	return s;
}
