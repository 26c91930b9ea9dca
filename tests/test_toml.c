/* SPDX-License-Identifier: MIT */
#include "err.h"
#include "test.h"
#include "toml.h"

#include <math.h>
#include <stdint.h>

/* Parses text; a failure is reported and gives NULL. */
static struct toml_value *parse_len(const char *text, size_t len)
{
	struct toml_value *root = (struct toml_value *)1;
	struct toml_error error;
	char msg[300];
	int err = toml_parse(text, len, &root, &error);

	if (err) {
		toml_error_format(&error, msg, sizeof(msg));
		fprintf(stderr, "unexpected parse error %d: %s\n", err, msg);
		test_assert(root == NULL);
		test_failures++;
		return NULL;
	}
	test_assert(root != NULL);
	return root;
}

static struct toml_value *parse(const char *text)
{
	return parse_len(text, strlen(text));
}

/* Parses text that must fail with the given code and formatted message. */
static void check_error_len(const char *text, size_t len, int want_err, const char *want_msg)
{
	struct toml_value *root = (struct toml_value *)1;
	struct toml_error error;
	char msg[300];
	int err = toml_parse(text, len, &root, &error);

	toml_error_format(&error, msg, sizeof(msg));
	if (err != want_err)
		fprintf(stderr, "input %.60s: got %d (%s)\n", text, err, msg);
	test_assert_int(err, want_err);
	test_assert(root == NULL);
	test_assert_str(msg, want_msg);
	if (!err)
		toml_free(root);
}

static void check_error(const char *text, const char *want_msg)
{
	check_error_len(text, strlen(text), ERR_INVALID, want_msg);
}

static const struct toml_value *get(const struct toml_value *t, const char *key)
{
	const struct toml_value *v = toml_table_get(t, key);

	if (!v)
		fprintf(stderr, "no key %s\n", key);
	test_assert(v != NULL);
	return v;
}

static int64_t get_int(const struct toml_value *t, const char *key)
{
	int64_t i = -1;

	test_assert(toml_get_int(get(t, key), &i));
	return i;
}

static void test_toml_getters(void)
{
	struct toml_value *root = parse("s = 'str'\ni = -42\nf = 2.5\nb = true\n"
	                                "d = 1979-05-27\na = [1, 'x']\nt = {k = 1}\n");
	const char *s = NULL;
	size_t len = 0;
	int64_t i = 7;
	double f = 0;
	bool b = false;
	struct toml_datetime dt;

	if (!root)
		return;
	test_assert(toml_get_string(get(root, "s"), &s, &len));
	test_assert_str(s, "str");
	test_assert_int(len, 3);
	test_assert(toml_get_int(get(root, "i"), &i));
	test_assert_int(i, -42);
	test_assert(toml_get_float(get(root, "f"), &f) && f == 2.5);
	test_assert(toml_get_bool(get(root, "b"), &b) && b);
	test_assert(toml_get_datetime(get(root, "d"), &dt) && dt.year == 1979 && dt.day == 27);
	test_assert_int(toml_type(get(root, "a")), TOML_ARRAY);
	test_assert_int(toml_count(get(root, "a")), 2);
	test_assert_int(toml_type(toml_array_at(get(root, "a"), 1)), TOML_STRING);
	test_assert(toml_array_at(get(root, "a"), 2) == NULL);
	test_assert_int(get_int(get(root, "t"), "k"), 1);
	test_assert_int(toml_count(root), 7);
	test_assert_int(toml_count(get(root, "s")), 0);
	/* Wrong types: false, outputs untouched. */
	i = 7;
	test_assert(!toml_get_int(get(root, "s"), &i) && i == 7);
	test_assert(!toml_get_string(get(root, "i"), &s, &len));
	test_assert(!toml_get_float(get(root, "i"), &f));
	test_assert(!toml_get_bool(get(root, "s"), &b));
	test_assert(!toml_get_datetime(get(root, "s"), &dt));
	test_assert(toml_table_get(get(root, "a"), "x") == NULL);
	test_assert(toml_table_at(get(root, "s"), 0, NULL, NULL, NULL) == NULL);
	test_assert(toml_table_get(root, "missing") == NULL);
	toml_free(root);
}

