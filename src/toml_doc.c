/* SPDX-License-Identifier: MIT */
/*
 * The document's structure: key/value pairs and dotted keys, [table] and
 * [[array]] headers, arrays and inline tables, and which of them may extend
 * which.
 */
#include "toml_impl.h"

#include "err.h"

#include <stdio.h>
#include <string.h>

/* ---- blank lines and comments ---- */

static void skip_comment(struct parser *p)
{
	const char *nl;

	if (peek(p) != '#')
		return;
	nl = memchr(p->p, '\n', (size_t)(p->end - p->p));
	if (!nl)
		p->p = p->end;
	else
		p->p = nl[-1] == '\r' ? nl - 1 : nl;
}

/* Whitespace, comments and newlines. */
static void skip_blank(struct parser *p)
{
	do {
		skip_ws(p);
		skip_comment(p);
	} while (skip_newline(p));
}

/* ---- describing keys and values in messages ---- */

struct out {
	char *buf;
	size_t size, len;
};

static void out_add(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n && o->len + 1 < o->size; i++)
		o->buf[o->len++] = s[i];
	o->buf[o->len] = '\0';
}

static void out_key_part(struct out *o, const char *s, size_t n)
{
	bool bare = n > 0;
	char esc[8];

	for (size_t i = 0; i < n; i++)
		bare = bare && is_bare((unsigned char)s[i]);
	if (bare) {
		out_add(o, s, n);
		return;
	}
	out_add(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			out_add(o, esc, strlen(esc));
		} else {
			out_add(o, (const char *)&s[i], 1);
		}
	}
	out_add(o, "\"", 1);
}

/* The first n parts of the key just parsed, as "a.b.\"c d\"", shortened if long. */
static const char *key_name(const struct parser *p, size_t n, char *buf, size_t size)
{
	struct out o = {buf, size - 4, 0};

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			out_add(&o, ".", 1);
		out_key_part(&o, p->keys.data + p->seg[i].off, p->seg[i].len);
	}
	if (o.len + 1 == o.size)
		memcpy(buf + o.len, "...", 4);
	return buf;
}

static const char *describe(const struct toml_value *v)
{
	switch (v->type) {
	case TOML_TABLE:
		if (v->flags & TABLE_INLINE)
			return "an inline table";
		if (v->flags & TABLE_DOTTED)
			return "a table defined by dotted keys";
		return v->flags & TABLE_EXPLICIT ? "a table defined by a header" : "a table";
	case TOML_ARRAY:
		return v->flags & ARRAY_OF_TABLES ? "an array of tables" : "a static array";
	case TOML_STRING:
		return "a string";
	case TOML_INTEGER:
		return "an integer";
	case TOML_FLOAT:
		return "a float";
	case TOML_BOOL:
		return "a boolean";
	default:
		return "a date or time";
	}
}

/* ---- keys in tables ---- */

static struct toml_value *find_part(const struct parser *p, const struct toml_value *t, size_t i)
{
	const struct segment *s = &p->seg[i];
	struct entry *e = toml_table_find(t, p->keys.data + s->off, s->len, s->hash);

	return e ? e->value : NULL;
}

static int add_failed(struct parser *p, const char *at, int err)
{
	return err == ERR_LIMIT ? toml_fail(p, at, err, "too many keys in one table")
	                        : toml_nomem(p);
}

static int push_failed(struct parser *p, int err)
{
	return err == ERR_LIMIT ? toml_fail(p, p->p, err, "too many elements in one array")
	                        : toml_nomem(p);
}

/* Adds v under key part i of t. */
static int add_part(struct parser *p, struct toml_value *t, size_t i, struct toml_value *v)
{
	const struct segment *s = &p->seg[i];
	char *key = toml_copy_bytes(p, p->keys.data + s->off, s->len);
	int line, column, err;

	toml_locate(p, s->at, &line, &column);
	err = key ? toml_table_add(p->arena, t, key, s->len, s->hash, line, v) : ERR_NOMEM;
	return err ? add_failed(p, s->at, err) : 0;
}

static struct toml_value *new_value(struct parser *p, enum toml_type type, const char *at,
                                    int depth)
{
	struct toml_value *v = toml_arena_alloc(p->arena, sizeof(*v));

	if (!v)
		return NULL;
	v->type = type;
	v->depth = depth;
	toml_locate(p, at, &v->line, &v->column);
	return v;
}

/* Creates a table under key part i of parent. */
static int add_table(struct parser *p, struct toml_value *parent, size_t i, unsigned flags,
                     struct toml_value **out)
{
	struct toml_value *t;

	if (parent->depth >= TOML_MAX_DEPTH)
		return toml_fail_depth(p, p->seg[i].at);
	t = new_value(p, TOML_TABLE, p->seg[i].at, parent->depth + 1);
	if (!t)
		return toml_nomem(p);
	t->flags = flags;
	*out = t;
	return add_part(p, parent, i, t);
}

/* ---- values ---- */

static int parse_keyval(struct parser *p, struct toml_value *t);
static int parse_value(struct parser *p, int depth, struct toml_value **out);

