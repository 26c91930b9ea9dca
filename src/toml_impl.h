/* SPDX-License-Identifier: MIT */
#ifndef DCR_TOML_IMPL_H
#define DCR_TOML_IMPL_H

/*
 * Shared by the TOML parser's files: toml.c (the API, positions and errors),
 * toml_tree.c (the arena, buffers, tables and arrays), toml_scan.c (input
 * checks, strings and keys), toml_scalar.c (numbers, booleans, dates and
 * times) and toml_doc.c (key/value pairs, headers, arrays and inline tables).
 * Not for other modules.
 */

#include "hexdigit.h"
#include "toml.h"

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * The tree.  A table is an array of entries in document order; once it holds
 * more than INDEX_MIN keys it also gets an open-addressing hash index so that
 * big tables stay linear to build.  Every node, key and string of a document
 * lives in one arena, which toml_free() wipes and releases in one go.
 */

enum value_flags {
	TABLE_EXPLICIT = 1 << 0,  /* opened by a [header] or [[header]] */
	TABLE_DOTTED = 1 << 1,    /* created by a dotted key */
	TABLE_INLINE = 1 << 2,    /* an inline table, closed for good */
	ARRAY_OF_TABLES = 1 << 3, /* created by [[header]], may grow */
};

#define INDEX_MIN 8
#define MAX_ITEMS (1u << 30) /* keys in a table or elements in an array */

struct entry {
	char *key;
	size_t key_len;
	uint32_t hash;
	int key_line;
	struct toml_value *value;
};

struct table {
	struct entry *entries;
	uint32_t *index; /* entry position + 1; 0 marks a free slot */
	uint32_t count, cap;
	uint32_t index_cap; /* a power of two, at least twice count */
};

struct array {
	struct toml_value **items;
	uint32_t count, cap;
};

struct toml_value {
	uint8_t type;   /* enum toml_type */
	uint8_t flags;  /* enum value_flags */
	uint16_t depth; /* root is 0 */
	int line, column;
	union {
		struct {
			char *ptr;
			size_t len;
		} str;
		int64_t integer;
		double flt;
		bool boolean;
		struct toml_datetime dt;
		struct table table;
		struct array array;
	} u;
};

/* The chunks of a document, newest first (toml_tree.c). */
struct arena {
	struct chunk *head;
	size_t total;
};

/* A growable byte buffer; wiped whenever its storage is dropped. */
struct toml_buf {
	char *data;
	size_t len, cap;
};

/* One part of a dotted key, decoded into parser.keys. */
struct segment {
	size_t off, len;
	uint32_t hash;
	const char *at; /* where it was written */
};

struct parser {
	const char *begin, *p, *end;   /* begin is past any BOM */
	const char *sync, *line_start; /* lines are counted up to sync */
	int line, first_line;          /* first_line: the number of begin's line */
	struct arena *arena;
	struct toml_value *root, *current;
	struct toml_buf str, keys;
	struct segment seg[TOML_MAX_DEPTH];
	size_t nseg;
	locale_t c_locale;
	struct toml_error *error;
};

/* ---- the cursor ---- */

/* These are tiny and in every loop of the scanner: inline, so no call crosses files. */

static inline int peek(const struct parser *p)
{
	return p->p < p->end ? (unsigned char)*p->p : -1;
}

static inline bool lookahead(const struct parser *p, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(p->end - p->p) >= n && memcmp(p->p, s, n) == 0;
}

static inline void skip_ws(struct parser *p)
{
	while (p->p < p->end && (*p->p == ' ' || *p->p == '\t'))
		p->p++;
}

static inline bool skip_newline(struct parser *p)
{
	if (lookahead(p, "\n")) {
		p->p++;
		return true;
	}
	if (lookahead(p, "\r\n")) {
		p->p += 2;
		return true;
	}
	return false;
}

static inline bool at_newline(const struct parser *p)
{
	return peek(p) == '\n' || peek(p) == '\r';
}

/* A character of a bare key. */
static inline bool is_bare(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* ---- toml.c: positions and errors ---- */

/* Line and column of a position; cheapest asked in document order. */
void toml_locate(struct parser *p, const char *at, int *line, int *column);
/* Sets p->error to the message and the line and column of at; returns err. */
int toml_fail(struct parser *p, const char *at, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets p->error to "out of memory", tied to no position; returns ERR_NOMEM. */
int toml_nomem(struct parser *p);
/* Fails with ERR_LIMIT: nesting deeper than TOML_MAX_DEPTH. */
int toml_fail_depth(struct parser *p, const char *at);

/* ---- toml_tree.c: memory, buffers, tables and arrays ---- */

/* size zeroed bytes, aligned to 8, or NULL. */
void *toml_arena_alloc(struct arena *a, size_t size);
/* Wipes what was handed out and frees every chunk. */
void toml_arena_finish(struct arena *a);
/* Appends n bytes; on failure sets p->error and returns ERR_NOMEM. */
int toml_buf_add(struct parser *p, struct toml_buf *b, const char *s, size_t n);
void toml_buf_finish(struct toml_buf *b);
/* A NUL-terminated copy of n bytes (which may themselves hold NULs) in the arena. */
char *toml_copy_bytes(struct parser *p, const char *s, size_t n);
/* FNV-1a, for the hash index of a table. */
uint32_t toml_hash_key(const char *s, size_t len);
/* The entry of key in table t, or NULL. */
struct entry *toml_table_find(const struct toml_value *t, const char *key, size_t len,
                              uint32_t hash);
/* Appends key (already a copy in the arena) and v; ERR_LIMIT or ERR_NOMEM. */
int toml_table_add(struct arena *a, struct toml_value *t, char *key, size_t len, uint32_t hash,
                   int key_line, struct toml_value *v);
/* Appends v to array arr; ERR_LIMIT or ERR_NOMEM. */
int toml_array_push(struct arena *a, struct toml_value *arr, struct toml_value *v);

/* ---- toml_scan.c: input checks, strings and keys ---- */

/* UTF-8 and control characters, over the whole input at once. */
int toml_check_input(struct parser *p);
/* Any string at p->p, decoded and appended to out. */
int toml_parse_string(struct parser *p, struct toml_buf *out, bool multiline_ok);
/* A simple or dotted key into p->seg. */
int toml_parse_key(struct parser *p);

/* ---- toml_scalar.c: numbers, booleans, dates and times ---- */

/* A value that is not a string, array or inline table. */
int toml_parse_bare_value(struct parser *p, struct toml_value *v);

/* ---- toml_doc.c: the document's structure ---- */

/* Key/value pairs and headers to the end of the input. */
int toml_parse_document(struct parser *p);

#endif
