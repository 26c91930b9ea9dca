/* SPDX-License-Identifier: MIT */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int io_error(struct errbuf *eb, const char *what, const char *path)
{
	return errbuf_set(eb, ERR_IO, "cannot %s %s: %s", what, path, strerror(errno));
}

static int check_stat(const struct stat *stp, const char *path, enum file_policy policy,
		      struct errbuf *eb)
{
	const struct stat st = *stp;
	mode_t bad = policy == FILE_SECRET ? (S_IRWXG | S_IRWXO) & ~(mode_t)(S_IXGRP | S_IXOTH)
					   : (S_IWGRP | S_IWOTH);

	if (!S_ISREG(st.st_mode))
		return errbuf_set(eb, ERR_PERM, "%s is not a regular file", path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return errbuf_set(eb, ERR_PERM,
				  "bad owner or permissions on %s (owned by uid %u; chown it to "
				  "uid %u)",
				  path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & bad)
		return errbuf_set(eb, ERR_PERM, "bad owner or permissions on %s (chmod %s it)",
				  path, policy == FILE_SECRET ? "600" : "go-w");
	return 0;
}

int file_check_fd(int fd, const char *path, enum file_policy policy, struct errbuf *eb)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return io_error(eb, "stat", path);
	return check_stat(&st, path, policy, eb);
}

static int read_all(int fd, const char *path, size_t max, struct buf *out, struct errbuf *eb)
{
	char chunk[16384];
	ssize_t n;
	int r;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return io_error(eb, "read", path);
		if (n == 0)
			break;
		if (out->len + (size_t)n > max) {
			r = errbuf_set(eb, ERR_TOO_LARGE, "%s is larger than %zu bytes", path, max);
			goto out;
		}
		r = buf_append(out, chunk, (size_t)n);
		if (r < 0)
			goto out;
	}
	r = buf_reserve(out, 0);
out:
	explicit_bzero(chunk, sizeof(chunk));
	return r;
}

int file_open(const char *path, enum file_policy policy, int *fd, struct stat *st,
	      struct errbuf *eb)
{
	int r;

	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return errbuf_set(eb, ERR_NOT_FOUND, "%s does not exist", path);
		return io_error(eb, "open", path);
	}
	r = fstat(*fd, st) < 0 ? io_error(eb, "stat", path) : check_stat(st, path, policy, eb);
	if (r < 0) {
		close(*fd);
		*fd = -1;
	}
	return r;
}

int file_read_fd(int fd, const char *path, size_t max, struct buf *out, struct errbuf *eb)
{
	int r = read_all(fd, path, max, out, eb);

	if (r < 0)
		buf_finish(out);
	return r;
}

int file_pread(int fd, const char *path, size_t offset, size_t len, struct buf *out,
	       struct errbuf *eb)
{
	int r = buf_reserve(out, len);

	while (r == 0 && len > 0) {
		ssize_t n = pread(fd, out->data + out->len, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? io_error(eb, "read", path)
				     : errbuf_set(eb, ERR_IO, "%s changed while being read", path);
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		offset += (size_t)n;
		len -= (size_t)n;
	}
	return r;
}

int file_read(const char *path, enum file_policy policy, size_t max, struct buf *out,
	      struct errbuf *eb)
{
	struct stat st;
	int fd, r = file_open(path, policy, &fd, &st, eb);

	if (r < 0)
		return r;
	r = file_read_fd(fd, path, max, out, eb);
	close(fd);
	return r;
}

int dir_ensure(const char *dir, struct errbuf *eb)
{
	char tmp[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(tmp))
		return errbuf_set(eb, ERR_INVALID, "bad directory name %s", dir);
	memcpy(tmp, dir, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return io_error(eb, "create directory", tmp);
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return io_error(eb, "create directory", tmp);
	return 0;
}

static int split_dir(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash) {
		snprintf(dir, size, ".");
		return 0;
	}
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= size)
		return ERR_INVALID;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ERR_IO;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int file_write_atomic(const char *path, const void *data, size_t len, struct errbuf *eb)
{
	return file_write_atomic_like(path, data, len, NULL, eb);
}

/* Gives the open temporary file like's permission bits and, where they differ, its owner. */
static int take_mode(int fd, const struct stat *like)
{
	if (!like)
		return 0;
	if ((like->st_uid != geteuid() || like->st_gid != getegid()) &&
	    fchown(fd, like->st_uid, like->st_gid) < 0 && errno != EPERM)
		return -1;
	return fchmod(fd, like->st_mode & 07777);
}

int file_write_atomic_like(const char *path, const void *data, size_t len,
			   const struct stat *like, struct errbuf *eb)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	const char *base = strrchr(path, '/');
	int fd, r;

	if (split_dir(path, dir, sizeof(dir)) < 0)
		return errbuf_set(eb, ERR_INVALID, "path too long: %s", path);
	r = dir_ensure(dir, eb);
	if (r < 0)
		return r;
	base = base ? base + 1 : path;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base) >= sizeof(tmp))
		return errbuf_set(eb, ERR_INVALID, "path too long: %s", path);
	fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 from the start */
	if (fd < 0)
		return io_error(eb, "create a temporary file in", dir);
	if (take_mode(fd, like) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		r = io_error(eb, "write", tmp);
		close(fd);
		unlink(tmp);
		return r;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		r = io_error(eb, "replace", path);
		unlink(tmp);
		return r;
	}
	fsync_dir(dir);
	return 0;
}

int file_lock(const char *path, struct errbuf *eb)
{
	char lock[PATH_MAX];
	int fd;

	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", path) >= sizeof(lock))
		return errbuf_set(eb, ERR_INVALID, "path too long: %s", path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0)
		return io_error(eb, "open lock file", lock);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int r = io_error(eb, "lock", lock);

			close(fd);
			return r;
		}
	}
	return fd;
}

void file_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing releases the flock */
}
