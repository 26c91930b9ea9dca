/* SPDX-License-Identifier: MIT */
#include "creds.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "wipe.h"

int creds_set(struct creds *c, const char *username, const char *secret)
{
	creds_finish(c);
	c->username = strdup(username);
	c->secret = strdup(secret);
	if (!c->username || !c->secret) {
		creds_finish(c);
		return ERR_NOMEM;
	}
	return 0;
}

void creds_finish(struct creds *c)
{
	free_secret(c->username);
	free_secret(c->secret);
	c->username = NULL;
	c->secret = NULL;
	c->expires = 0;
}
