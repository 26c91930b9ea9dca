/* SPDX-License-Identifier: MIT */
/*
 * Credentials from the two metadata endpoints:
 *
 * - EC2 instance metadata, IMDSv2 only: PUT /latest/api/token (with
 *   X-aws-ec2-metadata-token-ttl-seconds), then with the token
 *   GET /latest/meta-data/iam/security-credentials/ (the role name) and
 *   .../<role> (the keys).  A 1 s connect and 1.5 s total timeout per request
 *   and no retries, so a machine without IMDS fails in about a second instead
 *   of hanging (PROTOCOLS.md 2.7 item 1).  No fallback to IMDSv1.
 * - Container credentials (ECS task roles, EKS Pod Identity):
 *   AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on http://169.254.170.2, else
 *   AWS_CONTAINER_CREDENTIALS_FULL_URI: https to any host, plain http only to
 *   loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 (a host name
 *   must resolve to those addresses only).  Authorization header from the
 *   file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every call: it is
 *   rotated), else AWS_CONTAINER_AUTHORIZATION_TOKEN.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "aws/providers.h"
#include "buf.h"
#include "fileio.h"
#include "http.h"
#include "log.h"
#include "wipe.h"

#define IMDS_ENDPOINT_V4 "http://169.254.169.254"
#define IMDS_ENDPOINT_V6 "http://[fd00:ec2::254]"
#define IMDS_TOKEN_PATH "/latest/api/token"
#define IMDS_CREDS_PATH "/latest/meta-data/iam/security-credentials/"
#define IMDS_TOKEN_TTL "21600"
#define IMDS_CONNECT_MS 1000
#define IMDS_TIMEOUT_MS 1500
#define IMDS_MAX_RESPONSE (64u * 1024u)

#define CONTAINER_HOST "http://169.254.170.2"
#define CONTAINER_CONNECT_MS 2000
#define CONTAINER_TIMEOUT_MS 5000
#define CONTAINER_ATTEMPTS 2
#define CONTAINER_TOKEN_MAX (16u * 1024u)

/* ---- EC2 instance metadata ---------------------------------------------------------- */

bool aws_imds_disabled(void)
{
	const char *v = aws_env("AWS_EC2_METADATA_DISABLED");

	return v && strcasecmp(v, "true") == 0;
}

static int imds_endpoint(char **out, struct errbuf *eb)
{
	const char *endpoint = aws_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = aws_env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	size_t len;

	*out = NULL;
	if (!endpoint && mode && strcasecmp(mode, "IPv6") != 0 && strcasecmp(mode, "IPv4") != 0)
		return errbuf_set(eb, ERR_CONFIG,
				  "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6");
	if (!endpoint)
		endpoint =
		    mode && strcasecmp(mode, "IPv6") == 0 ? IMDS_ENDPOINT_V6 : IMDS_ENDPOINT_V4;
	if (strncmp(endpoint, "http://", 7) != 0 && strncmp(endpoint, "https://", 8) != 0)
		return errbuf_set(
		    eb, ERR_CONFIG,
		    "AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http:// or https:// URL");
	len = strlen(endpoint);
	while (len > 0 && endpoint[len - 1] == '/')
		len--;
	*out = strndup(endpoint, len);
	return *out ? 0 : ERR_NOMEM;
}

static int imds_call(const char *method, const char *base, const char *path,
		     const char *const *headers, struct http_response *resp, struct errbuf *eb)
{
	struct http_request req = {
		.method = method,
		.headers = headers,
		.connect_timeout_ms = IMDS_CONNECT_MS,
		.timeout_ms = IMDS_TIMEOUT_MS,
		.max_response = IMDS_MAX_RESPONSE,
	};
	char *url = NULL;
	int r;

	if (asprintf(&url, "%s%s", base, path) < 0)
		return ERR_NOMEM;
	req.url = url;
	log_debug("imds: %s %s", method, url);
	aws_error_clear(eb);
	r = http_do(&req, resp, eb);
	free(url);
	return r < 0 ? aws_error_wrap(eb, r, "imds") : 0;
}

