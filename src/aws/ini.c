/* SPDX-License-Identifier: MIT */
/*
 * AWS shared config/credentials files (the format is described in ini.h).
 * The whole file is copied once, split into lines in place, and every
 * setting becomes an entry (section, key, sub-key, value); lookups walk the
 * entries backwards so that the last value wins.
 */
#include "aws/ini.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fileio.h"
#include "wipe.h"

#define INI_MAX_SIZE (1024u * 1024u)
#define KIND_IGNORED (-1) /* a config section that is not a profile, session or service */

struct section {
	char *name;
	int kind;      /* enum aws_ini_kind or KIND_IGNORED */
	bool prefixed; /* "[profile x]" rather than "[x]" */
};

struct entry {
	size_t section;
	char *key;
	char *sub; /* NULL for a top-level setting */
	char *value;
};

struct aws_ini {
	struct section *sections;
	size_t nsections, sections_cap;
	struct entry *entries;
	size_t nentries, entries_cap;
};

struct parser {
	struct aws_ini *ini;
	const char *path;
	enum aws_ini_file file;
	size_t line_no;
	bool in_section; /* a header was seen */
	bool have_key;   /* the last setting may be continued by indented lines */
	bool nested;     /* ... and they are sub-settings */
	size_t key_entry;
	struct errbuf *eb;
};

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	return s;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Cuts an inline comment: '#' or ';' preceded by whitespace. */
static void strip_comment(char *value)
{
	for (char *q = value; *q; q++) {
		if ((*q == '#' || *q == ';') && q > value && (q[-1] == ' ' || q[-1] == '\t')) {
			*q = '\0';
			return;
		}
	}
}

static int parse_error(struct parser *p, const char *what)
{
	return errbuf_set(p->eb, ERR_CONFIG, "%s:%zu: %s", p->path, p->line_no, what);
}

static int grow(void **array, size_t *cap, size_t count, size_t size)
{
	size_t ncap;
	void *n;

	if (count < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	n = realloc(*array, ncap * size);
	if (!n)
		return ERR_NOMEM;
	*array = n;
	*cap = ncap;
	return 0;
}

static int add_section(struct parser *p, const char *name, int kind, bool prefixed)
{
	struct aws_ini *ini = p->ini;
	struct section *s;

	if (grow((void **)&ini->sections, &ini->sections_cap, ini->nsections, sizeof(*s)) < 0)
		return ERR_NOMEM;
	s = &ini->sections[ini->nsections];
	s->name = strdup(name);
	if (!s->name)
		return ERR_NOMEM;
	s->kind = kind;
	s->prefixed = prefixed;
	ini->nsections++;
	p->in_section = true;
	return 0;
}

static int add_entry(struct parser *p, const char *key, const char *sub, const char *value)
{
	struct aws_ini *ini = p->ini;
	struct entry *e;

	if (grow((void **)&ini->entries, &ini->entries_cap, ini->nentries, sizeof(*e)) < 0)
		return ERR_NOMEM;
	e = &ini->entries[ini->nentries];
	memset(e, 0, sizeof(*e));
	e->section = ini->nsections - 1;
	e->key = strdup(key);
	e->sub = sub ? strdup(sub) : NULL;
	e->value = strdup(value);
	ini->nentries++; /* counted even when incomplete, so that destroy frees it */
	if (!e->key || (sub && !e->sub) || !e->value)
		return ERR_NOMEM;
	return 0;
}

/* "profile NAME" -> NAME when s starts with word and a blank; else NULL. */
static char *after_word(char *s, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(s, word, n) != 0 || (s[n] != ' ' && s[n] != '\t'))
		return NULL;
	return trim(s + n);
}

static int section_kind(struct parser *p, char *name, bool *prefixed, char **out)
{
	char *rest;

	*prefixed = false;
	*out = name;
	if (p->file == AWS_INI_CREDENTIALS || strcmp(name, "default") == 0)
		return AWS_INI_PROFILE;
	if ((rest = after_word(name, "profile")) && *rest) {
		*prefixed = true;
		*out = rest;
		return AWS_INI_PROFILE;
	}
	if ((rest = after_word(name, "sso-session")) && *rest) {
		*out = rest;
		return AWS_INI_SSO_SESSION;
	}
	if ((rest = after_word(name, "services")) && *rest) {
		*out = rest;
		return AWS_INI_SERVICES;
	}
	return KIND_IGNORED;
}

static int section_line(struct parser *p, char *s)
{
	char *end = strchr(s, ']');
	char *name, *rest;
	bool prefixed;
	int kind;

	if (!end)
		return parse_error(p, "section header without ']'");
	*end = '\0';
	rest = trim(end + 1);
	if (*rest && *rest != '#' && *rest != ';')
		return parse_error(p, "text after a section header's ']'");
	name = trim(s + 1);
	if (!*name)
		return parse_error(p, "empty section name");
	kind = section_kind(p, name, &prefixed, &name);
	return add_section(p, name, kind, prefixed);
}

static int setting_line(struct parser *p, char *s)
{
	char *eq = strchr(s, '=');
	char *key, *value;
	int r;

	if (!eq)
		return parse_error(p, "expected \"key = value\"");
	if (!p->in_section)
		return parse_error(p, "setting before the first [section]");
	*eq = '\0';
	key = trim(s);
	if (!*key)
		return parse_error(p, "missing key before '='");
	lower(key);
	strip_comment(eq + 1);
	value = trim(eq + 1);
	r = add_entry(p, key, NULL, value);
	if (r < 0)
		return r;
	p->have_key = true;
	p->nested = *value == '\0';
	p->key_entry = p->ini->nentries - 1;
	return 0;
}

