/* SPDX-License-Identifier: MIT */
/*
 * emit_json_string must equal Go's encoding/json byte for byte (the encoder
 * the reference helpers answer with); emit_toml_string must give text that
 * src/toml.c reads back to the same bytes.
 */
#include <string.h>

#include "buf.h"
#include "emit.h"
#include "err.h"
#include "test.h"
#include "toml.h"

/* Checks emit_json_string(in[0..len)) == want. */
static void json_is(const char *in, size_t len, const char *want, int line)
{
	struct buf b = BUF_INIT;
	int r = emit_json_string(&b, in, len);

	if (r != 0 || !b.data || b.len != strlen(want) || memcmp(b.data, want, b.len) != 0) {
		fprintf(stderr, "%s:%d: emit_json_string: got %d \"%s\", want \"%s\"\n", __FILE__,
			line, r, b.data ? b.data : "(null)", want);
		test_failures++;
	}
	buf_finish(&b);
}

#define JSON(in, want) json_is(in, sizeof(in) - 1, want, __LINE__)

static void test_emit_json_plain(void)
{
	JSON("", "\"\"");
	JSON("ghcr.io", "\"ghcr.io\"");
	JSON("https://index.docker.io/v1/", "\"https://index.docker.io/v1/\"");
	JSON("a b'c/d", "\"a b'c/d\"");
}

static void test_emit_json_html_escapes(void)
{
	JSON("<token>", "\"\\u003ctoken\\u003e\"");
	JSON("a&b", "\"a\\u0026b\"");
	JSON("<>&", "\"\\u003c\\u003e\\u0026\"");
}

static void test_emit_json_quote_backslash(void)
{
	JSON("\"", "\"\\\"\"");
	JSON("\\", "\"\\\\\"");
	JSON("p\"w\\d", "\"p\\\"w\\\\d\"");
	/* Go never escapes '/'. */
	JSON("/", "\"/\"");
}

static void test_emit_json_control_chars(void)
{
	JSON("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	JSON("\x01", "\"\\u0001\"");
	JSON("\x1f", "\"\\u001f\"");
	JSON("\x1b[0m", "\"\\u001b[0m\"");
	JSON("\x0b", "\"\\u000b\"");
	/* A NUL inside the counted string. */
	json_is("a\0b", 3, "\"a\\u0000b\"", __LINE__);
	/* Lower-case hex, as Go writes it. */
	JSON("\x1a\x0e", "\"\\u001a\\u000e\"");
}

static void test_emit_json_del_raw(void)
{
	JSON("\x7f", "\"\x7f\"");
	JSON("a\x7f" "b", "\"a\x7f" "b\"");
}

static void test_emit_json_line_separators(void)
{
	JSON("\xe2\x80\xa8", "\"\\u2028\"");
	JSON("\xe2\x80\xa9", "\"\\u2029\"");
	JSON("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "\"a\\u2028b\\u2029c\"");
	/* Neighbours are ordinary characters. */
	JSON("\xe2\x80\xa7\xe2\x80\xaa", "\"\xe2\x80\xa7\xe2\x80\xaa\"");
}

static void test_emit_json_multibyte_raw(void)
{
	JSON("r\xc3\xa9sum\xc3\xa9", "\"r\xc3\xa9sum\xc3\xa9\"");
	JSON("\xe2\x82\xac", "\"\xe2\x82\xac\"");
	JSON("\xf0\x9f\x90\xb3", "\"\xf0\x9f\x90\xb3\"");
	JSON("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");
	/* A real U+FFFD is written as is, not escaped. */
	JSON("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");
}

static void test_emit_json_invalid_utf8(void)
{
	/* Go replaces each byte of a bad sequence with one \ufffd. */
	JSON("\xff", "\"\\ufffd\"");
	JSON("a\xfe" "b", "\"a\\ufffdb\"");
	JSON("\xc3", "\"\\ufffd\"");
	JSON("\xc3(", "\"\\ufffd(\"");
	JSON("\xe2\x82", "\"\\ufffd\\ufffd\"");
	JSON("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	JSON("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	JSON("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	JSON("\x80", "\"\\ufffd\"");
	JSON("\xf0\x9f\x90", "\"\\ufffd\\ufffd\\ufffd\"");
	JSON("\xc3\xa9\xff\xc3\xa9", "\"\xc3\xa9\\ufffd\xc3\xa9\"");
}

static void test_emit_json_appends(void)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "{\"Username\":");
	test_assert_int(emit_json_string(&b, "<token>", 7), 0);
	buf_putc(&b, '}');
	test_assert_str(b.data, "{\"Username\":\"\\u003ctoken\\u003e\"}");
	/* len is honoured: the rest of s is not read. */
	test_assert_int(emit_json_string(&b, "abcdef", 2), 0);
	test_assert_str(b.data, "{\"Username\":\"\\u003ctoken\\u003e\"}\"ab\"");
	buf_finish(&b);
}

