/* SPDX-License-Identifier: MIT */
/*
 * Values written without quotes or brackets: booleans, integers in four bases,
 * floats (converted in the C locale), and dates and times.
 */
#include "toml_impl.h"

#include "err.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
			return toml_fail(p, s, ERR_INVALID, "integer out of range");
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
			return toml_nomem(p);
	}
	p->str.len = 0;
	for (const char *q = s; q < e; q++) {
		err = *q == '_' ? 0 : toml_buf_add(p, &p->str, q, 1);
		if (err)
			return err;
	}
	err = toml_buf_add(p, &p->str, "", 1);
	if (err)
		return err;
	*out = strtod_l(p->str.data, &end, p->c_locale);
	if (end != p->str.data + p->str.len - 1)
		return toml_fail(p, s, ERR_INVALID, "invalid float");
	if (isinf(*out))
		return toml_fail(p, s, ERR_INVALID, "float out of range");
	return 0;
}

static int parse_decimal(struct parser *p, const char *s, const char *q, const char *e,
                         struct toml_value *v)
{
	const char *d = scan_digits(q, e, 10);
	bool is_float = false;

	if (!d)
		return toml_fail(p, s, ERR_INVALID, "invalid number");
	if (*q == '0' && d - q > 1)
		return toml_fail(p, s, ERR_INVALID, "leading zeros are not allowed");
	if (d < e && *d == '.') {
		is_float = true;
		d = scan_digits(d + 1, e, 10);
		if (!d)
			return toml_fail(p, s, ERR_INVALID,
			                 "invalid float: expected digits after '.'");
	}
	if (d < e && (*d == 'e' || *d == 'E')) {
		is_float = true;
		d += d + 1 < e && (d[1] == '+' || d[1] == '-') ? 2 : 1;
		d = scan_digits(d, e, 10);
		if (!d)
			return toml_fail(p, s, ERR_INVALID,
			                 "invalid float: expected digits in exponent");
	}
	if (d != e)
		return toml_fail(p, s, ERR_INVALID, "invalid number");
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
		return toml_fail(p, s, ERR_INVALID,
		                 "a sign is not allowed on hexadecimal, octal or binary integers");
	if (scan_digits(q + 2, e, base) != e)
		return toml_fail(p, s, ERR_INVALID, "invalid %s integer",
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
		return toml_fail(p, s, ERR_INVALID, "invalid date: expected YYYY-MM-DD");
	read_digits(s, p->end, 4, &dt->year);
	read_digits(s + 5, p->end, 2, &dt->month);
	read_digits(s + 8, p->end, 2, &dt->day);
	if (dt->month < 1 || dt->month > 12)
		return toml_fail(p, s + 5, ERR_INVALID, "month out of range");
	if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
		return toml_fail(p, s + 8, ERR_INVALID, "day out of range for the month");
	p->p += 10;
	return 0;
}

/* ".digits": nanoseconds, truncated. */
static int parse_fraction(struct parser *p, struct toml_datetime *dt)
{
	int n = 0;

	p->p++;
	if (!is_digit(peek(p)))
		return toml_fail(p, p->p, ERR_INVALID, "invalid time: expected digits after '.'");
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
		return toml_fail(p, s, ERR_INVALID, "invalid time: expected HH:MM:SS");
	read_digits(s, p->end, 2, &dt->hour);
	read_digits(s + 3, p->end, 2, &dt->minute);
	read_digits(s + 6, p->end, 2, &dt->second);
	if (dt->hour > 23)
		return toml_fail(p, s, ERR_INVALID, "hour out of range");
	if (dt->minute > 59)
		return toml_fail(p, s + 3, ERR_INVALID, "minute out of range");
	if (dt->second > 60)
		return toml_fail(p, s + 6, ERR_INVALID, "second out of range");
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
		return toml_fail(p, s, ERR_INVALID, "invalid time offset: expected Z or +HH:MM");
	read_digits(s + 1, p->end, 2, &hours);
	read_digits(s + 4, p->end, 2, &minutes);
	if (hours > 23 || minutes > 59)
		return toml_fail(p, s, ERR_INVALID, "time offset out of range");
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
int toml_parse_bare_value(struct parser *p, struct toml_value *v)
{
	const char *s = p->p, *e = s;
	int err;

	while (e < p->end && is_token((unsigned char)*e))
		e++;
	if (e == s)
		return toml_fail(p, s, ERR_INVALID, "expected a value");
	if (word_is(s, e, "true") || word_is(s, e, "false")) {
		v->type = TOML_BOOL;
		v->u.boolean = *s == 't';
		p->p = e;
		return 0;
	}
	if (pattern_at(s, e, "9999-") || pattern_at(s, e, "99:")) {
		err = parse_datetime(p, v);
		if (!err && is_token(peek(p)))
			err = toml_fail(p, p->p, ERR_INVALID, "invalid date or time");
		return err;
	}
	p->p = e;
	return parse_number(p, s, e, v);
}