static void test_toml_type_names(void)
{
	test_assert_str(toml_type_name(TOML_TABLE), "table");
	test_assert_str(toml_type_name(TOML_ARRAY), "array");
	test_assert_str(toml_type_name(TOML_STRING), "string");
	test_assert_str(toml_type_name(TOML_INTEGER), "integer");
	test_assert_str(toml_type_name(TOML_FLOAT), "float");
	test_assert_str(toml_type_name(TOML_BOOL), "boolean");
	test_assert_str(toml_type_name(TOML_DATETIME), "datetime");
	test_assert_str(toml_type_name(TOML_DATETIME_LOCAL), "datetime-local");
	test_assert_str(toml_type_name(TOML_DATE_LOCAL), "date-local");
	test_assert_str(toml_type_name(TOML_TIME_LOCAL), "time-local");
}

static void test_toml_document_order(void)
{
	static const char *const want[] = {"zeta", "alpha", "mid", "b", "a", "server"};
	struct toml_value *root = parse("zeta = 1\nalpha = 2\nmid.x = 3\nb = 4\n"
	                                "[a.b]\n[server]\n[a]\n");
	const char *key;
	size_t len;

	if (!root)
		return;
	test_assert_int(toml_count(root), 6);
	for (size_t i = 0; i < 6; i++) {
		test_assert(toml_table_at(root, i, &key, &len, NULL) != NULL);
		test_assert_str(key, want[i]);
		test_assert_int(len, strlen(want[i]));
	}
	test_assert(toml_table_at(root, 6, &key, NULL, NULL) == NULL);
	toml_free(root);
}

static void test_toml_positions(void)
{
	struct toml_value *root = parse("# comment\n"
	                                "name = \"x\"\n"
	                                "\n"
	                                "[server]\n"
	                                "  port  =  8080\n"
	                                "list = [\n"
	                                "  1,\n"
	                                "    {a = true}]\n"
	                                "ml = '''\n"
	                                "two\n"
	                                "lines'''\n"
	                                "after = 1\n");
	const struct toml_value *server, *list, *v;
	int key_line = 0;

	if (!root)
		return;
	v = toml_table_at(root, 0, NULL, NULL, &key_line);
	test_assert_int(key_line, 2);
	test_assert_int(toml_line(v), 2);
	test_assert_int(toml_column(v), 8);
	server = toml_table_at(root, 1, NULL, NULL, &key_line);
	test_assert_int(key_line, 4);
	test_assert_int(toml_line(server), 4);
	test_assert_int(toml_column(server), 1);
	v = toml_table_at(server, 0, NULL, NULL, &key_line);
	test_assert_int(key_line, 5);
	test_assert_int(toml_line(v), 5);
	test_assert_int(toml_column(v), 12);
	list = get(server, "list");
	test_assert_int(toml_line(list), 6);
	test_assert_int(toml_column(list), 8);
	test_assert_int(toml_line(toml_array_at(list, 0)), 7);
	test_assert_int(toml_column(toml_array_at(list, 0)), 3);
	v = toml_array_at(list, 1);
	test_assert_int(toml_line(v), 8);
	test_assert_int(toml_column(v), 5);
	test_assert_int(toml_column(get(v, "a")), 10);
	test_assert_int(toml_line(get(server, "ml")), 9);
	toml_table_at(server, 3, NULL, NULL, &key_line);
	test_assert_int(key_line, 12);
	test_assert_int(toml_line(get(server, "after")), 12);
	toml_free(root);
}

static void test_toml_positions_crlf_bom(void)
{
	struct toml_value *root = parse("\xef\xbb\xbf"
	                                "a = 1\r\n"
	                                "b = 2\r\n");

	if (!root)
		return;
	test_assert_int(toml_line(get(root, "a")), 1);
	test_assert_int(toml_column(get(root, "a")), 5);
	test_assert_int(toml_line(get(root, "b")), 2);
	test_assert_int(toml_column(get(root, "b")), 5);
	toml_free(root);
}

