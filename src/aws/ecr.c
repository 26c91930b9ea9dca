/* SPDX-License-Identifier: MIT */
/*
 * ecr.h, part one: registry hosts and the endpoint table.  Request bodies and
 * answers are in ecr_answer.c.
 */
#include "aws/ecr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HOST_MAX 256

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
