/* SPDX-License-Identifier: MIT */
/*
 * AWS Signature Version 4, following the published steps: canonical request,
 * string to sign, signing key, signature.  Canonicalisation follows AWS's
 * test suites (see tests/data/sigv4/README.md for the rules they pin).
 */
#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "wipe.h"

#define SCOPE_TERMINATOR "aws4_request"
#define SCOPE_PART_MAX 128
#define SECRET_MAX 256
#define SHA256_LEN 32

/* ---- a string built in many steps; the first error sticks, checked once at the end ---- */

struct text {
	struct buf b; /* buf.c wipes old storage as it grows: these can hold the token */
	int err;
};

#define TEXT_INIT {BUF_INIT, 0}

static void text_add(struct text *t, const void *p, size_t n)
{
	if (t->err == 0)
		t->err = buf_append(&t->b, p, n);
}

static void text_str(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

static void text_char(struct text *t, char c)
{
	text_add(t, &c, 1);
}

static void text_free(struct text *t)
{
	buf_finish(&t->b);
	t->err = 0;
}

/* Hands the string to *out (an empty string if nothing was added). */
static int text_take(struct text *t, char **out)
{
	int r = t->err;

	if (r < 0) {
		text_free(t);
		return r;
	}
	*out = buf_steal(&t->b, NULL); /* transferred */
	return *out ? 0 : ERR_NOMEM;
}

/* ---- character classes and encoding ---- */

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_unreserved(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* RFC 9110 tchar: what a header name or method may contain. */
static bool is_tchar(unsigned char c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Appends one byte, percent-encoded unless unreserved (or a kept '/'). */
static void encode_byte(struct text *b, unsigned char c, bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";

	if (is_unreserved(c) || (keep_slash && c == '/')) {
		text_char(b, (char)c);
		return;
	}
	char esc[3] = {'%', digits[c >> 4], digits[c & 15]};
	text_add(b, esc, sizeof(esc));
}

static void encode(struct text *b, const char *s, size_t n, bool keep_slash)
{
	for (size_t i = 0; i < n; i++)
		encode_byte(b, (unsigned char)s[i], keep_slash);
}

/* Percent-decodes s (a malformed escape stays literal), then encodes it. */
static void reencode(struct text *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n) {
			int hi = hex_value((unsigned char)s[i + 1]);
			int lo = hex_value((unsigned char)s[i + 2]);
			if (hi >= 0 && lo >= 0) {
				c = (unsigned char)(hi << 4 | lo);
				i += 2;
			}
		}
		encode_byte(b, c, false);
	}
}

/* ---- hashing ---- */

static int sha256_hex(const void *data, size_t len, char hex[SIGV4_HEX_SIZE])
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

/* ---- argument checks ---- */

static bool has_token(const struct sigv4_params *p)
{
	return p->session_token && p->session_token[0];
}

static bool has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/* Scope parts and the key id: non-empty, A-Za-z0-9 . _ - only. */
static bool scope_safe(const char *s)
{
	if (!s || !s[0] || strlen(s) > SCOPE_PART_MAX)
		return false;
	for (; *s; s++) {
		if (!is_alnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	}
	return true;
}

static int check_params(const struct sigv4_params *p, enum sigv4_mode mode)
{
	if (!p || !scope_safe(p->access_key_id) || !scope_safe(p->region) ||
	    !scope_safe(p->service))
		return ERR_INVALID;
	if (!p->secret_access_key || !p->secret_access_key[0] ||
	    strlen(p->secret_access_key) > SECRET_MAX)
		return ERR_INVALID;
	if (has_token(p) && has_crlf(p->session_token))
		return ERR_INVALID;
	if (mode == SIGV4_MODE_QUERY && (p->expires < 1 || p->expires > SIGV4_EXPIRES_MAX))
		return ERR_INVALID;
	return 0;
}

static bool name_is(const char *name, const char *lower_name)
{
	for (; *name && *lower_name; name++, lower_name++) {
		if (lower((unsigned char)*name) != (unsigned char)*lower_name)
			return false;
	}
	return !*name && !*lower_name;
}

static bool is_reserved(const char *name)
{
	static const char *const reserved[] = {
	    "authorization",
	    "x-amz-content-sha256",
	    "x-amz-date",
	    "x-amz-security-token",
	};

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		if (name_is(name, reserved[i]))
			return true;
	}
	return false;
}

static int check_header(const struct sigv4_header *h)
{
	if (!h->name || !h->name[0] || !h->value || has_crlf(h->value) || is_reserved(h->name))
		return ERR_INVALID;
	for (const char *s = h->name; *s; s++) {
		if (!is_tchar((unsigned char)*s))
			return ERR_INVALID;
	}
	return 0;
}

static int check_request(const struct sigv4_request *req)
{
	if (!req || !req->method || !req->method[0] || (req->header_count && !req->headers) ||
	    (req->body_len && !req->body))
		return ERR_INVALID;
	for (const char *s = req->method; *s; s++) {
		if (!is_tchar((unsigned char)*s))
			return ERR_INVALID;
	}
	for (size_t i = 0; i < req->header_count; i++) {
		int r = check_header(&req->headers[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- canonical URI ---- */

static bool is_dot(const char *s, size_t n)
{
	return n == 1 && s[0] == '.';
}

static bool is_dot_dot(const char *s, size_t n)
{
	return n == 2 && s[0] == '.' && s[1] == '.';
}

struct segment {
	const char *s;
	size_t n;
};

/* Splits path at '/', dropping empty and "." segments and resolving "..". */
static size_t resolve_segments(const char *path, struct segment *seg, bool *trailing_slash)
{
	size_t count = 0;
	const char *s = path;

	for (;;) {
		const char *end = strchr(s, '/');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		if (is_dot_dot(s, n) && count)
			count--;
		else if (n && !is_dot(s, n) && !is_dot_dot(s, n))
			seg[count++] = (struct segment){s, n};
		*trailing_slash = n == 0 || is_dot(s, n) || is_dot_dot(s, n);
		if (!end)
			return count;
		s = end + 1;
	}
}

static int normalized_uri(struct text *b, const char *path)
{
	size_t slashes = 1;
	bool trailing_slash = false;

	for (const char *s = path; *s; s++)
		slashes += *s == '/';
	struct segment *seg = calloc(slashes, sizeof(*seg));
	if (!seg)
		return ERR_NOMEM;
	size_t count = resolve_segments(path, seg, &trailing_slash);
	for (size_t i = 0; i < count; i++) {
		text_char(b, '/');
		encode(b, seg[i].s, seg[i].n, false);
	}
	if (!count || trailing_slash)
		text_char(b, '/');
	free(seg);
	return 0;
}

static int canonical_uri(struct text *b, const char *path, bool normalize)
{
	if (!path || !path[0])
		path = "/";
	if (normalize)
		return normalized_uri(b, path);
	if (path[0] != '/')
		text_char(b, '/');
	encode(b, path, strlen(path), true);
	return 0;
}

/* ---- canonical query ---- */

struct param {
	size_t key_off, value_off; /* into the encoded text, while it grows */
	const char *key, *value;   /* set once the text is complete */
};

static int param_cmp(const void *a, const void *b)
{
	const struct param *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->value, y->value);
}

/* Encodes each "k=v" of raw as two NUL-terminated strings in text. */
static size_t split_query(const char *raw, struct text *text, struct param *v)
{
	size_t count = 0;

	for (const char *s = raw; *s;) {
		size_t n = strcspn(s, "&");
		const char *eq = memchr(s, '=', n);
		size_t key_len = eq ? (size_t)(eq - s) : n;
		if (n) {
			v[count].key_off = text->b.len;
			reencode(text, s, key_len);
			text_char(text, '\0');
			v[count].value_off = text->b.len;
			if (eq)
				reencode(text, eq + 1, n - key_len - 1);
			text_char(text, '\0');
			count++;
		}
		s += n + (s[n] == '&');
	}
	return count;
}

static int canonical_query(struct text *b, const char *raw)
{
	struct text text = TEXT_INIT;
	size_t max = 1;
	int r = ERR_NOMEM;

	for (const char *s = raw; *s; s++)
		max += *s == '&';
	struct param *v = calloc(max, sizeof(*v));
	if (!v)
		goto out;
	size_t count = split_query(raw, &text, v);
	if (text.err)
		goto out;
	for (size_t i = 0; i < count; i++) {
		v[i].key = text.b.data + v[i].key_off;
		v[i].value = text.b.data + v[i].value_off;
	}
	qsort(v, count, sizeof(*v), param_cmp);
	for (size_t i = 0; i < count; i++) {
		if (i)
			text_char(b, '&');
		text_str(b, v[i].key);
		text_char(b, '=');
		text_str(b, v[i].value);
	}
	r = 0;
out:
	free(v);
	text_free(&text);
	return r;
}

/* "20150830/us-east-1/service/aws4_request" */
static void add_scope(struct text *b, const struct sigv4_params *p, const char *date)
{
	text_add(b, date, 8);
	text_char(b, '/');
	text_str(b, p->region);
	text_char(b, '/');
	text_str(b, p->service);
	text_char(b, '/');
	text_str(b, SCOPE_TERMINATOR);
}

static void add_param(struct text *b, const char *key, const char *value)
{
	if (b->b.len)
		text_char(b, '&');
	text_str(b, key);
	text_char(b, '=');
	encode(b, value, strlen(value), false);
}

/* The presigning parameters in canonical order, appended to the query in b. */
static void add_presign_params(struct text *b, const struct sigv4_params *p, const char *date,
                               const char *signed_headers)
{
	struct text cred = TEXT_INIT;
	char expires[24];

	text_str(&cred, p->access_key_id);
	text_char(&cred, '/');
	add_scope(&cred, p, date);
	snprintf(expires, sizeof(expires), "%ld", p->expires);
	add_param(b, "X-Amz-Algorithm", SIGV4_ALGORITHM);
	if (cred.err)
		b->err = cred.err;
	else
		add_param(b, "X-Amz-Credential", cred.b.data);
	add_param(b, "X-Amz-Date", date);
	add_param(b, "X-Amz-Expires", expires);
	if (has_token(p) && !p->omit_session_token)
		add_param(b, "X-Amz-Security-Token", p->session_token);
	add_param(b, "X-Amz-SignedHeaders", signed_headers);
	text_free(&cred);
}

/* ---- canonical headers ---- */

struct hdr {
	const char *name;
	const char *value;
	size_t order;
};

static int hdr_name_cmp(const char *a, const char *b)
{
	for (; *a && lower((unsigned char)*a) == lower((unsigned char)*b); a++, b++)
		;
	return (int)lower((unsigned char)*a) - (int)lower((unsigned char)*b);
}

static int hdr_cmp(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	int c = hdr_name_cmp(x->name, y->name);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The value trimmed, with each run of spaces and tabs made one space. */
static void add_trimmed(struct text *b, const char *v)
{
	bool space = false, started = false;

	for (; *v; v++) {
		if (*v == ' ' || *v == '\t') {
			space = started;
			continue;
		}
		if (space)
			text_char(b, ' ');
		text_char(b, *v);
		space = false;
		started = true;
	}
}

static void add_lower(struct text *b, const char *s)
{
	for (; *s; s++)
		text_char(b, (char)lower((unsigned char)*s));
}

/* Writes "name:v1,v2\n" lines to lines and "a;b" to names, from sorted h. */
static void emit_headers(const struct hdr *h, size_t n, struct text *lines, struct text *names)
{
	for (size_t i = 0; i < n; i++) {
		if (i && hdr_name_cmp(h[i - 1].name, h[i].name) == 0) {
			text_char(lines, ',');
		} else {
			if (i) {
				text_char(lines, '\n');
				text_char(names, ';');
			}
			add_lower(lines, h[i].name);
			add_lower(names, h[i].name);
			text_char(lines, ':');
		}
		add_trimmed(lines, h[i].value);
	}
	if (n)
		text_char(lines, '\n');
}

static int canonical_headers(const struct sigv4_request *req, const struct sigv4_params *p,
                             enum sigv4_mode mode, const char *date, const char *payload,
                             struct text *lines, struct text *names)
{
	size_t n = req->header_count;
	struct hdr *h = calloc(n + 3, sizeof(*h));

	if (!h)
		return ERR_NOMEM;
	for (size_t i = 0; i < req->header_count; i++)
		h[i] = (struct hdr){req->headers[i].name, req->headers[i].value, i};
	if (mode == SIGV4_MODE_HEADER) {
		h[n] = (struct hdr){"x-amz-date", date, n};
		n++;
		if (has_token(p) && !p->omit_session_token) {
			h[n] = (struct hdr){"x-amz-security-token", p->session_token, n};
			n++;
		}
		if (p->sign_body) {
			h[n] = (struct hdr){"x-amz-content-sha256", payload, n};
			n++;
		}
	}
	qsort(h, n, sizeof(*h), hdr_cmp);
	emit_headers(h, n, lines, names);
	free(h);
	return 0;
}

/* ---- step 1: canonical request ---- */

/* The canonical request and its signed-header list, after checking all input. */
static int canonical(const struct sigv4_request *req, const struct sigv4_params *p,
                     enum sigv4_mode mode, char **creq, char **signed_headers)
{
	struct text b = TEXT_INIT, lines = TEXT_INIT, names = TEXT_INIT, query = TEXT_INIT;
	char date[SIGV4_DATE_SIZE], payload[SIGV4_HEX_SIZE];
	int r;

	*creq = NULL;
	*signed_headers = NULL;
	if ((r = check_request(req)) < 0 || (r = check_params(p, mode)) < 0 ||
	    (r = sigv4_amz_date(p->now, date)) < 0 ||
	    (r = sha256_hex(req->body, req->body_len, payload)) < 0)
		goto out;
	if ((r = canonical_headers(req, p, mode, date, payload, &lines, &names)) < 0 ||
	    (r = lines.err) < 0 || (r = names.err) < 0)
		goto out;
	text_str(&query, req->query ? req->query : "");
	if (mode == SIGV4_MODE_QUERY)
		add_presign_params(&query, p, date, names.b.data ? names.b.data : "");
	if ((r = query.err) < 0)
		goto out;
	text_str(&b, req->method);
	text_char(&b, '\n');
	if ((r = canonical_uri(&b, req->path, p->normalize_path)) < 0)
		goto out;
	text_char(&b, '\n');
	if ((r = canonical_query(&b, query.b.data ? query.b.data : "")) < 0)
		goto out;
	text_char(&b, '\n');
	text_add(&b, lines.b.data ? lines.b.data : "", lines.b.len);
	text_char(&b, '\n');
	text_add(&b, names.b.data ? names.b.data : "", names.b.len);
	text_char(&b, '\n');
	text_str(&b, payload);
	if ((r = text_take(&b, creq)) < 0 || (r = text_take(&names, signed_headers)) < 0)
		goto out;
out:
	if (r < 0) {
		free_secret(*creq);
		*creq = NULL;
	}
	text_free(&b);
	text_free(&lines);
	text_free(&names);
	text_free(&query);
	return r;
}

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
	int r = canonical(req, p, mode, out, &signed_headers);
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
	if ((r = check_params(p, SIGV4_MODE_HEADER)) < 0 ||
	    (r = sigv4_amz_date(p->now, date)) < 0 ||
	    (r = sha256_hex(canonical_request, strlen(canonical_request), hash)) < 0)
		return r;
	text_str(&b, SIGV4_ALGORITHM "\n");
	text_str(&b, date);
	text_char(&b, '\n');
	add_scope(&b, p, date);
	text_char(&b, '\n');
	text_str(&b, hash);
	return text_take(&b, out);
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
	if ((r = check_params(p, SIGV4_MODE_HEADER)) < 0 || (r = sigv4_amz_date(p->now, date)) < 0)
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
	if ((r = canonical(req, p, mode, &creq, signed_headers)) < 0 ||
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
	text_str(&b, SIGV4_ALGORITHM " Credential=");
	text_str(&b, p->access_key_id);
	text_char(&b, '/');
	add_scope(&b, p, date);
	text_str(&b, ", SignedHeaders=");
	text_str(&b, signed_headers);
	text_str(&b, ", Signature=");
	text_str(&b, sig);
	free(signed_headers);
	return text_take(&b, value);
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
	    (r = sha256_hex(req->body, req->body_len, payload)) < 0)
		goto out;
	if ((r = add_header(out, "X-Amz-Date", date)) < 0)
		goto out;
	if (has_token(p) && (r = add_header(out, "X-Amz-Security-Token", p->session_token)) < 0)
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
	text_str(&b, req->query ? req->query : "");
	add_presign_params(&b, p, date, signed_headers);
	add_param(&b, "X-Amz-Signature", sig);
	if (has_token(p) && p->omit_session_token)
		add_param(&b, "X-Amz-Security-Token", p->session_token);
	free(signed_headers);
	return text_take(&b, query);
}
