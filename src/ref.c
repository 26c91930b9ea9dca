/* SPDX-License-Identifier: MIT */
#include "ref.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

#define HOSTNAME_MAX 253
#define LABEL_MAX 63
#define TAG_MAX 128
#define IPV6_TEXT_MAX 45 /* INET6_ADDRSTRLEN - 1 */
#define HUB_HOST "docker.io"
#define HUB_OFFICIAL "library/"

static const char *const hub_hosts[] = {
	"docker.io",
	"index.docker.io",
	"registry-1.docker.io",
	"registry.hub.docker.com",
};

/* The algorithms go-digest accepts, with their hex length. */
static const struct {
	const char *prefix;
	size_t hex;
} digest_algos[] = {
	{"sha256:", 64},
	{"sha384:", 96},
	{"sha512:", 128},
};

/* Where a path goes: after a scheme, after a registry, or a whole Hub image name. */
enum path_kind {
	PATH_URL,
	PATH_REGISTRY,
	PATH_HUB_IMAGE,
};

int ref_fail(const char **why, int code, const char *reason)
{
	if (why)
		*why = reason;
	return code;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static char lower(char c)
{
	return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/* Compares the n bytes at s with word, ignoring ASCII case. */
static bool span_eq_ci(const char *s, size_t n, const char *word)
{
	if (strlen(word) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != lower(word[i]))
			return false;
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return n > 0;
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_upper(s[i]))
			return true;
	return false;
}

bool ref_is_hub_host(const char *host)
{
	if (!host)
		return false;
	for (size_t i = 0; i < sizeof(hub_hosts) / sizeof(hub_hosts[0]); i++)
		if (span_eq_ci(host, strlen(host), hub_hosts[i]))
			return true;
	return false;
}

int ref_parse_port(const char *text, size_t len, unsigned *port, const char **why)
{
	unsigned val = 0;

	*port = 0;
	if (len == 0)
		return ref_fail(why, ERR_INVALID, "empty port");
	if (len > 5)
		return ref_fail(why, ERR_INVALID, "invalid port");
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(text[i]))
			return ref_fail(why, ERR_INVALID, "invalid port");
		val = val * 10 + (unsigned)(text[i] - '0');
	}
	if (val == 0 || val > 65535)
		return ref_fail(why, ERR_INVALID, "invalid port");
	*port = val;
	return 0;
}

static int check_label(const char *s, size_t n, const char **why)
{
	if (n == 0)
		return ref_fail(why, ERR_INVALID, "empty label in host");
	if (n > LABEL_MAX)
		return ref_fail(why, ERR_INVALID, "host label too long");
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return ref_fail(why, ERR_INVALID, "non-ascii character in host");
		if (!is_alnum(s[i]) && s[i] != '-')
			return ref_fail(why, ERR_INVALID, "invalid character in host");
	}
	if (s[0] == '-' || s[n - 1] == '-')
		return ref_fail(why, ERR_INVALID, "host label starts or ends with '-'");
	return 0;
}

/* A DNS name of n bytes, written lower-cased into buf (REF_HOST_MAX bytes). */
static int parse_hostname(const char *s, size_t n, char *buf, const char **why)
{
	size_t start = 0;
	int ret;

	if (n == 0)
		return ref_fail(why, ERR_INVALID, "empty registry");
	if (n > HOSTNAME_MAX)
		return ref_fail(why, ERR_INVALID, "host name too long");
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		ret = check_label(s + start, i - start, why);
		if (ret < 0)
			return ret;
		start = i + 1;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = lower(s[i]);
	buf[n] = '\0';
	return 0;
}

/* The n bytes inside "[...]", written as "[canonical]" into buf (REF_HOST_MAX bytes). */
static int parse_ipv6(const char *s, size_t n, char *buf, const char **why)
{
	char text[IPV6_TEXT_MAX + 1], canon[INET6_ADDRSTRLEN];
	struct in6_addr addr;

	if (n == 0 || n > IPV6_TEXT_MAX)
		return ref_fail(why, ERR_INVALID, "invalid ipv6 address");
	for (size_t i = 0; i < n; i++)
		if (!is_hex(s[i]) && s[i] != ':' && s[i] != '.')
			return ref_fail(why, ERR_INVALID, "invalid ipv6 address");
	memcpy(text, s, n);
	text[n] = '\0';
	if (inet_pton(AF_INET6, text, &addr) != 1 ||
	    !inet_ntop(AF_INET6, &addr, canon, sizeof(canon)))
		return ref_fail(why, ERR_INVALID, "invalid ipv6 address");
	snprintf(buf, REF_HOST_MAX, "[%s]", canon);
	return 0;
}