static void trim_end(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static int imds_status(const struct http_response *resp, const char *what, struct errbuf *eb)
{
	if (resp->status == 200)
		return 0;
	return errbuf_set(eb, ERR_BACKEND, "imds: %s: HTTP %ld", what, resp->status);
}

static int imds_token(const char *base, char **token, struct errbuf *eb)
{
	static const char *const headers[] = {
		"X-aws-ec2-metadata-token-ttl-seconds: " IMDS_TOKEN_TTL,
		NULL,
	};
	struct http_response resp = {.body = BUF_INIT};
	int r;

	*token = NULL;
	r = imds_call("PUT", base, IMDS_TOKEN_PATH, headers, &resp, eb);
	if (r == 0)
		r = imds_status(&resp, "PUT " IMDS_TOKEN_PATH, eb);
	if (r == 0) {
		*token = buf_steal(&resp.body, NULL);
		if (!*token)
			r = ERR_NOMEM;
		else
			trim_end(*token);
	}
	if (r == 0 && (!**token || strpbrk(*token, "\r\n")))
		r = errbuf_set(eb, ERR_BACKEND, "imds: malformed session token");
	http_response_finish(&resp);
	if (r < 0) {
		free_secret(*token);
		*token = NULL;
	}
	return r;
}

/* IAM role names: letters, digits and +=,.@_- (so it is safe in the path). */
static bool role_name_ok(const char *s)
{
	if (!*s || strlen(s) > 128)
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && !strchr("+=,.@_-", *s))
			return false;
	}
	return true;
}

static int imds_role(const char *base, const char *const *headers, char **role,
		     struct errbuf *eb)
{
	struct http_response resp = {.body = BUF_INIT};
	int r;

	*role = NULL;
	r = imds_call("GET", base, IMDS_CREDS_PATH, headers, &resp, eb);
	if (r == 0 && resp.status == 404)
		r = errbuf_set(eb, ERR_BACKEND, "imds: no IAM role is attached to this instance");
	if (r == 0)
		r = imds_status(&resp, "GET " IMDS_CREDS_PATH, eb);
	if (r == 0) {
		*role = strndup(resp.body.data ? resp.body.data : "",
				strcspn(resp.body.data ? resp.body.data : "", "\r\n"));
		if (!*role)
			r = ERR_NOMEM;
		else if (!role_name_ok(*role))
			r = errbuf_set(eb, ERR_BACKEND, "imds: malformed IAM role name");
	}
	http_response_finish(&resp);
	if (r < 0) {
		free(*role);
		*role = NULL;
	}
	return r;
}

static int imds_keys(const char *base, const char *const *headers, const char *role,
		     time_t now, struct aws_credentials *out, struct errbuf *eb)
{
	struct http_response resp = {.body = BUF_INIT};
	json_t *doc = NULL;
	const char *code;
	char *path = NULL;
	int r;

	if (asprintf(&path, IMDS_CREDS_PATH "%s", role) < 0)
		return ERR_NOMEM;
	r = imds_call("GET", base, path, headers, &resp, eb);
	if (r == 0)
		r = imds_status(&resp, "GET " IMDS_CREDS_PATH "ROLE", eb);
	if (r == 0)
		r = aws_json_parse(resp.body.data, resp.body.len, "imds", &doc, eb);
	if (r == 0) {
		code = json_string_value(json_object_get(doc, "Code"));
		if (code && strcmp(code, "Success") != 0)
			r = errbuf_set(eb, ERR_BACKEND, "imds: role %s: %.100s", role, code);
	}
	if (r == 0)
		r = aws_creds_from_json(doc, "Token", now, "imds", out, eb);
	json_decref(doc);
	http_response_finish(&resp);
	free(path);
	return r;
}

