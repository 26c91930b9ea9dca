/* SPDX-License-Identifier: MIT */
/*
 * AWS STS AssumeRole and AssumeRoleWithWebIdentity (see sts.h).  The XML
 * answers are read by hand: only <Credentials> (AccessKeyId,
 * SecretAccessKey, SessionToken, Expiration) and <Error> (Code, Message)
 * matter, none of them nests or repeats, and entities are decoded.
 */
#include "aws/sts.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/providers.h"
#include "aws/sigv4.h"
#include "buf.h"
#include "http.h"
#include "log.h"
#include "wipe.h"

#define STS_VERSION "2011-06-15"
#define STS_FORM_TYPE "application/x-www-form-urlencoded; charset=utf-8"
#define STS_ATTEMPTS 3
#define STS_BACKOFF_MS 200
#define STS_CONNECT_MS 5000
#define STS_TIMEOUT_MS 20000
#define STS_HEADERS_MAX (3 + SIGV4_ADDED_MAX + 1)

/* ---- endpoint ------------------------------------------------------------------------ */

struct partition {
	const char *prefix;    /* of the region name */
	const char *domain;    /* sts.REGION.<domain> */
	const char *dualstack; /* NULL: none */
};

static const struct partition partitions[] = {
	{"cn-", "amazonaws.com.cn", "api.amazonwebservices.com.cn"},
	{"us-iso-", "c2s.ic.gov", NULL},
	{"us-isob-", "sc2s.sgov.gov", NULL},
	{"us-isof-", "csp.hci.ic.gov", NULL},
	{"eu-isoe-", "cloud.adc-e.uk", NULL},
	{"eusc-", "amazonaws.eu", NULL},
	{"", "amazonaws.com", "api.aws"}, /* aws and aws-us-gov */
};

static bool env_true(const char *name)
{
	const char *v = aws_env(name);

	return v && strcasecmp(v, "true") == 0;
}

static bool region_ok(const char *r)
{
	if (!*r || strlen(r) > 50)
		return false;
	for (; *r; r++) {
		if (!islower((unsigned char)*r) && !isdigit((unsigned char)*r) && *r != '-')
			return false;
	}
	return true;
}

int sts_endpoint(const char *region, char **url, struct errbuf *eb)
{
	const char *custom = aws_env("AWS_ENDPOINT_URL_STS");
	const struct partition *p = partitions;
	bool fips = env_true("AWS_USE_FIPS_ENDPOINT");
	bool dual = env_true("AWS_USE_DUALSTACK_ENDPOINT");
	size_t len;
	int n;

	*url = NULL;
	if (!custom)
		custom = aws_env("AWS_ENDPOINT_URL");
	if (custom) {
		len = strlen(custom);
		while (len > 0 && custom[len - 1] == '/')
			len--;
		*url = strndup(custom, len);
		return *url ? 0 : ERR_NOMEM;
	}
	if (!region_ok(region))
		return errbuf_set(eb, ERR_CONFIG, "sts: bad region name \"%.60s\"", region);
	while (strncmp(region, p->prefix, strlen(p->prefix)) != 0)
		p++;
	if (dual && !p->dualstack)
		return errbuf_set(
		    eb, ERR_CONFIG,
		    "sts: no dual-stack endpoint in %s (unset AWS_USE_DUALSTACK_ENDPOINT)", region);
	n = asprintf(url, "https://sts%s.%s.%s", fips ? "-fips" : "", region,
		     dual ? p->dualstack : p->domain);
	if (n < 0)
		*url = NULL;
	return *url ? 0 : ERR_NOMEM;
}

/* ---- XML ------------------------------------------------------------------------------ */

/* The content of the first <name ...>...</name> in [s, end); NULL if absent. */
static const char *xml_find(const char *s, const char *end, const char *name,
			    const char **content_end)
{
	size_t n = strlen(name);
	char close[80];
	const char *p = s, *gt;

	if (n + 4 > sizeof(close))
		return NULL;
	snprintf(close, sizeof(close), "</%s>", name);
	while ((p = memchr(p, '<', (size_t)(end - p))) && (size_t)(end - p) > n + 1) {
		p++;
		if (strncmp(p, name, n) != 0 || !strchr("> \t\r\n/", p[n]))
			continue;
		gt = memchr(p, '>', (size_t)(end - p));
		if (!gt)
			return NULL;
		if (gt[-1] == '/') { /* <name/> */
			*content_end = gt + 1;
			return gt + 1;
		}
		*content_end = memmem(gt + 1, (size_t)(end - gt - 1), close, strlen(close));
		return *content_end ? gt + 1 : NULL;
	}
	return NULL;
}

