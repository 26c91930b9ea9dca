/* SPDX-License-Identifier: MIT */
#include "toml.h"

#include "err.h"
#include "wipe.h"

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

_Static_assert(_Alignof(struct toml_value) <= 8 && _Alignof(struct entry) <= 8,
               "arena allocations are 8-byte aligned");

/* Zeroed chunks handed out front to back and never reused before toml_free(). */
struct chunk {
	struct chunk *next;
	size_t size, used;
	uint64_t data[]; /* everything stored here needs at most 8-byte alignment */
};

struct arena {
	struct chunk *head;
	size_t total;
};

#define CHUNK_MIN 4096
#define CHUNK_MAX (64 * 1024)

/* The root table and the arena holding the whole document. */
struct document {
	struct toml_value root; /* first, so a root pointer is a document pointer */
	struct arena arena;
};

/* A growable byte buffer; wiped whenever its storage is dropped. */
struct buf {
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
	struct buf str, keys;
	struct segment seg[TOML_MAX_DEPTH];
	size_t nseg;
	locale_t c_locale;
	struct toml_error *error;
};

/* ---- memory ---- */

static size_t align_up(size_t n)
{
	size_t a = sizeof(uint64_t);

	return n > SIZE_MAX - a ? 0 : (n + a - 1) / a * a;
}

static bool add_chunk(struct arena *a, size_t need)
{
	size_t size = a->total < CHUNK_MIN   ? CHUNK_MIN
	              : a->total > CHUNK_MAX ? CHUNK_MAX
	                                     : a->total;
	struct chunk *c;

	size = need > size ? need : size;
	if (size > SIZE_MAX - sizeof(*c))
		return false;
	c = calloc(1, sizeof(*c) + size);
	if (!c)
		return false;
	c->size = size;
	c->next = a->head;
	a->head = c;
	a->total += size;
	return true;
}

/* size zeroed bytes, aligned to 8, or NULL. */
static void *arena_alloc(struct arena *a, size_t size)
{
	size_t n = align_up(size ? size : 1);
	void *ptr;

	if (!n || ((!a->head || a->head->size - a->head->used < n) && !add_chunk(a, n)))
		return NULL;
	ptr = (char *)a->head->data + a->head->used;
	a->head->used += n;
	return ptr;
}

/* Grows the last allocation in place when it can, else moves it. */
static void *arena_grow(struct arena *a, void *old, size_t old_size, size_t new_size)
{
	struct chunk *c = a->head;
	size_t old_n = align_up(old_size), new_n = align_up(new_size);
	void *ptr;

	if (old && c && new_n && (char *)old + old_n == (char *)c->data + c->used &&
	    new_n - old_n <= c->size - c->used) {
		c->used += new_n - old_n;
		return old;
	}
	ptr = arena_alloc(a, new_size);
	if (ptr && old_size)
		memcpy(ptr, old, old_size);
	return ptr;
}

static void arena_finish(struct arena *a)
{
	struct chunk *c, *next;

	for (c = a->head; c; c = next) {
		next = c->next;
		wipe(c->data, c->used); /* the rest was never written */
		free(c);
	}
	a->head = NULL;
}

void toml_free(struct toml_value *root)
{
	struct document *doc = (struct document *)root;

	if (!root || root->depth != 0)
		return;
	arena_finish(&doc->arena);
	free_secret_len(doc, sizeof(*doc));
}

/* ---- positions and errors ---- */

static int clamp_int(ptrdiff_t n)
{
	return n > INT_MAX ? INT_MAX : (int)n;
}

/*
 * Line and column of a position.  Lines are counted incrementally, so asking
 * in document order costs linear time overall; going back a line recounts.
 */
static void locate(struct parser *p, const char *at, int *line, int *column)
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

__attribute__((format(printf, 4, 5))) static int fail(struct parser *p, const char *at, int err,
                                                      const char *fmt, ...)
{
	va_list ap;

	locate(p, at, &p->error->line, &p->error->column);
	va_start(ap, fmt);
	vsnprintf(p->error->msg, sizeof(p->error->msg), fmt, ap);
	va_end(ap);
	return err;
}

static int nomem(struct parser *p)
{
	p->error->line = p->error->column = 0;
	snprintf(p->error->msg, sizeof(p->error->msg), "out of memory");
	return ERR_NOMEM;
}

