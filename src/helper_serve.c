/* SPDX-License-Identifier: MIT */
/*
 * The helper end of the helper-executable protocol (helper.h): the whole
 * main() of a helper executable.  Reads one JSON request from stdin, writes
 * one JSON answer (or {"error": ...}) to stdout.  Links libc and jansson.
 */
#include "helper.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "harden.h"
#include "log.h"

#define HELPER_INPUT_MAX (256u * 1024u) /* a request is well under 1 KiB */


static int read_request(struct buf *in, json_t **request, struct errbuf *eb)
{
	json_error_t jerr;
	ssize_t n;
	int r;

	for (;;) {
		if (in->len >= HELPER_INPUT_MAX)
			return errbuf_set(eb, ERR_TOO_LARGE, "request larger than %u KiB",
					  HELPER_INPUT_MAX / 1024);
		r = buf_reserve(in, 4096);
		if (r < 0)
			return r;
		n = read(STDIN_FILENO, in->data + in->len, in->cap - in->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errbuf_set(eb, ERR_IO, "cannot read the request: %s", strerror(errno));
		if (n == 0)
			break;
		in->len += (size_t)n;
		in->data[in->len] = '\0';
	}
	*request = json_loadb(in->data ? in->data : "", in->len, 0, &jerr);
	if (!json_is_object(*request))
		return errbuf_set(eb, ERR_INVALID, "the request on stdin is not a JSON object "
				  "(line %d, column %d)", jerr.line, jerr.column);
	return 0;
}

static int dump_buf(const char *data, size_t len, void *ctx)
{
	return buf_append(ctx, data, len) < 0 ? -1 : 0;
}


/* Writes obj and a newline to stdout; false when that failed. */
static bool emit(json_t *obj)
{
	struct buf out = BUF_INIT;
	bool ok = obj && json_dump_callback(obj, dump_buf, &out, JSON_COMPACT) == 0 &&
		  buf_putc(&out, '\n') == 0 && out_write(out.data, out.len);

	buf_finish(&out);
	return ok;
}

int helper_serve(const char *name, helper_handler handle)
{
	struct buf in = BUF_INIT;
	struct errbuf eb = {{0}};
	json_t *request = NULL, *answer = NULL, *err;
	int r, status = 1;

	harden_process();
	log_init();
	log_set_prefix(name);
	r = read_request(&in, &request, &eb);
	buf_finish(&in);
	if (r == 0)
		r = handle(request, &answer, &eb);
	if (r == 0 && !answer)
		r = errbuf_set(&eb, ERR_BACKEND, "%s gave no answer", name);
	if (r == 0) {
		status = emit(answer) ? 0 : 1;
	} else {
		err = json_pack("{s:s}", "error", errbuf_str(&eb, r));
		if (err && r == ERR_NOT_FOUND)
			json_object_set_new(err, "not_found", json_true());
		emit(err);
		json_decref(err);
	}
	json_decref(answer);
	json_decref(request);
	return status;
}