/* Splits "host[:port]" or "[v6][:port]"; *port is NULL when there is none. */
static int split_port(const char *s, size_t n, size_t *host_len, const char **port,
		      size_t *port_len, const char **why)
{
	const char *end = s + n, *colon;

	*host_len = n;
	*port = NULL;
	*port_len = 0;
	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (!close)
			return ref_fail(why, ERR_INVALID, "unterminated ipv6 address");
		colon = close + 1;
		if (colon == end) {
			*host_len = (size_t)(colon - s);
			return 0;
		}
		if (*colon != ':')
			return ref_fail(why, ERR_INVALID, "invalid character after ipv6 address");
	} else {
		colon = memchr(s, ':', n);
		if (!colon)
			return 0;
		if (memchr(colon + 1, ':', (size_t)(end - colon - 1)))
			return ref_fail(why, ERR_INVALID, "ipv6 address must be in brackets");
	}
	*host_len = (size_t)(colon - s);
	*port = colon + 1;
	*port_len = (size_t)(end - colon - 1);
	return 0;
}

static int parse_registry(const char *text, size_t len, struct ref *out, const char **why)
{
	const char *port_text;
	size_t host_len, port_len;
	unsigned port;
	int ret;

	if (len == 0)
		return ref_fail(why, ERR_INVALID, "empty registry");
	if (memchr(text, '@', len))
		return ref_fail(why, ERR_INVALID, "user info not allowed");
	ret = split_port(text, len, &host_len, &port_text, &port_len, why);
	if (ret < 0)
		return ret;
	if (text[0] == '[')
		ret = parse_ipv6(text + 1, host_len - 2, out->host, why);
	else
		ret = parse_hostname(text, host_len, out->host, why);
	if (ret < 0)
		return ret;
	if (port_text) {
		ret = ref_parse_port(port_text, port_len, &port, why);
		if (ret < 0)
			return ret;
		size_t used = strlen(out->host);
		snprintf(out->host + used, sizeof(out->host) - used, ":%u", port);
	} else if (ref_is_hub_host(out->host)) {
		strcpy(out->host, HUB_HOST);
		out->hub = true;
	}
	return 0;
}

int ref_parse_registry(const char *text, size_t len, struct ref *out, const char **why)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (why)
		*why = NULL;
	ret = parse_registry(text, len, out, why);
	if (ret < 0)
		memset(out, 0, sizeof(*out));
	return ret;
}

/*
 * One path component by docker's grammar: alphanumeric runs joined by a
 * single '.', one or two '_', or any number of '-'.
 */
static bool component_ok(const char *s, size_t n)
{
	size_t i = 0, start;

	while (i < n) {
		for (start = i; i < n && is_alnum(s[i]); i++)
			;
		if (i == start)
			return false;
		if (i == n)
			return true;
		start = i;
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		else
			while (i < n && s[i] == '-')
				i++;
		if (i == start || i == n)
			return false;
	}
	return false;
}

static bool path_chars_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

int ref_check_path(const char *path, size_t len, const char **why)
{
	size_t start = 0;

	if (len == 0)
		return ref_fail(why, ERR_INVALID, "empty repository path");
	if (len >= REF_PATH_MAX)
		return ref_fail(why, ERR_TOO_LARGE, "repository path too long");
	for (size_t i = 0; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		if (i == start)
			return ref_fail(why, ERR_INVALID, "empty path component");
		if (!path_chars_ok(path + start, i - start))
			return ref_fail(why, ERR_INVALID, "invalid character in repository path");
		if (!component_ok(path + start, i - start))
			return ref_fail(why, ERR_INVALID, "invalid repository path component");
		start = i + 1;
	}
	return 0;
}

static bool has_digest_prefix(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(digest_algos) / sizeof(digest_algos[0]); i++) {
		size_t len = strlen(digest_algos[i].prefix);

		if (n >= len && memcmp(s, digest_algos[i].prefix, len) == 0)
			return true;
	}
	return false;
}