static void put_utf8(struct buf *b, unsigned long c)
{
	if (c < 0x80) {
		buf_putc(b, (char)c);
	} else if (c < 0x800) {
		buf_putc(b, (char)(0xc0 | (c >> 6)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_putc(b, (char)(0xe0 | (c >> 12)));
		buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		buf_putc(b, (char)(0xf0 | (c >> 18)));
		buf_putc(b, (char)(0x80 | ((c >> 12) & 0x3f)));
		buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	}
}

/* One "&...;" at s (s < end); returns the bytes consumed, 0 if not an entity. */
static size_t entity(const char *s, const char *end, struct buf *b)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {
	    {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
	const char *semi = memchr(s, ';', (size_t)(end - s) < 12 ? (size_t)(end - s) : 12);
	unsigned long c;
	char *stop;

	if (!semi)
		return 0;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if ((size_t)(semi + 1 - s) == strlen(named[i].name) &&
		    strncmp(s, named[i].name, strlen(named[i].name)) == 0) {
			buf_putc(b, named[i].c);
			return strlen(named[i].name);
		}
	}
	if (s[1] != '#')
		return 0;
	c = s[2] == 'x' ? strtoul(s + 3, &stop, 16) : strtoul(s + 2, &stop, 10);
	if (stop != semi || c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	put_utf8(b, c);
	return (size_t)(semi + 1 - s);
}

/* The decoded, trimmed text of <name> in [s, end), malloc'd; NULL if absent. */
static char *xml_text(const char *s, const char *end, const char *name)
{
	const char *content_end, *p = xml_find(s, end, name, &content_end);
	struct buf b = BUF_INIT;
	size_t used;

	if (!p)
		return NULL;
	while (p < content_end && isspace((unsigned char)*p))
		p++;
	while (content_end > p && isspace((unsigned char)content_end[-1]))
		content_end--;
	for (; p < content_end; p += used) {
		used = *p == '&' ? entity(p, content_end, &b) : 0;
		if (!used) {
			buf_putc(&b, *p);
			used = 1;
		}
	}
	return buf_steal(&b, NULL);
}

/* ---- answers -------------------------------------------------------------------------- */

static bool retryable(const char *code)
{
	static const char *const codes[] = {
		"Throttling",    "ThrottlingException", "RequestLimitExceeded",
		"IDPCommunicationError", "ServiceUnavailable", "InternalFailure",
	};

	for (size_t i = 0; code && i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (strcmp(code, codes[i]) == 0)
			return true;
	}
	return false;
}

static int parse_credentials(const char *s, const char *end, time_t now,
			     struct aws_credentials *out, struct errbuf *eb)
{
	const char *cend, *c = xml_find(s, end, "Credentials", &cend);
	char *id = NULL, *secret = NULL, *token = NULL, *expiration = NULL;
	time_t expires = 0;
	int r;

	if (!c)
		return errbuf_set(eb, ERR_BACKEND, "sts: the answer holds no <Credentials>");
	id = xml_text(c, cend, "AccessKeyId");
	secret = xml_text(c, cend, "SecretAccessKey");
	token = xml_text(c, cend, "SessionToken");
	expiration = xml_text(c, cend, "Expiration");
	if (!token || !*token || !expiration || aws_time_parse(expiration, &expires) < 0)
		r = errbuf_set(eb, ERR_BACKEND,
			       "sts: the answer lacks a SessionToken or a valid Expiration");
	else
		r = aws_creds_set(out, id, secret, token, expires, now, "sts", eb);
	free(id);
	free_secret(secret);
	free_secret(token);
	free(expiration);
	return r;
}

/* An error answer; *code gets <Code> (caller frees) to decide on a retry. */
static int parse_error(const char *s, const char *end, long status, const char *host,
		       char **code, struct errbuf *eb)
{
	const char *eend, *e = xml_find(s, end, "Error", &eend);
	char *message = NULL;
	int r;

	*code = e ? xml_text(e, eend, "Code") : NULL;
	message = e ? xml_text(e, eend, "Message") : NULL;
	if (*code && **code)
		r = errbuf_set(eb, ERR_BACKEND, "sts: %.80s: %.400s", *code,
			       message && *message ? message : "(no message)");
	else
		r = errbuf_set(eb, ERR_BACKEND, "sts: HTTP %ld from %s", status, host);
	free(message);
	return r;
}

int sts_parse_response(const char *body, size_t len, long status, const char *host, time_t now,
		       struct aws_credentials *out, struct errbuf *eb)
{
	char *code = NULL;
	int r;

	aws_credentials_finish(out);
	if (status == 200)
		return parse_credentials(body, body + len, now, out, eb);
	r = parse_error(body, body + len, status, host, &code, eb);
	free(code);
	return r;
}

/* ---- requests ------------------------------------------------------------------------- */

/* "&key=value" (no '&' first), value percent-encoded as the Query protocol wants. */
static int form_add(struct buf *b, const char *key, const char *value)
{
	int r = buf_printf(b, "%s%s=", b->len ? "&" : "", key);

	for (const unsigned char *p = (const unsigned char *)value; r == 0 && *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~')
			r = buf_putc(b, (char)*p);
		else
			r = buf_printf(b, "%%%02X", *p);
	}
	return r;
}

static bool session_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 64)
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && !strchr("+=,.@_-", *s))
			return false;
	}
	return true;
}