static void test_toml_error_messages(void)
{
	check_error("a = 1\nb = 2\nhostname: x\n", "3:9: expected '=' after key");
	check_error("[server]\nport = 1\n\n\n[server]\n", "5:1: table [server] defined twice");
	check_error("a = 1\nabc = 9223372036854775808\n", "2:7: integer out of range");
	check_error("a = 1\na = 2\n", "2:1: key a defined twice");
	check_error("x = \"abc\n", "1:5: unterminated string");
	check_error("x = '''abc\n\n", "1:5: unterminated multi-line string");
	check_error("x = [1 2]", "1:8: expected ',' or ']' after array element");
	check_error("x = {a = 1,}", "1:12: trailing comma not allowed in an inline table");
	check_error("x = {a = 1\n}", "1:11: newline not allowed in an inline table");
	check_error("x = 1 y = 2", "1:7: expected a newline after value");
	check_error("[a] b", "1:5: expected a newline after table header");
	check_error("x =\n", "1:4: expected a value");
	check_error("x = \"\\q\"", "1:6: invalid escape sequence '\\q'");
	check_error("x = \"\\uD800\"", "1:6: escape \\uD800 is not a Unicode scalar value");
	check_error("x = \"\\U00110000\"", "1:6: escape \\U00110000 is not a Unicode scalar value");
	check_error("x = 1979-02-29", "1:13: day out of range for the month");
	check_error("x = 24:00:00", "1:5: hour out of range");
	check_error("x = 012", "1:5: leading zeros are not allowed");
	check_error("x = 1e400", "1:5: float out of range");
	check_error("x = +0x10",
	            "1:5: a sign is not allowed on hexadecimal, octal or binary integers");
	check_error("\"a\tb\".c = 1\n\"a\tb\".c = 2", "2:7: key \"a\\u0009b\".c defined twice");
}

static void test_toml_error_format(void)
{
	struct toml_error error = {0, 0, "out of memory"};
	char buf[64];

	toml_error_format(&error, buf, sizeof(buf));
	test_assert_str(buf, "out of memory");
	error = (struct toml_error){12, 3, "bad"};
	toml_error_format(&error, buf, sizeof(buf));
	test_assert_str(buf, "12:3: bad");
	toml_error_format(&error, buf, 4);
	test_assert_str(buf, "12:");
}

static void test_toml_int64_limits(void)
{
	struct toml_value *root =
	    parse("max = 9223372036854775807\n"
	          "min = -9223372036854775808\n"
	          "hex = 0x7FFF_FFFF_FFFF_FFFF\n"
	          "oct = 0o777777777777777777777\n"
	          "bin = 0b111111111111111111111111111111111111111111111111111111111111111\n"
	          "zero = -0\n");

	if (!root)
		return;
	test_assert(get_int(root, "max") == INT64_MAX);
	test_assert(get_int(root, "min") == INT64_MIN);
	test_assert(get_int(root, "hex") == INT64_MAX);
	test_assert(get_int(root, "oct") == INT64_MAX);
	test_assert(get_int(root, "bin") == INT64_MAX);
	test_assert(get_int(root, "zero") == 0);
	toml_free(root);
	check_error("x = 9223372036854775808", "1:5: integer out of range");
	check_error("x = -9223372036854775809", "1:5: integer out of range");
	check_error("x = 99999999999999999999999", "1:5: integer out of range");
	check_error("x = 0x8000000000000000", "1:5: integer out of range");
	check_error("x = 0o1000000000000000000000", "1:5: integer out of range");
	check_error("x = 0b1000000000000000000000000000000000000000000000000000000000000000",
	            "1:5: integer out of range");
	check_error("x = 1__0", "1:5: invalid number");
	check_error("x = 0x", "1:5: invalid hexadecimal integer");
}

static void test_toml_floats(void)
{
	struct toml_value *root = parse("a = +inf\nb = -inf\nc = nan\nd = -0.0\ne = 6.626e-34\n"
	                                "f = 1_000.5\ng = 1e-400\n");
	double f = 0;

	if (!root)
		return;
	test_assert(toml_get_float(get(root, "a"), &f) && isinf(f) && f > 0);
	test_assert(toml_get_float(get(root, "b"), &f) && isinf(f) && f < 0);
	test_assert(toml_get_float(get(root, "c"), &f) && isnan(f));
	test_assert(toml_get_float(get(root, "d"), &f) && f == 0 && signbit(f));
	test_assert(toml_get_float(get(root, "e"), &f) && f == 6.626e-34);
	test_assert(toml_get_float(get(root, "f"), &f) && f == 1000.5);
	test_assert(toml_get_float(get(root, "g"), &f) && f == 0);
	toml_free(root);
	check_error("x = 1.", "1:5: invalid float: expected digits after '.'");
	check_error("x = .5", "1:5: invalid number");
	check_error("x = 1e", "1:5: invalid float: expected digits in exponent");
}

