/* SPDX-License-Identifier: MIT */
#ifndef DCR_SUBPROC_H
#define DCR_SUBPROC_H

/*
 * Runs a program the way we run anything: posix_spawn from an absolute path
 * (no shell), our environment, in a process group of its own, with bounded
 * output and time.  Its stdin gets `input` (then end of file) or /dev/null;
 * its stdout is captured (at most max_output bytes); its stderr lines are
 * passed to ours prefixed with "docker-credential-router: LABEL: " (unless the
 * log level is silent).  On timeout or oversize the whole group is killed;
 * when the program exits, whatever it left running in its group is killed
 * too, so nothing outlives the request.
 */

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct subproc_params {
	char *const *argv;  /* argv[0] is an absolute path; NULL-terminated */
	const char *label;  /* names the program in messages and stderr lines */
	const void *input;  /* written to stdin; NULL: stdin is /dev/null */
	size_t input_len;
	size_t max_output;  /* stdout cap in bytes */
	long timeout_ms;
};

struct subproc_result {
	struct buf out; /* stdout; may hold a secret: subproc_result_finish wipes it */
	int status;     /* wait status of the program */
	bool oversize, timed_out, lost;
};

/* Returns 0 once the program ran (see res), or an error if it could not start. */
int subproc_run(const struct subproc_params *params, struct subproc_result *res, struct errbuf *eb);

/*
 * 0 when the program exited with status 0; otherwise ERR_BACKEND with
 * "LABEL: PROG timed out after N s (killed)", "... failed (exit status N)",
 * "... was killed by signal N (NAME)" or "... printed more than N KiB".
 */
int subproc_judge(const struct subproc_params *params, const struct subproc_result *res,
		struct errbuf *eb);

void subproc_result_finish(struct subproc_result *res);

#endif
