/* SPDX-License-Identifier: MIT */
#include "harden.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wipe.h"

/* Opens /dev/null on any of fds 0-2 that is closed, so no file we open lands there. */
static void sanitise_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(1);
	}
}

static void free_wiped(void *p)
{
	if (p)
		wipe(p, malloc_usable_size(p));
	free(p);
}

void harden_process(void)
{
	struct rlimit none = {0, 0};

	sanitise_fds();
	umask(077);
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	/* Over RLIMIT_FSIZE (or a full quota) a cache write fails with EFBIG and the
	 * answer is still given, uncached, instead of the process dying. */
	signal(SIGXFSZ, SIG_IGN);
	/* jansson holds store requests (secrets included): wipe what it frees. */
	json_set_alloc_funcs(malloc, free_wiped);
}

