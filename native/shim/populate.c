/* A volume's first use: Docker copies what the image has at the mount
 * point into an empty volume, so `VOLUME /var/lib/app` with seed files, or
 * a named volume over /usr/share/nginx/html, starts with the image's
 * files. Done by the shim after the root overlay is mounted and before the
 * volume is attached over the path: the source is the merged image view.
 *
 * Nothing is followed on either side: sources are opened relative to their
 * directory's fd with O_NOFOLLOW, and every destination is created with
 * O_EXCL / mkdirat / symlinkat / mknodat, which fail rather than follow
 * what another container sharing the volume might plant meanwhile.
 *
 * Equivalent to: [ -z "$(ls -A VOLUME)" ] && cp -a --no-dereference ROOT/PATH/. VOLUME/
 * (extended attributes are not copied). */
#include "populate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inroot.h"
#include "report.h"

static int copy_tree(int from, int to, int depth);

static bool is_empty_dir(int fd)
{
	int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dup_fd < 0)
		return false;
	DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return false;
	}
	bool empty = true;
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			empty = false;
			break;
		}
	closedir(d);
	return empty;
}

static int copy_data(int from, const char *name, int to, const struct stat *st)
{
	int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return fail("openat", errno, "%s (volume copy-up source)", name);
	int out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return fail("openat", errno, "%s (volume copy-up)", name);
	}
	int rc = 0;
	for (off_t left = st->st_size; left > 0;) {
		ssize_t n = sendfile(out, in, NULL, left > (1 << 30) ? (1 << 30) : (size_t)left);
		if (n <= 0) {
			rc = fail("sendfile", n < 0 ? errno : EIO, "%s (volume copy-up)", name);
			break;
		}
		left -= n;
	}
	close(in);
	close(out);
	return rc;
}

/* One entry of FROM as NAME in TO, then its owner, mode and times. */
static int copy_entry(int from, int to, const char *name, int depth)
{
	struct stat st;
	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return fail("fstatat", errno, "%s (volume copy-up)", name);
	int rc = 0;
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(to, name, 0700) == -1)
			return fail("mkdirat", errno, "%s (volume copy-up)", name);
		int sub_from = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		rc = sub_from < 0 || sub_to < 0 ? fail("openat", errno, "%s (volume copy-up)", name)
						 : copy_tree(sub_from, sub_to, depth + 1);
		if (sub_from >= 0)
			close(sub_from);
		if (sub_to >= 0)
			close(sub_to);
	} else if (S_ISREG(st.st_mode)) {
		rc = copy_data(from, name, to, &st);
	} else if (S_ISLNK(st.st_mode)) {
		char link[4096];
		ssize_t n = readlinkat(from, name, link, sizeof link - 1);
		if (n < 0)
			return fail("readlinkat", errno, "%s (volume copy-up)", name);
		link[n] = '\0';
		if (symlinkat(link, to, name) == -1)
			return fail("symlinkat", errno, "%s (volume copy-up)", name);
	} else if (mknodat(to, name, st.st_mode & S_IFMT, st.st_rdev) == -1) {
		return fail("mknodat", errno, "%s (volume copy-up)", name);
	}
	if (rc == -1)
		return -1;
	/* chown first: it clears setuid/setgid bits, which the chmod restores. */
	if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) == -1)
		return fail("fchownat", errno, "%s (volume copy-up)", name);
	if (!S_ISLNK(st.st_mode) && fchmodat(to, name, st.st_mode & 07777, 0) == -1)
		return fail("fchmodat", errno, "%s (volume copy-up)", name);
	struct timespec times[2] = { st.st_atim, st.st_mtim };
	if (utimensat(to, name, times, AT_SYMLINK_NOFOLLOW) == -1)
		return fail("utimensat", errno, "%s (volume copy-up)", name);
	return 0;
}

static int copy_tree(int from, int to, int depth)
{
	if (depth > 256)
		return fail("copy", ELOOP, "volume copy-up deeper than 256 directories");
	int dup_fd = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return fail("opendir", errno, "volume copy-up source");
	}
	int rc = 0;
	for (struct dirent *e; rc == 0 && (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			rc = copy_entry(from, to, e->d_name, depth);
	closedir(d);
	return rc;
}

int populate_volume(int rootfd, const char *path, int volume)
{
	int src = open_in_root(rootfd, path, true);
	if (src < 0)
		return 0; /* nothing in the image there (or not a plain path): nothing to copy */
	struct stat st;
	int rc = 0;
	int dir = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int vol = openat(volume, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0 && vol >= 0 && fstat(dir, &st) == 0 && is_empty_dir(vol) && !is_empty_dir(dir)) {
		rc = copy_tree(dir, vol, 0);
		/* The volume's own directory takes the image directory's owner and mode, as Docker's copy-up. */
		if (rc == 0 && (fchown(vol, st.st_uid, st.st_gid) == -1 || fchmod(vol, st.st_mode & 07777) == -1))
			rc = fail("fchown", errno, "%s (volume copy-up)", path);
	}
	if (dir >= 0)
		close(dir);
	if (vol >= 0)
		close(vol);
	close(src);
	return rc;
}
