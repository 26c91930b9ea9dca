/* SPDX-License-Identifier: MIT */
#include "pattern.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

#define PATTERN_TEXT_MAX (REF_HOST_MAX + PATTERN_PATH_MAX + 16)
#define HOSTNAME_MAX 253
#define GLOB_CHARS "*?[\\"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A character of a lower-cased host name. */
static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static bool has_glob(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(GLOB_CHARS, s[i]))
			return true;
	return false;
}

static bool prefix_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower(*s) != *prefix)
			return false;
	return true;
}

/* Splits a canonical ref host "name[:port]" or "[v6][:port]". */
static void split_host(const char *host, size_t *name_len, unsigned *port)
{
	const char *start = host[0] == '[' ? strchr(host, ']') : host;
	const char *colon = start ? strchr(start, ':') : NULL;

	*name_len = colon ? (size_t)(colon - host) : strlen(host);
	*port = 0;
	if (colon)
		for (const char *d = colon + 1; *d; d++)
			*port = *port * 10 + (unsigned)(*d - '0');
}

/* ---- parsing ---- */

static int check_text(const char *text, const char **why)
{
	size_t len;

	if (!text || !*text)
		return ref_fail(why, ERR_INVALID, "empty pattern");
	len = strnlen(text, PATTERN_TEXT_MAX + 1);
	if (len > PATTERN_TEXT_MAX)
		return ref_fail(why, ERR_TOO_LARGE, "pattern too long");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == ' ' || (c >= '\t' && c <= '\r'))
			return ref_fail(why, ERR_INVALID, "whitespace in pattern");
		if (c < 0x20 || c == 0x7f)
			return ref_fail(why, ERR_INVALID, "control character in pattern");
		if (c >= 0x80)
			return ref_fail(why, ERR_INVALID, "non-ascii character in pattern");
	}
	return 0;
}

/* Reads one class member at s[*i], '\' escapes included, into *c. */
static int class_char(const char *s, size_t n, size_t *i, char *c, const char **why)
{
	if (*i < n && (s[*i] == '-' || s[*i] == ']'))
		return ref_fail(why, ERR_INVALID, "malformed character class");
	if (*i < n && s[*i] == '\\')
		(*i)++;
	if (*i >= n)
		return ref_fail(why, ERR_INVALID, "unterminated character class");
	*c = s[(*i)++];
	if (!host_char(*c))
		return ref_fail(why, ERR_INVALID, "invalid character in host");
	return 0;
}

/* Validates the class at s[*i] == '[' (Go filepath.Match syntax); leaves *i after its ']'. */
static int check_class(const char *s, size_t n, size_t *i, const char **why)
{
	size_t ranges = 0;
	char lo, hi;
	int ret;

	(*i)++;
	if (*i < n && s[*i] == '^')
		(*i)++;
	for (;;) {
		if (*i < n && s[*i] == ']' && ranges > 0) {
			(*i)++;
			return 0;
		}
		ret = class_char(s, n, i, &lo, why);
		if (ret < 0)
			return ret;
		if (*i < n && s[*i] == '-') {
			(*i)++;
			ret = class_char(s, n, i, &hi, why);
			if (ret < 0)
				return ret;
		}
		ranges++;
	}
}

static int check_glob_label(const char *s, size_t n, const char **why)
{
	size_t i = 0;
	int ret;

	while (i < n) {
		if (s[i] == '*' || s[i] == '?') {
			i++;
			continue;
		}
		if (s[i] == '[') {
			ret = check_class(s, n, &i, why);
			if (ret < 0)
				return ret;
			continue;
		}
		if (s[i] == '\\' && ++i == n)
			return ref_fail(why, ERR_INVALID, "malformed glob");
		if (!host_char(s[i]))
			return ref_fail(why, ERR_INVALID, "invalid character in host");
		i++;
	}
	return 0;
}

/* A label is a glob, or else a one-label host name. */
static int check_label(const char *s, size_t n, const char **why)
{
	struct ref tmp;

	if (n == 0)
		return ref_fail(why, ERR_INVALID, "empty label in host");
	if (has_glob(s, n))
		return check_glob_label(s, n, why);
	return ref_parse_registry(s, n, &tmp, why);
}

