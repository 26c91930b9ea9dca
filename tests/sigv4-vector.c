/* SPDX-License-Identifier: MIT */
/*
 * Runs one case of AWS's SigV4 test suites through src/aws/sigv4.c (and
 * sigv4_canon.c) and prints one intermediate result, byte for byte as the
 * suite stores it (no final newline).  tests/sigv4-run.py compares the output with the expected files.
 *
 *   sigv4-vector [--query] [--classic] --part creq|sts|sig|authz|signed CASE_DIR
 *
 * Default format: aws-c-auth (CASE_DIR/context.json and request.txt; the
 * signer adds X-Amz-Date).  --classic: the original suite
 * (CASE_DIR/<name>.req, which already carries X-Amz-Date and maybe
 * X-Amz-Security-Token; these become the signing time and session token).
 *
 * Folded header lines: aws-c-auth joins them with a space, the classic suite
 * treats each as another value of the header (joined with ','), so the
 * parser folds accordingly.  See tests/data/sigv4/README.md.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/sigv4.h"
#include "err.h"
#include "wipe.h"

#define FILE_MAX (1 << 20)

/* The fixed parameters of the classic suite (its README). */
#define CLASSIC_KEY_ID "AKIDEXAMPLE"
#define CLASSIC_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define CLASSIC_REGION "us-east-1"
#define CLASSIC_SERVICE "service"

struct vcase {
	char *text; /* the request file, NUL-terminated, cut up in place */
	size_t text_len;
	struct sigv4_header *headers;
	char **folded; /* header values rebuilt from folded lines */
	size_t count;
	char *token; /* classic: from the X-Amz-Security-Token header */
	json_t *context;
	struct sigv4_request req;
	struct sigv4_params params;
};

static int read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = malloc(FILE_MAX + 1);
	int r = ERR_IO;

	*out = NULL;
	if (!f || !data)
		goto out;
	*len = fread(data, 1, FILE_MAX + 1, f);
	if (ferror(f) || *len > FILE_MAX)
		goto out;
	data[*len] = '\0';
	*out = data; /* transferred */
	data = NULL;
	r = 0;
out:
	if (f)
		fclose(f);
	free(data);
	return r;
}

/* Cuts the line starting at *pos; returns it, or NULL at the end. */
static char *next_line(struct vcase *c, size_t *pos)
{
	if (*pos >= c->text_len)
		return NULL;
	char *line = c->text + *pos;
	char *nl = memchr(line, '\n', c->text_len - *pos);
	if (nl) {
		*nl = '\0';
		*pos = (size_t)(nl - c->text) + 1;
	} else {
		*pos = c->text_len;
	}
	return line;
}

/* "METHOD SP target SP HTTP/1.1": the target may hold spaces. */
static int parse_request_line(struct vcase *c, char *line)
{
	char *sp = strchr(line, ' ');
	char *last = strrchr(line, ' ');

	if (!sp || sp == last)
		return ERR_INVALID;
	*sp = '\0';
	*last = '\0';
	c->req.method = line;
	c->req.path = sp + 1;
	char *q = strchr(sp + 1, '?');
	if (q) {
		*q = '\0';
		c->req.query = q + 1;
	}
	return 0;
}

/* Appends a folded continuation line to the last header's value. */
static int fold(struct vcase *c, const char *line, char sep)
{
	if (!c->count)
		return ERR_INVALID;
	line += strspn(line, " \t");
	struct sigv4_header *h = &c->headers[c->count - 1];
	size_t n = strlen(h->value) + 1 + strlen(line) + 1;
	char *v = malloc(n);
	if (!v)
		return ERR_NOMEM;
	snprintf(v, n, "%s%c%s", h->value, sep, line);
	free(c->folded[c->count - 1]);
	c->folded[c->count - 1] = v;
	h->value = v;
	return 0;
}

static int add_header(struct vcase *c, char *line)
{
	char *colon = strchr(line, ':');

	if (!colon)
		return ERR_INVALID;
	*colon = '\0';
	c->headers[c->count] = (struct sigv4_header){line, colon + 1};
	c->folded[c->count] = NULL;
	c->count++;
	return 0;
}

