/* SPDX-License-Identifier: MIT */
#ifndef DCR_INPUT_H
#define DCR_INPUT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define INPUT_MAX (64u * 1024u)

/*
 * Reads all of fd (at most max bytes) into out and checks it: no NUL byte,
 * valid UTF-8.  Errors come with a one-line message.
 */
int input_read(int fd, size_t max, struct buf *out, struct errbuf *eb);

/*
 * Docker's reading of a key: lines joined with their line endings dropped,
 * then surrounding whitespace trimmed.  Rewrites in->data in place and
 * returns it.
 */
char *input_key(struct buf *in);

#endif
