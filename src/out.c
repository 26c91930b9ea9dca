/* SPDX-License-Identifier: MIT */
/* Writing answers and one-line errors, as every personality does. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"

bool out_write(const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Control characters (a quoted key may hold some) as spaces: one line, no terminal escapes. */
static void one_line(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			s[i] = ' ';
	}
}

int out_error(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	one_line(line, (size_t)n);
	line[n++] = '\n';
	out_write(line, (size_t)n);
	return 1;
}

int out_stderr(const char *prefix, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n = snprintf(line, sizeof(line), "%s: ", prefix);

	if (n < 0 || (size_t)n >= sizeof(line) - 2)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	for (n = 0; line[n]; n++)
		;
	one_line(line, (size_t)n);
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
	return 1;
}
