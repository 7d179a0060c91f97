#include "rootfs.h"
#include "shm_share.h"
#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices.h"
#include "inroot.h"
#include "populate.h"
#include "masks.h"
#include "mountfs.h"
#include "report.h"
#include "subpath.h"

static int mkdir_owned(int dirfd, const char *name, mode_t mode, uid_t uid, gid_t gid, const char *what)
{
	if (mkdirat(dirfd, name, 0700) == -1) {
		if (errno == EEXIST)
			return 0;
		return fail("mkdirat", errno, "%s/%s", what, name);
	}
	if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) == -1)
		return fail("fchownat", errno, "%s/%s", what, name);
	if (fchmodat(dirfd, name, mode, 0) == -1)
		return fail("fchmodat", errno, "%s/%s", what, name);
	return 0;
}

int prepare_rootfs_dirs(const struct isolation_spec *iso)
{
	struct stat lower;
	if (stat(iso->rootfs, &lower) == -1)
		return fail("stat", errno, "%s (the root filesystem)", iso->rootfs);
	if (!S_ISDIR(lower.st_mode))
		return fail("stat", ENOTDIR, "%s (the root filesystem)", iso->rootfs);
	if (mkdir(iso->rootfs_rw, 0700) == -1 && errno != EEXIST)
		return fail("mkdir", errno, "%s", iso->rootfs_rw);
	int dir = open(iso->rootfs_rw, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return fail("open", errno, "%s", iso->rootfs_rw);
	int rc = mkdir_owned(dir, "upper", lower.st_mode & 07777, lower.st_uid, lower.st_gid, iso->rootfs_rw);
	if (rc == 0)
		rc = mkdir_owned(dir, "work", 0700, 0, 0, iso->rootfs_rw);
	if (rc == 0)
		rc = mkdir_owned(dir, "merged", 0700, 0, 0, iso->rootfs_rw);
	close(dir);
	return rc;
}

/* Host-side sources, opened before pivot_root (their paths are the host's). */
struct sources {
	int *mounts;		/* per --bind: the detached clone; -1 for tmpfs */
	int *files;		/* per --bind-ro */
	struct dev_sources dev;
};

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}

static int *fd_array(size_t n)
{
	int *fds = malloc((n ? n : 1) * sizeof *fds);
	if (!fds)
		abort();
	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
	return fds;
}

/* Equivalent to: mount --rbind SRC <detached>; then its ro/nodev/... and
 * propagation. Cloned while still in a copy of the host's mounts, so that
 * shared/slave propagation links it to the host's mount. */
static int take_sources(const struct container_spec *spec, struct sources *src)
{
	const struct isolation_spec *iso = &spec->iso;
	src->mounts = fd_array(iso->nmounts);
	src->files = fd_array(spec->nbinds);
	for (size_t i = 0; i < iso->nmounts; i++) {
		const struct user_mount *m = &iso->mounts[i];
		if (m->kind != MOUNT_BIND)
			continue;
		int fd;
		if (m->subpath) {
			int beneath = open_subpath(m->source, m->subpath);
			if (beneath < 0)
				return -1;
			fd = clone_mount(beneath, "", m->recursive, m->subpath);
			close(beneath);
		} else {
			fd = clone_mount(AT_FDCWD, m->source, m->recursive, m->source);
		}
		if (fd < 0)
			return -1;
		src->mounts[i] = fd;
		/* Read-only (and nodev, ...) for every submount, as Docker's
		 * recursive read-only binds. */
		if (set_mount_attrs(fd, (unsigned int)m->attrs, 0, 0, m->recursive, m->source) == -1 ||
		    set_mount_attrs(fd, 0, 0, m->propagation, m->propagation_recursive && m->recursive, m->source) == -1)
			return -1;
	}
	for (size_t i = 0; i < spec->nbinds; i++) {
		int fd = clone_mount(AT_FDCWD, spec->binds[i].source, false, spec->binds[i].source);
		if (fd < 0)
			return -1;
		src->files[i] = fd;
		if (set_mount_attrs(fd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0,
				    MS_PRIVATE, false, spec->binds[i].source) == -1)
			return -1;
	}
	return take_dev_sources(&src->dev, iso->all_devices);
}