static void test_toml_datetimes(void)
{
	struct toml_value *root = parse("odt = 1979-05-27T00:32:00.999999999-07:30\n"
	                                "ldt = 2000-02-29 23:59:60.5\n"
	                                "ld = 2024-02-29\n"
	                                "lt = 07:32:00.1234567891\n"
	                                "z = 1979-05-27t07:32:00z\n");
	struct toml_datetime dt;

	if (!root)
		return;
	test_assert_int(toml_type(get(root, "odt")), TOML_DATETIME);
	test_assert(toml_get_datetime(get(root, "odt"), &dt));
	test_assert_int(dt.year, 1979);
	test_assert_int(dt.minute, 32);
	test_assert_int(dt.nanosecond, 999999999);
	test_assert_int(dt.offset_minutes, -450);
	test_assert_int(toml_type(get(root, "ldt")), TOML_DATETIME_LOCAL);
	test_assert(toml_get_datetime(get(root, "ldt"), &dt));
	test_assert_int(dt.second, 60);
	test_assert_int(dt.nanosecond, 500000000);
	test_assert_int(toml_type(get(root, "ld")), TOML_DATE_LOCAL);
	test_assert_int(toml_type(get(root, "lt")), TOML_TIME_LOCAL);
	test_assert(toml_get_datetime(get(root, "lt"), &dt));
	test_assert_int(dt.nanosecond, 123456789);
	test_assert_int(dt.year, 0);
	test_assert(toml_get_datetime(get(root, "z"), &dt) && dt.offset_minutes == 0);
	toml_free(root);
	check_error("x = 1900-02-29", "1:13: day out of range for the month");
	check_error("x = 2023-02-29", "1:13: day out of range for the month");
	check_error("x = 2023-04-31", "1:13: day out of range for the month");
	check_error("x = 2023-13-01", "1:10: month out of range");
	check_error("x = 12:60:00", "1:8: minute out of range");
	check_error("x = 12:00:61", "1:11: second out of range");
	check_error("x = 12:00", "1:5: invalid time: expected HH:MM:SS");
	check_error("x = 12:00:00Z", "1:13: invalid date or time");
	check_error("x = 2023-01-01T12:00:00+24:00", "1:24: time offset out of range");
}

static void test_toml_strings(void)
{
	struct toml_value *root = parse("a = \"\\b\\t\\n\\f\\r\\\"\\\\\\u00e9\\U0001F600\"\n"
	                                "b = \"\"\"\n  one \\\n    two\"\"\"\n"
	                                "c = '''\r\nraw \\n\r\n'''\n"
	                                "d = \"\"\"q\"\"\"\"\"\n"
	                                "e = 'tab\there'\n");
	const char *s;
	size_t len;

	if (!root)
		return;
	test_assert(toml_get_string(get(root, "a"), &s, &len));
	test_assert_str(s, "\b\t\n\f\r\"\\\xc3\xa9\xf0\x9f\x98\x80");
	test_assert(toml_get_string(get(root, "b"), &s, &len));
	test_assert_str(s, "  one two");
	test_assert(toml_get_string(get(root, "c"), &s, &len));
	test_assert_str(s, "raw \\n\n");
	test_assert(toml_get_string(get(root, "d"), &s, &len));
	test_assert_str(s, "q\"\"");
	test_assert(toml_get_string(get(root, "e"), &s, &len));
	test_assert_str(s, "tab\there");
	toml_free(root);
	check_error("x = \"\"\"a\"\"\"\"\"\"", "1:14: too many quotes closing a multi-line string");
	check_error("\"\"\"k\"\"\" = 1", "1:1: a key cannot be a multi-line string");
}

