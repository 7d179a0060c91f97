#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"

#define MAX_LINKS 40 /* as the kernel's own limit on symlink hops */

/* EAGAIN: a rename or mount anywhere on the machine raced the walk, and the
 * kernel could not prove a ".." stayed inside the root; openat2(2) says to
 * try again (as runc and libpathrs do, a bounded number of times). */
#define OPENAT2_TRIES 64

static int openat2_path(int dirfd, const char *path, unsigned long long resolve)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = resolve };
	int fd = -1;
	for (int i = 0; i < OPENAT2_TRIES; i++) {
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd;
}

static unsigned long long in_root_flags(bool no_symlinks)
{
	return RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
}

int open_in_root(int rootfd, const char *path, bool no_symlinks)
{
	return openat2_path(rootfd, path, in_root_flags(no_symlinks));
}

/* Splits "/a/b/c" into "/a/b" and "c" (trailing slashes dropped). */
static int split(const char *path, char *parent, size_t psize, char *base, size_t bsize)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	size_t slash = len;
	while (slash > 0 && path[slash - 1] != '/')
		slash--;
	if (slash == len || len - slash >= bsize || slash >= psize)
		return -1;
	snprintf(base, bsize, "%.*s", (int)(len - slash), path + slash);
	size_t plen = slash;
	while (plen > 1 && path[plen - 1] == '/')
		plen--;
	snprintf(parent, psize, "%.*s", (int)(plen ? plen : 1), plen ? path : "/");
	return 0;
}

static int ensure(int rootfd, const char *path, enum target_kind kind, bool no_symlinks, int hops)
{
	int fd = open_in_root(rootfd, path, no_symlinks);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return fail("openat2", errno, "%s (inside the container's root)", path);
	if (hops > MAX_LINKS)
		return fail("openat2", ELOOP, "%s (inside the container's root)", path);

	char parent[4096], base[256];
	if (split(path, parent, sizeof parent, base, sizeof base) == -1)
		return fail("openat2", ENAMETOOLONG, "%s", path);
	int dir = ensure(rootfd, parent, TARGET_DIR, no_symlinks, hops + 1);
	if (dir < 0)
		return -1;
	/* dir is a directory inside the root and base a plain name: what is
	 * made here is inside the root whatever the links around it. */
	int rc;
	if (kind == TARGET_DIR) {
		rc = mkdirat(dir, base, 0755);
	} else {
		int f = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		rc = f < 0 ? -1 : close(f);
	}
	if (rc == 0) {
		fd = openat2_path(dir, base, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
		int err = errno;
		close(dir);
		return fd >= 0 ? fd : fail("openat2", err, "%s (just created)", path);
	}
	if (errno != EEXIST) {
		int err = errno;
		close(dir);
		return fail(kind == TARGET_DIR ? "mkdirat" : "openat", err, "%s (inside the container's root)", path);
	}
	/* Something is there but did not resolve: a dangling symlink. Follow
	 * it by hand, still inside the root. */
	char target[4096];
	ssize_t n = readlinkat(dir, base, target, sizeof target - 1);
	int err = errno;
	close(dir);
	if (n < 0)
		return fail("readlinkat", err, "%s", path);
	target[n] = '\0';
	if (no_symlinks)
		return fail("openat2", ELOOP, "%s is a symlink (refused)", path);
	char next[8192];
	if (target[0] == '/')
		snprintf(next, sizeof next, "%s", target);
	else
		snprintf(next, sizeof next, "%s/%s", strcmp(parent, "/") == 0 ? "" : parent, target);
	return ensure(rootfd, next, kind, no_symlinks, hops + 1);
}

int ensure_in_root(int rootfd, const char *path, enum target_kind kind, bool no_symlinks)
{
	return ensure(rootfd, path, kind, no_symlinks, 0);
}
