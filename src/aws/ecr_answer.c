/* SPDX-License-Identifier: MIT */
/*
 * ecr.h, part two: the request bodies and the answers (GetAuthorizationToken,
 * GetSecretValue, AWS error bodies, ISO 8601 times).  Registry hosts and
 * endpoints are in ecr.c.
 */
#include "aws/ecr.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "wipe.h"

#define STORED_TIME_MAX ((double)((int64_t)1 << 40))

/* ---- request bodies ---------------------------------------------------- */

int ecr_token_body(const char *registry_id, struct buf *out)
{
	if (!registry_id || !*registry_id)
		return buf_puts(out, "{}");
	for (const char *p = registry_id; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return ERR_INVALID;
	}
	return buf_printf(out, "{\"registryIds\":[\"%s\"]}", registry_id);
}

int secretsmanager_body(const char *secret_id, struct buf *out)
{
	json_t *obj = json_pack("{s:s}", "SecretId", secret_id ? secret_id : "");
	char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	int r = text ? buf_puts(out, text) : ERR_NOMEM;

	free(text);
	json_decref(obj);
	return r;
}

/* ---- responses --------------------------------------------------------- */

void ecr_token_finish(struct ecr_token *t)
{
	free_secret(t->username);
	free_secret(t->password);
	t->username = NULL;
	t->password = NULL;
	t->expires = 0;
}

int aws_base64_decode(const char *in, size_t len, struct buf *out)
{
	size_t got = 0;
	int r = buf_reserve(out, base64_decoded_max(len));

	if (r < 0)
		return r;
	r = base64_decode(in, len, BASE64_LENIENT, (unsigned char *)out->data + out->len, &got);
	out->len += got;
	out->data[out->len] = '\0';
	return r;
}

static int digits(const char **p, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*out = *out * 10 + (**p - '0');
	}
	return 0;
}

/* The zone part: Z, +HH:MM, -HH:MM or +HHMM; seconds east of UTC, or -1 on error. */
static long zone_offset(const char *p, bool *ok)
{
	int hh, mm;
	long sign;

	*ok = false;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*ok = true;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return 0;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &hh) < 0)
		return 0;
	if (*p == ':')
		p++;
	if (digits(&p, 2, &mm) < 0 || *p || hh > 23 || mm > 59)
		return 0;
	*ok = true;
	return sign * (hh * 3600L + mm * 60L);
}

time_t aws_parse_iso8601(const char *s)
{
	struct tm tm = {0};
	const char *p = s;
	int y, mo, d, h, mi, sec;
	long off;
	bool ok;
	time_t t;

	if (!s || digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0 || (*p != 'T' && *p != 't' && *p != ' '))
		return -1;
	p++;
	if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0 || *p++ != ':' ||
	    digits(&p, 2, &sec) < 0)
		return -1;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	off = zone_offset(p, &ok);
	if (!ok || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
	    y < 1970)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	return t < 0 ? -1 : t - off;
}

static int parse_expiry(json_t *v, time_t *out, struct errbuf *eb)
{
	double d;

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_number(v)) {
		d = json_number_value(v);
		if (!(d > 0 && d < STORED_TIME_MAX))
			return errbuf_set(eb, ERR_BACKEND, "expiresAt out of range in the answer");
		*out = (time_t)d;
		return 0;
	}
	if (json_is_string(v) && (*out = aws_parse_iso8601(json_string_value(v))) > 0)
		return 0;
	*out = 0;
	return errbuf_set(eb, ERR_BACKEND, "expiresAt is neither a number nor an ISO 8601 time");
}

/* Splits the decoded "user:password" into out. */
static int split_token(const struct buf *plain, struct ecr_token *out, struct errbuf *eb)
{
	const char *colon = plain->len ? memchr(plain->data, ':', plain->len) : NULL;
	size_t ulen;

	if (!colon || memchr(plain->data, '\0', plain->len))
		return errbuf_set(eb, ERR_BACKEND, "authorizationToken does not decode to "
				  "USER:PASSWORD");
	ulen = (size_t)(colon - plain->data);
	if (ulen == 0 || colon[1] == '\0')
		return errbuf_set(eb, ERR_BACKEND, "authorizationToken has an empty user or "
				  "password");
	out->username = strndup(plain->data, ulen);
	out->password = strdup(colon + 1);
	return out->username && out->password ? 0 : ERR_NOMEM;
}

static json_t *first_auth_data(json_t *root)
{
	json_t *data = json_object_get(root, "authorizationData");

	if (json_is_array(data))
		return json_array_get(data, 0);
	return json_is_object(data) ? data : NULL;
}

