/* SPDX-License-Identifier: MIT */
#ifndef DCR_UTF8_H
#define DCR_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes one UTF-8 sequence at s (len bytes left).  Returns its length and
 * sets *cp, or 0 for an invalid, overlong, surrogate or truncated sequence.
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
bool utf8_valid(const char *s, size_t len);

#endif
