#include "devices.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inroot.h"
#include "lsm.h"
#include "mountfs.h"
#include "report.h"

/* Docker's default devices. /dev/console is the host's /dev/null: without a
 * terminal, nothing may write to the host's console. */
static const struct {
	const char *name;
	const char *host;
} allowed[] = {
	{ "null", "/dev/null" },     { "zero", "/dev/zero" },	  { "full", "/dev/full" },
	{ "random", "/dev/random" }, { "urandom", "/dev/urandom" }, { "tty", "/dev/tty" },
	{ "console", "/dev/null" },
};
#define NALLOWED (sizeof allowed / sizeof allowed[0])

static const struct {
	const char *name;
	const char *target;
} links[] = {
	{ "fd", "/proc/self/fd" },	   { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },
};

static int add_device(struct dev_sources *src, const char *name, const struct stat *st)
{
	if (strlen(name) >= sizeof src->devices[0].name)
		return 0;
	struct host_device *d = realloc(src->devices, (src->ndevices + 1) * sizeof *d);
	if (!d)
		return fail("realloc", ENOMEM, "device list");
	src->devices = d;
	d = &src->devices[src->ndevices++];
	snprintf(d->name, sizeof d->name, "%s", name);
	d->mode = st->st_mode;
	d->rdev = st->st_rdev;
	return 0;
}

/* Device nodes in /dev and one level below (net/tun, dri/card0, ...),
 * except the per-container filesystems. */
static int list_host_devices(struct dev_sources *src, const char *dir, int depth)
{
	char path[512];
	snprintf(path, sizeof path, "/dev%s%s", dir[0] ? "/" : "", dir);
	DIR *d = opendir(path);
	if (!d)
		return depth ? 0 : fail("opendir", errno, "%s", path);
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || (depth == 0 && (!strcmp(e->d_name, "pts") || !strcmp(e->d_name, "shm") ||
							    !strcmp(e->d_name, "mqueue") || !strcmp(e->d_name, "console"))))
			continue;
		char name[512];
		if (snprintf(name, sizeof name, "%s%s%s", dir, dir[0] ? "/" : "", e->d_name) >= (int)sizeof name)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
			rc = add_device(src, name, &st);
		else if (S_ISDIR(st.st_mode) && depth == 0)
			rc = list_host_devices(src, name, depth + 1);
	}
	closedir(d);
	return rc;
}

int take_dev_sources(struct dev_sources *src, bool all_devices)
{
	memset(src, 0, sizeof *src);
	for (size_t i = 0; i < NALLOWED; i++)
		src->nodes[i] = -1;
	if (all_devices)
		return list_host_devices(src, "", 0);
	for (size_t i = 0; i < NALLOWED; i++) {
		src->nodes[i] = clone_mount(AT_FDCWD, allowed[i].host, false, allowed[i].host);
		if (src->nodes[i] < 0)
			return -1;
	}
	return 0;
}

static void close_sources(struct dev_sources *src)
{
	for (size_t i = 0; i < NALLOWED; i++)
		if (src->nodes[i] >= 0)
			close(src->nodes[i]);
	free(src->devices);
	src->devices = NULL;
}

/* Equivalent to: mknod /dev/NAME c|b MAJOR MINOR (privileged) */
static int make_host_devices(int dev, const struct dev_sources *src)
{
	for (size_t i = 0; i < src->ndevices; i++) {
		const struct host_device *d = &src->devices[i];
		const char *slash = strchr(d->name, '/');
		if (slash) {
			char sub[64];
			snprintf(sub, sizeof sub, "%.*s", (int)(slash - d->name), d->name);
			if (mkdirat(dev, sub, 0755) == -1 && errno != EEXIST)
				return fail("mkdirat", errno, "/dev/%s", sub);
		}
		if (mknodat(dev, d->name, d->mode & (S_IFMT | 07777), d->rdev) == -1 && errno != EEXIST)
			return fail("mknodat", errno, "/dev/%s (%u:%u)", d->name, major(d->rdev), minor(d->rdev));
	}
	return 0;
}

/* Equivalent to: touch /dev/NAME; mount --bind /dev/NAME(host) /dev/NAME */
static int bind_allowed_devices(int dev, struct dev_sources *src)
{
	for (size_t i = 0; i < NALLOWED; i++) {
		int f = openat(dev, allowed[i].name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (f < 0)
			return fail("openat", errno, "/dev/%s", allowed[i].name);
		close(f);
		int target = openat(dev, allowed[i].name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (target < 0)
			return fail("openat", errno, "/dev/%s", allowed[i].name);
		int rc = attach_mount(src->nodes[i], target, allowed[i].name);
		close(target);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int mount_in_dev(int dev, const char *name, const char *fstype, const char *const *params, unsigned int attrs)
{
	char what[32];
	snprintf(what, sizeof what, "/dev/%s", name);
	if (mkdirat(dev, name, 0755) == -1)
		return fail("mkdirat", errno, "%s", what);
	int target = openat(dev, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return fail("openat", errno, "%s", what);
	int rc = mount_new_at(target, fstype, params, attrs, what);
	close(target);
	return rc;
}

int setup_dev(int rootfd, struct dev_sources *src, bool all_devices, unsigned long long shm_size)
{
	/* SELinux: -o context="MOUNT_LABEL" on /dev and /dev/shm too (the last entry; NULL without one). */
	const char *const dev_params[] = { "mode=755", "size=65536k", mount_context_param(), NULL };
	static const char *const pts_params[] = { "ptmxmode=0666", "mode=0620", "gid=5", NULL };
	/* Equivalent to: mount -t tmpfs -o nosuid,nodev,noexec,mode=1777,size=SHM_SIZE shm /dev/shm */
	char shm_size_param[32];
	snprintf(shm_size_param, sizeof shm_size_param, "size=%llu", shm_size ? shm_size : 65536ULL * 1024);
	const char *const shm_params[] = { "mode=1777", shm_size_param, mount_context_param(), NULL };
	int rc = -1, dev = -1;
	int target = ensure_in_root(rootfd, "/dev", TARGET_DIR, true);
	if (target < 0)
		goto out;
	/* Equivalent to: mount -t tmpfs -o nosuid,strictatime,mode=755,size=65536k tmpfs /dev */
	dev = new_mount("tmpfs", dev_params,
			MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME | (all_devices ? 0 : MOUNT_ATTR_NODEV), "/dev");
	if (dev < 0 || attach_mount(dev, target, "/dev") == -1)
		goto out;
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlinkat(links[i].target, dev, links[i].name) == -1) {
			fail("symlinkat", errno, "/dev/%s -> %s", links[i].name, links[i].target);
			goto out;
		}
	if ((all_devices ? make_host_devices(dev, src) : bind_allowed_devices(dev, src)) == -1)
		goto out;
	if (mount_in_dev(dev, "pts", "devpts", pts_params, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC) == -1 ||
	    mount_in_dev(dev, "shm", "tmpfs", shm_params, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) == -1 ||
	    mount_in_dev(dev, "mqueue", "mqueue", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) == -1)
		goto out;
	rc = 0;
out:
	if (dev >= 0)
		close(dev);
	if (target >= 0)
		close(target);
	close_sources(src);
	return rc;
}
