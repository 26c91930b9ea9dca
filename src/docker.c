/* SPDX-License-Identifier: MIT */
/*
 * The Docker credential-helper personality: get, store, erase, list and
 * version, byte for byte as docker/docker-credential-helpers answers them.
 * Every error is one line on stdout with exit status 1; stderr is for logs.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "build-config.h"
#include "cmd.h"
#include "config.h"
#include "core.h"
#include "emit.h"
#include "input.h"
#include "log.h"
#include "wipe.h"

#define MSG_NO_URL "no credentials server URL"
#define MSG_NO_USERNAME "no credentials username"

/* Reports a failed operation: the sentinel for not-found, else the message. */
static int report(int r, const struct errbuf *eb)
{
	if (r == ERR_NOT_FOUND)
		return out_error("%s", err_str(ERR_NOT_FOUND));
	return out_error("%s", errbuf_str(eb, r));
}

/* Reads stdin as a server URL key into in; returns the key or NULL after reporting. */
static char *read_key(struct buf *in, struct request *req, struct errbuf *eb)
{
	const char *why = NULL;
	char *key;
	int r = input_read(STDIN_FILENO, INPUT_MAX, in, eb);

	if (r < 0) {
		out_error("%s", errbuf_str(eb, r));
		return NULL;
	}
	key = input_key(in);
	if (!*key) {
		out_error(MSG_NO_URL);
		return NULL;
	}
	if (ref_parse(key, &req->ref, &why) < 0) {
		out_error("invalid registry \"%s\": %s", key, why ? why : "malformed");
		return NULL;
	}
	req->key = key;
	return key;
}

/* The configuration: only what a request for ref needs, or all of it when ref is NULL. */
static int load_config(const struct ref *ref, struct config **config)
{
	struct errbuf eb = {{0}};
	int r = ref ? config_load_for(ref, config, &eb) : config_load(config, &eb);

	if (r < 0)
		return out_error("%s", errbuf_str(&eb, r));
	return 0;
}

static int print_creds(const char *key, const struct creds *creds)
{
	struct buf out = BUF_INIT;
	int r = buf_puts(&out, "{\"ServerURL\":");

	r = r ? r : emit_json_string(&out, key, strlen(key));
	r = r ? r : buf_puts(&out, ",\"Username\":");
	r = r ? r : emit_json_string(&out, creds->username, strlen(creds->username));
	r = r ? r : buf_puts(&out, ",\"Secret\":");
	r = r ? r : emit_json_string(&out, creds->secret, strlen(creds->secret));
	r = r ? r : buf_puts(&out, "}\n");
	if (r == 0 && !out_write(out.data, out.len))
		r = ERR_IO;
	buf_finish(&out);
	return r < 0 ? 1 : 0;
}

int cmd_get(int argc, char **argv)
{
	struct buf in = BUF_INIT;
	struct request req = {0};
	struct creds creds = {0};
	struct config *config = NULL;
	struct errbuf eb = {{0}};
	int status = 1, r;

	(void)argc;
	(void)argv;
	if (!read_key(&in, &req, &eb) || load_config(&req.ref, &config))
		goto out;
	r = core_get(config, &req, &creds, &eb);
	status = r < 0 ? report(r, &eb) : print_creds(req.key, &creds);
out:
	creds_finish(&creds);
	config_free(config);
	buf_finish(&in);
	return status;
}

/*
 * One string member of the store request.  Go's decoder assigns every member
 * whose name matches the field case-insensitively, in document order, so the
 * last such member wins.
 */
static int take_member(json_t *obj, const char *name, const char **out)
{
	const char *key;
	json_t *value, *found = NULL;

	json_object_foreach(obj, key, value) {
		if (strcasecmp(key, name) == 0)
			found = value;
	}
	*out = "";
	if (!found || json_is_null(found))
		return 0;
	if (!json_is_string(found))
		return out_error("invalid credentials: %s must be a string", name);
	*out = json_string_value(found);
	if (strlen(*out) != json_string_length(found))
		return out_error("invalid credentials: %s contains a NUL character", name);
	return 0;
}