static int parse_request(struct vcase *c, char sep)
{
	size_t pos = 0, lines = 1;
	char *line;
	int r;

	for (size_t i = 0; i < c->text_len; i++)
		lines += c->text[i] == '\n';
	c->headers = calloc(lines, sizeof(*c->headers));
	c->folded = calloc(lines, sizeof(*c->folded));
	if (!c->headers || !c->folded)
		return ERR_NOMEM;
	if (!(line = next_line(c, &pos)) || (r = parse_request_line(c, line)) < 0)
		return ERR_INVALID;
	while ((line = next_line(c, &pos)) && line[0]) {
		if (line[0] == ' ' || line[0] == '\t')
			r = fold(c, line, sep);
		else
			r = add_header(c, line);
		if (r < 0)
			return r;
	}
	c->req.headers = c->headers;
	c->req.header_count = c->count;
	c->req.body = c->text + pos;
	c->req.body_len = c->text_len - pos;
	return 0;
}

static int parse_time(const char *s, const char *format, time_t *now)
{
	struct tm tm = {0};
	const char *end = s ? strptime(s, format, &tm) : NULL;

	if (!end || *end)
		return ERR_INVALID;
	*now = timegm(&tm);
	return 0;
}

static const char *json_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int load_context(struct vcase *c, const char *dir)
{
	char path[4096];
	json_error_t error;

	snprintf(path, sizeof(path), "%s/context.json", dir);
	c->context = json_load_file(path, 0, &error);
	if (!c->context) {
		fprintf(stderr, "%s:%d: %s\n", path, error.line, error.text);
		return ERR_INVALID;
	}
	json_t *cred = json_object_get(c->context, "credentials");
	struct sigv4_params *p = &c->params;
	p->access_key_id = json_str(cred, "access_key_id");
	p->secret_access_key = json_str(cred, "secret_access_key");
	p->session_token = json_str(cred, "token");
	p->region = json_str(c->context, "region");
	p->service = json_str(c->context, "service");
	p->normalize_path = json_is_true(json_object_get(c->context, "normalize"));
	p->sign_body = json_is_true(json_object_get(c->context, "sign_body"));
	p->omit_session_token = json_is_true(json_object_get(c->context, "omit_session_token"));
	p->expires = (long)json_integer_value(json_object_get(c->context, "expiration_in_seconds"));
	return parse_time(json_str(c->context, "timestamp"), "%Y-%m-%dT%H:%M:%SZ", &p->now);
}

static int load_aws_c_auth(struct vcase *c, const char *dir)
{
	char path[4096];
	int r;

	if ((r = load_context(c, dir)) < 0)
		return r;
	snprintf(path, sizeof(path), "%s/request.txt", dir);
	if ((r = read_file(path, &c->text, &c->text_len)) < 0)
		return r;
	return parse_request(c, ' ');
}

/* Takes header i out of the list. */
static void drop_header(struct vcase *c, size_t i)
{
	free(c->folded[i]);
	memmove(&c->headers[i], &c->headers[i + 1], (c->count - i - 1) * sizeof(*c->headers));
	memmove(&c->folded[i], &c->folded[i + 1], (c->count - i - 1) * sizeof(*c->folded));
	c->count--;
	c->req.header_count = c->count;
}

/* The classic .req carries what the signer adds: turn it into parameters. */
static int take_classic_headers(struct vcase *c)
{
	bool have_date = false;
	int r;

	for (size_t i = 0; i < c->count;) {
		const struct sigv4_header *h = &c->headers[i];
		if (strcasecmp(h->name, "X-Amz-Date") == 0) {
			if ((r = parse_time(h->value, "%Y%m%dT%H%M%SZ", &c->params.now)) < 0)
				return r;
			have_date = true;
		} else if (strcasecmp(h->name, "X-Amz-Security-Token") == 0) {
			free(c->token);
			if (!(c->token = strdup(h->value)))
				return ERR_NOMEM;
			c->params.session_token = c->token;
		} else {
			i++;
			continue;
		}
		drop_header(c, i);
	}
	return have_date ? 0 : ERR_INVALID;
}

