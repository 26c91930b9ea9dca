/* SPDX-License-Identifier: MIT */
/*
 * AWS Signature Version 4, following the published steps: canonical request
 * (sigv4_canon.c), string to sign, signing key, signature; the public entry
 * points, header mode and presigning.
 */
#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4_impl.h"
#include "buf.h"
#include "err.h"
#include "wipe.h"

#define SCOPE_TERMINATOR "aws4_request"
#define SHA256_LEN 32

/* ---- a string built in many steps; the first error sticks, checked once at the end ---- */

void sigv4_text_add(struct text *t, const void *p, size_t n)
{
	if (t->err == 0)
		t->err = buf_append(&t->b, p, n);
}

void sigv4_text_str(struct text *t, const char *s)
{
	sigv4_text_add(t, s, strlen(s));
}

void sigv4_text_char(struct text *t, char c)
{
	sigv4_text_add(t, &c, 1);
}

void sigv4_text_free(struct text *t)
{
	buf_finish(&t->b);
	t->err = 0;
}

/* Hands the string to *out (an empty string if nothing was added). */
int sigv4_text_take(struct text *t, char **out)
{
	int r = t->err;

	if (r < 0) {
		sigv4_text_free(t);
		return r;
	}
	*out = buf_steal(&t->b, NULL); /* transferred */
	return *out ? 0 : ERR_NOMEM;
}

/* ---- hashing ---- */

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int sigv4_sha256_hex(const void *data, size_t len, char hex[SIGV4_HEX_SIZE])
{
	unsigned char md[SHA256_LEN];
	unsigned int n = 0;

	if (!EVP_Digest(data ? data : "", len, md, &n, EVP_sha256(), NULL) || n != SHA256_LEN)
		return ERR_BACKEND;
	hex_encode(md, SHA256_LEN, hex);
	return 0;
}

static int hmac(const void *key, size_t key_len, const void *data, size_t len,
                unsigned char out[SHA256_LEN])
{
	unsigned int n = 0;

	if (!HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n) || n != SHA256_LEN)
		return ERR_BACKEND;
	return 0;
}

/* ---- credential scope and presigning parameters ---- */

/* "20150830/us-east-1/service/aws4_request" */
static void add_scope(struct text *b, const struct sigv4_params *p, const char *date)
{
	sigv4_text_add(b, date, 8);
	sigv4_text_char(b, '/');
	sigv4_text_str(b, p->region);
	sigv4_text_char(b, '/');
	sigv4_text_str(b, p->service);
	sigv4_text_char(b, '/');
	sigv4_text_str(b, SCOPE_TERMINATOR);
}

static void add_param(struct text *b, const char *key, const char *value)
{
	if (b->b.len)
		sigv4_text_char(b, '&');
	sigv4_text_str(b, key);
	sigv4_text_char(b, '=');
	sigv4_encode(b, value, strlen(value), false);
}

/* The presigning parameters in canonical order, appended to the query in b. */
void sigv4_add_presign_params(struct text *b, const struct sigv4_params *p, const char *date,
                              const char *signed_headers)
{
	struct text cred = TEXT_INIT;
	char expires[24];

	sigv4_text_str(&cred, p->access_key_id);
	sigv4_text_char(&cred, '/');
	add_scope(&cred, p, date);
	snprintf(expires, sizeof(expires), "%ld", p->expires);
	add_param(b, "X-Amz-Algorithm", SIGV4_ALGORITHM);
	if (cred.err)
		b->err = cred.err;
	else
		add_param(b, "X-Amz-Credential", cred.b.data);
	add_param(b, "X-Amz-Date", date);
	add_param(b, "X-Amz-Expires", expires);
	if (sigv4_has_token(p) && !p->omit_session_token)
		add_param(b, "X-Amz-Security-Token", p->session_token);
	add_param(b, "X-Amz-SignedHeaders", signed_headers);
	sigv4_text_free(&cred);
}

/* ---- step 1: canonical request (built in sigv4_canon.c) ---- */