int aws_imds_fetch(time_t now, struct aws_credentials *out, struct errbuf *eb)
{
	struct buf token_header = BUF_INIT;
	const char *headers[2] = {NULL, NULL};
	char *base = NULL, *token = NULL, *role = NULL;
	int r;

	aws_credentials_finish(out);
	if (aws_imds_disabled())
		return errbuf_set(eb, ERR_CONFIG, "imds: disabled by AWS_EC2_METADATA_DISABLED");
	r = imds_endpoint(&base, eb);
	if (r == 0)
		r = imds_token(base, &token, eb);
	if (r == 0)
		r = buf_printf(&token_header, "X-aws-ec2-metadata-token: %s", token);
	headers[0] = token_header.data;
	if (r == 0)
		r = imds_role(base, headers, &role, eb);
	if (r == 0)
		r = imds_keys(base, headers, role, now, out, eb);
	if (r == 0)
		log_debug("imds: credentials of role %s", role);
	buf_finish(&token_header);
	free_secret(token);
	free(role);
	free(base);
	return r;
}

/* ---- container credentials ---------------------------------------------------------- */

bool aws_container_configured(void)
{
	return aws_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
	       aws_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
}

static bool address_allowed(const struct sockaddr *sa)
{
	static const unsigned char eks_v6[16] = {0xfd, 0x00, 0x0e, 0xc2, [15] = 0x23};
	const struct sockaddr_in6 *v6;
	uint32_t a;

	if (sa->sa_family == AF_INET) {
		a = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);
		/* 127.0.0.0/8, 169.254.170.2 (ECS), 169.254.170.23 (EKS Pod Identity) */
		return (a >> 24) == 127 || a == 0xa9feaa02u || a == 0xa9feaa17u;
	}
	if (sa->sa_family == AF_INET6) {
		v6 = (const struct sockaddr_in6 *)(const void *)sa;
		return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr) ||
		       memcmp(v6->sin6_addr.s6_addr, eks_v6, 16) == 0;
	}
	return false;
}

/* Every address host resolves to must be allowed (and there must be one). */
static bool host_allowed(const char *host)
{
	struct addrinfo hints, *res = NULL;
	bool ok;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
		return false;
	ok = true;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next)
		ok = ok && address_allowed(ai->ai_addr);
	freeaddrinfo(res);
	return ok;
}

/* The host of an http(s) URL ("[...]" stripped); NULL when malformed. */
static char *url_host(const char *url)
{
	const char *a = strstr(url, "://"), *end;

	if (!a)
		return NULL;
	a += 3;
	end = a + strcspn(a, "/?#");
	if (memchr(a, '@', (size_t)(end - a)))
		return NULL; /* no user:password@ */
	if (*a == '[') {
		const char *close = memchr(a, ']', (size_t)(end - a));

		return close ? strndup(a + 1, (size_t)(close - a - 1)) : NULL;
	}
	return strndup(a, strcspn(a, ":/?#"));
}

