/* SPDX-License-Identifier: MIT */
#ifndef DCR_HTTP_H
#define DCR_HTTP_H

/*
 * HTTPS requests through libcurl, for the helper executables only (never
 * linked into the front).  TLS is always verified (AWS_CA_BUNDLE or the
 * request's ca_bundle honoured); proxies come from the standard variables
 * (libcurl reads https_proxy/no_proxy); connect and total timeouts are
 * always set; response bodies are capped.  Plain http:// is allowed only for
 * loopback and link-local metadata endpoints (IMDS, container credentials).
 * Header values and bodies may hold secrets: they are wiped after use and
 * never logged.
 */

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct http_request {
	const char *method;          /* "GET", "POST", "PUT" */
	const char *url;
	const char *const *headers;  /* "Name: value" lines, NULL-terminated (may be NULL) */
	const void *body;
	size_t body_len;
	long connect_timeout_ms;     /* 0: 5000 */
	long timeout_ms;             /* 0: 30000 */
	const char *ca_bundle;       /* NULL: $AWS_CA_BUNDLE, else the system store */
	size_t max_response;         /* 0: 1 MiB */
};

struct http_response {
	long status;       /* HTTP status, 0 when no response */
	struct buf body;   /* wiped by http_response_finish */
	char *content_type;
};

/*
 * Performs one request.  Returns 0 when an HTTP response arrived (any status),
 * or ERR_BACKEND for transport failures (refused, reset, timeout) with a
 * message naming the host and the cause; ERR_PERM when TLS verification
 * refused the server (asking again will not help), ERR_INVALID for a URL we
 * do not send to, ERR_TOO_LARGE for an answer over max_response.
 */
int http_do(const struct http_request *req, struct http_response *resp, struct errbuf *eb);
void http_response_finish(struct http_response *resp);

#endif
