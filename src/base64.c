/* SPDX-License-Identifier: MIT */
/* Base64 decoding (RFC 4648 section 4) in the modes of src/base64.h. */
#include "base64.h"

#include "err.h"

#include <stdint.h>

static int value_of(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

size_t base64_decoded_max(size_t len)
{
	return len / 4 * 3 + 3;
}

bool base64_in_alphabet(const char *s, size_t len, bool allow_pad)
{
	for (size_t i = 0; i < len; i++)
		if (value_of(s[i]) < 0 && !(allow_pad && s[i] == '='))
			return false;
	return true;
}

/* Drop the padding mode allows from *len; false if the length is wrong for mode. */
static bool strip_padding(const char *s, size_t *len, enum base64_mode mode)
{
	switch (mode) {
	case BASE64_UNPADDED:
		break;
	case BASE64_PADDED:
		if (*len % 4 != 0)
			return false;
		for (int i = 0; i < 2 && *len > 0 && s[*len - 1] == '='; i++)
			--*len;
		break;
	case BASE64_LENIENT:
		while (*len > 0 && s[*len - 1] == '=')
			--*len;
		break;
	}
	return *len % 4 != 1;
}

int base64_decode(const char *s, size_t len, enum base64_mode mode, unsigned char *out,
                  size_t *out_len)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;

	*out_len = 0;
	if (!strip_padding(s, &len, mode))
		return ERR_INVALID;
	for (size_t i = 0; i < len; i++) {
		int v = value_of(s[i]);

		if (v < 0)
			return ERR_INVALID;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* What is left of acc are the unused bits of the last character. */
	if (acc != 0 && mode != BASE64_LENIENT)
		return ERR_INVALID;
	*out_len = n;
	return 0;
}