static int role_form(const char *action, const struct sts_role *role, time_t now,
		     struct buf *body, struct errbuf *eb)
{
	char session[64];
	int r;

	if (strncmp(role->role_arn, "arn:", 4) != 0 || strpbrk(role->role_arn, " \t\r\n"))
		return errbuf_set(eb, ERR_CONFIG,
				  "\"%.200s\" is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
				  role->role_arn);
	if (role->session_name && !session_name_ok(role->session_name))
		return errbuf_set(
		    eb, ERR_CONFIG,
		    "role session name \"%.80s\": use 2-64 letters, digits or +=,.@_-",
		    role->session_name);
	if (role->duration_seconds && (role->duration_seconds < 900 ||
				       role->duration_seconds > 43200))
		return errbuf_set(eb, ERR_CONFIG,
				  "duration_seconds %ld: use 900 to 43200", role->duration_seconds);
	snprintf(session, sizeof(session), "docker-credential-router-%lld", (long long)now);
	r = form_add(body, "Action", action);
	if (r == 0)
		r = form_add(body, "Version", STS_VERSION);
	if (r == 0)
		r = form_add(body, "RoleArn", role->role_arn);
	if (r == 0)
		r = form_add(body, "RoleSessionName",
		             role->session_name ? role->session_name : session);
	if (r == 0 && role->external_id)
		r = form_add(body, "ExternalId", role->external_id);
	if (r == 0 && role->duration_seconds)
		r = buf_printf(body, "&DurationSeconds=%ld", role->duration_seconds);
	return r;
}

/* What one call needs: the URL split for the Host header and the signature. */
struct call {
	char *url;
	char *host; /* authority: host[:port] */
	const char *path;
	struct buf body;
	struct buf header[STS_HEADERS_MAX];
	const char *headers[STS_HEADERS_MAX + 1];
	size_t nheaders;
};

static int call_init(struct call *c, const char *region, struct errbuf *eb)
{
	char *endpoint = NULL;
	const char *a, *end;
	int r;

	memset(c, 0, sizeof(*c));
	r = sts_endpoint(region, &endpoint, eb);
	if (r < 0)
		return r;
	a = strstr(endpoint, "://");
	if (!a || (strncmp(endpoint, "https://", 8) != 0 && strncmp(endpoint, "http://", 7) != 0)) {
		r = errbuf_set(eb, ERR_CONFIG, "sts: endpoint %s is not an http(s) URL", endpoint);
		goto out;
	}
	a += 3;
	end = a + strcspn(a, "/?#");
	if (end == a || memchr(a, '@', (size_t)(end - a)) || strpbrk(end, "?#")) {
		r = errbuf_set(eb, ERR_CONFIG,
			       "sts: endpoint %s: expected scheme://host[:port][/path]", endpoint);
		goto out;
	}
	c->host = strndup(a, (size_t)(end - a));
	/* The operation's path is "/" under the endpoint's own path. */
	if (asprintf(&c->url, "%s/", endpoint) < 0)
		c->url = NULL;
	if (!c->host || !c->url) {
		r = ERR_NOMEM;
		goto out;
	}
	c->path = c->url + (end - endpoint);
out:
	free(endpoint);
	return r;
}

static int call_header(struct call *c, const char *name, const char *value)
{
	struct buf *b = &c->header[c->nheaders];
	int r = buf_printf(b, "%s: %s", name, value);

	if (r == 0)
		c->headers[c->nheaders++] = b->data;
	return r;
}

static void call_finish(struct call *c)
{
	for (size_t i = 0; i < STS_HEADERS_MAX; i++)
		buf_finish(&c->header[i]);
	buf_finish(&c->body);
	free(c->url);
	free(c->host);
}

