/* SPDX-License-Identifier: MIT */
/*
 * Storage for the tree: the arena every node, key and string lives in, the
 * parser's growable buffers, and tables and arrays with their growth and hash
 * index.
 */
#include "toml_impl.h"

#include "err.h"
#include "wipe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(_Alignof(struct toml_value) <= 8 && _Alignof(struct entry) <= 8,
               "arena allocations are 8-byte aligned");

/* Zeroed chunks handed out front to back and never reused before toml_free(). */
struct chunk {
	struct chunk *next;
	size_t size, used;
	uint64_t data[]; /* everything stored here needs at most 8-byte alignment */
};

#define CHUNK_MIN 4096
#define CHUNK_MAX (64 * 1024)

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
void *toml_arena_alloc(struct arena *a, size_t size)
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
	ptr = toml_arena_alloc(a, new_size);
	if (ptr && old_size)
		memcpy(ptr, old, old_size);
	return ptr;
}

void toml_arena_finish(struct arena *a)
{
	struct chunk *c, *next;

	for (c = a->head; c; c = next) {
		next = c->next;
		wipe(c->data, c->used); /* the rest was never written */
		free(c);
	}
	a->head = NULL;
}

/* ---- buffers ---- */

static int buf_reserve(struct parser *p, struct toml_buf *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : 64;
	char *data;

	if (b->data && extra <= b->cap - b->len)
		return 0; /* data is never NULL afterwards, even for empty content */
	while (cap - b->len < extra) {
		if (cap > SIZE_MAX / 2)
			return toml_nomem(p);
		cap *= 2;
	}
	data = malloc(cap);
	if (!data)
		return toml_nomem(p);
	if (b->len)
		memcpy(data, b->data, b->len);
	free_secret_len(b->data, b->cap);
	b->data = data;
	b->cap = cap;
	return 0;
}

int toml_buf_add(struct parser *p, struct toml_buf *b, const char *s, size_t n)
{
	int err = buf_reserve(p, b, n);

	if (err)
		return err;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	return 0;
}

void toml_buf_finish(struct toml_buf *b)
{
	free_secret_len(b->data, b->cap);
	*b = (struct toml_buf){0};
}

/* A NUL-terminated copy of n bytes (which may themselves hold NULs). */
char *toml_copy_bytes(struct parser *p, const char *s, size_t n)
{
	char *c = n < SIZE_MAX ? toml_arena_alloc(p->arena, n + 1) : NULL;

	if (c && n)
		memcpy(c, s, n);
	return c;
}

/* ---- tables and arrays ---- */

uint32_t toml_hash_key(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

struct entry *toml_table_find(const struct toml_value *t, const char *key, size_t len,
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
	uint32_t *index = toml_arena_alloc(a, (size_t)cap * sizeof(*index));

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
int toml_table_add(struct arena *a, struct toml_value *t, char *key, size_t len, uint32_t hash,
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

int toml_array_push(struct arena *a, struct toml_value *arr, struct toml_value *v)
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
