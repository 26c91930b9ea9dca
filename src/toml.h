/* SPDX-License-Identifier: MIT */
#ifndef DCR_TOML_H
#define DCR_TOML_H

/*
 * A TOML 1.0.0 parser.  toml_parse() turns a byte buffer into a tree of typed
 * values; tables keep their keys in document order and every value remembers
 * the line and column where it was written, so configuration errors can say
 * "file:line: key: why".
 *
 * Strings and keys are length-counted (an escape may put U+0000 inside) and
 * are also NUL-terminated for convenience.  toml_free() wipes every string and
 * key before freeing it, because credentials files hold passwords.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,       /* offset date-time */
	TOML_DATETIME_LOCAL, /* local date-time */
	TOML_DATE_LOCAL,     /* local date */
	TOML_TIME_LOCAL,     /* local time */
};

struct toml_datetime {
	int year, month, day;           /* 0 for TOML_TIME_LOCAL */
	int hour, minute, second;       /* 0 for TOML_DATE_LOCAL */
	int nanosecond;                 /* fraction of a second, truncated to ns */
	int offset_minutes;             /* TOML_DATETIME only; Z is 0 */
};

/* Deepest nesting of arrays and inline tables, and of dotted/table keys. */
#define TOML_MAX_DEPTH 128

struct toml_error {
	int line;   /* 1-based; 0 when not tied to a position */
	int column; /* 1-based, in bytes */
	char msg[200];
};

struct toml_value;

/*
 * Parses len bytes of data (need not be NUL-terminated).  On success returns 0
 * and sets *root to a TOML_TABLE the caller frees with toml_free().  On
 * failure returns a negative error code from err.h (ERR_INVALID, ERR_LIMIT or
 * ERR_NOMEM), sets *root to NULL and fills *error with "LINE:COLUMN: what was
 * expected" material.
 */
int toml_parse(const char *data, size_t len, struct toml_value **root, struct toml_error *error);

/*
 * The same for a piece of a larger document that starts on line first_line
 * (1-based) of it: lines in the tree and in errors count from there.
 */
int toml_parse_at(const char *data, size_t len, int first_line, struct toml_value **root,
		  struct toml_error *error);

/* Frees a tree returned by toml_parse(), wiping strings and keys (NULL allowed). */
void toml_free(struct toml_value *root);

/* Formats an error as "LINE:COLUMN: MSG" into buf. */
void toml_error_format(const struct toml_error *error, char *buf, size_t size);

enum toml_type toml_type(const struct toml_value *v);
/* "table", "array", "string", "integer", "float", "boolean", "datetime", ... */
const char *toml_type_name(enum toml_type type);
int toml_line(const struct toml_value *v);
int toml_column(const struct toml_value *v);

/* Number of keys of a table or elements of an array; 0 for scalars. */
size_t toml_count(const struct toml_value *v);

/*
 * The i-th key/value of a table, in document order (the order each key was
 * first defined).  key/key_len/key_line may be NULL.  Returns NULL when i is out
 * of range or v is not a table.  key_line is where the key itself was written.
 */
const struct toml_value *toml_table_at(const struct toml_value *v, size_t i, const char **key,
				       size_t *key_len, int *key_line);
/* Looks up a key (NUL-terminated; keys containing NUL cannot be looked up this way). */
const struct toml_value *toml_table_get(const struct toml_value *v, const char *key);
/* The i-th element of an array, or NULL. */
const struct toml_value *toml_array_at(const struct toml_value *v, size_t i);

/* Typed getters: return false (and leave outputs alone) when the type differs. */
bool toml_get_string(const struct toml_value *v, const char **s, size_t *len);
bool toml_get_int(const struct toml_value *v, int64_t *out);
bool toml_get_float(const struct toml_value *v, double *out);
bool toml_get_bool(const struct toml_value *v, bool *out);
/* Any of the four date/time types. */
bool toml_get_datetime(const struct toml_value *v, struct toml_datetime *out);

#endif
