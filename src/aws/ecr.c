/* SPDX-License-Identifier: MIT */
#include "aws/ecr.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "wipe.h"

#define HOST_MAX 256
#define STORED_TIME_MAX ((double)((int64_t)1 << 40))

/* ---- registry hosts ---------------------------------------------------- */

static const char *const private_suffixes[] = {
	"amazonaws.com", "amazonaws.com.cn", "amazonaws.eu",  "on.aws",         "on.amazonwebservices.com.cn",
	"sc2s.sgov.gov", "c2s.ic.gov",       "cloud.adc-e.uk", "csp.hci.ic.gov", NULL,
};

/* The host name of a key ("https://" optional, port and path dropped), lower-cased. */
static int key_host(const char *key, char host[HOST_MAX])
{
	const char *p = key;
	size_t n, port;

	if (strncasecmp(p, "https://", 8) == 0)
		p += 8;
	n = strcspn(p, "/?#");
	port = strcspn(p, ":");
	if (port < n)
		n = port;
	if (n == 0 || n >= HOST_MAX || memchr(p, '@', n) || p[0] == '[')
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)p[i]);
	host[n] = '\0';
	return 0;
}

/* Advances *p past lit when it starts there. */
static bool take(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

static bool region_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

static int parse_private(const char *h, struct ecr_registry *out)
{
	const char *p = h + 12;
	size_t n;

	for (size_t i = 0; i < 12; i++) {
		if (!isdigit((unsigned char)h[i]))
			return ERR_INVALID;
	}
	if (!take(&p, ".dkr") || (*p != '.' && *p != '-'))
		return ERR_INVALID;
	p++;
	if (!take(&p, "ecr"))
		return ERR_INVALID;
	out->fips = take(&p, "-fips");
	if (!take(&p, ".") || !isalnum((unsigned char)*p))
		return ERR_INVALID;
	for (n = 0; region_char(p[n]); n++)
		;
	if (p[n] != '.' || n >= ECR_REGION_MAX)
		return ERR_INVALID;
	for (size_t i = 0; private_suffixes[i]; i++) {
		if (strcmp(p + n + 1, private_suffixes[i]) != 0)
			continue;
		memcpy(out->id, h, 12);
		memcpy(out->region, p, n);
		out->dualstack = strncmp(private_suffixes[i], "on.", 3) == 0;
		out->kind = ECR_PRIVATE;
		return 0;
	}
	return ERR_INVALID;
}

int ecr_parse_host(const char *key, struct ecr_registry *out)
{
	char host[HOST_MAX];
	int r;

	memset(out, 0, sizeof(*out));
	if (!key || key_host(key, host) < 0)
		return ERR_INVALID;
	if (strcmp(host, "public.ecr.aws") == 0 || strcmp(host, "ecr-public.aws.com") == 0) {
		out->kind = ECR_PUBLIC;
		out->dualstack = host[0] == 'e';
		snprintf(out->region, sizeof(out->region), "%s", ECR_PUBLIC_REGION);
		return 0;
	}
	r = parse_private(host, out);
	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r;
}

/* ---- endpoints --------------------------------------------------------- */

struct partition {
	const char *prefix; /* of the region name */
	const char *dns;
	const char *dual;
};

/* First prefix match wins; the last entry is the aws partition. */
static const struct partition partitions[] = {
	{"cn-", "amazonaws.com.cn", "api.amazonwebservices.com.cn"},
	{"us-isob-", "sc2s.sgov.gov", "api.aws.scloud"},
	{"us-isof-", "csp.hci.ic.gov", "api.aws.hci.ic.gov"},
	{"us-iso-", "c2s.ic.gov", "api.aws.ic.gov"},
	{"eu-isoe-", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"},
	{"eusc-", "amazonaws.eu", "api.amazonwebservices.eu"},
	{"", "amazonaws.com", "api.aws"},
};

struct api_info {
	const char *service; /* SigV4 service name */
	const char *env;     /* service-specific endpoint variable */
	const char *host;    /* standard host prefix */
	const char *dual;    /* dual-stack host prefix */
};

static const struct api_info apis[] = {
	[AWS_API_ECR] = {"ecr", "AWS_ENDPOINT_URL_ECR", "api.ecr", "ecr"},
	[AWS_API_ECR_PUBLIC] = {"ecr-public", "AWS_ENDPOINT_URL_ECR_PUBLIC", "api.ecr-public",
				"ecr-public"},
	[AWS_API_SECRETSMANAGER] = {"secretsmanager", "AWS_ENDPOINT_URL_SECRETS_MANAGER",
				    "secretsmanager", "secretsmanager"},
};

static bool env_true(const char *name)
{
	const char *v = getenv(name);

	return v && strcasecmp(v, "true") == 0;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void aws_endpoint_env_read(enum aws_api api, struct aws_endpoint_env *env)
{
	env->fips = env_true("AWS_USE_FIPS_ENDPOINT");
	env->dualstack = env_true("AWS_USE_DUALSTACK_ENDPOINT");
	env->service_url = env_nonempty(apis[api].env);
	env->global_url = env_nonempty("AWS_ENDPOINT_URL");
}

const char *aws_endpoint_env_name(enum aws_api api)
{
	return apis[api].env;
}

const char *aws_api_service(enum aws_api api)
{
	return apis[api].service;
}

bool aws_region_valid(const char *region)
{
	size_t n = region ? strlen(region) : 0;

	if (n == 0 || n > 63 || region[0] == '-' || region[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!islower((unsigned char)region[i]) && !isdigit((unsigned char)region[i]) &&
		    region[i] != '-')
			return false;
	}
	return true;
}

bool aws_secret_arn_region(const char *secret_id, char *out, size_t size)
{
	const char *p = secret_id;
	size_t n;

	if (!p || strncmp(p, "arn:", 4) != 0)
		return false;
	p = strchr(p + 4, ':'); /* after the partition */
	if (!p || strncmp(p + 1, "secretsmanager:", 15) != 0)
		return false;
	p += 16;
	n = strcspn(p, ":");
	if (!p[n] || n == 0 || n >= size)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return aws_region_valid(out);
}

int aws_url_parse(const char *url, struct aws_url *out)
{
	const char *p = url;
	size_t n, path;

	memset(out, 0, sizeof(*out));
	if (!url)
		return ERR_INVALID;
	if (strncasecmp(p, "https://", 8) == 0) {
		out->https = true;
		p += 8;
	} else if (strncasecmp(p, "http://", 7) == 0) {
		p += 7;
	} else {
		return ERR_INVALID;
	}
	n = strcspn(p, "/?#");
	if (n == 0 || n >= sizeof(out->authority) || memchr(p, '@', n))
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
			return ERR_INVALID;
	}
	memcpy(out->authority, p, n);
	if (n > 4 && out->https && strcmp(out->authority + n - 4, ":443") == 0)
		out->authority[n - 4] = '\0';
	else if (n > 3 && !out->https && strcmp(out->authority + n - 3, ":80") == 0)
		out->authority[n - 3] = '\0';
	p += n;
	path = strcspn(p, "?#");
	if (p[path] || path >= sizeof(out->path))
		return ERR_INVALID; /* no query or fragment in an endpoint */
	for (size_t i = 0; i < path; i++) {
		if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
			return ERR_INVALID;
	}
	if (path)
		memcpy(out->path, p, path);
	else
		out->path[0] = '/';
	return 0;
}

static int copy_url(const char *url, char *out, size_t size)
{
	struct aws_url u;

	if (aws_url_parse(url, &u) < 0)
		return ERR_INVALID;
	if ((size_t)snprintf(out, size, "%s", url) >= size)
		return ERR_TOO_LARGE;
	return 0;
}

static const struct partition *partition_of(const char *region)
{
	size_t i = 0;

	while (strncmp(region, partitions[i].prefix, strlen(partitions[i].prefix)) != 0)
		i++;
	return &partitions[i];
}

int aws_endpoint(enum aws_api api, const char *region, bool fips, bool dualstack,
		 const char *override, const struct aws_endpoint_env *env, char *out, size_t size,
		 const char **from)
{
	const struct partition *part;
	const char *dummy;
	int n;

	from = from ? from : &dummy;
	out[0] = '\0';
	if (override && *override) {
		*from = "route endpoint";
		return copy_url(override, out, size);
	}
	if (env->service_url) {
		*from = apis[api].env;
		return copy_url(env->service_url, out, size);
	}
	if (env->global_url) {
		*from = "AWS_ENDPOINT_URL";
		return copy_url(env->global_url, out, size);
	}
	*from = "partition";
	if (api == AWS_API_ECR_PUBLIC)
		region = ECR_PUBLIC_REGION;
	if (!aws_region_valid(region))
		return ERR_INVALID;
	part = partition_of(region);
	fips = fips || env->fips;
	dualstack = dualstack || env->dualstack;
	n = snprintf(out, size, "https://%s%s.%s.%s",
		     dualstack ? apis[api].dual : apis[api].host, fips ? "-fips" : "", region,
		     dualstack ? part->dual : part->dns);
	if (n < 0 || (size_t)n >= size) {
		out[0] = '\0';
		return ERR_TOO_LARGE;
	}
	return 0;
}

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