static int load_classic(struct vcase *c, const char *dir)
{
	char path[4096];
	size_t n = strlen(dir);
	int r;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	const char *base = dir + n;
	while (base > dir && base[-1] != '/')
		base--;
	snprintf(path, sizeof(path), "%.*s/%.*s.req", (int)n, dir, (int)(dir + n - base), base);
	if ((r = read_file(path, &c->text, &c->text_len)) < 0 || (r = parse_request(c, ',')) < 0)
		return r;
	c->params = (struct sigv4_params){
	    .access_key_id = CLASSIC_KEY_ID,
	    .secret_access_key = CLASSIC_SECRET,
	    .region = CLASSIC_REGION,
	    .service = CLASSIC_SERVICE,
	    .normalize_path = true,
	};
	return take_classic_headers(c);
}

static void vcase_finish(struct vcase *c)
{
	for (size_t i = 0; c->folded && i < c->count; i++)
		free(c->folded[i]);
	free(c->folded);
	free(c->headers);
	free(c->text);
	free_secret(c->token);
	json_decref(c->context);
}

static int print_signed(const struct vcase *c, enum sigv4_mode mode)
{
	struct sigv4_added added;
	char *query = NULL;
	int r;

	if (mode == SIGV4_MODE_QUERY) {
		if ((r = sigv4_presign_query(&c->req, &c->params, &query)) == 0)
			fputs(query, stdout);
		free_secret(query);
		return r;
	}
	if ((r = sigv4_sign_headers(&c->req, &c->params, &added)) < 0)
		return r;
	for (size_t i = 0; i < added.count; i++)
		printf("%s:%s\n", added.header[i].name, added.header[i].value);
	sigv4_added_finish(&added);
	return 0;
}

static int print_authz(const struct vcase *c, enum sigv4_mode mode)
{
	char *value = NULL;

	if (mode != SIGV4_MODE_HEADER)
		return ERR_INVALID;
	int r = sigv4_authorization(&c->req, &c->params, &value);
	if (r == 0)
		fputs(value, stdout);
	free(value);
	return r;
}

/* creq, sts or sig: the steps one after the other, printing the last. */
static int print_step(const struct vcase *c, enum sigv4_mode mode, const char *part)
{
	char *creq = NULL, *sts = NULL;
	char sig[SIGV4_HEX_SIZE];
	int r;

	if ((r = sigv4_canonical_request(&c->req, &c->params, mode, &creq)) < 0)
		goto out;
	if (strcmp(part, "creq") == 0) {
		fputs(creq, stdout);
		goto out;
	}
	if ((r = sigv4_string_to_sign(creq, &c->params, &sts)) < 0)
		goto out;
	if (strcmp(part, "sts") == 0) {
		fputs(sts, stdout);
		goto out;
	}
	if ((r = sigv4_signature_hex(sts, &c->params, sig)) == 0)
		fputs(sig, stdout);
out:
	free_secret(creq);
	free(sts);
	return r;
}

static int print_part(const struct vcase *c, enum sigv4_mode mode, const char *part)
{
	if (strcmp(part, "signed") == 0)
		return print_signed(c, mode);
	if (strcmp(part, "authz") == 0)
		return print_authz(c, mode);
	if (strcmp(part, "creq") == 0 || strcmp(part, "sts") == 0 || strcmp(part, "sig") == 0)
		return print_step(c, mode, part);
	return ERR_INVALID;
}

static int usage(void)
{
	fputs("usage: sigv4-vector [--query] [--classic] --part creq|sts|sig|authz|signed "
	      "CASE_DIR\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	enum sigv4_mode mode = SIGV4_MODE_HEADER;
	bool classic = false;
	const char *part = NULL, *dir = NULL;
	struct vcase c = {0};

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--query") == 0)
			mode = SIGV4_MODE_QUERY;
		else if (strcmp(argv[i], "--classic") == 0)
			classic = true;
		else if (strcmp(argv[i], "--part") == 0 && i + 1 < argc)
			part = argv[++i];
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else
			return usage();
	}
	if (!part || !dir || (classic && mode == SIGV4_MODE_QUERY))
		return usage();
	int r = classic ? load_classic(&c, dir) : load_aws_c_auth(&c, dir);
	if (r == 0)
		r = print_part(&c, mode, part);
	if (r < 0)
		fprintf(stderr, "sigv4-vector: %s: %s\n", dir, err_str(r));
	vcase_finish(&c);
	return r < 0 ? 1 : 0;
}