int ecr_token_parse(const char *body, size_t len, struct ecr_token *out, struct errbuf *eb)
{
	struct buf plain = BUF_INIT;
	json_error_t jerr;
	json_t *root, *entry, *tok;
	int r;

	ecr_token_finish(out);
	root = json_loadb(body, len, 0, &jerr);
	if (!json_is_object(root)) {
		r = errbuf_set(eb, ERR_BACKEND, "the GetAuthorizationToken answer is not a JSON "
				 "object");
		goto out;
	}
	entry = first_auth_data(root);
	tok = json_object_get(entry, "authorizationToken");
	if (!json_is_string(tok)) {
		r = errbuf_set(eb, ERR_BACKEND, "the GetAuthorizationToken answer has no "
				 "authorizationData[0].authorizationToken");
		goto out;
	}
	r = aws_base64_decode(json_string_value(tok), json_string_length(tok), &plain);
	if (r == ERR_INVALID)
		r = errbuf_set(eb, ERR_BACKEND, "authorizationToken is not valid base64");
	if (r == 0)
		r = split_token(&plain, out, eb);
	if (r == 0)
		r = parse_expiry(json_object_get(entry, "expiresAt"), &out->expires, eb);
out:
	if (r < 0)
		ecr_token_finish(out);
	buf_finish(&plain);
	json_decref(root);
	return r;
}

/* The last member named name ignoring case that is a string; NULL if none. */
static const char *member_string(json_t *obj, const char *name)
{
	const char *key, *found = NULL;
	json_t *value;

	json_object_foreach(obj, key, value) {
		if (strcasecmp(key, name) == 0)
			found = json_is_string(value) ? json_string_value(value) : NULL;
	}
	return found;
}

static int secret_fields(json_t *inner, const char *secret_id, struct ecr_token *out,
			 struct errbuf *eb)
{
	const char *user = member_string(inner, "username");
	const char *pass = member_string(inner, "password");

	if (!user || !*user || !pass || !*pass)
		return errbuf_set(eb, ERR_BACKEND,
				  "secret %s: SecretString needs non-empty \"username\" and "
				  "\"password\" strings",
				  secret_id);
	out->username = strdup(user);
	out->password = strdup(pass);
	return out->username && out->password ? 0 : ERR_NOMEM;
}

int secretsmanager_parse(const char *body, size_t len, const char *secret_id,
			 struct ecr_token *out, struct errbuf *eb)
{
	json_error_t jerr;
	json_t *root, *str, *inner = NULL;
	int r;

	ecr_token_finish(out);
	root = json_loadb(body, len, 0, &jerr);
	str = json_object_get(root, "SecretString");
	if (!json_is_object(root)) {
		r = errbuf_set(eb, ERR_BACKEND, "the GetSecretValue answer is not a JSON object");
	} else if (!json_is_string(str)) {
		r = errbuf_set(eb, ERR_BACKEND,
			       "secret %s has no SecretString (store {\"username\":...,"
			       "\"password\":...} as a string secret)",
			       secret_id);
	} else {
		inner = json_loadb(json_string_value(str), json_string_length(str), 0, &jerr);
		r = json_is_object(inner)
			    ? secret_fields(inner, secret_id, out, eb)
			    : errbuf_set(eb, ERR_BACKEND,
					 "secret %s: SecretString is not a JSON object "
					 "{\"username\":...,\"password\":...}",
					 secret_id);
	}
	if (r < 0)
		ecr_token_finish(out);
	json_decref(inner);
	json_decref(root);
	return r;
}

/* ---- errors ------------------------------------------------------------ */

/* Copies s with control characters as spaces, at most size - 1 bytes. */
static void clean_copy(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 1 < size; s++)
		out[n++] = (unsigned char)*s < ' ' || *s == 0x7f ? ' ' : *s;
	out[n] = '\0';
}

static void error_type(json_t *root, char *type)
{
	const char *t = member_string(root, "__type");
	const char *hash;

	if (!t)
		t = member_string(root, "code");
	hash = t ? strrchr(t, '#') : NULL;
	clean_copy(type, AWS_ERROR_TYPE_MAX, hash ? hash + 1 : t ? t : "");
	type[strcspn(type, ":")] = '\0'; /* "Type:http://..." forms */
}

void aws_error_message(const char *label, long status, const char *body, size_t len,
		       char *type, char *msg, size_t size)
{
	char tbuf[AWS_ERROR_TYPE_MAX], text[400];
	json_error_t jerr;
	json_t *root = body && len ? json_loadb(body, len, 0, &jerr) : NULL;
	const char *m = json_is_object(root) ? member_string(root, "message") : NULL;

	type = type ? type : tbuf;
	type[0] = '\0';
	if (json_is_object(root))
		error_type(root, type);
	clean_copy(text, sizeof(text), m);
	if (type[0] && text[0])
		snprintf(msg, size, "%s: %s: %s", label, type, text);
	else if (type[0])
		snprintf(msg, size, "%s: %s (HTTP %ld)", label, type, status);
	else if (text[0])
		snprintf(msg, size, "%s: HTTP %ld: %s", label, status, text);
	else
		snprintf(msg, size, "%s: HTTP %ld", label, status);
	json_decref(root);
}

bool aws_error_retryable(long status, const char *type)
{
	static const char *const throttles[] = {
		"ThrottlingException",	    "ThrottledException",
		"RequestLimitExceeded",	    "TooManyRequestsException",
		"RequestThrottled",	    "RequestThrottledException",
		"ProvisionedThroughputExceededException", "SlowDown",
		"PriorRequestNotComplete", "EC2ThrottledException",
		"BandwidthLimitExceeded",  "RequestTimeout",
		"RequestTimeoutException",
		NULL,
	};

	if (status >= 500 || status == 429)
		return true;
	for (size_t i = 0; type && throttles[i]; i++) {
		if (strcmp(type, throttles[i]) == 0)
			return true;
	}
	return false;
}
