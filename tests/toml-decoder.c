/* SPDX-License-Identifier: MIT */
/*
 * toml-test decoder: TOML on stdin, tagged JSON on stdout (format in
 * tests/data/toml-test/README.md).  Valid input exits 0 with nothing on
 * stderr; invalid input exits 1 with one line on stderr.
 */
#include "toml.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_value(const struct toml_value *v);

static int read_all(FILE *f, char **data, size_t *len)
{
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap), *grown;

	if (!buf)
		return -1;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n < cap)
			continue;
		grown = realloc(buf, cap * 2);
		if (!grown) {
			free(buf);
			return -1;
		}
		buf = grown;
		cap *= 2;
	}
	if (ferror(f)) {
		free(buf);
		return -1;
	}
	*data = buf;
	*len = n;
	return 0;
}

static void print_json_string(const char *s, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_leaf(const char *type, const char *value)
{
	printf("{\"type\":\"%s\",\"value\":", type);
	print_json_string(value, strlen(value));
	putchar('}');
}

/* Shortest "%.Ng" that reads back as the same double. */
static void format_float(double d, char *buf, size_t size)
{
	if (isnan(d)) {
		snprintf(buf, size, "nan");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, size, d < 0 ? "-inf" : "inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static size_t format_time(const struct toml_datetime *dt, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%02d:%02d:%02d", dt->hour, dt->minute, dt->second);

	if (dt->nanosecond == 0)
		return (size_t)n;
	if (dt->nanosecond % 1000000 == 0)
		n += snprintf(buf + n, size - (size_t)n, ".%03d", dt->nanosecond / 1000000);
	else
		n += snprintf(buf + n, size - (size_t)n, ".%09d", dt->nanosecond);
	return (size_t)n;
}

static void print_datetime(const struct toml_value *v)
{
	struct toml_datetime dt;
	char buf[64];
	size_t n = 0;
	int off;

	toml_get_datetime(v, &dt);
	if (toml_type(v) != TOML_TIME_LOCAL)
		n +=
		    (size_t)snprintf(buf, sizeof(buf), "%04d-%02d-%02d", dt.year, dt.month, dt.day);
	if (toml_type(v) == TOML_DATETIME || toml_type(v) == TOML_DATETIME_LOCAL)
		buf[n++] = 'T';
	if (toml_type(v) != TOML_DATE_LOCAL)
		n += format_time(&dt, buf + n, sizeof(buf) - n);
	off = dt.offset_minutes;
	if (toml_type(v) == TOML_DATETIME && off == 0)
		snprintf(buf + n, sizeof(buf) - n, "Z");
	else if (toml_type(v) == TOML_DATETIME)
		snprintf(buf + n, sizeof(buf) - n, "%c%02d:%02d", off < 0 ? '-' : '+',
		         abs(off) / 60, abs(off) % 60);
	print_leaf(toml_type_name(toml_type(v)), buf);
}

static void print_table(const struct toml_value *v)
{
	const char *key;
	size_t key_len;

	putchar('{');
	for (size_t i = 0; i < toml_count(v); i++) {
		const struct toml_value *item = toml_table_at(v, i, &key, &key_len, NULL);
		if (i)
			putchar(',');
		print_json_string(key, key_len);
		putchar(':');
		print_value(item);
	}
	putchar('}');
}

static void print_array(const struct toml_value *v)
{
	putchar('[');
	for (size_t i = 0; i < toml_count(v); i++) {
		if (i)
			putchar(',');
		print_value(toml_array_at(v, i));
	}
	putchar(']');
}

static void print_value(const struct toml_value *v)
{
	char buf[64];
	const char *s;
	size_t len;
	int64_t i;
	double d;
	bool b;

	if (toml_type(v) == TOML_TABLE) {
		print_table(v);
	} else if (toml_type(v) == TOML_ARRAY) {
		print_array(v);
	} else if (toml_get_string(v, &s, &len)) {
		printf("{\"type\":\"string\",\"value\":");
		print_json_string(s, len);
		putchar('}');
	} else if (toml_get_int(v, &i)) {
		snprintf(buf, sizeof(buf), "%" PRId64, i);
		print_leaf("integer", buf);
	} else if (toml_get_float(v, &d)) {
		format_float(d, buf, sizeof(buf));
		print_leaf("float", buf);
	} else if (toml_get_bool(v, &b)) {
		print_leaf("bool", b ? "true" : "false");
	} else {
		print_datetime(v);
	}
}

int main(void)
{
	struct toml_value *root;
	struct toml_error error;
	char *data, msg[512];
	size_t len;

	if (read_all(stdin, &data, &len) < 0) {
		fprintf(stderr, "toml-decoder: cannot read standard input\n");
		return 2;
	}
	if (toml_parse(data, len, &root, &error) < 0) {
		toml_error_format(&error, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		free(data);
		return 1;
	}
	print_value(root);
	putchar('\n');
	toml_free(root);
	free(data);
	return fflush(stdout) == 0 ? 0 : 2;
}
