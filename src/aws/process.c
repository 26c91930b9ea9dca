/* SPDX-License-Identifier: MIT */
/*
 * credential_process: a profile names a program that prints credentials as
 * JSON.  We never hand the line to a shell: it is split into argv here
 * (botocore's rules, see providers.h) and run with subproc.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/providers.h"
#include "buf.h"
#include "subproc.h"
#include "wipe.h"

#define PROCESS_WHAT "credential_process"
#define PROCESS_MAX_OUTPUT (64u * 1024u)
#define PROCESS_TIMEOUT_MS 30000
#define PROCESS_MAX_ARGS 256
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

void aws_command_free(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

struct words {
	char **v;
	size_t n, cap;
	struct buf word;
	bool in_word;
};

static int push_word(struct words *w)
{
	char **nv;

	if (!w->in_word)
		return 0;
	w->in_word = false;
	if (w->n + 2 > w->cap) {
		if (w->n + 2 > PROCESS_MAX_ARGS)
			return ERR_LIMIT;
		w->cap = w->cap ? w->cap * 2 : 8;
		nv = realloc(w->v, w->cap * sizeof(*nv));
		if (!nv)
			return ERR_NOMEM;
		w->v = nv;
	}
	w->v[w->n] = buf_steal(&w->word, NULL);
	if (!w->v[w->n])
		return ERR_NOMEM;
	w->v[++w->n] = NULL;
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One character outside quotes; *quote is set when one opens. */
static int plain_char(struct words *w, const char **p, char *quote)
{
	char c = **p;

	if (blank(c))
		return push_word(w);
	w->in_word = true;
	if (c == '\'' || c == '"') {
		*quote = c;
		return 0;
	}
	if (c == '\\') {
		if (!(*p)[1])
			return ERR_INVALID;
		c = *++*p;
	}
	return buf_putc(&w->word, c);
}

/* One character inside quotes; *quote is cleared when they close. */
static int quoted_char(struct words *w, const char **p, char *quote)
{
	char c = **p;

	if (c == *quote) {
		*quote = 0;
		return 0;
	}
	if (*quote == '"' && c == '\\' && ((*p)[1] == '"' || (*p)[1] == '\\'))
		c = *++*p;
	return buf_putc(&w->word, c);
}

int aws_command_split(const char *line, char ***argv, struct errbuf *eb)
{
	struct words w = {.word = BUF_INIT};
	const char *p;
	char quote = 0;
	int r = 0;

	*argv = NULL;
	for (p = line; *p && r == 0; p++)
		r = quote ? quoted_char(&w, &p, &quote) : plain_char(&w, &p, &quote);
	if (r == 0 && !quote)
		r = push_word(&w); /* the last word, before its ERR_LIMIT gets its message */
	if (r == 0 && quote)
		r = errbuf_set(eb, ERR_CONFIG, PROCESS_WHAT ": unterminated %c quote", quote);
	else if (r == ERR_INVALID)
		r = errbuf_set(eb, ERR_CONFIG, PROCESS_WHAT ": a backslash ends the line");
	else if (r == ERR_LIMIT)
		r = errbuf_set(eb, ERR_CONFIG, PROCESS_WHAT ": more than %d arguments",
			       PROCESS_MAX_ARGS - 1);
	if (r == 0 && w.n == 0)
		r = errbuf_set(eb, ERR_CONFIG, PROCESS_WHAT ": empty command");
	buf_finish(&w.word);
	if (r < 0) {
		aws_command_free(w.v);
		return r;
	}
	*argv = w.v; /* transferred */
	return 0;
}

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The absolute path of name: as given with a '/', else from absolute PATH entries. */
static int find_program(const char *name, char **out, struct errbuf *eb)
{
	const char *path = getenv("PATH"), *dir, *end;
	char *cwd = NULL;

	*out = NULL;
	if (strchr(name, '/')) {
		if (name[0] != '/' && !(cwd = getcwd(NULL, 0)))
			return errbuf_set(eb, ERR_IO, PROCESS_WHAT ": cannot resolve %s: %s", name,
					  strerror(errno));
		if (asprintf(out, "%s%s%s", cwd ? cwd : "", cwd ? "/" : "", name) < 0)
			*out = NULL;
		free(cwd);
		if (!*out)
			return ERR_NOMEM;
		if (!executable(*out))
			return errbuf_set(eb, ERR_CONFIG,
			                  PROCESS_WHAT ": %s is not an executable file", *out);
		return 0;
	}
	for (dir = path && *path ? path : DEFAULT_PATH; *dir; dir = *end ? end + 1 : end) {
		end = strchrnul(dir, ':');
		if (*dir != '/')
			continue; /* empty or relative entries are not searched */
		if (asprintf(out, "%.*s/%s", (int)(end - dir), dir, name) < 0) {
			*out = NULL;
			return ERR_NOMEM;
		}
		if (executable(*out))
			return 0;
		free(*out);
		*out = NULL;
	}
	return errbuf_set(eb, ERR_CONFIG, PROCESS_WHAT ": %s not found in PATH", name);
}

static int read_output(const struct subproc_result *res, time_t now, struct aws_credentials *out,
		       struct errbuf *eb)
{
	json_t *doc = NULL, *version;
	int r;

	r = aws_json_parse(res->out.data ? res->out.data : "", res->out.len, PROCESS_WHAT, &doc,
			   eb);
	if (r < 0)
		return r;
	version = json_object_get(doc, "Version");
	if (!json_is_integer(version) || json_integer_value(version) != 1)
		r = errbuf_set(eb, ERR_BACKEND,
			       PROCESS_WHAT ": the output needs \"Version\": 1 (the only version)");
	else
		r = aws_creds_from_json(doc, "SessionToken", now, PROCESS_WHAT, out, eb);
	json_decref(doc);
	return r;
}

int aws_process_fetch(const char *command, time_t now, struct aws_credentials *out,
		      struct errbuf *eb)
{
	struct subproc_params params = {
		.label = PROCESS_WHAT,
		.max_output = PROCESS_MAX_OUTPUT,
		.timeout_ms = PROCESS_TIMEOUT_MS,
	};
	struct subproc_result res = {.out = BUF_INIT};
	char **argv = NULL, *given = NULL, *program = NULL;
	int r;

	aws_credentials_finish(out);
	r = aws_command_split(command, &argv, eb);
	if (r < 0)
		return r;
	r = find_program(argv[0], &program, eb);
	if (r < 0)
		goto out;
	given = argv[0];
	argv[0] = program;
	params.argv = argv;
	r = subproc_run(&params, &res, eb);
	if (r == 0)
		r = subproc_judge(&params, &res, eb);
	if (r == 0)
		r = read_output(&res, now, out, eb);
	argv[0] = given;
out:
	free(program);
	aws_command_free(argv);
	subproc_result_finish(&res);
	return r;
}
