/* SPDX-License-Identifier: MIT */
#ifndef DCR_WIPE_H
#define DCR_WIPE_H

#include <stddef.h>

/* The one place secrets are erased: a write the compiler may not drop. */
void wipe(void *p, size_t len);
/* Wipe a NUL-terminated string in place (NULL allowed). */
void wipe_str(char *s);
/* Wipe then free a NUL-terminated string (NULL allowed). */
void free_secret(char *s);
/* Wipe then free a buffer of the given length (NULL allowed). */
void free_secret_len(void *p, size_t len);

#endif
