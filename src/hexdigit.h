/* SPDX-License-Identifier: MIT */
#ifndef DCR_HEXDIGIT_H
#define DCR_HEXDIGIT_H

/* The value of a hexadecimal digit (either case), or -1. */
static inline int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
