/* SPDX-License-Identifier: MIT */
#ifndef DCR_BASE64_H
#define DCR_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Base64 decoding with the standard alphabet (RFC 4648 section 4), in the
 * modes its callers need.  Pure functions: the caller owns the output.
 */

enum base64_mode {
	/*
	 * Canonical (RFC 4648 section 3.5: the unused bits of the last
	 * character are zero) and without any '=' (age header lines).
	 */
	BASE64_UNPADDED,
	/*
	 * Canonical and '='-padded to a multiple of four characters, with at
	 * most two '=' (age armor and one-line age files).
	 */
	BASE64_PADDED,
	/*
	 * Padding optional: every trailing '=' is dropped and the unused bits
	 * of the last character are ignored (ECR authorization tokens).
	 */
	BASE64_LENIENT,
};

/* Room needed to decode len base64 characters, in any mode. */
size_t base64_decoded_max(size_t len);

/* Whether every character of s is in the alphabet, or is '=' when allow_pad. */
bool base64_in_alphabet(const char *s, size_t len, bool allow_pad);

/*
 * Decode len characters of s into out, which needs base64_decoded_max(len)
 * bytes, and set *out_len to the number of bytes written.  A length that
 * leaves one character over (len % 4 == 1 once any padding is dropped) is
 * never valid.  Returns 0, or ERR_INVALID with *out_len 0 and out holding
 * whatever was decoded before the error.
 */
int base64_decode(const char *s, size_t len, enum base64_mode mode, unsigned char *out,
                  size_t *out_len);

#endif
