/* Masked paths: what a container must not read or write of the kernel's
 * /proc and /sys (information leaks, host-wide knobs). The list is the
 * caller's policy (--mask); this file hides each path, expands patterns,
 * and adds the masks Docker added in 2025 (GHSA-6fw5-f8r9-fgfm class:
 * per-CPU thermal_throttle counters and /proc/interrupts leak host
 * activity, and thermal_throttle's writable reset files are host-wide). */
#include "masks.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inroot.h"
#include "mountfs.h"
#include "report.h"

/* Equivalent to: mount --bind /dev/null FILE, or mount -t tmpfs -o ro tmpfs DIR.
 * A path the kernel does not have is skipped. */
static int mask_path(int rootfd, const char *path)
{
	int target = open_in_root(rootfd, path, false);
	if (target < 0)
		return errno == ENOENT ? 0 : fail("openat2", errno, "%s (masked path)", path);
	struct stat st;
	int rc = -1, m = -1;
	if (fstat(target, &st) == -1) {
		fail("fstat", errno, "%s", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		static const char *const params[] = { "size=4k", "nr_inodes=1", NULL };
		m = new_mount("tmpfs", params, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
			      path);
	} else {
		int null = open_in_root(rootfd, "/dev/null", true);
		if (null < 0) {
			fail("openat2", errno, "/dev/null (to mask %s)", path);
			goto out;
		}
		m = clone_mount(null, "", false, path);
		close(null);
	}
	if (m >= 0)
		rc = attach_mount(m, target, path);
out:
	if (m >= 0)
		close(m);
	close(target);
	return rc;
}

int mask_pattern(int rootfd, const char *path)
{
	if (!strchr(path, '*'))
		return mask_path(rootfd, path);
	/* Equivalent to: for p in PATTERN; do mask $p; done  (each match is
	 * opened again inside the root, never trusted as a host path) */
	glob_t g;
	int rc = glob(path, GLOB_NOSORT, NULL, &g);
	if (rc == GLOB_NOMATCH)
		return 0;
	if (rc != 0)
		return fail("glob", rc == GLOB_NOSPACE ? ENOMEM : EIO, "%s (masked path)", path);
	int out = 0;
	for (size_t i = 0; i < g.gl_pathc && out == 0; i++)
		out = mask_path(rootfd, g.gl_pathv[i]);
	globfree(&g);
	return out;
}