static void test_toml_nul_in_key(void)
{
	static const char text[] = "\"a\\u0000b\" = 1\n\"\" = 2\n";
	struct toml_value *root = parse(text);
	const char *key;
	size_t len;

	if (!root)
		return;
	test_assert(toml_table_at(root, 0, &key, &len, NULL) != NULL);
	test_assert_int(len, 3);
	test_assert(memcmp(key, "a\0b", 4) == 0);
	test_assert(toml_table_get(root, "a") == NULL);
	test_assert(toml_table_at(root, 1, &key, &len, NULL) != NULL);
	test_assert_int(len, 0);
	test_assert_int(get_int(root, ""), 2);
	toml_free(root);
}

/* Fuzzing regression: an empty key before any other used a NULL buffer. */
static void test_toml_empty_first_key(void)
{
	struct toml_value *root = parse("'' = \"blank\"\n");
	const char *key = NULL;
	size_t len = 1;

	if (!root)
		return;
	test_assert(toml_table_at(root, 0, &key, &len, NULL) != NULL);
	test_assert_str(key, "");
	test_assert_int(len, 0);
	toml_free(root);
	root = parse("a = ''\n");
	test_assert(root && toml_get_string(get(root, "a"), &key, &len) && len == 0);
	test_assert_str(key, "");
	toml_free(root);
}

static void test_toml_string_with_nul(void)
{
	struct toml_value *root = parse("s = \"x\\u0000y\"");
	const char *s;
	size_t len;

	if (!root)
		return;
	test_assert(toml_get_string(get(root, "s"), &s, &len));
	test_assert_int(len, 3);
	test_assert(memcmp(s, "x\0y", 4) == 0);
	toml_free(root);
}

static void test_toml_input_hygiene(void)
{
	check_error_len("a = 1\0\n", 7, ERR_INVALID, "1:6: NUL byte not allowed");
	check_error_len("a = \"\0\"", 7, ERR_INVALID, "1:6: NUL byte not allowed");
	check_error("a = 1\rb = 2", "1:6: carriage return without line feed");
	check_error("a = \"\x01\"", "1:6: control character U+0001 not allowed");
	check_error("# \x7f\n", "1:3: control character U+007F not allowed");
	check_error("a = \"\xc0\xaf\"", "1:6: invalid UTF-8");         /* overlong '/' */
	check_error("a = \"\xe0\x80\xaf\"", "1:6: invalid UTF-8");     /* overlong */
	check_error("a = \"\xed\xa0\x80\"", "1:6: invalid UTF-8");     /* surrogate */
	check_error("a = \"\xf4\x90\x80\x80\"", "1:6: invalid UTF-8"); /* > U+10FFFF */
	check_error("a = \"\xe2\x82\"", "1:6: invalid UTF-8");         /* truncated */
	check_error("a = 1\n\xef\xbb\xbf", "2:1: expected a key");     /* BOM not at start */
	toml_free(parse("\xef\xbb\xbf"));
	toml_free(parse(""));
	toml_free(parse_len(NULL, 0));
	toml_free(
	    parse("a = \"\xf4\x8f\xbf\xbf \xed\x9f\xbf \xee\x80\x80\"\r\n# \xef\xbb\xbf\t\n"));
}

