/* SPDX-License-Identifier: MIT */
#include "aws/ecr_api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "aws/sigv4.h"
#include "clock.h"
#include "http.h"
#include "log.h"
#include "wipe.h"

#define BACKOFF_BASE_MS 200L
#define BACKOFF_CAP_MS 5000L
#define CONNECT_TIMEOUT_MS 5000L
#define ANSWER_MAX ((size_t)1 << 20)
#define HEADERS_MAX (3 + SIGV4_ADDED_MAX + 1)

/* One signed JSON call. */
struct call {
	const struct aws_target *t;
	const struct aws_credentials *creds;
	const char *target; /* X-Amz-Target */
	const char *label;  /* "ecr", "ecr-public", "secretsmanager" in messages */
	struct buf body;
	struct aws_url url;
};

/* Full jitter in [delay/2, delay] with delay = base * 2^(attempt-1), capped. */
static long backoff_ms(int attempt)
{
	long delay = BACKOFF_BASE_MS;
	unsigned int rnd = 0;

	for (int i = 1; i < attempt && delay < BACKOFF_CAP_MS; i++)
		delay *= 2;
	if (delay > BACKOFF_CAP_MS)
		delay = BACKOFF_CAP_MS;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		rnd = (unsigned int)clock_ms();
	return delay / 2 + (long)(rnd % (unsigned int)(delay / 2 + 1));
}

static int attempts_allowed(const struct aws_target *t)
{
	const char *env = getenv("AWS_MAX_ATTEMPTS");
	long n = t->attempts;
	char *end;

	if (n <= 0 && env && *env) {
		n = strtol(env, &end, 10);
		if (*end || n < 1)
			n = 0;
	}
	if (n <= 0)
		n = AWS_ATTEMPTS_DEFAULT;
	return n > AWS_ATTEMPTS_MAX ? AWS_ATTEMPTS_MAX : (int)n;
}

/* "Name: value" lines for the request: ours, then the signer's. */
static int header_lines(const struct call *c, const struct sigv4_added *added,
			char *lines[HEADERS_MAX])
{
	size_t n = 0;
	int r = 0;

	memset(lines, 0, sizeof(char *) * HEADERS_MAX);
	if (asprintf(&lines[n++], "Content-Type: %s", AWS_JSON_CONTENT_TYPE) < 0 ||
	    asprintf(&lines[n++], "Host: %s", c->url.authority) < 0 ||
	    asprintf(&lines[n++], "X-Amz-Target: %s", c->target) < 0)
		r = ERR_NOMEM;
	for (size_t i = 0; r == 0 && i < added->count; i++) {
		if (asprintf(&lines[n++], "%s: %s", added->header[i].name,
			     added->header[i].value) < 0)
			r = ERR_NOMEM;
	}
	return r;
}

static void free_lines(char *lines[HEADERS_MAX])
{
	for (size_t i = 0; i < HEADERS_MAX; i++) {
		free_secret(lines[i]);
		lines[i] = NULL;
	}
}

static int sign(const struct call *c, struct sigv4_added *added, struct errbuf *eb)
{
	const struct sigv4_header h[] = {
		{"content-type", AWS_JSON_CONTENT_TYPE},
		{"host", c->url.authority},
		{"x-amz-target", c->target},
	};
	const struct sigv4_request sr = {
		.method = "POST",
		.path = c->url.path,
		.headers = h,
		.header_count = sizeof(h) / sizeof(h[0]),
		.body = c->body.data,
		.body_len = c->body.len,
	};
	const struct sigv4_params p = {
		.access_key_id = c->creds->access_key_id,
		.secret_access_key = c->creds->secret_access_key,
		.session_token = c->creds->session_token,
		.region = c->t->region,
		.service = aws_api_service(c->t->api),
		.now = time(NULL),
		.normalize_path = true,
	};
	int r = sigv4_sign_headers(&sr, &p, added);

	if (r < 0)
		return errbuf_set(eb, r, "cannot sign the request (%s; check the access key id "
				  "and region)", err_str(r));
	return 0;
}

/* One try: 0 with resp filled when an HTTP answer came, else a transport error. */
static int try_once(const struct call *c, long timeout_ms, struct http_response *resp,
		    struct errbuf *eb)
{
	struct sigv4_added added = {0};
	char *lines[HEADERS_MAX] = {NULL};
	struct http_request req = {
		.method = "POST",
		.url = c->t->endpoint,
		.body = c->body.data,
		.body_len = c->body.len,
		.connect_timeout_ms = timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms : CONNECT_TIMEOUT_MS,
		.timeout_ms = timeout_ms,
		.max_response = ANSWER_MAX,
	};
	int r = sign(c, &added, eb);

	if (r == 0)
		r = header_lines(c, &added, lines);
	if (r == 0) {
		req.headers = (const char *const *)lines;
		r = http_do(&req, resp, eb);
	}
	free_lines(lines);
	sigv4_added_finish(&added);
	return r;
}

