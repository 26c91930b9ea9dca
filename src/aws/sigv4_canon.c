/* SPDX-License-Identifier: MIT */
/*
 * SigV4 step 1, the canonical request: argument checks, percent-encoding,
 * path normalisation, query splitting and sorting, header trimming and
 * ordering.  Canonicalisation follows AWS's test suites (see
 * tests/data/sigv4/README.md for the rules they pin).
 */
#include "aws/sigv4_impl.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hexdigit.h"
#include "wipe.h"

#define SCOPE_PART_MAX 128

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

/* Appends one byte, percent-encoded unless unreserved (or a kept '/'). */
static void encode_byte(struct text *b, unsigned char c, bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";

	if (is_unreserved(c) || (keep_slash && c == '/')) {
		sigv4_text_char(b, (char)c);
		return;
	}
	char esc[3] = {'%', digits[c >> 4], digits[c & 15]};
	sigv4_text_add(b, esc, sizeof(esc));
}

void sigv4_encode(struct text *b, const char *s, size_t n, bool keep_slash)
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

/* ---- argument checks ---- */

bool sigv4_has_token(const struct sigv4_params *p)
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

int sigv4_check_params(const struct sigv4_params *p, enum sigv4_mode mode)
{
	if (!p || !scope_safe(p->access_key_id) || !scope_safe(p->region) ||
	    !scope_safe(p->service))
		return ERR_INVALID;
	if (!p->secret_access_key || !p->secret_access_key[0] ||
	    strlen(p->secret_access_key) > SECRET_MAX)
		return ERR_INVALID;
	if (sigv4_has_token(p) && has_crlf(p->session_token))
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
		sigv4_text_char(b, '/');
		sigv4_encode(b, seg[i].s, seg[i].n, false);
	}
	if (!count || trailing_slash)
		sigv4_text_char(b, '/');
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
		sigv4_text_char(b, '/');
	sigv4_encode(b, path, strlen(path), true);
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
			sigv4_text_char(text, '\0');
			v[count].value_off = text->b.len;
			if (eq)
				reencode(text, eq + 1, n - key_len - 1);
			sigv4_text_char(text, '\0');
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
			sigv4_text_char(b, '&');
		sigv4_text_str(b, v[i].key);
		sigv4_text_char(b, '=');
		sigv4_text_str(b, v[i].value);
	}
	r = 0;
out:
	free(v);
	sigv4_text_free(&text);
	return r;
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
			sigv4_text_char(b, ' ');
		sigv4_text_char(b, *v);
		space = false;
		started = true;
	}
}

static void add_lower(struct text *b, const char *s)
{
	for (; *s; s++)
		sigv4_text_char(b, (char)lower((unsigned char)*s));
}

/* Writes "name:v1,v2\n" lines to lines and "a;b" to names, from sorted h. */
static void emit_headers(const struct hdr *h, size_t n, struct text *lines, struct text *names)
{
	for (size_t i = 0; i < n; i++) {
		if (i && hdr_name_cmp(h[i - 1].name, h[i].name) == 0) {
			sigv4_text_char(lines, ',');
		} else {
			if (i) {
				sigv4_text_char(lines, '\n');
				sigv4_text_char(names, ';');
			}
			add_lower(lines, h[i].name);
			add_lower(names, h[i].name);
			sigv4_text_char(lines, ':');
		}
		add_trimmed(lines, h[i].value);
	}
	if (n)
		sigv4_text_char(lines, '\n');
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
		if (sigv4_has_token(p) && !p->omit_session_token) {
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
int sigv4_canonical(const struct sigv4_request *req, const struct sigv4_params *p,
                    enum sigv4_mode mode, char **creq, char **signed_headers)
{
	struct text b = TEXT_INIT, lines = TEXT_INIT, names = TEXT_INIT, query = TEXT_INIT;
	char date[SIGV4_DATE_SIZE], payload[SIGV4_HEX_SIZE];
	int r;

	*creq = NULL;
	*signed_headers = NULL;
	if ((r = check_request(req)) < 0 || (r = sigv4_check_params(p, mode)) < 0 ||
	    (r = sigv4_amz_date(p->now, date)) < 0 ||
	    (r = sigv4_sha256_hex(req->body, req->body_len, payload)) < 0)
		goto out;
	if ((r = canonical_headers(req, p, mode, date, payload, &lines, &names)) < 0 ||
	    (r = lines.err) < 0 || (r = names.err) < 0)
		goto out;
	sigv4_text_str(&query, req->query ? req->query : "");
	if (mode == SIGV4_MODE_QUERY)
		sigv4_add_presign_params(&query, p, date, names.b.data ? names.b.data : "");
	if ((r = query.err) < 0)
		goto out;
	sigv4_text_str(&b, req->method);
	sigv4_text_char(&b, '\n');
	if ((r = canonical_uri(&b, req->path, p->normalize_path)) < 0)
		goto out;
	sigv4_text_char(&b, '\n');
	if ((r = canonical_query(&b, query.b.data ? query.b.data : "")) < 0)
		goto out;
	sigv4_text_char(&b, '\n');
	sigv4_text_add(&b, lines.b.data ? lines.b.data : "", lines.b.len);
	sigv4_text_char(&b, '\n');
	sigv4_text_add(&b, names.b.data ? names.b.data : "", names.b.len);
	sigv4_text_char(&b, '\n');
	sigv4_text_str(&b, payload);
	if ((r = sigv4_text_take(&b, creq)) < 0 ||
	    (r = sigv4_text_take(&names, signed_headers)) < 0)
		goto out;
out:
	if (r < 0) {
		free_secret(*creq);
		*creq = NULL;
	}
	sigv4_text_free(&b);
	sigv4_text_free(&lines);
	sigv4_text_free(&names);
	sigv4_text_free(&query);
	return r;
}