static int fail_depth(struct parser *p, const char *at)
{
	return fail(p, at, ERR_LIMIT, "nesting deeper than %d", TOML_MAX_DEPTH);
}

/* ---- buffers ---- */

static int buf_reserve(struct parser *p, struct buf *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : 64;
	char *data;

	if (b->data && extra <= b->cap - b->len)
		return 0; /* data is never NULL afterwards, even for empty content */
	while (cap - b->len < extra) {
		if (cap > SIZE_MAX / 2)
			return nomem(p);
		cap *= 2;
	}
	data = malloc(cap);
	if (!data)
		return nomem(p);
	if (b->len)
		memcpy(data, b->data, b->len);
	free_secret_len(b->data, b->cap);
	b->data = data;
	b->cap = cap;
	return 0;
}

static int buf_add(struct parser *p, struct buf *b, const char *s, size_t n)
{
	int err = buf_reserve(p, b, n);

	if (err)
		return err;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	return 0;
}

static void buf_finish(struct buf *b)
{
	free_secret_len(b->data, b->cap);
	*b = (struct buf){0};
}

/* A NUL-terminated copy of n bytes (which may themselves hold NULs). */
static char *copy_bytes(struct parser *p, const char *s, size_t n)
{
	char *c = n < SIZE_MAX ? arena_alloc(p->arena, n + 1) : NULL;

	if (c && n)
		memcpy(c, s, n);
	return c;
}

/* ---- tables and arrays ---- */