static int parse_glob_host(const char *s, size_t n, struct pattern *out, const char **why)
{
	const char *colon = memchr(s, ':', n);
	size_t len = colon ? (size_t)(colon - s) : n, start = 0;
	int ret;

	if (colon) {
		const char *port = colon + 1;
		size_t port_len = (size_t)(s + n - port);

		if (has_glob(port, port_len))
			return ref_fail(why, ERR_INVALID, "glob not allowed in port");
		ret = ref_parse_port(port, port_len, &out->port, why);
		if (ret < 0)
			return ret;
	}
	if (len > HOSTNAME_MAX)
		return ref_fail(why, ERR_INVALID, "host name too long");
	for (size_t i = 0; i < len; i++)
		out->host[i] = lower(s[i]);
	out->host[len] = '\0';
	for (size_t i = 0; i <= len; i++) {
		if (i < len && out->host[i] != '.')
			continue;
		ret = check_label(out->host + start, i - start, why);
		if (ret < 0)
			return ret;
		start = i + 1;
	}
	return 0;
}

static int parse_literal_host(const char *s, size_t n, struct pattern *out, const char **why)
{
	struct ref r;
	size_t len;
	int ret;

	ret = ref_parse_registry(s, n, &r, why);
	if (ret < 0)
		return ret;
	split_host(r.host, &len, &out->port);
	memcpy(out->host, r.host, len);
	out->host[len] = '\0';
	out->hub = r.hub;
	out->literal = true;
	return 0;
}

/* "[...:...]" opens with an IPv6 literal rather than a character class. */
static bool is_ipv6(const char *s, size_t n)
{
	const char *close = s[0] == '[' ? memchr(s, ']', n) : NULL;

	return close && memchr(s, ':', (size_t)(close - s));
}

static int parse_host(const char *s, size_t n, struct pattern *out, const char **why)
{
	if (n == 0)
		return ref_fail(why, ERR_INVALID, "empty registry");
	if (memchr(s, '@', n))
		return ref_fail(why, ERR_INVALID, "user info not allowed");
	if (is_ipv6(s, n) || !has_glob(s, n))
		return parse_literal_host(s, n, out, why);
	return parse_glob_host(s, n, out, why);
}

/* "v1" or "v2" as the first component (prefix) or as the whole path, as in ref_parse. */
static bool is_api_path(const char *s, size_t n, bool prefix)
{
	size_t first = strcspn(s, "/");

	if (first > n)
		first = n;
	if (first != 2 || lower(s[0]) != 'v' || (s[1] != '1' && s[1] != '2'))
		return false;
	return prefix || first == n;
}

static int parse_path(const char *s, bool scheme, struct pattern *out, const char **why)
{
	size_t n = strlen(s);
	int ret;

	if (scheme && is_api_path(s, n, true))
		return 0;
	if (n > 0 && s[n - 1] == '/')
		n--;
	if (n == 0 || (!scheme && is_api_path(s, n, false)))
		return 0;
	if (has_glob(s, n))
		return ref_fail(why, ERR_INVALID, "glob not allowed in path");
	if (memchr(s, ':', n) || memchr(s, '@', n))
		return ref_fail(why, ERR_INVALID, "tag or digest not allowed in pattern");
	if (n >= sizeof(out->path))
		return ref_fail(why, ERR_TOO_LARGE, "path prefix too long");
	ret = ref_check_path(s, n, why);
	if (ret < 0)
		return ret;
	memcpy(out->path, s, n);
	out->path[n] = '\0';
	return 0;
}

/* Sets *rest after an optional "http://" or "https://"; other schemes are errors. */
static int strip_scheme(const char *text, const char **rest, const char **why)
{
	const char *sep = strstr(text, "://");

	*rest = text;
	if (!sep)
		return 0;
	if (!prefix_ci(text, "https://") && !prefix_ci(text, "http://"))
		return ref_fail(why, ERR_INVALID, "unsupported scheme");
	*rest = sep + 3;
	return 0;
}

