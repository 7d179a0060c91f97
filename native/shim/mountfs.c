#include "mountfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "report.h"

/* The kernel explains a refused fsconfig in the context's log ("e overlay:
 * ..."): the first message makes the error say why. */
static int fail_with_log(int fsfd, const char *syscall, int err, const char *what, const char *key)
{
	char log[256];
	ssize_t n = read(fsfd, log, sizeof log - 1);
	if (n > 0) {
		log[n] = '\0';
		log[strcspn(log, "\n")] = '\0';
		return fail(syscall, err, "%s%s%s (%s)", what, key ? ": " : "", key ? key : "",
			    log[0] && log[1] == ' ' ? log + 2 : log);
	}
	return fail(syscall, err, "%s%s%s", what, key ? ": " : "", key ? key : "");
}

int new_mount(const char *fstype, const char *const *params, unsigned int attrs, const char *what)
{
	int fs = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs < 0)
		return fail("fsopen", errno, "%s (%s)", what, fstype);
	for (const char *const *p = params; p && *p; p++) {
		char key[64];
		const char *eq = strchr(*p, '=');
		int rc;
		if (eq) {
			snprintf(key, sizeof key, "%.*s", (int)(eq - *p), *p);
			rc = fsconfig(fs, FSCONFIG_SET_STRING, key, eq + 1, 0);
		} else {
			rc = fsconfig(fs, FSCONFIG_SET_FLAG, *p, NULL, 0);
		}
		if (rc == -1) {
			int err = errno;
			fail_with_log(fs, "fsconfig", err, what, *p);
			close(fs);
			return -1;
		}
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1) {
		int err = errno;
		fail_with_log(fs, "fsconfig", err, what, NULL);
		close(fs);
		return -1;
	}
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	int err = errno;
	close(fs);
	if (mnt < 0)
		return fail("fsmount", err, "%s", what);
	return mnt;
}

int clone_mount(int dirfd, const char *path, bool recursive, const char *what)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
	if (path[0] == '\0')
		flags |= AT_EMPTY_PATH;
	int fd = open_tree(dirfd, path, flags);
	if (fd < 0)
		return fail("open_tree", errno, "%s", what);
	return fd;
}

int set_mount_attrs(int mntfd, unsigned int set, unsigned int clear, unsigned long propagation, bool recursive,
		    const char *what)
{
	struct mount_attr attr = { .attr_set = set, .attr_clr = clear, .propagation = propagation };
	if (!set && !clear && !propagation)
		return 0;
	if (mount_setattr(mntfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) == -1)
		return fail("mount_setattr", errno, "%s", what);
	return 0;
}

int attach_mount(int mntfd, int targetfd, const char *what)
{
	if (move_mount(mntfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == -1)
		return fail("move_mount", errno, "%s", what);
	return 0;
}

int mount_new_at(int targetfd, const char *fstype, const char *const *params, unsigned int attrs, const char *what)
{
	int m = new_mount(fstype, params, attrs, what);
	int rc = m < 0 ? -1 : attach_mount(m, targetfd, what);
	if (m >= 0)
		close(m);
	return rc;
}
