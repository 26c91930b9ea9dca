/* SPDX-License-Identifier: MIT */
/*
 * input_read and input_key: what the Docker verbs make of stdin.  Input comes
 * through a pipe fed by a child process (so large inputs arrive in pieces, as
 * they do from a client) or through a temporary file.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "input.h"
#include "test.h"

/* A pipe whose write end a child fills with data and closes; returns the read end. */
static int pipe_with(const char *data, size_t len)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds) < 0)
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		close(fds[0]);
		signal(SIGPIPE, SIG_DFL);
		while (len) {
			ssize_t n = write(fds[1], data, len);

			if (n <= 0)
				_exit(1);
			data += n;
			len -= (size_t)n;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

/* Reads data through a pipe; the child is reaped before returning. */
static int read_pipe(const char *data, size_t len, struct buf *out, struct errbuf *eb)
{
	int fd = pipe_with(data, len);
	int r = input_read(fd, INPUT_MAX, out, eb);

	close(fd);
	while (wait(NULL) > 0)
		;
	return r;
}

/* Reads data from an unlinked temporary file. */
static int read_file(const char *data, size_t len, struct buf *out, struct errbuf *eb)
{
	char path[] = "/tmp/test_input.XXXXXX";
	int fd = mkstemp(path);
	int r;

	if (fd < 0)
		abort();
	unlink(path);
	if (write(fd, data, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	r = input_read(fd, INPUT_MAX, out, eb);
	close(fd);
	return r;
}

static void test_input_read_plain(void)
{
	struct buf b = BUF_INIT;
	struct errbuf eb = {{0}};

	test_assert_int(read_pipe("ghcr.io", 7, &b, &eb), 0);
	test_assert_int(b.len, 7);
	test_assert_str(b.data, "ghcr.io");
	buf_finish(&b);

	test_assert_int(read_file("{\"ServerURL\":\"x\"}\n", 18, &b, &eb), 0);
	test_assert_str(b.data, "{\"ServerURL\":\"x\"}\n");
	buf_finish(&b);
}

static void test_input_read_empty(void)
{
	struct buf b = BUF_INIT;
	struct errbuf eb = {{0}};

	test_assert_int(read_pipe("", 0, &b, &eb), 0);
	test_assert_int(b.len, 0);
	/* Always a terminated string, even for no input. */
	test_assert(b.data != NULL);
	test_assert_str(b.data, "");
	buf_finish(&b);
}

static void test_input_read_nul_rejected(void)
{
	struct buf b = BUF_INIT;
	struct errbuf eb = {{0}};

	test_assert_int(read_pipe("ghcr\0.io", 8, &b, &eb), ERR_INVALID);
	test_assert_str(eb.msg, "input contains a NUL byte");
	buf_finish(&b);

	eb.msg[0] = '\0';
	test_assert_int(read_file("\0", 1, &b, &eb), ERR_INVALID);
	test_assert_str(eb.msg, "input contains a NUL byte");
	buf_finish(&b);
}

static void test_input_read_invalid_utf8_rejected(void)
{
	static const char *const bad[] = {
		"\xff",             /* never valid */
		"host\xc3",         /* truncated */
		"\xc0\xaf",         /* overlong '/' */
		"\xed\xa0\x80",     /* a surrogate */
		"\xf4\x90\x80\x80", /* past U+10FFFF */
		"\x80x",            /* lone continuation byte */
	};
	static const char good[] = "r\xc3\xa9gistry \xe2\x82\xac \xf0\x9f\x90\xb3";
	struct buf b = BUF_INIT;
	struct errbuf eb = {{0}};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		eb.msg[0] = '\0';
		test_assert_int(read_pipe(bad[i], strlen(bad[i]), &b, &eb), ERR_INVALID);
		test_assert_str(eb.msg, "input is not valid UTF-8");
		buf_finish(&b);
	}
	/* Valid multi-byte text passes. */
	test_assert_int(read_pipe(good, sizeof(good) - 1, &b, &eb), 0);
	test_assert_int(b.len, sizeof(good) - 1);
	buf_finish(&b);
}

static char *filled(size_t len)
{
	char *p = malloc(len);

	if (!p)
		abort();
	memset(p, 'a', len);
	return p;
}

static void test_input_read_too_large(void)
{
	struct buf b = BUF_INIT;
	struct errbuf eb = {{0}};
	char *big = filled(INPUT_MAX + 1);

	test_assert_int(read_pipe(big, INPUT_MAX + 1, &b, &eb), ERR_TOO_LARGE);
	test_assert_str(eb.msg, "input larger than 64 KiB");
	buf_finish(&b);

	eb.msg[0] = '\0';
	test_assert_int(read_file(big, INPUT_MAX + 1, &b, &eb), ERR_TOO_LARGE);
	test_assert_str(eb.msg, "input larger than 64 KiB");
	buf_finish(&b);
	free(big);

	/* Far larger input stops early with the same answer. */
	big = filled(1u << 20);
	eb.msg[0] = '\0';
	test_assert_int(read_pipe(big, 1u << 20, &b, &eb), ERR_TOO_LARGE);
	test_assert_str(eb.msg, "input larger than 64 KiB");
	buf_finish(&b);
	free(big);
}

static void test_input_read_exactly_max(void)
{
	struct buf b = BUF_INIT;
	struct errbuf eb = {{0}};
	char *big = filled(INPUT_MAX);

	test_assert_int(read_pipe(big, INPUT_MAX, &b, &eb), 0);
	test_assert_int(b.len, INPUT_MAX);
	test_assert(b.data && b.data[INPUT_MAX] == '\0');
	buf_finish(&b);

	test_assert_int(read_file(big, INPUT_MAX, &b, &eb), 0);
	test_assert_int(b.len, INPUT_MAX);
	buf_finish(&b);
	free(big);
}

/* input_key on a copy of s; returns the key (valid until the next call). */
static const char *key_of(const char *s, size_t len)
{
	static struct buf b = BUF_INIT;

	buf_finish(&b);
	if (buf_append(&b, s, len) < 0)
		abort();
	return input_key(&b);
}

#define KEY(s) key_of(s, sizeof(s) - 1)

static void test_input_key_line_endings(void)
{
	test_assert_str(KEY("ghcr.io"), "ghcr.io");
	test_assert_str(KEY("ghcr.io\n"), "ghcr.io");
	test_assert_str(KEY("ghcr.io\r\n"), "ghcr.io");
	test_assert_str(KEY("ghcr.io\n\n\n"), "ghcr.io");
	/* Go's scanner drops a final "\r" even without "\n". */
	test_assert_str(KEY("ghcr.io\r"), "ghcr.io");
}

static void test_input_key_spaces(void)
{
	test_assert_str(KEY("  ghcr.io  "), "ghcr.io");
	test_assert_str(KEY("\t ghcr.io \t\n"), "ghcr.io");
	test_assert_str(KEY("\v\fghcr.io\f\v"), "ghcr.io");
	/* Inner spaces stay: only the ends are trimmed. */
	test_assert_str(KEY(" a b "), "a b");
}

static void test_input_key_joins_lines(void)
{
	test_assert_str(KEY("a\nb"), "ab");
	test_assert_str(KEY("a\r\nb\r\n"), "ab");
	test_assert_str(KEY("https://\nghcr.io\n/v2/\n"), "https://ghcr.io/v2/");
	/* A "\r" inside a line is kept (only one before "\n" goes). */
	test_assert_str(KEY("a\rb"), "a\rb");
	/* Each line keeps its own spaces; only the joined ends are trimmed. */
	test_assert_str(KEY(" a \n b "), "a  b");
}

static void test_input_key_empty(void)
{
	struct buf b = BUF_INIT;

	test_assert_str(KEY(""), "");
	test_assert_str(KEY("\n"), "");
	test_assert_str(KEY("\r\n\r\n"), "");
	test_assert_str(KEY("   \t \n  "), "");

	/* The length follows the key. */
	buf_puts(&b, "  x \n");
	test_assert_str(input_key(&b), "x");
	test_assert_int(b.len, 1);
	buf_finish(&b);
}

/*
 * Go's strings.TrimSpace trims every Unicode white space (U+0085, U+00A0,
 * U+2000..U+200A, U+3000, ...), not only ASCII.
 */
static void test_input_key_unicode_space(void)
{
	test_assert_str(KEY("\xc2\xa0ghcr.io\xc2\xa0"), "ghcr.io");
	test_assert_str(KEY("\xe3\x80\x80ghcr.io\xc2\x85"), "ghcr.io");
	test_assert_str(KEY("\xe2\x80\x83"), "");
	/* Not white space: kept. */
	test_assert_str(KEY("\xe2\x80\x8bx"), "\xe2\x80\x8bx");
}

static const struct test input_tests[] = {
	{"test_input_read_plain", test_input_read_plain},
	{"test_input_read_empty", test_input_read_empty},
	{"test_input_read_nul_rejected", test_input_read_nul_rejected},
	{"test_input_read_invalid_utf8_rejected", test_input_read_invalid_utf8_rejected},
	{"test_input_read_too_large", test_input_read_too_large},
	{"test_input_read_exactly_max", test_input_read_exactly_max},
	{"test_input_key_line_endings", test_input_key_line_endings},
	{"test_input_key_spaces", test_input_key_spaces},
	{"test_input_key_joins_lines", test_input_key_joins_lines},
	{"test_input_key_empty", test_input_key_empty},
	{"test_input_key_unicode_space", test_input_key_unicode_space},
};

TEST_MAIN(input_tests)