static void test_toml_redefinitions(void)
{
	check_error("[a]\n[a]", "2:1: table [a] defined twice");
	check_error("[a.b]\n[a]\n[a]", "3:1: table [a] defined twice");
	check_error("a = {}\n[a]", "2:1: cannot define table [a]: it is an inline table (line 1)");
	check_error("a = {b = 1}\na.c = 2",
	            "2:1: cannot add to a with dotted keys: it is an inline table (line 1)");
	check_error("a = {b = {}}\n[a.b.c]",
	            "2:2: cannot extend a: it is an inline table (line 1)");
	check_error("a = [1]\n[[a]]",
	            "2:1: cannot define array of tables [[a]]: it is a static array (line 1)");
	check_error("a = [{}]\n[a.b]", "2:2: cannot extend a: it is a static array (line 1)");
	check_error(
	    "[x]\na.b.c = 1\n[x.a.b]",
	    "3:1: cannot define table [x.a.b]: it is a table defined by dotted keys (line 2)");
	check_error(
	    "[a.b.c]\n[a]\nb.c.d = 1",
	    "3:3: cannot add to b.c with dotted keys: it is a table defined by a header (line 1)");
	check_error(
	    "[a.b.c]\n[a]\nb.d = 1\n[a.b]",
	    "4:1: cannot define table [a.b]: it is a table defined by dotted keys (line 1)");
	check_error(
	    "[a.b]\nc = 1\n[a]\nb.d = 1",
	    "4:1: cannot add to b with dotted keys: it is a table defined by a header (line 1)");
	check_error("a.b = 1\na.b.c = 2",
	            "2:3: cannot add to a.b with dotted keys: it is an integer (line 1)");
	check_error("a = 1\n[a.b]", "2:2: cannot extend a: it is an integer (line 1)");
	check_error("[[a]]\n[a]",
	            "2:1: cannot define table [a]: it is an array of tables (line 1)");
	check_error("x = {a.b = 1, a = 2}", "1:15: key a defined twice");
	toml_free(parse("[a.b.c]\n[a]\nd = 1\n[a.b]\ne = 1\n"));
	toml_free(parse("[a.b.c]\n[a]\nb.d = 1\nb.e.f = 2\n[a.b.e.g]\n"));
	toml_free(parse("x.y = 1\n[x.z]\n[[x.w]]\n[[x.w]]\n[x.w.v]\n"));
	toml_free(parse("a = {b.c = 1, b.d = 2}\n"));
}

static void test_toml_arrays_of_tables(void)
{
	struct toml_value *root = parse("[[route]]\nname = 'a'\n[route.opts]\nx = 1\n"
	                                "[[route]]\nname = 'b'\n[[route.match]]\nhost = 'h'\n");
	const struct toml_value *routes;

	if (!root)
		return;
	routes = get(root, "route");
	test_assert_int(toml_count(routes), 2);
	test_assert_int(get_int(get(toml_array_at(routes, 0), "opts"), "x"), 1);
	test_assert_int(toml_count(get(toml_array_at(routes, 1), "match")), 1);
	test_assert_int(toml_line(toml_array_at(routes, 1)), 5);
	toml_free(root);
}

/* depth opening brackets, one value, depth closing brackets. */
static char *nested(const char *prefix, int depth, char open, const char *inner, char close)
{
	size_t plen = strlen(prefix), ilen = strlen(inner);
	char *text = malloc(plen + ilen + 2 * (size_t)depth + 1);

	if (!text)
		abort();
	memcpy(text, prefix, plen);
	memset(text + plen, open, (size_t)depth);
	memcpy(text + plen + depth, inner, ilen);
	memset(text + plen + depth + ilen, close, (size_t)depth);
	text[plen + ilen + 2 * (size_t)depth] = '\0';
	return text;
}

static void test_toml_nesting_limit(void)
{
	char *ok = nested("x = ", TOML_MAX_DEPTH, '[', "1", ']');
	char *deep = nested("x = ", TOML_MAX_DEPTH + 1, '[', "1", ']');
	char *hostile = nested("x = ", 100000, '[', "", ']');
	struct toml_value *root = parse(ok);
	const struct toml_value *v = root ? get(root, "x") : NULL;
	int depth = 0;

	while (v && toml_type(v) == TOML_ARRAY) {
		v = toml_array_at(v, 0);
		depth++;
	}
	test_assert_int(depth, TOML_MAX_DEPTH);
	toml_free(root);
	check_error_len(deep, strlen(deep), ERR_LIMIT, "1:133: nesting deeper than 128");
	check_error_len(hostile, strlen(hostile), ERR_LIMIT, "1:133: nesting deeper than 128");
	free(ok);
	free(deep);
	free(hostile);
}

