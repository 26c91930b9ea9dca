/* SPDX-License-Identifier: MIT */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const reasons[] = {
	[0] = "success",
	[-ERR_NOMEM] = "out of memory",
	[-ERR_IO] = "input/output error",
	[-ERR_INVALID] = "invalid input",
	[-ERR_NOT_FOUND] = "credentials not found in native keychain",
	[-ERR_TOO_LARGE] = "input too large",
	[-ERR_PERM] = "bad owner or permissions",
	[-ERR_CONFIG] = "configuration error",
	[-ERR_BACKEND] = "backend failure",
	[-ERR_READ_ONLY] = "read-only route",
	[-ERR_UNSUPPORTED] = "operation not supported",
	[-ERR_LIMIT] = "limit exceeded",
};

const char *err_str(int err)
{
	unsigned idx = err <= 0 ? (unsigned)-err : 0u;

	if (idx >= sizeof(reasons) / sizeof(reasons[0]) || !reasons[idx])
		return "unknown error";
	return reasons[idx];
}

int errbuf_set(struct errbuf *eb, int code, const char *fmt, ...)
{
	va_list ap;

	if (!eb)
		return code;
	va_start(ap, fmt);
	vsnprintf(eb->msg, sizeof(eb->msg), fmt, ap);
	va_end(ap);
	/* One line, whatever a quoted value, file or server answer held: a newline or
	 * another control character would break callers' line protocols and logs. */
	for (char *p = eb->msg; *p; p++) {
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	}
	return code;
}

const char *errbuf_str(const struct errbuf *eb, int code)
{
	if (eb && eb->msg[0])
		return eb->msg;
	return err_str(code);
}