static int container_url(char **url, char **host, struct errbuf *eb)
{
	const char *rel = aws_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = aws_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");

	*url = *host = NULL;
	if (rel && rel[0] != '/')
		return errbuf_set(eb, ERR_CONFIG,
				  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'");
	if (rel) {
		if (asprintf(url, CONTAINER_HOST "%s", rel) < 0)
			*url = NULL;
	} else {
		*url = strdup(full);
	}
	*host = *url ? url_host(*url) : NULL;
	if (!*url)
		return ERR_NOMEM;
	if (!*host || !**host || (strncmp(*url, "http://", 7) != 0 &&
				  strncmp(*url, "https://", 8) != 0))
		return errbuf_set(eb, ERR_CONFIG,
				  "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http(s) URL");
	if (!rel && strncmp(*url, "http://", 7) == 0 && !host_allowed(*host))
		return errbuf_set(eb, ERR_CONFIG,
				  "AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http to %s is not "
				  "allowed (only loopback, 169.254.170.2, 169.254.170.23 and "
				  "[fd00:ec2::23]; use https for other hosts)",
				  *host);
	return 0;
}

/* "Authorization: <token>" from the token file or variable; NULL when neither is set. */
static int container_auth(struct buf *header, struct errbuf *eb)
{
	const char *file = aws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *value = aws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	struct buf token = BUF_INIT;
	int r = 0;

	if (file)
		r = file_read(file, FILE_CONFIG, CONTAINER_TOKEN_MAX, &token, eb);
	else if (value)
		r = buf_puts(&token, value);
	if (r == 0 && token.data) {
		while (token.len > 0 && isspace((unsigned char)token.data[token.len - 1]))
			token.data[--token.len] = '\0';
		if (!token.len || strpbrk(token.data, "\r\n") ||
		    memchr(token.data, '\0', token.len))
			r = errbuf_set(eb, ERR_CONFIG, "%s: the authorization token is empty or "
						       "spans lines",
				       file ? file : "AWS_CONTAINER_AUTHORIZATION_TOKEN");
		else
			r = buf_printf(header, "Authorization: %s", token.data);
	}
	buf_finish(&token);
	return r;
}

/* A non-200 answer: {"code": ..., "message": ...} when the endpoint gives one. */
static int container_failure(const struct http_response *resp, const char *host,
			     struct errbuf *eb)
{
	json_t *doc = json_loadb(resp->body.data ? resp->body.data : "", resp->body.len, 0, NULL);
	const char *code = json_string_value(json_object_get(doc, "code"));
	const char *message = json_string_value(json_object_get(doc, "message"));
	int r;

	if (code)
		r = errbuf_set(eb, ERR_BACKEND,
		               "container credentials: %.100s: %.200s (HTTP %ld from %s)", code,
		               message ? message : "", resp->status, host);
	else
		r = errbuf_set(eb, ERR_BACKEND, "container credentials: HTTP %ld from %s",
			       resp->status, host);
	json_decref(doc);
	return r;
}

static int container_get(const char *url, const char *auth, struct http_response *resp,
			 struct errbuf *eb)
{
	const char *headers[3] = {"Accept: application/json", auth, NULL};
	struct http_request req = {
		.method = "GET",
		.url = url,
		.headers = headers,
		.connect_timeout_ms = CONTAINER_CONNECT_MS,
		.timeout_ms = CONTAINER_TIMEOUT_MS,
	};
	int r = 0;

	for (int attempt = 1; attempt <= CONTAINER_ATTEMPTS; attempt++) {
		if (attempt > 1) {
			http_response_finish(resp);
			memset(resp, 0, sizeof(*resp));
		}
		aws_error_clear(eb);
		r = http_do(&req, resp, eb);
		if (r == 0 && resp->status < 500)
			break;
		log_debug("container credentials: attempt %d failed", attempt);
	}
	if (r < 0)
		return aws_error_wrap(eb, r, "container credentials");
	return 0;
}

int aws_container_fetch(time_t now, struct aws_credentials *out, struct errbuf *eb)
{
	struct http_response resp = {.body = BUF_INIT};
	struct buf auth = BUF_INIT;
	char *url = NULL, *host = NULL;
	json_t *doc = NULL;
	int r;

	aws_credentials_finish(out);
	r = container_url(&url, &host, eb);
	if (r == 0)
		r = container_auth(&auth, eb);
	if (r == 0) {
		log_debug("container credentials: GET from %s%s", host,
			  auth.data ? " with an authorization token" : "");
		r = container_get(url, auth.data, &resp, eb);
	}
	if (r == 0 && resp.status != 200)
		r = container_failure(&resp, host, eb);
	if (r == 0)
		r = aws_json_parse(resp.body.data, resp.body.len, "container credentials", &doc,
		                   eb);
	if (r == 0)
		r = aws_creds_from_json(doc, "Token", now, "container credentials", out, eb);
	json_decref(doc);
	http_response_finish(&resp);
	buf_finish(&auth);
	free(url);
	free(host);
	return r;
}
