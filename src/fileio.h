/* SPDX-License-Identifier: MIT */
#ifndef DCR_FILEIO_H
#define DCR_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "err.h"

/* What a file must satisfy before we trust its contents. */
enum file_policy {
	/* Holds secrets: no group/other read or write bits, owned by us or root. */
	FILE_SECRET,
	/* Configuration: not group/other-writable, owned by us or root. */
	FILE_CONFIG,
};

/*
 * Reads a whole regular file of at most max bytes into out, checking the
 * policy with fstat on the open descriptor (no check-then-open race).
 * Returns ERR_NOT_FOUND when the file does not exist, ERR_PERM, ERR_TOO_LARGE
 * or ERR_IO with a message naming the path and the fix.
 */
int file_read(const char *path, enum file_policy policy, size_t max, struct buf *out,
	      struct errbuf *eb);

/*
 * Opens path for reading and checks the policy on the descriptor; *st gets
 * its status.  Same errors as file_read; *fd is -1 on error.
 */
struct stat;
int file_open(const char *path, enum file_policy policy, int *fd, struct stat *st,
	      struct errbuf *eb);
/* Reads the rest of an open file, at most max bytes, into out. */
int file_read_fd(int fd, const char *path, size_t max, struct buf *out, struct errbuf *eb);
/* Appends len bytes read at offset to out; ERR_IO when the file is shorter. */
int file_pread(int fd, const char *path, size_t offset, size_t len, struct buf *out,
	       struct errbuf *eb);

/* The policy check alone, on an open descriptor. */
int file_check_fd(int fd, const char *path, enum file_policy policy, struct errbuf *eb);

/*
 * Replaces path with data atomically: a temporary file in the same directory
 * created with mode 0600, written, fsync'd and renamed over path; then the
 * directory is fsync'd.  The parent directory is created (0700) if missing.
 */
int file_write_atomic(const char *path, const void *data, size_t len, struct errbuf *eb);

/*
 * The same, but the new file gets like's permission bits and owner (when they
 * differ from ours and we may chown) instead of mode 0600: to replace a file
 * someone else created as the docker CLI does.  NULL: like file_write_atomic.
 */
int file_write_atomic_like(const char *path, const void *data, size_t len,
			   const struct stat *like, struct errbuf *eb);

/* Creates dir and its missing parents with mode 0700. */
int dir_ensure(const char *dir, struct errbuf *eb);

/*
 * Takes an exclusive flock on "<path>.lock" (created 0600), waiting for it.
 * Returns the descriptor (>= 0) to pass to file_unlock, or an error.
 */
int file_lock(const char *path, struct errbuf *eb);
void file_unlock(int fd);

#endif