/* Equivalent to: mount -t overlay -o lowerdir=L1:L2:...,upperdir=U,workdir=W overlay MERGED
 * (lowerdir+ takes one path at a time, as is: no ':' or ',' escaping, and no
 * page-sized limit on the whole option string, so a 128-layer image mounts). */
static int mount_overlay(const struct isolation_spec *iso)
{
	char upper[4096], work[4096], merged[4096];
	snprintf(upper, sizeof upper, "upperdir=%s/upper", iso->rootfs_rw);
	snprintf(work, sizeof work, "workdir=%s/work", iso->rootfs_rw);
	snprintf(merged, sizeof merged, "%s/merged", iso->rootfs_rw);
	size_t nlower = 1 + iso->nlowers;
	char **lower = calloc(nlower, sizeof *lower);
	const char **params = calloc(nlower + 5, sizeof *params);
	if (!lower || !params)
		abort();
	for (size_t i = 0; i < nlower; i++) {
		if (asprintf(&lower[i], "lowerdir+=%s", i == 0 ? iso->rootfs : iso->lowers[i - 1]) == -1)
			abort();
		params[i] = lower[i];
	}
	params[nlower] = upper;
	params[nlower + 1] = work;
	/* index=off: the lower may be the host's live root, not a frozen image. */
	params[nlower + 2] = "index=off";
	/* SELinux: -o context="MOUNT_LABEL" (the container's files; NULL ends the list without one). */
	params[nlower + 3] = mount_context_param();
	int mnt = new_mount("overlay", params, iso->all_devices || iso->root_dev ? 0 : MOUNT_ATTR_NODEV, "root filesystem overlay");
	for (size_t i = 0; i < nlower; i++)
		free(lower[i]);
	free(lower);
	free(params);
	if (mnt < 0)
		return -1;
	int target = open(merged, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0) {
		close(mnt);
		return fail("open", errno, "%s", merged);
	}
	int rc = attach_mount(mnt, target, merged);
	close(target);
	if (rc == 0 && fchdir(mnt) == -1)
		rc = fail("fchdir", errno, "%s", merged);
	close(mnt);
	return rc;
}

/* Equivalent to: cd NEWROOT; pivot_root . .; umount -l .; cd /
 * The old root ends up stacked on the new one and is detached at once:
 * nothing of the host's mount tree stays reachable. */
static int pivot_into_cwd(void)
{
	if (syscall(SYS_pivot_root, ".", ".") == -1)
		return fail("pivot_root", errno, ". .");
	if (umount2(".", MNT_DETACH) == -1)
		return fail("umount2", errno, "the old root");
	if (chdir("/") == -1)
		return fail("chdir", errno, "/");
	return 0;
}

/* A fresh filesystem at PATH inside the root (made if missing; no symlink
 * followed for the kernel filesystems). */
static int mount_fresh(int rootfd, const char *path, const char *fstype, const char *const *params,
		       unsigned int attrs, bool no_symlinks)
{
	int target = ensure_in_root(rootfd, path, TARGET_DIR, no_symlinks);
	if (target < 0)
		return -1;
	struct stat st;
	if (fstat(target, &st) == -1 || !S_ISDIR(st.st_mode)) {
		close(target);
		return fail("mount", ENOTDIR, "%s is not a directory", path);
	}
	int rc = mount_new_at(target, fstype, params, attrs, path);
	close(target);
	return rc;
}

/* tmpfs options "size=64m,mode=1777,noexec" → fsconfig words (flags are
 * mount attributes, already parsed). */
static int tmpfs_params(const char *options, char *buf, size_t size, const char **params, size_t max)
{
	size_t n = 0;
	snprintf(buf, size, "%s", options);
	for (char *w = strtok(buf, ","); w; w = strtok(NULL, ","))
		if (strchr(w, '=') && n + 1 < max)
			params[n++] = w;
	/* SELinux: -o context="MOUNT_LABEL" (after the split: the label has commas). */
	if (mount_context_param() && n + 1 < max)
		params[n++] = mount_context_param();
	params[n] = NULL;
	return 0;
}