/* An indented line under a setting: a sub-setting or more of its value. */
static int continuation_line(struct parser *p, char *s)
{
	struct entry *parent = &p->ini->entries[p->key_entry];
	struct buf b = BUF_INIT;
	char *eq, *sub, *key;
	int r;

	strip_comment(s);
	s = trim(s);
	if (!p->nested) {
		if (buf_printf(&b, "%s\n%s", parent->value, s) < 0)
			return ERR_NOMEM;
		free_secret(parent->value);
		parent->value = buf_steal(&b, NULL);
		return parent->value ? 0 : ERR_NOMEM;
	}
	eq = strchr(s, '=');
	if (!eq)
		return parse_error(p, "expected an indented \"name = value\" sub-setting");
	*eq = '\0';
	sub = trim(s);
	if (!*sub)
		return parse_error(p, "missing sub-setting name before '='");
	lower(sub);
	/* The parent's key is copied first: add_entry may move the array. */
	key = strdup(parent->key);
	if (!key)
		return ERR_NOMEM;
	r = add_entry(p, key, sub, trim(eq + 1));
	free(key);
	return r;
}

static int parse_line(struct parser *p, char *line)
{
	bool indented = *line == ' ' || *line == '\t';
	char *s = trim(line);

	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (indented && p->have_key)
		return continuation_line(p, s);
	p->have_key = false;
	if (*s == '[')
		return section_line(p, s);
	return setting_line(p, s);
}

int aws_ini_parse(const char *text, size_t len, const char *path, enum aws_ini_file file,
		  struct aws_ini **out, struct errbuf *eb)
{
	struct parser p = {.path = path, .file = file, .eb = eb};
	char *copy = NULL, *line, *next;
	int r = 0;

	*out = NULL;
	if (memchr(text, '\0', len))
		return errbuf_set(eb, ERR_CONFIG, "%s: not a text file (NUL byte)", path);
	p.ini = calloc(1, sizeof(*p.ini));
	copy = malloc(len + 1);
	if (!p.ini || !copy) {
		r = ERR_NOMEM;
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	line = copy;
	if (strncmp(line, "\xef\xbb\xbf", 3) == 0) /* UTF-8 byte order mark */
		line += 3;
	for (; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		p.line_no++;
		r = parse_line(&p, line);
		if (r < 0)
			goto out;
	}
	*out = p.ini; /* transferred */
	p.ini = NULL;
out:
	free_secret_len(copy, copy ? len + 1 : 0);
	aws_ini_destroy(p.ini);
	return r;
}

int aws_ini_load(const char *path, enum aws_ini_file file, struct aws_ini **out,
		 struct errbuf *eb)
{
	struct buf b = BUF_INIT;
	int r;

	*out = NULL;
	r = file_read(path, FILE_CONFIG, INI_MAX_SIZE, &b, eb);
	if (r == 0)
		r = aws_ini_parse(b.data ? b.data : "", b.len, path, file, out, eb);
	buf_finish(&b);
	return r;
}

void aws_ini_destroy(struct aws_ini *ini)
{
	if (!ini)
		return;
	for (size_t i = 0; i < ini->nentries; i++) {
		free(ini->entries[i].key);
		free(ini->entries[i].sub);
		free_secret(ini->entries[i].value);
	}
	for (size_t i = 0; i < ini->nsections; i++)
		free(ini->sections[i].name);
	free(ini->entries);
	free(ini->sections);
	free(ini);
}

/* "[profile x]" hides "[x]" in the same file. */
static bool want_prefixed(const struct aws_ini *ini, enum aws_ini_kind kind, const char *name)
{
	for (size_t i = 0; i < ini->nsections; i++) {
		const struct section *s = &ini->sections[i];

		if (s->kind == (int)kind && s->prefixed && strcmp(s->name, name) == 0)
			return true;
	}
	return false;
}

static bool section_is(const struct section *s, enum aws_ini_kind kind, const char *name,
		       bool prefixed)
{
	return s->kind == (int)kind && s->prefixed == prefixed && strcmp(s->name, name) == 0;
}

bool aws_ini_has(const struct aws_ini *ini, enum aws_ini_kind kind, const char *name)
{
	if (!ini)
		return false;
	for (size_t i = 0; i < ini->nsections; i++) {
		if (ini->sections[i].kind == (int)kind && strcmp(ini->sections[i].name, name) == 0)
			return true;
	}
	return false;
}

const char *aws_ini_get_sub(const struct aws_ini *ini, enum aws_ini_kind kind, const char *name,
			    const char *key, const char *sub)
{
	bool prefixed;

	if (!ini)
		return NULL;
	prefixed = want_prefixed(ini, kind, name);
	for (size_t i = ini->nentries; i-- > 0;) {
		const struct entry *e = &ini->entries[i];

		if (!section_is(&ini->sections[e->section], kind, name, prefixed) ||
		    strcmp(e->key, key) != 0)
			continue;
		if (!sub ? !e->sub : e->sub && strcmp(e->sub, sub) == 0)
			return e->value;
	}
	return NULL;
}

const char *aws_ini_get(const struct aws_ini *ini, enum aws_ini_kind kind, const char *name,
			const char *key)
{
	return aws_ini_get_sub(ini, kind, name, key, NULL);
}

bool aws_ini_has_unprefixed(const struct aws_ini *ini, const char *name)
{
	if (!ini)
		return false;
	for (size_t i = 0; i < ini->nsections; i++) {
		if (ini->sections[i].kind == KIND_IGNORED &&
		    strcmp(ini->sections[i].name, name) == 0)
			return true;
	}
	return false;
}
