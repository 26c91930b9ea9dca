/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the TOML parser.  Every input must either parse or fail
 * with a message; a parsed tree is walked in full, checking its invariants, so
 * that the sanitizers see every node.
 */
#include "err.h"
#include "toml.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static void walk(const struct toml_value *v, int depth);

static void walk_table(const struct toml_value *t, int depth)
{
	const char *key;
	size_t len;

	for (size_t i = 0; i < toml_count(t); i++) {
		const struct toml_value *child = toml_table_at(t, i, &key, &len, NULL);
		check(child && key[len] == '\0');
		/* Keys without a NUL inside can be looked up, and find this child. */
		check(strlen(key) != len || toml_table_get(t, key) == child);
		walk(child, depth + 1);
	}
	check(toml_table_at(t, toml_count(t), NULL, NULL, NULL) == NULL);
}

static void walk(const struct toml_value *v, int depth)
{
	const char *s;
	size_t len;

	check(depth <= TOML_MAX_DEPTH + 1);
	check(toml_line(v) >= 1 && toml_column(v) >= 1);
	if (toml_get_string(v, &s, &len))
		check(s[len] == '\0');
	if (toml_type(v) == TOML_TABLE) {
		walk_table(v, depth);
		return;
	}
	for (size_t i = 0; i < toml_count(v); i++)
		walk(toml_array_at(v, i), depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_value *root = NULL;
	struct toml_error error;
	char msg[300];
	int err = toml_parse((const char *)data, size, &root, &error);

	if (err == 0) {
		walk(root, 0);
		toml_free(root);
		return 0;
	}
	check(root == NULL);
	check(err == ERR_INVALID || err == ERR_LIMIT || err == ERR_NOMEM);
	check(error.msg[0] != '\0' && strchr(error.msg, '\n') == NULL);
	check(err == ERR_NOMEM || (error.line >= 1 && error.column >= 1));
	toml_error_format(&error, msg, sizeof(msg));
	return 0;
}
