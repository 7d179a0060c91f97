#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"

/* Equivalent to: sysctl -w net.KEY=VALUE  (i.e. echo VALUE > /proc/sys/net/KEY)
 * /proc/sys/net shows the network namespace of the task that opens it, so
 * this runs after joining the container's netns. The key is translated as
 * sysctl(8) does ('.' <-> '/', so "eth0/100" names interface eth0.100) and
 * opened with RESOLVE_BENEATH under /proc/sys/net: nothing can escape it. */
int apply_net_sysctl(const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	size_t keylen = eq ? (size_t)(eq - assignment) : 0;
	if (!eq || keylen <= 4 || strncmp(assignment, "net.", 4) != 0)
		return refuse("args", EINVAL, "--sysctl: only net.* keys are per network namespace: %s", assignment);

	char rel[256];
	size_t n = keylen - 4;
	if (n >= sizeof rel)
		return refuse("args", ENAMETOOLONG, "--sysctl: key too long: %.*s", (int)keylen, assignment);
	for (size_t i = 0; i < n; i++) {
		char c = assignment[4 + i];
		rel[i] = c == '.' ? '/' : c == '/' ? '.' : c;
	}
	rel[n] = '\0';

	int dir = open("/proc/sys/net", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return fail("open", errno, "/proc/sys/net");
	struct open_how how = {
		.flags = O_WRONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dir, rel, &how, sizeof how);
	int err = errno;
	close(dir);
	if (fd < 0)
		return fail("openat2", err, "/proc/sys/net/%s", rel);

	const char *value = eq + 1;
	int rc = 0;
	if (write_all(fd, value, strlen(value)) == -1)
		rc = fail("write", errno, "/proc/sys/net/%s = %s", rel, value);
	close(fd);
	return rc;
}
