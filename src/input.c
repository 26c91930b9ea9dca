/* SPDX-License-Identifier: MIT */
#include "input.h"

#include <errno.h>
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

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
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
	while (w > 0 && is_space(s[w - 1]))
		w--;
	while (start < w && is_space(s[start]))
		start++;
	memmove(s, s + start, w - start);
	s[w - start] = '\0';
	explicit_bzero(s + (w - start), in->len - (w - start));
	in->len = w - start;
	return s;
}