static int parse_string_value(struct parser *p, struct toml_value *v)
{
	int err;

	p->str.len = 0;
	err = toml_parse_string(p, &p->str, true);
	if (err)
		return err;
	v->u.str.ptr = toml_copy_bytes(p, p->str.data, p->str.len);
	if (!v->u.str.ptr)
		return toml_nomem(p);
	v->u.str.len = p->str.len;
	return 0;
}

static int parse_array_items(struct parser *p, struct toml_value *arr)
{
	struct toml_value *item;
	int err;

	p->p++;
	for (;;) {
		skip_blank(p);
		if (peek(p) == ']')
			break;
		err = parse_value(p, arr->depth + 1, &item);
		if (err)
			return err;
		err = toml_array_push(p->arena, arr, item);
		if (err)
			return push_failed(p, err);
		skip_blank(p);
		if (peek(p) == ']')
			break;
		if (peek(p) != ',')
			return toml_fail(p, p->p, ERR_INVALID,
			                 "expected ',' or ']' after array element");
		p->p++;
	}
	p->p++;
	return 0;
}

static int parse_inline_items(struct parser *p, struct toml_value *t)
{
	int err;

	p->p++;
	skip_ws(p);
	if (peek(p) == '}') {
		p->p++;
		return 0;
	}
	for (;;) {
		err = parse_keyval(p, t);
		if (err)
			return err;
		skip_ws(p);
		if (peek(p) == '}') {
			p->p++;
			return 0;
		}
		if (peek(p) != ',')
			return toml_fail(p, p->p, ERR_INVALID,
			                 at_newline(p)
			                     ? "newline not allowed in an inline table"
			                     : "expected ',' or '}' after inline table entry");
		p->p++;
		skip_ws(p);
		if (peek(p) == '}')
			return toml_fail(p, p->p, ERR_INVALID,
			                 "trailing comma not allowed in an inline table");
	}
}

static int parse_value(struct parser *p, int depth, struct toml_value **out)
{
	int c = peek(p), err;
	bool nested = c == '[' || c == '{';
	struct toml_value *v;

	*out = NULL;
	if (nested && depth > TOML_MAX_DEPTH)
		return toml_fail_depth(p, p->p);
	v = new_value(p, c == '[' ? TOML_ARRAY : TOML_TABLE, p->p, depth);
	if (!v)
		return toml_nomem(p);
	if (c == '[') {
		err = parse_array_items(p, v);
	} else if (c == '{') {
		v->flags = TABLE_INLINE;
		err = parse_inline_items(p, v);
	} else if (c == '"' || c == '\'') {
		v->type = TOML_STRING;
		err = parse_string_value(p, v);
	} else {
		v->type = TOML_BOOL;
		err = toml_parse_bare_value(p, v);
	}
	if (!err)
		*out = v;
	return err;
}

/* ---- key/value pairs and headers ---- */

/*
 * Dotted-key step: into part i of *t, creating it, or into an existing table
 * that no header defined: one dotted keys made, or one a header path made on
 * the way ("[a.b.c]" makes a and a.b).  Either way the table counts as made by
 * dotted keys from then on, so no header can define it later.  Tables defined
 * by a header, inline tables and arrays are closed to dotted keys
 * (toml-lang/toml#846); headers may still open sub-tables of dotted tables.
 */
static int dotted_step(struct parser *p, struct toml_value **t, size_t i)
{
	struct toml_value *v = find_part(p, *t, i);
	char name[96];

	if (!v)
		return add_table(p, *t, i, TABLE_DOTTED, t);
	if (v->type == TOML_TABLE && (v->flags == 0 || v->flags == TABLE_DOTTED)) {
		v->flags = TABLE_DOTTED;
		*t = v;
		return 0;
	}
	return toml_fail(p, p->seg[i].at, ERR_INVALID,
	                 "cannot add to %s with dotted keys: it is %s (line %d)",
	                 key_name(p, i + 1, name, sizeof(name)), describe(v), v->line);
}

/* The value of the pair whose last key part is seg, added to t. */
static int add_keyval(struct parser *p, struct toml_value *t, const struct segment *seg)
{
	/* The value may hold keys of its own: this one is copied first. */
	char *key = toml_copy_bytes(p, p->keys.data + seg->off, seg->len);
	struct segment s = *seg;
	struct toml_value *v;
	int line, column, err;

	if (!key)
		return toml_nomem(p);
	toml_locate(p, s.at, &line, &column);
	err = parse_value(p, t->depth + 1, &v);
	if (err)
		return err;
	err = toml_table_add(p->arena, t, key, s.len, s.hash, line, v);
	return err ? add_failed(p, s.at, err) : 0;
}

static int parse_keyval(struct parser *p, struct toml_value *t)
{
	const struct toml_value *v;
	size_t last;
	char name[96];
	int err;

	err = toml_parse_key(p);
	if (err)
		return err;
	if (peek(p) != '=')
		return toml_fail(p, p->p, ERR_INVALID, "expected '=' after key");
	p->p++;
	skip_ws(p);
	last = p->nseg - 1;
	for (size_t i = 0; i < last; i++) {
		err = dotted_step(p, &t, i);
		if (err)
			return err;
	}
	v = find_part(p, t, last);
	if (v)
		return toml_fail(p, p->seg[last].at, ERR_INVALID, "key %s defined twice",
		                 key_name(p, p->nseg, name, sizeof(name)));
	return add_keyval(p, t, &p->seg[last]);
}

