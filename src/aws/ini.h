/* SPDX-License-Identifier: MIT */
#ifndef DCR_AWS_INI_H
#define DCR_AWS_INI_H

/*
 * The AWS shared config and credentials files (~/.aws/config,
 * ~/.aws/credentials), read the way the AWS CLI and SDKs read them:
 *
 * - "[default]", "[profile NAME]", "[sso-session NAME]", "[services NAME]"
 *   in the config file; any other config section is ignored (the SDKs drop
 *   "[NAME]" there silently).  In the credentials file every "[NAME]" is a
 *   profile, taken literally.  When a config file has both "[profile x]" and
 *   "[x]" (only "default" can be spelled both ways), only the former counts.
 * - "key = value" lines; keys are case-insensitive (stored lower-case), values
 *   trimmed.  Repeated sections merge; a repeated key's last value wins.
 * - Comments: a line starting with '#' or ';'; in a value, '#' or ';' after
 *   whitespace and everything following it; anything after a section's ']'.
 * - A line indented under a key continues it: under "key =" (empty value) the
 *   indented lines are sub-settings "sub = value" (e.g. "s3 =" then
 *   "  max_concurrent_requests = 20"); under a non-empty value they are
 *   appended to it after a newline.
 *
 * Files may hold secrets: every string is wiped when the ini is destroyed.
 * Lookups accept a NULL ini (a missing file) and return NULL/false.
 */

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum aws_ini_file {
	AWS_INI_CONFIG,      /* ~/.aws/config: "[profile NAME]" */
	AWS_INI_CREDENTIALS, /* ~/.aws/credentials: "[NAME]" */
};

enum aws_ini_kind {
	AWS_INI_PROFILE,
	AWS_INI_SSO_SESSION,
	AWS_INI_SERVICES,
};

struct aws_ini;

/* Parses text (len bytes, need not be NUL-terminated); path names the file in
 * errors ("PATH:LINE: ..."), which never quote a value. */
int aws_ini_parse(const char *text, size_t len, const char *path, enum aws_ini_file file,
		  struct aws_ini **out, struct errbuf *eb);

/* Reads and parses path (at most 1 MiB; not group/world-writable, owned by us
 * or root).  A missing file is ERR_NOT_FOUND with *out NULL. */
int aws_ini_load(const char *path, enum aws_ini_file file, struct aws_ini **out,
		 struct errbuf *eb);

void aws_ini_destroy(struct aws_ini *ini);

/* Whether a section of that kind and name exists (even if empty). */
bool aws_ini_has(const struct aws_ini *ini, enum aws_ini_kind kind, const char *name);

/* The value of key in the named section, or NULL.  An empty value is "". */
const char *aws_ini_get(const struct aws_ini *ini, enum aws_ini_kind kind, const char *name,
			const char *key);

/* A sub-setting: "key =" followed by indented "sub = value" lines. */
const char *aws_ini_get_sub(const struct aws_ini *ini, enum aws_ini_kind kind, const char *name,
			    const char *key, const char *sub);

/* Whether the config file has a "[name]" section that is not a profile
 * because it lacks the "profile " prefix (to hint at the fix). */
bool aws_ini_has_unprefixed(const struct aws_ini *ini, const char *name);

#endif
