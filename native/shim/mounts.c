#include "mounts.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "report.h"

/* Equivalent to: mount --make-rslave /
 * Host mount events (e.g. `ip netns del` unmounting /run/netns/X) still
 * propagate in; nothing mounted in the container propagates out. */
int make_mounts_rslave(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == -1)
		return fail("mount", errno, "make-rslave /");
	return 0;
}

/* Equivalent to: umount -l /run/netns   (or each mount in it)
 * Other containers' network namespaces are bind-mounted there: a copy in
 * this mount namespace would keep them alive after `ip netns del`. Must run
 * after make_mounts_rslave, or the unmount would propagate to the host. */
int detach_netns_mounts(const char *dir)
{
	/* iproute2 bind-mounts /run/netns onto itself, possibly more than once:
	 * detach every mount stacked there, until it is a plain directory. */
	while (umount2(dir, MNT_DETACH) == 0)
		;
	if (errno == ENOENT)
		return 0;
	if (errno != EINVAL)
		return fail("umount2", errno, "%s", dir);
	/* Namespace files mounted in the plain directory underneath. */
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : fail("opendir", errno, "%s", dir);
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == -1 && errno != EINVAL)
			rc = fail("umount2", errno, "%s", path);
	}
	closedir(d);
	return rc;
}

/* Equivalent to: mount -t proc -o nosuid,nodev,noexec proc /proc
 * Run by PID 1 of the new pid namespace, so the new /proc shows its pids. */
int mount_fresh_proc(void)
{
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		return fail("mount", errno, "proc -> /proc");
	return 0;
}

/* Flags a read-only remount must repeat, or it would clear them. */
static unsigned long kept_mount_flags(const char *path)
{
	struct statvfs sv;
	unsigned long flags = 0;
	if (statvfs(path, &sv) == -1)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	return flags;
}

/* Equivalent to: mount --bind SRC DST && mount -o remount,bind,ro DST
 * As with `mount --bind`, a symlink at DST is followed: the bind covers the
 * link's target (e.g. /etc/resolv.conf -> /run/systemd/resolve/stub-resolv.conf
 * covers the stub file), in the container's mount namespace only. */
int bind_mount_ro(const char *source, const char *target)
{
	if (mount(source, target, NULL, MS_BIND, NULL) == -1)
		return fail("mount", errno, "%s -> %s", source, target);
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | kept_mount_flags(target);
	if (mount(NULL, target, NULL, flags, NULL) == -1)
		return fail("mount", errno, "remount,bind,ro %s", target);
	return 0;
}
