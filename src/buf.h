/* SPDX-License-Identifier: MIT */
#ifndef DCR_BUF_H
#define DCR_BUF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A growable byte buffer, always NUL-terminated after its contents.  Memory
 * that may hold a secret is wiped when it grows and when it is finished.
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the contents to the caller (free_secret_len or free) and resets b. */
char *buf_steal(struct buf *b, size_t *len);
/* Wipes and frees (the buffer itself stays usable as empty). */
void buf_finish(struct buf *b);

#endif
