/* SPDX-License-Identifier: MIT */
#ifndef DCR_HARDEN_H
#define DCR_HARDEN_H

/*
 * What every process of ours does first (the front and each helper
 * executable): open /dev/null on closed standard descriptors (so no file we
 * open lands on 0-2), umask 077, no core dumps (RLIMIT_CORE 0 and not
 * dumpable), SIGPIPE ignored (a reader that goes away is an error, not a
 * death; SIGXFSZ likewise, so a write over RLIMIT_FSIZE fails instead of
 * killing us), and a jansson allocator that wipes what it frees (requests and
 * answers hold secrets).
 */
void harden_process(void);

#endif