static uint32_t hash_key(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static struct entry *table_find(const struct toml_value *t, const char *key, size_t len,
                                uint32_t hash)
{
	const struct table *tab = &t->u.table;
	struct entry *e;

	if (!tab->index) {
		for (size_t i = 0; i < tab->count; i++) {
			e = &tab->entries[i];
			if (e->key_len == len && memcmp(e->key, key, len) == 0)
				return e;
		}
		return NULL;
	}
	for (size_t i = hash & (tab->index_cap - 1); tab->index[i];
	     i = (i + 1) & (tab->index_cap - 1)) {
		e = &tab->entries[tab->index[i] - 1];
		if (e->hash == hash && e->key_len == len && memcmp(e->key, key, len) == 0)
			return e;
	}
	return NULL;
}

static void index_put(uint32_t *index, size_t cap, uint32_t hash, size_t pos)
{
	size_t i = hash & (cap - 1);

	while (index[i])
		i = (i + 1) & (cap - 1);
	index[i] = (uint32_t)pos + 1;
}

static int index_grow(struct arena *a, struct table *tab)
{
	uint32_t cap = tab->index_cap ? tab->index_cap * 2 : 4 * INDEX_MIN;
	uint32_t *index = arena_alloc(a, (size_t)cap * sizeof(*index));

	if (!index)
		return ERR_NOMEM;
	for (size_t i = 0; i < tab->count; i++)
		index_put(index, cap, tab->entries[i].hash, i);
	tab->index = index;
	tab->index_cap = cap;
	return 0;
}

/* Room for one more item of a doubling array (count < MAX_ITEMS). */
static void *grow_items(struct arena *a, void *items, uint32_t count, uint32_t *cap, size_t item)
{
	uint32_t n = *cap ? *cap * 2 : 4;

	if (count < *cap)
		return items;
	if (n > SIZE_MAX / item)
		return NULL;
	items = arena_grow(a, items, *cap * item, n * item);
	if (items)
		*cap = n;
	return items;
}

/* Appends key (a copy in the arena) and v. */
static int table_add(struct arena *a, struct toml_value *t, char *key, size_t len, uint32_t hash,
                     int key_line, struct toml_value *v)
{
	struct table *tab = &t->u.table;
	struct entry *entries;

	if (tab->count >= MAX_ITEMS)
		return ERR_LIMIT;
	entries = grow_items(a, tab->entries, tab->count, &tab->cap, sizeof(*entries));
	if (!entries)
		return ERR_NOMEM;
	tab->entries = entries;
	tab->entries[tab->count++] = (struct entry){key, len, hash, key_line, v};
	if (tab->index && tab->count * 2 <= tab->index_cap)
		index_put(tab->index, tab->index_cap, hash, tab->count - 1);
	else if (tab->count > INDEX_MIN)
		return index_grow(a, tab);
	return 0;
}

static int array_push(struct arena *a, struct toml_value *arr, struct toml_value *v)
{
	struct array *items = &arr->u.array;
	struct toml_value **grown;

	if (items->count >= MAX_ITEMS)
		return ERR_LIMIT;
	grown = grow_items(a, items->items, items->count, &items->cap, sizeof(*grown));
	if (!grown)
		return ERR_NOMEM;
	items->items = grown;
	items->items[items->count++] = v;
	return 0;
}

static struct toml_value *new_value(struct parser *p, enum toml_type type, const char *at,
                                    int depth)
{
	struct toml_value *v = arena_alloc(p->arena, sizeof(*v));

	if (!v)
		return NULL;
	v->type = type;
	v->depth = depth;
	locate(p, at, &v->line, &v->column);
	return v;
}

/* ---- describing keys and values in messages ---- */

static bool is_bare(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

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

/* ---- input hygiene ---- */

/* Length of the well-formed UTF-8 sequence at s, or 0 (overlong, surrogate, > U+10FFFF). */
static size_t utf8_length(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		lo = s[0] == 0xe0 ? 0xa0 : lo;
		hi = s[0] == 0xed ? 0x9f : hi;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		lo = s[0] == 0xf0 ? 0x90 : lo;
		hi = s[0] == 0xf4 ? 0x8f : hi;
	} else {
		return 0;
	}
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	return n;
}

/*
 * TOML allows no control character anywhere except tab and the newlines LF and
 * CRLF, so one pass settles encoding and control characters for the parser.
 */
static int check_input(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->begin;
	const unsigned char *end = (const unsigned char *)p->end;
	size_t n;

	while (s < end) {
		if ((*s >= 0x20 && *s < 0x7f) || *s == '\n' || *s == '\t') {
			s++;
		} else if (*s == '\r' && end - s > 1 && s[1] == '\n') {
			s += 2;
		} else if (*s >= 0x80 && (n = utf8_length(s, (size_t)(end - s)))) {
			s += n;
		} else {
			break;
		}
	}
	if (s == end)
		return 0;
	if (*s >= 0x80)
		return fail(p, (const char *)s, ERR_INVALID, "invalid UTF-8");
	if (*s == '\0')
		return fail(p, (const char *)s, ERR_INVALID, "NUL byte not allowed");
	if (*s == '\r')
		return fail(p, (const char *)s, ERR_INVALID, "carriage return without line feed");
	return fail(p, (const char *)s, ERR_INVALID, "control character U+%04X not allowed", *s);
}

/* ---- lexing helpers ---- */

static int peek(const struct parser *p)
{
	return p->p < p->end ? (unsigned char)*p->p : -1;
}

static bool lookahead(const struct parser *p, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(p->end - p->p) >= n && memcmp(p->p, s, n) == 0;
}

static void skip_ws(struct parser *p)
{
	while (p->p < p->end && (*p->p == ' ' || *p->p == '\t'))
		p->p++;
}

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

static bool skip_newline(struct parser *p)
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

/* Whitespace, comments and newlines. */
static void skip_blank(struct parser *p)
{
	do {
		skip_ws(p);
		skip_comment(p);
	} while (skip_newline(p));
}

static bool at_newline(const struct parser *p)
{
	return peek(p) == '\n' || peek(p) == '\r';
}

/* ---- strings ---- */

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX or \UXXXXXXXX at p->p. */
static int parse_unicode_escape(struct parser *p, struct buf *out, int digits)
{
	const char *at = p->p;
	uint32_t cp = 0;
	char utf8[4];

	for (int i = 0; i < digits; i++) {
		int h = p->end - at > 2 + i ? hex_value((unsigned char)at[2 + i]) : -1;
		if (h < 0)
			return fail(p, at, ERR_INVALID, "\\%c escape needs %d hexadecimal digits",
			            at[1], digits);
		cp = cp << 4 | (uint32_t)h;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return fail(p, at, ERR_INVALID, "escape \\%.*s is not a Unicode scalar value",
		            digits + 1, at + 1);
	p->p += 2 + digits;
	return buf_add(p, out, utf8, utf8_encode(cp, utf8));
}

/* A backslash escape at p->p (line-ending backslashes are handled by the caller). */
static int parse_escape(struct parser *p, struct buf *out)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	int c = p->end - p->p > 1 ? (unsigned char)p->p[1] : -1;
	const char *hit = c > 0 ? strchr(from, c) : NULL;

	if (c == 'u' || c == 'U')
		return parse_unicode_escape(p, out, c == 'u' ? 4 : 8);
	if (!hit) {
		if (c > 0x20 && c < 0x7f)
			return fail(p, p->p, ERR_INVALID, "invalid escape sequence '\\%c'", c);
		return fail(p, p->p, ERR_INVALID, "invalid escape sequence");
	}
	p->p += 2;
	return buf_add(p, out, &to[hit - from], 1);
}

/* Appends the run of bytes before p->p that contains none of stop. */
static int add_run(struct parser *p, struct buf *out, const char *stop)
{
	const char *run = p->p;

	while (p->p < p->end && !strchr(stop, *p->p))
		p->p++;
	return buf_add(p, out, run, (size_t)(p->p - run));
}

static int parse_basic(struct parser *p, struct buf *out)
{
	const char *open = p->p++;
	int err;

	for (;;) {
		err = add_run(p, out, "\"\\\n\r");
		if (err)
			return err;
		if (p->p == p->end || at_newline(p))
			return fail(p, open, ERR_INVALID, "unterminated string");
		if (*p->p == '"') {
			p->p++;
			return 0;
		}
		err = parse_escape(p, out);
		if (err)
			return err;
	}
}

static int parse_literal(struct parser *p, struct buf *out)
{
	const char *open = p->p++;
	int err = add_run(p, out, "'\n\r");

	if (err)
		return err;
	if (peek(p) != '\'')
		return fail(p, open, ERR_INVALID, "unterminated string");
	p->p++;
	return 0;
}

/*
 * At a run of quote characters inside a multi-line string: up to two may be
 * content right before the closing three.  Returns 1 when the string closed.
 */
static int quote_run(struct parser *p, struct buf *out, char quote)
{
	size_t n = 0;
	int err;

	while (p->p + n < p->end && p->p[n] == quote)
		n++;
	if (n > 5)
		return fail(p, p->p + 5, ERR_INVALID,
		            "too many quotes closing a multi-line string");
	err = buf_add(p, out, p->p, n < 3 ? n : n - 3);
	p->p += n;
	return err ? err : n >= 3;
}

/* Backslash, optional whitespace, newline: skips all whitespace and newlines. */
static bool line_ending_backslash(struct parser *p)
{
	const char *q = p->p + 1;

	while (q < p->end && (*q == ' ' || *q == '\t'))
		q++;
	if (q == p->end || (*q != '\n' && *q != '\r'))
		return false;
	p->p = q;
	while (skip_newline(p))
		skip_ws(p);
	return true;
}

static int ml_step(struct parser *p, struct buf *out, char quote)
{
	if (*p->p == quote)
		return quote_run(p, out, quote);
	if (*p->p == '\r') {
		p->p += 2;
		return buf_add(p, out, "\n", 1);
	}
	if (line_ending_backslash(p))
		return 0;
	return parse_escape(p, out);
}

static int parse_multiline(struct parser *p, struct buf *out, char quote)
{
	const char *open = p->p;
	const char *stop = quote == '"' ? "\"\\\r" : "'\r";
	int err;

	p->p += 3;
	skip_newline(p);
	for (;;) {
		err = add_run(p, out, stop);
		if (err)
			return err;
		if (p->p == p->end)
			return fail(p, open, ERR_INVALID, "unterminated multi-line string");
		err = ml_step(p, out, quote);
		if (err)
			return err < 0 ? err : 0;
	}
}

/* Any string at p->p, decoded and appended to out. */
static int parse_string(struct parser *p, struct buf *out, bool multiline_ok)
{
	char quote = *p->p;
	bool multi = lookahead(p, quote == '"' ? "\"\"\"" : "'''");

	if (multi && !multiline_ok)
		return fail(p, p->p, ERR_INVALID, "a key cannot be a multi-line string");
	if (multi)
		return parse_multiline(p, out, quote);
	return quote == '"' ? parse_basic(p, out) : parse_literal(p, out);
}

/* ---- keys ---- */

static int parse_key_part(struct parser *p, struct segment *seg)
{
	int c = peek(p);
	const char *run = p->p;
	int err;

	seg->at = p->p;
	seg->off = p->keys.len;
	if (c == '"' || c == '\'') {
		err = parse_string(p, &p->keys, false);
	} else if (is_bare(c)) {
		while (is_bare(peek(p)))
			p->p++;
		err = buf_add(p, &p->keys, run, (size_t)(p->p - run));
	} else {
		err = fail(p, p->p, ERR_INVALID, "expected a key");
	}
	if (err)
		return err;
	seg->len = p->keys.len - seg->off;
	seg->hash = hash_key(p->keys.data + seg->off, seg->len);
	return 0;
}

/* A simple or dotted key into p->seg. */
static int parse_key(struct parser *p)
{
	int err;

	p->nseg = 0;
	p->keys.len = 0;
	for (;;) {
		skip_ws(p);
		if (p->nseg == TOML_MAX_DEPTH)
			return fail_depth(p, p->p);
		err = parse_key_part(p, &p->seg[p->nseg]);
		if (err)
			return err;
		p->nseg++;
		skip_ws(p);
		if (peek(p) != '.')
			return 0;
		p->p++;
	}
}

static struct toml_value *find_part(const struct parser *p, const struct toml_value *t, size_t i)
{
	const struct segment *s = &p->seg[i];
	struct entry *e = table_find(t, p->keys.data + s->off, s->len, s->hash);

	return e ? e->value : NULL;
}

static int add_failed(struct parser *p, const char *at, int err)
{
	return err == ERR_LIMIT ? fail(p, at, err, "too many keys in one table") : nomem(p);
}

static int push_failed(struct parser *p, int err)
{
	return err == ERR_LIMIT ? fail(p, p->p, err, "too many elements in one array") : nomem(p);
}

/* Adds v under key part i of t. */
static int add_part(struct parser *p, struct toml_value *t, size_t i, struct toml_value *v)
{
	const struct segment *s = &p->seg[i];
	char *key = copy_bytes(p, p->keys.data + s->off, s->len);
	int line, column, err;

	locate(p, s->at, &line, &column);
	err = key ? table_add(p->arena, t, key, s->len, s->hash, line, v) : ERR_NOMEM;
	return err ? add_failed(p, s->at, err) : 0;
}

/* Creates a table under key part i of parent. */
static int add_table(struct parser *p, struct toml_value *parent, size_t i, unsigned flags,
                     struct toml_value **out)
{
	struct toml_value *t;

	if (parent->depth >= TOML_MAX_DEPTH)
		return fail_depth(p, p->seg[i].at);
	t = new_value(p, TOML_TABLE, p->seg[i].at, parent->depth + 1);
	if (!t)
		return nomem(p);
	t->flags = flags;
	*out = t;
	return add_part(p, parent, i, t);
}

/* ---- scalars ---- */

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_token(int c)
{
	return is_bare(c) || c == '.' || c == '+' || c == ':';
}

static int digit_value(int c)
{
	int h = hex_value(c);

	return h < 0 ? 99 : h;
}

/* DIGIT *( ["_"] DIGIT ) in the given base: the end of it, or NULL. */
static const char *scan_digits(const char *q, const char *e, int base)
{
	if (q >= e || digit_value((unsigned char)*q) >= base)
		return NULL;
	for (q++; q < e; q++) {
		if (*q == '_') {
			if (++q == e || digit_value((unsigned char)*q) >= base)
				return NULL;
		} else if (digit_value((unsigned char)*q) >= base) {
			break;
		}
	}
	return q;
}

static int parse_integer(struct parser *p, const char *s, const char *q, const char *e, int base,
                         struct toml_value *v)
{
	bool neg = *s == '-';
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, mag = 0;

	for (; q < e; q++) {
		unsigned d = (unsigned)digit_value((unsigned char)*q);
		if (*q == '_')
			continue;
		if (mag > (limit - d) / (unsigned)base)
			return fail(p, s, ERR_INVALID, "integer out of range");
		mag = mag * (unsigned)base + d;
	}
	v->type = TOML_INTEGER;
	v->u.integer = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return 0;
}

static int convert_float(struct parser *p, const char *s, const char *e, double *out)
{
	char *end;
	int err;

	if (!p->c_locale) {
		p->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
		if (!p->c_locale)
			return nomem(p);
	}
	p->str.len = 0;
	for (const char *q = s; q < e; q++) {
		err = *q == '_' ? 0 : buf_add(p, &p->str, q, 1);
		if (err)
			return err;
	}
	err = buf_add(p, &p->str, "", 1);
	if (err)
		return err;
	*out = strtod_l(p->str.data, &end, p->c_locale);
	if (end != p->str.data + p->str.len - 1)
		return fail(p, s, ERR_INVALID, "invalid float");
	if (isinf(*out))
		return fail(p, s, ERR_INVALID, "float out of range");
	return 0;
}

static int parse_decimal(struct parser *p, const char *s, const char *q, const char *e,
                         struct toml_value *v)
{
	const char *d = scan_digits(q, e, 10);
	bool is_float = false;

	if (!d)
		return fail(p, s, ERR_INVALID, "invalid number");
	if (*q == '0' && d - q > 1)
		return fail(p, s, ERR_INVALID, "leading zeros are not allowed");
	if (d < e && *d == '.') {
		is_float = true;
		d = scan_digits(d + 1, e, 10);
		if (!d)
			return fail(p, s, ERR_INVALID, "invalid float: expected digits after '.'");
	}
	if (d < e && (*d == 'e' || *d == 'E')) {
		is_float = true;
		d += d + 1 < e && (d[1] == '+' || d[1] == '-') ? 2 : 1;
		d = scan_digits(d, e, 10);
		if (!d)
			return fail(p, s, ERR_INVALID,
			            "invalid float: expected digits in exponent");
	}
	if (d != e)
		return fail(p, s, ERR_INVALID, "invalid number");
	if (!is_float)
		return parse_integer(p, s, q, e, 10, v);
	v->type = TOML_FLOAT;
	return convert_float(p, s, e, &v->u.flt);
}

static bool word_is(const char *s, const char *e, const char *w)
{
	return (size_t)(e - s) == strlen(w) && memcmp(s, w, (size_t)(e - s)) == 0;
}

static int parse_number(struct parser *p, const char *s, const char *e, struct toml_value *v)
{
	const char *q = s + (*s == '+' || *s == '-');
	int base = 0;

	if (word_is(q, e, "inf") || word_is(q, e, "nan")) {
		v->type = TOML_FLOAT;
		v->u.flt = *q == 'i' ? INFINITY : NAN;
		v->u.flt = *s == '-' ? -v->u.flt : v->u.flt;
		return 0;
	}
	if (e - q > 1 && q[0] == '0')
		base = q[1] == 'x' ? 16 : q[1] == 'o' ? 8 : q[1] == 'b' ? 2 : 0;
	if (!base)
		return parse_decimal(p, s, q, e, v);
	if (q != s)
		return fail(p, s, ERR_INVALID,
		            "a sign is not allowed on hexadecimal, octal or binary integers");
	if (scan_digits(q + 2, e, base) != e)
		return fail(p, s, ERR_INVALID, "invalid %s integer",
		            base == 16  ? "hexadecimal"
		            : base == 8 ? "octal"
		                        : "binary");
	return parse_integer(p, s, q + 2, e, base, v);
}

/* ---- dates and times ---- */

static bool read_digits(const char *s, const char *end, int n, int *out)
{
	*out = 0;
	if (end - s < n)
		return false;
	for (int i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return false;
		*out = *out * 10 + (s[i] - '0');
	}
	return true;
}

static bool pattern_at(const char *s, const char *end, const char *pat)
{
	for (; *pat; pat++, s++) {
		if (s == end || (*pat == '9' ? !is_digit((unsigned char)*s) : *s != *pat))
			return false;
	}
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

	return month == 2 && leap ? 29 : days[month - 1];
}

static int parse_date(struct parser *p, struct toml_datetime *dt)
{
	const char *s = p->p;

	if (!pattern_at(s, p->end, "9999-99-99"))
		return fail(p, s, ERR_INVALID, "invalid date: expected YYYY-MM-DD");
	read_digits(s, p->end, 4, &dt->year);
	read_digits(s + 5, p->end, 2, &dt->month);
	read_digits(s + 8, p->end, 2, &dt->day);
	if (dt->month < 1 || dt->month > 12)
		return fail(p, s + 5, ERR_INVALID, "month out of range");
	if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
		return fail(p, s + 8, ERR_INVALID, "day out of range for the month");
	p->p += 10;
	return 0;
}

/* ".digits": nanoseconds, truncated. */
static int parse_fraction(struct parser *p, struct toml_datetime *dt)
{
	int n = 0;

	p->p++;
	if (!is_digit(peek(p)))
		return fail(p, p->p, ERR_INVALID, "invalid time: expected digits after '.'");
	for (; is_digit(peek(p)); p->p++, n++) {
		if (n < 9)
			dt->nanosecond = dt->nanosecond * 10 + (*p->p - '0');
	}
	for (; n < 9; n++)
		dt->nanosecond *= 10;
	return 0;
}

static int parse_time(struct parser *p, struct toml_datetime *dt)
{
	const char *s = p->p;

	if (!pattern_at(s, p->end, "99:99:99"))
		return fail(p, s, ERR_INVALID, "invalid time: expected HH:MM:SS");
	read_digits(s, p->end, 2, &dt->hour);
	read_digits(s + 3, p->end, 2, &dt->minute);
	read_digits(s + 6, p->end, 2, &dt->second);
	if (dt->hour > 23)
		return fail(p, s, ERR_INVALID, "hour out of range");
	if (dt->minute > 59)
		return fail(p, s + 3, ERR_INVALID, "minute out of range");
	if (dt->second > 60)
		return fail(p, s + 6, ERR_INVALID, "second out of range");
	p->p += 8;
	return peek(p) == '.' ? parse_fraction(p, dt) : 0;
}

static int parse_offset(struct parser *p, struct toml_datetime *dt)
{
	const char *s = p->p;
	int hours, minutes;

	if (*s == 'Z' || *s == 'z') {
		p->p++;
		return 0;
	}
	if (!pattern_at(s + 1, p->end, "99:99"))
		return fail(p, s, ERR_INVALID, "invalid time offset: expected Z or +HH:MM");
	read_digits(s + 1, p->end, 2, &hours);
	read_digits(s + 4, p->end, 2, &minutes);
	if (hours > 23 || minutes > 59)
		return fail(p, s, ERR_INVALID, "time offset out of range");
	dt->offset_minutes = (hours * 60 + minutes) * (*s == '-' ? -1 : 1);
	p->p += 6;
	return 0;
}

/* After a date: 'T', 't' or a space, then a time. */
static bool time_follows(const struct parser *p)
{
	int c = peek(p);

	return (c == 'T' || c == 't' || c == ' ') && pattern_at(p->p + 1, p->end, "99:");
}

static int parse_datetime(struct parser *p, struct toml_value *v)
{
	struct toml_datetime *dt = &v->u.dt;
	int err, c;

	if (pattern_at(p->p, p->end, "99:")) {
		v->type = TOML_TIME_LOCAL;
		return parse_time(p, dt);
	}
	v->type = TOML_DATE_LOCAL;
	err = parse_date(p, dt);
	if (err || !(time_follows(p) || peek(p) == 'T' || peek(p) == 't'))
		return err;
	p->p++;
	v->type = TOML_DATETIME_LOCAL;
	err = parse_time(p, dt);
	c = peek(p);
	if (err || !(c == 'Z' || c == 'z' || c == '+' || c == '-'))
		return err;
	v->type = TOML_DATETIME;
	return parse_offset(p, dt);
}

/* A value that is not a string, array or inline table. */
static int parse_bare_value(struct parser *p, struct toml_value *v)
{
	const char *s = p->p, *e = s;
	int err;

	while (e < p->end && is_token((unsigned char)*e))
		e++;
	if (e == s)
		return fail(p, s, ERR_INVALID, "expected a value");
	if (word_is(s, e, "true") || word_is(s, e, "false")) {
		v->type = TOML_BOOL;
		v->u.boolean = *s == 't';
		p->p = e;
		return 0;
	}
	if (pattern_at(s, e, "9999-") || pattern_at(s, e, "99:")) {
		err = parse_datetime(p, v);
		if (!err && is_token(peek(p)))
			err = fail(p, p->p, ERR_INVALID, "invalid date or time");
		return err;
	}
	p->p = e;
	return parse_number(p, s, e, v);
}

/* ---- values ---- */

static int parse_keyval(struct parser *p, struct toml_value *t);
static int parse_value(struct parser *p, int depth, struct toml_value **out);

static int parse_string_value(struct parser *p, struct toml_value *v)
{
	int err;

	p->str.len = 0;
	err = parse_string(p, &p->str, true);
	if (err)
		return err;
	v->u.str.ptr = copy_bytes(p, p->str.data, p->str.len);
	if (!v->u.str.ptr)
		return nomem(p);
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
		err = array_push(p->arena, arr, item);
		if (err)
			return push_failed(p, err);
		skip_blank(p);
		if (peek(p) == ']')
			break;
		if (peek(p) != ',')
			return fail(p, p->p, ERR_INVALID,
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
			return fail(p, p->p, ERR_INVALID,
			            at_newline(p) ? "newline not allowed in an inline table"
			                          : "expected ',' or '}' after inline table entry");
		p->p++;
		skip_ws(p);
		if (peek(p) == '}')
			return fail(p, p->p, ERR_INVALID,
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
		return fail_depth(p, p->p);
	v = new_value(p, c == '[' ? TOML_ARRAY : TOML_TABLE, p->p, depth);
	if (!v)
		return nomem(p);
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
		err = parse_bare_value(p, v);
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
	return fail(p, p->seg[i].at, ERR_INVALID,
	            "cannot add to %s with dotted keys: it is %s (line %d)",
	            key_name(p, i + 1, name, sizeof(name)), describe(v), v->line);
}

/* The value of the pair whose last key part is seg, added to t. */
static int add_keyval(struct parser *p, struct toml_value *t, const struct segment *seg)
{
	/* The value may hold keys of its own: this one is copied first. */
	char *key = copy_bytes(p, p->keys.data + seg->off, seg->len);
	struct segment s = *seg;
	struct toml_value *v;
	int line, column, err;

	if (!key)
		return nomem(p);
	locate(p, s.at, &line, &column);
	err = parse_value(p, t->depth + 1, &v);
	if (err)
		return err;
	err = table_add(p->arena, t, key, s.len, s.hash, line, v);
	return err ? add_failed(p, s.at, err) : 0;
}

static int parse_keyval(struct parser *p, struct toml_value *t)
{
	const struct toml_value *v;
	size_t last;
	char name[96];
	int err;

	err = parse_key(p);
	if (err)
		return err;
	if (peek(p) != '=')
		return fail(p, p->p, ERR_INVALID, "expected '=' after key");
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
		return fail(p, p->seg[last].at, ERR_INVALID, "key %s defined twice",
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
	return fail(p, p->seg[i].at, ERR_INVALID, "cannot extend %s: it is %s (line %d)",
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
			return fail(p, open, ERR_INVALID, "table [%s] defined twice", name);
		return fail(p, open, ERR_INVALID, "cannot define table [%s]: it is %s (line %d)",
		            name, describe(v), v->line);
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
		locate(p, open, &arr->line, &arr->column);
	} else if (arr->type != TOML_ARRAY || !(arr->flags & ARRAY_OF_TABLES)) {
		return fail(p, open, ERR_INVALID,
		            "cannot define array of tables [[%s]]: it is %s (line %d)",
		            key_name(p, p->nseg, name, sizeof(name)), describe(arr), arr->line);
	}
	if (arr->depth >= TOML_MAX_DEPTH)
		return fail_depth(p, open);
	elem = new_value(p, TOML_TABLE, open, arr->depth + 1);
	if (!elem)
		return nomem(p);
	err = array_push(p->arena, arr, elem);
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

	locate(p, open, &line, &column);
	p->p += array ? 2 : 1;
	err = parse_key(p);
	if (err)
		return err;
	if (!lookahead(p, array ? "]]" : "]"))
		return fail(p, p->p, ERR_INVALID, "expected '%s' after table name",
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
	return fail(p, p->p, ERR_INVALID, "expected a newline after %s", after);
}

static int parse_document(struct parser *p)
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
		err = nomem(&p);
		goto out;
	}
	p.arena = &doc->arena;
	p.root = p.current = &doc->root;
	p.root->flags = TABLE_EXPLICIT;
	p.root->line = p.first_line;
	p.root->column = 1;
	err = check_input(&p);
	if (!err)
		err = parse_document(&p);
	if (!err) {
		*root = &doc->root; /* transferred */
		doc = NULL;
	}
out:
	toml_free(doc ? &doc->root : NULL);
	buf_finish(&p.str);
	buf_finish(&p.keys);
	if (p.c_locale)
		freelocale(p.c_locale);
	return err;
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
	e = table_find(v, key, len, hash_key(key, len));
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
