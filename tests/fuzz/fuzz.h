/* SPDX-License-Identifier: MIT */
/*
 * What the libFuzzer targets share: an invariant check that traps (the
 * fuzzer then saves the input), a private scratch directory removed at exit,
 * and a way to run a verb with the input on its standard input, as a caller
 * would feed it.
 */
#ifndef DCR_FUZZ_H
#define DCR_FUZZ_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static inline void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

/* The input as a NUL-terminated string (malloc'd; it may hold NUL bytes before the end). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	check(s != NULL);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static char fuzz_dir_path[64];

static inline void fuzz_dir_remove(void)
{
	char cmd[128];

	if (!fuzz_dir_path[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir_path);
	(void)!system(cmd);
}

/* A scratch directory for this fuzzing process (mode 0700), removed at exit. */
static inline const char *fuzz_dir(void)
{
	if (!fuzz_dir_path[0]) {
		/* tmpfs where there is one: the cache and the static backend fsync. */
		snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/dcr-fuzz-XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		check(mkdtemp(fuzz_dir_path) != NULL);
		atexit(fuzz_dir_remove);
	}
	return fuzz_dir_path;
}

/* Replaces path with data, mode 0600. */
static inline void fuzz_write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	check(fd >= 0);
	check(fchmod(fd, 0600) == 0);
	check(size == 0 || write(fd, data, size) == (ssize_t)size);
	close(fd);
}

/* Standard output goes nowhere: the verbs' answers are not checked here. */
static inline void fuzz_quiet_stdout(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	check(fd >= 0 && dup2(fd, STDOUT_FILENO) == STDOUT_FILENO);
	close(fd);
}

/*
 * Runs verb(argc, argv) with data on standard input (a pipe big enough for
 * all of it, closed after it) and returns its exit status.  Inputs over
 * 1 MiB are cut there (the verbs refuse anything over 64 KiB anyway).
 */
static inline int fuzz_with_stdin(const uint8_t *data, size_t size,
				  int (*verb)(int, char **), int argc, char **argv)
{
	int p[2], saved = dup(STDIN_FILENO), status;

	check(saved >= 0 && pipe2(p, O_CLOEXEC) == 0);
	if (size > (1u << 20) - 1)
		size = (1u << 20) - 1;
	check(fcntl(p[1], F_SETPIPE_SZ, 1 << 20) >= 0);
	check(size == 0 || write(p[1], data, size) == (ssize_t)size);
	close(p[1]);
	check(dup2(p[0], STDIN_FILENO) == STDIN_FILENO);
	close(p[0]);
	status = verb(argc, argv);
	check(status == 0 || status == 1);
	check(dup2(saved, STDIN_FILENO) == STDIN_FILENO);
	close(saved);
	return status;
}

#endif