static json_t *parse_store_input(struct buf *in)
{
	json_error_t jerr;
	struct errbuf eb = {{0}};
	json_t *obj;
	int r = input_read(STDIN_FILENO, INPUT_MAX, in, &eb);

	if (r < 0) {
		out_error("%s", errbuf_str(&eb, r));
		return NULL;
	}
	input_key(in);
	obj = json_loadb(in->data, in->len, JSON_DISABLE_EOF_CHECK, &jerr); /* Go decodes one value */
	/* jansson's text can quote the input, which holds the secret: give only the position. */
	if (!obj) {
		out_error("invalid credentials JSON on standard input (line %d, column %d)",
			  jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		out_error("invalid credentials JSON: expected an object with ServerURL, Username "
			  "and Secret");
		return NULL;
	}
	return obj;
}

int cmd_store(int argc, char **argv)
{
	struct buf in = BUF_INIT;
	struct config *config = NULL;
	struct errbuf eb = {{0}};
	struct request req = {0};
	struct creds creds = {0};
	const char *url, *user, *secret, *why = NULL;
	json_t *obj;
	int status = 1, r;

	(void)argc;
	(void)argv;
	obj = parse_store_input(&in);
	if (!obj || take_member(obj, "ServerURL", &url) || take_member(obj, "Username", &user) ||
	    take_member(obj, "Secret", &secret))
		goto out;
	if (!*url) {
		out_error(MSG_NO_URL);
		goto out;
	}
	if (!*user) {
		out_error(MSG_NO_USERNAME);
		goto out;
	}
	if (ref_parse(url, &req.ref, &why) < 0) {
		out_error("invalid registry \"%s\": %s", url, why ? why : "malformed");
		goto out;
	}
	req.key = url;
	if (load_config(&req.ref, &config))
		goto out;
	creds.username = (char *)user; /* borrowed: not freed here */
	creds.secret = (char *)secret;
	r = core_store(config, &req, &creds, &eb);
	status = r < 0 ? report(r, &eb) : 0;
out:
	json_decref(obj);
	config_free(config);
	buf_finish(&in);
	return status;
}

int cmd_erase(int argc, char **argv)
{
	struct buf in = BUF_INIT;
	struct request req = {0};
	struct config *config = NULL;
	struct errbuf eb = {{0}};
	int status = 1, r;

	(void)argc;
	(void)argv;
	if (!read_key(&in, &req, &eb) || load_config(&req.ref, &config))
		goto out;
	r = core_erase(config, &req, &eb);
	status = r < 0 ? report(r, &eb) : 0;
out:
	config_free(config);
	buf_finish(&in);
	return status;
}

int cmd_list(int argc, char **argv)
{
	struct config *config = NULL;
	struct key_list list = {0};
	struct errbuf eb = {{0}};
	struct buf out = BUF_INIT;
	int status = 1, r;

	(void)argc;
	(void)argv;
	/* stdin is ignored (docker writes "unused"). */
	if (load_config(NULL, &config))
		goto out;
	r = core_list(config, &list, &eb);
	if (r < 0) {
		status = report(r == ERR_NOT_FOUND ? ERR_BACKEND : r, &eb);
		goto out;
	}
	r = buf_putc(&out, '{');
	for (size_t i = 0; i < list.count && r == 0; i++) {
		r = i ? buf_putc(&out, ',') : 0;
		r = r ? r : emit_json_string(&out, list.v[i].key, strlen(list.v[i].key));
		r = r ? r : buf_putc(&out, ':');
		r = r ? r : emit_json_string(&out, list.v[i].username, strlen(list.v[i].username));
	}
	r = r ? r : buf_puts(&out, "}\n");
	status = r == 0 && out_write(out.data, out.len) ? 0 : 1;
out:
	key_list_finish(&list);
	buf_finish(&out);
	config_free(config);
	return status;
}

int cmd_version(int argc, char **argv)
{
	static const char line[] = DCR_NAME " (" DCR_NAME ") v" DCR_VERSION "\n";

	(void)argc;
	(void)argv;
	return out_write(line, sizeof(line) - 1) ? 0 : 1;
}
