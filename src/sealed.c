/* SPDX-License-Identifier: MIT */
#include "sealed.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"
#include "log.h"

#define SEALED_TIMEOUT_MS 20000

static const char armor_begin[] = "-----BEGIN AGE ENCRYPTED FILE-----";
static const char binary_begin[] = "age-encryption.org/v1\n";
/* base64 of "age-encryption.org/v1": 21 bytes, so 28 characters whatever follows */
static const char base64_begin[] = "YWdlLWVuY3J5cHRpb24ub3JnL3Yx";

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool sealed_is(const char *value)
{
	if (!value)
		return false;
	if (starts(value, binary_begin))
		return true;
	value += strspn(value, " \t\r\n");
	return starts(value, armor_begin) || starts(value, base64_begin);
}

const char *sealed_identity(const struct route *route)
{
	const char *env = getenv(SEALED_IDENTITY_ENV);

	if (env && *env)
		return env;
	return route->identity_file;
}

/* Drops one trailing "\n" or "\r\n": `echo $PASS | age ...` adds one. */
static void drop_line_end(char *s)
{
	size_t n = strlen(s);

	if (n && s[n - 1] == '\n')
		s[--n] = '\0';
	if (n && s[n - 1] == '\r')
		s[--n] = '\0';
}

static int take_plaintext(json_t *answer, const char *what, char **out, struct errbuf *eb)
{
	json_t *v = json_object_get(answer, "plaintext");
	const char *s = json_string_value(v);

	if (!s)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s gave no plaintext", what, SEALED_HELPER);
	if (strlen(s) != json_string_length(v))
		return errbuf_set(eb, ERR_BACKEND, "%s: the decrypted value contains a NUL byte",
		                  what);
	*out = strdup(s);
	if (!*out)
		return ERR_NOMEM;
	drop_line_end(*out);
	return 0;
}

static int decrypt(const char *identity, const char *what, const char *value, char **out,
                   struct errbuf *eb)
{
	json_t *req = json_pack("{s:s, s:s}", "identity_file", identity, "ciphertext", value);
	json_t *answer = NULL;
	struct errbuf why = {{0}};
	int r;

	if (!req) /* jansson takes UTF-8 only: the raw binary form does not fit */
		return errbuf_set(
		    eb, ERR_INVALID,
		    "%s: an age file in binary form cannot be used here (encrypt with "
		    "age -a, or base64-encode it)",
		    what);
	log_debug("%s is age-encrypted: decrypting with identity file %s", what, identity);
	r = helper_call(SEALED_HELPER, req, SEALED_TIMEOUT_MS, &answer, &why);
	if (r < 0)
		r = errbuf_set(eb, r == ERR_NOMEM ? r : ERR_BACKEND,
		               "%s: cannot decrypt (identity %s): %s", what, identity,
		               errbuf_str(&why, r));
	else
		r = take_plaintext(answer, what, out, eb);
	json_decref(req);
	json_decref(answer); /* the front's jansson allocator wipes what it frees */
	return r;
}

int sealed_open(const struct route *route, const char *what, const char *value, char **out,
                struct errbuf *eb)
{
	const char *identity;

	*out = NULL;
	if (!sealed_is(value)) {
		*out = strdup(value);
		return *out ? 0 : ERR_NOMEM;
	}
	identity = sealed_identity(route);
	if (!identity)
		return errbuf_set(eb, ERR_CONFIG,
		                  "%s is age-encrypted but no identity_file is set (set "
		                  "identity_file or " SEALED_IDENTITY_ENV ")",
		                  what);
	return decrypt(identity, what, value, out, eb);
}