/* Header step: into part i of *t, creating it, or through a table or array of tables. */
static int header_step(struct parser *p, struct toml_value **t, size_t i)
{
	struct toml_value *v = find_part(p, *t, i);
	char name[96];

	if (!v)
		return add_table(p, *t, i, 0, t);
	if (v->type == TOML_ARRAY && (v->flags & ARRAY_OF_TABLES)) {
		*t = v->u.array.items[v->u.array.count - 1];
		return 0;
	}
	if (v->type == TOML_TABLE && !(v->flags & TABLE_INLINE)) {
		*t = v;
		return 0;
	}
	return toml_fail(p, p->seg[i].at, ERR_INVALID, "cannot extend %s: it is %s (line %d)",
	                 key_name(p, i + 1, name, sizeof(name)), describe(v), v->line);
}

/* [a.b.c]: t is the parent of the last key part. */
static int open_table(struct parser *p, struct toml_value *t, const char *open, int line,
                      int column)
{
	size_t last = p->nseg - 1;
	struct toml_value *v = find_part(p, t, last);
	char name[96];
	int err;

	if (!v) {
		err = add_table(p, t, last, TABLE_EXPLICIT, &v);
		if (err)
			return err;
	} else if (v->type == TOML_TABLE && !v->flags) {
		v->flags = TABLE_EXPLICIT;
	} else {
		key_name(p, p->nseg, name, sizeof(name));
		if (v->type == TOML_TABLE && v->flags == TABLE_EXPLICIT)
			return toml_fail(p, open, ERR_INVALID, "table [%s] defined twice", name);
		return toml_fail(p, open, ERR_INVALID,
		                 "cannot define table [%s]: it is %s (line %d)", name, describe(v),
		                 v->line);
	}
	v->line = line;
	v->column = column;
	p->current = v;
	return 0;
}

/* [[a.b.c]]: t is the parent of the last key part. */
static int open_array_table(struct parser *p, struct toml_value *t, const char *open)
{
	size_t last = p->nseg - 1;
	struct toml_value *arr = find_part(p, t, last), *elem;
	char name[96];
	int err;

	if (!arr) {
		err = add_table(p, t, last, 0, &arr);
		if (err)
			return err;
		arr->type = TOML_ARRAY;
		arr->flags = ARRAY_OF_TABLES;
		toml_locate(p, open, &arr->line, &arr->column);
	} else if (arr->type != TOML_ARRAY || !(arr->flags & ARRAY_OF_TABLES)) {
		return toml_fail(p, open, ERR_INVALID,
		                 "cannot define array of tables [[%s]]: it is %s (line %d)",
		                 key_name(p, p->nseg, name, sizeof(name)), describe(arr),
		                 arr->line);
	}
	if (arr->depth >= TOML_MAX_DEPTH)
		return toml_fail_depth(p, open);
	elem = new_value(p, TOML_TABLE, open, arr->depth + 1);
	if (!elem)
		return toml_nomem(p);
	err = toml_array_push(p->arena, arr, elem);
	if (err)
		return push_failed(p, err);
	elem->flags = TABLE_EXPLICIT;
	p->current = elem;
	return 0;
}

static int parse_header(struct parser *p)
{
	const char *open = p->p;
	bool array = lookahead(p, "[[");
	struct toml_value *t = p->root;
	int line, column, err;

	toml_locate(p, open, &line, &column);
	p->p += array ? 2 : 1;
	err = toml_parse_key(p);
	if (err)
		return err;
	if (!lookahead(p, array ? "]]" : "]"))
		return toml_fail(p, p->p, ERR_INVALID, "expected '%s' after table name",
		                 array ? "]]" : "]");
	p->p += array ? 2 : 1;
	for (size_t i = 0; i + 1 < p->nseg; i++) {
		err = header_step(p, &t, i);
		if (err)
			return err;
	}
	return array ? open_array_table(p, t, open) : open_table(p, t, open, line, column);
}

/* After a key/value pair or a header: a comment, then a newline or the end. */
static int expect_line_end(struct parser *p, const char *after)
{
	skip_ws(p);
	skip_comment(p);
	if (p->p == p->end || skip_newline(p))
		return 0;
	return toml_fail(p, p->p, ERR_INVALID, "expected a newline after %s", after);
}

int toml_parse_document(struct parser *p)
{
	int err;

	for (;;) {
		skip_blank(p);
		if (p->p == p->end)
			return 0;
		if (*p->p == '[') {
			err = parse_header(p);
			if (!err)
				err = expect_line_end(p, "table header");
		} else {
			err = parse_keyval(p, p->current);
			if (!err)
				err = expect_line_end(p, "value");
		}
		if (err)
			return err;
	}
}
