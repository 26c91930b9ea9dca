/* SPDX-License-Identifier: MIT */
/*
 * What the AWS credential providers share: timestamps, the checks every
 * set of keys passes, and the JSON credentials documents of IMDS, the
 * container endpoints and credential_process.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/providers.h"
#include "wipe.h"

#define KEY_ID_MAX 128
#define SECRET_MAX 4096
#define TOKEN_MAX (64u * 1024u)

static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* "[+-]hh[:]mm" -> seconds east of UTC; p advanced. */
static bool parse_offset(const char **p, long *offset)
{
	const char *s = *p;
	int sign = *s == '-' ? -1 : 1, h, m;

	if (!digits(s + 1, 2, &h))
		return false;
	s += 3;
	if (*s == ':')
		s++;
	if (!digits(s, 2, &m) || h > 23 || m > 59)
		return false;
	*offset = sign * (h * 3600L + m * 60L);
	*p = s + 2;
	return true;
}

int aws_time_parse(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec;
	long offset = 0;
	const char *p;
	time_t t;

	*out = 0;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return ERR_INVALID;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return ERR_INVALID;
	p = s + 19;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return ERR_INVALID;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if ((*p != '+' && *p != '-') || !parse_offset(&p, &offset))
		return ERR_INVALID;
	if (*p)
		return ERR_INVALID;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return ERR_INVALID;
	*out = t - offset;
	return 0;
}

void aws_time_format(time_t t, char out[AWS_TIME_SIZE])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, AWS_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, AWS_TIME_SIZE, "?");
}

/* Printable ASCII only: these go into HTTP headers and the signature. */
static bool printable(const char *s, size_t max)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		if (n >= max || (unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return false;
	}
	return n > 0;
}

static bool key_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > KEY_ID_MAX)
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s))
			return false;
	}
	return true;
}

int aws_creds_set(struct aws_credentials *out, const char *id, const char *secret,
		  const char *token, time_t expires, time_t now, const char *what,
		  struct errbuf *eb)
{
	char when[AWS_TIME_SIZE];

	aws_credentials_finish(out);
	if (!id || !key_id_ok(id))
		return errbuf_set(eb, ERR_BACKEND, "%s: missing or malformed access key id", what);
	if (!secret || !printable(secret, SECRET_MAX))
		return errbuf_set(eb, ERR_BACKEND, "%s: missing or malformed secret access key",
				  what);
	if (token && *token && !printable(token, TOKEN_MAX))
		return errbuf_set(eb, ERR_BACKEND, "%s: malformed session token", what);
	if (expires && expires <= now) {
		aws_time_format(expires, when);
		return errbuf_set(eb, ERR_BACKEND, "%s: the credentials expired at %s", what, when);
	}
	out->access_key_id = strdup(id);
	out->secret_access_key = strdup(secret);
	out->session_token = token && *token ? strdup(token) : NULL;
	out->expires = expires;
	if (!out->access_key_id || !out->secret_access_key ||
	    (token && *token && !out->session_token)) {
		aws_credentials_finish(out);
		return ERR_NOMEM;
	}
	return 0;
}

void aws_error_clear(struct errbuf *eb)
{
	if (eb)
		eb->msg[0] = '\0';
}

int aws_error_wrap(struct errbuf *eb, int code, const char *prefix)
{
	char msg[sizeof(eb->msg)];

	if (!eb)
		return code;
	snprintf(msg, sizeof(msg), "%s", errbuf_str(eb, code));
	return errbuf_set(eb, code, "%s: %s", prefix, msg);
}

int aws_json_parse(const char *text, size_t len, const char *what, json_t **out,
		   struct errbuf *eb)
{
	json_error_t jerr;
	int line, column;

	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	/* jerr.text may quote the input (a secret): report the position only. */
	line = jerr.line;
	column = jerr.column;
	wipe(&jerr, sizeof(jerr));
	if (!*out)
		return errbuf_set(eb, ERR_BACKEND, "%s: invalid JSON (line %d, column %d)", what,
				  line, column);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return errbuf_set(eb, ERR_BACKEND, "%s: expected a JSON object", what);
	}
	return 0;
}

static const char *member(json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

int aws_creds_from_json(json_t *doc, const char *token_key, time_t now, const char *what,
			struct aws_credentials *out, struct errbuf *eb)
{
	const char *expiration = member(doc, "Expiration");
	json_t *exp_value = json_object_get(doc, "Expiration");
	time_t expires = 0;

	aws_credentials_finish(out);
	if (exp_value && !json_is_null(exp_value) &&
	    (!expiration || aws_time_parse(expiration, &expires) < 0))
		return errbuf_set(eb, ERR_BACKEND,
				  "%s: Expiration is not an ISO 8601 time (e.g. "
				  "2030-01-02T15:04:05Z)",
				  what);
	return aws_creds_set(out, member(doc, "AccessKeyId"), member(doc, "SecretAccessKey"),
			     member(doc, token_key), expires, now, what, eb);
}
