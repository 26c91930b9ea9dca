/* SPDX-License-Identifier: MIT */
#ifndef DCR_EMIT_H
#define DCR_EMIT_H

#include <stddef.h>

#include "buf.h"

/*
 * Writes s as a JSON string exactly as Go's encoding/json does (the encoder
 * Docker's helpers use): <, > and & as \u003c \u003e \u0026, U+2028/U+2029
 * escaped, control characters as \b \f \n \r \t or \u00xx, invalid UTF-8 as
 * \ufffd.  Byte-for-byte equal output keeps picky callers happy.
 */
int emit_json_string(struct buf *b, const char *s, size_t len);
/* Writes s as a TOML basic string ("..." with escapes). s must be valid UTF-8. */
int emit_toml_string(struct buf *b, const char *s, size_t len);

#endif