/* Adds the SigV4 headers (X-Amz-Date, X-Amz-Security-Token, Authorization). */
static int call_sign(struct call *c, const struct aws_credentials *src, const char *region,
		     time_t now, struct errbuf *eb)
{
	const struct sigv4_header signed_headers[] = {
		{"content-type", STS_FORM_TYPE},
		{"host", c->host},
	};
	const struct sigv4_request req = {
		.method = "POST",
		.path = c->path,
		.headers = signed_headers,
		.header_count = 2,
		.body = c->body.data,
		.body_len = c->body.len,
	};
	const struct sigv4_params params = {
		.access_key_id = src->access_key_id,
		.secret_access_key = src->secret_access_key,
		.session_token = src->session_token,
		.region = region,
		.service = "sts",
		.now = now,
		.normalize_path = true,
	};
	struct sigv4_added added;
	int r;

	r = sigv4_sign_headers(&req, &params, &added);
	if (r < 0)
		return errbuf_set(eb, r, "sts: cannot sign the request (%s)", err_str(r));
	for (size_t i = 0; r == 0 && i < added.count; i++)
		r = call_header(c, added.header[i].name, added.header[i].value);
	sigv4_added_finish(&added);
	return r;
}

static void backoff(int attempt)
{
	struct timespec ts, now;
	long ms;

	clock_gettime(CLOCK_REALTIME, &now);
	ms = STS_BACKOFF_MS * (1L << (attempt - 1)) + (long)(now.tv_nsec % 100000000L) / 1000000L;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* Posts c with retries and reads the answer into out. */
static int call_perform(struct call *c, time_t now, struct aws_credentials *out,
			struct errbuf *eb)
{
	struct http_request req = {
		.method = "POST",
		.url = c->url,
		.headers = c->headers,
		.body = c->body.data,
		.body_len = c->body.len,
		.connect_timeout_ms = STS_CONNECT_MS,
		.timeout_ms = STS_TIMEOUT_MS,
	};
	struct http_response resp;
	char *code = NULL;
	bool again;
	int r = 0;

	for (int attempt = 1; attempt <= STS_ATTEMPTS; attempt++) {
		if (attempt > 1)
			backoff(attempt - 1);
		memset(&resp, 0, sizeof(resp));
		aws_error_clear(eb);
		r = http_do(&req, &resp, eb);
		if (r < 0) {
			r = aws_error_wrap(eb, r, "sts");
			again = true;
		} else if (resp.status == 200) {
			r = parse_credentials(
			    resp.body.data ? resp.body.data : "",
			    (resp.body.data ? resp.body.data : "") + resp.body.len, now, out, eb);
			again = false;
		} else {
			r = parse_error(resp.body.data ? resp.body.data : "",
					(resp.body.data ? resp.body.data : "") + resp.body.len,
					resp.status, c->host, &code, eb);
			again = resp.status >= 500 || retryable(code);
			free(code);
			code = NULL;
		}
		http_response_finish(&resp);
		if (r == 0 || !again)
			break;
		log_debug("sts: attempt %d of %d failed: %s", attempt, STS_ATTEMPTS,
			  errbuf_str(eb, r));
	}
	return r;
}

int sts_assume_role(const struct aws_credentials *source, const struct sts_role *role,
		    const char *region, time_t now, struct aws_credentials *out,
		    struct errbuf *eb)
{
	struct call c;
	int r;

	aws_credentials_finish(out);
	r = call_init(&c, region, eb);
	if (r == 0)
		r = role_form("AssumeRole", role, now, &c.body, eb);
	if (r == 0)
		r = call_header(&c, "Content-Type", STS_FORM_TYPE);
	if (r == 0)
		r = call_header(&c, "Host", c.host);
	if (r == 0)
		r = call_sign(&c, source, region, now, eb);
	if (r == 0) {
		log_debug("sts: AssumeRole %s with key %s at %s", role->role_arn,
			  source->access_key_id, c.host);
		r = call_perform(&c, now, out, eb);
	}
	call_finish(&c);
	return r;
}

int sts_assume_role_with_web_identity(const char *token, const struct sts_role *role,
				      const char *region, time_t now,
				      struct aws_credentials *out, struct errbuf *eb)
{
	struct call c;
	int r;

	aws_credentials_finish(out);
	r = call_init(&c, region, eb);
	if (r == 0)
		r = role_form("AssumeRoleWithWebIdentity", role, now, &c.body, eb);
	if (r == 0)
		r = form_add(&c.body, "WebIdentityToken", token);
	if (r == 0)
		r = call_header(&c, "Content-Type", STS_FORM_TYPE);
	if (r == 0)
		r = call_header(&c, "Host", c.host);
	if (r == 0) {
		log_debug("sts: AssumeRoleWithWebIdentity %s at %s", role->role_arn, c.host);
		r = call_perform(&c, now, out, eb);
	}
	call_finish(&c);
	return r;
}
