/* SPDX-License-Identifier: MIT */
#ifndef DCR_SEALED_H
#define DCR_SEALED_H

/*
 * Sealed values: a password in a credentials file or a value in the
 * environment may be age-encrypted (https://age-encryption.org/v1), either
 * ASCII-armored or the binary file base64-encoded on one line.  The front
 * recognises them by their first bytes, without libcrypto, and has them
 * decrypted at the moment of use by the helper executable dcr-age (which
 * links libcrypto; see helper.h).  Plain values pass through unchanged.
 *
 * The identity file is $DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY when set, else
 * the configuration's top-level identity_file.
 */

#include <stdbool.h>

#include "backend.h"
#include "err.h"

#define SEALED_IDENTITY_ENV "DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY"
#define SEALED_HELPER "dcr-age"

/* Whether value (NULL allowed) starts like an age file in one of the three forms. */
bool sealed_is(const char *value);

/* The identity file for route's values, or NULL when none is configured. */
const char *sealed_identity(const struct route *route);

/*
 * *out gets a malloc'd copy of value, or, when value is sealed, its
 * plaintext with one trailing line ending dropped; release it with
 * free_secret.  what names the value in messages, e.g. "password of
 * [registry1] in /etc/x/credentials.toml" or "DCR_GHCR_IO_PASSWORD".
 * Errors: ERR_CONFIG when no identity is configured, ERR_BACKEND (or the
 * helper's code) when decryption fails; the message never holds a secret.
 */
int sealed_open(const struct route *route, const char *what, const char *value, char **out,
                struct errbuf *eb);

#endif
