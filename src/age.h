/* SPDX-License-Identifier: MIT */
#ifndef DCR_AGE_H
#define DCR_AGE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Decryption of age files (age-encryption.org/v1, https://c2sp.org/age) with
 * X25519 identities, so that passwords in configuration files and environment
 * variables can be stored age-encrypted and decrypted at the moment of use.
 *
 * Every function returns 0 or a negative code from err.h and, on failure,
 * writes a one-line reason without a final full stop to why (if why_size > 0).
 * A reason never contains key material or plaintext.
 */

/* One or more X25519 identities; the secret keys are wiped when freed. */
struct age_identity;

/*
 * Load an identity file in age-keygen format: lines starting with '#' and
 * empty lines are ignored, every other line is an AGE-SECRET-KEY-1... Bech32
 * identity (LF or CRLF line endings).  The open file must be a regular file
 * owned by the caller or root with no group or other permission bits, else
 * ERR_PERM and why = "bad owner or permissions on PATH (chmod 600 it)" (for
 * a wrong owner the parenthesis names the chown to do as well).
 * Other identity types (AGE-SECRET-KEY-PQ-1..., AGE-PLUGIN-..., SSH keys)
 * give ERR_UNSUPPORTED; a malformed line gives ERR_INVALID naming its number.
 */
int age_identity_load(const char *path, struct age_identity **out, char *why, size_t why_size);

/* Parse identity-file text (same rules as age_identity_load, without the file). */
int age_identity_parse(const char *text, size_t len, struct age_identity **out, char *why,
                       size_t why_size);

/* Wipe and free (NULL allowed). */
void age_identity_free(struct age_identity *id);

/*
 * Whether a value looks age-encrypted: the binary format, PEM armor
 * ("-----BEGIN AGE ENCRYPTED FILE-----" after optional whitespace), or the
 * binary format base64-encoded (standard alphabet, padded) on one line with
 * optional surrounding whitespace.  A cheap test of the start only.
 */
bool age_looks_encrypted(const char *value, size_t len);

/*
 * Decrypt an age file given in any of the three forms above.  On success
 * *plain holds all of the plaintext, NUL-terminated for convenience (the NUL
 * is not counted in *plain_len); release it with free_secret_len(*plain,
 * *plain_len).  On failure *plain is NULL: no plaintext is ever returned
 * before the whole payload has been authenticated.
 *
 * The reason starts with a fixed phrase naming the class of failure:
 *   "malformed armor: ..."      invalid PEM armor                 ERR_INVALID
 *   "malformed base64: ..."     invalid one-line base64 form      ERR_INVALID
 *   "malformed header: ..."     anything wrong before the payload ERR_INVALID
 *   "no identity matches: ..."  no identity opens any stanza      ERR_NOT_FOUND,
 *       or ERR_UNSUPPORTED when the file is for a recipient type we do not
 *       implement (scrypt passphrase, ssh-ed25519, ssh-rsa, mlkem768x25519,
 *       ...); the reason then names it and ends in "which is not supported"
 *   "header MAC mismatch ..."   the header was modified           ERR_INVALID
 *   "payload ..."               truncated or modified payload     ERR_INVALID
 */
int age_decrypt(const struct age_identity *id, const void *in, size_t in_len, unsigned char **plain,
                size_t *plain_len, char *why, size_t why_size);

#endif
