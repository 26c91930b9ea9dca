/* SPDX-License-Identifier: MIT */
#include "wipe.h"

#include <stdlib.h>
#include <string.h>

void wipe(void *p, size_t len)
{
	if (p && len)
		explicit_bzero(p, len);
}

void wipe_str(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
}

void free_secret(char *s)
{
	wipe_str(s);
	free(s);
}

void free_secret_len(void *p, size_t len)
{
	wipe(p, len);
	free(p);
}