int pattern_parse(const char *text, struct pattern *out, const char **why)
{
	const char *rest;
	size_t host_len;
	int ret;

	memset(out, 0, sizeof(*out));
	if (why)
		*why = NULL;
	ret = check_text(text, why);
	if (ret < 0)
		goto out;
	ret = strip_scheme(text, &rest, why);
	if (ret < 0)
		goto out;
	host_len = strcspn(rest, "/");
	ret = parse_host(rest, host_len, out, why);
	if (ret == 0 && rest[host_len] == '/')
		ret = parse_path(rest + host_len + 1, rest != text, out, why);
	/* The catch-all: "*" without port or path would otherwise match one-label hosts only. */
	out->any = ret == 0 && strcmp(out->host, "*") == 0 && !out->port && !out->path[0];
out:
	if (ret < 0)
		memset(out, 0, sizeof(*out));
	return ret;
}

/* ---- matching ---- */

/* Reads one class member or bound at p[*i] (validated at parse time). */
static char class_member(const char *p, size_t *i)
{
	if (p[*i] == '\\')
		(*i)++;
	return p[(*i)++];
}

/* Matches c against the class at p[*i] == '['; leaves *i after its ']'. */
static bool class_match(const char *p, size_t *i, char c)
{
	bool negate = false, hit = false;
	size_t ranges = 0;

	(*i)++;
	if (p[*i] == '^') {
		negate = true;
		(*i)++;
	}
	while (ranges == 0 || p[*i] != ']') {
		char lo = class_member(p, i), hi = lo;

		if (p[*i] == '-') {
			(*i)++;
			hi = class_member(p, i);
		}
		hit |= lo <= c && c <= hi;
		ranges++;
	}
	(*i)++;
	return hit != negate;
}

/* Matches c against the token at p[*i] ('?', class, escape or literal); advances *i. */
static bool token_match(const char *p, size_t *i, char c)
{
	switch (p[*i]) {
	case '?':
		(*i)++;
		return true;
	case '[':
		return class_match(p, i, c);
	case '\\':
		(*i)++;
		break;
	default:
		break;
	}
	return p[(*i)++] == c;
}

/* Go filepath.Match on one label: '*' backtracks to the last star seen. */
static bool glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

	while (si < sn) {
		if (pi < pn && p[pi] == '*') {
			star_p = ++pi;
			star_s = si;
			continue;
		}
		if (pi < pn && token_match(p, &pi, s[si])) {
			si++;
			continue;
		}
		if (star_p == SIZE_MAX)
			return false;
		pi = star_p;
		si = ++star_s;
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

/* Same number of labels, each matching its glob. */
static bool labels_match(const char *pat, const char *host, size_t n)
{
	const char *pend = pat + strlen(pat), *hend = host + n;

	for (;;) {
		const char *pdot = memchr(pat, '.', (size_t)(pend - pat));
		const char *hdot = memchr(host, '.', (size_t)(hend - host));

		if (!pdot)
			pdot = pend;
		if (!hdot)
			hdot = hend;
		if (!glob_match(pat, (size_t)(pdot - pat), host, (size_t)(hdot - host)))
			return false;
		if (pdot == pend || hdot == hend)
			return pdot == pend && hdot == hend;
		pat = pdot + 1;
		host = hdot + 1;
	}
}

static bool host_match(const struct pattern *p, const char *host, size_t n)
{
	if (p->literal)
		return strlen(p->host) == n && memcmp(p->host, host, n) == 0;
	if (n > 0 && host[0] == '[')
		return false;
	return labels_match(p->host, host, n);
}

/* Component-wise prefix: "team" matches "team" and "team/app", not "teamx". */
static bool path_match(const char *prefix, const char *path)
{
	size_t n = strlen(prefix);

	return n == 0 || (strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

bool pattern_match(const struct pattern *p, const struct ref *r)
{
	size_t host_len;
	unsigned port;

	if (p->any)
		return true;
	if (!r->host[0])
		return false;
	split_host(r->host, &host_len, &port);
	return port == p->port && host_match(p, r->host, host_len) &&
	       path_match(p->path, r->path);
}

bool pattern_is_literal(const struct pattern *p)
{
	return !p->any && p->literal;
}

void pattern_format(const struct pattern *p, char *buf, size_t size)
{
	char port[16] = "";

	if (size == 0)
		return;
	if (p->port)
		snprintf(port, sizeof(port), ":%u", p->port);
	snprintf(buf, size, "%s%s%s%s", p->host, port, p->path[0] ? "/" : "", p->path);
}
