/* `volume.subpath`: a named volume is shared, so any container using it
 * may have planted `sub -> /host/dir` there; another container's
 * `subpath: sub` must not mount the host's directory (the symlink-exchange
 * class of CVE-2021-30465, and Docker's volume subpath fix
 * GHSA-xw73-rw38-6vjc). The subpath is resolved from an fd of the volume
 * with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), and the mount is
 * cloned from the resulting fd: no path is looked up twice, so a symlink
 * swapped in afterwards changes nothing (runc's "safe mount source").
 *
 * Equivalent to: realpath -e VOLUME/SUB, refused unless it is below VOLUME
 * and no component is a symlink; then mount --bind from it. */
#include "subpath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"

int open_subpath(const char *root, const char *sub)
{
	int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return fail("open", errno, "%s", root);
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd = (int)syscall(SYS_openat2, dir, sub, &how, sizeof how);
	int err = errno;
	close(dir);
	if (fd < 0)
		return fail("openat2", err, "subpath %s beneath %s (no symlinks, no \"..\")", sub, root);
	return fd;
}