static int mount_user(int rootfd, const struct user_mount *m, int source)
{
	if (m->kind == MOUNT_TMPFS) {
		char buf[512];
		const char *params[8];
		tmpfs_params(m->options, buf, sizeof buf, params, 8);
		return mount_fresh(rootfd, m->target, "tmpfs", params, (unsigned int)m->attrs, false);
	}
	struct stat st;
	if (fstat(source, &st) == -1)
		return fail("fstat", errno, "%s", m->source);
	if (m->populate && S_ISDIR(st.st_mode) && populate_volume(rootfd, m->target, source) == -1)
		return -1;
	int target = ensure_in_root(rootfd, m->target, S_ISDIR(st.st_mode) ? TARGET_DIR : TARGET_FILE, false);
	if (target < 0)
		return -1;
	int rc = attach_mount(source, target, m->target);
	close(target);
	return rc;
}

static int bind_file(int rootfd, const char *path, int source)
{
	int target = ensure_in_root(rootfd, path, TARGET_FILE, false);
	if (target < 0)
		return -1;
	int rc = attach_mount(source, target, path);
	close(target);
	return rc;
}

/* Equivalent to: mount --bind PATH PATH; mount -o remount,bind,ro PATH */
static int make_read_only(int rootfd, const char *path)
{
	int target = open_in_root(rootfd, path, false);
	if (target < 0)
		return errno == ENOENT ? 0 : fail("openat2", errno, "%s (read-only path)", path);
	int m = clone_mount(target, "", true, path);
	int rc = m < 0 ? -1
		       : set_mount_attrs(m, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0,
					 0, true, path);
	if (rc == 0)
		rc = attach_mount(m, target, path);
	if (m >= 0)
		close(m);
	close(target);
	return rc;
}

int setup_rootfs(const struct container_spec *spec)
{
	static const char *const no_params[] = { NULL };
	const struct isolation_spec *iso = &spec->iso;
	struct sources src = { 0 };
	int rootfd = -1, rc = -1, shm = -1;
	umask(022);
	if (take_sources(spec, &src) == -1)
		goto out;
	/* ipc: service: the donor's /dev/shm, taken before anything moves. */
	if (shm_share_wanted() && (shm = shm_share_take()) < 0)
		goto out;
	/* Equivalent to: mount --make-rprivate /  (nothing propagates out) */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1) {
		fail("mount", errno, "make-rprivate /");
		goto out;
	}
	if (mount_overlay(iso) == -1 || pivot_into_cwd() == -1)
		goto out;
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		fail("open", errno, "/ (the new root)");
		goto out;
	}
	/* Equivalent to: mount -t proc -o nosuid,nodev,noexec proc /proc (PID 1 of the new pid ns) */
	if (mount_fresh(rootfd, "/proc", "proc", no_params, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
			true) == -1)
		goto out;
	if (setup_dev(rootfd, &src.dev, iso->all_devices, iso->shm_size) == -1)
		goto out;
	/* Equivalent to: mount -t sysfs -o ro,nosuid,nodev,noexec sysfs /sys */
	if (mount_fresh(rootfd, "/sys", "sysfs", no_params,
			(iso->sys_rw ? 0 : MOUNT_ATTR_RDONLY) | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
			true) == -1)
		goto out;
	for (size_t i = 0; i < iso->nmounts; i++)
		if (mount_user(rootfd, &iso->mounts[i], src.mounts[i]) == -1)
			goto out;
	for (size_t i = 0; i < spec->nbinds; i++)
		if (bind_file(rootfd, spec->binds[i].target, src.files[i]) == -1)
			goto out;
	if (shm >= 0 && shm_share_attach(rootfd, shm) == -1)
		goto out;
	for (size_t i = 0; i < iso->nmasks; i++)
		if (mask_pattern(rootfd, iso->masks[i]) == -1)
			goto out;
	for (size_t i = 0; i < iso->nro_paths; i++)
		if (make_read_only(rootfd, iso->ro_paths[i]) == -1)
			goto out;
	/* The working directory exists (as Docker makes it) before the root
	 * may become read-only. */
	if (spec->cwd) {
		int cwd = ensure_in_root(rootfd, spec->cwd, TARGET_DIR, false);
		if (cwd < 0)
			goto out;
		close(cwd);
	}
	/* Equivalent to: mount -o remount,bind,ro / */
	if (iso->read_only && set_mount_attrs(rootfd, MOUNT_ATTR_RDONLY, 0, 0, false, "/ (read_only)") == -1)
		goto out;
	rc = 0;
out:
	if (rootfd >= 0)
		close(rootfd);
	if (shm >= 0)
		close(shm);
	close_all(src.mounts, iso->nmounts);
	close_all(src.files, spec->nbinds);
	return rc;
}
