/* SPDX-License-Identifier: MIT */
#ifndef DCR_AWS_PROVIDERS_H
#define DCR_AWS_PROVIDERS_H

/*
 * The credential providers the chain (credentials.c) calls, and what they
 * share.  Internal to the AWS chain module: only the dcr-aws helper and the
 * tests link it.  Every provider clears *out on entry, fills it completely
 * on success (source left to the chain) and never logs a secret.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws/credentials.h"
#include "err.h"

#define AWS_TIME_SIZE 21 /* "2006-01-02T15:04:05Z" and its NUL */

/* ---- provider.c: shared helpers ---- */

/* RFC 3339 / ISO 8601 date-time ("2011-07-15T23:28:33.359Z", "...+02:00"). */
int aws_time_parse(const char *s, time_t *out);
void aws_time_format(time_t t, char out[AWS_TIME_SIZE]);

/* Copies the keys into out after checking their shape; `what` names the
 * source in errors.  expires 0: long-term.  Refuses expired credentials. */
int aws_creds_set(struct aws_credentials *out, const char *id, const char *secret,
		  const char *token, time_t expires, time_t now, const char *what,
		  struct errbuf *eb);

/* Clears the message in eb (before a call whose error gets wrapped). */
void aws_error_clear(struct errbuf *eb);
/* Rewrites eb's message (or the generic reason) as "prefix: message"; returns code. */
int aws_error_wrap(struct errbuf *eb, int code, const char *prefix);

/* Parses a JSON object; errors name `what` and the position, never the text. */
int aws_json_parse(const char *text, size_t len, const char *what, json_t **out,
		   struct errbuf *eb);

/* AccessKeyId, SecretAccessKey, token_key ("Token" or "SessionToken"),
 * Expiration (optional) from a JSON credentials document. */
int aws_creds_from_json(json_t *doc, const char *token_key, time_t now, const char *what,
			struct aws_credentials *out, struct errbuf *eb);

/* ---- imds.c: EC2 instance metadata (IMDSv2) and container credentials ---- */

/* AWS_EC2_METADATA_DISABLED=true */
bool aws_imds_disabled(void);
int aws_imds_fetch(time_t now, struct aws_credentials *out, struct errbuf *eb);

/* AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI is set. */
bool aws_container_configured(void);
int aws_container_fetch(time_t now, struct aws_credentials *out, struct errbuf *eb);

/* ---- process.c: credential_process ---- */

/*
 * Splits a credential_process command line into argv the way botocore does
 * (Python's shlex.split), without a shell: words are separated by blanks;
 * '...' is literal; in "..." a backslash escapes only '"' and '\'; outside
 * quotes a backslash escapes any character.  No variables, globs, '~',
 * pipes or redirections: a command that needs them is written as
 * `/bin/sh -c "..."`.  (The Go SDK runs the line through `sh -c`; we don't.)
 * argv is NULL-terminated; free it with aws_command_free().
 */
int aws_command_split(const char *line, char ***argv, struct errbuf *eb);
void aws_command_free(char **argv);

/* Runs the command (argv[0] looked up in PATH when it has no '/'; relative
 * PATH entries are skipped) with our environment, stdin /dev/null, at most
 * 30 s and 64 KiB of output, and reads {"Version": 1, "AccessKeyId",
 * "SecretAccessKey", "SessionToken", "Expiration"} from its stdout. */
int aws_process_fetch(const char *command, time_t now, struct aws_credentials *out,
		      struct errbuf *eb);

#endif