/* "label: msg" for a transport error (AWS errors carry the label already). */
static void prefix(struct errbuf *eb, const char *label)
{
	char msg[sizeof(eb->msg)];

	snprintf(msg, sizeof(msg), "%s", eb->msg);
	errbuf_set(eb, ERR_BACKEND, "%s: %s", label, msg);
}

/* Whether to try again after this outcome; sets eb to what the user would see. */
static bool judge(const struct call *c, int r, const struct http_response *resp, int *code,
		  struct errbuf *eb)
{
	char type[AWS_ERROR_TYPE_MAX];

	if (r < 0) {
		*code = r;
		prefix(eb, c->label);
		/* Refused TLS, bad URLs and oversized answers do not get better by asking again. */
		return r == ERR_BACKEND;
	}
	aws_error_message(c->label, resp->status, resp->body.data, resp->body.len, type, eb->msg,
			  sizeof(eb->msg));
	*code = ERR_BACKEND;
	return aws_error_retryable(resp->status, type);
}

static void note_attempts(struct errbuf *eb, int tries)
{
	size_t n = strlen(eb->msg);

	if (tries > 1)
		snprintf(eb->msg + n, sizeof(eb->msg) - n, " (after %d attempts)", tries);
}

/* Sends the call, retrying as allowed; *answer gets the 200 body. */
static int perform(struct call *c, struct buf *answer, struct errbuf *eb)
{
	long timeout = c->t->timeout_ms > 0 ? c->t->timeout_ms : AWS_CALL_TIMEOUT_MS_DEFAULT;
	long long deadline = clock_ms() + timeout, left, wait;
	int max = attempts_allowed(c->t), code = ERR_BACKEND, r;

	if (aws_url_parse(c->t->endpoint, &c->url) < 0)
		return errbuf_set(eb, ERR_CONFIG, "%s: bad endpoint URL %s (want "
				  "https://host[:port][/path])", c->label, c->t->endpoint);
	for (int attempt = 1;; attempt++) {
		struct http_response resp = {0};
		bool again;

		left = deadline - clock_ms();
		r = try_once(c, (long)(left > 0 ? left : 1), &resp, eb);
		if (r == 0 && resp.status == 200) {
			*answer = resp.body; /* transferred */
			resp.body = (struct buf)BUF_INIT;
			http_response_finish(&resp);
			return 0;
		}
		again = judge(c, r, &resp, &code, eb);
		http_response_finish(&resp);
		left = deadline - clock_ms();
		if (!again || attempt >= max || left <= 0) {
			note_attempts(eb, attempt);
			return code;
		}
		log_info("%s: attempt %d of %d failed (%s); trying again", c->label, attempt, max,
			 eb->msg);
		wait = backoff_ms(attempt);
		clock_sleep_ms(wait < left ? wait : left);
	}
}

static const char *label_of(enum aws_api api)
{
	return aws_api_service(api);
}

int ecr_get_authorization_token(const struct aws_target *t, const struct aws_credentials *creds,
				const char *registry_id, struct ecr_token *out,
				struct errbuf *eb)
{
	struct call c = {t, creds, t->api == AWS_API_ECR_PUBLIC ? ECR_PUBLIC_TARGET : ECR_TARGET,
			 label_of(t->api), BUF_INIT, {0}};
	struct buf answer = BUF_INIT;
	char why[sizeof(eb->msg)];
	int r;

	ecr_token_finish(out);
	r = ecr_token_body(t->api == AWS_API_ECR_PUBLIC ? NULL : registry_id, &c.body);
	if (r == ERR_INVALID)
		return errbuf_set(eb, r, "%s: registry id \"%s\" is not 12 digits", c.label,
				  registry_id);
	r = r ? r : perform(&c, &answer, eb);
	if (r == 0) {
		r = ecr_token_parse(answer.data, answer.len, out, eb);
		if (r < 0) {
			snprintf(why, sizeof(why), "%s", eb->msg);
			errbuf_set(eb, r, "%s: %s", c.label, why);
		}
	}
	buf_finish(&answer);
	buf_finish(&c.body);
	return r;
}

int secretsmanager_get_secret_value(const struct aws_target *t,
				    const struct aws_credentials *creds, const char *secret_id,
				    struct ecr_token *out, struct errbuf *eb)
{
	struct call c = {t, creds, SECRETSMANAGER_TARGET, label_of(t->api), BUF_INIT, {0}};
	struct buf answer = BUF_INIT;
	char why[sizeof(eb->msg)];
	int r;

	ecr_token_finish(out);
	r = secretsmanager_body(secret_id, &c.body);
	r = r ? r : perform(&c, &answer, eb);
	if (r == 0) {
		r = secretsmanager_parse(answer.data, answer.len, secret_id, out, eb);
		if (r < 0) {
			snprintf(why, sizeof(why), "%s", eb->msg);
			errbuf_set(eb, r, "%s: %s", c.label, why);
		}
	}
	buf_finish(&answer);
	buf_finish(&c.body);
	return r;
}