int sigv4_amz_date(time_t now, char date[SIGV4_DATE_SIZE])
{
	struct tm tm;

	date[0] = '\0';
	if (!gmtime_r(&now, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return ERR_INVALID;
	if (strftime(date, SIGV4_DATE_SIZE, "%Y%m%dT%H%M%SZ", &tm) != SIGV4_DATE_SIZE - 1) {
		date[0] = '\0';
		return ERR_INVALID;
	}
	return 0;
}

int sigv4_canonical_request(const struct sigv4_request *req, const struct sigv4_params *p,
                            enum sigv4_mode mode, char **out)
{
	char *signed_headers = NULL;

	*out = NULL;
	int r = sigv4_canonical(req, p, mode, out, &signed_headers);
	free(signed_headers);
	return r;
}

/* ---- step 2: string to sign ---- */

int sigv4_string_to_sign(const char *canonical_request, const struct sigv4_params *p, char **out)
{
	struct text b = TEXT_INIT;
	char date[SIGV4_DATE_SIZE], hash[SIGV4_HEX_SIZE];
	int r;

	*out = NULL;
	if (!canonical_request)
		return ERR_INVALID;
	if ((r = sigv4_check_params(p, SIGV4_MODE_HEADER)) < 0 ||
	    (r = sigv4_amz_date(p->now, date)) < 0 ||
	    (r = sigv4_sha256_hex(canonical_request, strlen(canonical_request), hash)) < 0)
		return r;
	sigv4_text_str(&b, SIGV4_ALGORITHM "\n");
	sigv4_text_str(&b, date);
	sigv4_text_char(&b, '\n');
	add_scope(&b, p, date);
	sigv4_text_char(&b, '\n');
	sigv4_text_str(&b, hash);
	return sigv4_text_take(&b, out);
}

/* ---- step 3: signing key ---- */

static int derive_key(const char *secret, const struct sigv4_params *p, const char *date,
                      unsigned char key[SIGV4_KEY_SIZE])
{
	unsigned char k1[SHA256_LEN], k2[SHA256_LEN];
	char seed[4 + SECRET_MAX];
	size_t len = strlen(secret);
	int r;

	memcpy(seed, "AWS4", 4);
	memcpy(seed + 4, secret, len);
	if ((r = hmac(seed, 4 + len, date, 8, k1)) < 0 ||
	    (r = hmac(k1, sizeof(k1), p->region, strlen(p->region), k2)) < 0 ||
	    (r = hmac(k2, sizeof(k2), p->service, strlen(p->service), k1)) < 0 ||
	    (r = hmac(k1, sizeof(k1), SCOPE_TERMINATOR, strlen(SCOPE_TERMINATOR), key)) < 0)
		wipe(key, SIGV4_KEY_SIZE);
	wipe(seed, sizeof(seed));
	wipe(k1, sizeof(k1));
	wipe(k2, sizeof(k2));
	return r;
}

int sigv4_signing_key(const struct sigv4_params *p, unsigned char key[SIGV4_KEY_SIZE])
{
	char date[SIGV4_DATE_SIZE];
	int r;

	memset(key, 0, SIGV4_KEY_SIZE);
	if ((r = sigv4_check_params(p, SIGV4_MODE_HEADER)) < 0 ||
	    (r = sigv4_amz_date(p->now, date)) < 0)
		return r;
	return derive_key(p->secret_access_key, p, date, key);
}

/* ---- step 4: signature ---- */

int sigv4_signature_hex(const char *string_to_sign, const struct sigv4_params *p,
                        char hex[SIGV4_HEX_SIZE])
{
	unsigned char key[SIGV4_KEY_SIZE], mac[SHA256_LEN];
	int r;

	hex[0] = '\0';
	if (!string_to_sign)
		return ERR_INVALID;
	if ((r = sigv4_signing_key(p, key)) < 0)
		return r;
	r = hmac(key, sizeof(key), string_to_sign, strlen(string_to_sign), mac);
	if (r == 0)
		hex_encode(mac, sizeof(mac), hex);
	wipe(key, sizeof(key));
	wipe(mac, sizeof(mac));
	return r;
}

/* Steps 1-4: the signature and the signed-header list. */
static int sign(const struct sigv4_request *req, const struct sigv4_params *p, enum sigv4_mode mode,
                char hex[SIGV4_HEX_SIZE], char **signed_headers)
{
	char *creq = NULL, *sts = NULL;
	int r;

	*signed_headers = NULL;
	if ((r = sigv4_canonical(req, p, mode, &creq, signed_headers)) < 0 ||
	    (r = sigv4_string_to_sign(creq, p, &sts)) < 0 ||
	    (r = sigv4_signature_hex(sts, p, hex)) < 0) {
		free(*signed_headers);
		*signed_headers = NULL;
	}
	free_secret(creq);
	free(sts);
	return r;
}

/* ---- header mode ---- */

int sigv4_authorization(const struct sigv4_request *req, const struct sigv4_params *p, char **value)
{
	struct text b = TEXT_INIT;
	char sig[SIGV4_HEX_SIZE], date[SIGV4_DATE_SIZE];
	char *signed_headers = NULL;
	int r;

	*value = NULL;
	if ((r = sign(req, p, SIGV4_MODE_HEADER, sig, &signed_headers)) < 0 ||
	    (r = sigv4_amz_date(p->now, date)) < 0)
		return r;
	sigv4_text_str(&b, SIGV4_ALGORITHM " Credential=");
	sigv4_text_str(&b, p->access_key_id);
	sigv4_text_char(&b, '/');
	add_scope(&b, p, date);
	sigv4_text_str(&b, ", SignedHeaders=");
	sigv4_text_str(&b, signed_headers);
	sigv4_text_str(&b, ", Signature=");
	sigv4_text_str(&b, sig);
	free(signed_headers);
	return sigv4_text_take(&b, value);
}

static int add_header(struct sigv4_added *out, const char *name, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return ERR_NOMEM;
	out->header[out->count++] = (struct sigv4_added_header){name, copy};
	return 0;
}

int sigv4_sign_headers(const struct sigv4_request *req, const struct sigv4_params *p,
                       struct sigv4_added *out)
{
	char date[SIGV4_DATE_SIZE], payload[SIGV4_HEX_SIZE];
	char *authz = NULL;
	int r;

	*out = (struct sigv4_added){0};
	if ((r = sigv4_authorization(req, p, &authz)) < 0 ||
	    (r = sigv4_amz_date(p->now, date)) < 0 ||
	    (r = sigv4_sha256_hex(req->body, req->body_len, payload)) < 0)
		goto out;
	if ((r = add_header(out, "X-Amz-Date", date)) < 0)
		goto out;
	if (sigv4_has_token(p) &&
	    (r = add_header(out, "X-Amz-Security-Token", p->session_token)) < 0)
		goto out;
	if (p->sign_body && (r = add_header(out, "X-Amz-Content-Sha256", payload)) < 0)
		goto out;
	out->header[out->count++] = (struct sigv4_added_header){"Authorization", authz};
	authz = NULL; /* transferred */
out:
	if (r < 0)
		sigv4_added_finish(out);
	free(authz);
	return r;
}

void sigv4_added_finish(struct sigv4_added *out)
{
	if (!out)
		return;
	for (size_t i = 0; i < out->count && i < SIGV4_ADDED_MAX; i++)
		free_secret(out->header[i].value);
	*out = (struct sigv4_added){0};
}

/* ---- query mode ---- */

int sigv4_presign_query(const struct sigv4_request *req, const struct sigv4_params *p, char **query)
{
	struct text b = TEXT_INIT;
	char sig[SIGV4_HEX_SIZE], date[SIGV4_DATE_SIZE];
	char *signed_headers = NULL;
	int r;

	*query = NULL;
	if ((r = sign(req, p, SIGV4_MODE_QUERY, sig, &signed_headers)) < 0 ||
	    (r = sigv4_amz_date(p->now, date)) < 0)
		return r;
	sigv4_text_str(&b, req->query ? req->query : "");
	sigv4_add_presign_params(&b, p, date, signed_headers);
	add_param(&b, "X-Amz-Signature", sig);
	if (sigv4_has_token(p) && p->omit_session_token)
		add_param(&b, "X-Amz-Security-Token", p->session_token);
	free(signed_headers);
	return sigv4_text_take(&b, query);
}
