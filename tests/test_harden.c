/* SPDX-License-Identifier: MIT */
/*
 * What every process of ours does first (harden.c) and where secrets are
 * wiped (wipe.c, buf.c, jansson's allocator), checked from inside:
 *
 * - harden_process(): umask 077, RLIMIT_CORE 0, not dumpable, SIGPIPE and
 *   SIGXFSZ ignored, closed standard descriptors reopened on /dev/null (in a child
 *   started with 0-2 closed, the next file opened is not fd 0-2);
 * - free_secret, free_secret_len, buf_finish, a growing buf and jansson's
 *   free after harden_process hand free() only zeroed memory.  The test is
 *   linked with -Wl,--wrap=free: __wrap_free looks at each block before the
 *   real free, for the sizes the test announces;
 * - errbuf_set keeps messages on one line whatever the values quoted.
 */
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "harden.h"
#include "test.h"
#include "wipe.h"

void __real_free(void *p);
void __wrap_free(void *p);

/* The block being watched: free() records whether its first `watch_len` bytes were zero. */
static void *watch_ptr;
static size_t watch_len;
static int watch_seen;    /* times free saw the block */
static bool watch_zeroed; /* all of it zero when freed */

void __wrap_free(void *p)
{
	if (p && p == watch_ptr) {
		const unsigned char *b = p;

		watch_seen++;
		watch_zeroed = true;
		for (size_t i = 0; i < watch_len; i++)
			watch_zeroed = watch_zeroed && b[i] == 0;
		watch_ptr = NULL;
	}
	__real_free(p);
}

static void watch(void *p, size_t len)
{
	watch_ptr = p;
	watch_len = len;
	watch_seen = 0;
	watch_zeroed = false;
}

static void test_free_secret_wipes(void)
{
	char *s = strdup("hunter2-secret");

	watch(s, strlen(s));
	free_secret(s);
	test_assert_int(watch_seen, 1);
	test_assert(watch_zeroed);

	s = malloc(64);
	memset(s, 'x', 64);
	watch(s, 64);
	free_secret_len(s, 64);
	test_assert_int(watch_seen, 1);
	test_assert(watch_zeroed);
	free_secret(NULL);
	free_secret_len(NULL, 10);
}

static void test_buf_wipes_when_growing_and_finishing(void)
{
	struct buf b = BUF_INIT;
	char *first;

	test_assert_int(buf_puts(&b, "password=s3cret"), 0);
	first = b.data;
	/* Growing moves the contents: the old block is wiped before it is freed. */
	watch(first, b.cap);
	test_assert_int(buf_reserve(&b, 4096), 0);
	test_assert(b.data != first);
	test_assert_int(watch_seen, 1);
	test_assert(watch_zeroed);
	test_assert_str(b.data, "password=s3cret");
	watch(b.data, b.cap);
	buf_finish(&b);
	test_assert_int(watch_seen, 1);
	test_assert(watch_zeroed);
	test_assert(b.data == NULL && b.len == 0 && b.cap == 0);
}

/* After harden_process, what jansson frees (a store request's Secret) is wiped. */
static void test_jansson_frees_wiped(void)
{
	json_t *v;
	const char *s;

	harden_process();
	v = json_loads("{\"Secret\":\"jansson-held-secret-value\"}", 0, NULL);
	test_assert(v != NULL);
	s = json_string_value(json_object_get(v, "Secret"));
	test_assert_str(s, "jansson-held-secret-value");
	watch((void *)s, strlen(s));
	json_decref(v);
	test_assert_int(watch_seen, 1);
	test_assert(watch_zeroed);
}

static void test_harden_process_settings(void)
{
	struct rlimit core;
	struct sigaction sa;
	mode_t old;

	harden_process();
	old = umask(022);
	test_assert_int(old, 077);
	umask(old);
	test_assert_int(getrlimit(RLIMIT_CORE, &core), 0);
	test_assert_int(core.rlim_cur, 0);
	test_assert_int(core.rlim_max, 0);
	test_assert_int(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	test_assert_int(sigaction(SIGPIPE, NULL, &sa), 0);
	test_assert(sa.sa_handler == SIG_IGN);
	test_assert_int(sigaction(SIGXFSZ, NULL, &sa), 0);
	test_assert(sa.sa_handler == SIG_IGN);
}

/* In a child with fds 0-2 closed: after harden_process, a new file is not fd 0-2. */
static void test_harden_process_reopens_std_fds(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		int fd;

		close(0);
		close(1);
		close(2);
		harden_process();
		fd = open("/proc/self/status", O_RDONLY);
		_exit(fd > 2 && fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 &&
				      fcntl(2, F_GETFD) >= 0
			      ? 0
			      : 1);
	}
	test_assert(pid > 0);
	test_assert_int(waitpid(pid, &status, 0), pid);
	test_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_errbuf_one_line(void)
{
	struct errbuf eb = {{0}};

	test_assert_int(errbuf_set(&eb, ERR_CONFIG, "bad pattern \"%s\": %s", "a\nb\tc\r\x7f", "x"),
			ERR_CONFIG);
	test_assert_str(eb.msg, "bad pattern \"a b c  \": x");
	test_assert_int(errbuf_set(NULL, ERR_IO, "%s", "x"), ERR_IO);
}

static const struct test cases[] = {
	{"test_free_secret_wipes", test_free_secret_wipes},
	{"test_buf_wipes_when_growing_and_finishing", test_buf_wipes_when_growing_and_finishing},
	{"test_jansson_frees_wiped", test_jansson_frees_wiped},
	{"test_harden_process_settings", test_harden_process_settings},
	{"test_harden_process_reopens_std_fds", test_harden_process_reopens_std_fds},
	{"test_errbuf_one_line", test_errbuf_one_line},
};

TEST_MAIN(cases)
