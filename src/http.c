/* SPDX-License-Identifier: MIT */
#include "http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build-config.h"
#include "wipe.h"

#define CONNECT_TIMEOUT_MS_DEFAULT 5000L
#define TIMEOUT_MS_DEFAULT 30000L
#define RESPONSE_MAX_DEFAULT ((size_t)1 << 20)
#define USER_AGENT DCR_NAME "/" DCR_VERSION

struct sink {
	struct buf *body;
	size_t max;
	bool over;
};

struct target {
	char host[300]; /* host[:port] for messages */
	bool http;      /* plain http (allowed: loopback and link-local only) */
};

static size_t on_body(char *data, size_t size, size_t count, void *opaque)
{
	struct sink *s = opaque;
	size_t len = size * count;

	if (len > s->max - s->body->len || buf_append(s->body, data, len) < 0) {
		s->over = true;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	return len;
}

/* Loopback (127/8, ::1, localhost) and the link-local metadata addresses. */
static bool local_host(const char *host)
{
	unsigned char a[16];
	char v6[64];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127 || (a[0] == 169 && a[1] == 254);
	if (n < 3 || n - 2 >= sizeof(v6) || host[0] != '[' || host[n - 1] != ']')
		return false;
	memcpy(v6, host + 1, n - 2);
	v6[n - 2] = '\0';
	if (inet_pton(AF_INET6, v6, a) != 1)
		return false;
	/* ::1, and fd00:ec2::/32 (IMDS and EKS pod identity over IPv6). */
	return (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0) ||
	       (a[0] == 0xfd && a[1] == 0x00 && a[2] == 0x0e && a[3] == 0xc2);
}

/* Checks the URL: https anywhere, http only for local hosts. */
static int check_url(const char *url, struct target *t, struct errbuf *eb)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int r = 0;

	if (!u)
		return ERR_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		r = errbuf_set(eb, ERR_INVALID, "not a valid URL: an endpoint must look like "
				 "https://host[:port]/path");
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	snprintf(t->host, sizeof(t->host), "%s%s%s", host, port ? ":" : "", port ? port : "");
	t->http = strcasecmp(scheme, "http") == 0;
	if (t->http && !local_host(host))
		r = errbuf_set(eb, ERR_INVALID, "%s: plain http:// is allowed only for loopback "
				 "and link-local addresses (use https://)", t->host);
	else if (!t->http && strcasecmp(scheme, "https") != 0)
		r = errbuf_set(eb, ERR_INVALID, "%s: unsupported scheme %s (use https://)",
			       t->host, scheme);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return r;
}

static int global_init(struct errbuf *eb)
{
	static bool done;

	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return errbuf_set(eb, ERR_BACKEND, "cannot initialise libcurl");
	done = true;
	return 0;
}

/* The header list; every value is wiped when it is freed (see free_headers). */
static struct curl_slist *build_headers(const char *const *headers)
{
	struct curl_slist *list = NULL, *next;

	/* No "Expect: 100-continue" round trip for small bodies. */
	list = curl_slist_append(list, "Expect:");
	for (size_t i = 0; list && headers && headers[i]; i++) {
		next = curl_slist_append(list, headers[i]);
		if (!next) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	return list;
}

static void free_headers(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l; l = l->next)
		wipe_str(l->data);
	curl_slist_free_all(list);
}

static const char *ca_bundle(const struct http_request *req)
{
	const char *env = getenv("AWS_CA_BUNDLE");

	if (req->ca_bundle && *req->ca_bundle)
		return req->ca_bundle;
	return env && *env ? env : NULL;
}

static void set_method(CURL *c, const struct http_request *req)
{
	const char *m = req->method ? req->method : "GET";

	if (strcmp(m, "GET") == 0 && !req->body_len) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		return;
	}
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	if (strcmp(m, "POST") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
}

static void set_options(CURL *c, const struct http_request *req, const struct target *t,
			struct curl_slist *hdrs, struct sink *sink, char *errtext)
{
	const char *ca = ca_bundle(req);

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, t->http ? "http" : "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 req->connect_timeout_ms > 0 ? req->connect_timeout_ms
						     : CONNECT_TIMEOUT_MS_DEFAULT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
			 req->timeout_ms > 0 ? req->timeout_ms : TIMEOUT_MS_DEFAULT);
	curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errtext);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink->max);
	set_method(c, req);
}

/* One line for a transport failure, naming the host and the cause. */
static int transport_error(const struct target *t, CURLcode rc, const char *errtext,
			   const struct http_request *req, struct errbuf *eb)
{
	const char *why = errtext[0] ? errtext : curl_easy_strerror(rc);

	if (rc == CURLE_OPERATION_TIMEDOUT)
		return errbuf_set(eb, ERR_BACKEND, "%s: no answer within %ld ms (%s)", t->host,
				  req->timeout_ms > 0 ? req->timeout_ms : TIMEOUT_MS_DEFAULT, why);
	if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	    rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || rc == CURLE_SSL_ISSUER_ERROR)
		return errbuf_set(eb, ERR_PERM, "%s: %s (AWS_CA_BUNDLE names the CA file to trust)",
				  t->host, why);
	return errbuf_set(eb, ERR_BACKEND, "%s: %s", t->host, why);
}

int http_do(const struct http_request *req, struct http_response *resp, struct errbuf *eb)
{
	char errtext[CURL_ERROR_SIZE] = "";
	struct sink sink = {&resp->body, req->max_response ? req->max_response
							  : RESPONSE_MAX_DEFAULT, false};
	struct curl_slist *hdrs = NULL;
	struct target t = {"", false};
	const char *ctype = NULL;
	CURLcode rc;
	CURL *c = NULL;
	int r;

	memset(resp, 0, sizeof(*resp));
	r = global_init(eb);
	r = r ? r : check_url(req->url, &t, eb);
	if (r < 0)
		return r;
	c = curl_easy_init();
	hdrs = build_headers(req->headers);
	if (!c || !hdrs) {
		r = errbuf_set(eb, ERR_NOMEM, "out of memory");
		goto out;
	}
	set_options(c, req, &t, hdrs, &sink, errtext);
	rc = curl_easy_perform(c);
	if (sink.over) {
		r = errbuf_set(eb, ERR_TOO_LARGE, "%s: answer larger than %zu KiB", t.host,
			       sink.max / 1024);
	} else if (rc != CURLE_OK) {
		r = transport_error(&t, rc, errtext, req, eb);
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
		if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype)
			resp->content_type = strdup(ctype);
	}
out:
	free_headers(hdrs);
	if (c)
		curl_easy_cleanup(c);
	if (r < 0)
		http_response_finish(resp);
	return r;
}

void http_response_finish(struct http_response *resp)
{
	buf_finish(&resp->body);
	free(resp->content_type);
	resp->content_type = NULL;
	resp->status = 0;
}
