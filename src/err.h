/* SPDX-License-Identifier: MIT */
#ifndef DCR_ERR_H
#define DCR_ERR_H

/*
 * Every fallible function returns 0 or one of these negative codes.  The
 * message a user sees is built by the caller, which knows the file, key or
 * host involved; err_str() gives the generic reason.
 */
enum err {
	ERR_OK = 0,
	ERR_NOMEM = -1,      /* out of memory */
	ERR_IO = -2,         /* read or write failed (see errno) */
	ERR_INVALID = -3,    /* malformed input */
	ERR_NOT_FOUND = -4,  /* nothing configured for this host */
	ERR_TOO_LARGE = -5,  /* input over its size limit */
	ERR_PERM = -6,       /* bad owner or permissions */
	ERR_CONFIG = -7,     /* configuration error */
	ERR_BACKEND = -8,    /* a backend failed for a real reason */
	ERR_READ_ONLY = -9,  /* the route refuses store/erase */
	ERR_UNSUPPORTED = -10, /* operation not offered here */
	ERR_LIMIT = -11,     /* a bound (nesting, count) was exceeded */
};

/* The generic reason for an error code, lower case, no final full stop. */
const char *err_str(int err);

/*
 * The one-line message a user sees for a failure: it names the file, key or
 * host and, where there is one, the fix.  Never put a secret in it.
 */
struct errbuf {
	char msg[512];
};

/* Formats into eb (NULL allowed) and returns code, so "return errbuf_set(...)" works. */
int errbuf_set(struct errbuf *eb, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The message, or err_str(code) when none was set. */
const char *errbuf_str(const struct errbuf *eb, int code);

#endif
