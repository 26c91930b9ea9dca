/* SPDX-License-Identifier: MIT */
#ifndef DCR_AWS_SIGV4_H
#define DCR_AWS_SIGV4_H

/*
 * AWS Signature Version 4 (AWS4-HMAC-SHA256) as pure functions, one per step
 * of the specification: canonical request -> string to sign -> signing key ->
 * signature.  Nothing here reads a clock, the environment or the network; the
 * caller passes the time in.  Proven against AWS's test suites
 * (tests/data/sigv4, tests/sigv4-run.py) and botocore (tests/test_sigv4.c).
 *
 * Every function returns 0 or a negative code from err.h: ERR_INVALID for a
 * bad argument (reserved or malformed header, bad scope component, time out
 * of range), ERR_NOMEM, or ERR_BACKEND if libcrypto fails.  Out-parameters
 * are cleared on entry.  Returned strings are the caller's; those that can
 * hold the session token (canonical request, presigned query, added headers)
 * should be released with free_secret() or sigv4_added_finish().
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_DATE_SIZE 17        /* "20150830T123600Z" and its NUL */
#define SIGV4_HEX_SIZE 65         /* 64 hex digits and a NUL */
#define SIGV4_KEY_SIZE 32         /* HMAC-SHA256 output */
#define SIGV4_ADDED_MAX 4         /* headers sigv4_sign_headers() may add */
#define SIGV4_EXPIRES_MAX 604800L /* 7 days, AWS's presign limit */

struct sigv4_header {
	const char *name;
	const char *value;
};

/*
 * The request as it will go on the wire.
 * - path: the path exactly as sent (NULL or "" means "/").  Every byte outside
 *   A-Za-z0-9-._~ and '/' is percent-encoded once more, so an already encoded
 *   path gets AWS's "double encoding" for non-S3 services.
 * - query: the raw query without '?', "k=v&k2=v2", NULL or "" for none.  Keys
 *   and values are percent-decoded, then encoded canonically.
 * - headers: everything to be signed, normally including "host".  Names are
 *   case-insensitive, values are trimmed and runs of spaces/tabs collapsed;
 *   repeated names are joined with ',' in the given order.  Values must not
 *   hold CR or LF (fold lines yourself).  The signer owns x-amz-date,
 *   x-amz-security-token, x-amz-content-sha256 and authorization: passing any
 *   of them is ERR_INVALID.
 * - body: hashed with SHA-256 for the payload hash (NULL/0: empty payload).
 */
struct sigv4_request {
	const char *method;
	const char *path;
	const char *query;
	const struct sigv4_header *headers;
	size_t header_count;
	const void *body;
	size_t body_len;
};

/*
 * Credentials, scope and options.  access_key_id, region and service may hold
 * only A-Za-z0-9 . _ - (they go into the credential scope).
 */
struct sigv4_params {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL for long-term credentials */
	const char *region;        /* "us-west-2" */
	const char *service;       /* "ecr", "ecr-public" */
	time_t now;                /* signing time, UTC seconds */
	bool normalize_path;       /* drop "." and ".." segments and empty ones
	                              (true for everything but S3) */
	bool sign_body;            /* header mode: add and sign
	                              x-amz-content-sha256 (S3 style) */
	bool omit_session_token;   /* add the token after signing, unsigned */
	long expires;              /* query mode: X-Amz-Expires, 1..7 days */
};

enum sigv4_mode {
	SIGV4_MODE_HEADER, /* Authorization header */
	SIGV4_MODE_QUERY,  /* presigned URL (X-Amz-* query parameters) */
};

/* A header to add to the request; name is static, value is owned. */
struct sigv4_added_header {
	const char *name;
	char *value;
};

/* What sigv4_sign_headers() adds, in this order: X-Amz-Date,
 * X-Amz-Security-Token (with a token), X-Amz-Content-Sha256 (with sign_body),
 * Authorization. */
struct sigv4_added {
	struct sigv4_added_header header[SIGV4_ADDED_MAX];
	size_t count;
};

/* "YYYYMMDDTHHMMSSZ" for now; ERR_INVALID outside years 0..9999. */
int sigv4_amz_date(time_t now, char date[SIGV4_DATE_SIZE]);

/* Step 1: the canonical request, including what the mode adds (x-amz-date
 * and friends as headers, or X-Amz-* query parameters). */
int sigv4_canonical_request(const struct sigv4_request *req, const struct sigv4_params *p,
                            enum sigv4_mode mode, char **out);

/* Step 2: "AWS4-HMAC-SHA256\n<date>\n<scope>\n<hex sha256(canonical)>". */
int sigv4_string_to_sign(const char *canonical_request, const struct sigv4_params *p, char **out);

/* Step 3: the signing key from the secret, date, region and service.  The
 * caller must wipe() it. */
int sigv4_signing_key(const struct sigv4_params *p, unsigned char key[SIGV4_KEY_SIZE]);

/* Step 4: hex HMAC-SHA256 of the string to sign under the signing key. */
int sigv4_signature_hex(const char *string_to_sign, const struct sigv4_params *p,
                        char hex[SIGV4_HEX_SIZE]);

/* Steps 1-4 in header mode: the Authorization header value,
 * "AWS4-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=<h>, Signature=<s>". */
int sigv4_authorization(const struct sigv4_request *req, const struct sigv4_params *p,
                        char **value);

/* Header mode, all of it: fills out with the headers to add to the request. */
int sigv4_sign_headers(const struct sigv4_request *req, const struct sigv4_params *p,
                       struct sigv4_added *out);
/* Wipes and frees the values in out (NULL allowed). */
void sigv4_added_finish(struct sigv4_added *out);

/* Query mode: the complete query string for a presigned URL: req->query as
 * given, then the X-Amz-* parameters and X-Amz-Signature (then
 * X-Amz-Security-Token if omit_session_token). */
int sigv4_presign_query(const struct sigv4_request *req, const struct sigv4_params *p,
                        char **query);

#endif