static int check_digest(const char *s, size_t n, const char **why)
{
	for (size_t i = 0; i < sizeof(digest_algos) / sizeof(digest_algos[0]); i++) {
		size_t len = strlen(digest_algos[i].prefix);

		if (n != len + digest_algos[i].hex || memcmp(s, digest_algos[i].prefix, len) != 0)
			continue;
		for (size_t j = len; j < n; j++)
			if (!is_digit(s[j]) && !(s[j] >= 'a' && s[j] <= 'f'))
				return ref_fail(why, ERR_INVALID, "invalid digest");
		return 0;
	}
	return ref_fail(why, ERR_INVALID, "invalid digest");
}

static int check_tag(const char *s, size_t n, const char **why)
{
	if (n == 0 || n > TAG_MAX || !(is_alnum(s[0]) || s[0] == '_'))
		return ref_fail(why, ERR_INVALID, "invalid tag");
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(s[i]) && !strchr("_.-", s[i]))
			return ref_fail(why, ERR_INVALID, "invalid tag");
	return 0;
}

/* Drops "@digest" and then ":tag" from the last component of the n bytes at s. */
static int strip_tag_digest(const char *s, size_t *n, const char **why)
{
	const char *at = memchr(s, '@', *n), *last = s, *colon;
	int ret;

	if (at) {
		ret = check_digest(at + 1, (size_t)(s + *n - at - 1), why);
		if (ret < 0)
			return ret;
		*n = (size_t)(at - s);
	}
	for (size_t i = 0; i < *n; i++)
		if (s[i] == '/')
			last = s + i + 1;
	colon = memchr(last, ':', (size_t)(s + *n - last));
	if (colon) {
		ret = check_tag(colon + 1, (size_t)(s + *n - colon - 1), why);
		if (ret < 0)
			return ret;
		*n = (size_t)(colon - s);
	}
	return 0;
}

/* "v1" or "v2" as the first component (prefix) or as the whole path. */
static bool is_api_path(const char *s, size_t n, bool prefix)
{
	size_t first = 0;

	while (first < n && s[first] != '/')
		first++;
	if (!span_eq_ci(s, first, "v1") && !span_eq_ci(s, first, "v2"))
		return false;
	return prefix || first == n;
}

static int set_path(struct ref *out, const char *s, size_t n, const char **why)
{
	const char *prefix = out->hub && !memchr(s, '/', n) ? HUB_OFFICIAL : "";
	size_t plen = strlen(prefix);

	if (plen + n >= sizeof(out->path))
		return ref_fail(why, ERR_TOO_LARGE, "repository path too long");
	memcpy(out->path, prefix, plen);
	memcpy(out->path + plen, s, n);
	out->path[plen + n] = '\0';
	return 0;
}

static int parse_path(const char *s, size_t n, enum path_kind kind, struct ref *out,
		      const char **why)
{
	int ret;

	if (kind == PATH_URL && is_api_path(s, n, true))
		return 0;
	if (kind != PATH_HUB_IMAGE && n > 0 && s[n - 1] == '/')
		n--;
	if (kind == PATH_REGISTRY && is_api_path(s, n, false))
		return 0;
	if (n == 0)
		return 0;
	ret = strip_tag_digest(s, &n, why);
	if (ret < 0)
		return ret;
	if (n == 0)
		return ref_fail(why, ERR_INVALID, "missing repository name");
	ret = ref_check_path(s, n, why);
	if (ret < 0)
		return ret;
	return set_path(out, s, n, why);
}

/*
 * Whether the text before the first '/' names a registry.  Alone (no '/'
 * follows) a colon counts only before an all-digit port, so "nginx:latest"
 * stays an image; before a '/' docker's rule applies.
 */
static bool looks_like_registry(const char *s, size_t n, bool alone)
{
	const char *colon = memchr(s, ':', n);

	if ((n > 0 && s[0] == '[') || memchr(s, '.', n) || span_eq_ci(s, n, "localhost"))
		return true;
	if (!alone)
		return colon || has_upper(s, n);
	return colon && all_digits(colon + 1, (size_t)(s + n - colon - 1));
}

