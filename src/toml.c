/* SPDX-License-Identifier: MIT */
/*
 * The entry points and the read-only API.  toml_parse_at() sets up a parser
 * and hands the input to the other files (toml_impl.h lists them); positions
 * and error messages are made here; the getters walk the finished tree.
 */
#include "toml.h"
#include "toml_impl.h"

#include "err.h"
#include "wipe.h"

#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The root table and the arena holding the whole document. */
struct document {
	struct toml_value root; /* first, so a root pointer is a document pointer */
	struct arena arena;
};

/* ---- positions and errors ---- */

static int clamp_int(ptrdiff_t n)
{
	return n > INT_MAX ? INT_MAX : (int)n;
}

/*
 * Line and column of a position.  Lines are counted incrementally, so asking
 * in document order costs linear time overall; going back a line recounts.
 */
void toml_locate(struct parser *p, const char *at, int *line, int *column)
{
	const char *nl;

	if (at < p->line_start) {
		p->sync = p->line_start = p->begin;
		p->line = p->first_line;
	}
	while (p->sync < at && (nl = memchr(p->sync, '\n', (size_t)(at - p->sync)))) {
		if (p->line < INT_MAX)
			p->line++;
		p->sync = p->line_start = nl + 1;
	}
	if (at > p->sync)
		p->sync = at;
	*line = p->line;
	*column = clamp_int(at - p->line_start + 1);
}

int toml_fail(struct parser *p, const char *at, int err, const char *fmt, ...)
{
	va_list ap;

	toml_locate(p, at, &p->error->line, &p->error->column);
	va_start(ap, fmt);
	vsnprintf(p->error->msg, sizeof(p->error->msg), fmt, ap);
	va_end(ap);
	return err;
}

int toml_nomem(struct parser *p)
{
	p->error->line = p->error->column = 0;
	snprintf(p->error->msg, sizeof(p->error->msg), "out of memory");
	return ERR_NOMEM;
}

int toml_fail_depth(struct parser *p, const char *at)
{
	return toml_fail(p, at, ERR_LIMIT, "nesting deeper than %d", TOML_MAX_DEPTH);
}

/* ---- parsing and freeing ---- */

int toml_parse(const char *data, size_t len, struct toml_value **root, struct toml_error *error)
{
	return toml_parse_at(data, len, 1, root, error);
}

int toml_parse_at(const char *data, size_t len, int first_line, struct toml_value **root,
                  struct toml_error *error)
{
	struct toml_error ignored;
	struct document *doc = calloc(1, sizeof(*doc));
	struct parser p = {0};
	int err;

	*root = NULL;
	p.error = error ? error : &ignored;
	*p.error = (struct toml_error){0};
	p.begin = data ? data : "";
	p.end = p.begin + (data ? len : 0);
	if (p.end - p.begin >= 3 && memcmp(p.begin, "\xef\xbb\xbf", 3) == 0)
		p.begin += 3;
	p.p = p.sync = p.line_start = p.begin;
	p.line = p.first_line = first_line > 0 ? first_line : 1;
	if (!doc) {
		err = toml_nomem(&p);
		goto out;
	}
	p.arena = &doc->arena;
	p.root = p.current = &doc->root;
	p.root->flags = TABLE_EXPLICIT;
	p.root->line = p.first_line;
	p.root->column = 1;
	err = toml_check_input(&p);
	if (!err)
		err = toml_parse_document(&p);
	if (!err) {
		*root = &doc->root; /* transferred */
		doc = NULL;
	}
out:
	toml_free(doc ? &doc->root : NULL);
	toml_buf_finish(&p.str);
	toml_buf_finish(&p.keys);
	if (p.c_locale)
		freelocale(p.c_locale);
	return err;
}

void toml_free(struct toml_value *root)
{
	struct document *doc = (struct document *)root;

	if (!root || root->depth != 0)
		return;
	toml_arena_finish(&doc->arena);
	free_secret_len(doc, sizeof(*doc));
}

/* ---- the read-only API ---- */

void toml_error_format(const struct toml_error *error, char *buf, size_t size)
{
	if (!size)
		return;
	if (error->line > 0)
		snprintf(buf, size, "%d:%d: %s", error->line, error->column, error->msg);
	else
		snprintf(buf, size, "%s", error->msg);
}

enum toml_type toml_type(const struct toml_value *v)
{
	return v->type;
}

const char *toml_type_name(enum toml_type type)
{
	static const char *const names[] = {
	    [TOML_TABLE] = "table",           [TOML_ARRAY] = "array",
	    [TOML_STRING] = "string",         [TOML_INTEGER] = "integer",
	    [TOML_FLOAT] = "float",           [TOML_BOOL] = "boolean",
	    [TOML_DATETIME] = "datetime",     [TOML_DATETIME_LOCAL] = "datetime-local",
	    [TOML_DATE_LOCAL] = "date-local", [TOML_TIME_LOCAL] = "time-local",
	};

	if ((unsigned)type >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[type];
}

int toml_line(const struct toml_value *v)
{
	return v->line;
}

int toml_column(const struct toml_value *v)
{
	return v->column;
}

size_t toml_count(const struct toml_value *v)
{
	if (v->type == TOML_TABLE)
		return v->u.table.count;
	if (v->type == TOML_ARRAY)
		return v->u.array.count;
	return 0;
}

const struct toml_value *toml_table_at(const struct toml_value *v, size_t i, const char **key,
                                       size_t *key_len, int *key_line)
{
	const struct entry *e;

	if (!v || v->type != TOML_TABLE || i >= v->u.table.count)
		return NULL;
	e = &v->u.table.entries[i];
	if (key)
		*key = e->key;
	if (key_len)
		*key_len = e->key_len;
	if (key_line)
		*key_line = e->key_line;
	return e->value;
}

const struct toml_value *toml_table_get(const struct toml_value *v, const char *key)
{
	size_t len;
	const struct entry *e;

	if (!v || v->type != TOML_TABLE || !key)
		return NULL;
	len = strlen(key);
	e = toml_table_find(v, key, len, toml_hash_key(key, len));
	return e ? e->value : NULL;
}

const struct toml_value *toml_array_at(const struct toml_value *v, size_t i)
{
	if (!v || v->type != TOML_ARRAY || i >= v->u.array.count)
		return NULL;
	return v->u.array.items[i];
}

bool toml_get_string(const struct toml_value *v, const char **s, size_t *len)
{
	if (!v || v->type != TOML_STRING)
		return false;
	if (s)
		*s = v->u.str.ptr;
	if (len)
		*len = v->u.str.len;
	return true;
}

bool toml_get_int(const struct toml_value *v, int64_t *out)
{
	if (!v || v->type != TOML_INTEGER)
		return false;
	*out = v->u.integer;
	return true;
}

bool toml_get_float(const struct toml_value *v, double *out)
{
	if (!v || v->type != TOML_FLOAT)
		return false;
	*out = v->u.flt;
	return true;
}

bool toml_get_bool(const struct toml_value *v, bool *out)
{
	if (!v || v->type != TOML_BOOL)
		return false;
	*out = v->u.boolean;
	return true;
}

bool toml_get_datetime(const struct toml_value *v, struct toml_datetime *out)
{
	if (!v || v->type < TOML_DATETIME || v->type > TOML_TIME_LOCAL)
		return false;
	*out = v->u.dt;
	return true;
}