/* Checks emit_toml_string(in[0..len)) == want. */
static void toml_is(const char *in, size_t len, const char *want, int line)
{
	struct buf b = BUF_INIT;
	int r = emit_toml_string(&b, in, len);

	if (r != 0 || !b.data || strcmp(b.data, want) != 0) {
		fprintf(stderr, "%s:%d: emit_toml_string: got %d \"%s\", want \"%s\"\n", __FILE__,
			line, r, b.data ? b.data : "(null)", want);
		test_failures++;
	}
	buf_finish(&b);
}

#define TOML(in, want) toml_is(in, sizeof(in) - 1, want, __LINE__)

static void test_emit_toml_escapes(void)
{
	TOML("", "\"\"");
	TOML("ghcr.io", "\"ghcr.io\"");
	TOML("\"", "\"\\\"\"");
	TOML("\\", "\"\\\\\"");
	TOML("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	TOML("\x01", "\"\\u0001\"");
	TOML("\x1f", "\"\\u001f\"");
	TOML("\x7f", "\"\\u007f\"");
	/* TOML needs no HTML escapes and keeps UTF-8 raw. */
	TOML("<token>&", "\"<token>&\"");
	TOML("\xc3\xa9\xe2\x80\xa8", "\"\xc3\xa9\xe2\x80\xa8\"");
	toml_is("a\0b", 3, "\"a\\u0000b\"", __LINE__);
}

/* Emits "k = <s>", parses it and checks the value is exactly s. */
static void toml_round_trip(const char *s, size_t len, int line)
{
	struct buf b = BUF_INIT;
	struct toml_value *root = NULL;
	struct toml_error terr;
	const char *got = NULL;
	size_t got_len = 0;
	int r = buf_puts(&b, "k = ");

	r = r ? r : emit_toml_string(&b, s, len);
	r = r ? r : buf_puts(&b, "\n");
	r = r ? r : toml_parse(b.data, b.len, &root, &terr);
	if (r != 0) {
		fprintf(stderr, "%s:%d: round trip: %d parsing %s (%d:%d: %s)\n", __FILE__, line, r,
			b.data ? b.data : "(null)", terr.line, terr.column, terr.msg);
		test_failures++;
	} else if (!toml_get_string(toml_table_get(root, "k"), &got, &got_len) || got_len != len ||
		   memcmp(got, s, len) != 0) {
		fprintf(stderr, "%s:%d: round trip of %s changed the value\n", __FILE__, line,
			b.data);
		test_failures++;
	}
	toml_free(root);
	buf_finish(&b);
}

#define ROUND_TRIP(s) toml_round_trip(s, sizeof(s) - 1, __LINE__)

static void test_emit_toml_round_trip(void)
{
	char all_ascii[128];

	ROUND_TRIP("");
	ROUND_TRIP("p@ss\"w\\rd");
	ROUND_TRIP("\\u0041 is not an escape here");
	ROUND_TRIP("\"\"\" and ''' and '");
	ROUND_TRIP("# not a comment");
	ROUND_TRIP("line1\nline2\r\n\ttab");
	ROUND_TRIP("\x01\x02\x1b\x1f\x7f");
	ROUND_TRIP("key = \"value\"\n[table]\n");
	ROUND_TRIP("r\xc3\xa9sum\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3 \xe2\x80\xa8");
	ROUND_TRIP("<token>");
	ROUND_TRIP("trailing backslash \\");
	toml_round_trip("nul\0inside", 10, __LINE__);
	/* Every ASCII byte, NUL included. */
	for (int i = 0; i < 128; i++)
		all_ascii[i] = (char)i;
	toml_round_trip(all_ascii, sizeof(all_ascii), __LINE__);
}

static const struct test emit_tests[] = {
	{"test_emit_json_plain", test_emit_json_plain},
	{"test_emit_json_html_escapes", test_emit_json_html_escapes},
	{"test_emit_json_quote_backslash", test_emit_json_quote_backslash},
	{"test_emit_json_control_chars", test_emit_json_control_chars},
	{"test_emit_json_del_raw", test_emit_json_del_raw},
	{"test_emit_json_line_separators", test_emit_json_line_separators},
	{"test_emit_json_multibyte_raw", test_emit_json_multibyte_raw},
	{"test_emit_json_invalid_utf8", test_emit_json_invalid_utf8},
	{"test_emit_json_appends", test_emit_json_appends},
	{"test_emit_toml_escapes", test_emit_toml_escapes},
	{"test_emit_toml_round_trip", test_emit_toml_round_trip},
};

TEST_MAIN(emit_tests)