static int parse_bare(const char *key, struct ref *out, const char **why)
{
	size_t n = strlen(key);
	const char *slash = memchr(key, '/', n);
	size_t first = slash ? (size_t)(slash - key) : n;
	const char *at = memchr(key, '@', first);
	int ret;

	/* Without a '/', "name@sha256:..." is a Hub image; any other '@' is user info. */
	if (at && (slash || !has_digest_prefix(at + 1, (size_t)(key + n - at - 1))))
		return ref_fail(why, ERR_INVALID, "user info not allowed");
	if (!at && looks_like_registry(key, first, !slash)) {
		ret = parse_registry(key, first, out, why);
		if (ret < 0 || !slash)
			return ret;
		return parse_path(slash + 1, n - first - 1, PATH_REGISTRY, out, why);
	}
	strcpy(out->host, HUB_HOST);
	out->hub = true;
	return parse_path(key, n, PATH_HUB_IMAGE, out, why);
}

/* s follows "scheme://": authority up to '/', '?' or '#', then a path without query. */
static int parse_url(const char *s, struct ref *out, const char **why)
{
	size_t auth = strcspn(s, "/?#");
	int ret;

	ret = parse_registry(s, auth, out, why);
	if (ret < 0 || s[auth] != '/')
		return ret;
	s += auth + 1;
	return parse_path(s, strcspn(s, "?#"), PATH_URL, out, why);
}

/* Sets *rest to the text after "http://" or "https://", or NULL when there is no scheme. */
static int split_scheme(const char *key, const char **rest, const char **why)
{
	const char *sep = strstr(key, "://");
	size_t n;

	*rest = NULL;
	if (!sep)
		return 0;
	n = (size_t)(sep - key);
	if (!span_eq_ci(key, n, "http") && !span_eq_ci(key, n, "https"))
		return ref_fail(why, ERR_INVALID, "unsupported scheme");
	*rest = sep + 3;
	return 0;
}

static int check_key(const char *key, const char **why)
{
	size_t len, blank = 0;

	if (!key)
		return ref_fail(why, ERR_INVALID, "empty reference");
	len = strnlen(key, REF_KEY_MAX + 1);
	if (len > REF_KEY_MAX)
		return ref_fail(why, ERR_TOO_LARGE, "reference too long");
	while (blank < len && is_space(key[blank]))
		blank++;
	if (blank == len)
		return ref_fail(why, ERR_INVALID, "empty reference");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];

		if (is_space(key[i]))
			return ref_fail(why, ERR_INVALID, "whitespace in reference");
		if (c < 0x20 || c == 0x7f)
			return ref_fail(why, ERR_INVALID, "control character in reference");
	}
	return 0;
}

int ref_parse(const char *key, struct ref *out, const char **why)
{
	const char *rest;
	int ret;

	memset(out, 0, sizeof(*out));
	if (why)
		*why = NULL;
	ret = check_key(key, why);
	if (ret < 0)
		goto out;
	ret = split_scheme(key, &rest, why);
	if (ret < 0)
		goto out;
	ret = rest ? parse_url(rest, out, why) : parse_bare(key, out, why);
out:
	if (ret < 0)
		memset(out, 0, sizeof(*out));
	return ret;
}

void ref_format(const struct ref *r, char *buf, size_t size)
{
	if (size == 0)
		return;
	if (r->path[0])
		snprintf(buf, size, "%s/%s", r->host, r->path);
	else
		snprintf(buf, size, "%s", r->host);
}

int ref_parse_repo(const char *text, struct ref *out, const char **why)
{
	const char *slash = strchr(text, '/');
	size_t path_len;
	int ret;

	if (strstr(text, "://"))
		return ref_parse(text, out, why);
	ret = ref_parse_registry(text, slash ? (size_t)(slash - text) : strlen(text), out, why);
	if (ret < 0 || !slash)
		return ret;
	path_len = strlen(slash + 1);
	while (path_len && slash[path_len] == '/')
		path_len--; /* "host/team/" names the same prefix as "host/team" */
	if (path_len == 0)
		return 0;
	ret = ref_check_path(slash + 1, path_len, why);
	if (ret < 0) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	memcpy(out->path, slash + 1, path_len);
	out->path[path_len] = '\0';
	return 0;
}
