/* SPDX-License-Identifier: MIT */
#ifndef DCR_CREDS_H
#define DCR_CREDS_H

#include <stdbool.h>
#include <time.h>

#include "ref.h"

/* A username and secret, heap-owned and wiped by creds_finish(). */
struct creds {
	char *username;
	char *secret;
	time_t expires; /* absolute expiry of a short-lived token; 0 when it does not expire */
};

/* Copies both strings; returns 0 or ERR_NOMEM (then c is empty). */
int creds_set(struct creds *c, const char *username, const char *secret);
void creds_finish(struct creds *c);

/* What a personality asks the core. */
struct request {
	const char *key; /* the caller's exact key, echoed back */
	struct ref ref;  /* its normalised form */
	bool refresh;    /* the caller says the last credentials were rejected */
	/* list asks only which username answers: a backend may skip decrypting or loading the secret */
	bool username_only;
};

#endif
