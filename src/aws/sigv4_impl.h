/* SPDX-License-Identifier: MIT */
#ifndef DCR_AWS_SIGV4_IMPL_H
#define DCR_AWS_SIGV4_IMPL_H

/*
 * Shared by the SigV4 signer's files: sigv4.c (hashing, string to sign,
 * signing key, signature, the public entry points and presigning) and
 * sigv4_canon.c (argument checks, encoding and the canonical request).
 * Not for other modules.
 */

#include "aws/sigv4.h"

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define SECRET_MAX 256

/* ---- a string built in many steps; the first error sticks, checked once (sigv4.c) ---- */

struct text {
	struct buf b; /* buf.c wipes old storage as it grows: these can hold the token */
	int err;
};

#define TEXT_INIT {BUF_INIT, 0}

void sigv4_text_add(struct text *t, const void *p, size_t n);
void sigv4_text_str(struct text *t, const char *s);
void sigv4_text_char(struct text *t, char c);
void sigv4_text_free(struct text *t);
/* Hands the string to *out (an empty string if nothing was added). */
int sigv4_text_take(struct text *t, char **out);

/* ---- hashing and presigning (sigv4.c) ---- */

int sigv4_sha256_hex(const void *data, size_t len, char hex[SIGV4_HEX_SIZE]);
/* The presigning parameters in canonical order, appended to the query in b. */
void sigv4_add_presign_params(struct text *b, const struct sigv4_params *p, const char *date,
                              const char *signed_headers);

/* ---- encoding, argument checks, canonical request (sigv4_canon.c) ---- */

/* Appends s[0..n), each byte percent-encoded unless unreserved (or a kept '/'). */
void sigv4_encode(struct text *b, const char *s, size_t n, bool keep_slash);
bool sigv4_has_token(const struct sigv4_params *p);
int sigv4_check_params(const struct sigv4_params *p, enum sigv4_mode mode);
/* The canonical request and its signed-header list, after checking all input. */
int sigv4_canonical(const struct sigv4_request *req, const struct sigv4_params *p,
                    enum sigv4_mode mode, char **creq, char **signed_headers);

#endif