static void test_toml_nesting_limit_tables(void)
{
	char inline_ok[8 * TOML_MAX_DEPTH] = "x = ", inline_deep[8 * TOML_MAX_DEPTH + 16];
	char header[2 * TOML_MAX_DEPTH + 8] = "[a";

	/* x = {k = {k = ... {} ... }} with TOML_MAX_DEPTH tables, then one more. */
	for (int i = 1; i < TOML_MAX_DEPTH; i++)
		strcat(inline_ok, "{k = ");
	strcat(inline_ok, "{}");
	for (int i = 1; i < TOML_MAX_DEPTH; i++)
		strcat(inline_ok, "}");
	snprintf(inline_deep, sizeof(inline_deep), "x = {k = %s}", inline_ok + 4);
	toml_free(parse(inline_ok));
	check_error_len(inline_deep, strlen(inline_deep), ERR_LIMIT,
	                "1:645: nesting deeper than 128");
	/* [a.a. ... .a] with TOML_MAX_DEPTH parts, then one more. */
	for (int i = 1; i < TOML_MAX_DEPTH; i++)
		strcat(header, ".a");
	strcat(header, "]");
	toml_free(parse(header));
	header[strlen(header) - 1] = '\0';
	strcat(header, ".a]");
	check_error_len(header, strlen(header), ERR_LIMIT, "1:258: nesting deeper than 128");
	/* [[a. ... .a]]: the array of tables itself is one level, each table another. */
	header[strlen(header) - 5] = '\0';
	memmove(header + 1, header, strlen(header) + 1);
	strcat(header, "]]");
	toml_free(parse(header));
	header[strlen(header) - 2] = '\0';
	strcat(header, ".a]]");
	check_error_len(header, strlen(header), ERR_LIMIT, "1:1: nesting deeper than 128");
}

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		*cap = (*cap + n + 1) * 2;
		*buf = realloc(*buf, *cap);
		if (!*buf)
			abort();
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

/* Not timed: a quadratic parser would take minutes here instead of milliseconds. */
static void test_toml_big_documents(void)
{
	char *text = NULL, line[96];
	size_t len = 0, cap = 0;
	struct toml_value *root;

	for (int i = 0; i < 10000; i++) {
		snprintf(line, sizeof(line),
		         "[[route]]\nmatch = ['h%d', '*.d%d']\nbackend = 'env'\n", i, i);
		append(&text, &len, &cap, line);
	}
	append(&text, &len, &cap, "[big]\n");
	for (int i = 0; i < 100000; i++) {
		snprintf(line, sizeof(line), "key%d = %d\n", i, i);
		append(&text, &len, &cap, line);
	}
	root = parse_len(text, len);
	if (root) {
		test_assert_int(toml_count(get(root, "route")), 10000);
		test_assert_int(toml_count(get(root, "big")), 100000);
		test_assert_int(get_int(get(root, "big"), "key99999"), 99999);
		test_assert_int(get_int(get(root, "big"), "key0"), 0);
		test_assert(toml_table_get(get(root, "big"), "key100000") == NULL);
	}
	toml_free(root);
	append(&text, &len, &cap, "key500 = 1\n");
	check_error_len(text, len, ERR_INVALID, "130002:1: key key500 defined twice");
	free(text);
}

static void test_toml_free_null(void)
{
	toml_free(NULL);
}

static const struct test toml_tests[] = {
    {"test_toml_getters", test_toml_getters},
    {"test_toml_type_names", test_toml_type_names},
    {"test_toml_document_order", test_toml_document_order},
    {"test_toml_positions", test_toml_positions},
    {"test_toml_positions_crlf_bom", test_toml_positions_crlf_bom},
    {"test_toml_error_messages", test_toml_error_messages},
    {"test_toml_error_format", test_toml_error_format},
    {"test_toml_int64_limits", test_toml_int64_limits},
    {"test_toml_floats", test_toml_floats},
    {"test_toml_datetimes", test_toml_datetimes},
    {"test_toml_strings", test_toml_strings},
    {"test_toml_nul_in_key", test_toml_nul_in_key},
    {"test_toml_empty_first_key", test_toml_empty_first_key},
    {"test_toml_string_with_nul", test_toml_string_with_nul},
    {"test_toml_input_hygiene", test_toml_input_hygiene},
    {"test_toml_redefinitions", test_toml_redefinitions},
    {"test_toml_arrays_of_tables", test_toml_arrays_of_tables},
    {"test_toml_nesting_limit", test_toml_nesting_limit},
    {"test_toml_nesting_limit_tables", test_toml_nesting_limit_tables},
    {"test_toml_big_documents", test_toml_big_documents},
    {"test_toml_free_null", test_toml_free_null},
};

TEST_MAIN(toml_tests)
